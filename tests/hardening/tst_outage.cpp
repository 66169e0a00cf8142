// SPDX-License-Identifier: GPL-3.0-or-later
// Telnyx outages seen by the real `kevan-tel --headless`: 5xx, lost answers, 429s. Commands are
// retried with the command_id they were first sent with and take effect once; /metrics and
// /health say Telnyx is failing while it is and stop saying so after; a call that ends during
// the outage gets no further command; an outage longer than the retries ends the call cleanly.
#include "kevantelprocess.h"
#include "simulator/telnyxsimulator.h"
#include "simulatorfixture.h"
#include "telnyx/retrypolicy.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

using namespace kt;

class TstOutage : public QObject, public kt::test::SimulatorFixture
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void serverErrorsAreRetriedWithTheSameCommandId();
    void lostAnswersAndRateLimitsAreRetried();
    void callEndedDuringTheOutageGetsNoCommand();
    void outageLongerThanTheRetriesEndsTheCall();

private:
    QString db() const { return m_dir->filePath(QStringLiteral("events.db")); }
    QString startCall(const QString &from);
    QList<ReceivedRequest> commandsFor(const QString &ccid) const;
    int deliveriesOf(const QString &ccid, const QString &type) const;
    void expectOneCommandIdPerCommand(const QString &ccid);
    double failing() const { return m_app->metric("kevantel_telnyx_failing"); }
    QString healthTelnyx() const;

    std::unique_ptr<KevanTelProcess> m_app;
};

void TstOutage::init()
{
    QVERIFY(setUp());
    m_telnyx->setLogLimit(0);
    m_app = std::make_unique<KevanTelProcess>();
    m_app->setHome(m_dir->path());
    QVERIFY2(m_app->serve(db(), *m_telnyx), qPrintable(m_app->failure()));
    m_telnyx->setWebhookUrl(QUrl(m_app->url() + QStringLiteral("/webhooks/telnyx")));
}

void TstOutage::cleanup()
{
    if (m_app) {
        QString message;
        if (m_app->isRunning())
            QVERIFY2(m_app->verify(db(), &message), qPrintable(message));
    }
    m_app.reset();
    tearDown();
}

QString TstOutage::startCall(const QString &from)
{
    return m_telnyx->startInboundCall(from, QStringLiteral("+17702300635"));
}

QList<ReceivedRequest> TstOutage::commandsFor(const QString &ccid) const
{
    QList<ReceivedRequest> out;
    for (const ReceivedRequest &c : m_telnyx->commands()) {
        if (c.callControlId == ccid)
            out.append(c);
    }
    return out;
}

int TstOutage::deliveriesOf(const QString &ccid, const QString &type) const
{
    QSet<QString> ids;
    for (const WebhookDelivery &d : m_telnyx->deliveries()) {
        if (d.eventType == type && d.body.contains(ccid.toUtf8()))
            ids.insert(d.eventId);
    }
    return int(ids.size());
}

void TstOutage::expectOneCommandIdPerCommand(const QString &ccid)
{
    QHash<QString, QSet<QString>> ids;
    for (const ReceivedRequest &c : commandsFor(ccid)) {
        QVERIFY2(!c.commandId.isEmpty(), qPrintable(c.command));
        ids[c.command].insert(c.commandId);
    }
    for (auto it = ids.cbegin(); it != ids.cend(); ++it)
        QVERIFY2(it.value().size() == 1, qPrintable(it.key()));
}

QString TstOutage::healthTelnyx() const
{
    const auto h = m_app->getAdmin("/health");
    return QJsonDocument::fromJson(h.body).object().value(QStringLiteral("telnyx")).toString();
}

