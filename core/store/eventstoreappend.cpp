// SPDX-License-Identifier: GPL-3.0-or-later
#include "eventstore.h"
#include "eventstoreprivate.h"
#include "telnyx/telnyxtime.h"

#include <cstdio>

namespace kt {
using namespace storedtext;
using namespace eventstoredetail;

namespace {

std::optional<QString> nullable(const QString &s, bool noNul)
{
    if (s.isEmpty())
        return std::nullopt;
    return clean(s, noNul);
}

QVariant bindable(const std::optional<QString> &s)
{
    return s ? QVariant(*s) : QVariant(QMetaType::fromType<QString>());
}

} // namespace

AppendResult EventStore::append(const NewEvent &event, const CallUpdate *call, const Writes &writes)
{
    AppendResult result;
    auto error = [&](const QString &message) {
        result.status = AppendResult::Status::Error;
        result.seq = 0;
        result.hash.clear();
        result.error = message;
        d->error = message;
        return result;
    };
    if (!d->open)
        return error(QStringLiteral("event store is not open"));
    if (d->mode == Mode::ReadOnly)
        return error(QStringLiteral("event store is opened read-only"));
    if (event.type.isEmpty())
        return error(QStringLiteral("event has no type"));
    if (event.actor.isEmpty())
        return error(QStringLiteral("event has no actor"));
    if (call && call->callId.isEmpty())
        return error(QStringLiteral("call update has no call_id"));
    if (!event.rawPayload.isNull() && !event.rawPayload.trimmed().startsWith('{'))
        return error(QStringLiteral("the raw payload is not a JSON object"));

    const QDateTime now = d->clock ? d->clock() : QDateTime::currentDateTimeUtc();
    if (!now.isValid())
        return error(QStringLiteral("the clock returned an invalid time"));

    const bool noNul = d->dialect.isPostgreSQL(); // its text has no U+0000
    HashChain::Row row;
    row.telnyxId = nullable(event.telnyxId, noNul);
    row.type = clean(event.type, noNul);
    row.callId = nullable(event.callId, noNul);
    const QString occurred = normalizeTimestamp(event.occurredAt);
    if (!occurred.isNull())
        row.occurredAt = occurred;
    row.recordedAt = formatRecordedAt(now);
    row.actor = clean(event.actor, noNul);
    row.instance = nullable(d->instance, noNul);
    row.payload = event.rawPayload.isNull() ? compactJson(event.payload)
                                            : clean(QString::fromUtf8(event.rawPayload), noNul);

    QString err;
    if (!d->startAppend(&err))
        return error(QStringLiteral("cannot start a transaction: %1").arg(err));

    if (!d->refreshHead(&err)) {
        d->abortAppend();
        return error(QStringLiteral("cannot read the end of the event log: %1").arg(err));
    }

    if (row.telnyxId) {
        QSqlQuery &find = *d->findTelnyxId;
        find.bindValue(0, *row.telnyxId);
        if (!find.exec()) {
            const QString why = errorText(find);
            d->abortAppend();
            return error(QStringLiteral("cannot look up telnyx_id: %1").arg(why));
        }
        if (find.next()) {
            result.status = AppendResult::Status::Duplicate;
            result.seq = find.value(0).toLongLong();
            result.hash = find.value(1).toString();
            find.finish();
            d->abortAppend();
            return result;
        }
        find.finish();
    }

    row.seq = d->lastSeq + 1;
    const QString hash = HashChain::hash(d->lastHash, row);

    QSqlQuery &insert = *d->insertEvent;
    insert.bindValue(0, row.seq);
    insert.bindValue(1, bindable(row.telnyxId));
    insert.bindValue(2, row.type);
    insert.bindValue(3, bindable(row.callId));
    insert.bindValue(4, bindable(row.occurredAt));
    insert.bindValue(5, row.recordedAt);
    insert.bindValue(6, row.actor);
    insert.bindValue(7, row.payload);
    insert.bindValue(8, d->lastHash);
    insert.bindValue(9, hash);
    insert.bindValue(10, bindable(row.instance));
    if (!insert.exec()) {
        const QString why = errorText(insert);
        insert.finish();
        d->abortAppend();
        return error(QStringLiteral("cannot store event: %1").arg(why));
    }
    insert.finish();

    if (call) {
        const QString why = d->projection.apply(*call, row.seq);
        if (!why.isEmpty()) {
            d->abortAppend();
            return error(QStringLiteral("cannot update call %1: %2").arg(call->callId, why));
        }
    }

    if (writes) {
        QSqlDatabase db = d->db;
        const QString why = writes(db);
        if (!why.isEmpty()) {
            d->abortAppend();
            return error(why);
        }
    }

    if (!d->finishAppend(&err))
        return error(QStringLiteral("cannot commit event: %1").arg(err));

    d->lastSeq = row.seq;
    d->lastHash = hash;
    result.status = AppendResult::Status::Stored;
    result.seq = row.seq;
    result.hash = hash;
    return result;
}

bool EventStore::beginBatch()
{
    if (!d->open || d->mode == Mode::ReadOnly) {
        d->error = d->open ? QStringLiteral("event store is opened read-only")
                           : QStringLiteral("event store is not open");
        return false;
    }
    if (d->batchDepth > 0) {
        ++d->batchDepth;
        return true;
    }
    QString err;
    if (!d->beginWrite(&err)) {
        d->error = QStringLiteral("cannot start a transaction: %1").arg(err);
        return false;
    }
    d->batchDepth = 1;
    d->headCurrentInBatch = false; // another connection may have appended before this BEGIN
    return true;
}

bool EventStore::commitBatch()
{
    if (d->batchDepth <= 0)
        return true;
    if (--d->batchDepth > 0)
        return true;
    d->headCurrentInBatch = false;
    if (d->beforeCommit)
        d->beforeCommit();
    QString err;
    if (d->run(d->commit, &err)) {
        d->committed();
        return true;
    }
    d->rollbackQuietly();
    // The appends of the batch are gone: read the end of the chain again before the next one.
    d->dataVersionSeen = -1;
    d->error = QStringLiteral("cannot commit events: %1").arg(err);
    return false;
}

bool EventStore::inBatch() const
{
    return d->batchDepth > 0;
}

QString EventStore::normalizeTimestamp(const QString &text)
{
    return normalizeTelnyxTime(text);
}

QString EventStore::formatRecordedAt(const QDateTime &time)
{
    // By hand: QDateTime::toString() parses its format string on every call, and every append
    // formats the time it was recorded.
    const QDateTime utc = time.toUTC();
    const QDate date = utc.date();
    const QTime clock = utc.time();
    if (!date.isValid() || !clock.isValid() || date.year() < 0 || date.year() > 9999)
        return utc.toString(QStringLiteral("yyyy-MM-dd'T'HH:mm:ss.zzz")) + QLatin1Char('Z');
    char out[32];
    std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", date.year(), date.month(),
                  date.day(), clock.hour(), clock.minute(), clock.second(), clock.msec());
    return QString::fromLatin1(out);
}

} // namespace kt
