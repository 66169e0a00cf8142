// SPDX-License-Identifier: GPL-3.0-or-later
#include "eventstore.h"
#include "eventstoreprivate.h"

#include "privatefiles.h"
#include "schema.h"

#include <QFileInfo>
#include <QUrl>

namespace kt {
using namespace storedtext;
using namespace eventstoredetail;

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

void EventStore::setBackgroundCheckpoints(bool on)
{
    d->backgroundCheckpoints = on;
}

EventStore::CheckpointStats EventStore::backgroundCheckpoints() const
{
    CheckpointStats stats;
    if (d->checkpointer) {
        stats.running = d->checkpointer->isRunning();
        stats.checkpoints = d->checkpointer->checkpoints();
        stats.framesCopied = d->checkpointer->framesCopied();
        stats.lastError = d->checkpointer->lastError();
    } else {
        stats.lastError = d->checkpointerError;
    }
    return stats;
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
    if (DatabaseUrl::isUrl(path))
        return openPostgreSQL(path, connectionName, mode);
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
    d->dialect = SqlDialect::sqlite();
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
    }
    if (!finishOpen(failOpen))
        return false;
    if (mode == Mode::ReadWrite && d->backgroundCheckpoints && isFileDatabase(path))
        startCheckpointer();
    return true;
}

// The log's checkpoints in their own thread (setBackgroundCheckpoints); SQLite's own stay as a
// backstop at 10000 pages (about 40 MB of log), or at its default if the thread cannot start.
void EventStore::startCheckpointer()
{
    d->checkpointerError.clear();
    auto checkpointer = std::make_unique<WalCheckpointer>(d->path);
    QString err;
    if (!checkpointer->start(&err)) {
        d->checkpointerError = err;
        qCWarning(lcCheckpoint).noquote() << err << "- the commits copy the log back themselves";
        return;
    }
    if (!d->exec(QStringLiteral("PRAGMA wal_autocheckpoint = 10000"), &err)) {
        d->checkpointerError = err;
        qCWarning(lcCheckpoint).noquote() << "cannot raise wal_autocheckpoint:" << err;
        return; // the thread stops with `checkpointer`; the commits keep SQLite's default
    }
    d->checkpointer = std::move(checkpointer);
}

void EventStore::close()
{
    // Its last checkpoint first, so that closing the writer's connection (the last) can copy
    // back what remains and remove the log.
    d->checkpointer.reset();
    d->begin.reset();
    d->commit.reset();
    d->rollback.reset();
    d->dataVersion.reset();
    d->chainLock.reset();
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

bool EventStore::isPostgreSQL() const
{
    return d->open ? d->dialect.isPostgreSQL() : DatabaseUrl::isUrl(d->path);
}

QSqlDriver *EventStore::driver() const
{
    return d->open ? d->db.driver() : nullptr;
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
    // SQLite: BEGIN IMMEDIATE waits for another connection's write lock; PostgreSQL: the chain
    // lock, the same way.
    QString why;
    if (!d->beginWrite(&why))
        return unhealthy(QStringLiteral("event store is not writable: %1").arg(why));
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

// Both back ends: the schema, the write path, the head of the chain (ReadWrite); or a check that
// the schema is current (ReadOnly).
bool EventStore::finishOpen(const std::function<bool(const QString &)> &failOpen)
{
    QString err;
    if (d->mode == Mode::ReadWrite) {
        if (!Schema::migrate(d->db, &err))
            return failOpen(err);
        if (!d->prepareWritePath())
            return failOpen(d->error);
        // Probe: refuse now rather than on the first webhook if we cannot write.
        if (!d->beginWrite(&err))
            return failOpen(QStringLiteral("not writable: %1").arg(err));
        if (d->dialect.isPostgreSQL()) {
            // A standby, or a role that may only read, would refuse the first webhook.
            QSqlQuery probe(d->db);
            const bool writable =
                probe.exec(QStringLiteral("SELECT current_setting('transaction_read_only') ="
                                          " 'off' AND has_table_privilege('events', 'INSERT')")) &&
                probe.next() && probe.value(0).toBool();
            probe.finish();
            if (!writable) {
                d->rollbackQuietly();
                return failOpen(QStringLiteral("not writable: the server or the role only reads"));
            }
        }
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

bool EventStore::openPostgreSQL(const QString &path, const QString &connectionName, Mode mode)
{
    QString why;
    const std::optional<DatabaseUrl> url = DatabaseUrl::parse(path, &why);
    if (!url) // named by its host only: the rest may hold what was refused (a password)
        return d->fail(QStringLiteral("cannot open database postgresql://%1...: %2")
                           .arg(QUrl(path.trimmed()).host(), why));
    const QString shown = url->toString(); // no password: the URL cannot hold one
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QPSQL")))
        return d->fail(QStringLiteral("cannot open database %1: the Qt PostgreSQL driver (QPSQL) "
                                      "is not available (install libqt6sql6-psql)")
                           .arg(shown));
    if (QSqlDatabase::contains(connectionName))
        return d->fail(
            QStringLiteral("cannot open database %1: connection name \"%2\" is already in use")
                .arg(shown, connectionName));
    d->path = path;
    d->mode = mode;
    d->connectionName = connectionName;
    d->dialect = SqlDialect::postgresql();
    d->added = true;
    d->db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), connectionName);
    d->db.setHostName(url->host);
    d->db.setPort(url->port);
    d->db.setDatabaseName(url->databaseName);
    if (!url->user.isEmpty())
        d->db.setUserName(url->user);
    // No password here: libpq takes it from PGPASSWORD or ~/.pgpass itself.
    d->db.setConnectOptions(url->connectOptions());

    auto failOpen = [this, shown](const QString &reason) {
        const QString message = QStringLiteral("cannot open database %1: %2").arg(shown, reason);
        close();
        d->error = message;
        return false;
    };
    if (!d->db.open())
        return failOpen(errorText(d->db.lastError()));
    // The busy timeout bounds the wait for the chain lock. Synchronous::Normal: a commit does
    // not wait for the server's disk (a server crash may lose the last commits, as an OS crash
    // may with SQLite's NORMAL); Full waits.
    QString err;
    if (!d->exec(QStringLiteral("SET lock_timeout = %1").arg(d->busyTimeout), &err) ||
        !d->exec(QStringLiteral("SET synchronous_commit = %1")
                     .arg(d->synchronous == Synchronous::Full ? QStringLiteral("on")
                                                              : QStringLiteral("off")),
                 &err) ||
        (mode == Mode::ReadOnly &&
         !d->exec(QStringLiteral("SET default_transaction_read_only = on"), &err)))
        return failOpen(err);
    return finishOpen(failOpen);
}

} // namespace kt
