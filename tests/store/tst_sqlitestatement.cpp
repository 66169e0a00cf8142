// SPDX-License-Identifier: GPL-3.0-or-later
// SqliteStatement: the C API statement on a QSqlDatabase's own connection. What it writes reads
// back the same through the Qt driver (the event log's hashes are checked that way), NULL and the
// empty string stay apart, errors carry SQLite's message, and it shares the connection's
// transaction.
#include "store/sqlitestatement.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

using namespace kt;

class TstSqliteStatement : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void handleOfNeedsAnOpenSqliteConnection();
    void textReadsBackTheSameThroughTheQtDriver_data();
    void textReadsBackTheSameThroughTheQtDriver();
    void nullAndEmptyStayApart();
    void rowsAndIntegersComeBack();
    void errorsCarrySqlitesMessage();
    void sharesTheConnectionsTransaction();

private:
    QTemporaryDir m_dir;
    QSqlDatabase m_db;
    sqlite3 *m_handle = nullptr;
};

void TstSqliteStatement::init()
{
    QVERIFY(m_dir.isValid());
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("stmt"));
    m_db.setDatabaseName(m_dir.filePath(QStringLiteral("t.db")));
    QVERIFY(m_db.open());
    QSqlQuery q(m_db);
    QVERIFY(q.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, "
                                  "v TEXT, u TEXT UNIQUE)")));
    QVERIFY(q.exec(QStringLiteral("DELETE FROM t")));
    QString why;
    m_handle = SqliteStatement::handleOf(m_db, &why);
    QVERIFY2(m_handle, qPrintable(why));
}

void TstSqliteStatement::cleanup()
{
    m_handle = nullptr;
    m_db.close();
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(QStringLiteral("stmt"));
}

void TstSqliteStatement::handleOfNeedsAnOpenSqliteConnection()
{
    QSqlDatabase closed =
        QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("closed"));
    QString why;
    QVERIFY(!SqliteStatement::handleOf(closed, &why));
    QCOMPARE(why, QStringLiteral("the database is not open"));
    closed = QSqlDatabase();
    QSqlDatabase::removeDatabase(QStringLiteral("closed"));

    QVERIFY(!SqliteStatement::handleOf(QSqlDatabase(), &why));
    QCOMPARE(why, QStringLiteral("the database is not open"));
}

void TstSqliteStatement::textReadsBackTheSameThroughTheQtDriver_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("ascii") << QStringLiteral("call.initiated");
    QTest::newRow("accents") << QStringLiteral("Zoë Müller, São Paulo");
    QTest::newRow("astral") << QString::fromUtf8("\xF0\x9F\x93\x9E ring \xF0\x9F\x98\x80");
    QTest::newRow("nul inside") << QString::fromUtf8("a\0b", 3);
    QTest::newRow("long") << QString(100000, QChar(0x263A));
}

void TstSqliteStatement::textReadsBackTheSameThroughTheQtDriver()
{
    QFETCH(QString, text);
    SqliteStatement insert;
    QString err;
    QVERIFY2(insert.prepare(m_handle, QStringLiteral("INSERT INTO t (id, v) VALUES (?, ?)"), &err),
             qPrintable(err));
    insert.bind(1, qint64(1));
    insert.bind(2, text);
    QVERIFY2(insert.run(&err), qPrintable(err));

    QSqlQuery q(m_db);
    QVERIFY(q.exec(QStringLiteral("SELECT v, typeof(v), length(CAST(v AS BLOB)) FROM t")));
    QVERIFY(q.next());
    QCOMPARE(q.value(0).toString(), text);
    QCOMPARE(q.value(1).toString(), QStringLiteral("text"));
    QCOMPARE(q.value(2).toLongLong(), qint64(text.toUtf8().size()));

    SqliteStatement select;
    QVERIFY(select.prepare(m_handle, QStringLiteral("SELECT v FROM t"), &err));
    QCOMPARE(select.step(), SqliteStatement::Step::Row);
    QCOMPARE(select.columnText(0), text);
    QCOMPARE(select.step(), SqliteStatement::Step::Done);
}

