// SPDX-License-Identifier: GPL-3.0-or-later
// One app per user and database: a second launch asks the first to show its window.
#include "platform/singleinstance.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QThread>
#include <QUuid>
#include <QtTest>

using namespace kt;

class TstSingleInstance : public QObject
{
    Q_OBJECT
private slots:
    void secondLaunchShowsTheFirst();
    void staleSocketIsTakenOver();
    void keyDependsOnTheDatabase();
};

void TstSingleInstance::secondLaunchShowsTheFirst()
{
    const QString key =
        QStringLiteral("kevan-tel-test-") + QUuid::createUuid().toString(QUuid::Id128);
    SingleInstance first(key);
    QVERIFY(first.claim());
    QSignalSpy shown(&first, &SingleInstance::showRequested);

    // The second launch is another process in real life; here, another thread that blocks
    // while this one serves.
    bool secondClaimed = true;
    QThread *second = QThread::create([&] {
        SingleInstance other(key);
        secondClaimed = other.claim(5000);
    });
    second->start();
    QTRY_VERIFY(second->isFinished());
    second->wait();
    delete second;
    QVERIFY(!secondClaimed);
    QTRY_COMPARE(shown.count(), 1);
}

void TstSingleInstance::staleSocketIsTakenOver()
{
    const QString key =
        QStringLiteral("kevan-tel-test-") + QUuid::createUuid().toString(QUuid::Id128);
    {
        SingleInstance crashed(key);
        QVERIFY(crashed.claim());
    } // gone: the next one listens again
    SingleInstance next(key);
    QVERIFY(next.claim());
}

void TstSingleInstance::keyDependsOnTheDatabase()
{
    QTemporaryDir dir;
    const QString a = SingleInstance::keyFor(dir.filePath(QStringLiteral("a.db")));
    QCOMPARE(a, SingleInstance::keyFor(dir.filePath(QStringLiteral("a.db"))));
    QVERIFY(a != SingleInstance::keyFor(dir.filePath(QStringLiteral("b.db"))));
    QVERIFY(a.startsWith(QStringLiteral("kevan-tel-")));
    QVERIFY(a.size() < 80);
}

QTEST_GUILESS_MAIN(TstSingleInstance)
#include "tst_singleinstance.moc"
