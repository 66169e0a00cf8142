// SPDX-License-Identifier: GPL-3.0-or-later
// The decision of a call, in its colour.
import QtQuick
import KevanTel.Ui

Pill {
    property string decision // the code, for the words (Labels)
    property int decisionKind: CallDecision.Undecided // the same as a CallDecision, for the colour
    property string reason // a self-registration's call-in reads "Registration", not "Asking PIN"

    text: Labels.decision(decision, reason)
    tint: Theme.decisionColor(decisionKind)
    filled: true
}
