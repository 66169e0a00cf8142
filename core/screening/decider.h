// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "decision.h"
#include "screeninglookup.h"

#include <QDateTime>
#include <QString>

#include <optional>

namespace kt {

// What the engine knows about an incoming call.initiated (docs/telnyx-api.md §1.2), already
// normalised.
struct CallFacts
{
    QString from;         // E.164, or empty when the caller ID is not a valid number (anonymous)
    QString rawFrom;      // the payload's `from`, as sent (hostile input)
    QString to;           // E.164 of the owner's number that was called
    QString callerIdName; // as sent (hostile input); not used for the decision
    QString attestation;  // shaken_stir_attestation "A" | "B" | "C" | ""
    std::optional<bool> shakenStirValidated; // absent = no attestation (docs/telnyx-api.md §6)
    QString screeningResult;                 // call_screening_result, e.g. "spam_likely"
    // calling_party_type: "pstn", "sip", ...; empty when the payload has none.
    QString callingPartyType;
};

// The owner's screening configuration as it applies to this call.
struct Policy
{
    QString unknownPolicy =
        QStringLiteral("reject_with_message"); // | reject | ask | voicemail | screen
    bool requireShakenStir = true;
    // caller-id-trust: "attested" (default) or "any" (the caller ID alone is proof).
    QString callerIdTrust = QStringLiteral("attested");
    bool rejectSpamLikely = false;
    bool dryRun = false;
    // The called number's override from the number map: "" (default), "accept_all",
    // "reject_with_message", "reject", "ask", "voicemail", "screen".
    QString numberPolicy;
    bool toNumberKnown = true; // false: the called number is not in the map (screened, flagged)
};

// The decision procedure (README "What a call gets"). Pure: no I/O, no clock (now is given).
//
// Order, first match wins:
//  1. block rule on the caller                       -> blocked / block_rule, RejectCall
//  2. registered, certificate valid:
//     a. requireShakenStir and shaken_stir_validated explicitly false -> not authenticated,
//        continue (6 applies if nothing else matches): a failed verdict is final.
//     b. the caller ID is proof                      -> authenticated / registry, AnswerAndForward,
//        nameSpace set, proof "attested_caller_id" or "caller_id_policy". With callerIdTrust
//        "attested" the caller ID is proof only when shaken_stir_attestation is "A",
//        shaken_stir_validated is true and calling_party_type is "pstn" (a SIP caller can claim
//        any number). An ABSENT calling_party_type counts as not SIP: Telnyx's own calls carry
//        "pstn", and the A attestation, which a SIP caller cannot get, is still required. With
//        "any" the caller ID alone is proof (proof "caller_id_policy", unless it was attested).
//     c. not proof, the registration has a PIN and is not locked -> challenge /
//        caller_id_unverified, AnswerAndChallenge, claimedNamespace set (the state machine asks
//        for the PIN: authenticated / registry_pin, or rejected / pin_failed).
//     d. not proof, otherwise                        -> flag caller_id_unverified, continue: an
//        unknown caller (9) with reason caller_id_unverified, or pin_locked when the
//        registration's PIN is locked, claimedNamespace kept, unless a rule or the number's
//        accept_all decides first.
//  3. allow rule on the caller                       -> allowlisted / allow_rule, AnswerAndForward.
//     An explicit allow rule wins over an invalid certificate (5) and a failed attestation (6):
//     the owner named this number.
//  4. the called number's policy is accept_all       -> allowlisted / number_accepts_all (anyone
//     not blocked, anonymous callers included)
//  5. registered, certificate invalid                -> rejected / certificate_invalid
//  6. attestation failed (see 2)                     -> rejected / attestation_failed
//  7. spam_likely and rejectSpamLikely               -> rejected / spam_likely
//  8. caller ID not a valid number                   -> rejected / anonymous (rules can't match)
//  9. anyone else, by the effective unknown policy   -> reject_with_message: rejected /
//     unregistered, AnswerAndSpeakRejection; reject: rejected / unregistered, RejectCall;
//     ask: ask / ask_owner, Ring; voicemail: voicemail / unregistered, AnswerAndVoicemail (the
//     caller can leave a message); screen: ask / screen_owner, AnswerAndScreen (answered, heard
//     and decided by the owner). A registered caller from 2d keeps the reason
//     caller_id_unverified (or pin_locked) whatever the policy.
// Rejections in 5-8 use RejectCall when the effective policy is "reject", otherwise
// AnswerAndSpeakRejection (an "ask", "voicemail" or "screen" policy applies only to unknown
// callers). The effective policy is the number's override when it is reject_with_message,
// reject, ask, voicemail or screen,
// else Policy::unknownPolicy (an unrecognised value reads as reject_with_message).
// Flags are recorded whatever the outcome (see Decision::flags).
// dryRun: outcome, reason and flags as usual; action becomes AnswerAndForward, dryRun = true and
// the explanation says what would have happened.
// A single-use rule that decides sets ruleId and ruleSingleUse; consuming it is the engine's job.
class Decider
{
public:
    static Decision decide(const CallFacts &facts, const Policy &policy,
                           const ScreeningLookup &lookup, const QDateTime &now);

    // The owner answered an Ask: accept -> allowlisted / owner_accepted, AnswerAndForward;
    // reject -> rejected / owner_rejected with rejectionAction(rejectPolicy). Caller, flags and
    // dryRun are kept from `previous`.
    static Decision
    ownerDecided(bool accept, const Decision &previous,
                 const QString &rejectPolicy = QStringLiteral("reject_with_message"));
    // The owner sent a ringing call to voicemail: voicemail / owner_voicemail,
    // AnswerAndVoicemail. Caller, flags and dryRun are kept from `previous`.
    static Decision ownerSentToVoicemail(const Decision &previous);
    // The owner did not decide in time: with defaultPolicy "voicemail" voicemail / ask_timeout,
    // AnswerAndVoicemail; otherwise rejected / ask_timeout with rejectionAction(defaultPolicy)
    // ("reject" -> RejectCall, anything else -> AnswerAndSpeakRejection).
    static Decision askTimedOut(const QString &defaultPolicy, const Decision &previous);
    // The PIN challenge's end: right -> authenticated / registry_pin, AnswerAndForward, nameSpace
    // = the claimed namespace, proof "pin"; too many wrong PINs -> rejected / pin_failed; the
    // registration locked meanwhile -> rejected / pin_locked (both AnswerAndSpeakRejection: the
    // call is answered already). Caller, flags and dryRun are kept from `previous`.
    static Decision pinAccepted(const Decision &previous);
    static Decision pinRejected(const Decision &previous, bool locked);

    // Self-registration's call-in (README "Self-registration"): a call from a phone whose
    // registration waits for its call, on the number the page showed. registrationCallIn:
    // challenge / registration_call_in, AnswerAndCollectCode, caller and flags kept from the
    // screening decision `screened`. The end: the right code -> challenge /
    // registration_phone_proven, no right code -> rejected / registration_code_failed, both
    // AnswerAndSpeakRejection (the call state machine speaks the confirmation or the failure
    // for these reasons, not the rejection message).
    static Decision registrationCallIn(const Decision &screened, bool dryRun);
    static Decision callInProven(const Decision &previous);
    static Decision callInFailed(const Decision &previous);

    // The number's override (reject_with_message | reject | ask | voicemail) or the default
    // policy.
    static QString effectivePolicy(const Policy &policy);
    static Decision::Action rejectionAction(const QString &policy);
};

} // namespace kt
