// SPDX-License-Identifier: GPL-3.0-or-later
// Live: calls ringing for the owner (with a countdown), calls in progress, and the recent ones.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import KevanTel.Ui

Item {
    id: live

    required property CallFilterModel askingCalls
    required property CallFilterModel activeCalls
    required property CallFilterModel recentCalls
    required property EngineController controller

    property double now: Date.now()

    // A call was clicked: show its detail.
    signal callOpened(string callId)

    Timer {
        interval: 1000
        repeat: true
        running: live.visible
        triggeredOnStart: true
        onTriggered: live.now = Date.now()
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 12

        Repeater {
            model: live.askingCalls
            delegate: AskCard {
                Layout.fillWidth: true
                Layout.rightMargin: 12
                controller: live.controller
                now: live.now
            }
        }

        SectionTitle {
            Layout.fillWidth: true
            text: qsTr("In progress")
            detail: live.activeCalls.count > 0 ? String(live.activeCalls.count) : ""
        }

        EmptyState {
            Layout.fillWidth: true
            Layout.rightMargin: 12
            visible: live.activeCalls.count === 0 && live.askingCalls.count === 0
            title: qsTr("No calls right now")
            detail: qsTr("Calls to your numbers appear here the moment Telnyx sends them.")
        }

        Repeater {
            model: live.activeCalls
            delegate: CallRow {
                id: activeRow
                Layout.fillWidth: true
                Layout.rightMargin: 12
                controller: live.controller
                now: live.now
                onOpened: live.callOpened(activeRow.callId)
            }
        }

        SectionTitle {
            Layout.fillWidth: true
            Layout.topMargin: 8
            text: qsTr("Recent calls")
            detail: live.recentCalls.count > 0 ? String(live.recentCalls.count) : ""
        }

        ListView {
            id: recent
            objectName: "recentList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.minimumHeight: 120
            clip: true
            spacing: 8
            model: live.recentCalls
            boundsBehavior: Flickable.StopAtBounds
            ScrollBar.vertical: ScrollBar {}
            // One Tab stop, its rows by Up and Down (CallRow).
            activeFocusOnTab: recent.count > 0
            keyNavigationEnabled: true
            Accessible.role: Accessible.List
            Accessible.name: qsTr("Recent calls")
            delegate: CallRow {
                id: recentRow
                width: recent.width - 12
                controller: live.controller
                now: live.now
                onOpened: live.callOpened(recentRow.callId)
            }
            Label {
                anchors.centerIn: parent
                visible: recent.count === 0
                text: qsTr("No calls yet.")
                color: Theme.faint
            }
        }
    }
}
