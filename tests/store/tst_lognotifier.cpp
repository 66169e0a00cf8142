// SPDX-License-Identifier: GPL-3.0-or-later
// LogNotifier: on PostgreSQL another connection's committed append is announced at once; a
// rolled-back one (a duplicate) is not, nor the listening connection's own; a group commit is
// one notification. SQLite cannot notify: listen() says so and the reader polls.
#include "pgtestdatabase.h"
#include "store/eventstore.h"
#include "store/lognotifier.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace kt;

namespace {
NewEvent logEvent(const QString &telnyxId)
{
    NewEvent e;
    e.type = QStringLiteral("call.initiated");
    e.telnyxId = telnyxId;
    e.callId = QStringLiteral("call-1");
    e.actor = QStringLiteral("telnyx");
    e.payload = QJsonObject{{QStringLiteral("n"), telnyxId}};
    return e;
}
} // namespace

class TestLogNotifier : public QObject
{
    Q_OBJECT

private slots:
    void sqliteCannotNotify()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        EventStore store;
        QVERIFY2(store.open(dir.filePath(QStringLiteral("events.db")), QStringLiteral("sqlite")),
                 qPrintable(store.errorString()));
        LogNotifier notifier;
        QVERIFY(!notifier.listen(store));
        QVERIFY(!notifier.isListening());
        QVERIFY(!notifier.errorString().isEmpty());
    }

    void notClosedStore()
    {
        EventStore store;
        LogNotifier notifier;
        QVERIFY(!notifier.listen(store));
    }

    void otherConnectionsAppendsAreAnnounced()
    {
        if (test::pgServerUrl().isEmpty())
            QSKIP(qPrintable(test::pgSkipReason()));
        test::PgTestDatabase database;
        QString error;
        QVERIFY2(database.create(&error), qPrintable(error));
        {
            EventStore listener;
            QVERIFY2(listener.open(database.url(), QStringLiteral("listener")),
                     qPrintable(listener.errorString()));
            EventStore writer;
            QVERIFY2(writer.open(database.url(), QStringLiteral("writer")),
                     qPrintable(writer.errorString()));
            LogNotifier notifier;
            QVERIFY2(notifier.listen(listener), qPrintable(notifier.errorString()));
            QVERIFY(notifier.isListening());
            QSignalSpy appended(&notifier, &LogNotifier::appended);

            // Its own append is not news to the listener.
            QVERIFY(listener.append(logEvent(QStringLiteral("own"))).ok());
            // A group commit of three: one notification, sent at COMMIT.
            QVERIFY(writer.beginBatch());
            for (const char *id : {"a", "b", "c"})
                QVERIFY(writer.append(logEvent(QString::fromLatin1(id))).ok());
            QVERIFY(writer.commitBatch());
            QTRY_COMPARE(appended.size(), 1);
            QCOMPARE(listener.lastSeq(), 4);

            // A duplicate is rolled back: nothing to announce. The append after it is.
            QCOMPARE(writer.append(logEvent(QStringLiteral("a"))).status,
                     AppendResult::Status::Duplicate);
            QVERIFY(writer.append(logEvent(QStringLiteral("d"))).ok());
            QTRY_COMPARE(appended.size(), 2);
            // Whatever arrives late arrives here: still two (the own append and the duplicate
            // were not announced; they came first on the connection).
            QTest::qWait(50);
            QCOMPARE(appended.size(), 2);

            notifier.stop();
            QVERIFY(!notifier.isListening());
            QVERIFY(writer.append(logEvent(QStringLiteral("e"))).ok());
            QTest::qWait(100);
            QCOMPARE(appended.size(), 2);
        }
    }
};

QTEST_GUILESS_MAIN(TestLogNotifier)
#include "tst_lognotifier.moc"
