// SPDX-License-Identifier: GPL-3.0-or-later
// What a list shows when it has nothing to show.
import QtQuick
import QtQuick.Controls

Card {
    id: empty

    property string title
    property string detail

    implicitHeight: column.implicitHeight + 40
    color: "#fafbfa"
    border.color: Theme.border

    Column {
        id: column
        anchors.centerIn: parent
        width: parent.width - 40
        spacing: 6
        Label {
            width: parent.width
            horizontalAlignment: Text.AlignHCenter
            text: empty.title
            textFormat: Text.PlainText
            font.pixelSize: 15
            font.bold: true
            color: Theme.muted
            wrapMode: Text.WordWrap
        }
        Label {
            width: parent.width
            horizontalAlignment: Text.AlignHCenter
            visible: empty.detail !== ""
            text: empty.detail
            textFormat: Text.PlainText
            font.pixelSize: 13
            color: Theme.faint
            wrapMode: Text.WordWrap
        }
    }
}
