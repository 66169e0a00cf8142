// SPDX-License-Identifier: GPL-3.0-or-later
// kill -9 at random moments while the real `kevan-tel --headless` takes webhooks from the Telnyx
// simulator and from several direct connections, restarted on the same database each time:
// every webhook that was answered 200 is in the log, the chain verifies, the calls in flight are
// carried on after each restart until every one has ended, and no command takes effect twice
// (a resent command carries the command_id it was first sent with).
#include "kevantelprocess.h"
#include "simulator/telnyxsimulator.h"
#include "webhookfactory.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QSet>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

using namespace kt;

namespace {

// One connection that keeps posting signed webhooks for calls Telnyx's simulator does not know
// (call.initiated, then call.hangup, for one call after another), one at a time, reconnecting
// when the server goes away. A webhook not answered 200 is delivered again with the same data.id,
// as Telnyx does.
class DirectSender : public QObject
{
    Q_OBJECT
public:
    DirectSender(quint16 port, int index) : m_port(port), m_index(index)
    {
        connect(&m_socket, &QTcpSocket::readyRead, this, &DirectSender::onReadyRead);
        connect(&m_socket, &QTcpSocket::disconnected, this, [this] { m_waiting = false; });
        connect(&m_socket, &QTcpSocket::errorOccurred, this, [this] { m_waiting = false; });
        connect(&m_tick, &QTimer::timeout, this, &DirectSender::tick);
        nextWebhook();
    }
    void setRunning(bool on)
    {
        if (on) {
            m_tick.start(5);
        } else {
            m_tick.stop();
            m_socket.abort();
            m_waiting = false;
        }
    }
    // Sends no new call after the current one has been hung up.
    void finish() { m_finishing = true; }
    bool finished() const { return m_finishing && !m_waiting && m_step == 0; }
    QStringList answered200() const { return m_ok; }
    QStringList callIds() const { return m_calls; }
    int refusals() const { return m_refused; }
    QString describe() const
    {
        return QStringLiteral("sender %1: step %2, waiting %3, socket %4, %5 answered 200, %6 "
                              "refused, buffer %7")
            .arg(m_index)
            .arg(m_step)
            .arg(m_waiting)
            .arg(int(m_socket.state()))
            .arg(m_ok.size())
            .arg(m_refused)
            .arg(QString::fromUtf8(m_buffer.left(200)));
    }

private:
    void nextWebhook()
    {
        if (m_step == 0) {
            m_ccid = QStringLiteral("v3:direct-%1-%2").arg(m_index).arg(m_calls.size());
            m_session = WebhookFactory::newId();
            m_calls.append(m_session);
        }
        const QString type =
            m_step == 0 ? QStringLiteral("call.initiated") : QStringLiteral("call.hangup");
        QJsonObject payload = WebhookFactory::inboundPayload(
            m_ccid, QStringLiteral("+1404555%1").arg(1000 + m_calls.size() * 10 + m_index),
            QStringLiteral("+17702300635"), QStringLiteral("Direct %1").arg(m_index));
        payload.insert(QStringLiteral("call_session_id"), m_session);
        if (m_step == 1) {
            payload.insert(QStringLiteral("hangup_cause"), QStringLiteral("normal_clearing"));
            payload.insert(QStringLiteral("hangup_source"), QStringLiteral("caller"));
        }
        m_id = WebhookFactory::newId();
        m_body = WebhookFactory::body(type, m_id, payload);
    }
    void tick()
    {
        if (m_socket.state() == QAbstractSocket::UnconnectedState) {
            m_buffer.clear();
            m_socket.connectToHost(QHostAddress::LocalHost, m_port);
            return;
        }
        if (m_socket.state() != QAbstractSocket::ConnectedState || m_waiting)
            return;
        if (m_finishing && m_step == 0) {
            m_tick.stop();
            return;
        }
        // Signed afresh for every attempt, as Telnyx does.
        m_socket.write(m_signer.request(m_body));
        m_waiting = true;
    }
    void onReadyRead()
    {
        m_buffer += m_socket.readAll();
        for (;;) {
            const qsizetype end = m_buffer.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            qsizetype length = 0;
            const QList<QByteArray> lines = m_buffer.left(end).split('\n');
            for (const QByteArray &l : lines) {
                if (l.toLower().startsWith("content-length:"))
                    length = l.mid(15).trimmed().toLongLong();
            }
            if (m_buffer.size() < end + 4 + length)
                return;
            const int status = m_buffer.mid(9, 3).toInt();
            m_buffer.remove(0, end + 4 + length);
            m_waiting = false;
            if (status == 200) {
                m_ok.append(m_id);
                m_step = 1 - m_step;
                nextWebhook();
            } else {
                ++m_refused;
            }
        }
    }

