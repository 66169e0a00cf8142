// SPDX-License-Identifier: GPL-3.0-or-later
#include "callroles.h"

#include "codeenums.h"

#include "displaytext.h"
#include "screening/deepfakehint.h"
#include "screening/screentranscript.h"

#include <QStringList>

namespace kt {

QHash<int, QByteArray> CallRoles::roleNames()
{
    return {
        {CallIdRole, "callId"},
        {FromRole, "from"},
        {FromTextRole, "fromText"},
        {ToRole, "to"},
        {ToTextRole, "toText"},
        {ToLabelRole, "toLabel"},
        {CallerNameRole, "callerName"},
        {DecisionRole, "decision"},
        {ReasonRole, "reason"},
        {NamespaceRole, "nameSpace"},
        {StateRole, "callState"},
        {StartedAtRole, "startedAt"},
        {StartedAtMsRole, "startedAtMs"},
        {StartedTextRole, "startedText"},
        {DecidedAtMsRole, "decidedAtMs"},
        {AskDeadlineMsRole, "askDeadlineMs"},
        {EndedAtRole, "endedAt"},
        {DurationTextRole, "durationText"},
        {HangupCauseRole, "hangupCause"},
        {FlagsRole, "flags"},
        {DryRunRole, "dryRun"},
        {ActiveRole, "active"},
        {AskingRole, "asking"},
        {ProofRole, "proof"},
        {ProofTextRole, "proofText"},
        {ClaimedNamespaceRole, "claimedNamespace"},
        {IdentityTextRole, "identityText"},
        {ScreeningRole, "screening"},
        {ScreenWordsRole, "screenWords"},
        {ScreenTextRole, "screenText"},
        {ScreenCallerNameRole, "screenCallerName"},
        {ScreenReasonRole, "screenReason"},
        {DeepfakeHintRole, "deepfakeHint"},
        {DeepfakeSyntheticRole, "deepfakeSynthetic"},
        {DecisionKindRole, "decisionKind"},
        {StateKindRole, "stateKind"},
    };
}

namespace {
QJsonObject screenOf(const CallRecord &call)
{
    return call.flags.value(QStringLiteral("screen")).toObject();
}

ScreenTranscript transcriptOf(const CallRecord &call)
{
    return ScreenTranscript::fromJson(
        screenOf(call).value(QStringLiteral("transcript")).toObject());
}

DeepfakeHint hintOf(const CallRecord &call)
{
    return DeepfakeHint::fromJson(screenOf(call).value(QStringLiteral("deepfake")).toObject());
}
} // namespace

QString CallRoles::firstWords(const CallRecord &call, int maxLength)
{
    return DisplayText::plain(transcriptOf(call).text(), maxLength);
}

bool CallRoles::isActive(const CallRecord &call)
{
    return call.state != QLatin1String("ended") && call.state != QLatin1String("failed");
}

bool CallRoles::isAsking(const CallRecord &call)
{
    // The engine records the decision "ask" and leaves the call ringing (state "ringing", or
    // "asking" in the state machine's words) until the owner decides, the ask times out (the
    // decision then changes) or the caller hangs up (the call ends).
    return isActive(call) &&
           (call.decision == QLatin1String("ask") || call.state == QLatin1String("asking"));
}

QString CallRoles::proofText(const QString &proof)
{
    if (proof == QLatin1String("attested_caller_id"))
        return QStringLiteral("attested caller ID");
    if (proof == QLatin1String("pin"))
        return QStringLiteral("PIN");
    if (proof == QLatin1String("caller_id_policy"))
        return QStringLiteral("caller ID trusted by policy");
    return QString();
}

QVariant CallRoles::data(const CallRecord &c, int role, const Context &context)
{
    switch (role) {
    case Qt::DisplayRole:
    case FromTextRole:
        return c.fromNumber.isEmpty() ? QStringLiteral("unknown caller")
                                      : DisplayText::number(c.fromNumber);
    case CallIdRole:
        return c.callId;
    case FromRole:
        return c.fromNumber;
    case ToRole:
        return c.toNumber;
    case ToTextRole:
        return DisplayText::number(c.toNumber);
    case ToLabelRole:
        return DisplayText::plain(context.numberLabels.value(c.toNumber));
    case CallerNameRole:
        return DisplayText::plain(c.callerName);
    case DecisionRole:
        return c.decision.isNull() ? QString(QLatin1String("")) : c.decision;
    case ReasonRole:
        return c.reason.isNull() ? QString(QLatin1String("")) : c.reason;
    case NamespaceRole:
        return DisplayText::plain(c.namespaceName);
    case StateRole:
        return c.state.isNull() ? QString(QLatin1String("")) : c.state;
    case StartedAtRole:
        return c.startedAt.isNull() ? QString(QLatin1String("")) : c.startedAt;
    case StartedAtMsRole:
        return double(DisplayText::epochMs(c.startedAt));
    case StartedTextRole:
        return DisplayText::time(c.startedAt);
    case DecidedAtMsRole:
        return double(DisplayText::epochMs(c.decidedAt));
    case AskDeadlineMsRole: {
        if (!isAsking(c))
            return 0.0;
        qint64 from = DisplayText::epochMs(c.decidedAt);
        if (from == 0)
            from = DisplayText::epochMs(c.startedAt);
        const int secs = c.flags.contains(QStringLiteral("screen")) ? context.screenTimeoutSecs
                                                                    : context.askTimeoutSecs;
        return from == 0 ? 0.0 : double(from + qint64(secs) * 1000);
    }
    case EndedAtRole:
        return c.endedAt.isNull() ? QString(QLatin1String("")) : c.endedAt;
    case DurationTextRole:
        return DisplayText::duration(c.startedAt, c.endedAt);
    case HangupCauseRole:
        return c.hangupCause.isNull() ? QString(QLatin1String("")) : c.hangupCause;
    case FlagsRole: {
        QStringList flags;
        for (auto it = c.flags.constBegin(); it != c.flags.constEnd(); ++it) {
            if (it.value().toBool())
                flags.append(DisplayText::plain(it.key(), 32));
        }
        return flags;
    }
    case DryRunRole:
        return c.flags.value(QStringLiteral("dry_run")).toBool();
    case ActiveRole:
        return isActive(c);
    case AskingRole:
        return isAsking(c);
    case ProofRole: {
        const QString proof = c.flags.value(QStringLiteral("proof")).toString();
        return proofText(proof).isEmpty() ? QString(QLatin1String("")) : proof;
    }
    case ProofTextRole:
        return proofText(c.flags.value(QStringLiteral("proof")).toString());
    case ClaimedNamespaceRole:
        return DisplayText::plain(c.flags.value(QStringLiteral("claimed_namespace")).toString(),
                                  64);
    case IdentityTextRole: {
        const QString proof = proofText(c.flags.value(QStringLiteral("proof")).toString());
        const QString nameSpace = DisplayText::plain(c.namespaceName, 64);
        if (!nameSpace.isEmpty())
            return proof.isEmpty() ? QStringLiteral("✓ ") + nameSpace
                                   : QStringLiteral("✓ %1 · %2").arg(nameSpace, proof);
        const QString claimed =
            DisplayText::plain(c.flags.value(QStringLiteral("claimed_namespace")).toString(), 64);
        if (!claimed.isEmpty())
            return QStringLiteral("claims to be %1 — caller ID not verified").arg(claimed);
        return QString(QLatin1String(""));
    }
    case ScreeningRole:
        return c.flags.contains(QStringLiteral("screen"));
    case ScreenWordsRole: {
        QVariantList words;
        const ScreenTranscript transcript = transcriptOf(c); // the loop reads it
        for (const ScreenTranscript::Utterance &u : transcript.utterances())
            words.append(
                QVariantMap{{QStringLiteral("text"),
                             DisplayText::plain(u.text, ScreenTranscript::MaxUtteranceChars)},
                            {QStringLiteral("final"), u.final}});
        return words;
    }
    case ScreenTextRole:
        return DisplayText::plain(transcriptOf(c).text(), ScreenTranscript::MaxTotalChars);
    case ScreenCallerNameRole:
        return DisplayText::plain(transcriptOf(c).callerName(), 64);
    case ScreenReasonRole:
        return DisplayText::plain(transcriptOf(c).reason(), ScreenTranscript::MaxUtteranceChars);
    case DeepfakeHintRole:
        return hintOf(c).text();
    case DeepfakeSyntheticRole:
        return hintOf(c).synthetic();
    case DecisionKindRole:
        return int(CallDecision::fromCode(c.decision));
    case StateKindRole:
        return int(CallState::fromCode(c.state));
    default:
        return {};
    }
}

} // namespace kt
