// SPDX-License-Identifier: GPL-3.0-or-later
// CallControlThread: the Call Control client in a thread of its own, against the fake Telnyx.
// Commands leave from the client's thread and report back with the handle the caller got;
// cancellations reach commands still pending; cancelAll() returns once every pending command has
// reported; stop() never hangs on a pending command.
#include "simulator/telnyxsimulator.h"
#include "telnyx/callcontrolthread.h"

#include <QHash>
#include <QLoggingCategory>
#include <QSignalSpy>
#include <QThread>
#include <QtTest>

#include <memory>

using namespace kt;

namespace {
const QString kCaller = QStringLiteral("+14045550186");
const QString kOwnerNumber = QStringLiteral("+17702300635");
} // namespace

class TstCallControlThread : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        // The fake Telnyx's calls have no webhook URL here: their events are not the subject.
        QLoggingCategory::setFilterRules(QStringLiteral("kt.simulator.webhooks.warning=false"));
    }
    void init();
    void cleanup();
    void commandsLeaveFromTheClientThread();
    void manyCommandsEachReportOnce();
    void retriesAreReportedWithOurHandle();
    void cancelForCallReachesAPendingCommand();
    void cancelAllReturnsOnceEveryCommandReported();
    void notStartedSendsNothing();

private:
    void start(const RetryPolicy &policy);
    CommandResult waitFor(quint64 handle, int timeoutMs = 10000);

    std::unique_ptr<TelnyxSimulator> m_sim;
    std::unique_ptr<CallControlThread> m_client;
    QHash<quint64, CommandResult> m_results;
    QHash<quint64, int> m_reports;
    QThread *m_reportedFrom = nullptr;
};

void TstCallControlThread::init()
{
    m_sim = std::make_unique<TelnyxSimulator>();
    QVERIFY(m_sim->start());
    m_sim->setEventDelayMs(1);
    m_results.clear();
    m_reports.clear();
    m_reportedFrom = nullptr;
}

void TstCallControlThread::cleanup()
{
    m_client.reset();
    m_sim.reset();
}

void TstCallControlThread::start(const RetryPolicy &policy)
{
    m_client = std::make_unique<CallControlThread>();
    m_client->setBaseUrl(m_sim->baseUrl());
    m_client->setApiKey(m_sim->apiKey());
    m_client->setRetryPolicy(policy);
    connect(
        m_client.get(), &CallControlThread::finished, this,
        [this](const CommandResult &) { m_reportedFrom = QThread::currentThread(); },
        Qt::DirectConnection);
    connect(m_client.get(), &CallControlThread::finished, this, [this](const CommandResult &r) {
        m_results.insert(r.handle, r);
        ++m_reports[r.handle];
    });
    m_client->start();
    QVERIFY(m_client->isRunning());
}

CommandResult TstCallControlThread::waitFor(quint64 handle, int timeoutMs)
{
    (void)QTest::qWaitFor([&] { return m_results.contains(handle); }, timeoutMs);
    return m_results.value(handle);
}

void TstCallControlThread::commandsLeaveFromTheClientThread()
{
    start(RetryPolicy{});
    const QString id = m_sim->startInboundCall(kCaller, kOwnerNumber);
    const quint64 handle = m_client->sendCommand(id, QStringLiteral("answer"), {});
    QVERIFY(handle > 0);
    const CommandResult r = waitFor(handle);
    QVERIFY2(r.ok, qPrintable(r.describe()));
    QCOMPARE(r.handle, handle);
    QCOMPARE(r.command, QStringLiteral("answer"));
    QCOMPARE(r.callControlId, id);
    QVERIFY(m_reportedFrom != nullptr);
    QVERIFY(m_reportedFrom != QThread::currentThread()); // emitted in the client's thread
    QCOMPARE(m_sim->commands().size(), 1);
    QCOMPARE(m_sim->commands().first().command, QStringLiteral("answer"));
}

void TstCallControlThread::manyCommandsEachReportOnce()
{
    start(RetryPolicy{});
    QList<quint64> handles;
    for (int i = 0; i < 20; ++i) {
        const QString id = m_sim->startInboundCall(kCaller, kOwnerNumber);
        handles.append(m_client->sendCommand(id, QStringLiteral("answer"), {}));
    }
    QCOMPARE(QSet<quint64>(handles.cbegin(), handles.cend()).size(), 20); // all distinct
    QTRY_COMPARE_WITH_TIMEOUT(m_results.size(), 20, 10000);
    for (quint64 h : std::as_const(handles)) {
        QVERIFY2(m_results.value(h).ok, qPrintable(m_results.value(h).describe()));
        QCOMPARE(m_reports.value(h), 1);
    }
}

