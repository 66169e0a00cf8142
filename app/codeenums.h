// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "golive/tunnel.h"
#include "registration/pendingregistration.h"
#include "screening/screeningrecords.h"
#include "voicemail/voicemailmessage.h"

#include <QObject>
#include <QString>
#include <QtQml/qqmlregistration.h>

// The codes the store and the event log keep as words ("forwarded", "accept_all", ...) are the
// public contract of the event log and the command line; the dashboard's QML compares enums
// instead, so that a misspelt code is an error qmllint and qmlcachegen report, not a branch
// that never runs. Each namespace is one enum with the mapping from and to the words, in one
// place (codeenums.cpp); the models give the enum in a role next to the words.
namespace kt {

// A call's decision (README "What a call gets"). Undecided: none yet; Unknown: a word this build
// does not know (shown as is).
namespace CallDecision {
Q_NAMESPACE
QML_ELEMENT
enum Value {
    Undecided,
    Authenticated,
    Allowlisted,
    Blocked,
    Rejected,
    Ask,
    Challenge,
    Voicemail,
    Unknown
};
Q_ENUM_NS(Value)
Value fromCode(const QString &code);
QString code(Value value); // "" for Undecided and Unknown
} // namespace CallDecision

// Where a call is (the call state machine's states). Unknown: none, or a word this build does
// not know.
namespace CallState {
Q_NAMESPACE
QML_ELEMENT
enum Value {
    Unknown,
    Ringing,
    Asking,
    Answering,
    Challenging,
    Forwarding,
    Forwarded,
    Rejecting,
    Fallback,
    Voicemail,
    Screening,
    Ending,
    Ended,
    Failed
};
Q_ENUM_NS(Value)
Value fromCode(const QString &code);
QString code(Value value); // "" for Unknown
} // namespace CallState

// What a number does with unknown callers (a number's policy). Default: the number has none of
// its own; Unknown: a word this build does not know.
namespace NumberPolicy {
Q_NAMESPACE
QML_ELEMENT
enum Value { Default, AcceptAll, RejectWithMessage, Reject, Ask, Voicemail, Screen, Unknown };
Q_ENUM_NS(Value)
Value fromCode(const QString &code);
QString code(Value value); // "" for Default and Unknown
} // namespace NumberPolicy

// Where the Telnyx API key stands in the keychain (the Settings page and the first-run card).
namespace ApiKeyState {
Q_NAMESPACE
QML_ELEMENT
enum Value { Checking, Stored, None, Unavailable, Saving };
Q_ENUM_NS(Value)
} // namespace ApiKeyState

// A voicemail's recording (VoicemailMessage::DownloadState): Waiting for Telnyx's recording,
// Downloading it, Downloaded, Failed, Deleted.
namespace VoicemailState {
Q_NAMESPACE
QML_ELEMENT
enum Value { Waiting, Downloading, Downloaded, Failed, Deleted };
Q_ENUM_NS(Value)
Value fromCore(VoicemailMessage::DownloadState state);
QString code(Value value); // "waiting", "downloading", "downloaded", "failed", "deleted"
} // namespace VoicemailState

// A self-registration that waits (PendingRegistration::State).
namespace RegistrationState {
Q_NAMESPACE
QML_ELEMENT
enum Value { AwaitingCall, AwaitingOwner, Approved, Denied, Expired };
Q_ENUM_NS(Value)
Value fromCore(PendingRegistration::State state);
} // namespace RegistrationState

// A block or allow rule: Active, Expired (its time is up) or Consumed (a single-use rule used).
namespace RuleState {
Q_NAMESPACE
QML_ELEMENT
enum Value { Active, Expired, Consumed };
Q_ENUM_NS(Value)
Value of(const RuleInfo &rule);
} // namespace RuleState

// The Go live page's tunnel (Tunnel::State).
namespace TunnelState {
Q_NAMESPACE
QML_ELEMENT
enum Value { Stopped, Starting, Running, Failed };
Q_ENUM_NS(Value)
Value fromCore(Tunnel::State state);
} // namespace TunnelState

// "Test connection" (ConnectionTester): not run yet, running, the key works, it does not.
namespace ConnectionTestState {
Q_NAMESPACE
QML_ELEMENT
enum Value { Idle, Testing, Ok, Failed };
Q_ENUM_NS(Value)
} // namespace ConnectionTestState

} // namespace kt
