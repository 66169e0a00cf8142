// SPDX-License-Identifier: GPL-3.0-or-later
// A Settings row's number field (SettingRow, kind Number).
pragma ComponentBehavior: Bound
import QtQuick

InputField {
    id: field

    required property SettingRow row

    objectName: field.row.itemName
    implicitWidth: 140
    inputMethodHints: Qt.ImhDigitsOnly
    text: field.row.value
    Accessible.name: field.row.title
    Accessible.description: field.row.error !== "" ? field.row.error : field.row.hint
    onTextEdited: field.row.edit(text)
}
