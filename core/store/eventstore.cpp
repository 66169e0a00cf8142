// SPDX-License-Identifier: GPL-3.0-or-later
#include "eventstore.h"

#include "hashchain.h"
#include "privatefiles.h"
#include "schema.h"
#include "sqlquery.h"
#include "storedtext.h"
#include "telnyx/telnyxtime.h"

#include <QFileInfo>
#include <QHash>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUrl>
#include <QVariant>

#include <cstdio>
#include <limits>

namespace kt {
using namespace storedtext;

namespace {

const QString kEventColumns = QStringLiteral(
    "seq, telnyx_id, type, call_id, occurred_at, recorded_at, actor, payload, prev_hash, hash");

constexpr int kVerifyChunk = 2000;

QString errorText(const QSqlError &e)
{
    return e.databaseText().isEmpty() ? e.text() : e.databaseText();
}

using sql::errorText;

std::optional<QString> nullable(const QString &s)
{
    if (s.isEmpty())
        return std::nullopt;
    return clean(s);
}

QVariant bindable(const std::optional<QString> &s)
{
    return s ? QVariant(*s) : QVariant(QMetaType::fromType<QString>());
}

std::optional<QString> columnOpt(const QSqlQuery &q, int i)
{
    if (q.isNull(i))
        return std::nullopt;
    QString s = q.value(i).toString();
    if (s.isNull())
        s = QLatin1String("");
    return s;
}

StoredEvent readEvent(const QSqlQuery &q)
{
    StoredEvent e;
    e.seq = q.value(0).toLongLong();
    e.telnyxId = column(q, 1);
    e.type = column(q, 2);
    e.callId = column(q, 3);
    e.occurredAt = column(q, 4);
    e.recordedAt = column(q, 5);
    e.actor = column(q, 6);
    e.payload = parseObject(column(q, 7));
    e.prevHash = column(q, 8);
    e.hash = column(q, 9);
    return e;
}

bool isFileDatabase(const QString &path)
{
    return !path.isEmpty() && path != QLatin1String(":memory:") &&
           !path.startsWith(QLatin1String("file:"));
}

} // namespace

struct EventStore::Private
{
    QString path;
    QString connectionName;
    QString error;
    Mode mode = Mode::ReadWrite;
    Synchronous synchronous = Synchronous::Full;
    int busyTimeout = 5000;
    std::function<void()> beforeCommit;
    Clock clock;
    bool added = false; // the named connection exists
    bool open = false;
    QSqlDatabase db;

    // Prepared statements of the write path (ReadWrite only): QSqlQuery objects prepared once on
    // this connection and kept, their parameters bound by position on each run.
    std::optional<QSqlQuery> begin, commit, rollback, dataVersion, head, findTelnyxId, insertEvent,
        savepoint, release, rollbackTo;
    CallProjection projection; // the calls table, written in the events' transactions
    int batchDepth = 0;        // beginBatch() nesting; > 0: a transaction is open

    // Head of the chain as of dataVersionSeen (PRAGMA data_version changes when another
    // connection commits).
    qint64 lastSeq = 0;
    QString lastHash;
    qint64 dataVersionSeen = -1;
    // Inside a batch (BEGIN IMMEDIATE: no other connection can write until it ends) the head
    // read by the batch's first append stays current; later appends skip the read.
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
            *err = errorText(q);
        return false;
    }

    bool prepare(std::optional<QSqlQuery> &slot, const QString &sql)
    {
        slot.emplace(db);
        slot->setForwardOnly(true);
        if (slot->prepare(sql))
            return true;
        return fail(QStringLiteral("cannot prepare statement: %1").arg(errorText(*slot)));
    }

