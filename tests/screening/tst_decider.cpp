// SPDX-License-Identifier: GPL-3.0-or-later
#include "screening/decider.h"

#include <QtTest>

#include <functional>

using kt::CallFacts;
using kt::CertCheck;
using kt::Decider;
using kt::Decision;
using kt::Policy;
using kt::Registration;
using kt::Rule;
using kt::RuleSet;

namespace {

const QDateTime Now = QDateTime(QDate(2026, 3, 1), QTime(12, 0), Qt::UTC);
const QString Caller = QStringLiteral("+17702300635");
const QString Owner = QStringLiteral("+18886115384");

// The world, in memory.
class FakeLookup : public kt::ScreeningLookup
{
public:
    RuleSet rules;
    QHash<QString, Registration> registry;
    QHash<QString, CertCheck> certs; // by namespace
    mutable int ruleQueries = 0;

    std::optional<Rule> matchRule(Rule::Kind kind, const QString &e164,
                                  const QDateTime &now) const override
    {
        ++ruleQueries;
        return rules.match(kind, e164, now);
    }
    std::optional<Registration> registration(const QString &e164) const override
    {
        const auto it = registry.constFind(e164);
        if (it == registry.constEnd())
            return std::nullopt;
        return *it;
    }
    CertCheck checkCertificate(const QString &nameSpace, const QString &fingerprint,
                               const QDateTime &) const override
    {
        if (!certs.contains(nameSpace))
            return {false, QStringLiteral("missing"),
                    QStringLiteral("no certificate for %1").arg(nameSpace)};
        CertCheck c = certs.value(nameSpace);
        if (c.valid && fingerprint != QLatin1String("ab12"))
            return {false, QStringLiteral("fingerprint_mismatch"),
                    QStringLiteral("not the certificate that was registered")};
        return c;
    }
};

// One row of the decision table.
struct Case
{
    // input
    QString from = Caller;
    QString rawFrom = Caller;
    std::optional<bool> validated;
    QString screening;
    QStringList rules;  // "block +1770*", "allow +17702300635 expired single used"
    QString registered; // namespace the caller is registered to, or empty
    QString cert = QStringLiteral("valid"); // the namespace certificate's check code
    QString fingerprint = QStringLiteral("ab12");
    QString attestation = QStringLiteral("derived"); // "derived": "A" when validated is set
    QString partyType;                               // calling_party_type, "" = absent
    bool pin = false;                                // the registration has a PIN
    bool pinLocked = false;                          // ... locked after too many wrong tries
    Policy policy;
    // expected
    QString outcome;
    QString reason;
    QString action;
    QStringList flags;
    QString nameSpace;
    qint64 ruleId = 0;
    bool ruleSingleUse = false;
    QString proof;
    QString claimed;
};

void setUp(FakeLookup &lookup, const Case &c)
{
    qint64 id = 0;
    for (const QString &spec : c.rules) {
        const QStringList parts = spec.split(QLatin1Char(' '));
        Rule r;
        r.id = ++id;
        r.kind = parts.at(0) == QLatin1String("allow") ? Rule::Allow : Rule::Block;
        r.pattern = parts.at(1);
        r.createdAt = Now.addDays(-1);
        if (parts.contains(QLatin1String("expired")))
            r.until = Now.addSecs(-60);
        if (parts.contains(QLatin1String("future")))
            r.until = Now.addDays(1);
        r.singleUse = parts.contains(QLatin1String("single"));
        if (parts.contains(QLatin1String("used")))
            r.usedAt = Now.addSecs(-10);
        QVERIFY(Rule::isValidPattern(r.pattern));
        lookup.rules.add(r);
    }
    if (!c.registered.isEmpty()) {
        lookup.registry.insert(c.from,
                               Registration{c.from, c.registered, c.fingerprint, Now.addDays(-3),
                                            c.pin, c.pinLocked ? Now.addSecs(600) : QDateTime()});
        if (c.cert != QLatin1String("missing")) {
            const bool valid = c.cert == QLatin1String("valid");
            lookup.certs.insert(
                c.registered,
                CertCheck{
                    valid, c.cert,
                    valid ? QString()
                          : QStringLiteral("certificate for %1 is %2").arg(c.registered, c.cert)});
        }
    }
}

CallFacts facts(const Case &c)
{
    CallFacts f;
    f.from = c.from;
    f.rawFrom = c.rawFrom;
    f.to = Owner;
    f.callerIdName = c.rawFrom;
    f.shakenStirValidated = c.validated;
    f.attestation = c.attestation == QLatin1String("derived")
                        ? (c.validated ? QStringLiteral("A") : QString())
                        : c.attestation;
    f.callingPartyType = c.partyType;
    f.screeningResult = c.screening;
    return f;
}

QList<Case> decisionCases(QStringList *names)
{
    QList<Case> list;
    auto add = [&](const char *name, const std::function<void(Case &)> &setup) {
        Case c;
        setup(c);
        list.append(c);
        names->append(QString::fromLatin1(name));
    };
    auto rejected = [](Case &c, const char *reason) {
        c.outcome = QStringLiteral("rejected");
        c.reason = QString::fromLatin1(reason);
        c.action = QStringLiteral("answer_and_speak_rejection");
    };
    auto forwarded = [](Case &c, const char *outcome, const char *reason) {
        c.outcome = QString::fromLatin1(outcome);
        c.reason = QString::fromLatin1(reason);
        c.action = QStringLiteral("answer_and_forward");
    };
    auto blocked = [](Case &c) {
        c.outcome = QStringLiteral("blocked");
        c.reason = QStringLiteral("block_rule");
        c.action = QStringLiteral("reject_call");
        c.ruleId = 1;
    };

    // Block rules.
    add("block exact", [&](Case &c) {
        c.rules = {QStringLiteral("block +17702300635")};
        blocked(c);
    });
    add("block prefix", [&](Case &c) {
        c.rules = {QStringLiteral("block +1770*")};
        blocked(c);
    });
    add("block beats registry", [&](Case &c) {
        c.rules = {QStringLiteral("block +1770*")};
        c.registered = QStringLiteral("alice.x");
        blocked(c);
        c.flags = QStringList(); // decided before the registry is consulted
    });
    add("block beats allow", [&](Case &c) {
        c.rules = {QStringLiteral("block +1770*"), QStringLiteral("allow +17702300635")};
        blocked(c);
    });
    add("block beats accept_all", [&](Case &c) {
        c.rules = {QStringLiteral("block +17702300635")};
        c.policy.numberPolicy = QStringLiteral("accept_all");
        blocked(c);
    });
    add("expired block ignored", [&](Case &c) {
        c.rules = {QStringLiteral("block +17702300635 expired")};
        rejected(c, "unregistered");
    });
    add("single-use block", [&](Case &c) {
        c.rules = {QStringLiteral("block +17702300635 single")};
        blocked(c);
        c.ruleSingleUse = true;
    });

    // Registry.
    add("registry valid", [&](Case &c) {
        c.registered = QStringLiteral("alice.x");
        c.validated = true;
        forwarded(c, "authenticated", "registry");
        c.proof = QStringLiteral("attested_caller_id");
        c.nameSpace = QStringLiteral("alice.x");
        c.flags = {QStringLiteral("registered")};
    });
    for (const char *code : {"expired", "revoked", "untrusted", "not_yet_valid", "wrong_namespace",
                             "missing", "malformed"}) {
        const QByteArray name = QByteArray("registry ") + code + " -> certificate_invalid";
        add(name.constData(), [&, code](Case &c) {
            c.registered = QStringLiteral("alice.x");
            c.cert = QString::fromLatin1(code);
            rejected(c, "certificate_invalid");
            c.flags = {QStringLiteral("registered"), QStringLiteral("certificate_invalid")};
        });
    }
    add("registry fingerprint mismatch -> certificate_invalid", [&](Case &c) {
        c.registered = QStringLiteral("alice.x");
        c.fingerprint = QStringLiteral("ffff");
        rejected(c, "certificate_invalid");
        c.flags = {QStringLiteral("registered"), QStringLiteral("certificate_invalid")};
    });
    add("certificate_invalid with reject policy", [&](Case &c) {
        c.registered = QStringLiteral("alice.x");
        c.cert = QStringLiteral("revoked");
        c.policy.unknownPolicy = QStringLiteral("reject");
        rejected(c, "certificate_invalid");
        c.action = QStringLiteral("reject_call");
        c.flags = {QStringLiteral("registered"), QStringLiteral("certificate_invalid")};
    });
    add("certificate_invalid with ask policy is not asked", [&](Case &c) {
        c.registered = QStringLiteral("alice.x");
        c.cert = QStringLiteral("revoked");
        c.policy.unknownPolicy = QStringLiteral("ask");
        rejected(c, "certificate_invalid");
        c.flags = {QStringLiteral("registered"), QStringLiteral("certificate_invalid")};
    });
    add("registry invalid cert + allow rule -> allowlisted", [&](Case &c) {
        c.registered = QStringLiteral("alice.x");
        c.cert = QStringLiteral("expired");
        c.rules = {QStringLiteral("allow +17702300635")};
        forwarded(c, "allowlisted", "allow_rule");
        c.ruleId = 1;
        c.flags = {QStringLiteral("registered"), QStringLiteral("certificate_invalid")};
    });
    add("registry + validated false, required -> attestation_failed", [&](Case &c) {
        c.registered = QStringLiteral("alice.x");
        c.validated = false;
        rejected(c, "attestation_failed");
        c.flags = {QStringLiteral("attestation_failed"), QStringLiteral("registered")};
    });
    add("registry + validated false, not required, trust any -> authenticated", [&](Case &c) {
        c.registered = QStringLiteral("alice.x");
        c.validated = false;
        c.policy.callerIdTrust = QStringLiteral("any");
        c.proof = QStringLiteral("caller_id_policy");
        c.policy.requireShakenStir = false;
        forwarded(c, "authenticated", "registry");
        c.nameSpace = QStringLiteral("alice.x");
        c.flags = {QStringLiteral("attestation_failed"), QStringLiteral("registered")};
    });
    add("registry + validated absent, trust any -> authenticated", [&](Case &c) {
        c.registered = QStringLiteral("alice.x");
        c.validated = std::nullopt;
        c.policy.callerIdTrust = QStringLiteral("any");
        c.proof = QStringLiteral("caller_id_policy");
        forwarded(c, "authenticated", "registry");
        c.nameSpace = QStringLiteral("alice.x");
        c.flags = {QStringLiteral("registered")};
    });
    add("registry + validated true -> authenticated", [&](Case &c) {
        c.registered = QStringLiteral("alice.x");
        c.validated = true;
        forwarded(c, "authenticated", "registry");
        c.proof = QStringLiteral("attested_caller_id");
        c.nameSpace = QStringLiteral("alice.x");
        c.flags = {QStringLiteral("registered")};
    });
    add("registry + validated false + allow rule -> allowlisted", [&](Case &c) {
        c.registered = QStringLiteral("alice.x");
        c.validated = false;
        c.rules = {QStringLiteral("allow +1770*")};
        forwarded(c, "allowlisted", "allow_rule");
        c.ruleId = 1;
        c.flags = {QStringLiteral("attestation_failed"), QStringLiteral("registered")};
    });
    add("registry + validated false + accept_all -> allowlisted", [&](Case &c) {
        c.registered = QStringLiteral("alice.x");
        c.validated = false;
        c.policy.numberPolicy = QStringLiteral("accept_all");
        forwarded(c, "allowlisted", "number_accepts_all");
        c.flags = {QStringLiteral("attestation_failed"), QStringLiteral("registered")};
    });
    add("validated false, unregistered -> unregistered", [&](Case &c) {
        c.validated = false;
        rejected(c, "unregistered");
        c.flags = {QStringLiteral("attestation_failed")};
    });

    // Allow rules.
    add("allow exact", [&](Case &c) {
        c.rules = {QStringLiteral("allow +17702300635")};
        forwarded(c, "allowlisted", "allow_rule");
        c.ruleId = 1;
    });
    add("allow prefix", [&](Case &c) {
        c.rules = {QStringLiteral("allow +1770*")};
        forwarded(c, "allowlisted", "allow_rule");
        c.ruleId = 1;
    });
    add("allow most specific", [&](Case &c) {
        c.rules = {QStringLiteral("allow +1*"), QStringLiteral("allow +17702300635"),
                   QStringLiteral("allow +1770*")};
        forwarded(c, "allowlisted", "allow_rule");
        c.ruleId = 2;
    });
    add("allow with future expiry", [&](Case &c) {
        c.rules = {QStringLiteral("allow +17702300635 future")};
        forwarded(c, "allowlisted", "allow_rule");
        c.ruleId = 1;
    });
    add("expired allow ignored", [&](Case &c) {
        c.rules = {QStringLiteral("allow +17702300635 expired")};
        rejected(c, "unregistered");
    });
    add("single-use allow", [&](Case &c) {
        c.rules = {QStringLiteral("allow +17702300635 single")};
        forwarded(c, "allowlisted", "allow_rule");
        c.ruleId = 1;
        c.ruleSingleUse = true;
    });
    add("consumed single-use allow ignored", [&](Case &c) {
        c.rules = {QStringLiteral("allow +17702300635 single used")};
        rejected(c, "unregistered");
    });
    add("consumed single-use falls back to prefix", [&](Case &c) {
        c.rules = {QStringLiteral("allow +17702300635 single used"),
                   QStringLiteral("allow +1770*")};
        forwarded(c, "allowlisted", "allow_rule");
        c.ruleId = 2;
    });
    add("registry valid beats allow", [&](Case &c) {
        c.registered = QStringLiteral("alice.x");
        c.rules = {QStringLiteral("allow +17702300635")};
        c.validated = true;
        forwarded(c, "authenticated", "registry");
        c.proof = QStringLiteral("attested_caller_id");
        c.nameSpace = QStringLiteral("alice.x");
        c.flags = {QStringLiteral("registered")};
    });

    // Unknown callers, by policy.
    add("unknown reject_with_message", [&](Case &c) { rejected(c, "unregistered"); });
    add("unknown reject", [&](Case &c) {
        c.policy.unknownPolicy = QStringLiteral("reject");
        rejected(c, "unregistered");
        c.action = QStringLiteral("reject_call");
    });
    add("unknown ask", [&](Case &c) {
        c.policy.unknownPolicy = QStringLiteral("ask");
        c.outcome = QStringLiteral("ask");
        c.reason = QStringLiteral("ask_owner");
        c.action = QStringLiteral("ring");
    });
    add("unknown voicemail", [&](Case &c) {
        c.policy.unknownPolicy = QStringLiteral("voicemail");
        c.outcome = QStringLiteral("voicemail");
        c.reason = QStringLiteral("unregistered");
        c.action = QStringLiteral("answer_and_voicemail");
    });
    add("number override voicemail", [&](Case &c) {
        c.policy.unknownPolicy = QStringLiteral("reject");
        c.policy.numberPolicy = QStringLiteral("voicemail");
        c.outcome = QStringLiteral("voicemail");
        c.reason = QStringLiteral("unregistered");
        c.action = QStringLiteral("answer_and_voicemail");
    });
    add("voicemail does not take a spammer's message", [&](Case &c) {
        c.policy.unknownPolicy = QStringLiteral("voicemail");
        c.policy.rejectSpamLikely = true;
        c.screening = QStringLiteral("spam_likely");
        rejected(c, "spam_likely");
        c.flags = {QStringLiteral("spam_likely")};
    });
    add("unknown policy garbage reads as reject_with_message", [&](Case &c) {
        c.policy.unknownPolicy = QStringLiteral("shrug");
        rejected(c, "unregistered");
    });
    add("number override accept_all", [&](Case &c) {
        c.policy.numberPolicy = QStringLiteral("accept_all");
        forwarded(c, "allowlisted", "number_accepts_all");
    });
    add("number override ask", [&](Case &c) {
        c.policy.numberPolicy = QStringLiteral("ask");
        c.outcome = QStringLiteral("ask");
        c.reason = QStringLiteral("ask_owner");
        c.action = QStringLiteral("ring");
    });
    add("number override reject", [&](Case &c) {
        c.policy.unknownPolicy = QStringLiteral("ask");
        c.policy.numberPolicy = QStringLiteral("reject");
        rejected(c, "unregistered");
        c.action = QStringLiteral("reject_call");
    });
    add("number override reject_with_message", [&](Case &c) {
        c.policy.unknownPolicy = QStringLiteral("ask");
        c.policy.numberPolicy = QStringLiteral("reject_with_message");
        rejected(c, "unregistered");
    });
    add("unknown to-number flagged", [&](Case &c) {
        c.policy.toNumberKnown = false;
        rejected(c, "unregistered");
        c.flags = {QStringLiteral("unknown_number")};
    });
    add("unknown to-number still authenticates", [&](Case &c) {
        c.policy.toNumberKnown = false;
        c.registered = QStringLiteral("alice.x");
        c.validated = true;
        forwarded(c, "authenticated", "registry");
        c.proof = QStringLiteral("attested_caller_id");
        c.nameSpace = QStringLiteral("alice.x");
        c.flags = {QStringLiteral("unknown_number"), QStringLiteral("registered")};
    });

    // Spam.
    add("spam flagged only", [&](Case &c) {
        c.screening = QStringLiteral("spam_likely");
        rejected(c, "unregistered");
        c.flags = {QStringLiteral("spam_likely")};
    });
    add("spam rejected", [&](Case &c) {
        c.screening = QStringLiteral("spam_likely");
        c.policy.rejectSpamLikely = true;
        c.policy.unknownPolicy = QStringLiteral("ask");
        rejected(c, "spam_likely");
        c.flags = {QStringLiteral("spam_likely")};
    });
    add("spam rejected, reject policy", [&](Case &c) {
        c.screening = QStringLiteral("spam_likely");
        c.policy.rejectSpamLikely = true;
        c.policy.unknownPolicy = QStringLiteral("reject");
        rejected(c, "spam_likely");
        c.action = QStringLiteral("reject_call");
        c.flags = {QStringLiteral("spam_likely")};
    });
    add("spam authenticated anyway", [&](Case &c) {
        c.screening = QStringLiteral("spam_likely");
        c.policy.rejectSpamLikely = true;
        c.registered = QStringLiteral("alice.x");
        c.validated = true;
        forwarded(c, "authenticated", "registry");
        c.proof = QStringLiteral("attested_caller_id");
        c.nameSpace = QStringLiteral("alice.x");
        c.flags = {QStringLiteral("spam_likely"), QStringLiteral("registered")};
    });
    add("spam allowlisted anyway", [&](Case &c) {
        c.screening = QStringLiteral("spam_likely");
        c.policy.rejectSpamLikely = true;
        c.rules = {QStringLiteral("allow +1770*")};
        forwarded(c, "allowlisted", "allow_rule");
        c.ruleId = 1;
        c.flags = {QStringLiteral("spam_likely")};
    });

    // Anonymous callers.
    add("anonymous", [&](Case &c) {
        c.from.clear();
        c.rawFrom = QStringLiteral("anonymous");
        rejected(c, "anonymous");
        c.flags = {QStringLiteral("anonymous")};
    });
    add("anonymous with ask policy is rejected", [&](Case &c) {
        c.from.clear();
        c.rawFrom = QStringLiteral("Restricted");
        c.policy.unknownPolicy = QStringLiteral("ask");
        rejected(c, "anonymous");
        c.flags = {QStringLiteral("anonymous")};
    });
    add("anonymous with reject policy", [&](Case &c) {
        c.from.clear();
        c.rawFrom = QString();
        c.policy.unknownPolicy = QStringLiteral("reject");
        rejected(c, "anonymous");
        c.action = QStringLiteral("reject_call");
        c.flags = {QStringLiteral("anonymous")};
    });
    add("anonymous and a catch-all prefix rule", [&](Case &c) {
        c.from.clear();
        c.rawFrom = QStringLiteral("anonymous");
        c.rules = {QStringLiteral("allow +1*")};
        rejected(c, "anonymous");
        c.flags = {QStringLiteral("anonymous")};
    });
    add("anonymous accepted by accept_all", [&](Case &c) {
        c.from.clear();
        c.rawFrom = QStringLiteral("anonymous");
        c.policy.numberPolicy = QStringLiteral("accept_all");
        forwarded(c, "allowlisted", "number_accepts_all");
        c.flags = {QStringLiteral("anonymous")};
    });

    // Dry run: recorded as usual, forwarded.
    add("dry run blocked", [&](Case &c) {
        c.rules = {QStringLiteral("block +17702300635")};
        c.policy.dryRun = true;
        blocked(c);
        c.action = QStringLiteral("answer_and_forward");
    });
    add("dry run unregistered", [&](Case &c) {
        c.policy.dryRun = true;
        rejected(c, "unregistered");
        c.action = QStringLiteral("answer_and_forward");
    });
    add("dry run ask", [&](Case &c) {
        c.policy.dryRun = true;
        c.policy.unknownPolicy = QStringLiteral("ask");
        c.outcome = QStringLiteral("ask");
        c.reason = QStringLiteral("ask_owner");
        c.action = QStringLiteral("answer_and_forward");
    });
    add("dry run authenticated", [&](Case &c) {
        c.policy.dryRun = true;
        c.registered = QStringLiteral("alice.x");
        c.validated = true;
        forwarded(c, "authenticated", "registry");
        c.proof = QStringLiteral("attested_caller_id");
        c.nameSpace = QStringLiteral("alice.x");
        c.flags = {QStringLiteral("registered")};
    });

    // Caller ID is not identity (caller-id-trust).
    const QStringList unverified = {QStringLiteral("registered"),
                                    QStringLiteral("caller_id_unverified")};
    auto challenged = [&](Case &c) {
        c.outcome = QStringLiteral("challenge");
        c.reason = QStringLiteral("caller_id_unverified");
        c.action = QStringLiteral("answer_and_challenge");
        c.flags = unverified;
        c.claimed = QStringLiteral("alice.x");
    };
    add("trust: A validated pstn -> authenticated, attested", [&](Case &c) {
        c.registered = QStringLiteral("alice.x");
        c.validated = true;
        c.partyType = QStringLiteral("pstn");
        c.pin = true;
        forwarded(c, "authenticated", "registry");
        c.nameSpace = QStringLiteral("alice.x");
        c.flags = {QStringLiteral("registered")};
        c.proof = QStringLiteral("attested_caller_id");
    });
    add("trust: A validated, party type absent -> authenticated (absent is not SIP)", [&](Case &c) {
        c.registered = QStringLiteral("alice.x");
        c.validated = true;
        forwarded(c, "authenticated", "registry");
        c.nameSpace = QStringLiteral("alice.x");
        c.flags = {QStringLiteral("registered")};
        c.proof = QStringLiteral("attested_caller_id");
    });
    add("trust: attestation absent, PIN -> challenge", [&](Case &c) {
        c.registered = QStringLiteral("alice.x");
        c.pin = true;
        challenged(c);
    });
    add("trust: attestation absent, no PIN -> caller_id_unverified", [&](Case &c) {
        c.registered = QStringLiteral("alice.x");
        rejected(c, "caller_id_unverified");
        c.flags = unverified;
        c.claimed = QStringLiteral("alice.x");
    });
    add("trust: B validated, PIN -> challenge", [&](Case &c) {
        c.registered = QStringLiteral("alice.x");
        c.validated = true;
        c.attestation = QStringLiteral("B");
        c.pin = true;
        challenged(c);
    });
    add("trust: C validated, no PIN -> caller_id_unverified", [&](Case &c) {
        c.registered = QStringLiteral("alice.x");
        c.validated = true;
        c.attestation = QStringLiteral("C");
        rejected(c, "caller_id_unverified");
        c.flags = unverified;
        c.claimed = QStringLiteral("alice.x");
    });
    add("trust: A without shaken_stir_validated, PIN -> challenge", [&](Case &c) {
        c.registered = QStringLiteral("alice.x");
        c.attestation = QStringLiteral("A");
        c.pin = true;
        challenged(c);
    });
    add("trust: A validated false, required -> attestation_failed (no PIN asked)", [&](Case &c) {
        c.registered = QStringLiteral("alice.x");
        c.validated = false;
        c.pin = true;
        rejected(c, "attestation_failed");
        c.flags = {QStringLiteral("attestation_failed"), QStringLiteral("registered")};
    });
    add("trust: A validated false, not required, PIN -> challenge", [&](Case &c) {
        c.registered = QStringLiteral("alice.x");
        c.validated = false;
        c.policy.requireShakenStir = false;
        c.pin = true;
        challenged(c);
        c.flags = {QStringLiteral("attestation_failed"), QStringLiteral("registered"),
                   QStringLiteral("caller_id_unverified")};
    });
    add("trust: sip, A validated, PIN -> challenge", [&](Case &c) {
        c.registered = QStringLiteral("alice.x");
        c.validated = true;
        c.partyType = QStringLiteral("sip");
        c.pin = true;
        challenged(c);
    });
    add("trust: sip, A validated, no PIN -> caller_id_unverified", [&](Case &c) {
        c.registered = QStringLiteral("alice.x");
        c.validated = true;
        c.partyType = QStringLiteral("sip");
        rejected(c, "caller_id_unverified");
        c.flags = unverified;
        c.claimed = QStringLiteral("alice.x");
    });
    add("trust: absent, PIN locked -> pin_locked, an unknown caller", [&](Case &c) {
        c.registered = QStringLiteral("alice.x");
        c.pin = true;
        c.pinLocked = true;
        rejected(c, "pin_locked");
        c.flags = unverified;
        c.claimed = QStringLiteral("alice.x");
    });
    add("trust: absent, PIN locked, ask -> ask / pin_locked", [&](Case &c) {
        c.registered = QStringLiteral("alice.x");
        c.pin = true;
        c.pinLocked = true;
        c.policy.unknownPolicy = QStringLiteral("ask");
        c.outcome = QStringLiteral("ask");
        c.reason = QStringLiteral("pin_locked");
        c.action = QStringLiteral("ring");
        c.flags = unverified;
        c.claimed = QStringLiteral("alice.x");
    });
    add("trust: absent, no PIN, ask -> ask / caller_id_unverified", [&](Case &c) {
        c.registered = QStringLiteral("alice.x");
        c.policy.unknownPolicy = QStringLiteral("ask");
        c.outcome = QStringLiteral("ask");
        c.reason = QStringLiteral("caller_id_unverified");
        c.action = QStringLiteral("ring");
        c.flags = unverified;
        c.claimed = QStringLiteral("alice.x");
    });
    add("trust: absent, no PIN, reject policy -> rejected without answering", [&](Case &c) {
        c.registered = QStringLiteral("alice.x");
        c.policy.unknownPolicy = QStringLiteral("reject");
        rejected(c, "caller_id_unverified");
        c.action = QStringLiteral("reject_call");
        c.flags = unverified;
        c.claimed = QStringLiteral("alice.x");
    });
    add("trust: absent, no PIN, allow rule -> allowlisted", [&](Case &c) {
        c.registered = QStringLiteral("alice.x");
        c.rules = {QStringLiteral("allow +17702300635")};
        forwarded(c, "allowlisted", "allow_rule");
        c.ruleId = 1;
        c.flags = unverified;
        c.claimed = QStringLiteral("alice.x");
    });
    add("trust: absent, PIN, allow rule -> challenge (the registry comes first)", [&](Case &c) {
        c.registered = QStringLiteral("alice.x");
        c.pin = true;
        c.rules = {QStringLiteral("allow +17702300635")};
        challenged(c);
    });
    add("trust: absent, no PIN, accept_all -> allowlisted", [&](Case &c) {
        c.registered = QStringLiteral("alice.x");
        c.policy.numberPolicy = QStringLiteral("accept_all");
        forwarded(c, "allowlisted", "number_accepts_all");
        c.flags = unverified;
        c.claimed = QStringLiteral("alice.x");
    });
    add("trust: absent, PIN, dry run -> challenge recorded, forwarded", [&](Case &c) {
        c.registered = QStringLiteral("alice.x");
        c.pin = true;
        c.policy.dryRun = true;
        challenged(c);
        c.action = QStringLiteral("answer_and_forward");
    });
    add("trust any: absent -> authenticated by policy", [&](Case &c) {
        c.registered = QStringLiteral("alice.x");
        c.pin = true;
        c.policy.callerIdTrust = QStringLiteral("any");
        forwarded(c, "authenticated", "registry");
        c.nameSpace = QStringLiteral("alice.x");
        c.flags = {QStringLiteral("registered")};
        c.proof = QStringLiteral("caller_id_policy");
    });
    add("trust any: sip, C -> authenticated by policy", [&](Case &c) {
        c.registered = QStringLiteral("alice.x");
        c.validated = true;
        c.attestation = QStringLiteral("C");
        c.partyType = QStringLiteral("sip");
        c.policy.callerIdTrust = QStringLiteral("any");
        forwarded(c, "authenticated", "registry");
        c.nameSpace = QStringLiteral("alice.x");
        c.flags = {QStringLiteral("registered")};
        c.proof = QStringLiteral("caller_id_policy");
    });
    add("trust any: A validated -> authenticated, attested", [&](Case &c) {
        c.registered = QStringLiteral("alice.x");
        c.validated = true;
        c.policy.callerIdTrust = QStringLiteral("any");
        forwarded(c, "authenticated", "registry");
        c.nameSpace = QStringLiteral("alice.x");
        c.flags = {QStringLiteral("registered")};
        c.proof = QStringLiteral("attested_caller_id");
    });
    add("trust: invalid certificate, PIN -> certificate_invalid (no PIN asked)", [&](Case &c) {
        c.registered = QStringLiteral("alice.x");
        c.cert = QStringLiteral("revoked");
        c.pin = true;
        rejected(c, "certificate_invalid");
        c.flags = {QStringLiteral("registered"), QStringLiteral("certificate_invalid")};
    });
    return list;
}

Decision decideFor(const Case &c)
{
    FakeLookup lookup;
    setUp(lookup, c);
    return Decider::decide(facts(c), c.policy, lookup, Now);
}

Decision askDecision(bool dryRun = false)
{
    Case c;
    c.policy.unknownPolicy = QStringLiteral("ask");
    c.policy.dryRun = dryRun;
    return decideFor(c);
}

} // namespace

