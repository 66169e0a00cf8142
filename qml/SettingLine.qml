// SPDX-License-Identifier: GPL-3.0-or-later
// A Settings row's one-line field (SettingRow, kind Line).
pragma ComponentBehavior: Bound
import QtQuick

InputField {
    id: field

    required property SettingRow row

    objectName: field.row.itemName
    // A key is easier to check letter by letter in a fixed-width font.
    Component.onCompleted: if (field.row.monospace)
                               font.family = "monospace"
    placeholderText: field.row.placeholder
    inputMethodHints: field.row.dialable ? Qt.ImhDialableCharactersOnly : Qt.ImhNone
    text: field.row.value
    Accessible.name: field.row.title
    Accessible.description: field.row.error !== "" ? field.row.error : field.row.hint
    onTextEdited: field.row.edit(text)
}
