// SPDX-License-Identifier: GPL-3.0-or-later
// Numbers: the owner's number map: the number, its label (and whether a vanity label spells the
// number on a keypad), namespace, policy, and calls today and in the last 7 days.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import KevanTel.Ui

Item {
    id: view

    required property SearchFilterModel numbers
    required property list<string> policies
    required property string defaultPolicy
    required property EngineController controller

    // Column widths shared by the header and the rows.
    readonly property var widths: [180, 200, 110, 240, 60, 60]
    // The policies offered for a number: "" (the configured default) first.
    readonly property var policyChoices: {
        const all = [""];
        for (const policy of view.policies)
            all.push(policy);
        return all;
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 12

        RowLayout {
            Layout.fillWidth: true
            spacing: 10
            InputField {
                objectName: "numberSearch"
                Layout.preferredWidth: 320
                placeholderText: qsTr("Find a number, label or namespace")
                onTextChanged: view.numbers.query = text
            }
            Item { Layout.fillWidth: true }
            Label {
                text: qsTr("%1 numbers").arg(view.numbers.count)
                textFormat: Text.PlainText
                color: Theme.muted
            }
        }

        Card {
            Layout.fillWidth: true
            Layout.fillHeight: true

            ColumnLayout {
                anchors.fill: parent
                anchors.margins: 1
                spacing: 0

                // Header
                Rectangle {
                    Layout.fillWidth: true
                    implicitHeight: 38
                    color: "#f7f9f8"
                    radius: Theme.radius
                    RowLayout {
                        anchors.fill: parent
                        anchors.leftMargin: 16
                        anchors.rightMargin: 16
                        spacing: 12
                        Repeater {
                            model: [qsTr("Number"), qsTr("Label"), qsTr("Namespace"), qsTr("Policy"),
                                    qsTr("Today"), qsTr("7 days")]
                            delegate: Label {
                                required property string modelData
                                required property int index
                                Layout.preferredWidth: view.widths[index]
                                Layout.fillWidth: index === 1
                                text: modelData
                                font.pixelSize: 12
                                font.bold: true
                                color: Theme.muted
                                horizontalAlignment: index >= 4 ? Text.AlignRight : Text.AlignLeft
                            }
                        }
                    }
                }

                ListView {
                    id: list
                    objectName: "numberList"
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    clip: true
                    model: view.numbers
                    boundsBehavior: Flickable.StopAtBounds
                    ScrollBar.vertical: ScrollBar {}
                    delegate: Rectangle {
                        id: row

                        required property int index
                        required property string e164
                        required property string written
                        required property string label
                        required property string labelCheck
                        required property string keypadDigits
                        required property string nameSpace
                        required property string policy
                        required property string effectivePolicy
                        required property int callsToday
                        required property int callsWeek

                        width: list.width
                        height: 52
                        color: row.index % 2 === 0 ? Theme.surface : "#fbfcfb"

                        Rectangle {
                            anchors.bottom: parent.bottom
                            width: parent.width
                            height: 1
                            color: Theme.border
                            opacity: 0.6
                        }

                        RowLayout {
                            anchors.fill: parent
                            anchors.leftMargin: 16
                            anchors.rightMargin: 16
                            spacing: 12

                            ColumnLayout {
                                Layout.preferredWidth: view.widths[0]
                                spacing: 1
                                Label {
                                    text: row.written
                                    textFormat: Text.PlainText
                                    font.pixelSize: 14
                                    font.bold: true
                                    color: Theme.text
                                }
                                Label {
                                    text: row.e164
                                    textFormat: Text.PlainText
                                    font.pixelSize: 11
                                    font.family: "monospace"
                                    color: Theme.faint
                                }
                            }

                            RowLayout {
                                Layout.preferredWidth: view.widths[1]
                                Layout.fillWidth: true
                                spacing: 8
                                Label {
                                    text: row.label !== "" ? row.label : "—"
                                    textFormat: Text.PlainText
                                    font.pixelSize: 14
                                    color: row.label !== "" ? Theme.text : Theme.faint
                                    elide: Text.ElideRight
                                    Layout.maximumWidth: 150
                                }
                                Pill {
                                    visible: row.labelCheck !== "not_vanity"
                                    text: row.labelCheck === "spells" ? "✓ " + qsTr("spells it")
                                                                      : "✗ " + qsTr("does not spell")
                                    tint: row.labelCheck === "spells" ? Theme.decisionColor(CallDecision.Authenticated)
                                                                      : Theme.warning
                                    PlainToolTip {
                                        visible: pillMouse.containsMouse
                                        text: qsTr("Keypad digits: %1").arg(row.keypadDigits)
                                    }
                                    MouseArea {
                                        id: pillMouse
                                        anchors.fill: parent
                                        hoverEnabled: true
                                    }
                                }
                                Item { Layout.fillWidth: true }
                            }

                            Label {
                                Layout.preferredWidth: view.widths[2]
                                text: row.nameSpace
                                textFormat: Text.PlainText
                                font.pixelSize: 13
                                color: Theme.muted
                                elide: Text.ElideRight
                            }

                            SelectBox {
                                id: policyBox
                                Layout.preferredWidth: view.widths[3]
                                implicitHeight: 34
                                font.pixelSize: 13
                                // The first choice is the configured default.
                                model: view.policyChoices.map((p, i) => i === 0
                                                                    ? qsTr("Default (%1)").arg(Labels.policy(view.defaultPolicy))
                                                                    : Labels.policy(p))
                                currentIndex: Math.max(0, view.policyChoices.indexOf(row.policy))
                                enabled: view.controller !== null
                                onActivated: idx => view.controller.setNumberPolicy(row.e164, view.policyChoices[idx])
                            }

                            Label {
                                Layout.preferredWidth: view.widths[4]
                                horizontalAlignment: Text.AlignRight
                                text: row.callsToday
                                textFormat: Text.PlainText
                                font.pixelSize: 14
                                font.bold: row.callsToday > 0
                                color: row.callsToday > 0 ? Theme.text : Theme.faint
                            }
                            Label {
                                Layout.preferredWidth: view.widths[5]
                                horizontalAlignment: Text.AlignRight
                                text: row.callsWeek
                                textFormat: Text.PlainText
                                font.pixelSize: 14
                                color: row.callsWeek > 0 ? Theme.text : Theme.faint
                            }
                        }
                    }
                }
            }
        }
    }
}
