// SPDX-License-Identifier: GPL-3.0-or-later
// The decision of a call, in its colour.
import QtQuick
import "Theme.js" as Theme

Pill {
    property string decision

    text: Theme.decisionLabel(decision)
    tint: Theme.decisionColor(decision)
    filled: true
}
