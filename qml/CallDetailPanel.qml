// SPDX-License-Identifier: GPL-3.0-or-later
// One call in detail (the drawer that opens from Live and History): who called which number,
// the decision in one plain sentence, Allow / Block for the caller, and every event of the call
// in order, and a link to the voicemail the caller left on it. Caller ID and name are hostile:
// plain text only.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import KevanTel.Ui

Rectangle {
    id: panel

    required property CallDetailModel detail
    property EngineController controller: null
    property VoicemailModel voicemail: null

    readonly property var call: panel.detail.call
    readonly property string decision: panel.call.decision ?? ""
    readonly property int decisionKind: panel.call.decisionKind ?? CallDecision.Undecided
    readonly property string from: panel.call.from ?? ""
    readonly property bool callerIsNumber: panel.from.startsWith("+")
    property int pendingRequest: -1
    property string result
    property bool resultOk: true

    // The message left on this call (VoicemailModel::messageForCall; 0: none); the count makes
    // it follow the list.
    readonly property real voicemailId: panel.voicemail !== null && panel.detail.found
                                        ? panel.messageFor(panel.call.callId ?? "", panel.voicemail.count) : 0

    signal closeRequested()
    // "Play the message" was clicked: show voicemail `messageId`.
    signal voicemailOpened(real messageId)

    function messageFor(callId, count) {
        return count > 0 ? panel.voicemail.messageForCall(callId) : 0;
    }

    color: Theme.background

    Connections {
        target: panel.controller
        function onActionFinished(requestId, action, ok, message) {
            if (requestId !== panel.pendingRequest)
                return;
            panel.pendingRequest = -1;
            panel.resultOk = ok;
            panel.result = message;
        }
    }
    Connections {
        target: panel.detail
        function onLoaded() {
            if (panel.pendingRequest === -1 && panel.detail.callId !== panel.shownCall) {
                panel.result = "";
                panel.shownCall = panel.detail.callId;
            }
        }
    }
    property string shownCall

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 20
        spacing: 14

        // Who, and the close button.
        RowLayout {
            Layout.fillWidth: true
            spacing: 10
            Rectangle {
                Layout.alignment: Qt.AlignTop
                Layout.topMargin: 4
                width: 6
                height: 44
                radius: 3
                color: Theme.decisionColor(panel.decisionKind)
            }
            ColumnLayout {
                Layout.fillWidth: true
                spacing: 2
                Label {
                    objectName: "detailCaller"
                    Layout.fillWidth: true
                    text: panel.detail.found ? panel.call.fromText : qsTr("Call")
                    textFormat: Text.PlainText
                    font.pixelSize: 22
                    font.bold: true
                    color: Theme.text
                    elide: Text.ElideRight
                }
                Label {
                    Layout.fillWidth: true
                    visible: text !== ""
                    objectName: "detailIdentity"
                    text: !panel.detail.found ? ""
                          : (panel.call.identityText ?? "") !== "" ? panel.call.identityText
                          : panel.call.callerName !== panel.call.fromText && panel.call.callerName !== panel.from
                            ? panel.call.callerName : ""
                    textFormat: Text.PlainText
                    font.pixelSize: 14
                    font.bold: panel.detail.found && panel.call.nameSpace !== ""
                    color: !panel.detail.found ? Theme.muted
                           : panel.call.nameSpace !== "" ? Theme.decisionColor(CallDecision.Authenticated)
                           : (panel.call.claimedNamespace ?? "") !== "" ? Theme.danger : Theme.muted
                    elide: Text.ElideRight
                }
            }
            ToolButton {
                objectName: "closeDetail"
                Layout.alignment: Qt.AlignTop
                text: "✕"
                font.pixelSize: 16
                onClicked: panel.closeRequested()
            }
        }

        Label {
            Layout.fillWidth: true
            visible: panel.detail.errorString !== ""
            text: panel.detail.errorString
            textFormat: Text.PlainText
            wrapMode: Text.WordWrap
            color: Theme.muted
        }

        // The facts.
        GridLayout {
            Layout.fillWidth: true
            visible: panel.detail.found
            columns: 2
            columnSpacing: 14
            rowSpacing: 6
            Label { text: qsTr("Decision"); color: Theme.faint; font.pixelSize: 12 }
            RowLayout {
                spacing: 8
                DecisionBadge {
                    decision: panel.decision
                    decisionKind: panel.decisionKind
                    reason: panel.call.reason ?? ""
                }
                Label {
                    Layout.fillWidth: true
                    text: Labels.reason(panel.call.reason ?? "")
                    textFormat: Text.PlainText
                    font.pixelSize: 12
                    color: Theme.muted
                    elide: Text.ElideRight
                }
            }
            Label {
                visible: (panel.call.proofText ?? "") !== ""
                text: qsTr("Proof")
                color: Theme.faint
                font.pixelSize: 12
            }
            Label {
                objectName: "detailProof"
                Layout.fillWidth: true
                visible: (panel.call.proofText ?? "") !== ""
                text: panel.call.proofText ?? ""
                textFormat: Text.PlainText
                font.pixelSize: 12
                color: Theme.text
                elide: Text.ElideRight
            }
            Label {
                visible: (panel.call.claimedNamespace ?? "") !== "" && (panel.call.nameSpace ?? "") === ""
                text: qsTr("Claims to be")
                color: Theme.faint
                font.pixelSize: 12
            }
            Label {
                objectName: "detailClaimed"
                Layout.fillWidth: true
                visible: (panel.call.claimedNamespace ?? "") !== "" && (panel.call.nameSpace ?? "") === ""
                text: (panel.call.claimedNamespace ?? "") + qsTr(" — caller ID not verified")
                textFormat: Text.PlainText
                font.pixelSize: 12
                color: Theme.danger
                elide: Text.ElideRight
            }
            Label { text: qsTr("Number called"); color: Theme.faint; font.pixelSize: 12 }
            Label {
                Layout.fillWidth: true
                text: (panel.call.toLabel ?? "") !== "" ? panel.call.toLabel + "  " + panel.call.toText : (panel.call.toText ?? "")
                textFormat: Text.PlainText
                font.pixelSize: 13
                color: Theme.text
                elide: Text.ElideRight
            }
            Label { text: qsTr("When"); color: Theme.faint; font.pixelSize: 12 }
            Label {
                Layout.fillWidth: true
                text: (panel.call.startedText ?? "") + ((panel.call.durationText ?? "") !== "" ? "  ·  " + panel.call.durationText : "")
                      + "  ·  " + Labels.state(panel.call.callState ?? "")
                textFormat: Text.PlainText
                font.pixelSize: 13
                color: Theme.text
                elide: Text.ElideRight
            }
        }

        // Why, in one sentence.
        Rectangle {
            Layout.fillWidth: true
            visible: panel.detail.explanation !== ""
            implicitHeight: why.implicitHeight + 24
            radius: Theme.radius
            color: Theme.decisionSoft(panel.decisionKind)
            Label {
                id: why
                objectName: "detailExplanation"
                anchors.fill: parent
                anchors.margins: 12
                text: panel.detail.explanation
                textFormat: Text.PlainText
                wrapMode: Text.WordWrap
                font.pixelSize: 14
                color: Theme.text
            }
        }

        // A screened call: what the caller said (plain text), and the deepfake hint.
        Rectangle {
            objectName: "detailConversation"
            Layout.fillWidth: true
            visible: panel.detail.found && (panel.call.screening ?? false)
            implicitHeight: conversation.implicitHeight + 24
            radius: Theme.radius
            color: Theme.surface
            border.color: Theme.border
            Accessible.role: Accessible.StaticText
            Accessible.name: qsTr("What the caller said")
            ColumnLayout {
                id: conversation
                anchors.fill: parent
                anchors.margins: 12
                spacing: 4
                Label {
                    text: qsTr("What the caller said")
                    color: Theme.faint
                    font.pixelSize: 12
                }
                Label {
                    Layout.fillWidth: true
                    visible: (panel.call.screenCallerName ?? "") !== "" || (panel.call.screenReason ?? "") !== ""
                    text: qsTr("Name: %1  ·  Reason: %2").arg(panel.call.screenCallerName ?? "").arg(panel.call.screenReason ?? "")
                    textFormat: Text.PlainText
                    wrapMode: Text.WordWrap
                    font.pixelSize: 13
                    font.bold: true
                    color: Theme.text
                }
                Label {
                    Layout.fillWidth: true
                    visible: (panel.call.screenWords ?? []).length === 0
                    text: qsTr("Nothing: the caller did not speak.")
                    textFormat: Text.PlainText
                    font.pixelSize: 13
                    font.italic: true
                    color: Theme.muted
                }
                Repeater {
                    // Each utterance as one string, "F" (final) or "I" (interim) then its
                    // text: a list of strings gives every delegate its modelData.
                    model: (panel.call.screenWords ?? []).map(w => (w.final ? "F" : "I") + w.text)
                    delegate: Label {
                        required property string modelData
                        readonly property bool said: modelData.startsWith("F")
                        objectName: "detailUtterance"
                        Layout.fillWidth: true
                        text: "“" + modelData.substring(1) + (said ? "”" : "…”")
                        textFormat: Text.PlainText
                        wrapMode: Text.WordWrap
                        font.pixelSize: 14
                        font.italic: !said
                        color: said ? Theme.text : Theme.muted
                    }
                }
                Label {
                    Layout.fillWidth: true
                    visible: (panel.call.deepfakeHint ?? "") !== ""
                    text: qsTr("Hint: %1").arg(panel.call.deepfakeHint ?? "")
                    textFormat: Text.PlainText
                    wrapMode: Text.WordWrap
                    font.pixelSize: 12
                    color: (panel.call.deepfakeSynthetic ?? false) ? Theme.danger : Theme.muted
                }
            }
        }

        RowLayout {
            Layout.fillWidth: true
            visible: panel.detail.found
            spacing: 8
            ActionButton {
                objectName: "detailAllow"
                text: panel.call.asking ? qsTr("Accept and allow always") : qsTr("Allow always")
                tint: Theme.decisionColor(CallDecision.Allowlisted)
                enabled: panel.callerIsNumber && panel.controller !== null && panel.pendingRequest === -1
                onClicked: panel.pendingRequest = panel.controller.allowAlways(panel.from, panel.call.asking ? panel.call.callId : "")
            }
            ActionButton {
                objectName: "detailBlock"
                text: panel.call.asking ? qsTr("Reject and block") : qsTr("Block")
                tint: Theme.danger
                enabled: panel.callerIsNumber && panel.controller !== null && panel.pendingRequest === -1
                onClicked: panel.pendingRequest = panel.controller.block(panel.from, panel.call.asking ? panel.call.callId : "")
            }
            Label {
                Layout.fillWidth: true
                visible: !panel.callerIsNumber
                text: qsTr("No number to allow or block: the caller ID was withheld or not a phone number.")
                textFormat: Text.PlainText
                wrapMode: Text.WordWrap
                font.pixelSize: 12
                color: Theme.faint
            }
        }
        Label {
            objectName: "detailResult"
            Layout.fillWidth: true
            visible: panel.result !== ""
            text: (panel.resultOk ? "✓ " : "✗ ") + panel.result
            textFormat: Text.PlainText
            wrapMode: Text.WordWrap
            font.pixelSize: 12
            color: panel.resultOk ? Theme.decisionColor(CallDecision.Authenticated) : Theme.danger
        }

        // The caller left a message.
        Rectangle {
            Layout.fillWidth: true
            visible: panel.voicemailId > 0
            implicitHeight: voicemailRow.implicitHeight + 20
            radius: Theme.radius
            color: "#e6eef8"
            RowLayout {
                id: voicemailRow
                anchors.fill: parent
                anchors.margins: 10
                spacing: 10
                Label {
                    text: "✉"
                    font.pixelSize: 18
                    color: "#2f6fb2"
                }
                Label {
                    Layout.fillWidth: true
                    text: qsTr("The caller left a voicemail.")
                    textFormat: Text.PlainText
                    elide: Text.ElideRight
                    font.pixelSize: 13
                    color: Theme.text
                }
                ActionButton {
                    objectName: "detailVoicemail"
                    small: true
                    tint: "#2f6fb2"
                    text: qsTr("Open the message")
                    Accessible.name: qsTr("Open the voicemail left on this call")
                    onClicked: panel.voicemailOpened(panel.voicemailId)
                }
            }
        }

        SectionTitle {
            Layout.fillWidth: true
            Layout.topMargin: 4
            text: qsTr("Timeline")
            detail: panel.detail.count === 1 ? qsTr("1 event") : qsTr("%1 events").arg(panel.detail.count)
        }

        ListView {
            id: timeline
            objectName: "detailTimeline"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: panel.detail
            boundsBehavior: Flickable.StopAtBounds
            ScrollBar.vertical: ScrollBar {}
            delegate: Item {
                id: event

                required property int index
                required property string typeText
                required property string category
                required property string actor
                required property string timeText
                required property string offsetText
                required property string summary

                width: timeline.width - 12
                implicitHeight: eventColumn.implicitHeight + 14

                // The line that joins the events, and this event's dot.
                Rectangle {
                    x: 63
                    y: event.index === 0 ? 10 : 0
                    width: 2
                    height: event.index === timeline.count - 1 ? 10 : parent.height - (event.index === 0 ? 10 : 0)
                    color: Theme.border
                }
                Rectangle {
                    x: 58
                    y: 5
                    width: 12
                    height: 12
                    radius: 6
                    color: Theme.categoryColor(event.category)
                    border.color: Theme.background
                    border.width: 2
                }
                ColumnLayout {
                    x: 0
                    width: 52
                    spacing: 0
                    Label {
                        Layout.fillWidth: true
                        horizontalAlignment: Text.AlignRight
                        text: event.timeText
                        textFormat: Text.PlainText
                        font.family: "monospace"
                        font.pixelSize: 11
                        color: Theme.muted
                    }
                    Label {
                        Layout.fillWidth: true
                        horizontalAlignment: Text.AlignRight
                        visible: text !== ""
                        text: event.offsetText
                        textFormat: Text.PlainText
                        font.family: "monospace"
                        font.pixelSize: 10
                        color: Theme.faint
                    }
                }
                ColumnLayout {
                    id: eventColumn
                    x: 82
                    width: parent.width - 82
                    spacing: 2
                    RowLayout {
                        Layout.fillWidth: true
                        spacing: 8
                        Label {
                            text: event.typeText
                            textFormat: Text.PlainText
                            font.pixelSize: 13
                            font.bold: true
                            color: Theme.text
                        }
                        Pill {
                            text: event.actor
                            tint: Theme.categoryColor(event.category)
                        }
                        Item { Layout.fillWidth: true }
                    }
                    Label {
                        Layout.fillWidth: true
                        visible: text !== ""
                        text: event.summary
                        textFormat: Text.PlainText
                        wrapMode: Text.Wrap
                        maximumLineCount: 3
                        elide: Text.ElideRight
                        font.pixelSize: 12
                        color: Theme.muted
                    }
                }
            }
        }
    }
}
