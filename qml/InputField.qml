// SPDX-License-Identifier: GPL-3.0-or-later
// A text field: white, a hairline border that turns green with the focus.
import QtQuick
import QtQuick.Controls

TextField {
    id: field

    implicitHeight: 38
    font.pixelSize: 13
    color: Theme.text
    placeholderTextColor: Theme.faint
    selectByMouse: true
    Accessible.role: Accessible.EditableText
    Accessible.name: field.placeholderText

    background: Rectangle {
        implicitWidth: 160
        implicitHeight: 38
        radius: 7
        color: Theme.surface
        border.width: field.activeFocus ? 2 : 1
        border.color: field.activeFocus ? Theme.accent : "#cfd6d2"
    }
}
