// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "certificate.h"
#include "numbermap.h"
#include "rule.h"
#include "screeninglookup.h"

#include <QDateTime>
#include <QString>
#include <QStringList>

namespace kt {

// The verdict on the digits a caller entered for a registration's PIN (checkPin), and what it
// does to the registration's count of wrong PINs (recordPinAttempt writes it).
struct PinCheck
{
    enum class Outcome { Right, Wrong, Locked, NoPin, NotRegistered };
    Outcome outcome = Outcome::NotRegistered;
    QString phone; // E.164
    QString nameSpace;
    // After this attempt: wrong PINs in the current window, when that window began, and the
    // lock (lockStarted: this attempt set it).
    int failures = 0;
    QDateTime windowStart;
    QDateTime lockedUntil;
    bool lockStarted = false;
    QString outcomeName() const; // right | wrong | locked | no_pin | not_registered
};

// The outcome of a ScreeningRepository mutation.
struct ScreeningResult
{
    bool ok = false;
    QString error;   // one line when !ok (nothing was written)
    qint64 seq = 0;  // the seq of the event appended; 0 when the call changed nothing (or failed)
    QString message; // one line for people, e.g. "added rule #3: block +1888*"

    // Details, where the mutation has them.
    qint64 ruleId = 0;            // addRule, removeRule, consumeRule
    QString fingerprint;          // trustRoot, addCertificate, revokeCertificate, registerPhone
    QString e164;                 // setNumberPolicy, registerPhone, unregister
    NumberMap::MergeResult merge; // importNumbers, syncNumbers, ensureDefaultNumbers

    bool changed() const { return seq > 0; }
};

struct TrustedRootInfo
{
    QString fingerprint;
    QString subject;
    QDateTime notAfter;
    QDateTime addedAt;
    bool revoked = false;
    Certificate certificate;
};

struct CertificateInfo
{
    QString fingerprint;
    QString nameSpace;      // the first namespace it names
    QStringList namespaces; // all of them
    QString subject;
    QString issuer;
    QDateTime notBefore;
    QDateTime notAfter;
    QDateTime addedAt;
    CertCheck status; // at the time given to certificates()
    Certificate certificate;
};

struct RevocationInfo
{
    QString fingerprint;
    QDateTime revokedAt;
    QString note;
};

struct RegistrationInfo
{
    Registration registration; // pinSet and pinLockedUntil included (never the hash)
    int pinFailures = 0;       // wrong PINs in the current window
    CertCheck status;          // checkCertificate(namespace, registered fingerprint, now)
};

struct RuleInfo
{
    Rule rule;
    QString usedByCall; // the call that consumed a single-use rule
    bool expired = false;
    bool consumed = false;
    bool active = false;
    QString state() const; // "active" | "expired" | "consumed"
};

} // namespace kt
