// SPDX-License-Identifier: GPL-3.0-or-later
// A heading inside a view, with an optional count.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

RowLayout {
    id: section

    property string text
    property string detail

    spacing: 8
    Label {
        text: section.text
        textFormat: Text.PlainText
        font.pixelSize: 15
        font.bold: true
        color: Theme.text
    }
    Label {
        visible: section.detail !== ""
        text: section.detail
        textFormat: Text.PlainText
        font.pixelSize: 13
        color: Theme.faint
    }
    Item { Layout.fillWidth: true }
}