Q_DECLARE_METATYPE(Case)

class TestDecider : public QObject
{
    Q_OBJECT

private slots:
    void decisionTable_data();
    void decisionTable();
    void explanations();
    void certificateReasonInExplanation();
    void dryRunExplanation();
    void anonymousNeverQueriesRules();
    void hostileCallerIdIsSanitised();
    void ownerAccepts();
    void ownerRejects();
    void askTimeout_data();
    void askTimeout();
    void ownerSendsToVoicemail();
    void ownerDecisionKeepsDryRun();
    void pinAccepted();
    void pinRejected();
    void decisionJsonRoundTrip();
    void names();
};

void TestDecider::decisionTable_data()
{
    QTest::addColumn<Case>("c");
    QStringList names;
    const QList<Case> cases = decisionCases(&names);
    for (qsizetype i = 0; i < cases.size(); ++i)
        QTest::newRow(qPrintable(names.at(i))) << cases.at(i);
}

void TestDecider::decisionTable()
{
    QFETCH(Case, c);
    const Decision d = decideFor(c);
    QCOMPARE(d.decisionName(), c.outcome);
    QCOMPARE(d.reason, c.reason);
    QCOMPARE(d.actionName(), c.action);
    QCOMPARE(d.flags, c.flags);
    QCOMPARE(d.nameSpace, c.nameSpace);
    QCOMPARE(d.ruleId, c.ruleId);
    QCOMPARE(d.ruleSingleUse, c.ruleSingleUse);
    QCOMPARE(d.dryRun, c.policy.dryRun);
    QCOMPARE(d.proof, c.proof);
    QCOMPARE(d.claimedNamespace, c.claimed);
    QVERIFY(!d.explanation.isEmpty());
    QVERIFY(d.explanation.endsWith(QLatin1Char('.')));
    QVERIFY2(!d.explanation.contains(QLatin1Char('\n')), "one sentence");
}

