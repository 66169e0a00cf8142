// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "callprojection.h"
#include "callrecord.h"
#include "storedevent.h"

#include <QDateTime>
#include <QList>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

class QSqlDatabase;
class QSqlDriver;

namespace kt {

// The append-only, hash-chained event log, over QtSql SQLite, and the `calls` projection
// (CallProjection) that each append may update in the same transaction.
//
// Everything goes through Qt's SQLite driver (QSQLITE): prepared QSqlQuery statements, the
// write path's prepared once and kept. So the store runs on whichever SQLite the Qt build
// carries (a Linux distribution's system library, the copy in Qt's Windows and macOS builds).
//
// Each instance owns one named QSqlDatabase connection: create, open and use it in one thread
// only. The engine thread holds the single ReadWrite instance; history readers (UI, CLI) open
// their own ReadOnly instance with another connection name (WAL lets them read while the
// writer writes). Several writers (e.g. a CLI next to the server) are safe too: append() takes
// the write lock and notices rows appended by other connections.
class EventStore
{
public:
    enum class Mode { ReadWrite, ReadOnly };
    enum class Synchronous { Full, Normal };
    using Clock = std::function<QDateTime()>;
    using Progress = std::function<void(qint64 done, qint64 total)>;

    EventStore();
    ~EventStore(); // closes and removes the connection
    EventStore(const EventStore &) = delete;
    EventStore &operator=(const EventStore &) = delete;

    // Settings; call before open(). Defaults: Synchronous::Full, 5000 ms busy timeout.
    void setSynchronous(Synchronous synchronous);
    void setBusyTimeout(int milliseconds);
    // Called right before each COMMIT of this connection (tests make commits slow with it, to
    // check that nothing acts on a write before it is durable). May be set at any time.
    void setBeforeCommit(std::function<void()> hook);
    // SQLite, ReadWrite: copy the write-ahead log back into the database in a thread of its own
    // (WalCheckpointer) instead of inside the commit that crosses 1000 pages; the connection
    // keeps SQLite's automatic checkpoint at 10000 pages as a backstop. If that thread cannot
    // start, SQLite's own checkpoints stay and backgroundCheckpoints().lastError says why. For
    // the engine's writer; off by default. Call before open().
    void setBackgroundCheckpoints(bool on);
    struct CheckpointStats
    {
        bool running = false;
        qint64 checkpoints = 0;  // run so far
        qint64 framesCopied = 0; // log frames copied back by them
        QString lastError;       // why the thread did not start, or the last checkpoint failed
    };
    CheckpointStats backgroundCheckpoints() const;
    // Clock for recorded_at; default QDateTime::currentDateTimeUtc. May be set at any time.
    void setClock(Clock clock);

    // The engine instance this store appends for (README "Two instances on one database"):
    // recorded in the `instance` column of every event it appends from now on, and hashed with
    // it. Empty (the default): none is recorded. May be set at any time.
    void setInstance(const QString &instance);
    QString instance() const;

    // ReadWrite: creates the file if needed, WAL, synchronous, foreign_keys, busy_timeout,
    // applies the migrations and checks the database can be written. ReadOnly: never writes;
    // the schema must be current. False with errorString() set on failure, e.g.
    // "cannot open database /x/y.db: unable to open database file".
    bool open(const QString &path, const QString &connectionName, Mode mode = Mode::ReadWrite);
    void close();
    bool isOpen() const;
    Mode mode() const;
    QString path() const;
    QString connectionName() const;
    // The last error of open() or of any other call that failed.
    QString errorString() const;
    // Whether the store is (or, not open yet, was last given) a PostgreSQL database.
    bool isPostgreSQL() const;
    // The open connection's driver (LogNotifier subscribes it); null when the store is not open.
    QSqlDriver *driver() const;

    // Cheap probe for /health: true when an event could be stored now (write lock obtainable,
    // last row readable, file still present). ReadOnly instances report false.
    bool healthCheck(QString *reason = nullptr);

    // More writes for the same transaction (e.g. the screening tables): called with this
    // store's connection after the event and the call update are written. Return an empty
    // string on success, or an error message to roll everything back. Must not BEGIN, COMMIT
    // or ROLLBACK.
    using Writes = std::function<QString(QSqlDatabase &db)>;

    // Appends one event and applies `call` to the calls projection and `writes`, in one
    // BEGIN IMMEDIATE transaction. A telnyx_id already stored gives Duplicate (seq/hash of the
    // stored event) and writes nothing (`writes` is not called). On Error nothing is written.
    AppendResult append(const NewEvent &event, const CallUpdate *call = nullptr,
                        const Writes &writes = {});

