// SPDX-License-Identifier: GPL-3.0-or-later
// WebhookLiveness with an injected clock: when Telnyx counts as quiet, the warning and its end,
// and where the engine starts from (the newest Telnyx event in the store).
#include "golive/webhookliveness.h"
#include "store/eventstore.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using kt::WebhookLiveness;

class TstWebhookLiveness : public QObject
{
    Q_OBJECT
private slots:
    void init();

    void quietAfterThePeriodWithoutWebhooks();
    void webhookEndsTheQuiet();
    void periodCountsFromTheLastWebhook();
    void aRestartDoesNotWarnAtOnce();
    void offWhenThePeriodIsZero();
    void notQuietWhenNoCallsAreExpected();
    void olderWebhooksAreIgnored();
    void theTimerChecks();
    void formatDuration_data();
    void formatDuration();
    void lastWebhookInTheStore();

private:
    std::unique_ptr<WebhookLiveness> make(qint64 periodSecs);

    QDateTime m_now;
};

void TstWebhookLiveness::init()
{
    m_now = QDateTime(QDate(2025, 11, 23), QTime(3, 30), Qt::UTC);
}

std::unique_ptr<WebhookLiveness> TstWebhookLiveness::make(qint64 periodSecs)
{
    auto liveness = std::make_unique<WebhookLiveness>();
    liveness->setClock([this] { return m_now; });
    liveness->setCheckIntervalMs(0); // the tests call check()
    liveness->setQuietPeriodSecs(periodSecs);
    return liveness;
}

void TstWebhookLiveness::quietAfterThePeriodWithoutWebhooks()
{
    auto l = make(3600);
    QSignalSpy quiet(l.get(), &WebhookLiveness::quietChanged);
    l->setExpecting(true);
    QVERIFY(!l->isQuiet());
    m_now = m_now.addSecs(3599);
    l->check();
    QVERIFY(!l->isQuiet());
    QCOMPARE(quiet.size(), 0);
    m_now = m_now.addSecs(1);
    l->check();
    QVERIFY(l->isQuiet());
    QCOMPARE(quiet.size(), 1);
    QCOMPARE(quiet.at(0).at(0).toBool(), true);
    const QString message = quiet.at(0).at(1).toString();
    QVERIFY2(message.startsWith(QLatin1String("No webhook from Telnyx for at least 1 h.")),
             qPrintable(message));
    QCOMPARE(l->message(), message);
    QCOMPARE(l->silenceSecs(), 3600);
    // Staying quiet announces nothing again.
    m_now = m_now.addSecs(600);
    l->check();
    QCOMPARE(quiet.size(), 1);
    QVERIFY(l->message().contains(QLatin1String("1 h 10 min")));
}

void TstWebhookLiveness::webhookEndsTheQuiet()
{
    auto l = make(60);
    l->setExpecting(true);
    m_now = m_now.addSecs(120);
    l->check();
    QVERIFY(l->isQuiet());
    QSignalSpy quiet(l.get(), &WebhookLiveness::quietChanged);
    QSignalSpy last(l.get(), &WebhookLiveness::lastWebhookAtChanged);
    l->noteWebhook(m_now);
    QVERIFY(!l->isQuiet());
    QCOMPARE(l->message(), QString());
    QCOMPARE(quiet.size(), 1);
    QCOMPARE(quiet.at(0).at(0).toBool(), false);
    QCOMPARE(last.size(), 1);
    QCOMPARE(l->lastWebhookAt(), m_now);
    QCOMPARE(l->silenceSecs(), 0);
}

void TstWebhookLiveness::periodCountsFromTheLastWebhook()
{
    auto l = make(3600);
    l->setExpecting(true);
    m_now = m_now.addSecs(1800);
    const QDateTime webhook = m_now;
    l->noteWebhook(webhook);
    m_now = webhook.addSecs(3599);
    l->check();
    QVERIFY(!l->isQuiet()); // 90 min since expecting began, but 59:59 since the webhook
    m_now = webhook.addSecs(3600 * 26);
    l->check();
    QVERIFY(l->isQuiet());
    QVERIFY2(l->message().startsWith(QLatin1String("No webhook from Telnyx for 26 h (the last at "
                                                   "2025-11-23 04:00 UTC).")),
             qPrintable(l->message()));
}

void TstWebhookLiveness::aRestartDoesNotWarnAtOnce()
{
    auto l = make(3600);
    l->noteWebhook(m_now.addDays(-3)); // the store's last webhook, from before the restart
    l->setExpecting(true);
    l->check();
    QVERIFY(!l->isQuiet());
    m_now = m_now.addSecs(3600);
    l->check();
    QVERIFY(l->isQuiet());
    QVERIFY2(l->message().contains(QLatin1String("for at least 1 h (the last at 2025-11-20")),
             qPrintable(l->message()));
}