    quint16 m_port;
    int m_index;
    QTcpSocket m_socket;
    QTimer m_tick;
    WebhookFactory m_signer;
    QByteArray m_buffer;
    bool m_waiting = false;
    bool m_finishing = false;
    int m_step = 0; // 0: call.initiated next, 1: call.hangup next
    QString m_ccid, m_session, m_id;
    QByteArray m_body;
    QStringList m_ok;
    QStringList m_calls;
    int m_refused = 0;
};

quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

QString payloadCcid(const QByteArray &body)
{
    return QJsonDocument::fromJson(body)
        .object()
        .value(QStringLiteral("data"))
        .toObject()
        .value(QStringLiteral("payload"))
        .toObject()
        .value(QStringLiteral("call_control_id"))
        .toString();
}

} // namespace

class TstCrashSafety : public QObject
{
    Q_OBJECT
private slots:
    void killNineAtRandomMomentsLosesNothing();

private:
    bool startApp(KevanTelProcess &app, const QString &db, const TelnyxSimulator &telnyx,
                  quint16 port);
};

bool TstCrashSafety::startApp(KevanTelProcess &app, const QString &db,
                              const TelnyxSimulator &telnyx, quint16 port)
{
    for (int attempt = 0; attempt < 5; ++attempt) {
        if (app.serve(db, telnyx, {}, port))
            return true;
        qWarning("restart failed, retrying: %s", qPrintable(app.failure()));
        QTest::qWait(200);
    }
    return false;
}