    // Groups the appends up to commitBatch() into one transaction, so that they cost one commit
    // (one fsync with Synchronous::Full) instead of one each. Each append() stays atomic on its
    // own (a savepoint): one that fails writes nothing and leaves the others. Batches nest; only
    // the outermost commitBatch() commits. Other writers wait (busy timeout) while a batch is
    // open, so keep it to one burst of work. False (errorString() set) when the transaction
    // cannot start or commit; after a failed commit every append of the batch is undone.
    bool beginBatch();
    bool commitBatch();
    bool inBatch() const;

    // Calls started per day, between `from` (inclusive) and `to` (exclusive), by the calendar
    // day in the time zone `utcOffsetSecs` east of UTC; oldest first, days without calls left
    // out. For the dashboard's "calls per day" chart.
    using DayCount = CallProjection::DayCount;
    QList<DayCount> callsPerDay(const QDateTime &from, const QDateTime &to, int utcOffsetSecs = 0);

    QList<StoredEvent> events(const EventQuery &query = {}); // newest first
    QList<StoredEvent> eventsForCall(const QString &callId); // oldest first
    std::optional<StoredEvent> event(qint64 seq);
    QList<CallRecord> calls(const CallQuery &query = {}); // newest first (started_at, updated_seq)
    // The calls whose caller or called number contains `number`, newest first, `limit` from
    // `offset`. An E.164 number ("+17702300635") is looked up in the number indexes (that
    // number only); anything else is a part of a number, its digits matched anywhere
    // ("7702300", "770 230"), which reads every call but from a covering index.
    QList<CallRecord> callsWithNumber(const QString &number, int limit = 100, int offset = 0);
    std::optional<CallRecord> call(const QString &callId);
    // The calls projection on this store's connection, for the queries the list above does not
    // offer (valid while the store is open; its reads fail when it is not).
    CallProjection &callProjection();
    // Whether an event whose type starts with `typePrefix` was appended after `seq`; nullopt
    // when the query failed.
    std::optional<bool> hasEventAfter(qint64 seq, const QString &typePrefix);
    // When the last webhook was stored: recorded_at of the newest Telnyx event among the last
    // `scan` events; null when there is none.
    QDateTime lastWebhookAt(int scan = 500);
    // Each instance's last stored webhook among the last `scan` events, newest first: for the
    // Go live view and the dashboard ("which instance does Telnyx reach").
    struct InstanceWebhook
    {
        QString instance;
        QDateTime at; // recorded_at, UTC
    };
    QList<InstanceWebhook> lastWebhookPerInstance(int scan = 5000);

    // The instances table: a running engine instance says it is alive (renewInstance, every
    // few seconds, which keeps the leases of the commands it sent), or that it stopped. An
    // instance whose seen_at + lease_secs has passed, or which stopped, holds no lease.
    bool renewInstance(const QString &id, const QDateTime &startedAt, int leaseSecs,
                       const QDateTime &now);
    bool stopInstance(const QString &id, const QDateTime &now);
    struct InstanceLease
    {
        QDateTime seenAt;
        int leaseSecs = 0;
        bool stopped = false;
        bool expiredAt(const QDateTime &now) const
        {
            return stopped || !seenAt.isValid() || seenAt.addSecs(leaseSecs) < now;
        }
    };
    // The instance's row; nullopt when it has none (never ran here) or on error.
    std::optional<InstanceLease> instanceLease(const QString &id);
    // The newest seq among the call's events that another instance (or none) appended: 0 when
    // there is none, -1 on error.
    qint64 lastSeqForCallNotBy(const QString &callId, const QString &instance);

    qint64 eventCount();
    qint64 lastSeq();   // 0 when empty, -1 on error
    QString lastHash(); // genesis hash when empty, null on error

    // Walks the whole log in seq order, in chunks, and recomputes every hash. Reports the first
    // broken event: edited row, missing row, reordered rows, edited hash. (A chain cannot show
    // that events were cut off its end; compare lastSeq()/lastHash() with a copy kept elsewhere.)
    VerifyResult verify(const Progress &progress = {});

    // ISO-8601 with any offset -> "yyyy-MM-ddTHH:mm:ss.ffffffZ" (UTC, 6 fractional digits);
    // null QString if it does not parse (normalizeTelnyxTime).
    static QString normalizeTimestamp(const QString &text);
    // recorded_at format: "yyyy-MM-ddTHH:mm:ss.zzzZ" in UTC.
    static QString formatRecordedAt(const QDateTime &time);

private:
    bool openPostgreSQL(const QString &url, const QString &connectionName, Mode mode);
    bool finishOpen(const std::function<bool(const QString &)> &failOpen);
    void startCheckpointer();

    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace kt