void TestDecider::explanations()
{
    Case c;
    c.registered = QStringLiteral("alice.x");
    c.validated = true;
    QCOMPARE(decideFor(c).explanation,
             QStringLiteral("+17702300635 is registered to alice.x, its certificate is valid and "
                            "STIR/SHAKEN attested the caller ID (A, validated), so the call was "
                            "forwarded."));
    c.validated.reset();
    QCOMPARE(decideFor(c).explanation,
             QStringLiteral("+17702300635 claims to be alice.x, but the call carries no "
                            "STIR/SHAKEN attestation, and it has no PIN, so the call was answered "
                            "with the rejection message and hung up."));
    c.pin = true;
    c.partyType = QStringLiteral("sip");
    QCOMPARE(decideFor(c).explanation,
             QStringLiteral("+17702300635 claims to be alice.x, but the call comes over sip, "
                            "where a caller can claim any number, so the call is answered and "
                            "the caller is asked for the PIN."));
    c.partyType.clear();
    c.policy.callerIdTrust = QStringLiteral("any");
    QVERIFY2(decideFor(c).explanation.contains(QLatin1String("caller-id-trust is any")),
             qPrintable(decideFor(c).explanation));
    Case blocked;
    blocked.rules = {QStringLiteral("block +1770*")};
    QCOMPARE(decideFor(blocked).explanation,
             QStringLiteral("+17702300635 matches block rule #1 (+1770*), so the call was rejected "
                            "without answering."));
    Case unknown;
    QCOMPARE(decideFor(unknown).explanation,
             QStringLiteral("+17702300635 is not registered and matches no rule, so the call was "
                            "answered with the rejection message and hung up."));
    Case anon;
    anon.from.clear();
    anon.rawFrom = QStringLiteral("anonymous");
    QCOMPARE(decideFor(anon).explanation,
             QStringLiteral("The caller ID \"anonymous\" is not a valid phone number, so the call "
                            "was answered with the rejection message and hung up."));
    Case noId;
    noId.from.clear();
    noId.rawFrom.clear();
    noId.screening = QStringLiteral("spam_likely");
    noId.policy.rejectSpamLikely = true;
    QVERIFY(decideFor(noId).explanation.startsWith(QLatin1String("A caller with no caller ID")));
    Case ask;
    ask.policy.unknownPolicy = QStringLiteral("ask");
    QVERIFY(decideFor(ask).explanation.endsWith(
        QLatin1String("so the phone rings while the owner decides.")));
}

