// SPDX-License-Identifier: GPL-3.0-or-later
// A call that waits for the owner: it rings (policy "ask"), or it is screened (policy "screen":
// answered, and the caller's words appear as they are spoken, interim text greyed and replaced
// by the final text). Who calls, which number, Telnyx's flags, the claimed namespace, how long
// is left, the deepfake hint, and the decisions; the first card also answers Ctrl+Shift+A
// (accept), Ctrl+Shift+R (reject) and Ctrl+Shift+V (voicemail). Every caller-controlled text is
// shown as plain text.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import KevanTel.Ui

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
    required property int index
    required property var flags
    required property bool screening
    required property var screenWords
    required property string screenCallerName
    required property string screenReason
    required property string deepfakeHint
    required property bool deepfakeSynthetic

    property var controller: null
    property double now: Date.now()
    readonly property double remainingMs: Math.max(0, card.askDeadlineMs - card.now)
    readonly property double totalMs: Math.max(1, card.askDeadlineMs - card.decidedAtMs)
    readonly property bool callerIsNumber: card.from.startsWith("+")
    readonly property color tint: Theme.decisionColor(CallDecision.Ask)
    // Only the first card answers the shortcuts, so that one key press decides one call.
    readonly property bool primary: card.index === 0
    readonly property string spokenCaller: card.screenCallerName !== "" ? card.screenCallerName : card.fromText

    implicitHeight: Math.max(150, row.implicitHeight + 36)
    radius: 14
    color: "#f7f3fd"
    border.color: card.tint
    border.width: 2

    Accessible.role: Accessible.Grouping
    Accessible.name: card.screening ? qsTr("Screened call from %1").arg(card.fromText)
                                    : qsTr("Call ringing for you from %1").arg(card.fromText)
    Accessible.description: qsTr("%1 seconds left").arg(Math.ceil(card.remainingMs / 1000))

    // A button of the card, with a ring that shows keyboard focus.
    component CardButton: ActionButton {
        id: cardButton
        property string shortcutText: ""
        Accessible.role: Accessible.Button
        Accessible.name: cardButton.text
        Accessible.description: cardButton.shortcutText
        activeFocusOnTab: true
        Rectangle {
            anchors.fill: parent
            anchors.margins: -3
            radius: 9
            color: "transparent"
            border.width: Theme.focusRingWidth
            border.color: Theme.focusRing
            visible: cardButton.visualFocus
        }
    }

    Shortcut {
        sequence: "Ctrl+Shift+A"
        enabled: card.primary && card.controller !== null
        onActivated: card.controller.accept(card.callId)
    }
    Shortcut {
        sequence: "Ctrl+Shift+R"
        enabled: card.primary && card.controller !== null
        onActivated: card.controller.reject(card.callId)
    }
    Shortcut {
        sequence: "Ctrl+Shift+V"
        enabled: card.primary && card.controller !== null
        onActivated: card.controller.sendToVoicemail(card.callId)
    }

    RowLayout {
        id: row
        anchors.fill: parent
        anchors.margins: 18
        spacing: 20

        // The countdown, as a ring of seconds.
        Item {
            Layout.preferredWidth: 96
            Layout.preferredHeight: 96
            Layout.alignment: Qt.AlignTop
            Accessible.role: Accessible.StaticText
            Accessible.name: qsTr("%1 seconds left to decide").arg(Math.ceil(card.remainingMs / 1000))
            Canvas {
                id: ring
                anchors.fill: parent
                property real fraction: card.remainingMs / card.totalMs
                onFractionChanged: requestPaint()
                // A card laid out after it was created (a screened call whose card appears above
                // the others) is painted again at its real size.
                onAvailableChanged: requestPaint()
                onWidthChanged: requestPaint()
                onHeightChanged: requestPaint()
                onPaint: {
                    const ctx = getContext("2d");
                    ctx.reset();
                    if (width <= 12 || height <= 12)
                        return; // not laid out yet: an arc of negative radius throws
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
                text: card.screening ? qsTr("SCREENING · THE CALLER IS TALKING TO THE ASSISTANT")
                                     : qsTr("RINGING FOR YOU")
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
            // Telnyx's flags on the call (spam_likely, attestation_failed, ...).
            Flow {
                Layout.fillWidth: true
                spacing: 6
                visible: flagRepeater.count > 0
                Repeater {
                    id: flagRepeater
                    model: (card.flags ?? []).filter(f => f !== "registered" && f !== "dry_run")
                    delegate: Pill {
                        required property string modelData
                        text: modelData.replace(/_/g, " ")
                        tint: Theme.warning
                    }
                }
            }
            // The AI gather's fields.
            Label {
                objectName: "screenFields"
                Layout.fillWidth: true
                visible: card.screening && (card.screenCallerName !== "" || card.screenReason !== "")
                text: (card.screenCallerName !== "" ? qsTr("Name: %1").arg(card.screenCallerName) : "")
                      + (card.screenCallerName !== "" && card.screenReason !== "" ? "  ·  " : "")
                      + (card.screenReason !== "" ? qsTr("Reason: %1").arg(card.screenReason) : "")
                textFormat: Text.PlainText
                font.pixelSize: 14
                font.bold: true
                color: Theme.text
                wrapMode: Text.Wrap
            }
            // The caller's words as they are spoken.
            Rectangle {
                objectName: "screenWords"
                Layout.fillWidth: true
                Layout.topMargin: 4
                visible: card.screening
                implicitHeight: words.implicitHeight + 20
                radius: 8
                color: "white"
                border.color: "#e2d6f5"
                Accessible.role: Accessible.StaticText
                Accessible.name: qsTr("What the caller says")
                Accessible.description: wordsText.text

                Column {
                    id: words
                    anchors.fill: parent
                    anchors.margins: 10
                    spacing: 4
                    Label {
                        objectName: "screenWaiting"
                        width: parent.width
                        visible: (card.screenWords ?? []).length === 0
                        text: qsTr("Listening… the caller's words appear here as they speak.")
                        textFormat: Text.PlainText
                        font.pixelSize: 14
                        font.italic: true
                        color: Theme.faint
                        wrapMode: Text.Wrap
                    }
                    Repeater {
                        // Each utterance as one string, "F" (final) or "I" (interim) then its text: a list of
                        // strings gives every delegate its modelData.
                        model: (card.screenWords ?? []).map(w => (w.final ? "F" : "I") + w.text)
                        delegate: Label {
                            required property string modelData
                            readonly property bool said: modelData.startsWith("F")
                            objectName: said ? "screenFinal" : "screenInterim"
                            width: parent?.width ?? 0
                            text: modelData.substring(1)
                            textFormat: Text.PlainText
                            font.pixelSize: 15
                            font.italic: !said
                            color: said ? Theme.text : Theme.faint
                            wrapMode: Text.Wrap
                        }
                    }
                }
                // The same words as one text, for screen readers.
                Text {
                    id: wordsText
                    visible: false
                    text: (card.screenWords ?? []).map(w => w.text).join(" ")
                    textFormat: Text.PlainText
                }
            }
            Label {
                objectName: "deepfakeHint"
                Layout.fillWidth: true
                visible: card.deepfakeHint !== ""
                text: "⚠ " + qsTr("Hint: %1. Telnyx's guess, not a verdict.").arg(card.deepfakeHint)
                textFormat: Text.PlainText
                font.pixelSize: 13
                font.bold: card.deepfakeSynthetic
                color: card.deepfakeSynthetic ? Theme.danger : Theme.muted
                wrapMode: Text.Wrap
                Accessible.role: Accessible.StaticText
                Accessible.name: text
            }
        }

        GridLayout {
            Layout.alignment: Qt.AlignTop
            Layout.minimumWidth: 230 // long words must not squeeze the buttons' names
            columns: 2
            rowSpacing: 8
            columnSpacing: 8
            CardButton {
                objectName: "acceptButton"
                Layout.fillWidth: true
                shortcutText: card.primary ? qsTr("Ctrl+Shift+A") : ""
                text: qsTr("Accept")
                tint: Theme.decisionColor(CallDecision.Authenticated)
                enabled: card.controller !== null
                onClicked: card.controller.accept(card.callId)
            }
            CardButton {
                objectName: "rejectButton"
                Layout.fillWidth: true
                shortcutText: card.primary ? qsTr("Ctrl+Shift+R") : ""
                text: qsTr("Reject")
                tint: Theme.danger
                enabled: card.controller !== null
                onClicked: card.controller.reject(card.callId)
            }
            CardButton {
                Layout.fillWidth: true
                Layout.columnSpan: 2
                objectName: "voicemailButton"
                shortcutText: card.primary ? qsTr("Ctrl+Shift+V") : ""
                filled: false
                text: qsTr("Voicemail")
                tint: Theme.accent
                enabled: card.controller !== null
                onClicked: card.controller.sendToVoicemail(card.callId)
            }
            CardButton {
                objectName: "allowButton"
                Layout.fillWidth: true
                filled: false
                text: qsTr("Allow always")
                tint: Theme.decisionColor(CallDecision.Allowlisted)
                enabled: card.callerIsNumber && card.controller !== null
                onClicked: card.controller.allowAlways(card.from, card.callId)
            }
            CardButton {
                objectName: "blockButton"
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
