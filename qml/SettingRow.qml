// SPDX-License-Identifier: GPL-3.0-or-later
// One row of the Settings page (a row of a SettingsListModel), drawn by its kind: a switch, a
// number, a choice, a line, a message, a file, or the API key. Whatever is typed goes to the
// settings controller, which checks it; the row shows the error or the hint it gives back.
// Nheko's pattern: one delegate per kind, each in a file of its own, chosen by the row's kind.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Layouts

FormRow {
    id: row

    required property var settings
    // "Test connection" (ConnectionTester) under the API key; none: not offered.
    property var tester: null
    // The SettingsListModel.Kind values by name.
    required property var kinds

    required property string key
    required property int kind
    required property string title
    required detail
    required error
    required hint
    required property string placeholder
    required property var value
    required property var choices
    required property var choiceValues
    required property int choiceIndex
    required property string switchText
    required property bool monospace
    required property bool dialable

    // "forward-to" -> "forwardTo": the names the rows had before the page was a model.
    readonly property string itemName: key.replace(/-([a-z])/g, (m, c) => c.toUpperCase())

    objectName: itemName + "Row"
    label: title

    function edit(newValue) {
        row.settings.setValue(row.key, newValue)
    }

    // The editor of the row's kind, given this row.
    Loader {
        id: editor
        Layout.fillWidth: row.kind !== row.kinds.Number && row.kind !== row.kinds.Choice
                          && row.kind !== row.kinds.Switch
        Component.onCompleted: editor.setSource(row.editorFile(), {"row": row})
    }

    function editorFile() {
        switch (row.kind) {
        case row.kinds.Switch: return "SettingSwitch.qml"
        case row.kinds.Number: return "SettingNumber.qml"
        case row.kinds.Choice: return "SettingChoice.qml"
        case row.kinds.Message: return "SettingMessage.qml"
        case row.kinds.File: return "SettingFile.qml"
        case row.kinds.Secret: return "SettingSecret.qml"
        default: return "SettingLine.qml"
        }
    }
}