void TestDecider::certificateReasonInExplanation()
{
    Case c;
    c.registered = QStringLiteral("alice.x");
    c.cert = QStringLiteral("revoked");
    const Decision d = decideFor(c);
    QCOMPARE(d.certificateCode, QStringLiteral("revoked"));
    QVERIFY2(d.explanation.contains(QLatin1String("certificate for alice.x is revoked")),
             qPrintable(d.explanation));
    c.rules = {QStringLiteral("allow +17702300635")};
    const Decision allowed = decideFor(c);
    QVERIFY2(allowed.explanation.contains(QLatin1String("overrides its invalid alice.x")),
             qPrintable(allowed.explanation));
    QCOMPARE(allowed.certificateCode, QStringLiteral("revoked"));
}

void TestDecider::dryRunExplanation()
{
    Case c;
    c.rules = {QStringLiteral("block +17702300635")};
    c.policy.dryRun = true;
    const Decision d = decideFor(c);
    QVERIFY2(d.explanation.contains(QLatin1String("would have been rejected")),
             qPrintable(d.explanation));
    QVERIFY(d.explanation.contains(QLatin1String("dry run")));
}

void TestDecider::anonymousNeverQueriesRules()
{
    Case c;
    c.from.clear();
    c.rawFrom = QStringLiteral("anonymous");
    FakeLookup lookup;
    setUp(lookup, c);
    Decider::decide(facts(c), c.policy, lookup, Now);
    QCOMPARE(lookup.ruleQueries, 0);
}

