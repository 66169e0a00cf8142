// SPDX-License-Identifier: GPL-3.0-or-later
#include "pgtestdatabase.h"
#include "store/databaseurl.h"
#include "store/eventstore.h"
#include "store/hashchain.h"
#include "store/privatefiles.h"
#include "store/schema.h"
#include "store/sqldialect.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimeZone>
#include <QtEndian>

#include <QSemaphore>
#include <QSet>

#include <limits>
#include <map>
#include <memory>

#ifdef Q_OS_UNIX
#include <sys/stat.h>
#endif

using namespace kt;

namespace {

// A second, raw connection to the same database: what someone with sqlite3 (or psql) could do.
class RawDb
{
public:
    explicit RawDb(const QString &path) : m_name(QStringLiteral("raw-%1").arg(++s_counter))
    {
        if (DatabaseUrl::isUrl(path)) {
            m_pg = true;
            const auto url = DatabaseUrl::parse(path, nullptr);
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), m_name);
            if (url) {
                db.setHostName(url->host);
                db.setPort(url->port);
                db.setDatabaseName(url->databaseName);
                db.setUserName(url->user);
                db.setConnectOptions(url->connectOptions());
            }
            m_ok = url && db.open();
            return;
        }
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
        m_ok = db.open();
    }
    ~RawDb()
    {
        {
            QSqlDatabase db = QSqlDatabase::database(m_name, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(m_name);
    }
    bool ok() const { return m_ok; }
    QSqlDatabase db() const { return QSqlDatabase::database(m_name, false); }
    bool exec(const QString &sql, QString *error = nullptr)
    {
        QSqlQuery q(db());
        const bool ok = q.exec(sql);
        if (!ok && error)
            *error = q.lastError().text();
        return ok;
    }
    QVariant scalar(const QString &sql)
    {
        QSqlQuery q(db());
        if (!q.exec(sql) || !q.next())
            return QVariant();
        return q.value(0);
    }
    void dropTriggers()
    {
        const QString on = m_pg ? QStringLiteral(" ON events") : QString();
        QVERIFY(exec(QStringLiteral("DROP TRIGGER events_no_update") + on));
        QVERIFY(exec(QStringLiteral("DROP TRIGGER events_no_delete") + on));
        QVERIFY(exec(QStringLiteral("DROP TRIGGER events_append_only") + on));
        if (m_pg)
            QVERIFY(exec(QStringLiteral("DROP TRIGGER events_no_truncate ON events")));
    }
    // A table's or an index's count in the catalogue (0 or 1).
    int schemaObjects(const QString &kind, const QString &name)
    {
        if (!m_pg)
            return scalar(QStringLiteral("SELECT count(*) FROM sqlite_master WHERE type = '%1'"
                                         " AND name = '%2'")
                              .arg(kind, name))
                .toInt();
        return scalar(kind == QLatin1String("index")
                          ? QStringLiteral("SELECT count(*) FROM pg_indexes WHERE indexname = '%1'")
                                .arg(name)
                          : QStringLiteral("SELECT count(*) FROM pg_tables WHERE tablename = '%1'")
                                .arg(name))
            .toInt();
    }
    // SQL for the storage type of `column`: "null" or "text".
    QString typeOf(const QString &column) const
    {
        return m_pg
                   ? QStringLiteral("CASE WHEN %1 IS NULL THEN 'null' ELSE pg_typeof(%1)::text END")
                         .arg(column)
                   : QStringLiteral("typeof(%1)").arg(column);
    }

private:
    static inline int s_counter = 0;
    QString m_name;
    bool m_ok = false;
    bool m_pg = false;
};

NewEvent makeEvent(int i, const QString &telnyxId = QString(), const QString &callId = QString(),
                   const QString &type = QStringLiteral("call.initiated"))
{
    NewEvent e;
    e.telnyxId = telnyxId;
    e.type = type;
    e.callId = callId;
    e.occurredAt = QStringLiteral("2025-11-23T03:30:00.076316Z");
    e.actor = QStringLiteral("telnyx");
    e.payload = QJsonObject{{QStringLiteral("i"), i}, {QStringLiteral("from"), "+17702300635"}};
    return e;
}

} // namespace

class TestEventStore : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    // Every test runs on both back ends (initTestCase_data): a SQLite file in m_dir, or a fresh
    // PostgreSQL database per name, dropped in cleanup().
    bool m_pg = false;
    mutable std::map<QString, std::unique_ptr<test::PgTestDatabase>> m_pgDatabases;
    QString dbPath(const QString &name = QStringLiteral("events.db")) const
    {
        if (!m_pg)
            return m_dir->filePath(name);
        auto &db = m_pgDatabases[name];
        if (!db) {
            db = std::make_unique<test::PgTestDatabase>();
            QString error;
            if (!db->create(&error))
                qWarning("cannot create a PostgreSQL test database: %s", qPrintable(error));
        }
        return db->url();
    }
    SqlDialect dialect() const { return m_pg ? SqlDialect::postgresql() : SqlDialect::sqlite(); }
    // Text as the store keeps it: PostgreSQL's text has no U+0000.
    QString stored(const QString &text) const
    {
        return m_pg ? QString(text).replace(QChar(0), QChar::ReplacementCharacter) : text;
    }
    // Opens `store` read-write on dbPath() and appends `count` events (telnyx ids "t1".."tN").
    bool fill(EventStore &store, int count)
    {
        store.setSynchronous(EventStore::Synchronous::Normal);
        if (!store.open(dbPath(), QStringLiteral("writer"))) {
            qWarning() << store.errorString();
            return false;
        }
        for (int i = 1; i <= count; ++i) {
            const auto r = store.append(makeEvent(i, QStringLiteral("t%1").arg(i)));
            if (r.status != AppendResult::Status::Stored || r.seq != i) {
                qWarning() << r.error;
                return false;
            }
        }
        return true;
    }

