// SPDX-License-Identifier: GPL-3.0-or-later
// The API key: typed here, kept in the system keychain, never shown once stored
// (SettingRow, kind Secret).
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import KevanTel.Ui

ColumnLayout {
    id: field

    required property SettingRow row

    spacing: 6
    RowLayout {
        Layout.fillWidth: true
        spacing: 8
        InputField {
            id: secretField
            objectName: field.row.itemName
            Layout.fillWidth: true
            placeholderText: field.row.settings.apiKeyState === ApiKeyState.Stored
                             ? qsTr("•••••••• stored — type a new key to replace it")
                             : field.row.placeholder
            echoMode: showSecret.checked ? TextInput.Normal : TextInput.Password
            text: field.row.value
            Accessible.name: field.row.title
            Accessible.description: field.row.error !== "" ? field.row.error : field.row.settings.apiKeyMessage
            onTextEdited: field.row.edit(text)
        }
        ActionButton {
            id: showSecret
            small: true
            filled: false
            checkable: true
            text: checked ? qsTr("Hide") : qsTr("Show")
            Accessible.name: checked ? qsTr("Hide the %1").arg(field.row.title)
                                     : qsTr("Show the %1").arg(field.row.title)
            enabled: secretField.text !== ""
            SettingFocusRing {
                visible: parent.visualFocus
            }
        }
        ActionButton {
            small: true
            filled: false
            tint: Theme.danger
            visible: field.row.settings.apiKeyState === ApiKeyState.Stored
            enabled: !field.row.settings.busy
            text: qsTr("Remove")
            Accessible.name: qsTr("Remove the stored %1").arg(field.row.title)
            onClicked: field.row.settings.removeApiKey()
            SettingFocusRing {
                visible: parent.visualFocus
            }
        }
    }
    Label {
        objectName: field.row.itemName + "State"
        Layout.fillWidth: true
        text: (field.row.settings.apiKeyState === ApiKeyState.Stored ? "✓ "
               : field.row.settings.apiKeyState === ApiKeyState.Unavailable ? "⚠ " : "")
              + field.row.settings.apiKeyMessage
        textFormat: Text.PlainText
        wrapMode: Text.WordWrap
        font.pixelSize: 12
        color: field.row.settings.apiKeyState === ApiKeyState.Stored ? Theme.decisionColor(CallDecision.Authenticated)
               : field.row.settings.apiKeyState === ApiKeyState.Unavailable ? Theme.warning : Theme.muted
    }
    ConnectionTest {
        Layout.fillWidth: true
        visible: field.row.tester !== null
        tester: field.row.tester
        offerSync: field.row.offerSync
        typedKey: field.row.value
    }
}
