// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The event store's shared insides: its connection, the prepared statements of the write path and
// the head of the hash chain, for the files EventStore is spread over (eventstore.cpp opens and
// closes, eventstoreappend.cpp appends, eventstorereads.cpp reads, eventstoreverify.cpp checks the
// chain). Internal to core/store.

#include "callprojection.h"
#include "databaseurl.h"
#include "eventstore.h"
#include "hashchain.h"
#include "sqldialect.h"
#include "sqlquery.h"
#include "storedtext.h"
#include "walcheckpointer.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <functional>
#include <memory>
#include <optional>

namespace kt {

namespace eventstoredetail {

inline const QString kEventColumns = QStringLiteral(
    "seq, telnyx_id, type, call_id, occurred_at, recorded_at, actor, payload, prev_hash, hash,"
    " instance");

using sql::errorText;

inline StoredEvent readEvent(const QSqlQuery &q)
{
    StoredEvent e;
    e.seq = q.value(0).toLongLong();
    e.telnyxId = storedtext::column(q, 1);
    e.type = storedtext::column(q, 2);
    e.callId = storedtext::column(q, 3);
    e.occurredAt = storedtext::column(q, 4);
    e.recordedAt = storedtext::column(q, 5);
    e.actor = storedtext::column(q, 6);
    e.payload = storedtext::parseObject(storedtext::column(q, 7));
    e.prevHash = storedtext::column(q, 8);
    e.hash = storedtext::column(q, 9);
    e.instance = storedtext::column(q, 10);
    return e;
}

inline bool isFileDatabase(const QString &path)
{
    return !path.isEmpty() && path != QLatin1String(":memory:") &&
           !path.startsWith(QLatin1String("file:")) && !DatabaseUrl::isUrl(path);
}

// A statement the write path runs again and again: prepared once where the database can.
// PostgreSQL cannot PREPARE transaction control (BEGIN, COMMIT, SAVEPOINT, ...), so there those
// run from their text, on a query kept all the same.
struct Statement
{
    std::optional<QSqlQuery> query;
    QString text;
    bool prepared = true;

    bool exec() { return prepared ? query->exec() : query->exec(text); }
    void finish() { query->finish(); }
    QSqlQuery &operator*() { return *query; }
    QSqlQuery *operator->() { return &*query; }
    explicit operator bool() const { return query.has_value(); }
    void reset() { query.reset(); }
};

} // namespace eventstoredetail

struct EventStore::Private
{
    QString path;
    QString connectionName;
    QString error;
    Mode mode = Mode::ReadWrite;
    Synchronous synchronous = Synchronous::Full;
    int busyTimeout = 5000;
    std::function<void()> beforeCommit;
    bool backgroundCheckpoints = false;
    std::unique_ptr<WalCheckpointer> checkpointer; // SQLite ReadWrite, when asked and started
    QString checkpointerError;                     // why it did not start
    Clock clock;
    QString instance;   // recorded in every event this store appends (setInstance)
    bool added = false; // the named connection exists
    bool open = false;
    QSqlDatabase db;
    SqlDialect dialect = SqlDialect::sqlite();

    // Statements of the write path (ReadWrite only): QSqlQuery objects prepared once on this
    // connection and kept, their parameters bound by position on each run. dataVersion is
    // SQLite's, chainLock PostgreSQL's.
    using Statement = eventstoredetail::Statement;
    Statement begin, commit, rollback, dataVersion, chainLock, head, findTelnyxId, insertEvent,
        savepoint, release, rollbackTo;
    CallProjection projection; // the calls table, written in the events' transactions
    int batchDepth = 0;        // beginBatch() nesting; > 0: a transaction is open

    // Head of the chain as of dataVersionSeen (SQLite: PRAGMA data_version changes when another
    // connection commits; PostgreSQL has no such counter, so each append reads the head again
    // once it holds the chain lock: one index probe).
    qint64 lastSeq = 0;
    QString lastHash;
    qint64 dataVersionSeen = -1;
    // Inside a batch (BEGIN IMMEDIATE, or PostgreSQL's chain lock: no other connection can
    // append until it ends) the head read by the batch's first append stays current; later
    // appends skip the read.
    bool headCurrentInBatch = false;

    bool fail(const QString &message)
    {
        error = message;
        return false;
    }

    bool exec(const QString &sql, QString *err = nullptr)
    {
        QSqlQuery q(db);
        if (q.exec(sql))
            return true;
        if (err)
            *err = eventstoredetail::errorText(q);
        return false;
    }