private slots:
    void initTestCase_data()
    {
        QTest::addColumn<QString>("backend");
        QTest::newRow("sqlite") << QStringLiteral("sqlite");
        QTest::newRow("postgresql") << QStringLiteral("postgresql");
    }
    void init()
    {
        QFETCH_GLOBAL(QString, backend);
        m_pg = backend == QLatin1String("postgresql");
        if (m_pg && test::pgServerUrl().isEmpty())
            QSKIP(qPrintable(test::pgSkipReason()));
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
    }
    void cleanup()
    {
        m_dir.reset();
        m_pgDatabases.clear();
        QVERIFY2(QSqlDatabase::connectionNames().isEmpty(),
                 qPrintable(QSqlDatabase::connectionNames().join(QLatin1Char(','))));
    }

    void appendAndReadBack()
    {
        EventStore store;
        store.setClock([] { return QDateTime(QDate(2025, 1, 2), QTime(3, 4, 5, 678), Qt::UTC); });
        QVERIFY2(store.open(dbPath(), QStringLiteral("w")), qPrintable(store.errorString()));
        QVERIFY(store.isOpen());
        QCOMPARE(store.lastSeq(), 0);
        QCOMPARE(store.eventCount(), 0);
        QCOMPARE(store.lastHash(), HashChain::genesisHash());

        NewEvent e = makeEvent(7, QStringLiteral("tel-1"), QStringLiteral("call-1"));
        e.payload = QJsonObject{{QStringLiteral("b"), 2},
                                {QStringLiteral("a"), QJsonArray{1, QStringLiteral("x")}}};
        const AppendResult r = store.append(e);
        QCOMPARE(r.status, AppendResult::Status::Stored);
        QVERIFY(r.ok());
        QCOMPARE(r.seq, 1);
        QCOMPARE(r.hash.size(), 64);
        QVERIFY(r.error.isEmpty());

        const QList<StoredEvent> all = store.events();
        QCOMPARE(all.size(), 1);
        const StoredEvent &s = all.first();
        QCOMPARE(s.seq, 1);
        QCOMPARE(s.telnyxId, QStringLiteral("tel-1"));
        QCOMPARE(s.type, QStringLiteral("call.initiated"));
        QCOMPARE(s.callId, QStringLiteral("call-1"));
        QCOMPARE(s.occurredAt, QStringLiteral("2025-11-23T03:30:00.076316Z"));
        QCOMPARE(s.recordedAt, QStringLiteral("2025-01-02T03:04:05.678Z"));
        QCOMPARE(s.actor, QStringLiteral("telnyx"));
        QCOMPARE(s.payload, e.payload);
        QCOMPARE(s.prevHash, HashChain::genesisHash());
        QCOMPARE(s.hash, r.hash);
        QCOMPARE(store.lastSeq(), 1);
        QCOMPARE(store.lastHash(), r.hash);
        QCOMPARE(store.eventCount(), 1);
        QCOMPARE(store.event(1)->hash, r.hash);
        QVERIFY(!store.event(2).has_value());

        // The payload is stored as compact JSON.
        RawDb raw(dbPath());
        QCOMPARE(raw.scalar(QStringLiteral("SELECT payload FROM events")).toString(),
                 QStringLiteral(R"({"a":[1,"x"],"b":2})"));
    }

    void rawPayloadIsStoredAsReceived()
    {
        // A webhook's signed body is stored byte for byte (spacing, key order, escapes), hashed
        // as stored, and read back as JSON.
        EventStore store;
        QVERIFY(store.open(dbPath(), QStringLiteral("w")));
        NewEvent e = makeEvent(1, QStringLiteral("tel-raw"), QStringLiteral("call-raw"));
        e.payload = QJsonObject{{QStringLiteral("ignored"), true}}; // the raw text wins
        e.rawPayload = QByteArray(R"({ "z" : 1,  "a":"caf\u00e9",
  "n": null })");
        const AppendResult r = store.append(e);
        QCOMPARE(r.status, AppendResult::Status::Stored);
        RawDb raw(dbPath());
        QCOMPARE(raw.scalar(QStringLiteral("SELECT payload FROM events")).toString(),
                 QString::fromUtf8(e.rawPayload));
        const StoredEvent s = *store.event(1);
        QCOMPARE(s.payload.value(QStringLiteral("z")).toInt(), 1);
        QCOMPARE(s.payload.value(QStringLiteral("a")).toString(), QString::fromUtf8("caf\xc3\xa9"));
        QVERIFY(!s.payload.contains(QStringLiteral("ignored")));
        QVERIFY(store.verify().ok);

        // Not the text of a JSON object: refused, nothing stored.
        NewEvent bad = makeEvent(2);
        bad.rawPayload = QByteArray("[1,2]");
        QCOMPARE(store.append(bad).status, AppendResult::Status::Error);
        bad.rawPayload = QByteArray("");
        QCOMPARE(store.append(bad).status, AppendResult::Status::Error);
        QCOMPARE(store.lastSeq(), 1);
    }

    void toJsonFormat()
    {
        EventStore store;
        QVERIFY(store.open(dbPath(), QStringLiteral("w")));
        NewEvent e = makeEvent(1);
        e.actor = QStringLiteral("engine");
        e.type = QStringLiteral("call.decided");
        e.occurredAt.clear();
        QVERIFY(store.append(e).ok());
        const QJsonObject json = store.events().first().toJson();
        QStringList keys = json.keys();
        keys.sort();
        QCOMPARE(keys, (QStringList{"actor", "call_id", "hash", "occurred_at", "payload",
                                    "prev_hash", "recorded_at", "seq", "telnyx_id", "type"}));
        QCOMPARE(json.value("seq").toInteger(), 1);
        QVERIFY(json.value("telnyx_id").isNull());
        QVERIFY(json.value("call_id").isNull());
        QVERIFY(json.value("occurred_at").isNull());
        QCOMPARE(json.value("type").toString(), QStringLiteral("call.decided"));
        QCOMPARE(json.value("actor").toString(), QStringLiteral("engine"));
        QCOMPARE(json.value("payload").toObject().value("i").toInt(), 1);
        QCOMPARE(json.value("prev_hash").toString(), HashChain::genesisHash());

        CallUpdate u;
        u.callId = QStringLiteral("c1");
        u.decision = QStringLiteral("blocked");
        QVERIFY(store.append(makeEvent(2), &u).ok());
        const QJsonObject call = store.call(QStringLiteral("c1"))->toJson();
        QCOMPARE(call.value("call_id").toString(), QStringLiteral("c1"));
        QCOMPARE(call.value("decision").toString(), QStringLiteral("blocked"));
        QVERIFY(call.value("namespace").isNull());
        QVERIFY(call.value("from_number").isNull());
        QCOMPARE(call.value("updated_seq").toInteger(), 2);
        QVERIFY(call.value("flags").isObject());
        QCOMPARE(call.size(), 16);
    }

    void timestamps()
    {
        EventStore store;
        QDateTime now(QDate(2025, 6, 1), QTime(12, 0, 0, 5), Qt::UTC);
        store.setClock([&now] { return now; });
        QVERIFY(store.open(dbPath(), QStringLiteral("w")));
        NewEvent e = makeEvent(1);
        e.occurredAt = QStringLiteral("2018-02-02T23:25:27.5+01:00");
        QVERIFY(store.append(e).ok());
        now = now.addSecs(1);
        e.occurredAt = QStringLiteral("not a time");
        QVERIFY(store.append(e).ok());
        const auto events = store.eventsForCall(QString()); // no call id: none match
        QVERIFY(events.isEmpty());
        const auto all = store.events();
        QCOMPARE(all.at(1).occurredAt, QStringLiteral("2018-02-02T22:25:27.500000Z"));
        QCOMPARE(all.at(1).recordedAt, QStringLiteral("2025-06-01T12:00:00.005Z"));
        QVERIFY(all.at(0).occurredAt.isNull());
        QCOMPARE(all.at(0).recordedAt, QStringLiteral("2025-06-01T12:00:01.005Z"));

        QCOMPARE(EventStore::normalizeTimestamp(QStringLiteral("2025-11-23T03:30:00Z")),
                 QStringLiteral("2025-11-23T03:30:00.000000Z"));
        QCOMPARE(EventStore::normalizeTimestamp(QStringLiteral("2025-11-23T03:30:00.1234567Z")),
                 QStringLiteral("2025-11-23T03:30:00.123456Z"));
        QCOMPARE(EventStore::normalizeTimestamp(QStringLiteral("2025-01-01T00:30:00.000001-02:00")),
                 QStringLiteral("2025-01-01T02:30:00.000001Z"));
        QVERIFY(EventStore::normalizeTimestamp(QStringLiteral("2025-02-30T00:00:00Z")).isNull());
        QVERIFY(EventStore::normalizeTimestamp(QString()).isNull());
        // Telnyx's own form is kept as it is, once each field is checked.
        QCOMPARE(EventStore::normalizeTimestamp(QStringLiteral("2025-11-23T03:30:00.076316Z")),
                 QStringLiteral("2025-11-23T03:30:00.076316Z"));
        QCOMPARE(EventStore::normalizeTimestamp(QStringLiteral("2024-02-29T23:59:59.999999Z")),
                 QStringLiteral("2024-02-29T23:59:59.999999Z"));
        for (const char *bad : {"2025-02-29T00:00:00.000000Z", "2025-13-01T00:00:00.000000Z",
                                "2025-11-23T24:00:00.000000Z", "2025-11-23T03:60:00.000000Z",
                                "2025-11-23T03:30:60.000000Z", "2025-11-23T03:30:00.0763x6Z",
                                "2025-11-23T03:30:00.076316+", "2025-11-23 03:30:00.076316X",
                                "+025-11-23T03:30:00.076316Z"})
            QVERIFY2(EventStore::normalizeTimestamp(QString::fromUtf8(bad)).isNull(), bad);
        // Other forms still take the general parse.
        QCOMPARE(EventStore::normalizeTimestamp(QStringLiteral("2025-11-23 03:30:00.076316Z")),
                 QStringLiteral("2025-11-23T03:30:00.076316Z"));
        QCOMPARE(EventStore::normalizeTimestamp(QStringLiteral(" 2025-11-23T03:30:00.076316Z ")),
                 QStringLiteral("2025-11-23T03:30:00.076316Z"));

        QCOMPARE(EventStore::formatRecordedAt(
                     QDateTime(QDate(2025, 1, 2), QTime(3, 4, 5, 6), QTimeZone::utc())),
                 QStringLiteral("2025-01-02T03:04:05.006Z"));
        QCOMPARE(EventStore::formatRecordedAt(
                     QDateTime(QDate(2025, 1, 1), QTime(0, 30, 0, 999), QTimeZone(2 * 3600))),
                 QStringLiteral("2024-12-31T22:30:00.999Z"));

        // A clock that returns garbage is an error, not a corrupt row.
        store.setClock([] { return QDateTime(); });
        const auto r = store.append(makeEvent(3));
        QCOMPARE(r.status, AppendResult::Status::Error);
        QCOMPARE(store.eventCount(), 2);
    }

    void duplicateTelnyxIdStoresNothing()
    {
        EventStore store;
        QVERIFY(store.open(dbPath(), QStringLiteral("w")));
        CallUpdate u;
        u.callId = QStringLiteral("c1");
        u.state = QStringLiteral("parked");
        const auto first = store.append(makeEvent(1, QStringLiteral("dup"), "c1"), &u);
        QCOMPARE(first.status, AppendResult::Status::Stored);

        u.state = QStringLiteral("changed");
        const auto again = store.append(makeEvent(2, QStringLiteral("dup"), "c1"), &u);
        QCOMPARE(again.status, AppendResult::Status::Duplicate);
        QVERIFY(again.ok());
        QCOMPARE(again.seq, first.seq);
        QCOMPARE(again.hash, first.hash);
        QCOMPARE(store.eventCount(), 1);
        QCOMPARE(store.events().first().payload.value("i").toInt(), 1);
        QCOMPARE(store.call("c1")->state, QStringLiteral("parked"));
        QCOMPARE(store.call("c1")->updatedSeq, 1);

        // The chain goes on without a gap.
        const auto next = store.append(makeEvent(3, QStringLiteral("other")));
        QCOMPARE(next.status, AppendResult::Status::Stored);
        QCOMPARE(next.seq, 2);
        QVERIFY(store.verify().ok);
    }

    void nullTelnyxIdAllowedManyTimes()
    {
        EventStore store;
        QVERIFY(store.open(dbPath(), QStringLiteral("w")));
        for (int i = 1; i <= 3; ++i) {
            const auto r = store.append(makeEvent(i));
            QCOMPARE(r.status, AppendResult::Status::Stored);
            QCOMPARE(r.seq, i);
        }
        RawDb raw(dbPath());
        QCOMPARE(raw.scalar("SELECT count(*) FROM events WHERE telnyx_id IS NULL").toInt(), 3);
        for (const StoredEvent &e : store.events())
            QVERIFY(e.telnyxId.isNull());
    }

    void invalidEventsAreRefused()
    {
        EventStore store;
        QVERIFY(store.open(dbPath(), QStringLiteral("w")));
        NewEvent e = makeEvent(1);
        e.type.clear();
        auto r = store.append(e);
        QCOMPARE(r.status, AppendResult::Status::Error);
        QVERIFY(!r.error.isEmpty());
        e = makeEvent(1);
        e.actor.clear();
        QCOMPARE(store.append(e).status, AppendResult::Status::Error);
        CallUpdate u; // no call id
        QCOMPARE(store.append(makeEvent(1), &u).status, AppendResult::Status::Error);
        QCOMPARE(store.eventCount(), 0);
        QCOMPARE(store.append(makeEvent(1)).seq, 1);

        EventStore closed;
        QCOMPARE(closed.append(makeEvent(1)).status, AppendResult::Status::Error);
        QVERIFY(!closed.verify().ok);
    }

    void chainVerifies()
    {
        EventStore store;
        QVERIFY(fill(store, 25));
        const auto events = store.eventsForCall(QString());
        QVERIFY(events.isEmpty());
        QList<StoredEvent> all = store.events(EventQuery{QString(), QString(), 0, 0, 0});
        QCOMPARE(all.size(), 25);
        std::reverse(all.begin(), all.end());
        QString prev = HashChain::genesisHash();
        for (const StoredEvent &e : all) {
            QCOMPARE(e.prevHash, prev);
            QVERIFY(e.hash != prev);
            prev = e.hash;
        }
        QList<QPair<qint64, qint64>> progress;
        const VerifyResult v = store.verify([&](qint64 done, qint64 total) {
            progress.append({done, total});
        });
        QVERIFY2(v.ok, qPrintable(v.message));
        QCOMPARE(v.rowsChecked, 25);
        QCOMPARE(v.firstBrokenSeq, 0);
        QVERIFY(v.message.contains(QStringLiteral("25")));
        QVERIFY(!progress.isEmpty());
        QCOMPARE(progress.last(), (QPair<qint64, qint64>(25, 25)));

        EventStore empty;
        QVERIFY(empty.open(dbPath("empty.db"), QStringLiteral("e")));
        const VerifyResult ev = empty.verify();
        QVERIFY(ev.ok);
        QCOMPARE(ev.rowsChecked, 0);
    }

    void hashEncodingIsCanonical()
    {
        HashChain::Row row;
        row.seq = 12;
        row.telnyxId = QStringLiteral("id");
        row.type = QStringLiteral("call.hangup");
        row.callId = std::nullopt;
        row.occurredAt = QString::fromUtf8("");
        row.recordedAt = QStringLiteral("2025-01-01T00:00:00.000Z");
        row.actor = QStringLiteral("telnyx");
        row.payload = QString::fromUtf8(R"({"x":"é"})");
        const QString prev = QString(64, QLatin1Char('a'));

        // The encoding exactly as documented in hashchain.h.
        auto field = [](const QByteArray &b) {
            char len[8];
            qToBigEndian<quint64>(quint64(b.size()), len);
            return QByteArray(1, '\x01') + QByteArray(len, 8) + b;
        };
        const QByteArray expected =
            QByteArray("kevan-tel/event/v1") + field(prev.toUtf8()) + field("12") + field("id") +
            field("call.hangup") + QByteArray(1, '\0') + field("") +
            field("2025-01-01T00:00:00.000Z") + field("telnyx") + field(QByteArray(R"({"x":"é"})"));
        QCOMPARE(HashChain::encode(prev, row), expected);
        QCOMPARE(HashChain::hash(prev, row),
                 QString::fromLatin1(
                     QCryptographicHash::hash(expected, QCryptographicHash::Sha256).toHex()));
        QCOMPARE(HashChain::genesisHash(), QString(64, QLatin1Char('0')));

        // Field boundaries and NULL vs empty change the hash.
        const QString base = HashChain::hash(prev, row);
        HashChain::Row shifted = row;
        shifted.type = QStringLiteral("call.hangupt");
        shifted.actor = QStringLiteral("elnyx");
        QVERIFY(HashChain::hash(prev, shifted) != base);
        HashChain::Row nulled = row;
        nulled.occurredAt = std::nullopt;
        QVERIFY(HashChain::hash(prev, nulled) != base);
        HashChain::Row empty = row;
        empty.callId = QString::fromUtf8("");
        QVERIFY(HashChain::hash(prev, empty) != base);
        HashChain::Row otherSeq = row;
        otherSeq.seq = 13;
        QVERIFY(HashChain::hash(prev, otherSeq) != base);
        QVERIFY(HashChain::hash(QString(64, QLatin1Char('b')), row) != base);
    }

    void tamper_data()
    {
        QTest::addColumn<QStringList>("statements");
        QTest::addColumn<qint64>("firstBroken");
        QTest::addColumn<QString>("message");

        QTest::newRow("edited payload")
            << QStringList{"UPDATE events SET payload = '{\"i\":99}' WHERE seq = 5"} << qint64(5)
            << "event 5: hash does not match its contents";
        QTest::newRow("edited type")
            << QStringList{"UPDATE events SET type = 'call.hangup' WHERE seq = 3"} << qint64(3)
            << "event 3: hash does not match its contents";
        QTest::newRow("telnyx_id set to NULL")
            << QStringList{"UPDATE events SET telnyx_id = NULL WHERE seq = 9"} << qint64(9)
            << "event 9: hash does not match its contents";
        QTest::newRow("deleted middle row")
            << QStringList{"DELETE FROM events WHERE seq = 5"} << qint64(5)
            << "event 5 is missing (the next event is 6)";
        QTest::newRow("deleted first row")
            << QStringList{"DELETE FROM events WHERE seq = 1"} << qint64(1)
            << "event 1 is missing (the next event is 2)";
        QTest::newRow("deleted and renumbered")
            << QStringList{"DELETE FROM events WHERE seq = 5",
                           "UPDATE events SET seq = seq - 1 WHERE seq > 5"}
            << qint64(5) << "event 5: prev_hash does not match the hash of event 4";
        QTest::newRow("reordered rows")
            << QStringList{"UPDATE events SET seq = -4 WHERE seq = 4",
                           "UPDATE events SET seq = 4 WHERE seq = 5",
                           "UPDATE events SET seq = 5 WHERE seq = -4"}
            << qint64(4) << "event 4: prev_hash does not match the hash of event 3";
        QTest::newRow("swapped payloads")
            << QStringList{"UPDATE events SET payload = (SELECT payload FROM events WHERE seq = 7)"
                           " WHERE seq = 6",
                           "UPDATE events SET payload = '{\"from\":\"+17702300635\",\"i\":6}'"
                           " WHERE seq = 7"}
            << qint64(6) << "event 6: hash does not match its contents";
        QTest::newRow("edited hash")
            << QStringList{"UPDATE events SET hash = '" + QString(64, 'f') + "' WHERE seq = 7"}
            << qint64(7) << "event 7: hash does not match its contents";
        QTest::newRow("edited last hash")
            << QStringList{"UPDATE events SET hash = upper(hash) WHERE seq = 10"} << qint64(10)
            << "event 10: hash does not match its contents";
        QTest::newRow("edited first prev_hash")
            << QStringList{"UPDATE events SET prev_hash = '" + QString(64, '1') + "' WHERE seq = 1"}
            << qint64(1) << "event 1: prev_hash is not the genesis hash";
        QTest::newRow("row before the first")
            << QStringList{"INSERT INTO events (seq, telnyx_id, type, call_id, occurred_at,"
                           " recorded_at, actor, payload, prev_hash, hash)"
                           " SELECT 0, 'x', type, call_id, occurred_at,"
                           " recorded_at, actor, payload, prev_hash, hash FROM events WHERE seq = "
                           "1"}
            << qint64(1) << "event 1: found event 0 where event 1 belongs";
    }

    void tamper()
    {
        QFETCH(QStringList, statements);
        QFETCH(qint64, firstBroken);
        QFETCH(QString, message);

        EventStore store;
        QVERIFY(fill(store, 10));
        QVERIFY(store.verify().ok);
        {
            RawDb raw(dbPath());
            raw.dropTriggers();
            for (const QString &sql : statements) {
                QString error;
                QVERIFY2(raw.exec(sql, &error), qPrintable(sql + ": " + error));
            }
        }
        const VerifyResult v = store.verify();
        QVERIFY(!v.ok);
        QCOMPARE(v.firstBrokenSeq, firstBroken);
        QCOMPARE(v.message, message);
        QCOMPARE(v.rowsChecked, firstBroken - 1);
    }

    void tamperWithRecomputedHash()
    {
        // Someone edits event 6 and recomputes its hash: event 7 no longer links to it.
        EventStore store;
        QVERIFY(fill(store, 10));
        const StoredEvent six = *store.event(6);
        HashChain::Row row;
        row.seq = 6;
        row.telnyxId = six.telnyxId;
        row.type = six.type;
        row.callId = std::nullopt;
        row.occurredAt = six.occurredAt;
        row.recordedAt = six.recordedAt;
        row.actor = six.actor;
        row.payload = QStringLiteral(R"({"i":600})");
        const QString forged = HashChain::hash(six.prevHash, row);
        {
            RawDb raw(dbPath());
            raw.dropTriggers();
            QVERIFY(raw.exec(QStringLiteral("UPDATE events SET payload = '%1', hash = '%2' "
                                            "WHERE seq = 6")
                                 .arg(row.payload, forged)));
        }
        const VerifyResult v = store.verify();
        QVERIFY(!v.ok);
        QCOMPARE(v.firstBrokenSeq, 7);
        QCOMPARE(v.message,
                 QStringLiteral("event 7: prev_hash does not match the hash of event 6"));
    }

    void instanceIsRecordedAndHashed()
    {
        EventStore store;
        store.setSynchronous(EventStore::Synchronous::Normal);
        QVERIFY2(store.open(dbPath(), QStringLiteral("w")), qPrintable(store.errorString()));
        const QString a = QStringLiteral("a:3000@2026-01-01T00:00:00.000Z");
        const QString b = QStringLiteral("b:3000@2026-01-01T00:00:01.000Z");
        QCOMPARE(store.append(makeEvent(1, QString(), QStringLiteral("c1"))).seq, 1); // none
        store.setInstance(a);
        QCOMPARE(store.append(makeEvent(2, QStringLiteral("w-2"), QStringLiteral("c1"))).seq, 2);
        store.setInstance(b);
        QCOMPARE(store.append(makeEvent(3, QStringLiteral("w-3"), QStringLiteral("c1"))).seq, 3);
        NewEvent engine =
            makeEvent(4, QString(), QStringLiteral("c1"), QStringLiteral("tel.command_sent"));
        engine.actor = QStringLiteral("engine");
        QCOMPARE(store.append(engine).seq, 4);
        // A duplicate from another instance stores nothing.
        store.setInstance(a);
        QCOMPARE(store.append(makeEvent(5, QStringLiteral("w-3"), QStringLiteral("c1"))).status,
                 AppendResult::Status::Duplicate);

        const QList<StoredEvent> events = store.eventsForCall(QStringLiteral("c1"));
        QCOMPARE(events.size(), 4);
        QVERIFY(events.at(0).instance.isNull());
        QVERIFY(!events.at(0).toJson().contains(QStringLiteral("instance")));
        QCOMPARE(events.at(1).instance, a);
        QCOMPARE(events.at(1).toJson().value(QStringLiteral("instance")).toString(), a);
        QCOMPARE(events.at(3).instance, b);
        QVERIFY(store.verify().ok);

        const auto webhooks = store.lastWebhookPerInstance();
        QCOMPARE(webhooks.size(), 2);
        QCOMPARE(webhooks.at(0).instance, b);
        QCOMPARE(webhooks.at(1).instance, a);
        QVERIFY(webhooks.at(0).at.isValid());
        // The call's newest event appended by another instance than the one asking.
        QCOMPARE(store.lastSeqForCallNotBy(QStringLiteral("c1"), b), 2);
        QCOMPARE(store.lastSeqForCallNotBy(QStringLiteral("c1"), a), 4);
        QCOMPARE(store.lastSeqForCallNotBy(QStringLiteral("c2"), a), 0);

        // Leases: renewed, expired, stopped.
        const QDateTime t0 =
            QDateTime::fromString(QStringLiteral("2026-01-01T00:00:00.000Z"), Qt::ISODateWithMs);
        QVERIFY(!store.instanceLease(a));
        QVERIFY(store.renewInstance(a, t0, 15, t0));
        QVERIFY(store.renewInstance(a, t0, 15, t0.addSecs(10)));
        auto lease = store.instanceLease(a);
        QVERIFY(lease);
        QVERIFY(!lease->expiredAt(t0.addSecs(20)));
        QVERIFY(lease->expiredAt(t0.addSecs(26)));
        QVERIFY(store.stopInstance(a, t0.addSecs(11)));
        lease = store.instanceLease(a);
        QVERIFY(lease && lease->stopped && lease->expiredAt(t0.addSecs(12)));

        // The hash covers the instance.
        {
            RawDb raw(dbPath());
            raw.dropTriggers();
            QVERIFY(raw.exec(QStringLiteral("UPDATE events SET instance = 'z' WHERE seq = 2")));
        }
        const VerifyResult v = store.verify();
        QVERIFY(!v.ok);
        QCOMPARE(v.firstBrokenSeq, 2);
    }

    void triggersBlockUpdateAndDelete()
    {
        EventStore store;
        QVERIFY(fill(store, 5));
        RawDb raw(dbPath());
        QString error;
        QVERIFY(
            !raw.exec(QStringLiteral("UPDATE events SET payload = '{}' WHERE seq = 2"), &error));
        QVERIFY2(error.contains(QStringLiteral("append-only")), qPrintable(error));
        QVERIFY(!raw.exec(QStringLiteral("DELETE FROM events WHERE seq = 2"), &error));
        QVERIFY2(error.contains(QStringLiteral("append-only")), qPrintable(error));
        QVERIFY(!raw.exec(QStringLiteral("DELETE FROM events"), &error));
        if (m_pg) {
            // TRUNCATE skips the row triggers; an upsert would update a row.
            QVERIFY(!raw.exec(QStringLiteral("TRUNCATE events"), &error));
            QVERIFY2(error.contains(QStringLiteral("append-only")), qPrintable(error));
            QVERIFY(!raw.exec(QStringLiteral("INSERT INTO events SELECT * FROM events WHERE seq ="
                                             " 3 ON CONFLICT (seq) DO UPDATE SET payload = '{}'"),
                              &error));
        } else {
            // REPLACE would delete the old row without firing the DELETE trigger.
            QVERIFY(!raw.exec(QStringLiteral("INSERT OR REPLACE INTO events SELECT * FROM events "
                                             "WHERE seq = 3"),
                              &error));
            QVERIFY(!raw.exec(QStringLiteral("INSERT OR REPLACE INTO events (seq, telnyx_id,"
                                             " type, call_id, occurred_at, recorded_at, actor,"
                                             " payload, prev_hash, hash) SELECT 6, telnyx_id,"
                                             " type, call_id, occurred_at, recorded_at, actor,"
                                             " payload, prev_hash, hash FROM events WHERE seq = 3"),
                              &error));
        }
        QVERIFY(!raw.exec(QStringLiteral("INSERT INTO events (seq, telnyx_id, type, call_id,"
                                         " occurred_at, recorded_at, actor, payload, prev_hash,"
                                         " hash) SELECT 9, 'new', type, call_id,"
                                         " occurred_at, recorded_at, actor, payload, prev_hash,"
                                         " hash FROM events WHERE seq = 3"),
                          &error));
        QCOMPARE(raw.scalar(QStringLiteral("SELECT count(*) FROM events")).toInt(), 5);
        QVERIFY(store.verify().ok);
        QCOMPARE(store.append(makeEvent(6)).seq, 6);
    }

    void reopenContinuesChain()
    {
        QString hash3;
        {
            EventStore store;
            QVERIFY(fill(store, 3));
            hash3 = store.lastHash();
            store.close();
            QVERIFY(!store.isOpen());
            QVERIFY(store.connectionName().isEmpty());
            QVERIFY(store.open(dbPath(), QStringLiteral("writer")));
            QCOMPARE(store.lastSeq(), 3);
        }
        EventStore store;
        QVERIFY2(store.open(dbPath(), QStringLiteral("again")), qPrintable(store.errorString()));
        QCOMPARE(store.lastSeq(), 3);
        QCOMPARE(store.lastHash(), hash3);
        const auto r = store.append(makeEvent(4, QStringLiteral("t4")));
        QCOMPARE(r.status, AppendResult::Status::Stored);
        QCOMPARE(r.seq, 4);
        QCOMPARE(store.event(4)->prevHash, hash3);
        // The telnyx ids from before the reopen are still deduplicated.
        QCOMPARE(store.append(makeEvent(9, QStringLiteral("t2"))).status,
                 AppendResult::Status::Duplicate);
        const VerifyResult v = store.verify();
        QVERIFY2(v.ok, qPrintable(v.message));
        QCOMPARE(v.rowsChecked, 4);
    }

    void readerWhileWriterAppends()
    {
        EventStore writer;
        writer.setBusyTimeout(300);
        QVERIFY(writer.open(dbPath(), QStringLiteral("writer")));
        for (int i = 1; i <= 3; ++i)
            QVERIFY(writer.append(makeEvent(i)).ok());

        EventStore reader;
        QVERIFY2(reader.open(dbPath(), QStringLiteral("reader"), EventStore::Mode::ReadOnly),
                 qPrintable(reader.errorString()));
        QCOMPARE(reader.mode(), EventStore::Mode::ReadOnly);
        QCOMPARE(reader.events().size(), 3);
        QVERIFY(writer.append(makeEvent(4)).ok());
        QVERIFY(writer.append(makeEvent(5)).ok());
        QCOMPARE(reader.eventCount(), 5);
        QCOMPARE(reader.lastSeq(), 5);
        QCOMPARE(reader.events().first().seq, 5);
        QVERIFY(reader.verify().ok);

        const auto r = reader.append(makeEvent(6));
        QCOMPARE(r.status, AppendResult::Status::Error);
        QVERIFY2(r.error.contains(QStringLiteral("read-only")), qPrintable(r.error));
        QString reason;
        QVERIFY(!reader.healthCheck(&reason));
        QVERIFY(reason.contains(QStringLiteral("read-only")));

        // Another connection holds the write lock (PostgreSQL: the chain lock) with an
        // uncommitted change: the reader still reads (WAL; MVCC), the writer's health check
        // reports the lock.
        RawDb raw(dbPath());
        QVERIFY(raw.exec(dialect().beginWrite()));
        if (m_pg)
            QVERIFY(raw.exec(dialect().chainLock()));
        QVERIFY(raw.exec(QStringLiteral("INSERT INTO calls (call_id) VALUES ('uncommitted')")));
        QElapsedTimer timer;
        timer.start();
        QCOMPARE(reader.events().size(), 5);
        QVERIFY(reader.calls().isEmpty());
        // Blocked, it would wait for the busy timeout (5 s); not blocked, it takes milliseconds.
        QVERIFY2(timer.elapsed() < 2500, qPrintable(QString::number(timer.elapsed())));
        QVERIFY(!writer.healthCheck(&reason));
        QVERIFY2(reason.contains(m_pg ? QStringLiteral("lock timeout") : QStringLiteral("locked")),
                 qPrintable(reason));
        QCOMPARE(writer.append(makeEvent(6)).status, AppendResult::Status::Error);
        QVERIFY(raw.exec(QStringLiteral("ROLLBACK")));
        QVERIFY2(writer.healthCheck(&reason), qPrintable(reason));
        QCOMPARE(writer.append(makeEvent(6)).seq, 6);
        QCOMPARE(reader.lastSeq(), 6);
        QVERIFY(writer.verify().ok);
    }

    void twoWritersKeepOneChain()
    {
        EventStore a, b;
        QVERIFY(a.open(dbPath(), QStringLiteral("a")));
        QVERIFY(b.open(dbPath(), QStringLiteral("b")));
        for (int i = 1; i <= 10; ++i) {
            EventStore &w = i % 3 ? a : b;
            const auto r = w.append(makeEvent(i, QStringLiteral("t%1").arg(i)));
            QCOMPARE(r.status, AppendResult::Status::Stored);
            QCOMPARE(r.seq, i);
        }
        QCOMPARE(b.append(makeEvent(1, QStringLiteral("t1"))).status,
                 AppendResult::Status::Duplicate);
        const VerifyResult v = b.verify();
        QVERIFY2(v.ok, qPrintable(v.message));
        QCOMPARE(v.rowsChecked, 10);
    }

    void twoWritersKeepOneChainInBatches()
    {
        // A batch reads the end of the chain once, at its first append; another writer's rows
        // committed before the batch began are seen, and the chain stays one.
        EventStore a, b;
        QVERIFY(a.open(dbPath(), QStringLiteral("a")));
        QVERIFY(b.open(dbPath(), QStringLiteral("b")));
        int n = 0;
        for (int round = 0; round < 4; ++round) {
            QVERIFY(a.beginBatch());
            for (int i = 0; i < 3; ++i) {
                ++n;
                const auto r = a.append(makeEvent(n, QStringLiteral("t%1").arg(n)));
                QCOMPARE(r.status, AppendResult::Status::Stored);
                QCOMPARE(r.seq, n);
            }
            QVERIFY(a.commitBatch());
            ++n;
            QCOMPARE(b.append(makeEvent(n, QStringLiteral("t%1").arg(n))).seq, n);
        }
        const VerifyResult v = a.verify();
        QVERIFY2(v.ok, qPrintable(v.message));
        QCOMPARE(v.rowsChecked, n);
    }

    void healthCheck()
    {
        EventStore store;
        QString reason;
        QVERIFY(!store.healthCheck(&reason));
        QVERIFY(!reason.isEmpty());
        QVERIFY(store.open(dbPath(), QStringLiteral("w")));
        QVERIFY2(store.healthCheck(&reason), qPrintable(reason));
        QVERIFY(reason.isEmpty());
        if (m_pg) {
            // The database dropped under the store (its connection closed by the server).
            QString error;
            QVERIFY2(test::PgTestDatabase::adminExec(
                         QStringLiteral("DROP DATABASE %1 WITH (FORCE)")
                             .arg(m_pgDatabases.at(QStringLiteral("events.db"))->name()),
                         &error),
                     qPrintable(error));
            QVERIFY(!store.healthCheck(&reason));
            QVERIFY2(reason.contains(QStringLiteral("not writable")), qPrintable(reason));
            return;
        }
        QVERIFY(QFile::remove(dbPath()));
        QVERIFY(!store.healthCheck(&reason));
        QVERIFY2(reason.contains(QStringLiteral("removed")), qPrintable(reason));
    }

    void freshDatabaseGetsLatestSchema()
    {
        EventStore store;
        QVERIFY(store.open(dbPath(), QStringLiteral("w")));
        RawDb raw(dbPath());
        QSqlDatabase db = raw.db();
        QCOMPARE(Schema::userVersion(db), Schema::latestVersion());
        QCOMPARE(Schema::latestVersion(), Schema::migrations().last().version);
        const QList<Migration> &steps = Schema::migrations(dialect());
        QCOMPARE(steps.size(), Schema::migrations().size());
        for (int i = 0; i < steps.size(); ++i)
            QCOMPARE(steps.at(i).version, i + 1);
        if (!m_pg)
            QCOMPARE(raw.scalar(QStringLiteral("PRAGMA journal_mode")).toString(),
                     QStringLiteral("wal"));
        auto indexes = [&raw](const char *index) {
            return raw.schemaObjects(QStringLiteral("index"), QLatin1String(index));
        };
        for (const char *index : {"events_call_id", "events_type"})
            QCOMPARE(indexes(index), 1);
        // Dropped by migration 7: no query used them.
        QCOMPARE(indexes("events_recorded_at"), 0);
        QCOMPARE(indexes("calls_updated_seq"), 0);
    }

    void migrationsRunOnce()
    {
        RawDb raw(dbPath());
        QSqlDatabase db = raw.db();
        QString error;
        int applied = -1;
        QVERIFY2(Schema::migrate(db, &error, &applied), qPrintable(error));
        QCOMPARE(applied, Schema::latestVersion());
        QVERIFY2(Schema::migrate(db, &error, &applied), qPrintable(error));
        QCOMPARE(applied, 0);
        QCOMPARE(Schema::userVersion(db), Schema::latestVersion());

        // A store opened on it does not re-run them either (CREATE TABLE would fail).
        EventStore store;
        QVERIFY2(store.open(dbPath(), QStringLiteral("w")), qPrintable(store.errorString()));
        QVERIFY(store.append(makeEvent(1)).ok());
    }

    void laterMigrationsApplyInOrder()
    {
        {
            EventStore store;
            QVERIFY(fill(store, 2));
        }
        RawDb raw(dbPath());
        QSqlDatabase db = raw.db();
        QList<Migration> steps = Schema::migrations(dialect());
        const int base = Schema::latestVersion();
        steps.append({base + 1,
                      QStringLiteral("rules"),
                      {QStringLiteral("CREATE TABLE extra_rules (id %1, note TEXT)")
                           .arg(dialect().rowIdKey()),
                       QStringLiteral("INSERT INTO extra_rules (note) VALUES ('first')")}});
        steps.append({base + 2,
                      QStringLiteral("more"),
                      {QStringLiteral("ALTER TABLE extra_rules ADD COLUMN until TEXT"),
                       QStringLiteral("UPDATE extra_rules SET until = note || '-later'")}});
        QString error;
        int applied = 0;
        QVERIFY2(Schema::migrate(db, steps, &error, &applied), qPrintable(error));
        QCOMPARE(applied, 2);
        QCOMPARE(Schema::userVersion(db), base + 2);
        QCOMPARE(raw.scalar(QStringLiteral("SELECT until FROM extra_rules")).toString(),
                 QStringLiteral("first-later"));
        QCOMPARE(raw.scalar(QStringLiteral("SELECT count(*) FROM events")).toInt(), 2);

        // A failing step leaves no trace and the version where it was.
        steps.append({base + 3,
                      QStringLiteral("broken"),
                      {QStringLiteral("CREATE TABLE half (x TEXT)"), QStringLiteral("NOT SQL")}});
        QVERIFY(!Schema::migrate(db, steps, &error, &applied));
        QVERIFY2(error.contains(QStringLiteral("migration %1").arg(base + 3)), qPrintable(error));
        QCOMPARE(applied, 0);
        QCOMPARE(Schema::userVersion(db), base + 2);
        QCOMPARE(raw.schemaObjects(QStringLiteral("table"), QStringLiteral("half")), 0);
    }

    void newerSchemaRefused()
    {
        {
            EventStore store;
            QVERIFY(fill(store, 1));
        }
        {
            RawDb raw(dbPath());
            for (const QString &sql : dialect().writeVersion(Schema::latestVersion() + 1))
                QVERIFY(raw.exec(sql));
        }
        for (auto mode : {EventStore::Mode::ReadWrite, EventStore::Mode::ReadOnly}) {
            EventStore store;
            QVERIFY(!store.open(dbPath(), QStringLiteral("w"), mode));
            QVERIFY(!store.isOpen());
            QVERIFY2(
                store.errorString().startsWith(QStringLiteral("cannot open database ") + dbPath()),
                qPrintable(store.errorString()));
            QVERIFY2(store.errorString().contains(QStringLiteral("newer")),
                     qPrintable(store.errorString()));
        }
        RawDb raw(dbPath());
        QSqlDatabase db = raw.db();
        QCOMPARE(Schema::userVersion(db), Schema::latestVersion() + 1);
    }

    void unopenablePaths()
    {
        if (m_pg)
            QSKIP("SQLite files only; PostgreSQL URLs: postgresqlUrlsRefused");
        const QString missing = m_dir->filePath(QStringLiteral("no/such/dir/x.db"));
        EventStore store;
        QVERIFY(!store.open(missing, QStringLiteral("w")));
        QCOMPARE(
            store.errorString(),
            QStringLiteral("cannot open database %1: unable to open database file").arg(missing));
        QVERIFY(!store.isOpen());

        // Read-only never creates a file.
        QVERIFY(!store.open(dbPath(), QStringLiteral("w"), EventStore::Mode::ReadOnly));
        QVERIFY(store.errorString().contains(dbPath()));
        QVERIFY(!QFile::exists(dbPath()));

        // A directory, and a file that is not a database.
        QVERIFY(!store.open(m_dir->path(), QStringLiteral("w")));
        QVERIFY(store.errorString().startsWith(QStringLiteral("cannot open database ")));
        QFile junk(dbPath(QStringLiteral("junk.db")));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write(QByteArray(4096, 'x'));
        junk.close();
        QVERIFY(!store.open(junk.fileName(), QStringLiteral("w")));
        QVERIFY2(store.errorString().contains(QStringLiteral("file is not a database")),
                 qPrintable(store.errorString()));

        // One connection name, one store.
        EventStore first;
        QVERIFY(first.open(dbPath(), QStringLiteral("same")));
        QVERIFY(!store.open(dbPath(), QStringLiteral("same")));
        QVERIFY(store.errorString().contains(QStringLiteral("already in use")));
        QVERIFY(first.append(makeEvent(1)).ok());
    }

    void readOnlyFileRefused()
    {
        if (m_pg)
            QSKIP("SQLite files only");
        const QString dir = m_dir->filePath(QStringLiteral("ro"));
        QVERIFY(QDir().mkpath(dir));
        const QString path = dir + QStringLiteral("/ro.db");
        {
            EventStore store;
            QVERIFY(store.open(path, QStringLiteral("w")));
            QVERIFY(store.append(makeEvent(1)).ok());
        }
        const auto readOnly =
            QFile::ReadOwner | QFile::ReadUser | QFile::ReadGroup | QFile::ReadOther;
        QVERIFY(QFile::setPermissions(path, readOnly));
        QVERIFY(QFile::setPermissions(dir, readOnly | QFile::ExeOwner | QFile::ExeUser));
        struct Restore
        {
            QString dir, path;
            ~Restore()
            {
                QFile::setPermissions(dir, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
                QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner);
            }
        } restore{dir, path};

        QFile probe(path);
        if (probe.open(QIODevice::ReadWrite))
            QSKIP("running with root privileges: file permissions do not stop writes here");

        EventStore store;
        QVERIFY(!store.open(path, QStringLiteral("w")));
        QCOMPARE(store.errorString(),
                 QStringLiteral("cannot open database %1: attempt to write a readonly database")
                     .arg(path));

        // History can still be read (SQLite needs immutable mode there: no -shm can be made).
        EventStore reader;
        QVERIFY2(reader.open(path, QStringLiteral("r"), EventStore::Mode::ReadOnly),
                 qPrintable(reader.errorString()));
        QCOMPARE(reader.eventCount(), 1);
        QVERIFY(reader.verify().ok);
    }

    void callsUpsertOnlyGivenFields()
    {
        EventStore store;
        QVERIFY(store.open(dbPath(), QStringLiteral("w")));
        CallUpdate u;
        u.callId = QStringLiteral("c1");
        u.callControlId = QStringLiteral("v3:abc");
        u.fromNumber = QStringLiteral("+17702300635");
        u.toNumber = QStringLiteral("+15005550100");
        u.callerName = QStringLiteral("ALICE");
        u.direction = QStringLiteral("incoming");
        u.state = QStringLiteral("parked");
        u.startedAt = QStringLiteral("2025-11-23T03:30:00.076316Z");
        u.flags = QJsonObject{{QStringLiteral("attestation"), QStringLiteral("A")}};
        QCOMPARE(store.append(makeEvent(1, "t1", "c1"), &u).seq, 1);

        CallUpdate d;
        d.callId = QStringLiteral("c1");
        d.decision = QStringLiteral("rejected");
        d.reason = QStringLiteral("unregistered");
        d.namespaceName = QStringLiteral("kevan.tel.x");
        d.state = QStringLiteral("answering");
        d.decidedAt = QStringLiteral("2025-11-23T04:30:00.5+01:00");
        QCOMPARE(store.append(makeEvent(2, QString(), "c1", "call.decided"), &d).seq, 2);

        auto c = store.call(QStringLiteral("c1"));
        QVERIFY(c.has_value());
        QCOMPARE(c->callControlId, QStringLiteral("v3:abc"));
        QCOMPARE(c->fromNumber, QStringLiteral("+17702300635"));
        QCOMPARE(c->toNumber, QStringLiteral("+15005550100"));
        QCOMPARE(c->callerName, QStringLiteral("ALICE"));
        QCOMPARE(c->direction, QStringLiteral("incoming"));
        QCOMPARE(c->decision, QStringLiteral("rejected"));
        QCOMPARE(c->reason, QStringLiteral("unregistered"));
        QCOMPARE(c->namespaceName, QStringLiteral("kevan.tel.x"));
        QCOMPARE(c->state, QStringLiteral("answering"));
        QCOMPARE(c->startedAt, QStringLiteral("2025-11-23T03:30:00.076316Z"));
        QCOMPARE(c->decidedAt, QStringLiteral("2025-11-23T03:30:00.500000Z"));
        QVERIFY(c->endedAt.isNull());
        QVERIFY(c->hangupCause.isNull());
        QCOMPARE(c->flags.value("attestation").toString(), QStringLiteral("A"));
        QCOMPARE(c->updatedSeq, 2);

        // A field set to an empty value is cleared; flags are replaced as a whole.
        CallUpdate h;
        h.callId = QStringLiteral("c1");
        h.reason = QString();
        h.state = QStringLiteral("hangup");
        h.endedAt = QStringLiteral("2025-11-23T03:31:00.000000Z");
        h.hangupCause = QStringLiteral("normal_clearing");
        h.flags = QJsonObject{{QStringLiteral("voicemail"), true}};
        QCOMPARE(store.append(makeEvent(3, "t3", "c1", "call.hangup"), &h).seq, 3);
        c = store.call(QStringLiteral("c1"));
        QVERIFY(c->reason.isNull());
        QCOMPARE(c->decision, QStringLiteral("rejected"));
        QCOMPARE(c->state, QStringLiteral("hangup"));
        QCOMPARE(c->hangupCause, QStringLiteral("normal_clearing"));
        QCOMPARE(c->flags, (QJsonObject{{QStringLiteral("voicemail"), true}}));
        QCOMPARE(c->updatedSeq, 3);
        QVERIFY(!store.call(QStringLiteral("nope")).has_value());
    }

    void failedCallUpdateWritesNothing()
    {
        EventStore store;
        QVERIFY(fill(store, 3));
        const QString head = store.lastHash();
        {
            RawDb raw(dbPath());
            if (m_pg) {
                QVERIFY(raw.exec(QStringLiteral("CREATE FUNCTION boom() RETURNS trigger LANGUAGE"
                                                " plpgsql AS $$ BEGIN RAISE EXCEPTION 'boom';"
                                                " END $$")));
                QVERIFY(raw.exec(QStringLiteral("CREATE TRIGGER calls_boom BEFORE INSERT ON calls"
                                                " FOR EACH ROW EXECUTE FUNCTION boom()")));
            } else {
                QVERIFY(raw.exec(QStringLiteral("CREATE TRIGGER calls_boom BEFORE INSERT ON calls "
                                                "BEGIN SELECT RAISE(ABORT, 'boom'); END")));
            }
        }
        CallUpdate u;
        u.callId = QStringLiteral("c9");
        u.state = QStringLiteral("parked");
        const auto r = store.append(makeEvent(4, QStringLiteral("t4"), "c9"), &u);
        QCOMPARE(r.status, AppendResult::Status::Error);
        QVERIFY2(r.error.contains(QStringLiteral("boom")), qPrintable(r.error));
        QCOMPARE(r.seq, 0);
        QCOMPARE(store.errorString(), r.error);
        QCOMPARE(store.eventCount(), 3);
        QCOMPARE(store.lastHash(), head);
        QVERIFY(store.eventsForCall(QStringLiteral("c9")).isEmpty());

        // Without the call update the same event goes in, right after event 3.
        const auto ok = store.append(makeEvent(4, QStringLiteral("t4"), "c9"));
        QCOMPARE(ok.status, AppendResult::Status::Stored);
        QCOMPARE(ok.seq, 4);
        QCOMPARE(store.event(4)->prevHash, head);
        QVERIFY(store.verify().ok);
    }

    void extraWritesShareTheTransaction()
    {
        EventStore store;
        QVERIFY(store.open(dbPath(), QStringLiteral("w")));
        {
            RawDb raw(dbPath());
            QVERIFY(raw.exec(QStringLiteral("CREATE TABLE extra_rules (id %1, note TEXT)")
                                 .arg(dialect().rowIdKey())));
        }
        auto insertRule = [](const QString &note) {
            return [note](QSqlDatabase &db) {
                QSqlQuery q(db);
                q.prepare(QStringLiteral("INSERT INTO extra_rules (note) VALUES (?)"));
                q.addBindValue(note);
                return q.exec() ? QString() : q.lastError().text();
            };
        };
        int calls = 0;
        auto counted = [&](QSqlDatabase &db) {
            ++calls;
            return insertRule(QStringLiteral("dup"))(db);
        };
        CallUpdate u;
        u.callId = QStringLiteral("c1");
        u.state = QStringLiteral("parked");
        const auto r = store.append(makeEvent(1, "t1"), &u, insertRule(QStringLiteral("one")));
        QCOMPARE(r.status, AppendResult::Status::Stored);

        // A failing write rolls back the event and the call update.
        CallUpdate v;
        v.callId = QStringLiteral("c2");
        const auto failed = store.append(makeEvent(2, "t2"), &v, [&](QSqlDatabase &db) {
            const QString error = insertRule(QStringLiteral("two"))(db);
            return error.isEmpty() ? QStringLiteral("rule conflicts") : error;
        });
        QCOMPARE(failed.status, AppendResult::Status::Error);
        QCOMPARE(failed.error, QStringLiteral("rule conflicts"));
        // A duplicate does not run the writes.
        QCOMPARE(store.append(makeEvent(3, "t1"), nullptr, counted).status,
                 AppendResult::Status::Duplicate);
        QCOMPARE(calls, 0);

        RawDb raw(dbPath());
        QCOMPARE(raw.scalar(m_pg ? QStringLiteral("SELECT string_agg(note, ',') FROM extra_rules")
                                 : QStringLiteral("SELECT group_concat(note) FROM extra_rules"))
                     .toString(),
                 QStringLiteral("one"));
        QCOMPARE(store.eventCount(), 1);
        QVERIFY(!store.call(QStringLiteral("c2")).has_value());
        QCOMPARE(store.append(makeEvent(2, "t2")).seq, 2);
        QVERIFY(store.verify().ok);
    }

    void queries()
    {
        EventStore store;
        QVERIFY(store.open(dbPath(), QStringLiteral("w")));
        // seq: 1 c1 initiated, 2 c2 initiated, 3 c1 answered, 4 c2 hangup, 5 c1 hangup, 6 none
        const QList<QPair<QString, QString>> rows{
            {"c1", "call.initiated"}, {"c2", "call.initiated"}, {"c1", "call.answered"},
            {"c2", "call.hangup"},    {"c1", "call.hangup"},    {"", "app.started"}};
        int i = 0;
        for (const auto &[callId, type] : rows) {
            ++i;
            CallUpdate u;
            u.callId = callId;
            if (type == QLatin1String("call.initiated"))
                u.startedAt = QStringLiteral("2025-01-01T00:00:0%1Z").arg(i);
            QVERIFY(
                store.append(makeEvent(i, QString(), callId, type), callId.isEmpty() ? nullptr : &u)
                    .ok());
        }
        auto seqs = [](const QList<StoredEvent> &events) {
            QList<qint64> out;
            for (const auto &e : events)
                out << e.seq;
            return out;
        };
        QCOMPARE(seqs(store.events()), (QList<qint64>{6, 5, 4, 3, 2, 1}));
        EventQuery q;
        q.type = QStringLiteral("call.hangup");
        QCOMPARE(seqs(store.events(q)), (QList<qint64>{5, 4}));
        q = {};
        q.callId = QStringLiteral("c1");
        QCOMPARE(seqs(store.events(q)), (QList<qint64>{5, 3, 1}));
        q.limit = 2;
        QCOMPARE(seqs(store.events(q)), (QList<qint64>{5, 3}));
        q.beforeSeq = 5;
        QCOMPARE(seqs(store.events(q)), (QList<qint64>{3, 1}));
        q = {};
        q.afterSeq = 4;
        QCOMPARE(seqs(store.events(q)), (QList<qint64>{6, 5}));
        q = {};
        q.type = QStringLiteral("call.initiated");
        q.callId = QStringLiteral("c2");
        QCOMPARE(seqs(store.events(q)), (QList<qint64>{2}));
        QCOMPARE(seqs(store.eventsForCall(QStringLiteral("c1"))), (QList<qint64>{1, 3, 5}));
        QVERIFY(store.eventsForCall(QStringLiteral("zz")).isEmpty());

        const QList<CallRecord> calls = store.calls();
        QCOMPARE(calls.size(), 2);
        QCOMPARE(calls.at(0).callId, QStringLiteral("c2"));
        QCOMPARE(calls.at(0).updatedSeq, 4);
        QCOMPARE(calls.at(1).callId, QStringLiteral("c1"));
        QCOMPARE(calls.at(1).updatedSeq, 5);
        CallQuery cq;
        cq.limit = 1;
        QCOMPARE(store.calls(cq).size(), 1);

        // Default limit is 100.
        for (int n = 0; n < 120; ++n)
            QVERIFY(store.append(makeEvent(n)).ok());
        QCOMPARE(store.events().size(), 100);
        q = {};
        q.limit = 0;
        QCOMPARE(store.events(q).size(), 126);
    }

    void hostileStringsRoundTrip()
    {
        EventStore store;
        QVERIFY(store.open(dbPath(), QStringLiteral("w")));
        const QString nasty =
            QStringLiteral("a") + QChar(0) + QStringLiteral("b\u202e\U0001F600'\"\\");
        const QString loneSurrogate = QStringLiteral("x") + QChar(0xD800) + QStringLiteral("y");
        NewEvent e = makeEvent(1, nasty, nasty, QStringLiteral("call.initiated"));
        e.payload = QJsonObject{{QStringLiteral("caller_id_name"), nasty},
                                {QStringLiteral("lone"), loneSurrogate}};
        e.actor = loneSurrogate;
        QVERIFY(store.append(e).ok());
        CallUpdate u;
        u.callId = nasty;
        u.callerName = loneSurrogate;
        QVERIFY(store.append(makeEvent(2), &u).ok());
        const StoredEvent back = *store.event(1);
        QCOMPARE(back.telnyxId, stored(nasty));
        QCOMPARE(back.callId, stored(nasty));
        QCOMPARE(back.payload.value("caller_id_name").toString(), nasty); // JSON escapes it
        QCOMPARE(store.eventsForCall(nasty).size(), 1);
        QVERIFY(store.call(nasty).has_value());
        QCOMPARE(store.append(makeEvent(3, nasty)).status, AppendResult::Status::Duplicate);
        const VerifyResult v = store.verify();
        QVERIFY2(v.ok, qPrintable(v.message));
        QCOMPARE(v.rowsChecked, 2);
    }

    // Text reads back exactly as it was appended, through the Qt driver both ways, and is stored
    // as SQLite text of the same UTF-8 length (nothing cut at a NUL, nothing re-encoded).
    void textRoundTripsExactly_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("ascii") << QStringLiteral("call.initiated");
        QTest::newRow("accents") << QStringLiteral("Zoë Müller, São Paulo");
        QTest::newRow("astral") << QString::fromUtf8("\xF0\x9F\x93\x9E ring \xF0\x9F\x98\x80");
        QTest::newRow("nul inside") << QString::fromUtf8("a\0b", 3);
        QTest::newRow("long") << QString(100000, QChar(0x263A));
    }

    void textRoundTripsExactly()
    {
        QFETCH(QString, text);
        EventStore store;
        QVERIFY(store.open(dbPath(), QStringLiteral("w")));
        if (m_pg && text.toUtf8().size() > 2000) {
            // PostgreSQL keeps an index entry within a third of a page (about 2.7 kB): an id
            // (telnyx_id, call_id) longer than that is refused, whole, and the log stays intact.
            NewEvent e = makeEvent(1, text, text);
            const AppendResult r = store.append(e);
            QCOMPARE(r.status, AppendResult::Status::Error);
            QVERIFY2(r.error.contains(QStringLiteral("index row")), qPrintable(r.error));
            QCOMPARE(store.eventCount(), 0);
            NewEvent ok = makeEvent(1);
            ok.actor = text;
            ok.payload = QJsonObject{{QStringLiteral("caller_id_name"), text}};
            QVERIFY(store.append(ok).ok());
            QCOMPARE(store.event(1)->actor, text);
            QVERIFY(store.verify().ok);
            return;
        }
        NewEvent e = makeEvent(1, text, text);
        e.actor = text;
        e.payload = QJsonObject{{QStringLiteral("caller_id_name"), text}};
        CallUpdate u;
        u.callId = text;
        u.callerName = text;
        QVERIFY(store.append(e, &u).ok());

        const StoredEvent back = *store.event(1);
        const QString kept = stored(text);
        QCOMPARE(back.telnyxId, kept);
        QCOMPARE(back.callId, kept);
        QCOMPARE(back.actor, kept);
        QCOMPARE(back.payload.value(QStringLiteral("caller_id_name")).toString(), text);
        QCOMPARE(store.eventsForCall(text).size(), 1);
        const auto call = store.call(text);
        QVERIFY(call.has_value());
        QCOMPARE(call->callerName, kept);

        RawDb raw(dbPath());
        QVERIFY(raw.ok());
        QCOMPARE(
            raw.scalar(QStringLiteral("SELECT %1 FROM events").arg(raw.typeOf("actor"))).toString(),
            QStringLiteral("text"));
        const QString bytes = m_pg ? QStringLiteral("SELECT octet_length(%1) FROM %2")
                                   : QStringLiteral("SELECT length(CAST(%1 AS BLOB)) FROM %2");
        QCOMPARE(raw.scalar(bytes.arg("actor", "events")).toLongLong(),
                 qint64(kept.toUtf8().size()));
        QCOMPARE(raw.scalar(bytes.arg("caller_name", "calls")).toLongLong(),
                 qint64(kept.toUtf8().size()));
        // The hash recomputed from the stored text is the one computed at append time.
        const VerifyResult v = store.verify();
        QVERIFY2(v.ok, qPrintable(v.message));
    }

    // An absent value is NULL, never an empty string, also when the same prepared statement
    // carried a value in the append before; and NULL and "" hash differently.
    void nullStaysApartFromEmpty()
    {
        EventStore store;
        QVERIFY(store.open(dbPath(), QStringLiteral("w")));
        CallUpdate u;
        u.callId = QStringLiteral("c1");
        u.callerName = QStringLiteral("Zoë");
        u.hangupCause = QString(QLatin1String("")); // given, but empty: stored as NULL
        QVERIFY(store.append(makeEvent(1, QStringLiteral("t1"), QStringLiteral("c1")), &u).ok());
        QVERIFY(store.append(makeEvent(2)).ok()); // no telnyx_id, no call_id
        QVERIFY(store.append(makeEvent(3, QString(QLatin1String("")))).ok());

        RawDb raw(dbPath());
        QVERIFY(raw.ok());
        QSqlQuery q(raw.db());
        QVERIFY(q.exec(QStringLiteral("SELECT %1, %2 FROM events ORDER BY seq")
                           .arg(raw.typeOf("telnyx_id"), raw.typeOf("call_id"))));
        QStringList types;
        while (q.next())
            types << q.value(0).toString() + QLatin1Char('/') + q.value(1).toString();
        QCOMPARE(types, QStringList({"text/text", "null/null", "null/null"}));
        QCOMPARE(raw.scalar(QStringLiteral("SELECT %1 FROM calls").arg(raw.typeOf("hangup_cause")))
                     .toString(),
                 QStringLiteral("null"));
        QCOMPARE(raw.scalar(QStringLiteral("SELECT %1 FROM calls").arg(raw.typeOf("caller_name")))
                     .toString(),
                 QStringLiteral("text"));
        QVERIFY(store.event(2)->callId.isNull());
        QVERIFY(store.call(QStringLiteral("c1"))->hangupCause.isEmpty());

        HashChain::Row row;
        row.seq = 1;
        row.type = QStringLiteral("x");
        row.recordedAt = QStringLiteral("2025-01-01T00:00:00.000Z");
        row.actor = QStringLiteral("a");
        row.payload = QStringLiteral("{}");
        HashChain::Row empty = row;
        empty.callId = QString(QLatin1String(""));
        QVERIFY(HashChain::hash(HashChain::genesisHash(), row) !=
                HashChain::hash(HashChain::genesisHash(), empty));
        const VerifyResult v = store.verify();
        QVERIFY2(v.ok, qPrintable(v.message));
    }

