// SPDX-License-Identifier: GPL-3.0-or-later
// A white surface with a hairline border and rounded corners.
import QtQuick

Rectangle {
    color: Theme.surface
    radius: Theme.radius
    border.color: Theme.border
    border.width: 1
}
