// SPDX-License-Identifier: GPL-3.0-or-later
// WalCheckpointer: the write-ahead log is copied back into the database by its own thread while
// the writer's commits do none of it; a missing database is refused; the log is all copied back
// when it stops.
#include "store/eventstore.h"
#include "store/walcheckpointer.h"

#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlQuery>
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

qint64 walBytes(const QString &db)
{
    return QFileInfo(db + QStringLiteral("-wal")).size();
}

// (frames in the log, frames copied back) as a reader sees them, from a connection of its own.
QPair<qint64, qint64> logState(const QString &path)
{
    QPair<qint64, qint64> out{-1, -1};
    {
        QSqlDatabase db =
            QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("probe"));
        db.setDatabaseName(path);
        if (db.open()) {
            QSqlQuery q(db);
            if (q.exec(QStringLiteral("PRAGMA wal_checkpoint(PASSIVE)")) && q.next())
                out = {q.value(1).toLongLong(), q.value(2).toLongLong()};
        }
    }
    QSqlDatabase::removeDatabase(QStringLiteral("probe"));
    return out;
}
} // namespace

class TstWalCheckpointer : public QObject
{
    Q_OBJECT
private slots:
    void writerLeavesCheckpointsToTheThread();
    void missingDatabaseIsRefused();
    void walAutoCheckpointIsApplied();
};

void TstWalCheckpointer::writerLeavesCheckpointsToTheThread()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("events.db"));
    EventStore store;
    store.setWalAutoCheckpoint(0); // the writer never copies the log back itself
    QVERIFY2(store.open(path, QStringLiteral("writer")), qPrintable(store.errorString()));

    // Without the checkpointer the log only grows.
    for (int i = 0; i < 300; ++i)
        QCOMPARE(store.append(newEvent(i)).status, AppendResult::Status::Stored);
    const qint64 grown = walBytes(path);
    QVERIFY2(grown > 100 * 1024, qPrintable(QString::number(grown)));

    WalCheckpointer checkpointer(path);
    QString error;
    QVERIFY2(checkpointer.start(&error), qPrintable(error));
    QVERIFY(checkpointer.isRunning());
    QTRY_VERIFY_WITH_TIMEOUT(checkpointer.framesCopied() > 0, 5000);
    QVERIFY(checkpointer.checkpoints() >= 1);
    QVERIFY(checkpointer.lastError().isEmpty());

    // Everything in the log has been copied back: the writer starts it again from its
    // beginning instead of growing it.
    const auto state = logState(path);
    QCOMPARE(state.first, state.second);
    for (int i = 300; i < 400; ++i)
        QCOMPARE(store.append(newEvent(i)).status, AppendResult::Status::Stored);
    QCOMPARE(walBytes(path), grown); // reused, not grown
    QTRY_VERIFY_WITH_TIMEOUT(checkpointer.framesCopied() > state.second, 5000);

    checkpointer.stop();
    QVERIFY(!checkpointer.isRunning());
    const auto after = logState(path);
    QCOMPARE(after.first, after.second); // the last checkpoint at stop copied the rest
    QCOMPARE(store.lastSeq(), qint64(400));
    QVERIFY(store.verify().ok);
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

void TstWalCheckpointer::walAutoCheckpointIsApplied()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("events.db"));
    EventStore store;
    QCOMPARE(store.walAutoCheckpoint(), 1000); // SQLite's own default until told otherwise
    QVERIFY(store.open(path, QStringLiteral("writer")));
    QVERIFY(store.setWalAutoCheckpoint(10000));
    QCOMPARE(store.walAutoCheckpoint(), 10000);
    QVERIFY(store.setWalAutoCheckpoint(-5));
    QCOMPARE(store.walAutoCheckpoint(), 0);
    // 0: the writer never checkpoints, so the log keeps every frame written.
    for (int i = 0; i < 50; ++i)
        QCOMPARE(store.append(newEvent(i)).status, AppendResult::Status::Stored);
    const auto state = logState(path); // this probe copies it back itself
    QVERIFY(state.first > 0);
}

QTEST_GUILESS_MAIN(TstWalCheckpointer)
#include "tst_walcheckpointer.moc"
