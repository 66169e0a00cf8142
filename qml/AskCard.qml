// SPDX-License-Identifier: GPL-3.0-or-later
// A call that rings for the owner (policy "ask"): who calls, which number, how long is left,
// and the four decisions.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

Rectangle {
    id: card

    required property string callId
    required property string from
    required property string fromText
    required property string callerName
    required property string toText
    required property string toLabel
    required property double askDeadlineMs
    required property double decidedAtMs
    required property string claimedNamespace

    property var controller: null
    property double now: Date.now()
    readonly property double remainingMs: Math.max(0, card.askDeadlineMs - card.now)
    readonly property double totalMs: Math.max(1, card.askDeadlineMs - card.decidedAtMs)
    readonly property bool callerIsNumber: card.from.startsWith("+")
    readonly property color tint: Theme.decisionColor("ask")

    implicitHeight: 150
    radius: 14
    color: "#f7f3fd"
    border.color: card.tint
    border.width: 2

    RowLayout {
        anchors.fill: parent
        anchors.margins: 18
        spacing: 20

        // The countdown, as a ring of seconds.
        Item {
            Layout.preferredWidth: 96
            Layout.preferredHeight: 96
            Canvas {
                id: ring
                anchors.fill: parent
                property real fraction: card.remainingMs / card.totalMs
                onFractionChanged: requestPaint()
                onPaint: {
                    const ctx = getContext("2d");
                    ctx.reset();
                    ctx.lineWidth = 8;
                    ctx.strokeStyle = "#e2d6f5";
                    ctx.beginPath();
                    ctx.arc(width / 2, height / 2, width / 2 - 6, 0, 2 * Math.PI);
                    ctx.stroke();
                    ctx.strokeStyle = card.tint;
                    ctx.lineCap = "round";
                    ctx.beginPath();
                    ctx.arc(width / 2, height / 2, width / 2 - 6, -Math.PI / 2,
                            -Math.PI / 2 + 2 * Math.PI * Math.max(0, Math.min(1, fraction)));
                    ctx.stroke();
                }
            }
            Label {
                anchors.centerIn: parent
                text: Math.ceil(card.remainingMs / 1000) + "s"
                textFormat: Text.PlainText
                font.pixelSize: 24
                font.bold: true
                color: card.tint
            }
        }

        ColumnLayout {
            Layout.fillWidth: true
            spacing: 4
            Label {
                text: qsTr("RINGING FOR YOU")
                font.pixelSize: 12
                font.bold: true
                font.letterSpacing: 1.2
                color: card.tint
            }
            Label {
                Layout.fillWidth: true
                text: card.fromText
                textFormat: Text.PlainText
                font.pixelSize: 24
                font.bold: true
                color: Theme.text
                elide: Text.ElideRight
            }
            Label {
                objectName: "askClaimed"
                Layout.fillWidth: true
                visible: card.claimedNamespace !== ""
                text: qsTr("claims to be %1 — caller ID not verified").arg(card.claimedNamespace)
                textFormat: Text.PlainText
                font.pixelSize: 14
                font.bold: true
                color: Theme.danger
                elide: Text.ElideRight
            }
            Label {
                Layout.fillWidth: true
                visible: text !== ""
                text: card.callerName !== card.fromText && card.callerName !== card.from ? card.callerName : ""
                textFormat: Text.PlainText
                font.pixelSize: 14
                color: Theme.muted
                elide: Text.ElideRight
            }
            Label {
                Layout.fillWidth: true
                text: qsTr("calling %1").arg(card.toLabel !== "" ? card.toLabel + "  " + card.toText : card.toText)
                      + (card.claimedNamespace !== "" ? qsTr("  ·  decide before the time runs out")
                                                      : qsTr("  ·  not registered: decide before the time runs out"))
                textFormat: Text.PlainText
                font.pixelSize: 13
                color: Theme.muted
                elide: Text.ElideRight
            }
        }

        GridLayout {
            columns: 2
            rowSpacing: 8
            columnSpacing: 8
            ActionButton {
                Layout.fillWidth: true
                text: qsTr("Accept")
                tint: Theme.decisionColor("authenticated")
                enabled: card.controller !== null
                onClicked: card.controller.accept(card.callId)
            }
            ActionButton {
                Layout.fillWidth: true
                text: qsTr("Reject")
                tint: Theme.danger
                enabled: card.controller !== null
                onClicked: card.controller.reject(card.callId)
            }
            ActionButton {
                Layout.fillWidth: true
                Layout.columnSpan: 2
                objectName: "voicemailButton"
                filled: false
                text: qsTr("Voicemail")
                tint: Theme.accent
                enabled: card.controller !== null
                onClicked: card.controller.sendToVoicemail(card.callId)
            }
            ActionButton {
                Layout.fillWidth: true
                filled: false
                text: qsTr("Allow always")
                tint: Theme.decisionColor("allowlisted")
                enabled: card.callerIsNumber && card.controller !== null
                onClicked: card.controller.allowAlways(card.from, card.callId)
            }
            ActionButton {
                Layout.fillWidth: true
                filled: false
                text: qsTr("Block")
                tint: Theme.danger
                enabled: card.callerIsNumber && card.controller !== null
                onClicked: card.controller.block(card.from, card.callId)
            }
        }
    }
}
