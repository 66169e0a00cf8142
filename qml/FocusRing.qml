// SPDX-License-Identifier: GPL-3.0-or-later
// The ring around an item that has the keyboard focus (Tab), drawn just outside its parent so
// that it does not hide the item's own border. Shown only for focus from the keyboard.
import QtQuick

Rectangle {
    // Whether the item has visual (keyboard) focus: visualFocus of a control.
    property bool shown: false
    property real gap: 3

    anchors.fill: parent
    anchors.margins: -gap
    radius: 8
    color: "transparent"
    border.color: Theme.focusRing
    border.width: Theme.focusRingWidth
    visible: shown
}
