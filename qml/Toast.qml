// SPDX-License-Identifier: GPL-3.0-or-later
// A short message at the bottom of the window: the result of the owner's last action.
import QtQuick
import QtQuick.Controls

Rectangle {
    id: toast

    property bool ok: true
    property string message

    function show(success, text) {
        toast.ok = success;
        toast.message = text;
        toast.opacity = 1;
        hideTimer.restart();
    }

    width: Math.min(label.implicitWidth + 40, parent ? parent.width - 48 : 600)
    height: label.implicitHeight + 22
    radius: 10
    color: toast.ok ? "#1d3b33" : Theme.danger
    opacity: 0
    visible: opacity > 0

    Behavior on opacity {
        NumberAnimation { duration: 180 }
    }

    Label {
        id: label
        anchors.centerIn: parent
        width: Math.min(implicitWidth, toast.width - 40)
        text: (toast.ok ? "✓  " : "✗  ") + toast.message
        textFormat: Text.PlainText
        wrapMode: Text.WordWrap
        color: "white"
        font.pixelSize: 14
    }

    Timer {
        id: hideTimer
        interval: toast.ok ? 4000 : 8000
        onTriggered: toast.opacity = 0
    }
}
