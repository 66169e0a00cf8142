// SPDX-License-Identifier: GPL-3.0-or-later
// A Settings row's choice (SettingRow, kind Choice).
pragma ComponentBehavior: Bound
import QtQuick

SelectBox {
    id: field

    required property SettingRow row

    objectName: field.row.itemName
    implicitWidth: 240
    model: field.row.choices
    currentIndex: field.row.choiceIndex
    Accessible.name: field.row.title
    Accessible.description: field.row.hint
    onActivated: index => field.row.edit(field.row.choiceValues[index])
}