void TstOutage::serverErrorsAreRetriedWithTheSameCommandId()
{
    // Four 500s in a row, then Telnyx is back (within the six attempts a command gets).
    m_telnyx->failNext(4, 500);
    const QString ccid = startCall(QStringLiteral("+14045550111"));
    QTRY_COMPARE_WITH_TIMEOUT(failing(), 1.0, 10000);
    QCOMPARE(healthTelnyx(), QStringLiteral("failing"));
    QTRY_COMPARE_WITH_TIMEOUT(m_telnyx->callState(ccid), QStringLiteral("hangup"), 30000);
    QTRY_COMPARE_WITH_TIMEOUT(failing(), 0.0, 10000);
    QCOMPARE(healthTelnyx(), QStringLiteral("ok"));

    const QList<ReceivedRequest> commands = commandsFor(ccid);
    int answers = 0;
    for (const ReceivedRequest &c : commands) {
        if (c.command == QLatin1String("answer")) {
            ++answers;
            QCOMPARE(c.status, answers <= 4 ? 500 : 200);
        }
    }
    QCOMPARE(answers, 5);
    expectOneCommandIdPerCommand(ccid);
    QCOMPARE(deliveriesOf(ccid, QStringLiteral("call.answered")), 1);
    QCOMPARE(deliveriesOf(ccid, QStringLiteral("call.speak.started")), 1);
    QVERIFY(m_app->metric("kevantel_commands_total{command=\"answer\",result=\"ok\"}") >= 1);
}

void TstOutage::lostAnswersAndRateLimitsAreRetried()
{
    // The answer to a command is lost (it took effect): sent again with its command_id, which
    // Telnyx de-duplicates, so the caller is answered once and hears the message once.
    // (The message plays longer than the client waits for an answer, so that the call is still
    // up when the command is sent again.)
    m_telnyx->setSpeakDurationMs(1500);
    m_telnyx->timeoutNext(2);
    const QString lost = startCall(QStringLiteral("+14045550112"));
    QTRY_COMPARE_WITH_TIMEOUT(m_telnyx->callState(lost), QStringLiteral("hangup"), 30000);
    QStringList seen;
    for (const ReceivedRequest &c : commandsFor(lost))
        seen.append(c.command + QLatin1Char(' ') + QString::number(c.status));
    seen.sort(); // the two retries may cross
    QCOMPARE(seen, (QStringList{QStringLiteral("answer 0"), QStringLiteral("answer 200"),
                                QStringLiteral("hangup 200"), QStringLiteral("speak 0"),
                                QStringLiteral("speak 200")}));
    expectOneCommandIdPerCommand(lost);
    QCOMPARE(deliveriesOf(lost, QStringLiteral("call.answered")), 1);
    QCOMPARE(deliveriesOf(lost, QStringLiteral("call.speak.started")), 1);

    // 429 with x-ratelimit-reset: 1 s: the client waits as told before trying again.
    m_telnyx->setSpeakDurationMs(50);
    m_telnyx->rateLimitNext(2, 1);
    const QString limited = startCall(QStringLiteral("+14045550113"));
    QTRY_COMPARE_WITH_TIMEOUT(m_telnyx->callState(limited), QStringLiteral("hangup"), 30000);
    const QList<ReceivedRequest> commands = commandsFor(limited);
    QVERIFY(commands.size() >= 5);
    QCOMPARE(commands.at(0).status, 429);
    QCOMPARE(commands.at(1).status, 429);
    QCOMPARE(commands.at(2).status, 200);
    for (int i = 1; i < 3; ++i) {
        const qint64 gap = commands.at(i - 1).receivedAt.msecsTo(commands.at(i).receivedAt);
        QVERIFY2(gap >= 900, qPrintable(QString::number(gap)));
    }
    expectOneCommandIdPerCommand(limited);
    QCOMPARE(deliveriesOf(limited, QStringLiteral("call.answered")), 1);
    QTRY_COMPARE_WITH_TIMEOUT(failing(), 0.0, 10000);
}