void TestDecider::hostileCallerIdIsSanitised()
{
    Case c;
    c.from.clear();
    c.rawFrom = QStringLiteral("\x1b[31mEVIL\nline") + QString(100, QLatin1Char('x'));
    const Decision d = decideFor(c);
    QVERIFY(!d.caller.contains(QLatin1Char('\n')));
    QVERIFY(!d.caller.contains(QChar(0x1b)));
    QVERIFY(d.caller.size() <= 33);
    QVERIFY(!d.explanation.contains(QLatin1Char('\n')));
}

void TestDecider::ownerAccepts()
{
    const Decision ask = askDecision();
    QCOMPARE(ask.action, Decision::Ring);
    const Decision d = Decider::ownerDecided(true, ask);
    QCOMPARE(d.decisionName(), QStringLiteral("allowlisted"));
    QCOMPARE(d.reason, QStringLiteral("owner_accepted"));
    QCOMPARE(d.action, Decision::AnswerAndForward);
    QCOMPARE(d.caller, Caller);
    QCOMPARE(d.explanation, QStringLiteral("The owner accepted the call from +17702300635, so "
                                           "the call was forwarded."));
}

void TestDecider::ownerRejects()
{
    const Decision ask = askDecision();
    const Decision d = Decider::ownerDecided(false, ask);
    QCOMPARE(d.decisionName(), QStringLiteral("rejected"));
    QCOMPARE(d.reason, QStringLiteral("owner_rejected"));
    QCOMPARE(d.action, Decision::AnswerAndSpeakRejection);
    QCOMPARE(Decider::ownerDecided(false, ask, QStringLiteral("reject")).action,
             Decision::RejectCall);
}

