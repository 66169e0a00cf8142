// SPDX-License-Identifier: GPL-3.0-or-later
// One row of the Settings page (a row of a SettingsListModel), drawn by its kind: a switch, a
// number, a choice, a line, a message, a file, or the API key. Whatever is typed goes to the
// settings controller, which checks it; the row shows the error or the hint it gives back.
// Nheko's pattern: one delegate per kind, each in a file of its own, chosen by the row's kind.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Layouts
import KevanTel.Ui

FormRow {
    id: row

    required property SettingsController settings
    // "Test connection" under the API key; none: not offered.
    property ConnectionTester tester: null
    // After a successful test, "Sync number map" is offered.
    property bool offerSync: true
    // Put before the names of the row's items (objectName), when a view shows the row twice.
    property string namePrefix

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

    // "forward-to" -> "forwardTo": the names the rows had before the page was a model; with
    // the prefix "firstRun": "firstRunForwardTo".
    readonly property string itemName: {
        const name = key.replace(/-([a-z])/g, (m, c) => c.toUpperCase());
        return namePrefix.length === 0 ? name : namePrefix + name.charAt(0).toUpperCase() + name.slice(1);
    }

    objectName: itemName + "Row"
    label: title

    function edit(newValue) {
        row.settings.setValue(row.key, newValue)
    }

    // The editor of the row's kind, given this row.
    Loader {
        id: editor
        Layout.fillWidth: row.kind !== SettingsListModel.Number && row.kind !== SettingsListModel.Choice
                          && row.kind !== SettingsListModel.Switch
        Component.onCompleted: editor.setSource(row.editorFile(), {"row": row})
    }

    function editorFile() {
        switch (row.kind) {
        case SettingsListModel.Switch: return "SettingSwitch.qml"
        case SettingsListModel.Number: return "SettingNumber.qml"
        case SettingsListModel.Choice: return "SettingChoice.qml"
        case SettingsListModel.Message: return "SettingMessage.qml"
        case SettingsListModel.File: return "SettingFile.qml"
        case SettingsListModel.Secret: return "SettingSecret.qml"
        default: return "SettingLine.qml"
        }
    }
}
