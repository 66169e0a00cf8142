// SPDX-License-Identifier: GPL-3.0-or-later
#include "registryrepository.h"

#include "certificaterepository.h"
#include "phonenumber.h"
#include "pinhash.h"
#include "screeningevents.h"
#include "screeningtables.h"
#include "store/sqlquery.h"

#include <QSqlError>

namespace kt {
using namespace screeningsql;

RegistryRepository::RegistryRepository(ScreeningTables &tables,
                                       const CertificateRepository &certificates)
    : m_tables(tables), m_certificates(certificates)
{}

std::optional<Registration> RegistryRepository::registration(const QString &e164) const
{
    if (e164.isEmpty() ||
        !m_tables.prepare(
            m_registration,
            QStringLiteral("SELECT phone, namespace, certificate_fingerprint, verified_at,"
                           " pin_hash IS NOT NULL, pin_locked_until"
                           " FROM registry WHERE phone = ?")))
        return std::nullopt;
    QSqlQuery &q = *m_registration;
    q.bindValue(0, e164);
    std::optional<Registration> out;
    if (q.exec() && q.next()) {
        out = Registration{q.value(0).toString(),   q.value(1).toString(),
                           q.value(2).toString(),   parseTime(q.value(3).toString()),
                           q.value(4).toInt() != 0, parseTime(q.value(5).toString())};
    } else if (q.lastError().isValid()) {
        m_tables.error = sql::errorText(q);
    }
    q.finish();
    return out;
}

QList<RegistrationInfo> RegistryRepository::registrations(const QDateTime &at) const
{
    QList<RegistrationInfo> out;
    QSqlDatabase database = m_tables.db();
    {
        QSqlQuery q(database);
        if (!m_tables.select(q,
                             QStringLiteral("SELECT phone, namespace, certificate_fingerprint,"
                                            " verified_at, pin_hash IS NOT NULL, pin_locked_until,"
                                            " pin_failures FROM registry ORDER BY phone")))
            return out;
        while (q.next()) {
            RegistrationInfo r;
            r.registration =
                Registration{q.value(0).toString(),   q.value(1).toString(),
                             q.value(2).toString(),   parseTime(q.value(3).toString()),
                             q.value(4).toInt() != 0, parseTime(q.value(5).toString())};
            r.pinFailures = q.value(6).toInt();
            out.append(r);
        }
    }
    const QDateTime when = m_tables.at(at);
    for (RegistrationInfo &r : out)
        r.status = m_certificates.checkCertificate(r.registration.nameSpace,
                                                   r.registration.certificateFingerprint, when);
    return out;
}

ScreeningResult RegistryRepository::registerPhone(const QString &phone, const QString &nameSpace,
                                                  const QString &actor, const QString &pin)
{
    const PhoneNumber::ParseResult parsed = PhoneNumber::parse(phone);
    if (!parsed.ok)
        return m_tables.fail(parsed.error);
    if (!pin.isEmpty() && !PinHash::isValidPin(pin))
        return m_tables.fail(
            QStringLiteral("cannot register %1: a PIN is 4 to 8 digits").arg(parsed.e164));
    const QString ns = nameSpace.trimmed().toLower();
    if (!Certificate::isNamespace(ns))
        return m_tables.fail(
            QStringLiteral("cannot register %1: %2 is not a namespace (a name ending"
                           " in .x, e.g. alice.x)")
                .arg(parsed.e164, quoted(nameSpace.trimmed())));
    const QDateTime when = m_tables.now();
    const auto [cert, status] = m_certificates.bestCertificate(ns, when);
    if (cert.isNull())
        return m_tables.fail(
            QStringLiteral("cannot register %1: no valid certificate for %2 (no"
                           " certificate for %2 is stored; add one with certs add)")
                .arg(parsed.e164, ns));
    if (!status.isValid())
        return m_tables.fail(QStringLiteral("cannot register %1: no valid certificate for %2 (%3)")
                                 .arg(parsed.e164, ns, status.reason));
    ScreeningResult result;
    result.e164 = parsed.e164;
    result.fingerprint = cert.fingerprint();
    const auto previous = registration(parsed.e164);
    if (previous && previous->nameSpace == ns &&
        previous->certificateFingerprint == result.fingerprint && pin.isEmpty())
        return m_tables.noChange(
            result, QStringLiteral("%1 is already registered to %2").arg(parsed.e164, ns));
    QString pinHash;
    if (!pin.isEmpty()) {
        pinHash = PinHash::hash(pin);
        if (pinHash.isEmpty())
            return m_tables.fail(
                QStringLiteral("cannot register %1: the PIN could not be hashed").arg(parsed.e164));
    }
    // A PIN belongs to the registration: kept when it stays with its namespace, dropped when
    // the phone moves to another one.
    const bool keepPin = pinHash.isEmpty() && previous && previous->nameSpace == ns;
    const bool pinSet = !pinHash.isEmpty() || (keepPin && previous->pinSet);
    result.message =
        QStringLiteral("registered %1 to %2 (certificate SHA-256 %3, valid until %4)")
            .arg(parsed.e164, ns, result.fingerprint, cert.notAfter().toString(Qt::ISODate));
    const QString e164 = parsed.e164;
    const QString fp = result.fingerprint;
    const QString verifiedAt = formatTime(when);
    QJsonObject payload{{QStringLiteral("phone"), e164},
                        {QStringLiteral("input"), phone.trimmed()},
                        {QStringLiteral("namespace"), ns},
                        {QStringLiteral("certificate_fingerprint"), fp},
                        {QStringLiteral("certificate_not_after"), formatTime(cert.notAfter())},
                        {QStringLiteral("pin_set"), pinSet}};
    if (!pinHash.isEmpty())
        result.message += QStringLiteral(", with a PIN");
    if (previous) {
        payload.insert(QStringLiteral("previous"),
                       QJsonObject{{QStringLiteral("namespace"), previous->nameSpace},
                                   {QStringLiteral("certificate_fingerprint"),
                                    previous->certificateFingerprint}});
    }
    return m_tables.commit(
        result, QString::fromLatin1(ScreeningEvents::RegistryAdded), actor, payload,
        [=](QSqlDatabase &db) {
            const QString e = execSql(
                db,
                QStringLiteral("INSERT INTO registry (phone, namespace, verified_at,"
                               " certificate_fingerprint, pin_hash) VALUES (?, ?, ?, ?, ?)"
                               " ON CONFLICT(phone) DO UPDATE SET"
                               " namespace = excluded.namespace,"
                               " verified_at = excluded.verified_at,"
                               " certificate_fingerprint = excluded.certificate_fingerprint"),
                {e164, ns, verifiedAt, fp, textOrNull(pinHash)});
            if (!e.isEmpty())
                return QStringLiteral("cannot store the registration: %1").arg(e);
            if (keepPin)
                return QString();
            // A new PIN, or none: the old one, its count and its lock go.
            const QString p = execSql(db,
                                      QStringLiteral("UPDATE registry SET pin_hash = ?,"
                                                     " pin_failures = 0, pin_window_start = NULL,"
                                                     " pin_locked_until = NULL WHERE phone = ?"),
                                      {textOrNull(pinHash), e164});
            return p.isEmpty() ? p : QStringLiteral("cannot store the registration: %1").arg(p);
        });
}

ScreeningResult RegistryRepository::unregister(const QString &phone, const QString &actor)
{
    const PhoneNumber::ParseResult parsed = PhoneNumber::parse(phone);
    if (!parsed.ok)
        return m_tables.fail(parsed.error);
    const auto previous = registration(parsed.e164);
    if (!previous)
        return m_tables.fail(QStringLiteral("%1 is not registered").arg(parsed.e164));
    ScreeningResult result;
    result.e164 = parsed.e164;
    result.fingerprint = previous->certificateFingerprint;
    result.message = QStringLiteral("removed %1 (registered to %2) from the registry")
                         .arg(parsed.e164, previous->nameSpace);
    const QString e164 = parsed.e164;
    const QJsonObject payload{
        {QStringLiteral("phone"), e164},
        {QStringLiteral("namespace"), previous->nameSpace},
        {QStringLiteral("certificate_fingerprint"), previous->certificateFingerprint}};
    return m_tables.commit(
        result, QString::fromLatin1(ScreeningEvents::RegistryRemoved), actor, payload,
        [e164](QSqlDatabase &db) {
            int rows = 0;
            const QString e =
                execSql(db, QStringLiteral("DELETE FROM registry WHERE phone = ?"), {e164}, &rows);
            if (!e.isEmpty())
                return QStringLiteral("cannot remove the registration: %1").arg(e);
            return rows == 1 ? QString() : QStringLiteral("%1 is not registered").arg(e164);
        });
}

ScreeningResult RegistryRepository::setPin(const QString &phone, const QString &pin,
                                           const QString &actor)
{
    const PhoneNumber::ParseResult parsed = PhoneNumber::parse(phone);
    if (!parsed.ok)
        return m_tables.fail(parsed.error);
    if (!PinHash::isValidPin(pin))
        return m_tables.fail(QStringLiteral("a PIN is 4 to 8 digits (0-9)"));
    const QString pinHash = PinHash::hash(pin);
    if (pinHash.isEmpty())
        return m_tables.fail(QStringLiteral("the PIN could not be hashed"));
    return setPinHash(parsed.e164, pinHash, actor);
}

ScreeningResult RegistryRepository::setPinHash(const QString &phone, const QString &pinHash,
                                               const QString &actor)
{
    const PhoneNumber::ParseResult parsed = PhoneNumber::parse(phone);
    if (!parsed.ok)
        return m_tables.fail(parsed.error);
    if (!PinHash::isStoredForm(pinHash))
        return m_tables.fail(QStringLiteral("not a stored PIN hash"));
    const auto previous = registration(parsed.e164);
    if (!previous)
        return m_tables.fail(QStringLiteral("%1 is not registered").arg(parsed.e164));
    ScreeningResult result;
    result.e164 = parsed.e164;
    result.message = QStringLiteral("%1 the PIN of %2 (registered to %3)")
                         .arg(previous->pinSet ? QStringLiteral("changed") : QStringLiteral("set"),
                              parsed.e164, previous->nameSpace);
    const QString e164 = parsed.e164;
    const QJsonObject payload{{QStringLiteral("phone"), e164},
                              {QStringLiteral("namespace"), previous->nameSpace},
                              {QStringLiteral("replaced"), previous->pinSet}};
    return m_tables.commit(
        result, QString::fromLatin1(ScreeningEvents::RegistryPinSet), actor, payload,
        [e164, pinHash](QSqlDatabase &db) {
            int rows = 0;
            const QString e = execSql(db,
                                      QStringLiteral("UPDATE registry SET pin_hash = ?,"
                                                     " pin_failures = 0, pin_window_start = NULL,"
                                                     " pin_locked_until = NULL WHERE phone = ?"),
                                      {pinHash, e164}, &rows);
            if (!e.isEmpty())
                return QStringLiteral("cannot store the PIN: %1").arg(e);
            return rows == 1 ? QString() : QStringLiteral("%1 is not registered").arg(e164);
        });
}

ScreeningResult RegistryRepository::clearPin(const QString &phone, const QString &actor)
{
    const PhoneNumber::ParseResult parsed = PhoneNumber::parse(phone);
    if (!parsed.ok)
        return m_tables.fail(parsed.error);
    const auto previous = registration(parsed.e164);
    if (!previous)
        return m_tables.fail(QStringLiteral("%1 is not registered").arg(parsed.e164));
    ScreeningResult result;
    result.e164 = parsed.e164;
    if (!previous->pinSet)
        return m_tables.noChange(result, QStringLiteral("%1 has no PIN").arg(parsed.e164));
    result.message = QStringLiteral("removed the PIN of %1 (registered to %2)")
                         .arg(parsed.e164, previous->nameSpace);
    const QString e164 = parsed.e164;
    const QJsonObject payload{{QStringLiteral("phone"), e164},
                              {QStringLiteral("namespace"), previous->nameSpace}};
    return m_tables.commit(
        result, QString::fromLatin1(ScreeningEvents::RegistryPinCleared), actor, payload,
        [e164](QSqlDatabase &db) {
            const QString e = execSql(db,
                                      QStringLiteral("UPDATE registry SET pin_hash = NULL,"
                                                     " pin_failures = 0, pin_window_start = NULL,"
                                                     " pin_locked_until = NULL WHERE phone = ?"),
                                      {e164});
            return e.isEmpty() ? e : QStringLiteral("cannot remove the PIN: %1").arg(e);
        });
}

QString PinCheck::outcomeName() const
{
    switch (outcome) {
    case Outcome::Right:
        return QStringLiteral("right");
    case Outcome::Wrong:
        return QStringLiteral("wrong");
    case Outcome::Locked:
        return QStringLiteral("locked");
    case Outcome::NoPin:
        return QStringLiteral("no_pin");
    case Outcome::NotRegistered:
        return QStringLiteral("not_registered");
    }
    return QString();
}

PinCheck RegistryRepository::checkPin(const QString &e164, const QString &digits) const
{
    PinCheck check;
    check.phone = e164;
    QSqlDatabase database = m_tables.db();
    QSqlQuery q(database);
    if (e164.isEmpty() ||
        !m_tables.select(
            q,
            QStringLiteral("SELECT namespace, pin_hash, pin_failures, pin_window_start,"
                           " pin_locked_until FROM registry WHERE phone = ?"),
            {e164}) ||
        !q.next())
        return check; // NotRegistered
    check.nameSpace = q.value(0).toString();
    const QString stored = q.value(1).toString();
    check.failures = q.value(2).toInt();
    check.windowStart = parseTime(q.value(3).toString());
    check.lockedUntil = parseTime(q.value(4).toString());
    q.finish();
    const QDateTime when = m_tables.now();
    if (stored.isEmpty()) {
        check.outcome = PinCheck::Outcome::NoPin;
        return check;
    }
    if (check.lockedUntil.isValid() && when < check.lockedUntil) {
        // Locked: the digits are not even compared, so a guess now tells nothing.
        check.outcome = PinCheck::Outcome::Locked;
        return check;
    }
    check.lockedUntil = QDateTime();
    if (PinHash::verify(digits, stored)) {
        check.outcome = PinCheck::Outcome::Right;
        check.failures = 0;
        check.windowStart = QDateTime();
        return check;
    }
    check.outcome = PinCheck::Outcome::Wrong;
    if (!check.windowStart.isValid() || check.windowStart.addSecs(PinFailureWindowSecs) <= when) {
        check.failures = 0;
        check.windowStart = when;
    }
    ++check.failures;
    if (check.failures >= PinFailureLimit) {
        check.lockStarted = true;
        check.lockedUntil = when.addSecs(PinLockSecs);
    }
    return check;
}

ScreeningResult RegistryRepository::recordPinAttempt(const PinCheck &check, int pinTry,
                                                     const QString &callId,
                                                     const QJsonObject &extra, const QString &actor,
                                                     const CallUpdate *update)
{
    const bool right = check.outcome == PinCheck::Outcome::Right;
    QJsonObject payload = extra;
    payload.insert(QStringLiteral("phone"), check.phone);
    payload.insert(QStringLiteral("namespace"), check.nameSpace);
    payload.insert(QStringLiteral("try"), pinTry);
    payload.insert(QStringLiteral("outcome"), check.outcomeName());
    payload.insert(QStringLiteral("failures_in_window"), check.failures);
    payload.insert(QStringLiteral("failure_limit"), PinFailureLimit);
    payload.insert(QStringLiteral("locked_until"), check.lockedUntil.isValid()
                                                       ? QJsonValue(formatTime(check.lockedUntil))
                                                       : QJsonValue(QJsonValue::Null));
    ScreeningResult result;
    result.e164 = check.phone;
    const bool writesCount =
        check.outcome == PinCheck::Outcome::Right || check.outcome == PinCheck::Outcome::Wrong;
    const QString e164 = check.phone;
    const int failures = check.lockStarted ? 0 : check.failures;
    const QString windowStart = check.lockStarted ? QString() : formatTime(check.windowStart);
    const QString lockedUntil = formatTime(check.lockedUntil);
    result = m_tables.commit(
        result,
        QString::fromLatin1(right ? ScreeningEvents::PinVerified : ScreeningEvents::PinFailed),
        actor, payload,
        [=](QSqlDatabase &db) {
            if (!writesCount)
                return QString();
            const QString e =
                execSql(db,
                        QStringLiteral("UPDATE registry SET pin_failures = ?,"
                                       " pin_window_start = ?, pin_locked_until = ?"
                                       " WHERE phone = ?"),
                        {failures, textOrNull(windowStart), textOrNull(lockedUntil), e164});
            return e.isEmpty() ? e : QStringLiteral("cannot count the PIN attempt: %1").arg(e);
        },
        callId, update);
    if (!result.ok || !check.lockStarted)
        return result;
    const QJsonObject locked{{QStringLiteral("phone"), check.phone},
                             {QStringLiteral("namespace"), check.nameSpace},
                             {QStringLiteral("failures"), check.failures},
                             {QStringLiteral("window_secs"), PinFailureWindowSecs},
                             {QStringLiteral("locked_until"), lockedUntil}};
    ScreeningResult lock = m_tables.commit(
        ScreeningResult(), QString::fromLatin1(ScreeningEvents::PinLocked), actor, locked,
        [](QSqlDatabase &) { return QString(); }, callId);
    lock.e164 = check.phone;
    return lock;
}

} // namespace kt
