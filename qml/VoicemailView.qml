// SPDX-License-Identifier: GPL-3.0-or-later
// Voicemail: the messages callers left, unread first, then the newest; the selected one in
// detail with its transcript, a player (play/pause and a position slider), mark heard, export
// and delete. Where the computer cannot play audio the view says so and the rest works. The
// caller's number, namespace and words are hostile: plain text only, elided, bounded by the
// model.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import KevanTel.Ui

Item {
    id: view

    required property VoicemailModel voicemail
    required property VoicemailPlayer player
    property EngineController controller: null

    // The selected message (0: none) and its roles (VoicemailModel::message).
    property real selectedId: 0
    property int revision: 0
    readonly property var current: view.messageFor(view.selectedId, view.revision)
    readonly property bool hasCurrent: view.current.messageId !== undefined
    property int pendingRequest: -1
    property string result
    property bool resultOk: true

    // "Open the call" was asked: show the call's detail.
    signal callOpened(string callId)

    function messageFor(id, revision) {
        return id > 0 && revision >= 0 ? view.voicemail.message(id) : ({});
    }

    // Selects message `id` (from the History detail's link).
    function show(id) {
        view.selectedId = id;
        const row = view.voicemail.rowOf(id);
        if (row >= 0) {
            list.currentIndex = row;
            list.positionViewAtIndex(row, ListView.Contain);
        }
        list.forceActiveFocus();
    }

    // The message `step` rows below (or above) the selected one, by the keyboard.
    function move(step) {
        const row = Math.max(0, Math.min(view.voicemail.count - 1, view.voicemail.rowOf(view.selectedId) + step));
        if (row >= 0 && row < view.voicemail.count)
            view.show(view.voicemail.value(row, "messageId"));
    }

    function say(ok, message) {
        view.resultOk = ok;
        view.result = message;
    }

    function markHeard() {
        if (view.hasCurrent && !view.current.heard && view.controller !== null)
            view.pendingRequest = view.controller.markVoicemailHeard(view.selectedId);
    }

    function togglePlay() {
        if (!view.player.available || !view.current.playable)
            return;
        if (!view.player.playing)
            view.markHeard(); // listening is hearing it
        view.player.toggle();
    }

    onSelectedIdChanged: view.result = ""

    Connections {
        target: view.voicemail
        function onRefreshed() {
            view.revision++;
            if (view.selectedId === 0 && view.voicemail.count > 0)
                view.selectedId = view.voicemail.value(0, "messageId");
            list.currentIndex = view.voicemail.rowOf(view.selectedId);
        }
    }
    Connections {
        target: view.controller
        function onActionFinished(requestId, action, ok, message) {
            if (requestId !== view.pendingRequest)
                return;
            view.pendingRequest = -1;
            view.say(ok, message);
        }
    }
    // The player follows the selection; a message without audio leaves it empty.
    Binding {
        target: view.player
        property: "source"
        value: view.hasCurrent && view.current.playable ? view.current.fileUrl : ""
    }

    Component.onCompleted: {
        if (view.voicemail.count > 0)
            view.show(view.voicemail.value(0, "messageId"));
    }

    FileDialog {
        id: exportDialog
        title: qsTr("Export the voicemail")
        fileMode: FileDialog.SaveFile
        nameFilters: [qsTr("Audio (*.wav *.mp3)"), qsTr("All files (*)")]
        onAccepted: {
            const error = view.voicemail.exportTo(view.selectedId, exportDialog.selectedFile);
            view.say(error === "", error === "" ? qsTr("Exported to %1").arg(String(exportDialog.selectedFile).replace(/^file:\/\//, ""))
                                                : error);
        }
    }

    Dialog {
        id: deleteDialog
        objectName: "deleteDialog"
        anchors.centerIn: parent
        width: Math.min(440, view.width)
        modal: true
        title: qsTr("Delete this voicemail?")
        standardButtons: Dialog.Ok | Dialog.Cancel
        Column {
            spacing: 10
            Label {
                width: 392
                text: qsTr("The audio and the transcript of the message from %1 are deleted from this computer. The event log keeps that there was a message, and when it was deleted.")
                      .arg(view.current.fromText ?? "")
                textFormat: Text.PlainText
                wrapMode: Text.WordWrap
            }
            CheckBox {
                id: deleteOnTelnyx
                objectName: "deleteOnTelnyx"
                visible: view.controller !== null && view.controller.canDeleteOnTelnyx()
                text: qsTr("Also delete the recording on Telnyx")
                Accessible.name: text
            }
        }
        onAboutToShow: deleteOnTelnyx.checked = false
        onAccepted: {
            view.player.stop();
            if (view.controller !== null)
                view.pendingRequest = view.controller.deleteVoicemail(view.selectedId,
                                                                      deleteOnTelnyx.visible && deleteOnTelnyx.checked);
        }
    }

    RowLayout {
        anchors.fill: parent
        spacing: 16

        // The messages.
        ColumnLayout {
            Layout.fillHeight: true
            Layout.preferredWidth: 380
            Layout.maximumWidth: 440
            spacing: 12

            SectionTitle {
                Layout.fillWidth: true
                text: qsTr("Messages")
                detail: (view.voicemail.unreadCount > 0 ? qsTr("%1 unread · ").arg(view.voicemail.unreadCount) : "")
                        + view.voicemail.count
                        + (view.voicemail.errorString !== "" ? "  ·  " + view.voicemail.errorString : "")
            }

            ListView {
                id: list
                objectName: "voicemailList"
                Layout.fillWidth: true
                Layout.fillHeight: true
                clip: true
                spacing: 8
                model: view.voicemail
                focus: true
                // The selection is the message id: a refresh may reorder the rows (a message
                // heard moves down), so keys and clicks select by id, not by row.
                keyNavigationEnabled: false
                activeFocusOnTab: list.count > 0 // an empty list has nothing to select
                boundsBehavior: Flickable.StopAtBounds
                highlightFollowsCurrentItem: false
                ScrollBar.vertical: ScrollBar {}
                Accessible.role: Accessible.List
                Accessible.name: qsTr("Voicemail messages")
                Keys.onUpPressed: view.move(-1)
                Keys.onDownPressed: view.move(1)
                Keys.onSpacePressed: view.togglePlay()

                delegate: ItemDelegate {
                    id: row

                    required property real messageId
                    required property string fromText
                    required property string nameSpace
                    required property string toText
                    required property string toLabel
                    required property string timeText
                    required property string durationText
                    required property string transcript
                    required property int stateKind
                    required property string stateText
                    required property bool unread

                    readonly property bool selected: view.selectedId === row.messageId

                    width: list.width - 12
                    padding: 11
                    focusPolicy: Qt.NoFocus
                    Accessible.name: (row.unread ? qsTr("Unread. ") : "") + qsTr("Voicemail from %1, %2").arg(row.fromText).arg(row.timeText)
                    onClicked: view.show(row.messageId)

                    background: Rectangle {
                        radius: Theme.radius
                        color: row.selected ? Theme.accentSoft : Theme.surface
                        border.width: 1
                        border.color: row.selected ? Theme.accent : Theme.border
                        // The list's focus shows on the selected message, in the list's green.
                        FocusRing {
                            shown: row.selected && list.activeFocus
                            gap: 0
                            radius: Theme.radius
                            border.color: Theme.accent
                        }
                    }
                    contentItem: RowLayout {
                        spacing: 10
                        Rectangle {
                            Layout.alignment: Qt.AlignTop
                            Layout.topMargin: 6
                            width: 9
                            height: 9
                            radius: 5
                            color: row.unread ? Theme.accent : "transparent"
                        }
                        ColumnLayout {
                            Layout.fillWidth: true
                            spacing: 3
                            RowLayout {
                                Layout.fillWidth: true
                                spacing: 8
                                Label {
                                    Layout.fillWidth: true
                                    text: row.fromText
                                    textFormat: Text.PlainText
                                    elide: Text.ElideRight
                                    font.pixelSize: 15
                                    font.bold: row.unread
                                    color: Theme.text
                                }
                                Label {
                                    text: row.timeText
                                    textFormat: Text.PlainText
                                    font.pixelSize: 12
                                    color: Theme.muted
                                }
                            }
                            RowLayout {
                                Layout.fillWidth: true
                                spacing: 6
                                Pill {
                                    visible: row.nameSpace !== ""
                                    Layout.maximumWidth: 150
                                    text: row.nameSpace
                                    tint: Theme.decisionColor(CallDecision.Authenticated)
                                }
                                Label {
                                    Layout.fillWidth: true
                                    text: {
                                        const to = row.toLabel !== "" ? row.toLabel : row.toText;
                                        return (to !== "" ? qsTr("to %1").arg(to) : "")
                                                + (to !== "" && row.durationText !== "" ? "  ·  " : "")
                                                + row.durationText;
                                    }
                                    textFormat: Text.PlainText
                                    elide: Text.ElideRight
                                    font.pixelSize: 12
                                    color: Theme.muted
                                }
                                Pill {
                                    visible: row.stateKind !== VoicemailState.Downloaded
                                    text: row.stateKind === VoicemailState.Failed ? qsTr("failed")
                                          : row.stateKind === VoicemailState.Deleted ? qsTr("deleted")
                                          : row.stateKind === VoicemailState.Waiting ? qsTr("waiting") : qsTr("downloading")
                                    tint: row.stateKind === VoicemailState.Failed ? Theme.danger
                                          : row.stateKind === VoicemailState.Deleted ? Theme.faint : Theme.warning
                                }
                            }
                            Label {
                                Layout.fillWidth: true
                                visible: text !== ""
                                text: row.transcript !== "" ? row.transcript
                                      : row.stateKind === VoicemailState.Failed ? row.stateText : ""
                                textFormat: Text.PlainText
                                elide: Text.ElideRight
                                maximumLineCount: 1
                                font.pixelSize: 12
                                font.italic: row.transcript === ""
                                color: row.transcript !== "" ? Theme.muted : Theme.danger
                            }
                        }
                    }
                }

                EmptyState {
                    anchors.top: parent.top
                    width: parent.width - 12
                    visible: list.count === 0
                    title: qsTr("No voicemail")
                    detail: qsTr("A caller turned away can leave a message; it appears here with its transcript.")
                }
            }
        }

        // The selected message.
        Card {
            Layout.fillWidth: true
            Layout.fillHeight: true

            Label {
                anchors.centerIn: parent
                visible: !view.hasCurrent
                text: qsTr("Select a message")
                color: Theme.faint
                font.pixelSize: 15
            }

            ColumnLayout {
                anchors.fill: parent
                anchors.margins: 20
                spacing: 14
                visible: view.hasCurrent

                ColumnLayout {
                    Layout.fillWidth: true
                    spacing: 2
                    Label {
                        objectName: "voicemailCaller"
                        Layout.fillWidth: true
                        text: view.current.fromText ?? ""
                        textFormat: Text.PlainText
                        elide: Text.ElideRight
                        font.pixelSize: 22
                        font.bold: true
                        color: Theme.text
                    }
                    Label {
                        Layout.fillWidth: true
                        visible: (view.current.nameSpace ?? "") !== ""
                        text: qsTr("claims %1").arg(view.current.nameSpace ?? "")
                        textFormat: Text.PlainText
                        elide: Text.ElideRight
                        font.pixelSize: 14
                        font.bold: true
                        color: Theme.decisionColor(CallDecision.Authenticated)
                    }
                }

                GridLayout {
                    Layout.fillWidth: true
                    columns: 2
                    columnSpacing: 14
                    rowSpacing: 6
                    Label { text: qsTr("Number called"); color: Theme.faint; font.pixelSize: 12 }
                    Label {
                        Layout.fillWidth: true
                        text: (view.current.toLabel ?? "") !== "" ? view.current.toLabel + "  " + view.current.toText
                                                                  : (view.current.toText ?? "")
                        textFormat: Text.PlainText
                        elide: Text.ElideRight
                        font.pixelSize: 13
                        color: Theme.text
                    }
                    Label { text: qsTr("Received"); color: Theme.faint; font.pixelSize: 12 }
                    Label {
                        Layout.fillWidth: true
                        text: (view.current.timeText ?? "")
                              + ((view.current.durationText ?? "") !== "" ? "  ·  " + qsTr("%1 long").arg(view.current.durationText) : "")
                        textFormat: Text.PlainText
                        elide: Text.ElideRight
                        font.pixelSize: 13
                        color: Theme.text
                    }
                    Label { text: qsTr("Audio"); color: Theme.faint; font.pixelSize: 12 }
                    Label {
                        objectName: "voicemailState"
                        Layout.fillWidth: true
                        text: view.current.stateText ?? ""
                        textFormat: Text.PlainText
                        elide: Text.ElideRight
                        font.pixelSize: 13
                        color: view.current.stateKind === VoicemailState.Failed ? Theme.danger : Theme.text
                    }
                }

                // The player.
                Rectangle {
                    Layout.fillWidth: true
                    implicitHeight: 56
                    radius: Theme.radius
                    color: Theme.background
                    visible: view.current.playable ?? false

                    RowLayout {
                        anchors.fill: parent
                        anchors.leftMargin: 10
                        anchors.rightMargin: 14
                        spacing: 10
                        visible: view.player.available

                        RoundButton {
                            id: playButton
                            objectName: "voicemailPlay"
                            implicitWidth: 40
                            implicitHeight: 40
                            text: view.player.playing ? "❚❚" : "▶"
                            font.pixelSize: 14
                            Accessible.name: view.player.playing ? qsTr("Pause") : qsTr("Play")
                            onClicked: view.togglePlay()
                            background: Rectangle {
                                radius: 20
                                color: playButton.down ? Qt.darker(Theme.accent, 1.2) : Theme.accent
                                FocusRing {
                                    shown: playButton.visualFocus
                                    radius: 23
                                }
                            }
                            contentItem: Label {
                                text: playButton.text
                                font: playButton.font
                                color: "white"
                                horizontalAlignment: Text.AlignHCenter
                                verticalAlignment: Text.AlignVCenter
                            }
                        }
                        Slider {
                            id: positionSlider
                            objectName: "voicemailPosition"
                            Layout.fillWidth: true
                            from: 0
                            to: Math.max(1, view.player.duration)
                            value: view.player.position
                            stepSize: 1000
                            Accessible.name: qsTr("Position in the message")
                            onMoved: view.player.seek(positionSlider.value)
                        }
                        Label {
                            text: view.player.timeText(view.player.position) + " / "
                                  + view.player.timeText(view.player.duration > 0 ? view.player.duration : (view.current.durationMs ?? 0))
                            textFormat: Text.PlainText
                            font.family: "monospace"
                            font.pixelSize: 12
                            color: Theme.muted
                        }
                    }
                    Label {
                        objectName: "voicemailUnavailable"
                        anchors.fill: parent
                        anchors.margins: 12
                        visible: !view.player.available
                        text: view.player.unavailableReason + " " + qsTr("Export the message to listen to it elsewhere.")
                        textFormat: Text.PlainText
                        wrapMode: Text.WordWrap
                        verticalAlignment: Text.AlignVCenter
                        font.pixelSize: 13
                        color: Theme.muted
                    }
                }
                Label {
                    Layout.fillWidth: true
                    visible: view.player.errorString !== "" && (view.current.playable ?? false)
                    text: qsTr("Cannot play: %1").arg(view.player.errorString)
                    textFormat: Text.PlainText
                    wrapMode: Text.WordWrap
                    font.pixelSize: 12
                    color: Theme.danger
                }

                SectionTitle {
                    Layout.fillWidth: true
                    text: qsTr("Transcript")
                }
                ScrollView {
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    Layout.minimumHeight: 60
                    contentWidth: availableWidth
                    clip: true
                    TextArea {
                        objectName: "voicemailTranscript"
                        readOnly: true
                        selectByMouse: true
                        wrapMode: TextEdit.Wrap
                        textFormat: TextEdit.PlainText
                        text: (view.current.transcript ?? "") !== "" ? view.current.transcript
                              : view.current.stateKind === VoicemailState.Deleted ? qsTr("Deleted with the audio.")
                              : qsTr("No transcript (yet).")
                        color: (view.current.transcript ?? "") !== "" ? Theme.text : Theme.faint
                        font.pixelSize: 14
                        Accessible.name: qsTr("Transcript")
                        background: Rectangle {
                            radius: 8
                            color: "#fafbfa"
                            border.color: Theme.border
                        }
                    }
                }

                RowLayout {
                    Layout.fillWidth: true
                    spacing: 8
                    ActionButton {
                        objectName: "voicemailHeard"
                        text: qsTr("Mark heard")
                        enabled: view.hasCurrent && !view.current.heard && view.current.stateKind !== VoicemailState.Deleted
                                 && view.controller !== null && view.pendingRequest === -1
                        Accessible.name: qsTr("Mark the message heard")
                        onClicked: view.markHeard()
                    }
                    ActionButton {
                        objectName: "voicemailExport"
                        text: qsTr("Export…")
                        filled: false
                        enabled: view.current.playable ?? false
                        Accessible.name: qsTr("Export the audio to a file")
                        onClicked: {
                            exportDialog.selectedFile = view.voicemail.suggestedFileName(view.selectedId);
                            exportDialog.open();
                        }
                    }
                    ActionButton {
                        objectName: "voicemailDelete"
                        text: qsTr("Delete…")
                        filled: false
                        tint: Theme.danger
                        enabled: view.hasCurrent && view.current.stateKind !== VoicemailState.Deleted && view.controller !== null
                                 && view.pendingRequest === -1
                        Accessible.name: qsTr("Delete the message")
                        onClicked: deleteDialog.open()
                    }
                    Item { Layout.fillWidth: true }
                    ActionButton {
                        objectName: "voicemailCall"
                        text: qsTr("Open the call")
                        filled: false
                        visible: view.current.callKnown ?? false
                        Accessible.name: qsTr("Open the call this message was left on")
                        onClicked: view.callOpened(view.current.callId)
                    }
                }
                Label {
                    objectName: "voicemailResult"
                    Layout.fillWidth: true
                    visible: view.result !== ""
                    text: (view.resultOk ? "✓ " : "✗ ") + view.result
                    textFormat: Text.PlainText
                    wrapMode: Text.WordWrap
                    font.pixelSize: 12
                    color: view.resultOk ? Theme.decisionColor(CallDecision.Authenticated) : Theme.danger
                }
            }
        }
    }
}