void TestDecider::askTimeout_data()
{
    QTest::addColumn<QString>("policy");
    QTest::addColumn<int>("action");
    QTest::newRow("reject_with_message")
        << "reject_with_message" << int(Decision::AnswerAndSpeakRejection);
    QTest::newRow("reject") << "reject" << int(Decision::RejectCall);
    QTest::newRow("ask falls back to the message")
        << "ask" << int(Decision::AnswerAndSpeakRejection);
    QTest::newRow("voicemail") << "voicemail" << int(Decision::AnswerAndVoicemail);
}

void TestDecider::askTimeout()
{
    QFETCH(QString, policy);
    QFETCH(int, action);
    const Decision d = Decider::askTimedOut(policy, askDecision());
    QCOMPARE(d.decisionName(), policy == QLatin1String("voicemail") ? QStringLiteral("voicemail")
                                                                    : QStringLiteral("rejected"));
    QCOMPARE(d.reason, QStringLiteral("ask_timeout"));
    QCOMPARE(int(d.action), action);
    QVERIFY(d.explanation.contains(QLatin1String("did not decide")));
}

void TestDecider::ownerSendsToVoicemail()
{
    Decision ask = askDecision();
    ask.flags << QStringLiteral("spam_likely");
    const Decision d = Decider::ownerSentToVoicemail(ask);
    QCOMPARE(d.decisionName(), QStringLiteral("voicemail"));
    QCOMPARE(d.reason, QStringLiteral("owner_voicemail"));
    QCOMPARE(d.action, Decision::AnswerAndVoicemail);
    QCOMPARE(d.flags, ask.flags);
    QVERIFY(d.explanation.contains(QLatin1String("to voicemail")));
    QVERIFY(Decision::fromJson(d.toJson()) == d);
    ask.dryRun = true;
    QCOMPARE(Decider::ownerSentToVoicemail(ask).action, Decision::AnswerAndForward);
}

