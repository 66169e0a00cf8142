// SPDX-License-Identifier: GPL-3.0-or-later
// Go live: Telnyx must reach the local webhook server through a public https address. A
// cloudflared quick tunnel gives one (when cloudflared is installed); "Go live" sets that
// address, or any other (your own tunnel or reverse proxy), as the webhook URL of the Telnyx
// Call Control Application, and optionally a second instance's address as its failover URL.
// Below, when the last webhook arrived, and the warning when Telnyx has gone quiet.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import KevanTel.Ui

Item {
    id: view

    required property GoLiveController goLive

    readonly property color tunnelTint: {
        switch (view.goLive.tunnelStateKind) {
        case TunnelState.Running: return Theme.decisionColor(CallDecision.Authenticated);
        case TunnelState.Starting: return Theme.warning;
        case TunnelState.Failed: return Theme.danger;
        default: return Theme.muted;
        }
    }

    ScrollView {
        anchors.fill: parent
        contentWidth: availableWidth
        clip: true

        ColumnLayout {
            width: parent.width
            spacing: 12

            // The quiet warning first: it is the one thing that needs the owner.
            Rectangle {
                objectName: "quietWarning"
                Layout.fillWidth: true
                visible: view.goLive.quiet
                implicitHeight: quietLabel.implicitHeight + 24
                radius: Theme.radius
                color: "#fbeede"
                border.color: Theme.warning
                Label {
                    id: quietLabel
                    anchors.fill: parent
                    anchors.margins: 12
                    text: view.goLive.quietMessage
                    textFormat: Text.PlainText
                    wrapMode: Text.WordWrap
                    color: Theme.warning
                    font.bold: true
                }
            }

            SectionTitle {
                Layout.fillWidth: true
                text: qsTr("Your webhook server")
            }
            Card {
                Layout.fillWidth: true
                implicitHeight: localColumn.implicitHeight + 24
                ColumnLayout {
                    id: localColumn
                    anchors.fill: parent
                    anchors.margins: 12
                    spacing: 6
                    Label {
                        objectName: "localUrl"
                        Layout.fillWidth: true
                        text: view.goLive.localUrl !== "" ? view.goLive.localUrl : qsTr("not listening")
                        textFormat: Text.PlainText
                        font.family: "monospace"
                        font.pixelSize: 14
                        color: Theme.text
                    }
                    Label {
                        Layout.fillWidth: true
                        text: qsTr("Telnyx sends webhooks to a public https address only. A tunnel "
                                   + "(or your reverse proxy) forwards that address to this one.")
                        wrapMode: Text.WordWrap
                        font.pixelSize: 12
                        color: Theme.muted
                    }
                    RowLayout {
                        spacing: 8
                        Label {
                            text: qsTr("Last webhook:")
                            font.pixelSize: 13
                            color: Theme.muted
                        }
                        Label {
                            objectName: "lastWebhook"
                            text: view.goLive.lastWebhookText
                            textFormat: Text.PlainText
                            font.pixelSize: 13
                            font.bold: true
                            color: view.goLive.quiet ? Theme.warning : Theme.text
                        }
                    }
                }
            }

            // Several instances on one PostgreSQL database (a primary and a failover): which
            // of them Telnyx reaches, by each one's last webhook.
            SectionTitle {
                Layout.fillWidth: true
                visible: view.goLive.instances.length > 0
                text: qsTr("Instances on this database")
                detail: String(view.goLive.instances.length)
            }
            Card {
                objectName: "instances"
                Layout.fillWidth: true
                visible: view.goLive.instances.length > 0
                implicitHeight: instanceColumn.implicitHeight + 24
                ColumnLayout {
                    id: instanceColumn
                    anchors.fill: parent
                    anchors.margins: 12
                    spacing: 6
                    Repeater {
                        model: view.goLive.instances
                        delegate: RowLayout {
                            id: instanceRow
                            required property var modelData
                            Layout.fillWidth: true
                            spacing: 8
                            Label {
                                Layout.fillWidth: true
                                text: instanceRow.modelData.name
                                textFormat: Text.PlainText
                                font.family: "monospace"
                                font.pixelSize: 13
                                elide: Text.ElideMiddle
                                color: Theme.text
                            }
                            Label {
                                text: qsTr("last webhook %1").arg(instanceRow.modelData.lastWebhookText)
                                textFormat: Text.PlainText
                                font.pixelSize: 13
                                color: Theme.muted
                            }
                        }
                    }
                }
            }

            SectionTitle {
                Layout.fillWidth: true
                text: qsTr("Quick tunnel")
                detail: qsTr("cloudflared, no account needed; a new address on every start")
            }
            Card {
                Layout.fillWidth: true
                implicitHeight: tunnelColumn.implicitHeight + 24
                ColumnLayout {
                    id: tunnelColumn
                    anchors.fill: parent
                    anchors.margins: 12
                    spacing: 8
                    Label {
                        Layout.fillWidth: true
                        visible: !view.goLive.tunnelAvailable
                        text: qsTr("cloudflared is not installed. Install it for a free https "
                                   + "address, or use your own tunnel or proxy below.")
                        wrapMode: Text.WordWrap
                        color: Theme.muted
                    }
                    RowLayout {
                        Layout.fillWidth: true
                        visible: view.goLive.tunnelAvailable
                        spacing: 10
                        Pill {
                            objectName: "tunnelState"
                            text: view.goLive.tunnelState
                            tint: view.tunnelTint
                            filled: view.goLive.tunnelStateKind === TunnelState.Running
                        }
                        Label {
                            objectName: "tunnelUrl"
                            Layout.fillWidth: true
                            text: view.goLive.tunnelUrl !== "" ? view.goLive.tunnelUrl : view.goLive.tunnelMessage
                            textFormat: Text.PlainText
                            font.family: view.goLive.tunnelUrl !== "" ? "monospace" : ""
                            elide: Text.ElideRight
                            color: view.goLive.tunnelStateKind === TunnelState.Failed ? Theme.danger : Theme.text
                        }
                        ActionButton {
                            objectName: "startTunnel"
                            visible: view.goLive.tunnelStateKind !== TunnelState.Running && view.goLive.tunnelStateKind !== TunnelState.Starting
                            text: qsTr("Start tunnel")
                            onClicked: view.goLive.startTunnel()
                        }
                        ActionButton {
                            objectName: "stopTunnel"
                            visible: view.goLive.tunnelStateKind === TunnelState.Running || view.goLive.tunnelStateKind === TunnelState.Starting
                            text: qsTr("Stop")
                            filled: false
                            tint: Theme.danger
                            onClicked: view.goLive.stopTunnel()
                        }
                    }
                    Label {
                        Layout.fillWidth: true
                        visible: view.goLive.tunnelAvailable && view.goLive.tunnelStateKind === TunnelState.Failed
                        text: view.goLive.tunnelMessage
                        textFormat: Text.PlainText
                        wrapMode: Text.WordWrap
                        font.pixelSize: 12
                        color: Theme.danger
                    }
                    CheckBox {
                        objectName: "autoGoLive"
                        visible: view.goLive.tunnelAvailable && view.goLive.canGoLive
                        text: qsTr("Set the tunnel's address in Telnyx when it is up")
                        Accessible.name: text
                        checked: view.goLive.autoGoLive
                        onToggled: view.goLive.autoGoLive = checked
                    }
                }
            }

            SectionTitle {
                Layout.fillWidth: true
                text: qsTr("Webhook URL in Telnyx")
            }
            Card {
                Layout.fillWidth: true
                implicitHeight: setupColumn.implicitHeight + 24
                ColumnLayout {
                    id: setupColumn
                    anchors.fill: parent
                    anchors.margins: 12
                    spacing: 8
                    Label {
                        Layout.fillWidth: true
                        visible: !view.goLive.canGoLive
                        text: view.goLive.unavailableReason
                        textFormat: Text.PlainText
                        wrapMode: Text.WordWrap
                        color: Theme.muted
                    }
                    GridLayout {
                        Layout.fillWidth: true
                        columns: 3
                        columnSpacing: 10
                        rowSpacing: 8
                        Label {
                            text: qsTr("Webhook URL")
                            font.pixelSize: 13
                            color: Theme.muted
                        }
                        InputField {
                            id: urlField
                            objectName: "publicUrl"
                            Layout.fillWidth: true
                            enabled: view.goLive.canGoLive
                            placeholderText: qsTr("https://your-tunnel.example.com")
                            text: view.goLive.tunnelUrl
                            onAccepted: goButton.clicked()
                        }
                        ActionButton {
                            id: goButton
                            objectName: "goLiveButton"
                            Layout.rowSpan: 2
                            text: view.goLive.setupRunning ? qsTr("Working…") : qsTr("Go live")
                            enabled: view.goLive.canGoLive && !view.goLive.setupRunning && urlField.text.trim() !== ""
                            onClicked: view.goLive.goLive(urlField.text, failoverField.text)
                        }
                        Label {
                            text: qsTr("Failover URL")
                            font.pixelSize: 13
                            color: Theme.muted
                        }
                        InputField {
                            id: failoverField
                            objectName: "failoverUrl"
                            Layout.fillWidth: true
                            enabled: view.goLive.canGoLive
                            placeholderText: qsTr("optional: https://second-instance.example.com")
                            text: view.goLive.configuredFailoverUrl
                            onAccepted: goButton.clicked()
                        }
                    }
                    Label {
                        objectName: "setupMessage"
                        Layout.fillWidth: true
                        visible: text !== ""
                        text: view.goLive.setupMessage
                        textFormat: Text.PlainText
                        wrapMode: Text.WordWrap
                        font.pixelSize: 13
                        color: !view.goLive.setupDone ? Theme.muted
                               : view.goLive.setupOk ? Theme.decisionColor(CallDecision.Authenticated) : Theme.danger
                    }
                    // What the application holds after the last Go live: where Telnyx delivers
                    // first, and where it turns when that address does not answer 200.
                    GridLayout {
                        objectName: "telnyxUrls"
                        Layout.fillWidth: true
                        visible: view.goLive.webhookUrl !== ""
                        columns: 2
                        columnSpacing: 10
                        rowSpacing: 4
                        Label {
                            text: qsTr("Telnyx delivers to")
                            font.pixelSize: 12
                            color: Theme.muted
                        }
                        Label {
                            objectName: "telnyxWebhookUrl"
                            Layout.fillWidth: true
                            text: view.goLive.webhookUrl
                            textFormat: Text.PlainText
                            font.family: "monospace"
                            font.pixelSize: 12
                            elide: Text.ElideMiddle
                            color: Theme.text
                        }
                        Label {
                            text: qsTr("then, on failure")
                            font.pixelSize: 12
                            color: Theme.muted
                        }
                        Label {
                            objectName: "telnyxFailoverUrl"
                            Layout.fillWidth: true
                            text: view.goLive.failoverUrl !== "" ? view.goLive.failoverUrl : qsTr("no failover URL")
                            textFormat: Text.PlainText
                            font.family: view.goLive.failoverUrl !== "" ? "monospace" : ""
                            font.pixelSize: 12
                            elide: Text.ElideMiddle
                            color: view.goLive.failoverUrl !== "" ? Theme.text : Theme.faint
                        }
                    }
                    Label {
                        Layout.fillWidth: true
                        text: qsTr("Sets the Call Control Application's webhook URL to the address "
                                   + "+ /webhooks/telnyx and its webhook API version to 2. The failover "
                                   + "URL, if you give one, is a second kevan-tel on the same database: "
                                   + "Telnyx turns to it when the first does not answer; left empty, the "
                                   + "application keeps the one it has. The same from a terminal: "
                                   + "kevan-tel golive URL --failover-url URL2")
                        wrapMode: Text.WordWrap
                        font.pixelSize: 12
                        color: Theme.faint
                    }
                }
            }
            Item { Layout.fillHeight: true }
        }
    }
}
