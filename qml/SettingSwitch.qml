// SPDX-License-Identifier: GPL-3.0-or-later
// A Settings row's switch (SettingRow, kind Switch).
pragma ComponentBehavior: Bound
import QtQuick

ToggleSwitch {
    id: field

    required property SettingRow row

    objectName: field.row.itemName
    text: field.row.switchText
    checked: field.row.value === true
    Accessible.name: field.row.title
    Accessible.description: field.row.switchText
    onToggled: field.row.edit(checked)
    SettingFocusRing {
        visible: parent.visualFocus
    }
}
