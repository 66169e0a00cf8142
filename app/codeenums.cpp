// SPDX-License-Identifier: GPL-3.0-or-later
#include "codeenums.h"

#include "screening/callstatemachine.h"
#include "screening/decision.h"
#include "screening/numbermap.h"

#include <array>
#include <utility>

namespace kt {

namespace CallDecision {

Value fromCode(const QString &code)
{
    if (code.isEmpty())
        return Undecided;
    const std::optional<Decision::Outcome> outcome = Decision::outcomeFromName(code);
    if (!outcome)
        return Unknown;
    switch (*outcome) {
    case Decision::Authenticated:
        return Authenticated;
    case Decision::Allowlisted:
        return Allowlisted;
    case Decision::Blocked:
        return Blocked;
    case Decision::Rejected:
        return Rejected;
    case Decision::Ask:
        return Ask;
    case Decision::Challenge:
        return Challenge;
    case Decision::Voicemail:
        return Voicemail;
    }
    return Unknown;
}

QString code(Value value)
{
    switch (value) {
    case Authenticated:
        return Decision::outcomeName(Decision::Authenticated);
    case Allowlisted:
        return Decision::outcomeName(Decision::Allowlisted);
    case Blocked:
        return Decision::outcomeName(Decision::Blocked);
    case Rejected:
        return Decision::outcomeName(Decision::Rejected);
    case Ask:
        return Decision::outcomeName(Decision::Ask);
    case Challenge:
        return Decision::outcomeName(Decision::Challenge);
    case Voicemail:
        return Decision::outcomeName(Decision::Voicemail);
    case Undecided:
    case Unknown:
        break;
    }
    return QString();
}

} // namespace CallDecision

namespace CallState {

namespace {
using State = CallStateMachine::State;
constexpr std::array<std::pair<Value, State>, 13> States{{
    {Ringing, State::Ringing},
    {Asking, State::Asking},
    {Answering, State::Answering},
    {Challenging, State::Challenging},
    {Forwarding, State::Forwarding},
    {Forwarded, State::Forwarded},
    {Rejecting, State::Rejecting},
    {Fallback, State::Fallback},
    {Voicemail, State::Voicemail},
    {Screening, State::Screening},
    {Ending, State::Ending},
    {Ended, State::Ended},
    {Failed, State::Failed},
}};
} // namespace

Value fromCode(const QString &code)
{
    if (code.isEmpty())
        return Unknown;
    for (const auto &[value, state] : States) {
        if (CallStateMachine::stateName(state) == code)
            return value;
    }
    return Unknown;
}

QString code(Value value)
{
    for (const auto &[v, state] : States) {
        if (v == value)
            return CallStateMachine::stateName(state);
    }
    return QString();
}

} // namespace CallState

namespace NumberPolicy {

namespace {
// NumberMap::policies() names them; the order here is the enum's.
constexpr std::array<std::pair<Value, const char *>, 6> Policies{{
    {AcceptAll, "accept_all"},
    {RejectWithMessage, "reject_with_message"},
    {Reject, "reject"},
    {Ask, "ask"},
    {Voicemail, "voicemail"},
    {Screen, "screen"},
}};
} // namespace

Value fromCode(const QString &code)
{
    if (code.isEmpty())
        return Default;
    if (!NumberMap::isKnownPolicy(code))
        return Unknown;
    for (const auto &[value, name] : Policies) {
        if (code == QLatin1String(name))
            return value;
    }
    return Unknown;
}

QString code(Value value)
{
    for (const auto &[v, name] : Policies) {
        if (v == value)
            return QString::fromLatin1(name);
    }
    return QString();
}

} // namespace NumberPolicy

namespace VoicemailState {

Value fromCore(VoicemailMessage::DownloadState state)
{
    using State = VoicemailMessage::DownloadState;
    switch (state) {
    case State::AwaitingRecording:
        return Waiting;
    case State::Pending:
        return Downloading;
    case State::Downloaded:
        return Downloaded;
    case State::Failed:
        return Failed;
    case State::Deleted:
        return Deleted;
    }
    return Failed;
}

QString code(Value value)
{
    switch (value) {
    case Waiting:
        return QStringLiteral("waiting");
    case Downloading:
        return QStringLiteral("downloading");
    case Downloaded:
        return QStringLiteral("downloaded");
    case Failed:
        return QStringLiteral("failed");
    case Deleted:
        return QStringLiteral("deleted");
    }
    return QString();
}

} // namespace VoicemailState

namespace RegistrationState {

Value fromCore(PendingRegistration::State state)
{
    using State = PendingRegistration::State;
    switch (state) {
    case State::AwaitingCall:
        return AwaitingCall;
    case State::AwaitingOwner:
        return AwaitingOwner;
    case State::Approved:
        return Approved;
    case State::Denied:
        return Denied;
    case State::Expired:
        return Expired;
    }
    return Expired;
}

} // namespace RegistrationState

namespace RuleState {

Value of(const RuleInfo &rule)
{
    // The order of RuleInfo::state(): a consumed rule that also expired is consumed.
    if (rule.consumed)
        return Consumed;
    if (rule.expired)
        return Expired;
    return Active;
}

} // namespace RuleState

namespace TunnelState {

Value fromCore(Tunnel::State state)
{
    switch (state) {
    case Tunnel::State::Stopped:
        return Stopped;
    case Tunnel::State::Starting:
        return Starting;
    case Tunnel::State::Running:
        return Running;
    case Tunnel::State::Failed:
        return Failed;
    }
    return Failed;
}

} // namespace TunnelState

} // namespace kt
