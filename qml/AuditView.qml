// SPDX-License-Identifier: GPL-3.0-or-later
// Audit: the append-only, hash-chained event log, newest first, and a check of the whole chain.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import KevanTel.Ui

Item {
    id: view

    required property EventLogModel events
    required property EngineController controller

    readonly property var types: ["", "call.initiated", "call.hangup", "tel.call_authenticated",
        "tel.call_allowlisted", "tel.call_blocked", "tel.call_rejected", "tel.call_ask",
        "tel.owner_decision", "tel.command_failed", "tel.rule_added", "tel.registry_added"]

    ColumnLayout {
        anchors.fill: parent
        spacing: 12

        Card {
            Layout.fillWidth: true
            implicitHeight: chain.implicitHeight + 28
            RowLayout {
                id: chain
                anchors.fill: parent
                anchors.margins: 14
                spacing: 16
                ColumnLayout {
                    Layout.fillWidth: true
                    spacing: 4
                    Label {
                        text: qsTr("Hash chain")
                        font.pixelSize: 15
                        font.bold: true
                        color: Theme.text
                    }
                    Label {
                        Layout.fillWidth: true
                        text: qsTr("Every event carries the hash of the one before it. Verifying recomputes them all and finds an edited, missing or reordered event.")
                        wrapMode: Text.WordWrap
                        font.pixelSize: 12
                        color: Theme.muted
                    }
                    ProgressBar {
                        objectName: "verifyProgress"
                        Layout.fillWidth: true
                        visible: view.controller !== null && view.controller.verifying
                        value: view.controller !== null ? view.controller.verifyProgress : 0
                    }
                    Label {
                        objectName: "verifyResult"
                        Layout.fillWidth: true
                        visible: view.controller !== null && (view.controller.verifyDone || view.controller.verifying)
                        text: view.controller === null ? ""
                              : (view.controller.verifyDone ? (view.controller.verifyOk ? "✓ " : "✗ ") : "")
                                + view.controller.verifyMessage
                        textFormat: Text.PlainText
                        wrapMode: Text.WordWrap
                        font.pixelSize: 14
                        font.bold: true
                        color: view.controller === null || !view.controller.verifyDone ? Theme.muted
                               : view.controller.verifyOk ? Theme.decisionColor(CallDecision.Authenticated) : Theme.danger
                    }
                }
                ActionButton {
                    objectName: "verifyButton"
                    text: qsTr("Verify chain")
                    enabled: view.controller !== null && !view.controller.verifying
                    onClicked: view.controller.verifyChain()
                }
            }
        }

        RowLayout {
            Layout.fillWidth: true
            spacing: 10
            SelectBox {
                objectName: "eventType"
                Layout.preferredWidth: 240
                model: view.types.map(t => t === "" ? qsTr("All event types") : t)
                onActivated: idx => view.events.typeFilter = view.types[idx]
            }
            InputField {
                objectName: "eventCall"
                Layout.preferredWidth: 300
                placeholderText: qsTr("Call id (exact)")
                onEditingFinished: view.events.callIdFilter = text
            }
            Item { Layout.fillWidth: true }
            Label {
                text: qsTr("%1 events shown").arg(view.events.count) + (view.events.hasMore ? qsTr(", more below") : "")
                textFormat: Text.PlainText
                color: Theme.muted
            }
        }

        Card {
            Layout.fillWidth: true
            Layout.fillHeight: true
            ListView {
                id: list
                objectName: "eventList"
                anchors.fill: parent
                anchors.margins: 1
                clip: true
                model: view.events
                boundsBehavior: Flickable.StopAtBounds
                ScrollBar.vertical: ScrollBar {}
                onAtYEndChanged: if (list.atYEnd && view.events.hasMore) view.events.loadMore()
                delegate: Rectangle {
                    id: event

                    required property int index
                    required property int seq
                    required property string type
                    required property string category
                    required property string callIdShort
                    required property string actor
                    required property string timeText
                    required property string summary
                    required property string hashShort

                    width: list.width
                    height: 44
                    color: event.index % 2 === 0 ? Theme.surface : "#fbfcfb"

                    RowLayout {
                        anchors.fill: parent
                        anchors.leftMargin: 14
                        anchors.rightMargin: 14
                        spacing: 12
                        Label {
                            Layout.preferredWidth: 56
                            text: "#" + event.seq
                            textFormat: Text.PlainText
                            font.family: "monospace"
                            font.pixelSize: 12
                            color: Theme.faint
                        }
                        Label {
                            Layout.preferredWidth: 70
                            text: event.timeText
                            textFormat: Text.PlainText
                            font.pixelSize: 12
                            color: Theme.muted
                            elide: Text.ElideRight
                        }
                        Rectangle {
                            width: 8
                            height: 8
                            radius: 4
                            color: Theme.categoryColor(event.category)
                        }
                        Label {
                            Layout.preferredWidth: 200
                            text: event.type
                            textFormat: Text.PlainText
                            font.family: "monospace"
                            font.pixelSize: 12
                            color: Theme.text
                            elide: Text.ElideRight
                        }
                        Pill {
                            Layout.preferredWidth: 70
                            text: event.actor
                            tint: event.actor === "owner" ? Theme.decisionColor(CallDecision.Ask)
                                  : event.actor === "telnyx" ? Theme.decisionColor(CallDecision.Allowlisted) : Theme.muted
                        }
                        Label {
                            Layout.fillWidth: true
                            text: event.summary
                            textFormat: Text.PlainText
                            font.pixelSize: 12
                            color: Theme.muted
                            elide: Text.ElideRight
                        }
                        Label {
                            Layout.preferredWidth: 96
                            text: event.hashShort
                            textFormat: Text.PlainText
                            font.family: "monospace"
                            font.pixelSize: 11
                            color: Theme.faint
                            horizontalAlignment: Text.AlignRight
                        }
                    }
                }
            }
        }
    }
}