void TstOutage::callEndedDuringTheOutageGetsNoCommand()
{
    // Telnyx answers 500 to everything until told otherwise.
    bool outage = true;
    m_telnyx->failNext(1, 500);
    connect(m_telnyx.get(), &TelnyxSimulator::commandReceived, this, [&] {
        if (outage)
            m_telnyx->failNext(1, 500);
    });
    QDateTime hungUpAt;
    QString ccid;
    connect(m_telnyx.get(), &TelnyxSimulator::webhookDelivered, this,
            [&](const QString &type, const QString &, int status) {
                if (type == QLatin1String("call.hangup") && status == 200 && hungUpAt.isNull())
                    hungUpAt = QDateTime::currentDateTimeUtc();
            });
    ccid = startCall(QStringLiteral("+14045550114"));
    QTRY_VERIFY_WITH_TIMEOUT(commandsFor(ccid).size() >= 2, 10000); // failing, being retried
    QTRY_COMPARE_WITH_TIMEOUT(failing(), 1.0, 10000);
    // The caller gives up while the app is still trying to answer.
    QVERIFY(m_telnyx->callerHangsUp(ccid));
    QTRY_VERIFY_WITH_TIMEOUT(!hungUpAt.isNull(), 10000);
    const int attemptsBefore = int(commandsFor(ccid).size());
    // Longer than every retry the answer had left (200+400+800+1600+3200 ms with jitter).
    QTest::qWait(7000);
    const QList<ReceivedRequest> commands = commandsFor(ccid);
    for (const ReceivedRequest &c : commands) {
        const qint64 after = hungUpAt.msecsTo(c.receivedAt);
        QVERIFY2(
            after < 200,
            qPrintable(
                QStringLiteral("%1 sent %2 ms after the call ended").arg(c.command).arg(after)));
    }
    QVERIFY(commands.size() <= attemptsBefore + 1);
    for (const ReceivedRequest &c : commands)
        QCOMPARE(c.command, QStringLiteral("answer"));
    expectOneCommandIdPerCommand(ccid);
    const QJsonArray calls = m_app->calls(db());
    QVERIFY(!calls.isEmpty());
    QCOMPARE(calls.first().toObject().value(QStringLiteral("state")).toString(),
             QStringLiteral("ended"));

    // Telnyx is back: the next call is handled as usual, and the alarm clears.
    outage = false;
    const QString next = startCall(QStringLiteral("+14045550115"));
    QTRY_COMPARE_WITH_TIMEOUT(m_telnyx->callState(next), QStringLiteral("hangup"), 30000);
    QTRY_COMPARE_WITH_TIMEOUT(failing(), 0.0, 10000);
    QCOMPARE(healthTelnyx(), QStringLiteral("ok"));
}

void TstOutage::outageLongerThanTheRetriesEndsTheCall()
{
    // Telnyx answers 503 for longer than the client's budget (12 s): every attempt of the
    // answer fails. The call is not left ringing: the app gives up on answering and rejects it
    // once Telnyx is back.
    const RetryPolicy policy;
    m_telnyx->failNext(100000, 503);
    QTimer::singleShot(policy.totalBudgetMs + 3000, m_telnyx.get(),
                       [this] { m_telnyx->stopFailing(); });
    const QString ccid = startCall(QStringLiteral("+14045550116"));
    QTRY_COMPARE_WITH_TIMEOUT(m_telnyx->callState(ccid), QStringLiteral("hangup"), 60000);
    const QList<ReceivedRequest> commands = commandsFor(ccid);
    QList<ReceivedRequest> answers;
    for (const ReceivedRequest &c : commands) {
        if (c.command == QLatin1String("answer"))
            answers.append(c);
    }
    QVERIFY2(answers.size() >= 5, qPrintable(QString::number(answers.size())));
    for (const ReceivedRequest &a : std::as_const(answers))
        QCOMPARE(a.status, 503);
    // No attempt after the budget.
    QVERIFY(answers.first().receivedAt.msecsTo(answers.last().receivedAt) < policy.totalBudgetMs);
    expectOneCommandIdPerCommand(ccid);
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            const QJsonArray calls = m_app->calls(db());
            const QString state =
                calls.isEmpty()
                    ? QString()
                    : calls.first().toObject().value(QStringLiteral("state")).toString();
            return state == QLatin1String("ended") || state == QLatin1String("failed");
        }(),
        20000);
    bool failedRecorded = false;
    for (const QJsonValue &v : m_app->events(db()))
        failedRecorded = failedRecorded || v.toObject().value(QStringLiteral("type")).toString() ==
                                               QLatin1String("tel.command_failed");
    QVERIFY(failedRecorded);
    QTRY_COMPARE_WITH_TIMEOUT(failing(), 0.0, 10000);
}

QTEST_GUILESS_MAIN(TstOutage)
#include "tst_outage.moc"
