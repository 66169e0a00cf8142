// SPDX-License-Identifier: GPL-3.0-or-later
// Forged and replayed webhooks against the real `kevan-tel --headless`: nothing that is not
// correctly signed by the account's key within ±300 s reaches the log, a replayed delivery stores
// nothing and sends no command, and a forged call.hangup does not end a live call.
#include "kevantelprocess.h"
#include "rawhttpclient.h"
#include "simulator/telnyxsimulator.h"
#include "telnyx/webhooksignature.h"
#include "webhookfactory.h"

#include <QDateTime>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QtTest>

using namespace kt;

class TstForgery : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void forgeriesAre401AndChangeNothing_data();
    void forgeriesAre401AndChangeNothing();
    void replayedDeliveryStoresNothing();
    void forgedHangupDoesNotEndALiveCall();

private:
    QString db() const { return m_dir.filePath(QStringLiteral("events.db")); }
    QString callState() const;
    QByteArray hangupBody(const QString &id) const;

    QTemporaryDir m_dir;
    std::unique_ptr<TelnyxSimulator> m_telnyx;
    KevanTelProcess m_app;
    QString m_ccid;    // the live call, ringing while the owner decides (policy ask)
    QString m_callId;  // its call_session_id
    int m_client = 20; // each forgery from its own loopback address: no rate limit in the way
};

void TstForgery::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_telnyx = std::make_unique<TelnyxSimulator>();
    QVERIFY(m_telnyx->start());
    m_telnyx->setSpeakDurationMs(50);
    m_app.setHome(m_dir.path());
    QVERIFY2(m_app.serve(db(), *m_telnyx,
                         {QStringLiteral("--unknown-policy"), QStringLiteral("ask"),
                          QStringLiteral("--ask-timeout"), QStringLiteral("120")}),
             qPrintable(m_app.failure()));
    m_telnyx->setWebhookUrl(QUrl(m_app.url() + QStringLiteral("/webhooks/telnyx")));

    m_ccid =
        m_telnyx->startInboundCall(QStringLiteral("+14045550186"), QStringLiteral("+17702300635"));
    QTRY_COMPARE_WITH_TIMEOUT(callState(), QStringLiteral("asking"), 20000);
    m_callId = m_telnyx->call(m_ccid)->callSessionId;
    QTRY_VERIFY_WITH_TIMEOUT(m_telnyx->deliveriesIdle(), 10000);
    QVERIFY(m_telnyx->commands().isEmpty());
}

void TstForgery::cleanupTestCase()
{
    m_app.kill9();
    m_telnyx.reset();
}

QString TstForgery::callState() const
{
    const QJsonArray calls = m_app.calls(db());
    for (const QJsonValue &v : calls) {
        const QJsonObject c = v.toObject();
        if (c.value(QStringLiteral("call_control_id")).toString() == m_ccid)
            return c.value(QStringLiteral("state")).toString();
    }
    return {};
}

QByteArray TstForgery::hangupBody(const QString &id) const
{
    return WebhookFactory::body(
        QStringLiteral("call.hangup"), id,
        {{QStringLiteral("call_control_id"), m_ccid},
         {QStringLiteral("call_leg_id"), m_telnyx->call(m_ccid)->callLegId},
         {QStringLiteral("call_session_id"), m_callId},
         {QStringLiteral("connection_id"), m_telnyx->call(m_ccid)->connectionId},
         {QStringLiteral("hangup_cause"), QStringLiteral("normal_clearing")},
         {QStringLiteral("hangup_source"), QStringLiteral("caller")},
         {QStringLiteral("sip_hangup_cause"), QStringLiteral("200")}});
}

using Headers = WebhookFactory::Headers;

void TstForgery::forgeriesAre401AndChangeNothing_data()
{
    // Each row: the headers to send with a call.hangup body for the live call; `signedFor` is
    // what the signature covers when it differs from what is sent.
    QTest::addColumn<QString>("kind");
    const char *kinds[] = {"unsigned",
                           "no timestamp",
                           "no signature",
                           "empty signature",
                           "garbage signature",
                           "63-byte signature",
                           "other bytes",
                           "other key",
                           "stale 301 s",
                           "a day old",
                           "future 330 s",
                           "timestamp not a number",
                           "fractional timestamp",
                           "signed for another timestamp",
                           "signature of another webhook"};
    for (const char *k : kinds)
        QTest::newRow(k) << QString::fromLatin1(k);
}