void TstCrashSafety::killNineAtRandomMomentsLosesNothing()
{
    bool seeded = false;
    const quint32 seed = quint32(qEnvironmentVariableIntValue("KEVANTEL_CRASH_SEED", &seeded));
    QRandomGenerator rng(seeded ? seed : 5150);
    qInfo("seed %u (set KEVANTEL_CRASH_SEED to repeat another run)", seeded ? seed : 5150u);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString db = dir.filePath(QStringLiteral("events.db"));
    TelnyxSimulator telnyx;
    QVERIFY(telnyx.start());
    telnyx.setLogLimit(0);
    telnyx.setSpeakDurationMs(120);
    telnyx.setDeliveryAttemptsPerUrl(100000); // Telnyx keeps trying while the app is down
    telnyx.setDeliveryRetryDelayMs(50);
    telnyx.behaviour().commandIdWindowSecs = 3600; // the whole test, not Telnyx's 60 s
    const quint16 port = freePort();
    QVERIFY(port != 0);
    telnyx.setWebhookUrl(QUrl(QStringLiteral("http://127.0.0.1:%1/webhooks/telnyx").arg(port)));

    std::vector<std::unique_ptr<DirectSender>> direct;
    for (int i = 0; i < 3; ++i)
        direct.push_back(std::make_unique<DirectSender>(port, i));

    // New calls keep arriving, whether the app is up or not.
    QStringList simulated;
    QTimer caller;
    QObject::connect(&caller, &QTimer::timeout, &telnyx, [&] {
        simulated.append(
            telnyx.startInboundCall(QStringLiteral("+1678555%1").arg(1000 + simulated.size()),
                                    QStringLiteral("+17702300635")));
    });

    KevanTelProcess app;
    app.setHome(dir.path());
    constexpr int Rounds = 9;
    for (int round = 0; round < Rounds; ++round) {
        QVERIFY2(startApp(app, db, telnyx, port), qPrintable(app.failure()));
        if (round == 0) {
            for (auto &d : direct)
                d->setRunning(true);
            caller.start(150);
        }
        const int upMs = 200 + int(rng.bounded(1300));
        QTest::qWait(upMs);
        app.kill9();
        const int downMs = int(rng.bounded(400));
        qInfo("round %d: killed after %d ms, down for %d ms; %d simulated calls so far", round,
              upMs, downMs, int(simulated.size()));
        QTest::qWait(downMs);
    }
    caller.stop();

    // The last start: everything in flight is carried on to its end.
    QVERIFY2(startApp(app, db, telnyx, port), qPrintable(app.failure()));
    for (auto &d : direct)
        d->finish();
    const bool directDone = QTest::qWaitFor(
        [&] {
            for (auto &d : direct) {
                if (!d->finished())
                    return false;
            }
            return true;
        },
        20000);
    for (auto &d : direct) {
        if (!d->finished())
            qInfo("%s", qPrintable(d->describe()));
    }
    QVERIFY(directDone);
    auto stuck = [&] {
        QStringList out;
        for (const QString &ccid : std::as_const(simulated)) {
            if (telnyx.callState(ccid) != QLatin1String("hangup"))
                out.append(ccid);
        }
        return out;
    };
    // The calls still stuck after the wait are reported one by one below, then fail the test.
    (void)QTest::qWaitFor([&] { return stuck().isEmpty(); }, 60000);
    for (const QString &ccid : stuck()) {
        const QString session = telnyx.call(ccid)->callSessionId;
        qInfo("call %s (%s) is %s; its log:", qPrintable(ccid), qPrintable(session),
              qPrintable(telnyx.callState(ccid)));
        for (const QJsonValue &v : app.events(db)) {
            const QJsonObject e = v.toObject();
            if (e.value(QStringLiteral("call_id")).toString() != session)
                continue;
            qInfo("  %lld %s %s %s", qint64(e.value(QStringLiteral("seq")).toDouble()),
                  qPrintable(e.value(QStringLiteral("type")).toString()),
                  qPrintable(e.value(QStringLiteral("recorded_at")).toString()),
                  QJsonDocument(e.value(QStringLiteral("payload")).toObject())
                      .toJson(QJsonDocument::Compact)
                      .left(300)
                      .constData());
        }
        for (const ReceivedRequest &c : telnyx.commands()) {
            if (c.callControlId == ccid)
                qInfo("  command %s %s -> %d at %s", qPrintable(c.command), qPrintable(c.commandId),
                      c.status, qPrintable(c.receivedAt.toString(Qt::ISODateWithMs)));
        }
        for (const WebhookDelivery &d : telnyx.deliveries()) {
            if (d.body.contains(ccid.toUtf8()))
                qInfo("  delivery %s attempt %d -> %d at %s", qPrintable(d.eventType), d.attempt,
                      d.status, qPrintable(d.sentAt.toString(Qt::ISODateWithMs)));
        }
    }
    QVERIFY2(stuck().isEmpty(), qPrintable(stuck().join(QLatin1Char(' '))));
    QTRY_VERIFY_WITH_TIMEOUT(telnyx.deliveriesIdle(), 30000);

    // 1. Every webhook answered 200, by the simulator's deliveries and the direct senders, is in
    //    the log.
    QSet<QString> answered;
    for (const WebhookDelivery &d : telnyx.deliveries()) {
        if (d.status == 200)
            answered.insert(d.eventId);
    }
    int directOk = 0;
    for (auto &d : direct) {
        for (const QString &id : d->answered200())
            answered.insert(id);
        directOk += int(d->answered200().size());
    }
    const QJsonArray events = app.events(db);
    QVERIFY(!events.isEmpty());
    QSet<QString> stored;
    for (const QJsonValue &v : events) {
        const QString id = v.toObject().value(QStringLiteral("telnyx_id")).toString();
        if (!id.isEmpty()) {
            QVERIFY2(!stored.contains(id), qPrintable(QStringLiteral("stored twice: ") + id));
            stored.insert(id);
        }
    }
    qInfo("%d simulated calls, %d direct webhooks answered 200, %d webhooks answered 200 in all, "
          "%d events",
          int(simulated.size()), directOk, int(answered.size()), int(events.size()));
    int resentAfterRestart = 0;
    for (const QJsonValue &v : events) {
        const QJsonObject e = v.toObject();
        resentAfterRestart +=
            e.value(QStringLiteral("type")).toString() == QLatin1String("tel.command_sent") &&
            e.value(QStringLiteral("payload")).toObject().value(QStringLiteral("resend")).toBool();
    }
    qInfo("%d commands resent by a restart", resentAfterRestart);
    QVERIFY(simulated.size() >= 20);
    QVERIFY(directOk >= 20);
    for (const QString &id : std::as_const(answered))
        QVERIFY2(stored.contains(id),
                 qPrintable(QStringLiteral("answered 200, not stored: ") + id));

    // 2. The chain is intact.
    QString message;
    QVERIFY2(app.verify(db, &message), qPrintable(message));

    // 3. Every call ended: the simulated ones in the log too, and the direct ones.
    QHash<QString, QString> stateByCcid, stateById;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            stateByCcid.clear();
            stateById.clear();
            const QJsonArray calls = app.calls(db, 100000);
            for (const QJsonValue &v : calls) {
                const QJsonObject c = v.toObject();
                stateByCcid.insert(c.value(QStringLiteral("call_control_id")).toString(),
                                   c.value(QStringLiteral("state")).toString());
                stateById.insert(c.value(QStringLiteral("call_id")).toString(),
                                 c.value(QStringLiteral("state")).toString());
            }
            for (const QString &ccid : std::as_const(simulated)) {
                if (stateByCcid.value(ccid) != QLatin1String("ended"))
                    return false;
            }
            return true;
        }(),
        20000);
    for (auto &d : direct) {
        for (const QString &callId : d->callIds()) {
            const QString state = stateById.value(callId);
            // The last call of a sender may not have been sent at all.
            if (state.isEmpty() && callId == d->callIds().constLast())
                continue;
            QVERIFY2(state == QLatin1String("ended") || state == QLatin1String("failed"),
                     qPrintable(callId + QLatin1Char(' ') + state));
        }
    }

    // 4. No effect twice: one call.answered and one call.speak.started per simulated call, and
    //    every command of a call sent (and resent) with one command_id per command.
    QHash<QString, QSet<QString>> answeredEvents, speakEvents;
    for (const WebhookDelivery &d : telnyx.deliveries()) {
        if (d.eventType == QLatin1String("call.answered"))
            answeredEvents[payloadCcid(d.body)].insert(d.eventId);
        else if (d.eventType == QLatin1String("call.speak.started"))
            speakEvents[payloadCcid(d.body)].insert(d.eventId);
    }
    QHash<QString, QHash<QString, QSet<QString>>> commandIds; // ccid -> command -> command_ids
    int resent = 0;
    for (const ReceivedRequest &c : telnyx.commands()) {
        QVERIFY2(!c.commandId.isEmpty(), qPrintable(c.command));
        QSet<QString> &ids = commandIds[c.callControlId][c.command];
        if (ids.contains(c.commandId))
            ++resent;
        ids.insert(c.commandId);
    }
    qInfo("%d commands reached the simulator more than once", resent);
    for (const QString &ccid : std::as_const(simulated)) {
        QCOMPARE(answeredEvents.value(ccid).size(), 1);
        QCOMPARE(speakEvents.value(ccid).size(), 1);
        const auto byCommand = commandIds.value(ccid);
        for (const char *name : {"answer", "speak", "hangup"}) {
            QVERIFY2(byCommand.value(QLatin1String(name)).size() == 1,
                     qPrintable(ccid + QLatin1Char(' ') + QLatin1String(name) +
                                QStringLiteral(" command_ids: ") +
                                QString::number(byCommand.value(QLatin1String(name)).size())));
        }
        QCOMPARE(byCommand.size(), 3);
    }
    QVERIFY2(app.terminate(), app.stderrText().constData());
}

QTEST_GUILESS_MAIN(TstCrashSafety)
#include "tst_crashsafety.moc"
