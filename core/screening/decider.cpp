// SPDX-License-Identifier: GPL-3.0-or-later
#include "decider.h"

namespace kt {

namespace {

const QString RejectWithMessage = QStringLiteral("reject_with_message");
const QString RejectPolicy = QStringLiteral("reject");
const QString AskPolicy = QStringLiteral("ask");
const QString VoicemailPolicy = QStringLiteral("voicemail");
const QString ScreenPolicy = QStringLiteral("screen");
const QString AcceptAll = QStringLiteral("accept_all");

// Caller ID text is hostile: keep at most 32 printable characters.
QString sanitise(const QString &raw)
{
    QString out;
    for (const QChar c : raw) {
        if (out.size() >= 32) {
            out += QChar(0x2026);
            break;
        }
        if (c.isPrint())
            out += c;
    }
    return out.trimmed();
}

QString consequence(Decision::Action action, bool dryRun)
{
    if (dryRun) {
        switch (action) {
        case Decision::AnswerAndForward:
            return QStringLiteral("the call was forwarded (dry run)");
        case Decision::RejectCall:
            return QStringLiteral("the call would have been rejected without answering "
                                  "(dry run: forwarded instead)");
        case Decision::AnswerAndSpeakRejection:
            return QStringLiteral("the call would have been answered with the rejection message "
                                  "(dry run: forwarded instead)");
        case Decision::Ring:
            return QStringLiteral("the owner would have been asked (dry run: forwarded instead)");
        case Decision::AnswerAndChallenge:
            return QStringLiteral("the caller would have been asked for the PIN (dry run: "
                                  "forwarded instead)");
        case Decision::AnswerAndCollectCode:
            return QStringLiteral("the caller would have been asked for the call-in code (dry "
                                  "run: forwarded instead)");
        case Decision::AnswerAndVoicemail:
            return QStringLiteral("the caller would have been asked to leave a message (dry "
                                  "run: forwarded instead)");
        case Decision::AnswerAndScreen:
            return QStringLiteral("the caller would have been screened (dry run: forwarded "
                                  "instead)");
        }
    }
    switch (action) {
    case Decision::RejectCall:
        return QStringLiteral("the call was rejected without answering");
    case Decision::AnswerAndForward:
        return QStringLiteral("the call was forwarded");
    case Decision::AnswerAndSpeakRejection:
        return QStringLiteral("the call was answered with the rejection message and hung up");
    case Decision::Ring:
        return QStringLiteral("the phone rings while the owner decides");
    case Decision::AnswerAndChallenge:
        return QStringLiteral("the call is answered and the caller is asked for the PIN");
    case Decision::AnswerAndCollectCode:
        return QStringLiteral("the call is answered and the caller is asked for the call-in "
                              "code");
    case Decision::AnswerAndVoicemail:
        return QStringLiteral("the call is answered and the caller can leave a message");
    case Decision::AnswerAndScreen:
        return QStringLiteral("the call is answered, the caller is asked who they are and "
                              "why, and the owner decides while reading the words");
    }
    return QString();
}

// Sets outcome, reason, action and the explanation; applies dry run.
Decision finish(Decision d, Decision::Outcome outcome, const QString &reason,
                Decision::Action action, const QString &cause, bool dryRun)
{
    d.outcome = outcome;
    d.reason = reason;
    d.action = action;
    d.dryRun = dryRun;
    QString sentence = cause;
    if (!sentence.isEmpty())
        sentence[0] = sentence.at(0).toUpper();
    d.explanation =
        sentence + QStringLiteral(", so ") + consequence(action, dryRun) + QLatin1Char('.');
    if (dryRun)
        d.action = Decision::AnswerAndForward;
    return d;
}

// Why a registered caller's caller ID is not proof (caller-id-trust "attested").
QString unverifiedReason(const CallFacts &facts)
{
    if (!facts.callingPartyType.isEmpty() && facts.callingPartyType != QLatin1String("pstn"))
        return QStringLiteral("the call comes over %1, where a caller can claim any number")
            .arg(sanitise(facts.callingPartyType));
    if (facts.attestation.isEmpty() && !facts.shakenStirValidated)
        return QStringLiteral("the call carries no STIR/SHAKEN attestation");
    if (facts.shakenStirValidated.has_value() && !*facts.shakenStirValidated)
        return QStringLiteral("STIR/SHAKEN did not validate the caller ID");
    if (facts.attestation != QLatin1String("A"))
        return QStringLiteral("STIR/SHAKEN attestation is %1, not A")
            .arg(facts.attestation.isEmpty() ? QStringLiteral("absent")
                                             : sanitise(facts.attestation));
    return QStringLiteral("STIR/SHAKEN did not validate the caller ID");
}

QString ruleText(const Rule &rule)
{
    return QStringLiteral("%1 rule #%2 (%3%4)")
        .arg(Rule::kindName(rule.kind))
        .arg(rule.id)
        .arg(rule.pattern, rule.singleUse ? QStringLiteral(", single use") : QString());
}

} // namespace

QString Decider::effectivePolicy(const Policy &policy)
{
    if (policy.numberPolicy == RejectWithMessage || policy.numberPolicy == RejectPolicy ||
        policy.numberPolicy == AskPolicy || policy.numberPolicy == VoicemailPolicy ||
        policy.numberPolicy == ScreenPolicy)
        return policy.numberPolicy;
    if (policy.unknownPolicy == RejectPolicy || policy.unknownPolicy == AskPolicy ||
        policy.unknownPolicy == VoicemailPolicy || policy.unknownPolicy == ScreenPolicy)
        return policy.unknownPolicy;
    return RejectWithMessage;
}

Decision::Action Decider::rejectionAction(const QString &policy)
{
    return policy == RejectPolicy ? Decision::RejectCall : Decision::AnswerAndSpeakRejection;
}

Decision Decider::decide(const CallFacts &facts, const Policy &policy,
                         const ScreeningLookup &lookup, const QDateTime &now)
{
    Decision d;
    const bool anonymous = facts.from.isEmpty();
    d.caller = anonymous ? sanitise(facts.rawFrom) : facts.from;
    const bool spam =
        facts.screeningResult.compare(QLatin1String("spam_likely"), Qt::CaseInsensitive) == 0;
    const bool attestationFalse =
        facts.shakenStirValidated.has_value() && !*facts.shakenStirValidated;

    if (!policy.toNumberKnown)
        d.flags << QStringLiteral("unknown_number");
    if (spam)
        d.flags << QStringLiteral("spam_likely");
    if (attestationFalse)
        d.flags << QStringLiteral("attestation_failed");
    if (anonymous)
        d.flags << QStringLiteral("anonymous");

    const QString policyName = effectivePolicy(policy);
    const Decision::Action rejectAction = rejectionAction(policyName);
    const bool dry = policy.dryRun;

    std::optional<Registration> reg;
    CertCheck cert;
    bool attestationFailed = false;
    QString unverifiedWhy; // a registered caller whose caller ID is not proof (2d)
    bool pinLocked = false;

    if (!anonymous) {
        // 1. Block rule.
        if (const auto block = lookup.matchRule(Rule::Block, facts.from, now)) {
            d.ruleId = block->id;
            d.ruleSingleUse = block->singleUse;
            return finish(d, Decision::Blocked, QStringLiteral("block_rule"), Decision::RejectCall,
                          QStringLiteral("%1 matches %2").arg(facts.from, ruleText(*block)), dry);
        }
        // 2. Registry.
        reg = lookup.registration(facts.from);
        if (reg) {
            d.flags << QStringLiteral("registered");
            cert = lookup.checkCertificate(reg->nameSpace, reg->certificateFingerprint, now);
            d.certificateCode = !cert.code.isEmpty() ? cert.code
                                                     : (cert.valid ? QStringLiteral("valid")
                                                                   : QStringLiteral("invalid"));
            if (cert.valid) {
                const bool attested = facts.attestation == QLatin1String("A") &&
                                      facts.shakenStirValidated.value_or(false) &&
                                      (facts.callingPartyType.isEmpty() ||
                                       facts.callingPartyType == QLatin1String("pstn"));
                const bool trustAny = policy.callerIdTrust == QLatin1String("any");
                if (policy.requireShakenStir && attestationFalse) {
                    attestationFailed = true;
                } else if (attested || trustAny) {
                    d.nameSpace = reg->nameSpace;
                    d.proof = attested ? QStringLiteral("attested_caller_id")
                                       : QStringLiteral("caller_id_policy");
                    return finish(
                        d, Decision::Authenticated, QStringLiteral("registry"),
                        Decision::AnswerAndForward,
                        attested
                            ? QStringLiteral("%1 is registered to %2, its certificate is valid "
                                             "and STIR/SHAKEN attested the caller ID (A, "
                                             "validated)")
                                  .arg(facts.from, reg->nameSpace)
                            : QStringLiteral("%1 is registered to %2 and its certificate is "
                                             "valid; the caller ID alone is taken as proof "
                                             "(caller-id-trust is any)")
                                  .arg(facts.from, reg->nameSpace),
                        dry);
                } else {
                    d.flags << QStringLiteral("caller_id_unverified");
                    d.claimedNamespace = reg->nameSpace;
                    unverifiedWhy = unverifiedReason(facts);
                    if (reg->pinSet && !reg->pinLockedAt(now)) {
                        return finish(d, Decision::Challenge,
                                      QStringLiteral("caller_id_unverified"),
                                      Decision::AnswerAndChallenge,
                                      QStringLiteral("%1 claims to be %2, but %3")
                                          .arg(facts.from, reg->nameSpace, unverifiedWhy),
                                      dry);
                    }
                    pinLocked = reg->pinSet;
                }
            } else {
                d.flags << QStringLiteral("certificate_invalid");
            }
        }
        // 3. Allow rule (wins over an invalid certificate or a failed attestation).
        if (const auto allow = lookup.matchRule(Rule::Allow, facts.from, now)) {
            d.ruleId = allow->id;
            d.ruleSingleUse = allow->singleUse;
            QString cause = QStringLiteral("%1 matches %2").arg(facts.from, ruleText(*allow));
            if (reg && !cert.valid)
                cause += QStringLiteral(", which overrides its invalid %1 certificate (%2)")
                             .arg(reg->nameSpace,
                                  cert.reason.isEmpty() ? d.certificateCode : cert.reason);
            else if (attestationFailed)
                cause += QStringLiteral(", which overrides the failed STIR/SHAKEN validation");
            else if (!unverifiedWhy.isEmpty())
                cause += QStringLiteral(" (it claims to be %1, but %2)")
                             .arg(reg->nameSpace, unverifiedWhy);
            return finish(d, Decision::Allowlisted, QStringLiteral("allow_rule"),
                          Decision::AnswerAndForward, cause, dry);
        }
    }

    const QString who = anonymous
                            ? (d.caller.isEmpty() ? QStringLiteral("a caller with no caller ID")
                                                  : QStringLiteral("\"%1\"").arg(d.caller))
                            : facts.from;

    // 4. The called number accepts everyone.
    if (policy.numberPolicy == AcceptAll) {
        return finish(
            d, Decision::Allowlisted, QStringLiteral("number_accepts_all"),
            Decision::AnswerAndForward,
            QStringLiteral("%1 accepts every caller not blocked, including %2")
                .arg(facts.to.isEmpty() ? QStringLiteral("The called number") : facts.to, who),
            dry);
    }
    // 5. Registered, certificate invalid.
    if (reg && !cert.valid) {
        return finish(d, Decision::Rejected, QStringLiteral("certificate_invalid"), rejectAction,
                      QStringLiteral("%1 is registered to %2 but its certificate is not valid (%3)")
                          .arg(facts.from, reg->nameSpace,
                               cert.reason.isEmpty() ? d.certificateCode : cert.reason),
                      dry);
    }
    // 6. Registered with a valid certificate, but STIR/SHAKEN failed.
    if (attestationFailed) {
        return finish(d, Decision::Rejected, QStringLiteral("attestation_failed"), rejectAction,
                      QStringLiteral("%1 is registered to %2 with a valid certificate, but "
                                     "STIR/SHAKEN did not validate the caller ID")
                          .arg(facts.from, reg->nameSpace),
                      dry);
    }
    // 7. Spam.
    if (spam && policy.rejectSpamLikely) {
        return finish(d, Decision::Rejected, QStringLiteral("spam_likely"), rejectAction,
                      QStringLiteral("%1 was flagged by Telnyx as likely spam").arg(who), dry);
    }
    // 8. Not a valid caller ID.
    if (anonymous) {
        return finish(
            d, Decision::Rejected, QStringLiteral("anonymous"), rejectAction,
            d.caller.isEmpty()
                ? QStringLiteral("The call has no caller ID")
                : QStringLiteral("The caller ID \"%1\" is not a valid phone number").arg(d.caller),
            dry);
    }
    // 9. Unknown caller (a registered number whose caller ID is not proof among them).
    QString cause = QStringLiteral("%1 is not registered and matches no rule").arg(who);
    QString reason = QStringLiteral("unregistered");
    if (!unverifiedWhy.isEmpty()) {
        reason = pinLocked ? QStringLiteral("pin_locked") : QStringLiteral("caller_id_unverified");
        cause = QStringLiteral("%1 claims to be %2, but %3%4")
                    .arg(facts.from, reg->nameSpace, unverifiedWhy,
                         pinLocked ? QStringLiteral(", and its PIN is locked after too many "
                                                    "wrong tries")
                                   : QStringLiteral(", and it has no PIN"));
    }
    if (policyName == AskPolicy)
        return finish(d, Decision::Ask,
                      reason == QLatin1String("unregistered") ? QStringLiteral("ask_owner")
                                                              : reason,
                      Decision::Ring, cause, dry);
    if (policyName == VoicemailPolicy)
        return finish(d, Decision::Voicemail, reason, Decision::AnswerAndVoicemail, cause, dry);
    if (policyName == ScreenPolicy)
        return finish(d, Decision::Ask,
                      reason == QLatin1String("unregistered") ? QStringLiteral("screen_owner")
                                                              : reason,
                      Decision::AnswerAndScreen, cause, dry);
    return finish(d, Decision::Rejected, reason, rejectAction, cause, dry);
}

Decision Decider::ownerDecided(bool accept, const Decision &previous, const QString &rejectPolicy)
{
    Decision d = previous;
    d.nameSpace.clear();
    d.ruleId = 0;
    d.ruleSingleUse = false;
    const QString who =
        d.caller.isEmpty() ? QStringLiteral("a caller with no caller ID") : d.caller;
    if (accept)
        return finish(
            d, Decision::Allowlisted, QStringLiteral("owner_accepted"), Decision::AnswerAndForward,
            QStringLiteral("The owner accepted the call from %1").arg(who), previous.dryRun);
    return finish(d, Decision::Rejected, QStringLiteral("owner_rejected"),
                  rejectionAction(rejectPolicy),
                  QStringLiteral("The owner rejected the call from %1").arg(who), previous.dryRun);
}

Decision Decider::ownerSentToVoicemail(const Decision &previous)
{
    Decision d = previous;
    d.nameSpace.clear();
    d.ruleId = 0;
    d.ruleSingleUse = false;
    const QString who =
        d.caller.isEmpty() ? QStringLiteral("a caller with no caller ID") : d.caller;
    return finish(
        d, Decision::Voicemail, QStringLiteral("owner_voicemail"), Decision::AnswerAndVoicemail,
        QStringLiteral("The owner sent the call from %1 to voicemail").arg(who), previous.dryRun);
}

Decision Decider::pinAccepted(const Decision &previous)
{
    Decision d = previous;
    d.nameSpace = previous.claimedNamespace;
    d.proof = QStringLiteral("pin");
    d.ruleId = 0;
    d.ruleSingleUse = false;
    return finish(d, Decision::Authenticated, QStringLiteral("registry_pin"),
                  Decision::AnswerAndForward,
                  QStringLiteral("%1 is registered to %2 and the caller entered its PIN")
                      .arg(d.caller, d.claimedNamespace),
                  previous.dryRun);
}

Decision Decider::pinRejected(const Decision &previous, bool locked)
{
    Decision d = previous;
    d.nameSpace.clear();
    d.proof.clear();
    d.ruleId = 0;
    d.ruleSingleUse = false;
    return finish(
        d, Decision::Rejected, locked ? QStringLiteral("pin_locked") : QStringLiteral("pin_failed"),
        Decision::AnswerAndSpeakRejection,
        locked ? QStringLiteral("%1 claims to be %2, but its PIN is locked after too many wrong "
                                "tries")
                     .arg(d.caller, d.claimedNamespace)
               : QStringLiteral("%1 claims to be %2, but the caller did not enter its PIN")
                     .arg(d.caller, d.claimedNamespace),
        previous.dryRun);
}

Decision Decider::registrationCallIn(const Decision &screened, bool dryRun)
{
    Decision d;
    d.caller = screened.caller;
    d.flags = screened.flags;
    d.certificateCode = screened.certificateCode;
    return finish(d, Decision::Challenge, QStringLiteral("registration_call_in"),
                  Decision::AnswerAndCollectCode,
                  QStringLiteral("%1 has a self-registration waiting for its call").arg(d.caller),
                  dryRun);
}

Decision Decider::callInProven(const Decision &previous)
{
    Decision d = previous;
    d = finish(d, Decision::Challenge, QStringLiteral("registration_phone_proven"),
               Decision::AnswerAndSpeakRejection, QString(), previous.dryRun);
    d.explanation = QStringLiteral("%1 keyed in the call-in code of its self-registration, so "
                                   "the phone is proven and the call ends with a confirmation.")
                        .arg(d.caller);
    return d;
}

Decision Decider::callInFailed(const Decision &previous)
{
    Decision d = previous;
    d = finish(d, Decision::Rejected, QStringLiteral("registration_code_failed"),
               Decision::AnswerAndSpeakRejection, QString(), previous.dryRun);
    d.explanation = QStringLiteral("%1 did not key in the call-in code of its "
                                   "self-registration, so the call ends with a spoken failure.")
                        .arg(d.caller);
    return d;
}

Decision Decider::askTimedOut(const QString &defaultPolicy, const Decision &previous)
{
    Decision d = previous;
    d.nameSpace.clear();
    d.ruleId = 0;
    d.ruleSingleUse = false;
    const QString who =
        d.caller.isEmpty() ? QStringLiteral("a caller with no caller ID") : d.caller;
    const QString cause =
        QStringLiteral("The owner did not decide about the call from %1 in time").arg(who);
    if (defaultPolicy == VoicemailPolicy)
        return finish(d, Decision::Voicemail, QStringLiteral("ask_timeout"),
                      Decision::AnswerAndVoicemail, cause, previous.dryRun);
    return finish(d, Decision::Rejected, QStringLiteral("ask_timeout"),
                  rejectionAction(defaultPolicy), cause, previous.dryRun);
}

} // namespace kt
