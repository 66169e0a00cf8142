// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/callrecord.h"

#include <QByteArray>
#include <QHash>
#include <QString>
#include <QVariant>

namespace kt {

// The roles of a call, shared by the live list (CallListModel) and the history (HistoryModel),
// so that one delegate shows either.
class CallRoles
{
public:
    enum Role {
        CallIdRole = Qt::UserRole + 1,
        FromRole,          // E.164 or the raw caller ID as stored
        FromTextRole,      // written form of the caller: "(770) 230-0635", sanitised
        ToRole,            // the owner's number called (E.164)
        ToTextRole,        // its written form
        ToLabelRole,       // its label in the number map ("474-TREE"), may be empty
        CallerNameRole,    // the caller name (CNAM), sanitised
        DecisionRole,      // "authenticated", "allowlisted", "blocked", "rejected", "ask", ""
        ReasonRole,        // reason code: "registry", "block_rule", ...
        NamespaceRole,     // the authenticated namespace ("alice.x"), may be empty
        StateRole,         // ringing, asking, answering, forwarding, forwarded, ..., ended, failed
        StartedAtRole,     // ISO-8601 as stored
        StartedAtMsRole,   // ms since the epoch (double), 0 when unknown
        StartedTextRole,   // local time for people
        DecidedAtMsRole,   // ms since the epoch (double), 0 when not decided
        AskDeadlineMsRole, // asking: when the ask times out (ms since the epoch); else 0
        EndedAtRole,
        DurationTextRole, // "0:42" for ended calls
        HangupCauseRole,
        FlagsRole,     // QStringList: spam_likely, attestation_failed, anonymous, dry_run, ...
        DryRunRole,    // decided while screening was paused
        ActiveRole,    // not ended and not failed
        AskingRole,    // ringing for the owner (decision "ask", still active): accept or reject
        ProofRole,     // how an authenticated caller was proven: attested_caller_id, pin,
                       // caller_id_policy; "" otherwise
        ProofTextRole, // the same for people: "attested caller ID", "PIN", ...
        ClaimedNamespaceRole, // a registered number whose caller ID is not proof: its
                              // namespace ("alice.x"), sanitised; "" otherwise
        IdentityTextRole,     // the line under the caller: "✓ alice.x · PIN", "claims to be
                              // alice.x — caller ID not verified", or ""
        // A screened call (README "Screening a caller"); the words are the caller's, made plain
        // text here:
        ScreeningRole,         // the call was screened (flags.screen)
        ScreenWordsRole,       // [{text, final}] in order: interim text is the last, not final
        ScreenTextRole,        // all the words as one plain text ("" when none)
        ScreenCallerNameRole,  // the AI gather's caller_name ("" otherwise)
        ScreenReasonRole,      // the AI gather's reason ("" otherwise)
        DeepfakeHintRole,      // "the voice may be synthetic (score 0.91)", ... or ""
        DeepfakeSyntheticRole, // Telnyx's verdict is "fake"
        // The decision and the state as the enums the QML compares (codeenums.h), as ints;
        // the roles above keep the words, for the labels and the search.
        DecisionKindRole, // CallDecision::Value
        StateKindRole,    // CallState::Value
    };

    struct Context
    {
        int askTimeoutSecs = 20;
        QHash<QString, QString> numberLabels; // e164 -> label
        int screenTimeoutSecs = 45;           // a screened call's deadline
    };

    static QHash<int, QByteArray> roleNames();
    static QVariant data(const CallRecord &call, int role, const Context &context);
    // "attested caller ID", "PIN", "caller ID trusted by policy"; "" for anything else.
    static QString proofText(const QString &proof);
    static bool isActive(const CallRecord &call);
    static bool isAsking(const CallRecord &call);
    // The first words of a screened call as plain text, for a notification ("" when none).
    static QString firstWords(const CallRecord &call, int maxLength = 80);
};

} // namespace kt
