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

    required property SettingsController settings
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

                // The rows of the settings table the card asks for, drawn as the Settings page
                // draws them: the same labels, checks and hints.
                Repeater {
                    model: overlay.settings.firstRunRows
                    delegate: SettingRow {
                        Layout.fillWidth: true
                        namePrefix: "firstRun"
                        settings: overlay.settings
                        tester: overlay.tester
                        // The demo's map is not yours: sync after the restart, in Settings.
                        offerSync: false
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
                    color: overlay.savedOk ? Theme.decisionColor(CallDecision.Authenticated)
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
