// SPDX-License-Identifier: GPL-3.0-or-later
// An on/off switch in the dashboard's colours: green when on, a white knob.
import QtQuick
import QtQuick.Controls

Switch {
    id: toggle

    padding: 0
    spacing: 10
    font.pixelSize: 13

    indicator: Rectangle {
        x: toggle.leftPadding
        y: (toggle.height - height) / 2
        implicitWidth: 40
        implicitHeight: 22
        radius: 11
        color: toggle.checked ? Theme.accent : "#c5ccc8"
        opacity: toggle.enabled ? 1 : 0.5
        Rectangle {
            x: toggle.checked ? parent.width - width - 3 : 3
            y: 3
            width: 16
            height: 16
            radius: 8
            color: "white"
        }
    }

    contentItem: Label {
        leftPadding: toggle.indicator.width + toggle.spacing
        text: toggle.text
        textFormat: Text.PlainText
        font: toggle.font
        color: Theme.text
        verticalAlignment: Text.AlignVCenter
    }
}
