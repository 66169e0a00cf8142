// SPDX-License-Identifier: GPL-3.0-or-later
// A small rounded label: soft (tinted text on a light tint) or filled (white on the tint).
import QtQuick
import QtQuick.Controls

Rectangle {
    id: pill

    property string text
    property color tint: "#7b847f"
    property bool filled: false

    implicitWidth: label.implicitWidth + 16
    implicitHeight: 22
    radius: height / 2
    color: pill.filled ? pill.tint : Qt.rgba(pill.tint.r, pill.tint.g, pill.tint.b, 0.13)
    Accessible.role: Accessible.StaticText
    Accessible.name: pill.text

    Label {
        id: label
        anchors.centerIn: parent
        text: pill.text
        textFormat: Text.PlainText
        color: pill.filled ? "white" : pill.tint
        font.pixelSize: 12
        font.bold: true
        elide: Text.ElideRight
        width: Math.min(implicitWidth, pill.width - 12)
    }
}
