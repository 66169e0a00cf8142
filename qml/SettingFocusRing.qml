// SPDX-License-Identifier: GPL-3.0-or-later
// A ring around a Settings control that has the keyboard focus: put it in the control, and make
// it visible with the control's visualFocus.
import QtQuick

Rectangle {
    anchors.fill: parent
    anchors.margins: -3
    radius: 9
    color: "transparent"
    border.width: 2
    border.color: Theme.accent
}
