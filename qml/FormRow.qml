// SPDX-License-Identifier: GPL-3.0-or-later
// One setting: its name and what it does on the left; the control (the children) on the right,
// with the field's message under it: the error in red, or a hint.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

RowLayout {
    id: row

    property string label
    property string detail
    property string error
    property string hint
    default property alias content: slot.data

    spacing: 18

    // A plain Column of a fixed width: its height follows the wrapped text (a nested layout
    // would measure the text unwrapped).
    Column {
        Layout.preferredWidth: 230
        Layout.alignment: Qt.AlignTop
        Layout.topMargin: 8
        spacing: 2
        Label {
            width: parent.width
            text: row.label
            textFormat: Text.PlainText
            font.pixelSize: 13
            font.bold: true
            color: Theme.text
            wrapMode: Text.WordWrap
        }
        Label {
            width: parent.width
            visible: row.detail !== ""
            text: row.detail
            textFormat: Text.PlainText
            font.pixelSize: 11
            color: Theme.faint
            wrapMode: Text.WordWrap
        }
    }

    ColumnLayout {
        Layout.fillWidth: true
        Layout.alignment: Qt.AlignTop
        spacing: 4
        ColumnLayout {
            id: slot
            Layout.fillWidth: true
            spacing: 6
        }
        Label {
            objectName: row.objectName !== "" ? row.objectName + "Message" : ""
            Layout.fillWidth: true
            visible: text !== ""
            text: row.error !== "" ? "✗ " + row.error : row.hint
            textFormat: Text.PlainText
            font.pixelSize: 12
            font.bold: row.error !== ""
            color: row.error !== "" ? Theme.danger : Theme.muted
            wrapMode: Text.WordWrap
        }
    }
}