void TestDecider::ownerDecisionKeepsDryRun()
{
    Decision ask = askDecision();
    ask.flags << QStringLiteral("spam_likely");
    ask.dryRun = true;
    const Decision d = Decider::ownerDecided(false, ask);
    QVERIFY(d.dryRun);
    QCOMPARE(d.action, Decision::AnswerAndForward);
    QCOMPARE(d.flags, ask.flags);
    QVERIFY(d.explanation.contains(QLatin1String("would have been")));
}

void TestDecider::pinAccepted()
{
    Case c;
    c.registered = QStringLiteral("alice.x");
    c.pin = true;
    const Decision challenge = decideFor(c);
    QCOMPARE(challenge.outcome, Decision::Challenge);
    const Decision d = Decider::pinAccepted(challenge);
    QCOMPARE(d.decisionName(), QStringLiteral("authenticated"));
    QCOMPARE(d.reason, QStringLiteral("registry_pin"));
    QCOMPARE(d.proof, QStringLiteral("pin"));
    QCOMPARE(d.nameSpace, QStringLiteral("alice.x"));
    QCOMPARE(d.claimedNamespace, QStringLiteral("alice.x"));
    QCOMPARE(d.action, Decision::AnswerAndForward);
    QCOMPARE(d.flags, challenge.flags);
    QCOMPARE(d.explanation,
             QStringLiteral("+17702300635 is registered to alice.x and the caller entered its "
                            "PIN, so the call was forwarded."));
}

