// SPDX-License-Identifier: GPL-3.0-or-later
// "Test connection": lists the account's numbers with the typed (or stored) API key and says
// how many there are, or what Telnyx answered; then, optionally, "Sync number map".
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import KevanTel.Ui

ColumnLayout {
    id: box

    // The ConnectionTester; none: nothing to test with (the button is off).
    property ConnectionTester tester: null
    // The key typed in the form (empty: the stored one).
    property string typedKey
    // Offer "Sync number map" after a successful test.
    property bool offerSync: true

    readonly property int testState: box.tester ? box.tester.state : ConnectionTestState.Idle
    readonly property bool testing: box.testState === ConnectionTestState.Testing
    readonly property string message: box.tester ? box.tester.message : ""
    readonly property int numberCount: box.tester ? box.tester.numberCount : 0
    readonly property bool canSync: box.tester ? box.tester.canSync : false
    readonly property bool syncAvailable: box.tester ? box.tester.syncAvailable : false
    readonly property bool syncing: box.tester ? box.tester.syncing : false
    readonly property bool syncOk: box.tester ? box.tester.syncOk : false
    readonly property string syncMessage: box.tester ? box.tester.syncMessage : ""

    spacing: 6

    RowLayout {
        Layout.fillWidth: true
        spacing: 10
        ActionButton {
            objectName: "testConnection"
            small: true
            filled: false
            text: qsTr("Test connection")
            enabled: box.tester !== null && !box.testing
            onClicked: box.tester.test(box.typedKey)
        }
        BusyIndicator {
            visible: box.testing
            running: box.testing
            implicitWidth: 22
            implicitHeight: 22
        }
        Label {
            objectName: "connectionStatus"
            Layout.fillWidth: true
            visible: text !== ""
            text: (box.testState === ConnectionTestState.Ok ? "✓ " : box.testState === ConnectionTestState.Failed ? "✗ " : "")
                  + box.message
            textFormat: Text.PlainText
            wrapMode: Text.WordWrap
            font.pixelSize: 12
            font.bold: box.testState === ConnectionTestState.Failed
            color: box.testState === ConnectionTestState.Ok ? Theme.decisionColor(CallDecision.Authenticated)
                   : box.testState === ConnectionTestState.Failed ? Theme.danger : Theme.muted
        }
    }

    RowLayout {
        Layout.fillWidth: true
        visible: box.offerSync && box.syncAvailable && box.testState === ConnectionTestState.Ok && box.numberCount > 0
        spacing: 10
        ActionButton {
            objectName: "syncNumbers"
            small: true
            text: qsTr("Sync number map")
            enabled: box.canSync
            onClicked: box.tester.syncNumbers()
        }
        Label {
            objectName: "syncStatus"
            Layout.fillWidth: true
            text: box.syncMessage !== "" ? box.syncMessage
                  : qsTr("Merges the account's numbers into your number map.")
            textFormat: Text.PlainText
            wrapMode: Text.WordWrap
            font.pixelSize: 12
            color: box.syncMessage !== "" && !box.syncing
                   ? (box.syncOk ? Theme.decisionColor(CallDecision.Authenticated) : Theme.danger)
                   : Theme.muted
        }
    }
}
