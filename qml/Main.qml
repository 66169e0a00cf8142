// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

ApplicationWindow {
    id: root

    required property var calls
    required property bool demo
    required property string serverUrl

    width: 960
    height: 640
    visible: true
    title: qsTr("kevan-tel")
    color: "#f5f7f6"

    function decisionColor(decision) {
        switch (decision) {
        case "authenticated": return "#1f8a4c";
        case "allowlisted": return "#2f6fb2";
        case "blocked": return "#b3261e";
        case "rejected": return "#c25e00";
        case "ask": return "#7a4cc2";
        default: return "#6b6b6b";
        }
    }

    header: ToolBar {
        background: Rectangle { color: "#1f6f5c" }
        RowLayout {
            anchors.fill: parent
            anchors.leftMargin: 16
            anchors.rightMargin: 16
            Label {
                text: "kevan-tel"
                color: "white"
                font.pixelSize: 20
                font.bold: true
            }
            Label {
                visible: root.demo
                text: qsTr("DEMO — simulated Telnyx")
                color: "#1f6f5c"
                padding: 4
                background: Rectangle { color: "#a6f4c5"; radius: 4 }
            }
            Item { Layout.fillWidth: true }
            Label {
                text: qsTr("webhooks: %1/webhooks/telnyx").arg(root.serverUrl)
                color: "#d9f2ea"
            }
        }
    }

    ListView {
        id: list
        anchors.fill: parent
        anchors.margins: 12
        spacing: 6
        clip: true
        model: root.calls
        header: Label {
            text: list.count === 0 ? qsTr("No calls yet.") : qsTr("Calls")
            font.pixelSize: 16
            bottomPadding: 8
        }
        delegate: Rectangle {
            id: row
            required property string from
            required property string callerName
            required property string to
            required property string decision
            required property string reason
            required property string nameSpace
            required property string callState
            required property string startedAt
            required property bool active

            width: ListView.view.width
            height: 56
            radius: 8
            color: "white"
            border.color: row.active ? "#1f6f5c" : "#e0e4e2"

            RowLayout {
                anchors.fill: parent
                anchors.margins: 10
                spacing: 12
                Rectangle {
                    Layout.preferredWidth: 110
                    Layout.preferredHeight: 26
                    radius: 13
                    color: root.decisionColor(row.decision)
                    Label {
                        anchors.centerIn: parent
                        text: row.decision === "" ? qsTr("deciding") : row.decision
                        color: "white"
                        font.bold: true
                    }
                }
                ColumnLayout {
                    Layout.fillWidth: true
                    spacing: 2
                    Label {
                        text: row.nameSpace !== "" ? row.from + "  ·  " + row.nameSpace
                                                   : row.from + "  ·  " + row.callerName
                        font.pixelSize: 15
                        elide: Text.ElideRight
                        Layout.fillWidth: true
                        textFormat: Text.PlainText
                    }
                    Label {
                        text: qsTr("to %1 — %2").arg(row.to).arg(row.reason)
                        color: "#5c6360"
                        elide: Text.ElideRight
                        Layout.fillWidth: true
                        textFormat: Text.PlainText
                    }
                }
                Label {
                    text: row.callState
                    color: row.active ? "#1f6f5c" : "#8a918e"
                    font.bold: row.active
                }
                Label {
                    text: row.startedAt.substring(11, 19)
                    color: "#8a918e"
                }
            }
        }
    }
}
