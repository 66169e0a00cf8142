// SPDX-License-Identifier: GPL-3.0-or-later
// WalCheckpointer, alone and as the engine's store uses it (EventStore::setBackgroundCheckpoints):
// the write-ahead log is copied back by a thread of its own after commits (single appends and a
// batch's), and only after commits; a stop runs the checkpoint a commit still waits for; a
// missing database is refused.
#include "store/eventstore.h"
#include "store/walcheckpointer.h"

#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

using namespace kt;

namespace {
NewEvent newEvent(int i)
{
    NewEvent e;
    e.type = QStringLiteral("test.checkpoint");
    e.actor = QStringLiteral("test");
    e.payload = {{QStringLiteral("i"), i}, {QStringLiteral("pad"), QString(400, QLatin1Char('x'))}};
    return e;
}

} // namespace

class TstWalCheckpointer : public QObject
{
    Q_OBJECT
private slots:
    void storeLeavesTheLogToTheThread();
    void offByDefault();
    void idleStoreWakesNothing();
    void stopRunsTheCheckpointACommitWaitsFor();
    void missingDatabaseIsRefused();
};

void TstWalCheckpointer::storeLeavesTheLogToTheThread()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("events.db"));
    EventStore store;
    store.setSynchronous(EventStore::Synchronous::Normal);
    store.setBackgroundCheckpoints(true);
    QVERIFY2(store.open(path, QStringLiteral("writer")), qPrintable(store.errorString()));
    QVERIFY(store.backgroundCheckpoints().running);
    QVERIFY(store.backgroundCheckpoints().lastError.isEmpty());

    // One append at a time (a commit each), then a batch (one commit).
    for (int i = 0; i < 100; ++i)
        QCOMPARE(store.append(newEvent(i)).status, AppendResult::Status::Stored);
    QTRY_VERIFY_WITH_TIMEOUT(store.backgroundCheckpoints().framesCopied > 0, 5000);
    // Let a checkpoint still due for the last appends run, then nothing more is due.
    QTest::qWait(3 * WalCheckpointer::DelayMs);
    const qint64 afterSingles = store.backgroundCheckpoints().checkpoints;
    const qint64 copiedAfterSingles = store.backgroundCheckpoints().framesCopied;
    QVERIFY(afterSingles >= 1);
    QVERIFY(store.beginBatch());
    for (int i = 100; i < 200; ++i)
        QCOMPARE(store.append(newEvent(i)).status, AppendResult::Status::Stored);
    QVERIFY(store.commitBatch()); // a batch's one commit schedules one too
    QTRY_VERIFY_WITH_TIMEOUT(store.backgroundCheckpoints().checkpoints > afterSingles, 5000);
    QVERIFY(store.backgroundCheckpoints().framesCopied > copiedAfterSingles);
    QVERIFY(store.backgroundCheckpoints().lastError.isEmpty());
    QCOMPARE(store.lastSeq(), qint64(200));
    QVERIFY(store.verify().ok);

    // Closing stops the thread before the writer's connection, which removes the log.
    store.close();
    QVERIFY(!store.backgroundCheckpoints().running);
    QVERIFY(!QFileInfo::exists(path + QStringLiteral("-wal")));
}

void TstWalCheckpointer::offByDefault()
{
    QTemporaryDir dir;
    EventStore store;
    QVERIFY(store.open(dir.filePath(QStringLiteral("events.db")), QStringLiteral("writer")));
    QCOMPARE(store.append(newEvent(1)).status, AppendResult::Status::Stored);
    const EventStore::CheckpointStats stats = store.backgroundCheckpoints();
    QVERIFY(!stats.running);
    QCOMPARE(stats.checkpoints, qint64(0));
    QVERIFY(stats.lastError.isEmpty());

    // Asked for on a read-only store, there is nothing to copy back: no thread either.
    EventStore reader;
    reader.setBackgroundCheckpoints(true);
    QVERIFY(reader.open(dir.filePath(QStringLiteral("events.db")), QStringLiteral("reader"),
                        EventStore::Mode::ReadOnly));
    QVERIFY(!reader.backgroundCheckpoints().running);
}

void TstWalCheckpointer::idleStoreWakesNothing()
{
    QTemporaryDir dir;
    EventStore store;
    store.setBackgroundCheckpoints(true);
    QVERIFY(store.open(dir.filePath(QStringLiteral("events.db")), QStringLiteral("writer")));
    // Opening commits nothing through the store: no checkpoint is scheduled.
    QTest::qWait(3 * WalCheckpointer::DelayMs);
    QCOMPARE(store.backgroundCheckpoints().checkpoints, qint64(0));

    QCOMPARE(store.append(newEvent(1)).status, AppendResult::Status::Stored);
    QTRY_COMPARE_WITH_TIMEOUT(store.backgroundCheckpoints().checkpoints, qint64(1), 5000);
    // Nothing committed since: no further checkpoint (a polling thread would have run again).
    QTest::qWait(3 * WalCheckpointer::DelayMs);
    QCOMPARE(store.backgroundCheckpoints().checkpoints, qint64(1));
}

void TstWalCheckpointer::stopRunsTheCheckpointACommitWaitsFor()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("events.db"));
    EventStore store; // SQLite's own checkpoints, which 20 appends do not reach
    QVERIFY(store.open(path, QStringLiteral("writer")));
    for (int i = 0; i < 20; ++i)
        QCOMPARE(store.append(newEvent(i)).status, AppendResult::Status::Stored);

    WalCheckpointer checkpointer(path);
    QString error;
    QVERIFY2(checkpointer.start(&error), qPrintable(error));
    QVERIFY(checkpointer.isRunning());
    checkpointer.noteCommit();
    checkpointer.stop(); // well before DelayMs
    QVERIFY(!checkpointer.isRunning());
    QCOMPARE(checkpointer.checkpoints(), qint64(1));
    QVERIFY2(checkpointer.framesCopied() > 0,
             qPrintable(QString::number(checkpointer.framesCopied())));
    QVERIFY(checkpointer.lastError().isEmpty());

    // Stopped, a commit schedules nothing.
    checkpointer.noteCommit();
    QCOMPARE(checkpointer.checkpoints(), qint64(1));
}

void TstWalCheckpointer::missingDatabaseIsRefused()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("absent.db"));
    WalCheckpointer checkpointer(path);
    QString error;
    QVERIFY(!checkpointer.start(&error));
    QVERIFY(!checkpointer.isRunning());
    QVERIFY2(error.contains(QLatin1String("absent.db")) && error.contains(QLatin1String("no such")),
             qPrintable(error));
    QVERIFY(!QFileInfo::exists(path)); // never created
}

QTEST_GUILESS_MAIN(TstWalCheckpointer)
#include "tst_walcheckpointer.moc"