void TstForgery::forgeriesAre401AndChangeNothing()
{
    QFETCH(QString, kind);
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const QString id = WebhookFactory::newId();
    const QByteArray body = hangupBody(id);
    const WebhookFactory good;
    const WebhookFactory other(WebhookFactory::otherSeed());
    const QByteArray ts = QByteArray::number(now);
    auto sig = [](const WebhookFactory::Headers &h) { return h.at(1).second; };
    Headers headers;
    if (kind == QLatin1String("unsigned")) {
    } else if (kind == QLatin1String("no timestamp")) {
        headers = {{"telnyx-signature-ed25519", sig(good.headers(body, now))}};
    } else if (kind == QLatin1String("no signature")) {
        headers = {{"telnyx-timestamp", ts}};
    } else if (kind == QLatin1String("empty signature")) {
        headers = {{"telnyx-timestamp", ts}, {"telnyx-signature-ed25519", ""}};
    } else if (kind == QLatin1String("garbage signature")) {
        headers = {{"telnyx-timestamp", ts}, {"telnyx-signature-ed25519", "!!not base64!!"}};
    } else if (kind == QLatin1String("63-byte signature")) {
        headers = {{"telnyx-timestamp", ts},
                   {"telnyx-signature-ed25519",
                    QByteArray::fromBase64(sig(good.headers(body, now))).left(63).toBase64()}};
    } else if (kind == QLatin1String("other bytes")) {
        headers = good.headers(body + ' ', now);
    } else if (kind == QLatin1String("other key")) {
        headers = other.headers(body, now);
    } else if (kind == QLatin1String("stale 301 s")) {
        headers = good.headers(body, now - 301);
    } else if (kind == QLatin1String("a day old")) {
        headers = good.headers(body, now - 86400);
    } else if (kind == QLatin1String("future 330 s")) {
        headers = good.headers(body, now + 330); // not 301: the server's clock reads later
    } else if (kind == QLatin1String("timestamp not a number")) {
        headers = {{"telnyx-timestamp", "yesterday"},
                   {"telnyx-signature-ed25519",
                    WebhookSigner(WebhookFactory::simulatorSeed()).sign("yesterday", body)}};
    } else if (kind == QLatin1String("fractional timestamp")) {
        const QByteArray fts = ts + ".5";
        headers = {{"telnyx-timestamp", fts},
                   {"telnyx-signature-ed25519",
                    WebhookSigner(WebhookFactory::simulatorSeed()).sign(fts, body)}};
    } else if (kind == QLatin1String("signed for another timestamp")) {
        headers = {{"telnyx-timestamp", ts},
                   {"telnyx-signature-ed25519", sig(good.headers(body, now - 1))}};
    } else if (kind == QLatin1String("signature of another webhook")) {
        // A genuine signature, lifted from a real delivery, on forged bytes.
        const WebhookDelivery real = m_telnyx->deliveries().constFirst();
        headers = {{"telnyx-timestamp", real.timestamp},
                   {"telnyx-signature-ed25519", real.signature}};
    } else {
        QFAIL("unknown row");
    }

    const int eventsBefore = int(m_app.events(db()).size());
    const int commandsBefore = int(m_telnyx->commands().size());
    const QHostAddress from(QStringLiteral("127.0.0.%1").arg(m_client++));
    const RawResponse r =
        RawHttpClient::once(m_app.port(), WebhookFactory::requestWith(body, headers), from);
    QVERIFY2(r.status == 401,
             qPrintable(QString::number(r.status) + QLatin1Char(' ') + QString::fromUtf8(r.body)));
    QVERIFY(!r.json().value(QStringLiteral("error")).toString().isEmpty());

    const QJsonArray events = m_app.events(db());
    QCOMPARE(int(events.size()), eventsBefore);
    for (const QJsonValue &v : events)
        QVERIFY(v.toObject().value(QStringLiteral("telnyx_id")).toString() != id);
    QCOMPARE(callState(), QStringLiteral("asking"));
    QCOMPARE(m_telnyx->callState(m_ccid), QStringLiteral("parked"));
    QCOMPARE(int(m_telnyx->commands().size()), commandsBefore);
}