void TstSqliteStatement::nullAndEmptyStayApart()
{
    SqliteStatement insert;
    QString err;
    QVERIFY(insert.prepare(m_handle, QStringLiteral("INSERT INTO t (id, v) VALUES (?, ?)"), &err));
    insert.bind(1, qint64(1));
    insert.bind(2, QString(QLatin1String("")));
    QVERIFY2(insert.run(&err), qPrintable(err));
    insert.bind(1, qint64(2));
    insert.bind(2, std::optional<QString>());
    QVERIFY2(insert.run(&err), qPrintable(err));
    insert.bind(1, qint64(3)); // a binding not set again after a run is NULL
    QVERIFY2(insert.run(&err), qPrintable(err));

    QSqlQuery q(m_db);
    QVERIFY(q.exec(QStringLiteral("SELECT id, typeof(v) FROM t ORDER BY id")));
    QStringList types;
    while (q.next())
        types << q.value(1).toString();
    QCOMPARE(types, QStringList({"text", "null", "null"}));

    SqliteStatement select;
    QVERIFY(select.prepare(m_handle, QStringLiteral("SELECT v FROM t ORDER BY id"), &err));
    QCOMPARE(select.step(), SqliteStatement::Step::Row);
    QVERIFY(!select.columnIsNull(0));
    QCOMPARE(select.columnText(0), QString());
    QCOMPARE(select.step(), SqliteStatement::Step::Row);
    QVERIFY(select.columnIsNull(0));
    QVERIFY(select.columnText(0).isNull());
}

void TstSqliteStatement::rowsAndIntegersComeBack()
{
    QSqlQuery q(m_db);
    QVERIFY(q.exec(QStringLiteral("INSERT INTO t (id, v) VALUES (9007199254740993, 'big'), "
                                  "(-5, 'negative')")));
    SqliteStatement select;
    QString err;
    QVERIFY(select.prepare(m_handle, QStringLiteral("SELECT id, v FROM t WHERE id > ?"), &err));
    select.bind(1, qint64(0));
    QCOMPARE(select.step(), SqliteStatement::Step::Row);
    QCOMPARE(select.columnInt64(0), Q_INT64_C(9007199254740993));
    QCOMPARE(select.columnText(1), QStringLiteral("big"));
    QCOMPARE(select.step(), SqliteStatement::Step::Done);
    select.reset();
    select.bind(1, qint64(-10));
    QCOMPARE(select.step(), SqliteStatement::Step::Row);
    QCOMPARE(select.columnInt64(0), qint64(-5));
    select.reset();
}

void TstSqliteStatement::errorsCarrySqlitesMessage()
{
    SqliteStatement bad;
    QString err;
    QVERIFY(!bad.prepare(m_handle, QStringLiteral("INSERT INTO nowhere VALUES (1)"), &err));
    QCOMPARE(err, QStringLiteral("no such table: nowhere"));
    QVERIFY(!bad.isPrepared());

    SqliteStatement insert;
    QVERIFY(insert.prepare(m_handle, QStringLiteral("INSERT INTO t (u) VALUES (?)"), &err));
    insert.bind(1, QStringLiteral("same"));
    QVERIFY2(insert.run(&err), qPrintable(err));
    insert.bind(1, QStringLiteral("same"));
    QCOMPARE(insert.step(), SqliteStatement::Step::Error);
    QCOMPARE(insert.errorText(), QStringLiteral("UNIQUE constraint failed: t.u"));
    insert.reset();
    insert.bind(1, QStringLiteral("same"));
    err.clear();
    QVERIFY(!insert.run(&err));
    QCOMPARE(err, QStringLiteral("UNIQUE constraint failed: t.u"));
    // The statement is usable again after a failure.
    insert.bind(1, QStringLiteral("other"));
    QVERIFY2(insert.run(&err), qPrintable(err));
}

void TstSqliteStatement::sharesTheConnectionsTransaction()
{
    SqliteStatement begin, rollback, insert;
    QString err;
    QVERIFY(begin.prepare(m_handle, QStringLiteral("BEGIN IMMEDIATE"), &err));
    QVERIFY(rollback.prepare(m_handle, QStringLiteral("ROLLBACK"), &err));
    QVERIFY(insert.prepare(m_handle, QStringLiteral("INSERT INTO t (v) VALUES ('c api')"), &err));
    QVERIFY(begin.run(&err));
    QVERIFY(insert.run(&err));
    QSqlQuery q(m_db);
    QVERIFY(q.exec(QStringLiteral("INSERT INTO t (v) VALUES ('qt')")));
    QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM t")));
    QVERIFY(q.next());
    QCOMPARE(q.value(0).toInt(), 2);
    q.finish();
    QVERIFY2(rollback.run(&err), qPrintable(err));
    QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM t")));
    QVERIFY(q.next());
    QCOMPARE(q.value(0).toInt(), 0); // both went with the one rollback
}

QTEST_GUILESS_MAIN(TstSqliteStatement)
#include "tst_sqlitestatement.moc"
