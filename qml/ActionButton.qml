// SPDX-License-Identifier: GPL-3.0-or-later
// A compact button in a colour: filled for the main action, outlined for the others; a focus
// ring when reached by Tab.
import QtQuick
import QtQuick.Controls

Button {
    id: button

    property color tint: Theme.accent
    property bool filled: true
    property bool small: false

    implicitHeight: small ? 28 : 36
    leftPadding: small ? 10 : 16
    rightPadding: small ? 10 : 16
    font.pixelSize: small ? 12 : 14
    font.bold: true
    hoverEnabled: true
    Accessible.role: Accessible.Button
    Accessible.name: button.text

    contentItem: Label {
        text: button.text
        font: button.font
        textFormat: Text.PlainText
        color: button.filled ? "white" : button.tint
        opacity: button.enabled || button.filled ? 1 : 0.5
        horizontalAlignment: Text.AlignHCenter
        verticalAlignment: Text.AlignVCenter
        elide: Text.ElideRight
    }

    background: Rectangle {
        radius: 7
        opacity: button.enabled ? 1 : 0.45
        color: button.filled
               ? (button.down ? Qt.darker(button.tint, 1.25)
                              : button.hovered ? Qt.lighter(button.tint, 1.12) : button.tint)
               : (button.down ? Qt.rgba(button.tint.r, button.tint.g, button.tint.b, 0.22)
                              : button.hovered ? Qt.rgba(button.tint.r, button.tint.g, button.tint.b, 0.10)
                                               : "transparent")
        border.width: button.filled ? 0 : 1
        border.color: Qt.rgba(button.tint.r, button.tint.g, button.tint.b, 0.55)
    }

    FocusRing {
        shown: button.visualFocus
    }
}
