// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "rule.h"

#include <QDateTime>
#include <QString>

#include <optional>

namespace kt {

// A caller's phone registered to a namespace (`kevan-tel registry add PHONE NAMESPACE`).
struct Registration
{
    QString phone;                  // E.164
    QString nameSpace;              // "alice.x"
    QString certificateFingerprint; // SHA-256 of the namespace certificate registered with it
    QDateTime verifiedAt;
    bool pinSet = false;      // the registration has a PIN (stored only as a hash)
    QDateTime pinLockedUntil; // too many wrong PINs: no PIN is taken before this (UTC); or null
    bool pinLockedAt(const QDateTime &now) const
    {
        return pinLockedUntil.isValid() && now < pinLockedUntil;
    }
};

// The outcome of checking a registration's certificate, as the engine reports it (typically
// from TrustStore::verify / CertStatus).
struct CertCheck
{
    bool valid = false;
    // valid | expired | revoked | untrusted | wrong_namespace | fingerprint_mismatch |
    // not_yet_valid | missing (no certificate stored for the namespace) | malformed
    QString code;
    QString reason; // one human sentence, e.g. "certificate for alice.x expired on 2026-01-02"

    bool isValid() const { return valid; }
};

// What the Decider needs to know about the world. The engine implements it over the store; tests
// implement it in memory. Every method is a pure query (no side effects expected by the Decider).
class ScreeningLookup
{
public:
    virtual ~ScreeningLookup() = default;

    // The most specific active rule of `kind` for `e164` (RuleSet::match semantics).
    virtual std::optional<Rule> matchRule(Rule::Kind kind, const QString &e164,
                                          const QDateTime &now) const = 0;
    virtual std::optional<Registration> registration(const QString &e164) const = 0;
    virtual CertCheck checkCertificate(const QString &nameSpace, const QString &fingerprint,
                                       const QDateTime &now) const = 0;
};

} // namespace kt
