// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

namespace kt {

// The screening decision for one incoming call (README "What a call gets"). Pure value.
struct Decision
{
    enum Outcome { Blocked, Authenticated, Allowlisted, Rejected, Ask, Challenge, Voicemail };

    // What the call state machine does with the call.
    enum Action {
        RejectCall,              // `reject` with CALL_REJECTED; never answered
        AnswerAndForward,        // `answer`, then `transfer` to the forward-to number
        AnswerAndSpeakRejection, // `answer`, `speak` the rejection message, `hangup`
        Ring,                    // ask: leave it ringing while the owner decides
        AnswerAndChallenge,      // `answer`, then `gather_using_speak` for the registration's PIN
        // `answer`, then `gather_using_speak` for a self-registration's call-in code (README
        // "Self-registration"); the call then ends with a spoken confirmation or failure.
        AnswerAndCollectCode,
        AnswerAndVoicemail, // `answer`, `speak` the greeting, `record_start` a message
        // screen: `answer`, a greeting and live transcription (or the AI gather) while the owner
        // reads the caller's words and decides (README "Screening a caller").
        AnswerAndScreen,
    };

    Outcome outcome = Rejected;
    // The caller as the explanation names it: the E.164 number, or the sanitised raw caller ID
    // (at most 32 printable characters) when it is not a valid number.
    QString caller;
    // Reason codes: block_rule, registry, allow_rule, number_accepts_all, unregistered,
    // certificate_invalid, attestation_failed, spam_likely, anonymous, ask_owner,
    // screen_owner (the screen policy: the caller is answered and heard while the owner decides),
    // owner_accepted, owner_rejected, owner_voicemail, ask_timeout, caller_id_unverified (a
    // registered number whose caller ID is not proven: a challenge, or an unknown caller),
    // registry_pin (the right PIN), pin_failed (too many wrong PINs), pin_locked (the
    // registration takes no PIN for now), registration_call_in (a phone with a
    // self-registration waiting for its call: the call-in code is asked for),
    // registration_phone_proven (the right code: the call ends with a spoken confirmation),
    // registration_code_failed (no right code: a spoken failure).
    QString reason;
    QString nameSpace; // the authenticated namespace (registry decisions only)
    // How an authenticated caller proved who they are: "attested_caller_id" (STIR/SHAKEN A,
    // validated, a PSTN call), "pin" (the registration's PIN), "caller_id_policy" (the caller ID
    // alone, because caller-id-trust is `any`); empty for every other decision.
    QString proof;
    // The namespace a registered number claims when its caller ID is not proven (challenge,
    // caller_id_unverified, pin_locked, pin_failed, and the owner's decision on such a call);
    // empty otherwise. Shown as "claims to be alice.x".
    QString claimedNamespace;
    qint64 ruleId = 0;          // the block/allow rule that decided, 0 when none
    bool ruleSingleUse = false; // that rule is single-use: the engine consumes it (usedAt)
    Action action = AnswerAndSpeakRejection;
    bool dryRun = false; // computed as usual, but `action` is AnswerAndForward
    // Observations, in a fixed order, whatever the outcome:
    //   unknown_number      the called number (to) is not in the owner's number map
    //   spam_likely         Telnyx call_screening_result is spam_likely
    //   attestation_failed  shaken_stir_validated is explicitly false (absent = no flag)
    //   anonymous           the caller ID is not a valid phone number
    //   registered          the caller's number is in the registry (whatever its certificate)
    //   certificate_invalid the registered caller's certificate did not verify
    //   caller_id_unverified a registered caller with a valid certificate whose caller ID is not
    //                       proof (see Decider)
    QStringList flags;
    QString certificateCode; // CertCheck::code for a registered caller, else empty
    QString explanation;     // one plain English sentence for the UI

    QString decisionName() const { return outcomeName(outcome); }
    QString actionName() const { return actionName(action); }
    bool hasFlag(const QString &flag) const { return flags.contains(flag); }

    // "blocked", "authenticated", "allowlisted", "rejected", "ask", "challenge", "voicemail"
    static QString outcomeName(Outcome outcome);
    static std::optional<Outcome> outcomeFromName(const QString &name);
    // "reject_call", "answer_and_forward", "answer_and_speak_rejection", "ring",
    // "answer_and_challenge", "answer_and_collect_code", "answer_and_voicemail",
    // "answer_and_screen"
    static QString actionName(Action action);
    static std::optional<Action> actionFromName(const QString &name);

    // {"decision", "caller", "reason", "namespace", "rule_id", "rule_single_use", "action",
    // "dry_run", "flags": [...], "certificate_code", "explanation", "proof",
    //  "claimed_namespace"}
    QJsonObject toJson() const;
    static std::optional<Decision> fromJson(const QJsonObject &json, QString *error = nullptr);

    bool operator==(const Decision &o) const;
    bool operator!=(const Decision &o) const { return !(*this == o); }
};

} // namespace kt
