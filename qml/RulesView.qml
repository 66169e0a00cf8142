// SPDX-License-Identifier: GPL-3.0-or-later
// Rules: allow and block rules on the caller's number (exact, or a prefix such as +1888*),
// optionally until a time or for one call only.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import KevanTel.Ui

Item {
    id: view

    required property RuleListModel rules
    required property EngineController controller

    ColumnLayout {
        anchors.fill: parent
        spacing: 12

        Card {
            Layout.fillWidth: true
            implicitHeight: form.implicitHeight + 24
            RowLayout {
                id: form
                anchors.fill: parent
                anchors.margins: 12
                spacing: 10
                SelectBox {
                    id: kindBox
                    objectName: "ruleKind"
                    Layout.preferredWidth: 110
                    model: [qsTr("Allow"), qsTr("Block")]
                }
                InputField {
                    id: patternField
                    objectName: "rulePattern"
                    Layout.fillWidth: true
                    Layout.preferredWidth: 3
                    placeholderText: qsTr("Number or prefix, e.g. +1888*")
                }
                InputField {
                    id: noteField
                    objectName: "ruleNote"
                    Layout.fillWidth: true
                    Layout.preferredWidth: 3
                    placeholderText: qsTr("Note (optional)")
                    maximumLength: 500
                }
                InputField {
                    id: untilField
                    objectName: "ruleUntil"
                    Layout.fillWidth: true
                    Layout.preferredWidth: 2
                    placeholderText: qsTr("Until (optional)")
                }
                CheckBox {
                    id: singleUseBox
                    text: qsTr("Once")
                    Accessible.name: qsTr("Once: the rule ends after one call")
                }
                ActionButton {
                    text: qsTr("Add rule")
                    enabled: view.controller !== null && patternField.text.trim() !== ""
                    onClicked: {
                        view.controller.addRule(kindBox.currentIndex === 0 ? "allow" : "block",
                                                patternField.text, noteField.text, untilField.text,
                                                singleUseBox.checked);
                        patternField.clear();
                        noteField.clear();
                        untilField.clear();
                        singleUseBox.checked = false;
                    }
                }
            }
        }

        SectionTitle {
            Layout.fillWidth: true
            text: qsTr("Rules")
            detail: String(view.rules.count)
        }

        ListView {
            id: list
            objectName: "ruleList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            spacing: 8
            model: view.rules
            boundsBehavior: Flickable.StopAtBounds
            ScrollBar.vertical: ScrollBar {}
            delegate: Card {
                id: rule

                required property int ruleId
                required property string kind
                required property string patternText
                required property string note
                required property string untilText
                required property bool singleUse
                required property string ruleState
                required property int ruleStateKind
                required property string createdText

                readonly property color tint: rule.kind === "allow" ? Theme.decisionColor(CallDecision.Allowlisted)
                                                                    : Theme.decisionColor(CallDecision.Blocked)
                width: list.width - 12
                height: 60
                opacity: rule.ruleStateKind === RuleState.Active ? 1 : 0.65

                RowLayout {
                    anchors.fill: parent
                    anchors.leftMargin: 16
                    anchors.rightMargin: 12
                    spacing: 12
                    Pill {
                        Layout.preferredWidth: 70
                        text: rule.kind === "allow" ? qsTr("Allow") : qsTr("Block")
                        tint: rule.tint
                        filled: true
                    }
                    ColumnLayout {
                        Layout.fillWidth: true
                        spacing: 1
                        Label {
                            Layout.fillWidth: true
                            text: rule.patternText
                            textFormat: Text.PlainText
                            font.pixelSize: 15
                            font.bold: true
                            color: Theme.text
                            elide: Text.ElideRight
                        }
                        Label {
                            Layout.fillWidth: true
                            text: (rule.note !== "" ? rule.note + "  ·  " : "") + qsTr("#%1, added %2").arg(rule.ruleId).arg(rule.createdText)
                            textFormat: Text.PlainText
                            font.pixelSize: 12
                            color: Theme.muted
                            elide: Text.ElideRight
                        }
                    }
                    Pill {
                        visible: rule.singleUse
                        text: qsTr("once")
                        tint: Theme.muted
                    }
                    Pill {
                        visible: rule.untilText !== ""
                        text: qsTr("until %1").arg(rule.untilText)
                        tint: Theme.muted
                    }
                    Pill {
                        text: rule.ruleState
                        tint: rule.ruleStateKind === RuleState.Active ? Theme.decisionColor(CallDecision.Authenticated) : Theme.faint
                    }
                    ActionButton {
                        small: true
                        filled: false
                        tint: Theme.danger
                        text: qsTr("Remove")
                        enabled: view.controller !== null
                        onClicked: view.controller.removeRule(rule.ruleId)
                    }
                }
            }
            EmptyState {
                width: parent.width - 12
                visible: list.count === 0
                title: qsTr("No rules")
                detail: qsTr("Allow a number to let it through without a namespace, or block one to turn it away.")
            }
        }
    }
}
