// SPDX-License-Identifier: GPL-3.0-or-later
// A ComboBox drawn like the other fields: white, a hairline border, rounded corners.
import QtQuick
import QtQuick.Controls

ComboBox {
    id: box

    implicitHeight: 38
    font.pixelSize: 13
    Accessible.role: Accessible.ComboBox
    Accessible.name: box.displayText

    background: Rectangle {
        implicitWidth: 140
        implicitHeight: 38
        radius: 7
        color: box.enabled ? Theme.surface : "#f4f6f5"
        border.width: box.visualFocus || box.down ? 2 : 1
        border.color: box.visualFocus || box.down ? Theme.accent : "#cfd6d2"
    }
}