void TstForgery::replayedDeliveryStoresNothing()
{
    // A real delivery captured on the wire (call.initiated) replayed byte for byte within the
    // timestamp window: 200, "duplicate", nothing stored, no command, no second decision.
    WebhookDelivery initiated;
    for (const WebhookDelivery &d : m_telnyx->deliveries()) {
        if (d.eventType == QLatin1String("call.initiated") && d.status == 200)
            initiated = d;
    }
    QVERIFY(!initiated.body.isEmpty());
    const int eventsBefore = int(m_app.events(db()).size());
    const int commandsBefore = int(m_telnyx->commands().size());
    const double callsBefore = m_app.metric("kevantel_calls_total{decision=\"ask\"}");
    QCOMPARE(callsBefore, 1.0);

    const QByteArray replay = WebhookFactory::requestWith(
        initiated.body, {{"telnyx-timestamp", initiated.timestamp},
                         {"telnyx-signature-ed25519", initiated.signature}});
    for (int i = 0; i < 3; ++i) {
        const RawResponse r = RawHttpClient::once(m_app.port(), replay);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json().value(QStringLiteral("status")).toString(), QStringLiteral("duplicate"));
        QCOMPARE(r.json().value(QStringLiteral("id")).toString(), initiated.eventId);
    }
    // The same bytes with a fresh timestamp and the old signature are a forgery.
    const RawResponse fresh = RawHttpClient::once(
        m_app.port(),
        WebhookFactory::requestWith(
            initiated.body,
            {{"telnyx-timestamp", QByteArray::number(QDateTime::currentSecsSinceEpoch() + 5)},
             {"telnyx-signature-ed25519", initiated.signature}}),
        QHostAddress(QStringLiteral("127.0.0.60")));
    QCOMPARE(fresh.status, 401);

    // Give the engine time to act on anything it wrongly took for new.
    QTest::qWait(1500);
    QCOMPARE(int(m_app.events(db()).size()), eventsBefore);
    QCOMPARE(int(m_telnyx->commands().size()), commandsBefore);
    QCOMPARE(m_app.metric("kevantel_calls_total{decision=\"ask\"}"), callsBefore);
    QVERIFY(m_app.metric("kevantel_webhooks_total{result=\"duplicate\"}") >= 3);
    QCOMPARE(callState(), QStringLiteral("asking"));
}

void TstForgery::forgedHangupDoesNotEndALiveCall()
{
    // Forged call.hangup events for the ringing call, signed with another key and unsigned.
    const int eventsBefore = int(m_app.events(db()).size());
    const WebhookFactory other(WebhookFactory::otherSeed());
    for (int i = 0; i < 5; ++i) {
        const QByteArray body = hangupBody(WebhookFactory::newId());
        const RawResponse r = RawHttpClient::once(
            m_app.port(),
            i % 2 ? other.request(body) : RawHttpClient::request("POST", "/webhooks/telnyx", body),
            QHostAddress(QStringLiteral("127.0.0.61")));
        QCOMPARE(r.status, 401);
    }
    QTest::qWait(500);
    QCOMPARE(int(m_app.events(db()).size()), eventsBefore);
    QCOMPARE(callState(), QStringLiteral("asking"));

    // The call is still alive and under control: the owner rejects it, and the engine answers,
    // speaks and hangs up through Telnyx.
    const CliResult decided = m_app.cli({QStringLiteral("calls"), QStringLiteral("decide"), m_ccid,
                                         QStringLiteral("reject"), QStringLiteral("--db"), db()});
    QVERIFY2(decided.exitCode == 0, decided.err.constData());
    QTRY_COMPARE_WITH_TIMEOUT(m_telnyx->callState(m_ccid), QStringLiteral("hangup"), 20000);
    QStringList names;
    for (const ReceivedRequest &c : m_telnyx->commands())
        names.append(c.command);
    QCOMPARE(names, (QStringList{QStringLiteral("answer"), QStringLiteral("speak"),
                                 QStringLiteral("hangup")}));
    QTRY_COMPARE_WITH_TIMEOUT(callState(), QStringLiteral("ended"), 20000);
    QString message;
    QVERIFY2(m_app.verify(db(), &message), qPrintable(message));
}

QTEST_GUILESS_MAIN(TstForgery)
#include "tst_forgery.moc"