void TestDecider::pinRejected()
{
    Case c;
    c.registered = QStringLiteral("alice.x");
    c.pin = true;
    const Decision challenge = decideFor(c);
    const Decision failed = Decider::pinRejected(challenge, false);
    QCOMPARE(failed.decisionName(), QStringLiteral("rejected"));
    QCOMPARE(failed.reason, QStringLiteral("pin_failed"));
    QCOMPARE(failed.action, Decision::AnswerAndSpeakRejection);
    QVERIFY(failed.nameSpace.isEmpty());
    QVERIFY(failed.proof.isEmpty());
    QCOMPARE(failed.claimedNamespace, QStringLiteral("alice.x"));
    const Decision locked = Decider::pinRejected(challenge, true);
    QCOMPARE(locked.reason, QStringLiteral("pin_locked"));
    QVERIFY(locked.explanation.contains(QLatin1String("locked")));
}

void TestDecider::decisionJsonRoundTrip()
{
    Case c;
    c.registered = QStringLiteral("alice.x");
    c.cert = QStringLiteral("expired");
    c.rules = {QStringLiteral("allow +17702300635 single")};
    c.screening = QStringLiteral("spam_likely");
    c.policy.toNumberKnown = false;
    const Decision d = decideFor(c);
    const QJsonObject json = d.toJson();
    QCOMPARE(json.value(QLatin1String("decision")).toString(), QStringLiteral("allowlisted"));
    QCOMPARE(json.value(QLatin1String("reason")).toString(), QStringLiteral("allow_rule"));
    QCOMPARE(json.value(QLatin1String("action")).toString(), QStringLiteral("answer_and_forward"));
    QCOMPARE(json.value(QLatin1String("rule_id")).toInteger(), 1);
    QVERIFY(json.value(QLatin1String("rule_single_use")).toBool());
    const auto back = Decision::fromJson(json);
    QVERIFY(back);
    QCOMPARE(*back, d);
    QString error;
    QVERIFY(!Decision::fromJson(QJsonObject{{QStringLiteral("decision"), QStringLiteral("x")}},
                                &error));
    QVERIFY(!error.isEmpty());
}

void TestDecider::names()
{
    const QStringList outcomes = {QStringLiteral("blocked"),     QStringLiteral("authenticated"),
                                  QStringLiteral("allowlisted"), QStringLiteral("rejected"),
                                  QStringLiteral("ask"),         QStringLiteral("challenge")};
    for (const QString &n : outcomes)
        QCOMPARE(Decision::outcomeName(*Decision::outcomeFromName(n)), n);
    QVERIFY(!Decision::outcomeFromName(QStringLiteral("maybe")));
    for (const QString &n : {QStringLiteral("reject_call"), QStringLiteral("answer_and_forward"),
                             QStringLiteral("answer_and_speak_rejection"), QStringLiteral("ring"),
                             QStringLiteral("answer_and_challenge")})
        QCOMPARE(Decision::actionName(*Decision::actionFromName(n)), n);
}

QTEST_GUILESS_MAIN(TestDecider)
#include "tst_decider.moc"