    bool prepare(Statement &slot, const QString &sql, bool control = false)
    {
        slot.query.emplace(db);
        slot.query->setForwardOnly(true);
        slot.text = sql;
        slot.prepared = !(control && dialect.isPostgreSQL());
        if (!slot.prepared || slot.query->prepare(sql))
            return true;
        return fail(QStringLiteral("cannot prepare statement: %1")
                        .arg(eventstoredetail::errorText(*slot.query)));
    }

    bool prepareWritePath()
    {
        const bool pg = dialect.isPostgreSQL();
        return prepare(begin, dialect.beginWrite(), true) &&
               prepare(commit, QStringLiteral("COMMIT"), true) &&
               prepare(rollback, QStringLiteral("ROLLBACK"), true) &&
               (pg || prepare(dataVersion, QStringLiteral("PRAGMA data_version"))) &&
               (!pg || prepare(chainLock, dialect.chainLock())) &&
               prepare(head,
                       QStringLiteral("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1")) &&
               prepare(findTelnyxId,
                       QStringLiteral("SELECT seq, hash FROM events WHERE telnyx_id = ?")) &&
               prepare(insertEvent, QStringLiteral("INSERT INTO events (%1) VALUES "
                                                   "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                                        .arg(eventstoredetail::kEventColumns)) &&
               prepare(savepoint, QStringLiteral("SAVEPOINT kevantel_append"), true) &&
               prepare(release, QStringLiteral("RELEASE kevantel_append"), true) &&
               prepare(rollbackTo, QStringLiteral("ROLLBACK TO kevantel_append"), true);
    }

    bool run(Statement &statement, QString *err = nullptr)
    {
        const bool ok = statement.exec();
        if (!ok && err)
            *err = eventstoredetail::errorText(*statement);
        statement.finish();
        return ok;
    }

    // A transaction that appends: BEGIN IMMEDIATE on SQLite; on PostgreSQL BEGIN and the chain
    // lock, which waits (up to the busy timeout) for any other connection's append to commit.
    bool beginWrite(QString *err)
    {
        if (!run(begin, err))
            return false;
        if (!dialect.isPostgreSQL() || run(chainLock, err))
            return true;
        rollbackQuietly();
        return false;
    }

    // An append's own transaction, or a savepoint inside a batch.
    bool startAppend(QString *err)
    {
        return batchDepth > 0 ? run(savepoint, err) : beginWrite(err);
    }
    bool finishAppend(QString *err)
    {
        if (batchDepth > 0)
            return run(release, err);
        if (beforeCommit)
            beforeCommit();
        if (run(commit, err)) {
            committed();
            return true;
        }
        rollbackQuietly();
        return false;
    }
    // After each COMMIT that wrote: the log has frames to copy back.
    void committed()
    {
        if (checkpointer)
            checkpointer->noteCommit();
    }
    void abortAppend()
    {
        if (batchDepth > 0) {
            // If SQLite rolled the whole transaction back (I/O error, disk full), the earlier
            // appends of the batch are gone too: read the end of the chain again.
            if (!run(rollbackTo)) {
                dataVersionSeen = -1;
                headCurrentInBatch = false;
            }
            run(release);
        } else {
            rollbackQuietly();
        }
    }

    bool readDataVersion(qint64 *out, QString *err)
    {
        if (dialect.isPostgreSQL()) {
            *out = -1; // no such counter: refreshHead() reads the head each time
            return true;
        }
        if (!dataVersion.exec() || !dataVersion->next()) {
            *err = eventstoredetail::errorText(*dataVersion);
            dataVersion->finish();
            return false;
        }
        *out = dataVersion->value(0).toLongLong();
        dataVersion->finish();
        return true;
    }

    bool readHead(qint64 *seq, QString *hash, QString *err)
    {
        if (!head.exec()) {
            *err = eventstoredetail::errorText(*head);
            return false;
        }
        if (head->next()) {
            *seq = head->value(0).toLongLong();
            *hash = head->value(1).toString();
        } else if (head->lastError().isValid()) {
            *err = eventstoredetail::errorText(*head);
            head->finish();
            return false;
        } else {
            *seq = 0;
            *hash = HashChain::genesisHash();
        }
        head->finish();
        return true;
    }

    // Re-reads the head when another connection committed since we last looked.
    bool refreshHead(QString *err)
    {
        if (batchDepth > 0 && headCurrentInBatch)
            return true;
        qint64 version = 0;
        if (!readDataVersion(&version, err))
            return false;
        if (version == dataVersionSeen && !dialect.isPostgreSQL())
            return true;
        if (!readHead(&lastSeq, &lastHash, err))
            return false;
        dataVersionSeen = version;
        headCurrentInBatch = batchDepth > 0;
        return true;
    }

    void rollbackQuietly()
    {
        rollback.exec();
        rollback.finish();
    }
};

} // namespace kt
