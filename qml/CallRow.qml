// SPDX-License-Identifier: GPL-3.0-or-later
// One call in a list (live or history): who, to which number, the decision and why, its state
// and time, and the one-click rules; a click elsewhere on it opens the call's detail (opened()).
// Caller ID and name are hostile: plain text only.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import KevanTel.Ui

Card {
    id: row

    required property string callId
    required property string from
    required property string fromText
    required property string callerName
    required property string toText
    required property string toLabel
    required property string decision
    required property int decisionKind
    required property string reason
    required property string nameSpace
    required property string callState
    required property double startedAtMs
    required property string startedText
    required property string durationText
    required property bool dryRun
    required property bool active
    required property var flags
    required property string identityText

    property EngineController controller: null
    property double now: Date.now()
    property bool showActions: true
    readonly property bool callerIsNumber: row.from.startsWith("+")

    signal opened()

    implicitHeight: 68
    border.color: row.active ? Qt.rgba(0.12, 0.44, 0.36, 0.45) : Theme.border
    color: rowMouse.containsMouse ? "#fafcfb" : Theme.surface

    // The keyboard: Tab stops on the row, then on its buttons; Enter or Space opens it. In a
    // list (a ListView delegate) the list is the one Tab stop and gives the focus to its current
    // row; Up and Down move between the rows, and the row's Allow and Block are in the call's
    // detail (Enter). Tab then follows the rows on screen, never the order in which the list
    // happened to create its delegates, and a row the list releases while scrolling cannot take
    // the focus with it. (Qt refuses to clear activeFocusOnTab on the focused item, so the stops
    // are fixed per place, not moved with the current row.)
    readonly property bool inList: row.ListView.view !== null
    activeFocusOnTab: !row.inList
    focus: row.ListView.isCurrentItem
    Keys.onReturnPressed: row.opened()
    Keys.onEnterPressed: row.opened()
    Keys.onSpacePressed: row.opened()
    Accessible.role: Accessible.Button
    Accessible.name: qsTr("Call from %1, %2").arg(row.fromText).arg(Labels.decision(row.decision, row.reason))
    Accessible.description: row.active ? Labels.state(row.callState) : row.startedText
    Accessible.onPressAction: row.opened()

    FocusRing {
        shown: row.activeFocus
    }

    // Under the buttons: they keep their clicks.
    MouseArea {
        id: rowMouse
        anchors.fill: parent
        hoverEnabled: true
        cursorShape: Qt.PointingHandCursor
        onClicked: row.opened()
    }

    Rectangle {
        anchors.left: parent.left
        anchors.top: parent.top
        anchors.bottom: parent.bottom
        anchors.margins: 1
        width: 5
        radius: 2
        color: Theme.decisionColor(row.decisionKind)
    }

    RowLayout {
        anchors.fill: parent
        anchors.leftMargin: 18
        anchors.rightMargin: 12
        spacing: 12

        ColumnLayout {
            Layout.fillWidth: true
            Layout.minimumWidth: 160
            spacing: 3
            RowLayout {
                Layout.fillWidth: true
                spacing: 8
                Label {
                    text: row.fromText
                    textFormat: Text.PlainText
                    font.pixelSize: 15
                    font.bold: true
                    color: Theme.text
                    elide: Text.ElideRight
                    Layout.maximumWidth: 220
                }
                Label {
                    objectName: "callIdentity"
                    visible: text !== ""
                    text: row.identityText !== "" ? row.identityText
                                                  : (row.callerName !== row.fromText && row.callerName !== row.from
                                                     ? row.callerName : "")
                    textFormat: Text.PlainText
                    font.pixelSize: 13
                    font.bold: row.nameSpace !== ""
                    color: row.nameSpace !== "" ? Theme.decisionColor(CallDecision.Authenticated)
                                                : row.identityText !== "" ? Theme.danger : Theme.muted
                    elide: Text.ElideRight
                    Layout.fillWidth: true
                }
            }
            Label {
                Layout.fillWidth: true
                text: "to " + (row.toLabel !== "" ? row.toLabel + "  " + row.toText : row.toText)
                      + (row.reason !== "" ? "  ·  " + Labels.reason(row.reason) : "")
                textFormat: Text.PlainText
                font.pixelSize: 12
                color: Theme.muted
                elide: Text.ElideRight
            }
        }

        Repeater {
            model: row.flags.filter(f => f === "spam_likely" || f === "attestation_failed" || f === "dry_run")
            delegate: Pill {
                required property string modelData
                text: modelData === "spam_likely" ? "spam" : modelData === "dry_run" ? "paused" : "unverified"
                tint: modelData === "dry_run" ? Theme.warning : Theme.danger
            }
        }

        DecisionBadge {
            decision: row.decision
            decisionKind: row.decisionKind
            reason: row.reason
            Layout.preferredWidth: 112
            Layout.maximumWidth: 112
        }

        ColumnLayout {
            Layout.fillWidth: false
            Layout.preferredWidth: 118
            Layout.maximumWidth: 118
            spacing: 2
            Label {
                Layout.fillWidth: true
                text: row.active ? Labels.state(row.callState) : row.startedText
                textFormat: Text.PlainText
                font.pixelSize: 13
                font.bold: row.active
                color: row.active ? Theme.accent : Theme.text
                elide: Text.ElideRight
            }
            Label {
                Layout.fillWidth: true
                text: row.active
                      ? (row.startedAtMs > 0 ? Labels.clock(row.now - row.startedAtMs) : "")
                      : (row.durationText !== "" ? Labels.state(row.callState) + " · " + row.durationText
                                                 : Labels.state(row.callState))
                textFormat: Text.PlainText
                font.pixelSize: 12
                color: Theme.faint
                elide: Text.ElideRight
            }
        }

        RowLayout {
            visible: row.showActions
            spacing: 6
            opacity: row.callerIsNumber ? 1 : 0 // no rule for a caller without a number
            ActionButton {
                small: true
                filled: false
                focusPolicy: row.inList ? Qt.NoFocus : Qt.StrongFocus
                text: qsTr("Allow always")
                tint: Theme.decisionColor(CallDecision.Allowlisted)
                enabled: row.callerIsNumber && row.controller !== null
                onClicked: row.controller.allowAlways(row.from, "")
            }
            ActionButton {
                small: true
                filled: false
                focusPolicy: row.inList ? Qt.NoFocus : Qt.StrongFocus
                text: qsTr("Block")
                tint: Theme.danger
                enabled: row.callerIsNumber && row.controller !== null
                onClicked: row.controller.block(row.from, "")
            }
        }
    }
}