void TstWebhookLiveness::offWhenThePeriodIsZero()
{
    auto l = make(0);
    l->setExpecting(true);
    m_now = m_now.addDays(30);
    l->check();
    QVERIFY(!l->isQuiet());
    // Turning it on applies at once.
    l->setQuietPeriodSecs(86400);
    QVERIFY(l->isQuiet());
}

void TstWebhookLiveness::notQuietWhenNoCallsAreExpected()
{
    auto l = make(60);
    m_now = m_now.addDays(2);
    l->check();
    QVERIFY(!l->isQuiet());
    l->setExpecting(true);
    m_now = m_now.addSecs(61);
    l->check();
    QVERIFY(l->isQuiet());
    QSignalSpy quiet(l.get(), &WebhookLiveness::quietChanged);
    l->setExpecting(false);
    QVERIFY(!l->isQuiet());
    QCOMPARE(quiet.size(), 1);
}

void TstWebhookLiveness::olderWebhooksAreIgnored()
{
    auto l = make(60);
    QSignalSpy last(l.get(), &WebhookLiveness::lastWebhookAtChanged);
    l->noteWebhook(m_now);
    l->noteWebhook(m_now.addSecs(-10));
    l->noteWebhook(m_now);
    QCOMPARE(last.size(), 1);
    QCOMPARE(l->lastWebhookAt(), m_now);
    // Times in another zone count as the same instant.
    l->noteWebhook(m_now.addSecs(5).toOffsetFromUtc(3600));
    QCOMPARE(last.size(), 2);
    QCOMPARE(l->lastWebhookAt(), m_now.addSecs(5));
    QCOMPARE(l->lastWebhookAt().timeSpec(), Qt::UTC);
}

void TstWebhookLiveness::theTimerChecks()
{
    auto l = make(60);
    l->setCheckIntervalMs(10);
    l->setExpecting(true);
    m_now = m_now.addSecs(61);
    QSignalSpy quiet(l.get(), &WebhookLiveness::quietChanged);
    QVERIFY(quiet.wait(5000));
    QVERIFY(l->isQuiet());
}

void TstWebhookLiveness::formatDuration_data()
{
    QTest::addColumn<qint64>("secs");
    QTest::addColumn<QString>("text");
    QTest::newRow("seconds") << qint64(45) << QStringLiteral("45 s");
    QTest::newRow("minutes") << qint64(59 * 60 + 59) << QStringLiteral("59 min");
    QTest::newRow("hours") << qint64(3 * 3600) << QStringLiteral("3 h");
    QTest::newRow("hours and minutes")
        << qint64(3 * 3600 + 20 * 60) << QStringLiteral("3 h 20 min");
    QTest::newRow("a day") << qint64(86400) << QStringLiteral("24 h");
    QTest::newRow("days") << qint64(5 * 86400 + 7) << QStringLiteral("5 days");
}

void TstWebhookLiveness::formatDuration()
{
    QFETCH(qint64, secs);
    QFETCH(QString, text);
    QCOMPARE(WebhookLiveness::formatDuration(secs), text);
}

void TstWebhookLiveness::lastWebhookInTheStore()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    kt::EventStore store;
    QVERIFY(store.open(dir.filePath(QStringLiteral("events.db")), QStringLiteral("liveness")));
    QCOMPARE(WebhookLiveness::lastWebhookIn(store), QDateTime());

    QDateTime clock = m_now;
    store.setClock([&clock] { return clock; });
    kt::NewEvent webhook;
    webhook.telnyxId = QStringLiteral("0ccc7b54-4df3-4bcb-a65a-3da1ecc997d7");
    webhook.type = QStringLiteral("call.initiated");
    webhook.callId = QStringLiteral("call-1");
    webhook.actor = QStringLiteral("telnyx");
    QCOMPARE(int(store.append(webhook).status), int(kt::AppendResult::Status::Stored));
    // Later events by the app itself do not count.
    clock = m_now.addSecs(30);
    kt::NewEvent decided;
    decided.type = QStringLiteral("tel.call_rejected");
    decided.callId = QStringLiteral("call-1");
    decided.actor = QStringLiteral("engine");
    QCOMPARE(int(store.append(decided).status), int(kt::AppendResult::Status::Stored));
    QCOMPARE(WebhookLiveness::lastWebhookIn(store), m_now);
    // Beyond the scanned window, nothing is found.
    QCOMPARE(WebhookLiveness::lastWebhookIn(store, 1), QDateTime());
}

QTEST_GUILESS_MAIN(TstWebhookLiveness)
#include "tst_webhookliveness.moc"
