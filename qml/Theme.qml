// SPDX-License-Identifier: GPL-3.0-or-later
// Colours and sizes shared by the dashboard's views: one singleton, so that qmllint knows every
// name and type.
pragma Singleton
import QtQuick
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

    function decisionColor(decision: string): color {
        switch (decision) {
        case "authenticated": return "#1f8a4c";
        case "allowlisted": return "#2f6fb2";
        case "blocked": return "#b3261e";
        case "rejected": return "#c25e00";
        case "ask": return "#7a4cc2";
        case "challenge": return "#8a6d00";
        case "voicemail": return "#2b6f8a";
        default: return "#7b847f";
        }
    }

    function decisionSoft(decision: string): color {
        switch (decision) {
        case "authenticated": return "#e4f4ea";
        case "allowlisted": return "#e6eef8";
        case "blocked": return "#f8e5e3";
        case "rejected": return "#fbeede";
        case "ask": return "#efe8f9";
        case "challenge": return "#f8f1d8";
        case "voicemail": return "#e2f0f5";
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

    function decisionLabel(decision: string, reason): string {
        if (decision === "challenge" && String(reason ?? "").startsWith("registration_"))
            return "Registration";
        switch (decision) {
        case "authenticated": return "Authenticated";
        case "allowlisted": return "Allowed";
        case "blocked": return "Blocked";
        case "rejected": return "Rejected";
        case "ask": return "Asking you";
        case "challenge": return "Asking PIN";
        case "voicemail": return "Voicemail";
        case "": return "Deciding";
        default: return decision;
        }
    }

    function reasonText(reason: string): string {
        switch (reason) {
        case "registry": return "registered namespace holder";
        case "block_rule": return "matches a block rule";
        case "allow_rule": return "matches an allow rule";
        case "number_accepts_all": return "this number accepts all calls";
        case "unregistered": return "not registered to a namespace";
        case "certificate_invalid": return "namespace certificate is not valid";
        case "attestation_failed": return "caller ID failed verification";
        case "spam_likely": return "Telnyx flags it as likely spam";
        case "anonymous": return "anonymous caller";
        case "ask_owner": return "waiting for your decision";
        case "owner_accepted": return "you accepted";
        case "owner_rejected": return "you rejected";
        case "owner_voicemail": return "you sent it to voicemail";
        case "ask_timeout": return "you did not answer in time";
        case "caller_id_unverified": return "caller ID not verified";
        case "registry_pin": return "registered, entered the PIN";
        case "pin_failed": return "wrong PIN too often";
        case "pin_locked": return "PIN locked after wrong tries";
        case "registration_call_in": return "calling in for a self-registration";
        case "registration_phone_proven": return "keyed in the registration code: phone proven";
        case "registration_code_failed": return "wrong registration code";
        case "": return "";
        default: return reason;
        }
    }

    function stateLabel(state: string): string {
        switch (state) {
        case "ringing": return "Ringing";
        case "asking": return "Ringing for you";
        case "answering": return "Answering";
        case "challenging": return "Asking for the PIN or code";
        case "forwarding": return "Forwarding";
        case "forwarded": return "Connected";
        case "rejecting": return "Turning away";
        case "fallback": return "Unavailable message";
        case "voicemail": return "Taking a message";
        case "ending": return "Ending";
        case "ended": return "Ended";
        case "failed": return "Failed";
        default: return state;
        }
    }

    function policyLabel(policy: string): string {
        switch (policy) {
        case "accept_all": return "Accept all";
        case "reject_with_message": return "Reject + message";
        case "reject": return "Reject";
        case "ask": return "Ask me";
        case "voicemail": return "Voicemail";
        case "": return "Default";
        default: return policy;
        }
    }

    // "1:05" from milliseconds.
    function clock(ms: real): string {
        const secs = Math.max(0, Math.floor(ms / 1000));
        const m = Math.floor(secs / 60);
        const s = secs % 60;
        return m + ":" + (s < 10 ? "0" : "") + s;
    }

    // The policies offered for a number: "" (the configured default) first.
    function withDefault(policies: list<string>): list<string> {
        const all = [""];
        for (const policy of policies)
            all.push(policy);
        return all;
    }
}
