// SPDX-License-Identifier: GPL-3.0-or-later
// The dashboard window: a navigation rail (Live, History, Voicemail, Numbers, Registry, Rules, Audit, Go
// live, Stats, Settings), the status of the engine, the view of the selected page, and a drawer
// with one call's detail. Every model is given by the app as
// an initial (required) property.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import KevanTel.Ui

ApplicationWindow {
    id: root

    required property CallListModel calls
    required property CallFilterModel askingCalls
    required property CallFilterModel activeCalls
    required property CallFilterModel recentCalls
    required property HistoryModel history
    required property EventLogModel events
    required property SearchFilterModel numbers
    required property list<string> policies
    required property string defaultPolicy
    required property RuleListModel rules
    required property RegistrationListModel registrations
    required property PendingRegistrationListModel pendingRegistrations
    required property CertificateListModel certificates
    required property EngineController controller
    required property bool demo
    required property string serverUrl
    required property GoLiveController goLive
    required property StatsModel stats
    required property CallDetailModel callDetail
    required property SettingsController settings
    required property ConnectionTester tester
    required property FirstRun firstRun
    required property VoicemailModel voicemail
    required property VoicemailPlayer player

    property int page: 0

    // Opens the drawer with one call's detail (from Live and History).
    function showCall(callId) {
        root.callDetail.load(callId);
        callDrawer.open();
    }

    // Whatever Tab (or a click) gives the focus is scrolled into view, in every list and page
    // that scrolls: the focus is never on an item that cannot be seen.
    onActiveFocusItemChanged: root.reveal(root.activeFocusItem)

    function reveal(item: Item) {
        for (let p = item ? item.parent : null; p; p = p.parent) {
            const view = p as Flickable;
            if (!view || view.contentHeight <= view.height)
                continue;
            const top = item.mapToItem(view.contentItem, 0, 0).y;
            const bottom = top + item.height;
            let y = view.contentY;
            if (bottom > y + view.height)
                y = bottom - view.height;
            if (top < y)
                y = top;
            view.contentY = Math.max(view.originY,
                                     Math.min(y, view.originY + view.contentHeight - view.height));
        }
    }

    // Shows one voicemail message (from a call's detail).
    function showVoicemail(messageId) {
        callDrawer.close();
        root.page = 2;
        voicemailView.show(messageId);
    }

    readonly property var pages: [
        { title: qsTr("Live"), glyph: "●", subtitle: qsTr("Calls as they happen, and the ones that ring for you") },
        { title: qsTr("History"), glyph: "◷", subtitle: qsTr("Every call, its decision and why") },
        { title: qsTr("Voicemail"), glyph: "✉", subtitle: qsTr("Messages callers left, with their transcripts") },
        { title: qsTr("Numbers"), glyph: "#", subtitle: qsTr("Your numbers, their labels and policies") },
        { title: qsTr("Registry"), glyph: "◆", subtitle: qsTr("Callers registered to a namespace, and certificates") },
        { title: qsTr("Rules"), glyph: "⚑", subtitle: qsTr("Numbers always allowed or always blocked") },
        { title: qsTr("Audit"), glyph: "✓", subtitle: qsTr("The hash-chained event log") },
        { title: qsTr("Go live"), glyph: "⇅", subtitle: qsTr("A public address for Telnyx, and whether webhooks arrive") },
        { title: qsTr("Stats"), glyph: "▥", subtitle: qsTr("The last 30 days: calls per day, and which numbers they called") },
        { title: qsTr("Settings"), glyph: "⚙", subtitle: qsTr("Your Telnyx account, what callers get, and this computer") }
    ]

    width: 1240
    height: 780
    minimumWidth: 960
    minimumHeight: 560
    visible: true
    title: qsTr("kevan-tel")
    color: Theme.background

    Connections {
        target: root.goLive
        function onGoLiveFinished(ok, message) {
            toast.show(ok, message);
        }
    }

    Connections {
        target: root.controller
        function onActionFinished(requestId, action, ok, message) {
            toast.show(ok, message);
        }
    }

    RowLayout {
        anchors.fill: parent
        spacing: 0

        // Navigation rail
        Rectangle {
            Layout.fillHeight: true
            Layout.preferredWidth: 216
            color: Theme.nav

            ColumnLayout {
                anchors.fill: parent
                anchors.margins: 14
                spacing: 6

                RowLayout {
                    Layout.bottomMargin: 18
                    Layout.topMargin: 6
                    spacing: 10
                    Rectangle {
                        width: 38
                        height: 38
                        radius: 10
                        color: Theme.accent
                        Label {
                            anchors.centerIn: parent
                            text: "☎"
                            color: "white"
                            font.pixelSize: 22
                        }
                    }
                    ColumnLayout {
                        spacing: 0
                        Label {
                            text: "kevan-tel"
                            color: "white"
                            font.pixelSize: 18
                            font.bold: true
                        }
                        Label {
                            text: qsTr("call screening")
                            color: Theme.navText
                            font.pixelSize: 12
                        }
                    }
                }

                Repeater {
                    model: root.pages
                    delegate: ItemDelegate {
                        id: navItem

                        required property int index
                        required property var modelData

                        objectName: "nav" + modelData.title
                        Layout.fillWidth: true
                        implicitHeight: 42
                        highlighted: root.page === index
                        onClicked: root.page = index
                        // Tab reaches every page (ItemDelegate takes no focus by default);
                        // Space or Enter opens it.
                        focusPolicy: Qt.StrongFocus
                        Keys.onReturnPressed: root.page = index
                        Keys.onEnterPressed: root.page = index
                        Accessible.role: Accessible.PageTab
                        Accessible.selected: navItem.highlighted
                        Accessible.name: navItem.modelData.title
                                         + (navItem.index === 2 && root.voicemail.unreadCount > 0
                                            ? ", " + qsTr("%1 unread").arg(root.voicemail.unreadCount) : "")

                        background: Rectangle {
                            radius: 8
                            color: navItem.highlighted ? Theme.navSelected
                                                       : navItem.hovered ? Qt.rgba(1, 1, 1, 0.06) : "transparent"
                            FocusRing {
                                shown: navItem.visualFocus
                                gap: 0
                                border.color: "#a6f4c5"
                            }
                        }
                        contentItem: RowLayout {
                            spacing: 12
                            Label {
                                Layout.preferredWidth: 18
                                horizontalAlignment: Text.AlignHCenter
                                text: navItem.modelData.glyph
                                color: navItem.highlighted ? "#a6f4c5" : Theme.navText
                                font.pixelSize: 15
                            }
                            Label {
                                Layout.fillWidth: true
                                text: navItem.modelData.title
                                color: navItem.highlighted ? "white" : Theme.navText
                                font.pixelSize: 14
                                font.bold: navItem.highlighted
                            }
                            Pill {
                                readonly property int badge: navItem.index === 0
                                                             ? root.askingCalls.count + root.activeCalls.count
                                                             : navItem.index === 2 ? root.voicemail.unreadCount : 0
                                objectName: "badge" + navItem.modelData.title
                                visible: badge > 0
                                text: String(badge)
                                tint: navItem.index === 2 ? "#2f6fb2"
                                      : root.askingCalls.count > 0 ? Theme.decisionColor(CallDecision.Ask) : "#2f8f74"
                                filled: true
                                Accessible.name: navItem.index === 2 ? qsTr("%1 unread voicemail").arg(badge)
                                                                     : qsTr("%1 calls now").arg(badge)
                            }
                        }
                    }
                }

                Item { Layout.fillHeight: true }

                // Screening switch: paused = dry run, every call is forwarded.
                Rectangle {
                    Layout.fillWidth: true
                    implicitHeight: pauseColumn.implicitHeight + 20
                    radius: 8
                    color: root.controller.dryRun ? "#4a3a12" : Qt.rgba(1, 1, 1, 0.05)
                    ColumnLayout {
                        id: pauseColumn
                        anchors.fill: parent
                        anchors.margins: 10
                        spacing: 4
                        // Reached by Tab after the pages, never as the first stop: Space
                        // here pauses screening.
                        ToggleSwitch {
                            id: screeningSwitch
                            objectName: "screeningSwitch"
                            Layout.fillWidth: true
                            text: checked ? qsTr("Screening on") : qsTr("Screening paused")
                            checked: !root.controller.dryRun
                            enabled: root.controller.engineAttached
                            onToggled: root.controller.setDryRun(!checked)
                            checkedColor: "#2f8f74"
                            uncheckedColor: "#8a6a1c"
                            textColor: "white"
                            font.bold: true
                            font.pixelSize: 12 // the rail's size, not the Settings page's
                        }
                        Label {
                            Layout.fillWidth: true
                            text: root.controller.watching ? qsTr("The server screens the calls; pause it there.")
                                  : root.controller.dryRun ? qsTr("Every call is forwarded; decisions are only recorded.")
                                                           : qsTr("Unknown callers are turned away.")
                            wrapMode: Text.WordWrap
                            color: Theme.navText
                            font.pixelSize: 11
                        }
                    }
                }
            }
        }

        // Content
        ColumnLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            spacing: 0

            // Page header with the engine's status.
            Rectangle {
                Layout.fillWidth: true
                implicitHeight: 76
                color: Theme.surface
                Rectangle {
                    anchors.bottom: parent.bottom
                    width: parent.width
                    height: 1
                    color: Theme.border
                }
                RowLayout {
                    anchors.fill: parent
                    anchors.leftMargin: 28
                    anchors.rightMargin: 24
                    spacing: 10
                    ColumnLayout {
                        Layout.fillWidth: true
                        spacing: 2
                        Label {
                            Layout.fillWidth: true
                            text: root.pages[root.page].title
                            font.pixelSize: 22
                            font.bold: true
                            color: Theme.text
                        }
                        Label {
                            Layout.fillWidth: true
                            elide: Text.ElideRight
                            text: root.pages[root.page].subtitle
                            font.pixelSize: 13
                            color: Theme.muted
                        }
                    }
                    Pill {
                        visible: root.demo
                        text: qsTr("DEMO · simulated Telnyx")
                        tint: Theme.decisionColor(CallDecision.Ask)
                    }
                    Pill {
                        visible: root.controller.dryRun
                        text: qsTr("Screening paused")
                        tint: Theme.warning
                        filled: true
                    }
                    Pill {
                        objectName: "healthPill"
                        text: root.controller.watching ? qsTr("Watching a server")
                              : !root.controller.engineAttached ? qsTr("Engine stopped")
                              : root.controller.telnyxFailing ? qsTr("Telnyx failing") : qsTr("Telnyx OK")
                        tint: root.controller.watching ? Theme.decisionColor(CallDecision.Authenticated)
                              : !root.controller.engineAttached || root.controller.telnyxFailing
                              ? Theme.danger : Theme.decisionColor(CallDecision.Authenticated)
                        PlainToolTip {
                            visible: healthMouse.containsMouse && root.controller.healthMessage !== ""
                            text: root.controller.healthMessage
                        }
                        MouseArea {
                            id: healthMouse
                            anchors.fill: parent
                            hoverEnabled: true
                        }
                    }
                    Label {
                        visible: root.serverUrl !== ""
                        text: root.serverUrl + "/webhooks/telnyx"
                        textFormat: Text.PlainText
                        font.family: "monospace"
                        font.pixelSize: 11
                        color: Theme.faint
                    }
                }
            }

            StackLayout {
                id: stack
                objectName: "pages"
                Layout.fillWidth: true
                Layout.fillHeight: true
                Layout.margins: 24
                currentIndex: root.page

                LiveView {
                    askingCalls: root.askingCalls
                    activeCalls: root.activeCalls
                    recentCalls: root.recentCalls
                    controller: root.controller
                    onCallOpened: callId => root.showCall(callId)
                }
                HistoryView {
                    history: root.history
                    controller: root.controller
                    onCallOpened: callId => root.showCall(callId)
                }
                VoicemailView {
                    id: voicemailView
                    objectName: "voicemailView"
                    voicemail: root.voicemail
                    player: root.player
                    controller: root.controller
                    onCallOpened: callId => root.showCall(callId)
                }
                NumbersView {
                    numbers: root.numbers
                    policies: root.policies
                    defaultPolicy: root.defaultPolicy
                    controller: root.controller
                }
                RegistryView {
                    registrations: root.registrations
                    pendingRegistrations: root.pendingRegistrations
                    certificates: root.certificates
                    controller: root.controller
                }
                RulesView {
                    rules: root.rules
                    controller: root.controller
                }
                AuditView {
                    events: root.events
                    controller: root.controller
                }
                GoLiveView {
                    goLive: root.goLive
                }
                StatsView {
                    stats: root.stats
                }
                SettingsView {
                    settings: root.settings
                    tester: root.tester
                }
            }
        }
    }

    // One call in detail, from the right.
    Drawer {
        id: callDrawer
        objectName: "callDrawer"
        edge: Qt.RightEdge
        width: Math.min(560, root.width * 0.46)
        height: root.height
        dragMargin: 0 // opened by a click on a call, not by a drag from the edge
        onClosed: root.callDetail.clear()
        CallDetailPanel {
            anchors.fill: parent
            detail: root.callDetail
            controller: root.controller
            voicemail: root.voicemail
            onCloseRequested: callDrawer.close()
            onVoicemailOpened: messageId => root.showVoicemail(messageId)
        }
    }

    // First run (the demo, no config file yet): set up the account, or keep exploring.
    FirstRunSetup {
        objectName: "firstRunSetup"
        anchors.fill: parent
        visible: root.firstRun.active
        settings: root.settings
        tester: root.tester
        firstRun: root.firstRun
    }

    Toast {
        id: toast
        objectName: "toast"
        anchors.horizontalCenter: parent.horizontalCenter
        anchors.bottom: parent.bottom
        anchors.bottomMargin: 24
    }
}
