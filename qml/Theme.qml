// SPDX-License-Identifier: GPL-3.0-or-later
// Colours and sizes shared by the dashboard's views: one singleton, so that qmllint knows every
// name and type. The words the user reads come from C++ (Labels).
pragma Singleton
import QtQuick
import KevanTel.Ui

QtObject {
    readonly property color background: "#f3f5f4"
    readonly property color surface: "#ffffff"
    readonly property color border: "#e1e6e3"
    readonly property color text: "#1b2420"
    readonly property color muted: "#5d6863"
    readonly property color faint: "#8c9590"
    readonly property color accent: "#1f6f5c"
    readonly property color accentSoft: "#e3f1ec"
    readonly property color nav: "#14302a"
    readonly property color navText: "#c9ddd6"
    readonly property color navSelected: "#24584a"
    readonly property color danger: "#b3261e"
    readonly property color warning: "#b86e00"
    // The ring drawn around the item that has the keyboard focus.
    readonly property color focusRing: "#2f6fb2"
    readonly property int focusRingWidth: 2
    readonly property int radius: 10

    // A CallDecision's colour; the positive, question and neutral tones of the whole app are
    // these too (CallDecision.Authenticated is the green of "done", Ask the purple of "you").
    function decisionColor(decision: int): color {
        switch (decision) {
        case CallDecision.Authenticated: return "#1f8a4c";
        case CallDecision.Allowlisted: return "#2f6fb2";
        case CallDecision.Blocked: return "#b3261e";
        case CallDecision.Rejected: return "#c25e00";
        case CallDecision.Ask: return "#7a4cc2";
        case CallDecision.Challenge: return "#8a6d00";
        case CallDecision.Voicemail: return "#2b6f8a";
        default: return "#7b847f";
        }
    }

    function decisionSoft(decision: int): color {
        switch (decision) {
        case CallDecision.Authenticated: return "#e4f4ea";
        case CallDecision.Allowlisted: return "#e6eef8";
        case CallDecision.Blocked: return "#f8e5e3";
        case CallDecision.Rejected: return "#fbeede";
        case CallDecision.Ask: return "#efe8f9";
        case CallDecision.Challenge: return "#f8f1d8";
        case CallDecision.Voicemail: return "#e2f0f5";
        default: return "#eef0ef";
        }
    }

    function categoryColor(category: string): color {
        switch (category) {
        case "telnyx": return "#2f6fb2";
        case "decision": return "#7a4cc2";
        case "command": return "#b86e00";
        case "call": return "#1f8a4c";
        case "screening": return "#1f6f5c";
        default: return "#7b847f";
        }
    }
}
