// SPDX-License-Identifier: GPL-3.0-or-later
// A Settings row's file, typed or chosen (SettingRow, kind File).
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Dialogs
import QtQuick.Layouts

RowLayout {
    id: field

    required property SettingRow row

    spacing: 8
    FileDialog {
        id: fileDialog
        title: field.row.detail
        fileMode: FileDialog.SaveFile
        nameFilters: [qsTr("SQLite database (*.db)"), qsTr("All files (*)")]
        onAccepted: field.row.edit(String(fileDialog.selectedFile))
    }
    InputField {
        objectName: field.row.itemName
        Layout.fillWidth: true
        font.family: "monospace"
        text: field.row.value
        Accessible.name: field.row.title
        Accessible.description: field.row.error !== "" ? field.row.error : field.row.hint
        onTextEdited: field.row.edit(text)
    }
    ActionButton {
        filled: false
        text: qsTr("Choose…")
        Accessible.name: qsTr("Choose the file for %1").arg(field.row.title)
        onClicked: fileDialog.open()
        SettingFocusRing {
            visible: parent.visualFocus
        }
    }
}
