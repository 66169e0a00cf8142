// SPDX-License-Identifier: GPL-3.0-or-later
// EventStore: several engine instances on one database. Which instance appended an event, each
// instance's last webhook, and the instances table that keeps the leases of their commands.
#include "eventstore.h"
#include "eventstoreprivate.h"

namespace kt {
using namespace storedtext;
using namespace eventstoredetail;

void EventStore::setInstance(const QString &instance)
{
    d->instance = instance;
}

QString EventStore::instance() const
{
    return d->instance;
}

QList<EventStore::InstanceWebhook> EventStore::lastWebhookPerInstance(int scan)
{
    QList<InstanceWebhook> out;
    if (!d->open) {
        d->error = QStringLiteral("event store is not open");
        return out;
    }
    // The newest `scan` events by the primary key, then per instance; an instance with no
    // webhook among them is left out.
    QSqlQuery q(d->db);
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT instance, max(recorded_at) FROM events"
                             " WHERE seq > (SELECT coalesce(max(seq), 0) FROM events) - ?"
                             " AND actor = 'telnyx' AND telnyx_id IS NOT NULL"
                             " AND instance IS NOT NULL GROUP BY instance"
                             " ORDER BY max(seq) DESC"));
    q.bindValue(0, qMax(1, scan));
    if (!q.exec()) {
        d->error = QStringLiteral("cannot read events: %1").arg(errorText(q));
        return out;
    }
    while (q.next()) {
        InstanceWebhook w;
        w.instance = column(q, 0);
        w.at = QDateTime::fromString(column(q, 1), Qt::ISODateWithMs).toUTC();
        out.append(w);
    }
    return out;
}

bool EventStore::renewInstance(const QString &id, const QDateTime &startedAt, int leaseSecs,
                               const QDateTime &now)
{
    if (!d->open || d->mode == Mode::ReadOnly) {
        d->error = QStringLiteral("event store is not open for writing");
        return false;
    }
    QSqlQuery q(d->db);
    q.prepare(QStringLiteral("INSERT INTO instances (id, started_at, seen_at, lease_secs)"
                             " VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET"
                             " seen_at = excluded.seen_at, lease_secs = excluded.lease_secs,"
                             " stopped_at = NULL"));
    const bool noNul = d->dialect.isPostgreSQL();
    q.bindValue(0, clean(id, noNul));
    q.bindValue(1, formatRecordedAt(startedAt));
    q.bindValue(2, formatRecordedAt(now));
    q.bindValue(3, leaseSecs);
    if (!q.exec()) {
        d->error = QStringLiteral("cannot renew instance: %1").arg(errorText(q));
        return false;
    }
    return true;
}

bool EventStore::stopInstance(const QString &id, const QDateTime &now)
{
    if (!d->open || d->mode == Mode::ReadOnly) {
        d->error = QStringLiteral("event store is not open for writing");
        return false;
    }
    QSqlQuery q(d->db);
    q.prepare(QStringLiteral("UPDATE instances SET stopped_at = ? WHERE id = ?"));
    q.bindValue(0, formatRecordedAt(now));
    q.bindValue(1, clean(id, d->dialect.isPostgreSQL()));
    if (!q.exec()) {
        d->error = QStringLiteral("cannot record the instance's stop: %1").arg(errorText(q));
        return false;
    }
    return true;
}

std::optional<EventStore::InstanceLease> EventStore::instanceLease(const QString &id)
{
    if (!d->open) {
        d->error = QStringLiteral("event store is not open");
        return std::nullopt;
    }
    QSqlQuery q(d->db);
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT seen_at, lease_secs, stopped_at FROM instances WHERE id = ?"));
    q.bindValue(0, clean(id, d->dialect.isPostgreSQL()));
    if (!q.exec()) {
        d->error = QStringLiteral("cannot read instances: %1").arg(errorText(q));
        return std::nullopt;
    }
    if (!q.next())
        return std::nullopt;
    InstanceLease lease;
    lease.seenAt = QDateTime::fromString(column(q, 0), Qt::ISODateWithMs).toUTC();
    lease.leaseSecs = q.value(1).toInt();
    lease.stopped = !q.isNull(2);
    return lease;
}

qint64 EventStore::lastSeqForCallNotBy(const QString &callId, const QString &instance)
{
    if (!d->open) {
        d->error = QStringLiteral("event store is not open");
        return -1;
    }
    QSqlQuery q(d->db);
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT coalesce(max(seq), 0) FROM events WHERE call_id = ?"
                             " AND (instance IS NULL OR instance <> ?)"));
    const bool noNul = d->dialect.isPostgreSQL();
    q.bindValue(0, clean(callId, noNul));
    q.bindValue(1, clean(instance, noNul));
    if (!q.exec() || !q.next()) {
        d->error = QStringLiteral("cannot read events: %1").arg(errorText(q));
        return -1;
    }
    return q.value(0).toLongLong();
}

} // namespace kt
