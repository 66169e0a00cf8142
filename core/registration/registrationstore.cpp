// SPDX-License-Identifier: GPL-3.0-or-later
#include "registrationstore.h"

#include "store/eventstore.h"
#include "store/sqlquery.h"
#include "store/storedtime.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QVariant>

namespace kt {

namespace {
const char Columns[] = "id, status_token_hash, namespace, phone, certificate_fingerprint,"
                       " certificate_pem, key_type, pin_hash, call_in_code, call_in_number,"
                       " state, call_in_failures, created_at, code_expires_at, phone_proven_at,"
                       " decided_at, decided_by";

QVariant nullable(const QString &text)
{
    return text.isEmpty() ? QVariant() : QVariant(text);
}
} // namespace

RegistrationStore::RegistrationStore(EventStore &store) : m_store(store) {}

QString RegistrationStore::formatTime(const QDateTime &time)
{
    return storedtime::formatTime(time);
}

QDateTime RegistrationStore::parseTime(const QString &text)
{
    return storedtime::parseTime(text);
}

QString RegistrationStore::insert(const PendingRegistration &r, const NewEvent &event)
{
    const AppendResult result = m_store.append(event, nullptr, [&](QSqlDatabase &db) {
        QSqlQuery q(db);
        q.prepare(QStringLiteral("INSERT INTO pending_registrations (%1) VALUES"
                                 " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                      .arg(QLatin1String(Columns)));
        for (const QVariant &v :
             {QVariant(r.id), QVariant(r.statusTokenHash), QVariant(r.nameSpace), QVariant(r.phone),
              QVariant(r.certificateFingerprint), QVariant(QString::fromLatin1(r.certificatePem)),
              QVariant(r.keyType), QVariant(r.pinHash), QVariant(r.callInCode),
              QVariant(r.callInNumber), QVariant(PendingRegistration::stateName(r.state)),
              QVariant(r.callInFailures), QVariant(formatTime(r.createdAt)),
              QVariant(formatTime(r.codeExpiresAt)), nullable(formatTime(r.phoneProvenAt)),
              nullable(formatTime(r.decidedAt)), nullable(r.decidedBy)})
            q.addBindValue(v);
        return q.exec() ? QString() : sql::errorText(q);
    });
    return result.status == AppendResult::Status::Stored
               ? QString()
               : (result.error.isEmpty() ? QStringLiteral("not stored") : result.error);
}

QString RegistrationStore::transition(const PendingRegistration &r,
                                      PendingRegistration::State expected, const NewEvent &event)
{
    const AppendResult result = m_store.append(event, nullptr, [&](QSqlDatabase &db) {
        QSqlQuery q(db);
        q.prepare(QStringLiteral("UPDATE pending_registrations SET state = ?,"
                                 " call_in_failures = ?, phone_proven_at = ?, decided_at = ?,"
                                 " decided_by = ? WHERE id = ? AND state = ?"));
        q.addBindValue(PendingRegistration::stateName(r.state));
        q.addBindValue(r.callInFailures);
        q.addBindValue(nullable(formatTime(r.phoneProvenAt)));
        q.addBindValue(nullable(formatTime(r.decidedAt)));
        q.addBindValue(nullable(r.decidedBy));
        q.addBindValue(r.id);
        q.addBindValue(PendingRegistration::stateName(expected));
        if (!q.exec())
            return sql::errorText(q);
        return q.numRowsAffected() == 1 ? QString()
                                        : QStringLiteral("the registration changed meanwhile");
    });
    return result.status == AppendResult::Status::Stored
               ? QString()
               : (result.error.isEmpty() ? QStringLiteral("not stored") : result.error);
}

QString RegistrationStore::updateCallIn(const PendingRegistration &r)
{
    QSqlQuery q(QSqlDatabase::database(m_store.connectionName(), false));
    q.prepare(QStringLiteral(
        "UPDATE pending_registrations SET call_in_failures = ?, state = ? WHERE id = ?"));
    q.addBindValue(r.callInFailures);
    q.addBindValue(PendingRegistration::stateName(r.state));
    q.addBindValue(r.id);
    return q.exec() ? QString() : sql::errorText(q);
}

QList<PendingRegistration> RegistrationStore::select(const QString &where,
                                                     const QVariantList &values) const
{
    QList<PendingRegistration> out;
    QSqlQuery q(QSqlDatabase::database(m_store.connectionName(), false));
    if (const QString error =
            sql::exec(q,
                      QStringLiteral("SELECT %1 FROM pending_registrations WHERE %2")
                          .arg(QLatin1String(Columns), where),
                      values);
        !error.isEmpty()) {
        m_error = error;
        return out;
    }
    while (q.next()) {
        PendingRegistration r;
        r.id = q.value(0).toString();
        r.statusTokenHash = q.value(1).toString();
        r.nameSpace = q.value(2).toString();
        r.phone = q.value(3).toString();
        r.certificateFingerprint = q.value(4).toString();
        r.certificatePem = q.value(5).toString().toLatin1();
        r.keyType = q.value(6).toString();
        r.pinHash = q.value(7).toString();
        r.callInCode = q.value(8).toString();
        r.callInNumber = q.value(9).toString();
        r.state = PendingRegistration::stateFromName(q.value(10).toString())
                      .value_or(PendingRegistration::State::Expired);
        r.callInFailures = q.value(11).toInt();
        r.createdAt = parseTime(q.value(12).toString());
        r.codeExpiresAt = parseTime(q.value(13).toString());
        r.phoneProvenAt = parseTime(q.value(14).toString());
        r.decidedAt = parseTime(q.value(15).toString());
        r.decidedBy = q.value(16).toString();
        out.append(r);
    }
    return out;
}

std::optional<PendingRegistration> RegistrationStore::byId(const QString &id) const
{
    const auto rows = select(QStringLiteral("id = ?"), {id});
    return rows.isEmpty() ? std::nullopt : std::optional(rows.first());
}

std::optional<PendingRegistration> RegistrationStore::byStatusTokenHash(const QString &hash) const
{
    const auto rows = select(QStringLiteral("status_token_hash = ?"), {hash});
    return rows.isEmpty() ? std::nullopt : std::optional(rows.first());
}

QList<PendingRegistration> RegistrationStore::awaitingCall(const QString &phone,
                                                           const QDateTime &now) const
{
    return select(QStringLiteral("phone = ? AND state = 'awaiting_call' AND code_expires_at > ?"
                                 " ORDER BY created_at"),
                  {phone, formatTime(now)});
}

QList<PendingRegistration> RegistrationStore::open(const QDateTime &now) const
{
    return select(QStringLiteral("state = 'awaiting_owner' OR (state = 'awaiting_call' AND"
                                 " code_expires_at > ?) ORDER BY created_at"),
                  {formatTime(now)});
}

int RegistrationStore::countOpen(const QDateTime &now) const
{
    QSqlQuery q(QSqlDatabase::database(m_store.connectionName(), false));
    q.prepare(QStringLiteral("SELECT count(*) FROM pending_registrations WHERE state ="
                             " 'awaiting_owner' OR (state = 'awaiting_call' AND"
                             " code_expires_at > ?)"));
    q.addBindValue(formatTime(now));
    if (!q.exec() || !q.next()) {
        m_error = sql::errorText(q);
        return -1;
    }
    return q.value(0).toInt();
}

} // namespace kt