void TstCallControlThread::retriesAreReportedWithOurHandle()
{
    RetryPolicy policy;
    policy.baseDelayMs = 10;
    policy.maxDelayMs = 20;
    policy.random = [] { return 0.5; };
    start(policy);
    QSignalSpy attempts(m_client.get(), &CallControlThread::attemptFailed);
    const QString id = m_sim->startInboundCall(kCaller, kOwnerNumber);
    m_sim->failNext(2, 503);
    const quint64 handle = m_client->sendCommand(id, QStringLiteral("answer"), {});
    const CommandResult r = waitFor(handle);
    QVERIFY2(r.ok, qPrintable(r.describe()));
    QCOMPARE(r.attempts, 3);
    QTRY_COMPARE(attempts.size(), 2);
    for (const QList<QVariant> &a : std::as_const(attempts)) {
        QCOMPARE(a.at(0).toULongLong(), handle);
        QCOMPARE(a.at(1).toInt(), 503);
        QVERIFY(a.at(4).toBool()); // will retry
    }
}

void TstCallControlThread::cancelForCallReachesAPendingCommand()
{
    RetryPolicy policy;
    policy.baseDelayMs = 60000; // the retry after the 500 would come in a minute
    policy.maxDelayMs = 60000;
    policy.totalBudgetMs = 0; // (the default budget would end it before the retry)
    start(policy);
    const QString id = m_sim->startInboundCall(kCaller, kOwnerNumber);
    const QString other = m_sim->startInboundCall(kCaller, kOwnerNumber);
    m_sim->failNext(1, 500);
    const quint64 handle = m_client->sendCommand(id, QStringLiteral("answer"), {});
    QTRY_COMPARE(m_sim->commands().size(), 1); // sent, failed, waiting to retry
    const quint64 otherHandle = m_client->sendCommand(other, QStringLiteral("answer"), {});
    QVERIFY(waitFor(otherHandle).ok);
    QVERIFY(!m_results.contains(handle));
    m_client->cancelForCall(id);
    const CommandResult r = waitFor(handle, 5000);
    QCOMPARE(r.handle, handle);
    QVERIFY(!r.ok);
    QVERIFY(r.cancelled);
    QCOMPARE(m_reports.value(handle), 1);
}

void TstCallControlThread::cancelAllReturnsOnceEveryCommandReported()
{
    RetryPolicy policy;
    policy.baseDelayMs = 60000;
    policy.maxDelayMs = 60000;
    policy.totalBudgetMs = 0; // (the default budget would end it before the retry)
    start(policy);
    m_sim->failNext(3, 500);
    QList<quint64> handles;
    for (int i = 0; i < 3; ++i)
        handles.append(m_client->sendCommand(m_sim->startInboundCall(kCaller, kOwnerNumber),
                                             QStringLiteral("answer"), {}));
    QTRY_COMPARE(m_sim->commands().size(), 3);
    int reported = 0;
    connect(
        m_client.get(), &CallControlThread::finished, this,
        [&reported](const CommandResult &) { ++reported; }, Qt::DirectConnection);
    m_client->cancelAll();
    QCOMPARE(reported, 3); // all of them before cancelAll() returned
    QTRY_COMPARE(m_results.size(), 3);
    for (quint64 h : std::as_const(handles))
        QVERIFY(m_results.value(h).cancelled);

    // stop() with a command pending: cancelled, and the thread ends.
    m_sim->failNext(1, 500);
    m_client->sendCommand(m_sim->startInboundCall(kCaller, kOwnerNumber), QStringLiteral("answer"),
                          {});
    QTRY_COMPARE(m_sim->commands().size(), 4);
    QElapsedTimer t;
    t.start();
    m_client->stop();
    QVERIFY(!m_client->isRunning());
    QVERIFY(t.elapsed() < 5000);
    QCOMPARE(reported, 4);
}

void TstCallControlThread::notStartedSendsNothing()
{
    CallControlThread client;
    client.setBaseUrl(m_sim->baseUrl());
    QVERIFY(!client.isRunning());
    QVERIFY(client.sendCommand(QStringLiteral("v3:x"), QStringLiteral("answer"), {}) > 0);
    client.cancelForCall(QStringLiteral("v3:x"));
    client.cancelAll();
    QTest::qWait(100);
    QCOMPARE(m_sim->commands().size(), 0);
}

QTEST_GUILESS_MAIN(TstCallControlThread)
#include "tst_callcontrolthread.moc"