#ifdef Q_OS_UNIX
    // A new database and the files SQLite puts next to it are the owner's only, whatever the
    // umask; so are the folders PrivateFiles makes.
    void newDatabaseIsPrivate()
    {
        if (m_pg)
            QSKIP("SQLite files only");
        const mode_t before = ::umask(022); // a desktop session's usual umask
        const QString folder = m_dir->filePath(QStringLiteral("a/b"));
        const bool made = PrivateFiles::makePath(folder);
        const QString path = folder + QStringLiteral("/events.db");
        EventStore store;
        const bool opened = store.open(path, QStringLiteral("w"));
        ::umask(before);
        QVERIFY(made);
        QVERIFY2(opened, qPrintable(store.errorString()));
        QVERIFY(store.append(makeEvent(1)).ok());

        auto mode = [](const QString &p) {
            struct stat st;
            return ::stat(QFile::encodeName(p).constData(), &st) == 0 ? int(st.st_mode & 0777) : -1;
        };
        QCOMPARE(mode(m_dir->filePath(QStringLiteral("a"))), 0700);
        QCOMPARE(mode(folder), 0700);
        QCOMPARE(mode(path), 0600);
        QCOMPARE(mode(path + QStringLiteral("-wal")), 0600);
        QCOMPARE(mode(path + QStringLiteral("-shm")), 0600);

        // An existing folder is left as it is.
        QVERIFY(QFile::setPermissions(folder, QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                                  QFileDevice::ExeOwner | QFileDevice::ReadGroup |
                                                  QFileDevice::ExeGroup));
        QVERIFY(PrivateFiles::makePath(folder));
        QCOMPARE(mode(folder), 0750);
    }
