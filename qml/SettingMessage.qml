// SPDX-License-Identifier: GPL-3.0-or-later
// A Settings row's message, several lines (SettingRow, kind Message).
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls

Rectangle {
    id: field

    required property SettingRow row

    implicitHeight: 84
    radius: 7
    color: Theme.surface
    border.width: messageArea.activeFocus ? 2 : 1
    border.color: messageArea.activeFocus ? Theme.accent : "#cfd6d2"
    ScrollView {
        anchors.fill: parent
        anchors.margins: 2
        TextArea {
            id: messageArea
            objectName: field.row.itemName
            wrapMode: TextEdit.Wrap
            font.pixelSize: 13
            color: Theme.text
            selectByMouse: true
            // Tab moves on to the next field rather than into the message.
            Keys.onTabPressed: nextItemInFocusChain(true).forceActiveFocus(Qt.TabFocusReason)
            Keys.onBacktabPressed: nextItemInFocusChain(false).forceActiveFocus(Qt.BacktabFocusReason)
            background: null
            text: field.row.value
            Accessible.name: field.row.title
            Accessible.description: field.row.error !== "" ? field.row.error : field.row.hint
            onTextChanged: if (text !== field.row.value)
                               field.row.edit(text)
        }
    }
}
