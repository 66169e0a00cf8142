// SPDX-License-Identifier: GPL-3.0-or-later
// A tool tip that shows its text as plain text. The Basic style's ToolTip renders rich text when
// its text looks like markup; a tip may show words from outside (a certificate's status, an
// error from Telnyx), which must never be taken as markup.
import QtQuick
import QtQuick.Controls.Basic
ToolTip {
    id: tip
    contentItem: Text {
        text: tip.text
        textFormat: Text.PlainText
        font: tip.font
        wrapMode: Text.Wrap
        color: tip.palette.toolTipText
    }
}
