// SPDX-License-Identifier: GPL-3.0-or-later
#include "eventstore.h"
#include "eventstoreprivate.h"

namespace kt {
using namespace storedtext;
using namespace eventstoredetail;

QList<EventStore::DayCount> EventStore::callsPerDay(const QDateTime &from, const QDateTime &to,
                                                    int utcOffsetSecs)
{
    if (!d->open) {
        d->error = QStringLiteral("event store is not open");
        return {};
    }
    return d->projection.callsPerDay(from, to, utcOffsetSecs, &d->error);
}

QList<StoredEvent> EventStore::events(const EventQuery &query)
{
    QList<StoredEvent> out;
    if (!d->open) {
        d->error = QStringLiteral("event store is not open");
        return out;
    }
    QString sql = QStringLiteral("SELECT %1 FROM events").arg(kEventColumns);
    QStringList where;
    QVariantList binds;
    if (!query.type.isEmpty()) {
        where << QStringLiteral("type = ?");
        binds << clean(query.type, d->dialect.isPostgreSQL());
    }
    if (!query.callId.isEmpty()) {
        where << QStringLiteral("call_id = ?");
        binds << clean(query.callId, d->dialect.isPostgreSQL());
    }
    if (query.beforeSeq > 0) {
        where << QStringLiteral("seq < ?");
        binds << query.beforeSeq;
    }
    if (query.afterSeq > 0) {
        where << QStringLiteral("seq > ?");
        binds << query.afterSeq;
    }
    if (!where.isEmpty())
        sql += QStringLiteral(" WHERE ") + where.join(QStringLiteral(" AND "));
    sql += QStringLiteral(" ORDER BY seq DESC");
    if (query.limit > 0) {
        sql += QStringLiteral(" LIMIT ?");
        binds << query.limit;
    }
    QSqlQuery q(d->db);
    q.setForwardOnly(true);
    q.prepare(sql);
    for (int i = 0; i < binds.size(); ++i)
        q.bindValue(i, binds.at(i));
    if (!q.exec()) {
        d->error = QStringLiteral("cannot read events: %1").arg(errorText(q));
        return out;
    }
    while (q.next())
        out.append(readEvent(q));
    return out;
}

QList<StoredEvent> EventStore::eventsForCall(const QString &callId)
{
    QList<StoredEvent> out;
    if (!d->open) {
        d->error = QStringLiteral("event store is not open");
        return out;
    }
    QSqlQuery q(d->db);
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT %1 FROM events WHERE call_id = ? ORDER BY seq ASC")
                  .arg(kEventColumns));
    q.bindValue(0, clean(callId, d->dialect.isPostgreSQL())); // as append() stored it
    if (!q.exec()) {
        d->error = QStringLiteral("cannot read events: %1").arg(errorText(q));
        return out;
    }
    while (q.next())
        out.append(readEvent(q));
    return out;
}

std::optional<StoredEvent> EventStore::event(qint64 seq)
{
    if (!d->open) {
        d->error = QStringLiteral("event store is not open");
        return std::nullopt;
    }
    QSqlQuery q(d->db);
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT %1 FROM events WHERE seq = ?").arg(kEventColumns));
    q.bindValue(0, seq);
    if (!q.exec()) {
        d->error = QStringLiteral("cannot read event %1: %2").arg(seq).arg(errorText(q));
        return std::nullopt;
    }
    if (!q.next())
        return std::nullopt;
    return readEvent(q);
}

QList<CallRecord> EventStore::calls(const CallQuery &query)
{
    if (!d->open) {
        d->error = QStringLiteral("event store is not open");
        return {};
    }
    return d->projection.calls(query, &d->error);
}

QList<CallRecord> EventStore::callsWithNumber(const QString &number, int limit, int offset)
{
    if (!d->open) {
        d->error = QStringLiteral("event store is not open");
        return {};
    }
    return d->projection.callsWithNumber(number, limit, offset, &d->error);
}

std::optional<CallRecord> EventStore::call(const QString &callId)
{
    if (!d->open) {
        d->error = QStringLiteral("event store is not open");
        return std::nullopt;
    }
    return d->projection.call(callId, &d->error);
}

CallProjection &EventStore::callProjection()
{
    return d->projection;
}

std::optional<bool> EventStore::hasEventAfter(qint64 seq, const QString &typePrefix)
{
    if (!d->open) {
        d->error = QStringLiteral("event store is not open");
        return std::nullopt;
    }
    QString pattern = typePrefix;
    pattern.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
    pattern.replace(QLatin1Char('%'), QLatin1String("\\%"));
    pattern.replace(QLatin1Char('_'), QLatin1String("\\_"));
    QSqlQuery q(d->db);
    q.setForwardOnly(true);
    if (const QString e = sql::exec(q,
                                    QStringLiteral("SELECT 1 FROM events WHERE seq > ? AND type"
                                                   " LIKE ? ESCAPE '\\' LIMIT 1"),
                                    {seq, pattern + QLatin1Char('%')});
        !e.isEmpty()) {
        d->error = QStringLiteral("cannot read events: %1").arg(e);
        return std::nullopt;
    }
    return q.next();
}

QDateTime EventStore::lastWebhookAt(int scan)
{
    EventQuery query;
    query.limit = scan;
    const QList<StoredEvent> list = events(query); // newest first
    for (const StoredEvent &event : list) {
        if (event.actor == QLatin1String("telnyx") && !event.telnyxId.isEmpty()) {
            const QDateTime at = QDateTime::fromString(event.recordedAt, Qt::ISODateWithMs);
            if (at.isValid())
                return at.toUTC();
        }
    }
    return {};
}

qint64 EventStore::eventCount()
{
    if (!d->open) {
        d->error = QStringLiteral("event store is not open");
        return -1;
    }
    QSqlQuery q(d->db);
    if (!q.exec(QStringLiteral("SELECT count(*) FROM events")) || !q.next()) {
        d->error = QStringLiteral("cannot count events: %1").arg(errorText(q));
        return -1;
    }
    return q.value(0).toLongLong();
}

qint64 EventStore::lastSeq()
{
    if (!d->open) {
        d->error = QStringLiteral("event store is not open");
        return -1;
    }
    QSqlQuery q(d->db);
    if (!q.exec(QStringLiteral("SELECT coalesce(max(seq), 0) FROM events")) || !q.next()) {
        d->error = QStringLiteral("cannot read the last event: %1").arg(errorText(q));
        return -1;
    }
    return q.value(0).toLongLong();
}

QString EventStore::lastHash()
{
    if (!d->open) {
        d->error = QStringLiteral("event store is not open");
        return QString();
    }
    QSqlQuery q(d->db);
    if (!q.exec(QStringLiteral("SELECT hash FROM events ORDER BY seq DESC LIMIT 1"))) {
        d->error = QStringLiteral("cannot read the last event: %1").arg(errorText(q));
        return QString();
    }
    return q.next() ? q.value(0).toString() : HashChain::genesisHash();
}

} // namespace kt