#endif

    void verifyManyRows()
    {
        // Several of verify()'s chunks either way; fewer on PostgreSQL, where each append is a
        // few round trips to the server (the figures below say how many a second).
        const int count = m_pg ? 6000 : 20000;
        const int tampered = count / 4 * 3 + 1;
        EventStore store;
        store.setSynchronous(EventStore::Synchronous::Normal);
        QVERIFY(store.open(dbPath(), QStringLiteral("w")));
        QElapsedTimer timer;
        timer.start();
        for (int i = 1; i <= count; ++i) {
            CallUpdate u;
            u.callId = QStringLiteral("call-%1").arg(i / 5);
            u.state = QStringLiteral("s%1").arg(i % 5);
            const auto r = store.append(makeEvent(i, QStringLiteral("t%1").arg(i), u.callId),
                                        i % 2 ? &u : nullptr);
            if (r.status != AppendResult::Status::Stored)
                QFAIL(qPrintable(r.error));
        }
        const qint64 appendMs = qMax<qint64>(1, timer.elapsed());
        qInfo("append: %d events in %lld ms (%lld/s, synchronous=NORMAL)", count, appendMs,
              count * 1000 / appendMs);

        qint64 lastDone = -1, calls = 0;
        bool monotonic = true;
        timer.restart();
        const VerifyResult v = store.verify([&](qint64 done, qint64 total) {
            monotonic = monotonic && done >= lastDone && total == count;
            lastDone = done;
            ++calls;
        });
        const qint64 verifyMs = timer.elapsed();
        qInfo("verify: %d events in %lld ms", count, verifyMs);
        QVERIFY2(v.ok, qPrintable(v.message));
        QCOMPARE(v.rowsChecked, count);
        QVERIFY(monotonic);
        QCOMPARE(lastDone, count);
        QVERIFY(calls > 2); // chunked
        QVERIFY2(verifyMs < 30000, "verify is far too slow");

        {
            RawDb raw(dbPath());
            raw.dropTriggers();
            QVERIFY(raw.exec(
                QStringLiteral("UPDATE events SET actor = 'owner' WHERE seq = %1").arg(tampered)));
        }
        const VerifyResult broken = store.verify();
        QVERIFY(!broken.ok);
        QCOMPARE(broken.firstBrokenSeq, tampered);
        QCOMPARE(broken.rowsChecked, tampered - 1);
    }

    void batchCommitsAllAppendsTogether()
    {
        EventStore store;
        QVERIFY(fill(store, 1));
        QVERIFY(store.beginBatch());
        QVERIFY(store.inBatch());
        QVERIFY(store.beginBatch()); // nested: only the outer one commits
        QCOMPARE(store.append(makeEvent(2, QStringLiteral("t2"))).seq, 2);
        QVERIFY(store.commitBatch());
        QVERIFY(store.inBatch());
        {
            // Another connection sees nothing before the outer commit.
            EventStore reader;
            QVERIFY(reader.open(dbPath(), QStringLiteral("reader"), EventStore::Mode::ReadOnly));
            QCOMPARE(reader.eventCount(), 1);
        }
        QCOMPARE(store.append(makeEvent(3, QStringLiteral("t3"))).seq, 3);
        QVERIFY(store.commitBatch());
        QVERIFY(!store.inBatch());
        EventStore reader;
        QVERIFY(reader.open(dbPath(), QStringLiteral("reader"), EventStore::Mode::ReadOnly));
        QCOMPARE(reader.eventCount(), 3);
        QVERIFY(reader.verify().ok);
    }

    void failedAppendInBatchLeavesTheOthers()
    {
        EventStore store;
        QVERIFY(fill(store, 1));
        QVERIFY(store.beginBatch());
        QCOMPARE(store.append(makeEvent(2, QStringLiteral("t2"))).status,
                 AppendResult::Status::Stored);
        // A duplicate and a failing extra write each undo only themselves.
        QCOMPARE(store.append(makeEvent(9, QStringLiteral("t2"))).status,
                 AppendResult::Status::Duplicate);
        const AppendResult failed = store.append(
            makeEvent(3), nullptr, [](QSqlDatabase &) { return QStringLiteral("refused"); });
        QCOMPARE(failed.status, AppendResult::Status::Error);
        QCOMPARE(store.append(makeEvent(4, QStringLiteral("t4"))).seq, 3);
        QVERIFY(store.commitBatch());
        QCOMPARE(store.eventCount(), 3);
        QCOMPARE(store.lastSeq(), 3);
        QVERIFY(store.verify().ok);
        QVERIFY(store.healthCheck());
    }

    void callUpdatesInABatch()
    {
        EventStore store;
        QVERIFY(fill(store, 0));
        QVERIFY(store.beginBatch());
        CallUpdate a;
        a.callId = QStringLiteral("c1");
        a.fromNumber = QStringLiteral("+17702300635");
        a.state = QStringLiteral("ringing");
        QVERIFY(store.append(makeEvent(1, QStringLiteral("t1"), a.callId), &a).ok());
        CallUpdate b; // other columns: the first update's stay
        b.callId = a.callId;
        b.state = QStringLiteral("ended");
        b.flags = QJsonObject{{QStringLiteral("x"), true}};
        QVERIFY(store.append(makeEvent(2, QString(), a.callId), &b).ok());
        QCOMPARE(store.call(a.callId)->state, QStringLiteral("ended")); // read inside the batch
        QVERIFY(store.commitBatch());
        const auto c = store.call(a.callId);
        QVERIFY(c);
        QCOMPARE(c->fromNumber, QStringLiteral("+17702300635"));
        QCOMPARE(c->state, QStringLiteral("ended"));
        QCOMPARE(c->flags.value(QStringLiteral("x")).toBool(), true);
        QCOMPARE(c->updatedSeq, 2);
    }

    // The URL is read in one place; it never holds a password, and says nothing it was not told.
    void databaseUrlParsing()
    {
        if (m_pg)
            QSKIP("no database involved: run once, in the sqlite row");
        QString error;
        auto url = DatabaseUrl::parse(QStringLiteral("postgresql://kevan@db.example:6543/tel"
                                                     "?sslmode=verify-full"),
                                      &error);
        QVERIFY2(url, qPrintable(error));
        QCOMPARE(url->user, QStringLiteral("kevan"));
        QCOMPARE(url->host, QStringLiteral("db.example"));
        QCOMPARE(url->port, 6543);
        QCOMPARE(url->databaseName, QStringLiteral("tel"));
        QCOMPARE(url->sslMode, QStringLiteral("verify-full"));
        QCOMPARE(url->toString(),
                 QStringLiteral("postgresql://kevan@db.example:6543/tel?sslmode=verify-full"));
        QVERIFY(url->connectOptions().contains(QStringLiteral("sslmode=verify-full")));
        url = DatabaseUrl::parse(QStringLiteral("postgres://127.0.0.1/kt"), &error);
        QVERIFY2(url, qPrintable(error));
        QCOMPARE(url->port, 5432);
        QVERIFY(url->user.isEmpty());
        QVERIFY(url->sslMode.isEmpty());
        QVERIFY(!url->connectOptions().contains(QStringLiteral("sslmode")));

        const QList<QPair<QString, QString>> refused{
            {"postgresql://kevan:s3cret@db.example/tel", "PGPASSWORD"},
            {"postgresql://kevan:@db.example/tel", "PGPASSWORD"},
            {"postgresql://db.example/tel?password=s3cret", "only sslmode"},
            {"postgresql://db.example/tel?sslmode=maybe", "sslmode must be one of"},
            {"postgresql://db.example/", "no database name"},
            {"postgresql:///tel", "no host"},
            {"postgresql://db.example:0/tel", "port"},
            {"postgresql://db.example/a/b", "not valid"},
            {"/var/lib/kevan-tel.db", "not a postgresql:// URL"},
        };
        for (const auto &[text, why] : refused) {
            error.clear();
            QVERIFY2(!DatabaseUrl::parse(text, &error), qPrintable(text));
            QVERIFY2(error.contains(why), qPrintable(text + QStringLiteral(": ") + error));
            QVERIFY2(!error.contains(QStringLiteral("s3cret")) &&
                         !error.contains(QStringLiteral("kevan")),
                     qPrintable(error));
        }
        QVERIFY(DatabaseUrl::isUrl(QStringLiteral(" PostgreSQL://h/d")));
        QVERIFY(!DatabaseUrl::isUrl(QStringLiteral("postgresql.db")));
    }

    // What opening a PostgreSQL URL says when it cannot: never a password (there is none to
    // say), always the URL it tried.
    void postgresqlUrlsRefused()
    {
        if (!m_pg)
            QSKIP("PostgreSQL only");
        const QString good = dbPath();
        const auto url = DatabaseUrl::parse(good, nullptr);
        QVERIFY(url);
        EventStore store;
        QVERIFY(!store.open(QStringLiteral("postgresql://kt:s3cret@127.0.0.1/kt"),
                            QStringLiteral("w")));
        QVERIFY2(store.errorString().contains(QStringLiteral("PGPASSWORD")) &&
                     !store.errorString().contains(QStringLiteral("s3cret")),
                 qPrintable(store.errorString()));
        QVERIFY(!store.isOpen());
        QVERIFY(!store.open(QStringLiteral("postgresql://127.0.0.1/kt?password=s3cret"),
                            QStringLiteral("w")));
        QCOMPARE(store.errorString(),
                 QStringLiteral("cannot open database postgresql://127.0.0.1...: unknown option"
                                " \"password\" (only sslmode is accepted)"));

        DatabaseUrl missing = *url;
        missing.databaseName = url->databaseName + QStringLiteral("_missing");
        QVERIFY(!store.open(missing.toString(), QStringLiteral("w")));
        QVERIFY2(store.errorString().startsWith(QStringLiteral("cannot open database ") +
                                                missing.toString()),
                 qPrintable(store.errorString()));
        QVERIFY2(store.errorString().contains(QStringLiteral("does not exist")),
                 qPrintable(store.errorString()));

        // libpq's message spans lines ("Connection refused\n\tIs the server running ..."): the
        // store's is one line, without the control characters a terminal would show as junk.
        QVERIFY(!store.open(QStringLiteral("postgresql://127.0.0.1:1/kt"), QStringLiteral("w")));
        QVERIFY2(store.errorString().contains(QStringLiteral("refused")),
                 qPrintable(store.errorString()));
        for (const QChar c : store.errorString())
            QVERIFY2(!c.isSpace() || c == QLatin1Char(' '), qPrintable(store.errorString()));
        QVERIFY2(!store.errorString().contains(QStringLiteral("  ")),
                 qPrintable(store.errorString()));

        // Read-only never creates the schema.
        QVERIFY(!store.open(good, QStringLiteral("w"), EventStore::Mode::ReadOnly));
        QVERIFY2(store.errorString().contains(QStringLiteral("not a kevan-tel database")),
                 qPrintable(store.errorString()));

        // One connection name, one store.
        EventStore first;
        QVERIFY2(first.open(good, QStringLiteral("same")), qPrintable(first.errorString()));
        QVERIFY(!store.open(good, QStringLiteral("same")));
        QVERIFY(store.errorString().contains(QStringLiteral("already in use")));
        QVERIFY(first.append(makeEvent(1)).ok());

        // A read-only instance cannot write, even by hand on its connection.
        EventStore reader;
        QVERIFY2(reader.open(good, QStringLiteral("r"), EventStore::Mode::ReadOnly),
                 qPrintable(reader.errorString()));
        QCOMPARE(reader.eventCount(), 1);
        QSqlQuery q(QSqlDatabase::database(QStringLiteral("r"), false));
        QVERIFY(!q.exec(QStringLiteral("INSERT INTO calls (call_id) VALUES ('x')")));
        QVERIFY2(q.lastError().text().contains(QStringLiteral("read-only")),
                 qPrintable(q.lastError().text()));
    }

    // Two stores on one database, each in its own thread with its own connection (as two
    // processes would be), append interleaved batches at the same time, and both append the
    // same telnyx ids: one chain, no fork, every acknowledged append there as acknowledged, each
    // shared id stored once (the other writer told "duplicate").
    void concurrentWritersKeepOneChain()
    {
        const QString path = dbPath();
        {
            EventStore create; // the schema first, so that neither thread races to make it
            QVERIFY2(create.open(path, QStringLiteral("create")), qPrintable(create.errorString()));
        }
        constexpr int kBatches = 40, kPerBatch = 5, kShared = 60;
        struct Acked
        {
            QString telnyxId;
            qint64 seq;
            QString hash;
        };
        struct Writer
        {
            QString name;
            QList<Acked> stored;
            QStringList duplicates;
            QString error;
        };
        Writer writers[2] = {{QStringLiteral("a"), {}, {}, {}}, {QStringLiteral("b"), {}, {}, {}}};
        // Both open their connection first, then start appending together.
        QSemaphore ready, go;
        auto run = [&path, &ready, &go](Writer *w) {
            EventStore store;
            store.setSynchronous(EventStore::Synchronous::Normal);
            store.setBusyTimeout(30000);
            const bool opened = store.open(path, QStringLiteral("writer-") + w->name);
            if (!opened)
                w->error = store.errorString();
            ready.release();
            go.acquire();
            if (!opened)
                return;
            int shared = 0;
            for (int batch = 0; batch < kBatches && w->error.isEmpty(); ++batch) {
                // Odd batches one at a time, even ones in a group commit.
                const bool grouped = batch % 2 == 0;
                if (grouped && !store.beginBatch()) {
                    w->error = store.errorString();
                    break;
                }
                QList<Acked> pending;
                QStringList pendingDuplicates;
                for (int i = 0; i < kPerBatch; ++i) {
                    // Every other append is a delivery both writers get.
                    const QString id =
                        i % 2 && shared < kShared
                            ? QStringLiteral("shared-%1").arg(shared++)
                            : QStringLiteral("%1-%2-%3").arg(w->name).arg(batch).arg(i);
                    const AppendResult r = store.append(makeEvent(i, id));
                    if (r.status == AppendResult::Status::Stored)
                        pending.append({id, r.seq, r.hash});
                    else if (r.status == AppendResult::Status::Duplicate)
                        pendingDuplicates << id;
                    else
                        w->error = r.error;
                }
                if (grouped && !store.commitBatch())
                    w->error = store.errorString();
                // Acknowledged once committed.
                if (w->error.isEmpty()) {
                    w->stored += pending;
                    w->duplicates += pendingDuplicates;
                }
                QThread::yieldCurrentThread();
            }
        };
        std::unique_ptr<QThread> threads[2] = {
            std::unique_ptr<QThread>(QThread::create(run, &writers[0])),
            std::unique_ptr<QThread>(QThread::create(run, &writers[1]))};
        for (auto &t : threads)
            t->start();
        ready.acquire(2);
        go.release(2);
        for (auto &t : threads)
            QVERIFY(t->wait(120000));
        for (const Writer &w : writers)
            QVERIFY2(w.error.isEmpty(), qPrintable(w.name + QStringLiteral(": ") + w.error));

        EventStore check;
        QVERIFY2(check.open(path, QStringLiteral("check")), qPrintable(check.errorString()));
        const VerifyResult v = check.verify();
        QVERIFY2(v.ok, qPrintable(v.message));
        const qint64 acked = writers[0].stored.size() + writers[1].stored.size();
        QCOMPARE(v.rowsChecked, acked);
        QCOMPARE(check.eventCount(), acked);
        QSet<qint64> seqs;
        QHash<QString, int> storedBy;
        for (const Writer &w : writers) {
            for (const Acked &a : w.stored) {
                const auto e = check.event(a.seq);
                QVERIFY2(e, qPrintable(a.telnyxId));
                QCOMPARE(e->telnyxId, a.telnyxId);
                QCOMPARE(e->hash, a.hash);
                seqs.insert(a.seq);
                ++storedBy[a.telnyxId];
            }
        }
        QCOMPARE(seqs.size(), acked); // no seq handed out twice
        // Both writers went through the same shared ids: each stored by exactly one.
        for (int i = 0; i < kShared; ++i) {
            const QString id = QStringLiteral("shared-%1").arg(i);
            QCOMPARE(storedBy.value(id), 1);
            const int duplicates =
                int(writers[0].duplicates.count(id) + writers[1].duplicates.count(id));
            QCOMPARE(duplicates, 1);
        }
        // How the two writers' appends interleaved (timing decides; printed, not asserted).
        auto span = [](const Writer &w) {
            qint64 lo = std::numeric_limits<qint64>::max(), hi = 0;
            for (const Acked &a : w.stored) {
                lo = qMin(lo, a.seq);
                hi = qMax(hi, a.seq);
            }
            return qMakePair(lo, hi);
        };
        const auto a = span(writers[0]), b = span(writers[1]);
        qInfo("writer a: %lld events in seq %lld..%lld; writer b: %lld in %lld..%lld",
              qint64(writers[0].stored.size()), a.first, a.second, qint64(writers[1].stored.size()),
              b.first, b.second);
    }

    void callsPerDayAndNumberSearch()
    {
        EventStore store;
        QVERIFY(fill(store, 0));
        struct C
        {
            const char *id, *from, *to, *started;
        };
        const C calls[] = {
            {"a", "+17702300635", "+18886115384", "2025-03-01T10:00:00Z"},
            {"b", "+14045550100", "+17702300635", "2025-03-01T23:30:00Z"},
            {"c", "+14045550100", "+18886115384", "2025-03-02T00:30:00Z"},
            {"d", "+447946095800", "+18886115384", "2025-03-05T12:00:00Z"},
        };
        int i = 0;
        for (const C &c : calls) {
            CallUpdate u;
            u.callId = QString::fromLatin1(c.id);
            u.fromNumber = QString::fromLatin1(c.from);
            u.toNumber = QString::fromLatin1(c.to);
            u.startedAt = QString::fromLatin1(c.started);
            QVERIFY(store.append(makeEvent(++i, QString(), u.callId), &u).ok());
        }
        const QDateTime from(QDate(2025, 3, 1), QTime(0, 0), Qt::UTC);
        const QDateTime to(QDate(2025, 3, 5), QTime(0, 0), Qt::UTC);
        auto days = [](const QList<EventStore::DayCount> &list) {
            QStringList out;
            for (const auto &d : list)
                out << QStringLiteral("%1=%2").arg(d.day.toString(Qt::ISODate)).arg(d.calls);
            return out.join(QLatin1Char(' '));
        };
        QCOMPARE(days(store.callsPerDay(from, to)), QStringLiteral("2025-03-01=2 2025-03-02=1"));
        // Two hours east of UTC, b (23:30 UTC) is on the 2nd.
        QCOMPARE(days(store.callsPerDay(from, to, 7200)),
                 QStringLiteral("2025-03-01=1 2025-03-02=2"));

        auto ids = [](const QList<CallRecord> &list) {
            QStringList out;
            for (const CallRecord &c : list)
                out << c.callId;
            return out.join(QLatin1Char(','));
        };
        QCOMPARE(ids(store.callsWithNumber(QStringLiteral("+17702300635"))), QStringLiteral("b,a"));
        QCOMPARE(ids(store.callsWithNumber(QStringLiteral("404 555"))), QStringLiteral("c,b"));
        QCOMPARE(ids(store.callsWithNumber(QStringLiteral("(770) 230"))), QStringLiteral("b,a"));
        QCOMPARE(ids(store.callsWithNumber(QStringLiteral("0958"))), QStringLiteral("d"));
        QCOMPARE(ids(store.callsWithNumber(QStringLiteral("+19995550123"))), QString());
        QCOMPARE(ids(store.callsWithNumber(QStringLiteral("888"), 1, 1)), QStringLiteral("c"));
        QVERIFY(store.callsWithNumber(QStringLiteral("no digits")).isEmpty());

        // A call whose start was never seen comes last on both back ends.
        CallUpdate unstarted;
        unstarted.callId = QStringLiteral("e");
        unstarted.toNumber = QStringLiteral("+18886115384");
        QVERIFY(store.append(makeEvent(++i, QString(), unstarted.callId), &unstarted).ok());
        QCOMPARE(ids(store.calls()), QStringLiteral("d,c,b,a,e"));
        QCOMPARE(ids(store.callsWithNumber(QStringLiteral("+18886115384"))),
                 QStringLiteral("d,c,a,e"));
        QString error;
        QCOMPARE(store.callProjection().callIds({}, 2, 3, &error), QStringList({"a", "e"}));
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestEventStore)
#include "tst_eventstore.moc"
