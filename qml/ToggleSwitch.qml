// SPDX-License-Identifier: GPL-3.0-or-later
// An on/off switch in the dashboard's colours: green when on, a white knob, a focus ring when
// reached by Tab. Screen readers hear it as a check box with its text.
import QtQuick
import QtQuick.Controls

Switch {
    id: toggle

    property color checkedColor: Theme.accent
    property color uncheckedColor: "#c5ccc8"
    property color textColor: Theme.text

    padding: 0
    spacing: 10
    font.pixelSize: 13
    Accessible.role: Accessible.CheckBox
    Accessible.name: toggle.text
    Accessible.checkable: true
    Accessible.checked: toggle.checked

    indicator: Rectangle {
        x: toggle.leftPadding
        y: (toggle.height - height) / 2
        implicitWidth: 40
        implicitHeight: 22
        radius: 11
        color: toggle.checked ? toggle.checkedColor : toggle.uncheckedColor
        opacity: toggle.enabled ? 1 : 0.5
        Rectangle {
            x: toggle.checked ? parent.width - width - 3 : 3
            y: 3
            width: 16
            height: 16
            radius: 8
            color: "white"
            Behavior on x {
                NumberAnimation { duration: 120 }
            }
        }
    }

    contentItem: Label {
        leftPadding: toggle.indicator.width + toggle.spacing
        text: toggle.text
        textFormat: Text.PlainText
        font: toggle.font
        color: toggle.textColor
        verticalAlignment: Text.AlignVCenter
    }

    FocusRing {
        shown: toggle.visualFocus
    }
}
