// SPDX-License-Identifier: GPL-3.0-or-later
// The first-run setup card, over the dashboard: the app runs as the demo (no API key, no config
// file yet). The four settings that make it screen your own calls (saved like Settings does),
// "Test connection", and "Keep exploring the demo". A restart switches to the live account.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import KevanTel.Ui

Rectangle {
    id: overlay

    required property var settings
    required property ConnectionTester tester
    required property FirstRun firstRun

    property bool savedOk: false

    color: "#99202a26"

    Connections {
        target: overlay.settings
        function onSaved(ok) {
            overlay.savedOk = ok;
        }
    }

    // Nothing under the card takes clicks or wheel turns.
    MouseArea {
        anchors.fill: parent
        hoverEnabled: true
        onWheel: wheel => wheel.accepted = true
    }

    Card {
        objectName: "firstRunCard"
        anchors.centerIn: parent
        width: Math.min(760, overlay.width - 48)
        height: Math.min(form.implicitHeight + 48, overlay.height - 48)

        ScrollView {
            id: scroll
            anchors.fill: parent
            anchors.margins: 24
            contentWidth: availableWidth
            clip: true

            ColumnLayout {
                id: form
                width: scroll.availableWidth
                spacing: 14

                Label {
                    Layout.fillWidth: true
                    text: qsTr("Welcome to kevan-tel")
                    textFormat: Text.PlainText
                    font.pixelSize: 20
                    font.bold: true
                    color: Theme.text
                }
                Label {
                    Layout.fillWidth: true
                    text: qsTr("You are looking at the demo: its calls are simulated. To screen your own calls, "
                               + "enter your Telnyx account below, test it and save. You can also do this later in Settings.")
                    textFormat: Text.PlainText
                    wrapMode: Text.WordWrap
                    font.pixelSize: 13
                    color: Theme.muted
                }

                FormRow {
                    objectName: "firstRunApiKeyRow"
                    Layout.fillWidth: true
                    label: qsTr("API key")
                    detail: qsTr("Telnyx portal → Keys & Credentials. Kept in the system keychain.")
                    error: overlay.settings.errors["api-key"] ?? ""
                    hint: overlay.settings.hints["api-key"] ?? ""
                    InputField {
                        objectName: "firstRunApiKey"
                        Layout.fillWidth: true
                        placeholderText: overlay.settings.apiKeyState === "stored"
                                         ? qsTr("•••••••• stored — type a new key to replace it")
                                         : qsTr("KEY0123…")
                        echoMode: TextInput.Password
                        text: overlay.settings.values["api-key"]
                        onTextEdited: overlay.settings.setValue("api-key", text)
                    }
                    ConnectionTest {
                        Layout.fillWidth: true
                        tester: overlay.tester
                        typedKey: overlay.settings.values["api-key"] ?? ""
                        // The demo's map is not yours: sync after the restart, in Settings.
                        offerSync: false
                    }
                }
                FormRow {
                    objectName: "firstRunPublicKeyRow"
                    Layout.fillWidth: true
                    label: qsTr("Webhook public key")
                    detail: qsTr("Proves that webhooks come from Telnyx: base64 of 32 bytes.")
                    error: overlay.settings.errors["public-key"] ?? ""
                    hint: overlay.settings.hints["public-key"] ?? ""
                    InputField {
                        objectName: "firstRunPublicKey"
                        Layout.fillWidth: true
                        font.family: "monospace"
                        placeholderText: qsTr("From the Telnyx portal, e.g. Jk0u…=")
                        text: overlay.settings.values["public-key"]
                        onTextEdited: overlay.settings.setValue("public-key", text)
                    }
                }
                FormRow {
                    objectName: "firstRunForwardToRow"
                    Layout.fillWidth: true
                    label: qsTr("Forward to")
                    detail: qsTr("Your real phone: where allowed calls ring.")
                    error: overlay.settings.errors["forward-to"] ?? ""
                    hint: overlay.settings.hints["forward-to"] ?? ""
                    InputField {
                        objectName: "firstRunForwardTo"
                        Layout.fillWidth: true
                        placeholderText: qsTr("e.g. +1 415 555 0132")
                        inputMethodHints: Qt.ImhDialableCharactersOnly
                        text: overlay.settings.values["forward-to"]
                        onTextEdited: overlay.settings.setValue("forward-to", text)
                    }
                }
                FormRow {
                    objectName: "firstRunNamespaceRow"
                    Layout.fillWidth: true
                    label: qsTr("Namespace")
                    detail: qsTr("Yours; callers see it on forwarded calls.")
                    error: overlay.settings.errors["namespace"] ?? ""
                    hint: overlay.settings.hints["namespace"] ?? ""
                    InputField {
                        objectName: "firstRunNamespace"
                        Layout.fillWidth: true
                        placeholderText: qsTr("e.g. kevan.tel.x")
                        text: overlay.settings.values["namespace"]
                        onTextEdited: overlay.settings.setValue("namespace", text)
                    }
                }

                Label {
                    objectName: "firstRunStatus"
                    Layout.fillWidth: true
                    text: overlay.savedOk
                          ? "✓ " + qsTr("Saved. Restart kevan-tel to switch from the demo to your live account.")
                          : overlay.settings.busy ? qsTr("Saving…")
                          : overlay.settings.statusMessage !== "" && !overlay.settings.statusOk
                            ? "✗ " + overlay.settings.statusMessage
                          : qsTr("The demo keeps running until you restart kevan-tel.")
                    textFormat: Text.PlainText
                    wrapMode: Text.WordWrap
                    font.pixelSize: 12
                    font.bold: overlay.savedOk
                    color: overlay.savedOk ? Theme.decisionColor("authenticated")
                           : overlay.settings.statusMessage !== "" && !overlay.settings.statusOk ? Theme.danger
                           : Theme.muted
                }

                RowLayout {
                    Layout.fillWidth: true
                    spacing: 10
                    Item { Layout.fillWidth: true }
                    ActionButton {
                        objectName: "keepDemo"
                        filled: false
                        visible: !overlay.savedOk
                        text: qsTr("Keep exploring the demo")
                        onClicked: overlay.firstRun.dismiss()
                    }
                    ActionButton {
                        objectName: "firstRunSave"
                        visible: !overlay.savedOk
                        text: qsTr("Save")
                        enabled: overlay.settings.dirty && overlay.settings.valid && !overlay.settings.busy
                        onClicked: overlay.settings.save()
                    }
                    ActionButton {
                        objectName: "firstRunDone"
                        visible: overlay.savedOk
                        text: qsTr("Done")
                        onClicked: overlay.firstRun.dismiss()
                    }
                }
            }
        }
    }
}
