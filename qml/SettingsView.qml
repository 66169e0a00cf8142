// SPDX-License-Identifier: GPL-3.0-or-later
// Settings: the Telnyx account (the API key goes to the system keychain, never to the config
// file), what callers get, and this computer. The rows are the settings table's (one
// SettingsListModel per group), each drawn by its kind (SettingRow); every field is checked as it
// is typed; Save writes the config file and says what needs a restart.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import KevanTel.Ui

Item {
    id: view

    required property SettingsController settings
    // "Test connection" (ConnectionTester); none: not offered.
    property ConnectionTester tester: null

    ColumnLayout {
        anchors.fill: parent
        spacing: 12

        Rectangle {
            objectName: "restartBanner"
            Layout.fillWidth: true
            // A reminder once the save's own message (which says the same) is gone.
            visible: view.settings.restartNeeded.length > 0 && view.settings.statusMessage === ""
            implicitHeight: restartLabel.implicitHeight + 20
            radius: Theme.radius
            color: "#fbeede"
            border.color: Theme.warning
            Label {
                id: restartLabel
                anchors.fill: parent
                anchors.margins: 10
                text: qsTr("Saved. Restart kevan-tel to apply: %1.")
                      .arg(view.settings.labelsOf(view.settings.restartNeeded))
                textFormat: Text.PlainText
                wrapMode: Text.WordWrap
                color: Theme.warning
                font.bold: true
            }
        }

        ScrollView {
            id: scroll
            Layout.fillWidth: true
            Layout.fillHeight: true
            contentWidth: availableWidth
            clip: true

            ColumnLayout {
                width: scroll.availableWidth - 12
                spacing: 12

                Repeater {
                    model: view.settings.sections
                    delegate: ColumnLayout {
                        id: group
                        required property var modelData
                        required property int index
                        Layout.fillWidth: true
                        spacing: 12

                        SectionTitle {
                            Layout.fillWidth: true
                            Layout.topMargin: group.index > 0 ? 4 : 0
                            text: group.modelData.title
                        }
                        Card {
                            Layout.fillWidth: true
                            implicitHeight: rows.implicitHeight + 32
                            ColumnLayout {
                                id: rows
                                anchors.fill: parent
                                anchors.margins: 16
                                spacing: 16
                                Repeater {
                                    model: group.modelData
                                    delegate: SettingRow {
                                        Layout.fillWidth: true
                                        settings: view.settings
                                        tester: view.tester
                                    }
                                }
                            }
                        }
                    }
                }

                Label {
                    Layout.fillWidth: true
                    Layout.bottomMargin: 8
                    text: qsTr("Config file: %1").arg(view.settings.configFile)
                    textFormat: Text.PlainText
                    font.family: "monospace"
                    font.pixelSize: 11
                    color: Theme.faint
                    elide: Text.ElideMiddle
                }
            }
        }

        // Save, and what it did.
        Card {
            Layout.fillWidth: true
            implicitHeight: Math.max(56, statusLabel.implicitHeight + 24)
            RowLayout {
                anchors.fill: parent
                anchors.leftMargin: 16
                anchors.rightMargin: 12
                spacing: 10
                Label {
                    id: statusLabel
                    objectName: "settingsStatus"
                    Layout.fillWidth: true
                    readonly property bool invalid: view.settings.invalidFields.length > 0
                    text: view.settings.busy ? qsTr("Saving…")
                          : view.settings.statusMessage !== "" ? (view.settings.statusOk ? "✓ " : "✗ ") + view.settings.statusMessage
                          : invalid ? "✗ " + qsTr("To fix before saving: %1").arg(view.settings.labelsOf(view.settings.invalidFields))
                          : view.settings.dirty ? qsTr("Unsaved changes: %1")
                                                  .arg(view.settings.labelsOf(view.settings.changedFields))
                          : qsTr("Every change is checked as you type.")
                    textFormat: Text.PlainText
                    wrapMode: Text.WordWrap
                    font.pixelSize: 12
                    font.bold: view.settings.statusMessage !== "" ? !view.settings.statusOk : invalid
                    color: view.settings.statusMessage !== ""
                           ? (view.settings.statusOk ? Theme.decisionColor(CallDecision.Authenticated) : Theme.danger)
                           : invalid ? Theme.danger : Theme.muted
                }
                ActionButton {
                    objectName: "revertSettings"
                    filled: false
                    text: qsTr("Revert")
                    enabled: view.settings.dirty && !view.settings.busy
                    onClicked: view.settings.revert()
                }
                ActionButton {
                    objectName: "saveSettings"
                    text: qsTr("Save")
                    enabled: view.settings.dirty && !view.settings.busy
                    onClicked: view.settings.save()
                }
            }
        }
    }
}