    bool prepareWritePath()
    {
        return prepare(begin, QStringLiteral("BEGIN IMMEDIATE")) &&
               prepare(commit, QStringLiteral("COMMIT")) &&
               prepare(rollback, QStringLiteral("ROLLBACK")) &&
               prepare(dataVersion, QStringLiteral("PRAGMA data_version")) &&
               prepare(head,
                       QStringLiteral("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1")) &&
               prepare(findTelnyxId,
                       QStringLiteral("SELECT seq, hash FROM events WHERE telnyx_id = ?")) &&
               prepare(insertEvent, QStringLiteral("INSERT INTO events (%1) VALUES "
                                                   "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                                        .arg(kEventColumns)) &&
               prepare(savepoint, QStringLiteral("SAVEPOINT kevantel_append")) &&
               prepare(release, QStringLiteral("RELEASE kevantel_append")) &&
               prepare(rollbackTo, QStringLiteral("ROLLBACK TO kevantel_append"));
    }

    bool run(std::optional<QSqlQuery> &statement, QString *err = nullptr)
    {
        const bool ok = statement->exec();
        if (!ok && err)
            *err = errorText(*statement);
        statement->finish();
        return ok;
    }

    // An append's own transaction: BEGIN IMMEDIATE, or a savepoint inside a batch.
    bool startAppend(QString *err) { return run(batchDepth > 0 ? savepoint : begin, err); }
    bool finishAppend(QString *err)
    {
        if (batchDepth > 0)
            return run(release, err);
        if (beforeCommit)
            beforeCommit();
        if (run(commit, err))
            return true;
        rollbackQuietly();
        return false;
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
        if (!dataVersion->exec() || !dataVersion->next()) {
            *err = errorText(*dataVersion);
            dataVersion->finish();
            return false;
        }
        *out = dataVersion->value(0).toLongLong();
        dataVersion->finish();
        return true;
    }

    bool readHead(qint64 *seq, QString *hash, QString *err)
    {
        if (!head->exec()) {
            *err = errorText(*head);
            return false;
        }
        if (head->next()) {
            *seq = head->value(0).toLongLong();
            *hash = head->value(1).toString();
        } else if (head->lastError().isValid()) {
            *err = errorText(*head);
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
        if (version == dataVersionSeen)
            return true;
        if (!readHead(&lastSeq, &lastHash, err))
            return false;
        dataVersionSeen = version;
        headCurrentInBatch = batchDepth > 0;
        return true;
    }

    void rollbackQuietly()
    {
        rollback->exec();
        rollback->finish();
    }
};

EventStore::EventStore() : d(std::make_unique<Private>()) {}

EventStore::~EventStore()
{
    close();
}

void EventStore::setSynchronous(Synchronous synchronous)
{
    d->synchronous = synchronous;
}

void EventStore::setBusyTimeout(int milliseconds)
{
    d->busyTimeout = qMax(0, milliseconds);
}

void EventStore::setBeforeCommit(std::function<void()> hook)
{
    d->beforeCommit = std::move(hook);
}

void EventStore::setClock(Clock clock)
{
    d->clock = std::move(clock);
}

bool EventStore::open(const QString &path, const QString &connectionName, Mode mode)
{
    close();
    d->error.clear();
    if (connectionName.isEmpty())
        return d->fail(QStringLiteral("cannot open database %1: no connection name").arg(path));
    if (path.isEmpty())
        return d->fail(QStringLiteral("cannot open database: no path given"));
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE")))
        return d->fail(QStringLiteral("cannot open database %1: the Qt SQLite driver (QSQLITE) "
                                      "is not available")
                           .arg(path));
    if (QSqlDatabase::contains(connectionName))
        return d->fail(
            QStringLiteral("cannot open database %1: connection name \"%2\" is already in use")
                .arg(path, connectionName));

    d->path = path;
    d->mode = mode;
    d->connectionName = connectionName;
    d->added = true;
    // A new database is created private (0600 on Unix); SQLite gives its -wal and -shm files
    // the same permissions.
    if (mode == Mode::ReadWrite && isFileDatabase(path))
        PrivateFiles::createFile(path); // if it cannot, SQLite's open below says why
    d->db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connectionName);
    d->db.setDatabaseName(path);
    QStringList options{QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(d->busyTimeout)};
    if (mode == Mode::ReadOnly)
        options << QStringLiteral("QSQLITE_OPEN_READONLY");
    d->db.setConnectOptions(options.join(QLatin1Char(';')));

    auto failOpen = [this, &path](const QString &reason) {
        const QString message = QStringLiteral("cannot open database %1: %2").arg(path, reason);
        close();
        d->error = message;
        return false;
    };

    if (!d->db.open())
        return failOpen(errorText(d->db.lastError()));

    if (mode == Mode::ReadOnly && isFileDatabase(path)) {
        bool cannotInit = false;
        {
            QSqlQuery probe(d->db);
            cannotInit = !probe.exec(QStringLiteral("SELECT count(*) FROM sqlite_master")) &&
                         (probe.lastError().nativeErrorCode().toInt() & 0xff) == 8; // READONLY
        }
        if (cannotInit) {
            // A WAL database in a directory we may not write, without its -shm file (so no
            // writer is active): SQLite reads it only as an immutable file.
            d->db.close();
            const QUrl uri = QUrl::fromLocalFile(QFileInfo(path).absoluteFilePath());
            d->db.setDatabaseName(uri.toString(QUrl::FullyEncoded) +
                                  QStringLiteral("?immutable=1"));
            options << QStringLiteral("QSQLITE_OPEN_URI");
            d->db.setConnectOptions(options.join(QLatin1Char(';')));
            if (!d->db.open())
                return failOpen(errorText(d->db.lastError()));
        }
    }

    QString err;
    if (!d->exec(QStringLiteral("PRAGMA busy_timeout = %1").arg(d->busyTimeout), &err) ||
        !d->exec(QStringLiteral("PRAGMA foreign_keys = ON"), &err))
        return failOpen(err);

    if (mode == Mode::ReadWrite) {
        QSqlQuery wal(d->db);
        if (!wal.exec(QStringLiteral("PRAGMA journal_mode = WAL")))
            return failOpen(errorText(wal));
        const QString journal = wal.next() ? wal.value(0).toString().toLower() : QString();
        wal.finish();
        if (journal != QLatin1String("wal") && journal != QLatin1String("memory"))
            return failOpen(QStringLiteral("cannot use write-ahead logging (journal mode is %1)")
                                .arg(journal.isEmpty() ? QStringLiteral("unknown") : journal));
        const QString sync =
            d->synchronous == Synchronous::Full ? QStringLiteral("FULL") : QStringLiteral("NORMAL");
        // The write-ahead log is copied back into the database by SQLite's own automatic
        // checkpoint (every 1000 pages, inside the commit that crosses them).
        if (!d->exec(QStringLiteral("PRAGMA synchronous = %1").arg(sync), &err))
            return failOpen(err);
        if (!Schema::migrate(d->db, &err))
            return failOpen(err);
        if (!d->prepareWritePath())
            return failOpen(d->error);
        // Probe: refuse now rather than on the first webhook if we cannot write.
        if (!d->begin->exec())
            return failOpen(QStringLiteral("not writable: %1").arg(errorText(*d->begin)));
        d->begin->finish();
        d->rollbackQuietly();
        if (!d->readDataVersion(&d->dataVersionSeen, &err) ||
            !d->readHead(&d->lastSeq, &d->lastHash, &err))
            return failOpen(err);
    } else {
        const int version = Schema::userVersion(d->db, &err);
        if (version < 0)
            return failOpen(err);
        if (version > Schema::latestVersion())
            return failOpen(QStringLiteral("database schema version %1 is newer than this "
                                           "version of kevan-tel supports (%2); use a newer "
                                           "kevan-tel")
                                .arg(version)
                                .arg(Schema::latestVersion()));
        if (version == 0)
            return failOpen(QStringLiteral("not a kevan-tel database (no schema); open it "
                                           "read-write once to create it"));
        if (version < Schema::latestVersion())
            return failOpen(QStringLiteral("database schema version %1 is older than this "
                                           "version of kevan-tel (%2); open it read-write once "
                                           "to upgrade it")
                                .arg(version)
                                .arg(Schema::latestVersion()));
        if (!d->exec(QStringLiteral("SELECT seq FROM events ORDER BY seq DESC LIMIT 1"), &err))
            return failOpen(err);
    }
    d->projection.setDatabase(d->db);
    d->open = true;
    return true;
}

void EventStore::close()
{
    d->begin.reset();
    d->commit.reset();
    d->rollback.reset();
    d->dataVersion.reset();
    d->head.reset();
    d->findTelnyxId.reset();
    d->insertEvent.reset();
    d->projection.reset();
    d->savepoint.reset();
    d->release.reset();
    d->rollbackTo.reset();
    d->batchDepth = 0;
    if (d->added) {
        d->db.close();
        d->db = QSqlDatabase();
        QSqlDatabase::removeDatabase(d->connectionName);
        d->added = false;
    }
    d->open = false;
    d->lastSeq = 0;
    d->lastHash.clear();
    d->dataVersionSeen = -1;
}

bool EventStore::isOpen() const
{
    return d->open;
}

EventStore::Mode EventStore::mode() const
{
    return d->mode;
}

QString EventStore::path() const
{
    return d->path;
}

QString EventStore::connectionName() const
{
    return d->added ? d->connectionName : QString();
}

QString EventStore::errorString() const
{
    return d->error;
}

bool EventStore::healthCheck(QString *reason)
{
    auto unhealthy = [&](const QString &why) {
        if (reason)
            *reason = why;
        d->error = why;
        return false;
    };
    if (!d->open)
        return unhealthy(QStringLiteral("event store is not open"));
    if (d->mode == Mode::ReadOnly)
        return unhealthy(QStringLiteral("event store is opened read-only"));
    if (isFileDatabase(d->path) && !QFileInfo::exists(d->path))
        return unhealthy(QStringLiteral("database file %1 has been removed").arg(d->path));
    if (d->batchDepth > 0) { // this connection holds the write lock
        if (reason)
            reason->clear();
        return true;
    }
    if (!d->begin->exec()) {
        const QString why = errorText(*d->begin);
        d->begin->finish();
        return unhealthy(QStringLiteral("event store is not writable: %1").arg(why));
    }
    d->begin->finish();
    qint64 seq = 0;
    QString hash, err;
    const bool readable = d->readHead(&seq, &hash, &err);
    d->rollbackQuietly();
    if (!readable)
        return unhealthy(QStringLiteral("event store is not readable: %1").arg(err));
    if (reason)
        reason->clear();
    return true;
}

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

    HashChain::Row row;
    row.telnyxId = nullable(event.telnyxId);
    row.type = clean(event.type);
    row.callId = nullable(event.callId);
    const QString occurred = normalizeTimestamp(event.occurredAt);
    if (!occurred.isNull())
        row.occurredAt = occurred;
    row.recordedAt = formatRecordedAt(now);
    row.actor = clean(event.actor);
    row.payload = event.rawPayload.isNull() ? compactJson(event.payload)
                                            : QString::fromUtf8(event.rawPayload);

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
    if (!d->run(d->begin, &err)) {
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
    if (d->run(d->commit, &err))
        return true;
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
        binds << query.type;
    }
    if (!query.callId.isEmpty()) {
        where << QStringLiteral("call_id = ?");
        binds << query.callId;
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
    q.bindValue(0, callId);
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
    if (!d->exec(QStringLiteral("BEGIN"), &err))
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
