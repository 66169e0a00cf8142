// SPDX-License-Identifier: GPL-3.0-or-later
#include "eventstore.h"
#include "eventstoreprivate.h"

#include <limits>

namespace kt {
using namespace storedtext;
using namespace eventstoredetail;

namespace {

constexpr int kVerifyChunk = 2000;

std::optional<QString> columnOpt(const QSqlQuery &q, int i)
{
    if (q.isNull(i))
        return std::nullopt;
    QString s = q.value(i).toString();
    if (s.isNull())
        s = QLatin1String("");
    return s;
}

} // namespace

VerifyResult EventStore::verify(const Progress &progress)
{
    VerifyResult result;
    auto failed = [&](const QString &message) {
        result.ok = false;
        result.message = message;
        d->error = message;
        return result;
    };
    if (!d->open)
        return failed(QStringLiteral("event store is not open"));

    // One read transaction: a consistent snapshot even while another connection appends.
    QString err;
    if (!d->exec(d->dialect.beginSnapshot(), &err))
        return failed(QStringLiteral("cannot read the event log: %1").arg(err));
    struct EndRead
    {
        Private *d;
        ~EndRead() { d->exec(QStringLiteral("ROLLBACK")); }
    } endRead{d.get()};

    qint64 total = 0;
    {
        QSqlQuery count(d->db);
        if (!count.exec(QStringLiteral("SELECT count(*) FROM events")) || !count.next())
            return failed(QStringLiteral("cannot read the event log: %1").arg(errorText(count)));
        total = count.value(0).toLongLong();
    }
    if (progress)
        progress(0, total);

    QSqlQuery q(d->db);
    q.setForwardOnly(true);
    if (!q.prepare(QStringLiteral("SELECT %1 FROM events WHERE seq > ? ORDER BY seq LIMIT %2")
                       .arg(kEventColumns)
                       .arg(kVerifyChunk)))
        return failed(QStringLiteral("cannot read the event log: %1").arg(errorText(q)));

    qint64 cursor = std::numeric_limits<qint64>::min();
    qint64 previousSeq = 0;
    QString previousHash = HashChain::genesisHash();
    for (;;) {
        q.bindValue(0, cursor);
        if (!q.exec())
            return failed(QStringLiteral("cannot read the event log: %1").arg(errorText(q)));
        int rows = 0;
        while (q.next()) {
            ++rows;
            HashChain::Row row;
            row.seq = q.value(0).toLongLong();
            cursor = row.seq;
            const qint64 expected = previousSeq + 1;
            auto broken = [&](const QString &message) {
                q.finish();
                result.firstBrokenSeq = expected;
                return failed(message);
            };
            if (row.seq > expected)
                return broken(QStringLiteral("event %1 is missing (the next event is %2)")
                                  .arg(expected)
                                  .arg(row.seq));
            if (row.seq < expected)
                return broken(QStringLiteral("event %1: found event %2 where event %1 belongs")
                                  .arg(expected)
                                  .arg(row.seq));
            const QString prevHash = column(q, 8);
            if (prevHash != previousHash)
                return broken(expected == 1
                                  ? QStringLiteral("event 1: prev_hash is not the genesis hash")
                                  : QStringLiteral("event %1: prev_hash does not match the hash "
                                                   "of event %2")
                                        .arg(expected)
                                        .arg(previousSeq));
            row.telnyxId = columnOpt(q, 1);
            row.type = column(q, 2);
            row.callId = columnOpt(q, 3);
            row.occurredAt = columnOpt(q, 4);
            row.recordedAt = column(q, 5);
            row.actor = column(q, 6);
            row.payload = column(q, 7);
            row.instance = columnOpt(q, 10);
            const QString stored = column(q, 9);
            if (HashChain::hash(prevHash, row) != stored)
                return broken(
                    QStringLiteral("event %1: hash does not match its contents").arg(expected));
            previousSeq = row.seq;
            previousHash = stored;
            ++result.rowsChecked;
        }
        if (q.lastError().isValid())
            return failed(QStringLiteral("cannot read the event log: %1").arg(errorText(q)));
        q.finish();
        if (progress)
            progress(result.rowsChecked, total);
        if (rows < kVerifyChunk)
            break;
    }
    result.ok = true;
    result.message = QStringLiteral("hash chain intact: %1 events").arg(result.rowsChecked);
    return result;
}

} // namespace kt
