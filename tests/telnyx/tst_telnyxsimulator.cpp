// SPDX-License-Identifier: GPL-3.0-or-later
// The fake Telnyx API (docs/telnyx-api.md §7) over real HTTP on loopback, and the webhooks it
// sends.
#include "simulator/telnyxsimulator.h"
#include "simulatorfixture.h"
#include "telnyx/telnyxerror.h"
#include "telnyx/telnyxtime.h"
#include "telnyx/webhookevent.h"
#include "telnyx/webhooksignature.h"
#include "testcertificate.h"
#include "testproxy.h"
#include "webhookcollector.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSslConfiguration>
#include <QTest>
#include <QUuid>

#include <memory>

using namespace kt;

namespace {

const QString kCaller = QStringLiteral("+15551230001");
const QString kOwnerNumber = QStringLiteral("+17702300635");

struct Reply
{
    int status = 0;
    QByteArray body;
    QJsonObject json;
    QList<QPair<QByteArray, QByteArray>> headers;

    QByteArray header(const QByteArray &name) const
    {
        for (const auto &h : headers) {
            if (h.first.compare(name, Qt::CaseInsensitive) == 0)
                return h.second;
        }
        return {};
    }
    QJsonObject firstError() const
    {
        return json.value(QLatin1String("errors")).toArray().first().toObject();
    }
    QString code() const { return firstError().value(QLatin1String("code")).toString(); }
    QString pointer() const
    {
        return firstError()
            .value(QLatin1String("source"))
            .toObject()
            .value(QLatin1String("pointer"))
            .toString();
    }
};

bool isUuidV4(const QString &text)
{
    const QUuid id = QUuid::fromString(text);
    return !id.isNull() && id.version() == QUuid::Random && id.variant() == QUuid::DCE;
}

} // namespace

class TestTelnyxSimulator : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TelnyxSimulator> m_sim;
    std::unique_ptr<WebhookCollector> m_hooks;
    QNetworkAccessManager m_nam;

    // A raw request to {baseUrl}{path}; `key` empty: no Authorization header.
    Reply send(const QByteArray &method, const QString &path, const QByteArray &body = {},
               std::optional<QString> key = std::nullopt)
    {
        const QString apiKey = key.value_or(m_sim->apiKey());
        QNetworkRequest request(QUrl::fromEncoded(m_sim->baseUrl().toEncoded() + path.toUtf8()));
        if (!apiKey.isEmpty())
            request.setRawHeader("Authorization", "Bearer " + apiKey.toUtf8());
        if (!body.isEmpty())
            request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
        QNetworkReply *reply = m_nam.sendCustomRequest(request, method, body);
        QSignalSpy done(reply, &QNetworkReply::finished);
        if (!reply->isFinished())
            done.wait(5000);
        Reply r;
        r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        r.body = reply->readAll();
        r.json = QJsonDocument::fromJson(r.body).object();
        r.headers = reply->rawHeaderPairs();
        reply->deleteLater();
        return r;
    }

    // GET {baseUrl}/phone_numbers through a manager of its own (so a new connection), trusting
    // `ca` when given; *error gets the network error.
    int getNumbers(const QSslCertificate &ca = QSslCertificate(),
                   const QNetworkProxy &proxy = QNetworkProxy::NoProxy,
                   QNetworkReply::NetworkError *error = nullptr)
    {
        QNetworkAccessManager nam;
        nam.setProxy(proxy);
        QNetworkRequest request(
            QUrl(m_sim->baseUrl().toString() + QStringLiteral("/phone_numbers")));
        request.setRawHeader("Authorization", "Bearer " + m_sim->apiKey().toUtf8());
        if (!ca.isNull()) {
            QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
            ssl.addCaCertificate(ca);
            request.setSslConfiguration(ssl);
        }
        QNetworkReply *reply = nam.get(request);
        QSignalSpy done(reply, &QNetworkReply::finished);
        if (!reply->isFinished())
            done.wait(10000);
        if (error)
            *error = reply->error();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        delete reply;
        return status;
    }

    Reply command(const QString &callControlId, const QString &name, const QJsonObject &body = {})
    {
        return send(
            "POST",
            QStringLiteral("/calls/%1/actions/%2")
                .arg(QString::fromLatin1(QUrl::toPercentEncoding(callControlId, ":")), name),
            QJsonDocument(body).toJson(QJsonDocument::Compact));
    }

    QStringList typesFor(const QString &callControlId) const
    {
        QStringList types;
        for (const CollectedRequest &r : m_hooks->forCall(callControlId))
            types.append(r.eventType());
        return types;
    }

    CollectedRequest lastOf(const QString &callControlId, const QString &type) const
    {
        const QList<CollectedRequest> list = m_hooks->forCall(callControlId);
        for (auto it = list.rbegin(); it != list.rend(); ++it) {
            if (it->eventType() == type)
                return *it;
        }
        return {};
    }

    QString answeredCall(const InboundCallOptions &options = {})
    {
        const QString id = m_sim->startInboundCall(kCaller, kOwnerNumber, options);
        if (command(id, QStringLiteral("answer")).status != 200)
            return {};
        if (!QTest::qWaitFor([&] { return typesFor(id).size() >= 2; }, 5000))
            return {};
        return id;
    }

private slots:
    void init()
    {
        m_nam.setProxy(QNetworkProxy::NoProxy);
        m_hooks = std::make_unique<WebhookCollector>();
        m_sim = test::startSimulatorInto(*m_hooks);
        QVERIFY(m_sim);
        m_sim->setSpeakDurationMs(40);
        m_sim->setTransferAnswerDelayMs(40);
        m_sim->setDeliveryRetryDelayMs(10);
        m_sim->setDeliveryTimeoutMs(1000);
    }

    void cleanup()
    {
        m_sim.reset();
        m_hooks.reset();
    }

    void baseUrlIsLoopback()
    {
        QCOMPARE(m_sim->baseUrl().toString(),
                 QStringLiteral("http://127.0.0.1:%1/v2").arg(m_sim->port()));
        QVERIFY(m_sim->port() > 0);
    }

    void unauthorizedHasTheExactBody()
    {
        const QByteArray expected =
            "{\"errors\":[{\"code\":\"10009\",\"title\":\"Authentication failed\",\"detail\":\"The "
            "required "
            "authentication headers were either invalid or not included in the request.\","
            "\"meta\":{\"url\":\"https://developers.telnyx.com/docs/overview/errors/10009\"}}]}";
        const QString id = m_sim->startInboundCall(kCaller, kOwnerNumber);
        for (const QString &key : {QString(), QStringLiteral("wrong")}) {
            const Reply r =
                send("POST", QStringLiteral("/calls/%1/actions/answer").arg(id), "{}", key);
            QCOMPARE(r.status, 401);
            QCOMPARE(r.body, expected);
            QVERIFY(r.header("Content-Type").startsWith("application/json"));
        }
        QCOMPARE(send("GET", QStringLiteral("/phone_numbers"), {}, QStringLiteral("x")).status,
                 401);
        QCOMPARE(m_sim->callState(id), QStringLiteral("parked"));
    }

    void pathSegmentIsPercentDecoded()
    {
        const QString id = m_sim->startInboundCall(kCaller, kOwnerNumber);
        // Encoded colon and literal colon reach the same call.
        const QString encoded = QString::fromLatin1(QUrl::toPercentEncoding(id));
        QVERIFY(encoded.contains(QLatin1String("%3A")));
        Reply r = send("POST", QStringLiteral("/calls/%1/actions/answer").arg(encoded), "{}");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json, QJsonDocument::fromJson("{\"data\":{\"result\":\"ok\"}}").object());
        QCOMPARE(m_sim->commands().last().callControlId, id);
        r = send("POST", QStringLiteral("/calls/%1/actions/speak").arg(id),
                 "{\"payload\":\"hi\",\"voice\":\"female\"}");
        QCOMPARE(r.status, 200);
        QCOMPARE(m_sim->commands().last().rawPath,
                 QStringLiteral("/v2/calls/%1/actions/speak").arg(id));
    }

    void answerWithRecordingReturnsRecordingId()
    {
        const QString id = m_sim->startInboundCall(kCaller, kOwnerNumber);
        const Reply r = command(id, QStringLiteral("answer"),
                                {{QStringLiteral("record"), QStringLiteral("record-from-answer")}});
        QCOMPARE(r.status, 200);
        const QJsonObject data = r.json.value(QLatin1String("data")).toObject();
        QCOMPARE(data.value(QLatin1String("result")).toString(), QStringLiteral("ok"));
        QVERIFY(!data.value(QLatin1String("recording_id")).toString().isEmpty());
    }

    void validationErrors_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<bool>("answered");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("pointer");
        QTest::newRow("reject without cause") << "reject" << QByteArray("{}") << false << "10004"
                                              << "/cause";
        QTest::newRow("reject bad cause")
            << "reject" << QByteArray("{\"cause\":\"NOPE\"}") << false << "10032"
            << "/cause";
        QTest::newRow("speak without payload")
            << "speak" << QByteArray("{\"voice\":\"female\"}") << true << "10004"
            << "/payload";
        QTest::newRow("speak without voice")
            << "speak" << QByteArray("{\"payload\":\"hi\"}") << true << "10004"
            << "/voice";
        QTest::newRow("gather without voice")
            << "gather_using_speak" << QByteArray("{\"payload\":\"hi\"}") << true << "10004"
            << "/voice";
        QTest::newRow("transfer without to") << "transfer" << QByteArray("{}") << true << "10004"
                                             << "/to";
        QTest::newRow("transfer not e164")
            << "transfer" << QByteArray("{\"to\":\"7702300635\"}") << true << "10016"
            << "/to";
        QTest::newRow("transfer timeout range")
            << "transfer" << QByteArray("{\"to\":\"+17702300635\",\"timeout_secs\":2}") << true
            << "10033"
            << "/timeout_secs";
        QTest::newRow("bridge without id") << "bridge" << QByteArray("{}") << true << "10004"
                                           << "/call_control_id";
        QTest::newRow("record without format")
            << "record_start" << QByteArray("{\"channels\":\"single\"}") << true << "10004"
            << "/format";
    }

    void validationErrors()
    {
        QFETCH(QString, name);
        QFETCH(QByteArray, body);
        QFETCH(bool, answered);
        QFETCH(QString, code);
        QFETCH(QString, pointer);
        const QString id =
            answered ? answeredCall() : m_sim->startInboundCall(kCaller, kOwnerNumber);
        QVERIFY(!id.isEmpty());
        const Reply r = send("POST", QStringLiteral("/calls/%1/actions/%2").arg(id, name), body);
        QCOMPARE(r.status, 422);
        QCOMPARE(r.code(), code);
        QCOMPARE(r.pointer(), pointer);
        QVERIFY(!r.firstError().value(QLatin1String("title")).toString().isEmpty());
        QVERIFY(!r.firstError().value(QLatin1String("detail")).toString().isEmpty());
        // Telnyx's key order: code, title, detail.
        QVERIFY(r.body.indexOf("\"code\"") < r.body.indexOf("\"title\""));
        QVERIFY(r.body.indexOf("\"title\"") < r.body.indexOf("\"detail\""));
    }

    void stateErrors()
    {
        const QString id = m_sim->startInboundCall(kCaller, kOwnerNumber);
        Reply r = command(id, QStringLiteral("speak"),
                          {{QStringLiteral("payload"), QStringLiteral("hi")},
                           {QStringLiteral("voice"), QStringLiteral("female")}});
        QCOMPARE(r.status, 422);
        QCOMPARE(r.code(), QStringLiteral("90034"));
        QCOMPARE(r.firstError().value(QLatin1String("title")).toString(),
                 QStringLiteral("Call not answered yet"));
        QCOMPARE(command(id, QStringLiteral("gather_using_speak"),
                         {{QStringLiteral("payload"), QStringLiteral("hi")},
                          {QStringLiteral("voice"), QStringLiteral("female")}})
                     .code(),
                 QStringLiteral("90034"));

        QCOMPARE(command(id, QStringLiteral("hangup")).status, 200);
        r = command(id, QStringLiteral("answer"));
        QCOMPARE(r.status, 422);
        QCOMPARE(r.code(), QStringLiteral("90018"));
        QCOMPARE(r.firstError().value(QLatin1String("title")).toString(),
                 QStringLiteral("Call has already ended"));
        QCOMPARE(r.firstError().value(QLatin1String("detail")).toString(),
                 QStringLiteral("This call is no longer active and can't receive commands."));

        r = command(QStringLiteral("v3:unknown"), QStringLiteral("answer"));
        QCOMPARE(r.status, 422);
        QCOMPARE(r.code(), QStringLiteral("90015"));
        QCOMPARE(r.pointer(), QStringLiteral("/call_control_id"));
        m_sim->setUnknownCallStatus(404);
        r = command(QStringLiteral("v3:unknown"), QStringLiteral("answer"));
        QCOMPARE(r.status, 404);
        QCOMPARE(r.code(), QStringLiteral("10005"));

        QCOMPARE(command(m_sim->startInboundCall(kCaller, kOwnerNumber), QStringLiteral("nosuch"))
                     .status,
                 404);
    }

    void webhooksAreSignedSortedAndEnveloped()
    {
        InboundCallOptions options;
        options.callerIdName = QStringLiteral("ALICE EXAMPLE");
        options.shakenStirAttestation = QStringLiteral("A");
        options.shakenStirValidated = true;
        options.callScreeningResult = QStringLiteral("spam_likely");
        const QString id = answeredCall(options);
        QVERIFY(!id.isEmpty());
        QCOMPARE(command(id, QStringLiteral("hangup")).status, 200);
        QTRY_COMPARE(typesFor(id).size(), 3);

        const QByteArray javaPublicKey =
            QByteArray::fromBase64("jrMBoswHlhhVx2W2Www72WU/xn4UMpjreslD0m2u0qs=");
        QCOMPARE(m_sim->publicKey(), javaPublicKey);
        const WebhookVerifier verifier(javaPublicKey);
        static const QRegularExpression sixDigits(
            QStringLiteral("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z$"));
        for (const CollectedRequest &r : m_hooks->requests()) {
            QCOMPARE(r.method, QByteArray("POST"));
            QCOMPARE(r.path, QStringLiteral("/webhooks/telnyx"));
            QCOMPARE(r.header("Content-Type"), QByteArray("application/json"));
            QCOMPARE(r.header("User-Agent"), QByteArray("telnyx-webhooks"));
            const QByteArray ts = r.header("telnyx-timestamp");
            QVERIFY(qAbs(ts.toLongLong() - QDateTime::currentSecsSinceEpoch()) < 30);
            QCOMPARE(verifier.verify(ts, r.header("telnyx-signature-ed25519"), r.body,
                                     QDateTime::currentSecsSinceEpoch()),
                     WebhookVerifier::Result::Valid);
            // Compact, and keys sorted at every level: exactly the canonical form.
            QCOMPARE(r.body, QJsonDocument::fromJson(r.body).toJson(QJsonDocument::Compact));
            QVERIFY(r.body.startsWith("{\"data\":{\"event_type\":"));
            const QList<int> order{
                int(r.body.indexOf("\"event_type\"")),      int(r.body.indexOf("\"id\"")),
                int(r.body.indexOf("\"occurred_at\"")),     int(r.body.indexOf("\"payload\"")),
                int(r.body.lastIndexOf("\"record_type\"")), int(r.body.indexOf("\"meta\""))};
            QVERIFY(std::is_sorted(order.begin(), order.end()));
            QVERIFY(order.first() >= 0);

            const QJsonObject data = r.json().value(QLatin1String("data")).toObject();
            QCOMPARE(data.value(QLatin1String("record_type")).toString(), QStringLiteral("event"));
            QVERIFY(isUuidV4(data.value(QLatin1String("id")).toString()));
            QVERIFY(
                sixDigits.match(data.value(QLatin1String("occurred_at")).toString()).hasMatch());
            const QJsonObject meta = r.json().value(QLatin1String("meta")).toObject();
            QCOMPARE(meta.value(QLatin1String("attempt")).toInt(), 1);
            QCOMPARE(meta.value(QLatin1String("delivered_to")).toString(),
                     m_hooks->url().toString());
            // The project's parser reads it.
            QVERIFY(WebhookEvent::parse(r.body).has_value());
        }

        const CollectedRequest initiated = m_hooks->requests().first();
        const QJsonObject p = initiated.payload();
        const QJsonObject data = initiated.json().value(QLatin1String("data")).toObject();
        QCOMPARE(initiated.eventType(), QStringLiteral("call.initiated"));
        QCOMPARE(p.value(QLatin1String("direction")).toString(), QStringLiteral("incoming"));
        QCOMPARE(p.value(QLatin1String("state")).toString(), QStringLiteral("parked"));
        QCOMPARE(p.value(QLatin1String("start_time")), data.value(QLatin1String("occurred_at")));
        QCOMPARE(p.value(QLatin1String("from")).toString(), kCaller);
        QCOMPARE(p.value(QLatin1String("to")).toString(), kOwnerNumber);
        QCOMPARE(p.value(QLatin1String("caller_id_name")).toString(), options.callerIdName);
        QCOMPARE(p.value(QLatin1String("connection_id")).toString(), m_sim->applicationId());
        QCOMPARE(p.value(QLatin1String("call_control_id")).toString(), id);
        QVERIFY(isUuidV4(p.value(QLatin1String("call_leg_id")).toString()));
        QVERIFY(isUuidV4(p.value(QLatin1String("call_session_id")).toString()));
        QCOMPARE(p.value(QLatin1String("shaken_stir_attestation")).toString(), QStringLiteral("A"));
        QCOMPARE(p.value(QLatin1String("shaken_stir_validated")).toBool(), true);
        QCOMPARE(p.value(QLatin1String("call_screening_result")).toString(),
                 QStringLiteral("spam_likely"));
        QCOMPARE(p.value(QLatin1String("calling_party_type")).toString(), QStringLiteral("pstn"));
        QVERIFY(p.contains(QLatin1String("client_state")));
        QVERIFY(p.value(QLatin1String("client_state")).isNull());

        const QJsonObject answered = lastOf(id, QStringLiteral("call.answered")).payload();
        QVERIFY(!answered.contains(QLatin1String("direction")));
        QCOMPARE(answered.value(QLatin1String("codec")).toString(), QStringLiteral("PCMU"));
    }

    void absentAttestationIsLeftOut()
    {
        const QString id = m_sim->startInboundCall(kCaller, kOwnerNumber);
        QVERIFY(m_hooks->waitForCount(1));
        const QJsonObject p = m_hooks->requests().first().payload();
        QVERIFY(!p.contains(QLatin1String("shaken_stir_attestation")));
        QVERIFY(!p.contains(QLatin1String("shaken_stir_validated")));
        QVERIFY(!p.contains(QLatin1String("call_screening_result")));
        QCOMPARE(p.value(QLatin1String("caller_id_name")).toString(), kCaller);
        QCOMPARE(p.value(QLatin1String("call_control_id")).toString(), id);
    }

    void qtCompactJsonSortsKeys()
    {
        // The simulator relies on it for Telnyx's sorted key order.
        QJsonObject o;
        o.insert(QStringLiteral("zeta"), 1);
        o.insert(QStringLiteral("alpha"),
                 QJsonObject{{QStringLiteral("b"), 1}, {QStringLiteral("a"), 2}});
        QCOMPARE(QJsonDocument(o).toJson(QJsonDocument::Compact),
                 QByteArray("{\"alpha\":{\"a\":2,\"b\":1},\"zeta\":1}"));
    }

    void answerSpeakHangupSequence()
    {
        const QString id = answeredCall();
        QVERIFY(!id.isEmpty());
        QCOMPARE(command(id, QStringLiteral("speak"),
                         {{QStringLiteral("payload"), QStringLiteral("Not registered")},
                          {QStringLiteral("voice"), QStringLiteral("female")}})
                     .status,
                 200);
        QTRY_COMPARE(typesFor(id).size(), 4);
        QCOMPARE(command(id, QStringLiteral("hangup")).status, 200);
        QTRY_COMPARE(typesFor(id).size(), 5);
        QCOMPARE(typesFor(id), (QStringList{"call.initiated", "call.answered", "call.speak.started",
                                            "call.speak.ended", "call.hangup"}));
        const QString speakId = lastOf(id, QStringLiteral("call.speak.started"))
                                    .payload()
                                    .value(QLatin1String("speak_id"))
                                    .toString();
        QVERIFY(!speakId.isEmpty());
        const QJsonObject ended = lastOf(id, QStringLiteral("call.speak.ended")).payload();
        QCOMPARE(ended.value(QLatin1String("speak_id")).toString(), speakId);
        QCOMPARE(ended.value(QLatin1String("status")).toString(), QStringLiteral("completed"));
        const QJsonObject hangup = lastOf(id, QStringLiteral("call.hangup")).payload();
        QCOMPARE(hangup.value(QLatin1String("hangup_cause")).toString(),
                 QStringLiteral("normal_clearing"));
        QCOMPARE(hangup.value(QLatin1String("hangup_source")).toString(), QStringLiteral("callee"));
        QCOMPARE(hangup.value(QLatin1String("sip_hangup_cause")).toString(), QStringLiteral("200"));
        QCOMPARE(hangup.value(QLatin1String("state")).toString(), QStringLiteral("hangup"));
        QVERIFY(parseTelnyxTime(hangup.value(QLatin1String("end_time")).toString()).isValid());
        QVERIFY(parseTelnyxTime(hangup.value(QLatin1String("start_time")).toString()).isValid());
        QVERIFY(hangup.value(QLatin1String("call_quality_stats"))
                    .toObject()
                    .contains(QLatin1String("inbound")));
    }

    void consecutiveSpeaksAreQueued()
    {
        const QString id = answeredCall();
        const QJsonObject speak{{QStringLiteral("payload"), QStringLiteral("one")},
                                {QStringLiteral("voice"), QStringLiteral("female")}};
        QCOMPARE(command(id, QStringLiteral("speak"), speak).status, 200);
        QCOMPARE(command(id, QStringLiteral("speak"), speak).status, 200);
        QTRY_COMPARE(typesFor(id).size(), 6);
        QCOMPARE(typesFor(id).mid(2), (QStringList{"call.speak.started", "call.speak.ended",
                                                   "call.speak.started", "call.speak.ended"}));
        const QList<CollectedRequest> events = m_hooks->forCall(id);
        QCOMPARE(events.at(2).payload().value(QLatin1String("speak_id")),
                 events.at(3).payload().value(QLatin1String("speak_id")));
        QVERIFY(events.at(2).payload().value(QLatin1String("speak_id")) !=
                events.at(4).payload().value(QLatin1String("speak_id")));
    }

    void callerHangsUpMidSpeak()
    {
        m_sim->setSpeakDurationMs(5000);
        const QString id = answeredCall();
        QCOMPARE(command(id, QStringLiteral("speak"),
                         {{QStringLiteral("payload"), QStringLiteral("long")},
                          {QStringLiteral("voice"), QStringLiteral("female")}})
                     .status,
                 200);
        QTRY_COMPARE(typesFor(id).size(), 3);
        QVERIFY(m_sim->callerHangsUp(id));
        QVERIFY(!m_sim->callerHangsUp(id));
        QTRY_COMPARE(typesFor(id).size(), 5);
        QCOMPARE(typesFor(id).mid(3), (QStringList{"call.speak.ended", "call.hangup"}));
        QCOMPARE(lastOf(id, QStringLiteral("call.speak.ended"))
                     .payload()
                     .value(QLatin1String("status"))
                     .toString(),
                 QStringLiteral("call_hangup"));
        const QJsonObject hangup = lastOf(id, QStringLiteral("call.hangup")).payload();
        QCOMPARE(hangup.value(QLatin1String("hangup_cause")).toString(),
                 QStringLiteral("normal_clearing"));
        QCOMPARE(hangup.value(QLatin1String("hangup_source")).toString(), QStringLiteral("caller"));
        QCOMPARE(hangup.value(QLatin1String("sip_hangup_cause")).toString(), QStringLiteral("200"));
    }

    void callerHangsUpBeforeAnswer()
    {
        QSignalSpy ended(m_sim.get(), &TelnyxSimulator::callEnded);
        const QString id = m_sim->startInboundCall(kCaller, kOwnerNumber);
        QVERIFY(m_sim->callerHangsUp(id));
        QCOMPARE(ended.size(), 1);
        QCOMPARE(m_sim->callState(id), QStringLiteral("hangup"));
        QTRY_COMPARE(typesFor(id), (QStringList{"call.initiated", "call.hangup"}));
        const QJsonObject hangup = lastOf(id, QStringLiteral("call.hangup")).payload();
        QCOMPARE(hangup.value(QLatin1String("hangup_cause")).toString(),
                 QStringLiteral("originator_cancel"));
        QCOMPARE(hangup.value(QLatin1String("hangup_source")).toString(), QStringLiteral("caller"));
        QCOMPARE(hangup.value(QLatin1String("sip_hangup_cause")).toString(), QStringLiteral("487"));
        QVERIFY(hangup.value(QLatin1String("call_quality_stats")).isNull());
    }

    void callerGivesUpWhileRinging()
    {
        InboundCallOptions options;
        options.callerGivesUpAfterMs = 50;
        const QString id = m_sim->startInboundCall(kCaller, kOwnerNumber, options);
        QTRY_COMPARE(typesFor(id), (QStringList{"call.initiated", "call.hangup"}));
    }

    void rejectSequences_data()
    {
        QTest::addColumn<QString>("cause");
        QTest::addColumn<QString>("source");
        QTest::addColumn<QString>("hangupCause");
        QTest::addColumn<QString>("sip");
        QTest::newRow("rejected") << "CALL_REJECTED"
                                  << ""
                                  << "call_rejected"
                                  << "603";
        QTest::newRow("busy") << "USER_BUSY"
                              << ""
                              << "user_busy"
                              << "486";
        QTest::newRow("rejected, source caller") << "CALL_REJECTED"
                                                 << "caller"
                                                 << "call_rejected"
                                                 << "603";
    }

    void rejectSequences()
    {
        QFETCH(QString, cause);
        QFETCH(QString, source);
        QFETCH(QString, hangupCause);
        QFETCH(QString, sip);
        if (!source.isEmpty())
            m_sim->setRejectHangupSource(source);
        const QString id = m_sim->startInboundCall(kCaller, kOwnerNumber);
        QCOMPARE(command(id, QStringLiteral("reject"),
                         {{QStringLiteral("cause"), cause},
                          {QStringLiteral("client_state"), QStringLiteral("cmVqZWN0")}})
                     .status,
                 200);
        QTRY_COMPARE(typesFor(id), (QStringList{"call.initiated", "call.hangup"}));
        const QJsonObject hangup = lastOf(id, QStringLiteral("call.hangup")).payload();
        QCOMPARE(hangup.value(QLatin1String("hangup_cause")).toString(), hangupCause);
        QCOMPARE(hangup.value(QLatin1String("sip_hangup_cause")).toString(), sip);
        QCOMPARE(hangup.value(QLatin1String("hangup_source")).toString(),
                 source.isEmpty() ? QStringLiteral("callee") : source);
        QCOMPARE(hangup.value(QLatin1String("client_state")).toString(),
                 QStringLiteral("cmVqZWN0"));
    }

    void transferAnswered()
    {
        const QString a = answeredCall();
        QVERIFY(!a.isEmpty());
        m_hooks->clear();
        QCOMPARE(command(a, QStringLiteral("transfer"),
                         {{QStringLiteral("to"), QStringLiteral("+18886115384")},
                          {QStringLiteral("target_leg_client_state"), QStringLiteral("bGVnQg==")}})
                     .status,
                 200);
        QTRY_COMPARE(m_hooks->count(), 4);
        QCOMPARE(m_hooks->eventTypes(),
                 (QStringList{"call.initiated", "call.answered", "call.bridged", "call.bridged"}));
        const QList<CollectedRequest> events = m_hooks->requests();
        const QJsonObject initiatedB = events.at(0).payload();
        const QString b = initiatedB.value(QLatin1String("call_control_id")).toString();
        QVERIFY(b != a);
        QCOMPARE(initiatedB.value(QLatin1String("direction")).toString(),
                 QStringLiteral("outgoing"));
        QCOMPARE(initiatedB.value(QLatin1String("state")).toString(), QStringLiteral("bridging"));
        QCOMPARE(initiatedB.value(QLatin1String("client_state")).toString(),
                 QStringLiteral("bGVnQg=="));
        QCOMPARE(initiatedB.value(QLatin1String("to")).toString(), QStringLiteral("+18886115384"));
        QCOMPARE(initiatedB.value(QLatin1String("from")).toString(), kOwnerNumber);
        QCOMPARE(initiatedB.value(QLatin1String("call_session_id")).toString(),
                 m_sim->call(a)->callSessionId);
        QVERIFY(!initiatedB.value(QLatin1String("call_leg_id")).toString().isEmpty());
        QVERIFY(initiatedB.value(QLatin1String("call_leg_id")).toString() !=
                m_sim->call(a)->callLegId);
        QCOMPARE(events.at(1).payload().value(QLatin1String("call_control_id")).toString(), b);
        QCOMPARE(events.at(2).payload().value(QLatin1String("call_control_id")).toString(), a);
        QCOMPARE(events.at(3).payload().value(QLatin1String("call_control_id")).toString(), b);
        QCOMPARE(m_sim->callState(a), QStringLiteral("bridged"));
        QCOMPARE(m_sim->callState(b), QStringLiteral("bridged"));

        // When the caller hangs up, the bridged leg follows.
        QVERIFY(m_sim->callerHangsUp(a));
        QTRY_COMPARE(m_hooks->eventTypes().count(QStringLiteral("call.hangup")), 2);
        QCOMPARE(m_sim->callState(b), QStringLiteral("hangup"));
    }

    void transferNotAnswered()
    {
        m_sim->setTransferAnswers(false);
        m_sim->setTransferTimeoutMs(60);
        const QString a = answeredCall();
        m_hooks->clear();
        QCOMPARE(command(a, QStringLiteral("transfer"),
                         {{QStringLiteral("to"), QStringLiteral("+18886115384")}})
                     .status,
                 200);
        QTRY_COMPARE(m_hooks->count(), 2);
        QCOMPARE(m_hooks->eventTypes(), (QStringList{"call.initiated", "call.hangup"}));
        const QJsonObject hangup = m_hooks->requests().at(1).payload();
        const QString b = hangup.value(QLatin1String("call_control_id")).toString();
        QVERIFY(b != a);
        QCOMPARE(hangup.value(QLatin1String("hangup_cause")).toString(), QStringLiteral("timeout"));
        QCOMPARE(hangup.value(QLatin1String("client_state")), QJsonValue(QJsonValue::Null));
        // Leg A stays up and takes commands.
        QCOMPARE(m_sim->callState(a), QStringLiteral("answered"));
        QCOMPARE(command(a, QStringLiteral("speak"),
                         {{QStringLiteral("payload"), QStringLiteral("Nobody answered")},
                          {QStringLiteral("voice"), QStringLiteral("female")}})
                     .status,
                 200);
    }

    void bridgeTwoCalls()
    {
        const QString a = answeredCall();
        const QString b = answeredCall();
        m_hooks->clear();
        QCOMPARE(
            command(a, QStringLiteral("bridge"), {{QStringLiteral("call_control_id"), b}}).status,
            200);
        QTRY_COMPARE(m_hooks->count(), 2);
        QCOMPARE(m_hooks->eventTypes(), (QStringList{"call.bridged", "call.bridged"}));
        QCOMPARE(
            m_hooks->requests().at(0).payload().value(QLatin1String("call_control_id")).toString(),
            a);
        QCOMPARE(
            m_hooks->requests().at(1).payload().value(QLatin1String("call_control_id")).toString(),
            b);
        QCOMPARE(command(a, QStringLiteral("bridge"),
                         {{QStringLiteral("call_control_id"), QStringLiteral("v3:none")}})
                     .code(),
                 QStringLiteral("90015"));
    }

    void gatherUsingSpeakSendsDigits()
    {
        m_sim->setGatherDigits(QStringLiteral("42#"));
        const QString id = answeredCall();
        QCOMPARE(command(id, QStringLiteral("gather_using_speak"),
                         {{QStringLiteral("payload"), QStringLiteral("Press")},
                          {QStringLiteral("voice"), QStringLiteral("female")},
                          {QStringLiteral("maximum_digits"), 3}})
                     .status,
                 200);
        QTRY_COMPARE(typesFor(id).size(), 6);
        QCOMPARE(typesFor(id).mid(2), (QStringList{"call.dtmf.received", "call.dtmf.received",
                                                   "call.dtmf.received", "call.gather.ended"}));
        const QList<CollectedRequest> events = m_hooks->forCall(id);
        QCOMPARE(events.at(2).payload().value(QLatin1String("digit")).toString(),
                 QStringLiteral("4"));
        QCOMPARE(events.at(4).payload().value(QLatin1String("digit")).toString(),
                 QStringLiteral("#"));
        // The terminating digit ends the entry; it is not among the digits.
        QCOMPARE(events.at(5).payload().value(QLatin1String("digits")).toString(),
                 QStringLiteral("42"));
        QCOMPARE(events.at(5).payload().value(QLatin1String("status")).toString(),
                 QStringLiteral("valid"));
    }

    void gatherFollowsTheCallersScript()
    {
        InboundCallOptions options;
        options.gatherScript = {QStringLiteral("2468#"), QStringLiteral("12#"), QString()};
        const QString id = m_sim->startInboundCall(QStringLiteral("+14155550132"),
                                                   QStringLiteral("+17702300635"), options);
        const QJsonObject gather{{QStringLiteral("payload"), QStringLiteral("PIN please")},
                                 {QStringLiteral("voice"), QStringLiteral("female")},
                                 {QStringLiteral("minimum_digits"), 4},
                                 {QStringLiteral("maximum_digits"), 8},
                                 {QStringLiteral("terminating_digit"), QStringLiteral("#")}};
        // Before the answer: 90034.
        QCOMPARE(command(id, QStringLiteral("gather_using_speak"), gather).code(),
                 QStringLiteral("90034"));
        QCOMPARE(command(id, QStringLiteral("answer"), {}).status, 200);
        QCOMPARE(command(id, QStringLiteral("gather_using_speak"), gather).status, 200);
        QCOMPARE(command(id, QStringLiteral("gather_using_speak"), gather).status, 200);
        QCOMPARE(command(id, QStringLiteral("gather_using_speak"), gather).status, 200);
        QTRY_COMPARE(m_hooks->forCall(id).size(), 2 + 5 + 1 + 3 + 1 + 1);
        QStringList ended;
        for (const CollectedRequest &r : m_hooks->forCall(id)) {
            const QJsonObject p = r.payload();
            if (p.contains(QLatin1String("status")) && p.contains(QLatin1String("digits")))
                ended << p.value(QLatin1String("digits")).toString() + QLatin1Char('/') +
                             p.value(QLatin1String("status")).toString();
        }
        QCOMPARE(ended, (QStringList{QStringLiteral("2468/valid"), QStringLiteral("12/invalid"),
                                     QStringLiteral("/timeout")}));
    }

    // A screened call (docs/telnyx-conversation.md §1, §2, §6): transcription_start only after
    // the answer (90034) and only once (90054); the caller's words after the greeting as
    // interim results then the final one; deepfake detection's verdict after the answer.
    void screeningCommandsFollowTelnyxRules()
    {
        InboundCallOptions options;
        options.screenWords = {QStringLiteral("it is Ana calling")};
        options.screenWordMs = 5;
        options.screenStartsAfterMs = 5;
        options.deepfakeResult = QStringLiteral("fake");
        options.deepfakeScore = 0.9;
        options.deepfakeAfterMs = 5;
        const QString id = m_sim->startInboundCall(kCaller, kOwnerNumber, options);
        const QJsonObject start{
            {QStringLiteral("transcription_engine"), QStringLiteral("Google")},
            {QStringLiteral("transcription_engine_config"),
             QJsonObject{{QStringLiteral("interim_results"), true},
                         {QStringLiteral("language"), QStringLiteral("en-US")}}},
            {QStringLiteral("transcription_tracks"), QStringLiteral("inbound")}};
        QCOMPARE(command(id, QStringLiteral("transcription_start"), start).code(),
                 QStringLiteral("90034"));
        QCOMPARE(command(id, QStringLiteral("gather_using_ai"),
                         {{QStringLiteral("parameters"), QJsonObject()}})
                     .code(),
                 QStringLiteral("90034"));
        QCOMPARE(command(id, QStringLiteral("answer"),
                         {{QStringLiteral("deepfake_detection"),
                           QJsonObject{{QStringLiteral("enabled"), true}}}})
                     .status,
                 200);
        QCOMPARE(command(id, QStringLiteral("transcription_start"),
                         {{QStringLiteral("transcription_engine"), QStringLiteral("Whisper")}})
                     .status,
                 422);
        QCOMPARE(command(id, QStringLiteral("transcription_start"),
                         {{QStringLiteral("transcription_engine"), QStringLiteral("Deepgram")}})
                     .status,
                 422); // Deepgram needs its transcription_model
        QCOMPARE(command(id, QStringLiteral("transcription_start"), start).status, 200);
        const Reply twice = command(id, QStringLiteral("transcription_start"), start);
        QCOMPARE(twice.code(), QStringLiteral("90054"));
        QCOMPARE(command(id, QStringLiteral("gather_using_ai"), {}).status, 422); // no parameters
        QCOMPARE(command(id, QStringLiteral("speak"),
                         {{QStringLiteral("payload"), QStringLiteral("Who is calling?")},
                          {QStringLiteral("voice"), QStringLiteral("female")}})
                     .status,
                 200);
        QTRY_COMPARE(typesFor(id).count(QStringLiteral("call.transcription")), 4);
        QStringList said;
        QStringList order;
        for (const CollectedRequest &r : m_hooks->forCall(id)) {
            order << r.eventType();
            const QJsonObject data =
                r.payload().value(QLatin1String("transcription_data")).toObject();
            if (!data.isEmpty())
                said << data.value(QLatin1String("transcript")).toString() +
                            (data.value(QLatin1String("is_final")).toBool() ? QStringLiteral("!")
                                                                            : QString());
        }
        QCOMPARE(said,
                 (QStringList{QStringLiteral("it"), QStringLiteral("it is"),
                              QStringLiteral("it is Ana"), QStringLiteral("it is Ana calling!")}));
        // The words follow the greeting's end; the verdict follows the answer.
        QVERIFY(order.indexOf(QStringLiteral("call.speak.ended")) <
                order.indexOf(QStringLiteral("call.transcription")));
        QVERIFY(order.indexOf(QStringLiteral("call.answered")) <
                order.indexOf(QStringLiteral("call.deepfake_detection.result")));
        const QJsonObject verdict =
            lastOf(id, QStringLiteral("call.deepfake_detection.result")).payload();
        QCOMPARE(verdict.value(QLatin1String("result")).toString(), QStringLiteral("fake"));
        QCOMPARE(verdict.value(QLatin1String("score")).toDouble(), 0.9);
        // Stopped: no more words.
        QCOMPARE(command(id, QStringLiteral("transcription_stop")).status, 200);
    }

    void aiGatherHearsNameAndReason()
    {
        InboundCallOptions options;
        options.screenWords = {QStringLiteral("This is Robin"), QStringLiteral("About the parcel")};
        options.screenName = QStringLiteral("Robin");
        options.screenReason = QStringLiteral("a parcel");
        options.screenWordMs = 5;
        options.screenStartsAfterMs = 5;
        const QString id = answeredCall(options);
        QVERIFY(!id.isEmpty());
        QCOMPARE(command(id, QStringLiteral("gather_using_ai"),
                         {{QStringLiteral("greeting"), QStringLiteral("Who is it?")},
                          {QStringLiteral("parameters"),
                           QJsonObject{{QStringLiteral("type"), QStringLiteral("object")}}}})
                     .status,
                 200);
        QTRY_COMPARE(typesFor(id).count(QStringLiteral("call.ai_gather.ended")), 1);
        QCOMPARE(typesFor(id).count(QStringLiteral("call.ai_gather.partial_results")), 1);
        const QJsonObject ended = lastOf(id, QStringLiteral("call.ai_gather.ended")).payload();
        QCOMPARE(ended.value(QLatin1String("status")).toString(), QStringLiteral("valid"));
        QCOMPARE(ended.value(QLatin1String("result")).toObject().value(QLatin1String("reason")),
                 QJsonValue(QStringLiteral("a parcel")));
        QCOMPARE(ended.value(QLatin1String("message_history")).toArray().size(), 2);
        QCOMPARE(command(id, QStringLiteral("gather_stop")).status, 200);
    }

    void duplicateCommandIdIsIgnored()
    {
        const QString id = answeredCall();
        const QJsonObject speak{
            {QStringLiteral("payload"), QStringLiteral("once")},
            {QStringLiteral("voice"), QStringLiteral("female")},
            {QStringLiteral("command_id"), QStringLiteral("891510ac-f3e4-11e8-af5b-de00688a4901")}};
        QCOMPARE(command(id, QStringLiteral("speak"), speak).status, 200);
        const Reply again = command(id, QStringLiteral("speak"), speak);
        QCOMPARE(again.status, 200);
        QCOMPARE(again.json, QJsonDocument::fromJson("{\"data\":{\"result\":\"ok\"}}").object());
        QTRY_COMPARE(typesFor(id).size(), 4);
        QTRY_VERIFY(m_sim->deliveriesIdle());
        QTest::qWait(150); // well past the speak: no second speak follows
        QCOMPARE(typesFor(id).count(QStringLiteral("call.speak.started")), 1);
        // The same command_id on another call is a different command.
        const QString other = answeredCall();
        QCOMPARE(command(other, QStringLiteral("speak"), speak).status, 200);
        QTRY_COMPARE(typesFor(other).count(QStringLiteral("call.speak.started")), 1);
    }

    void clientStateIsStoredAndEchoed()
    {
        const QString id = m_sim->startInboundCall(kCaller, kOwnerNumber);
        QCOMPARE(command(id, QStringLiteral("answer"),
                         {{QStringLiteral("client_state"), QStringLiteral("c3RlcDE=")}})
                     .status,
                 200);
        QCOMPARE(command(id, QStringLiteral("speak"),
                         {{QStringLiteral("payload"), QStringLiteral("x")},
                          {QStringLiteral("voice"), QStringLiteral("female")}})
                     .status,
                 200);
        QTRY_COMPARE(typesFor(id).size(), 4);
        QCOMPARE(command(id, QStringLiteral("hangup"),
                         {{QStringLiteral("client_state"), QStringLiteral("c3RlcDI=")}})
                     .status,
                 200);
        QTRY_COMPARE(typesFor(id).size(), 5);
        const QList<CollectedRequest> events = m_hooks->forCall(id);
        QVERIFY(events.at(0).payload().value(QLatin1String("client_state")).isNull());
        for (int i = 1; i < 4; ++i)
            QCOMPARE(events.at(i).payload().value(QLatin1String("client_state")).toString(),
                     QStringLiteral("c3RlcDE="));
        QCOMPARE(events.at(4).payload().value(QLatin1String("client_state")).toString(),
                 QStringLiteral("c3RlcDI="));
    }

    void noEventsAfterHangup()
    {
        m_sim->setSpeakDurationMs(100);
        const QString id = answeredCall();
        QCOMPARE(command(id, QStringLiteral("speak"),
                         {{QStringLiteral("payload"), QStringLiteral("x")},
                          {QStringLiteral("voice"), QStringLiteral("female")}})
                     .status,
                 200);
        QCOMPARE(command(id, QStringLiteral("hangup")).status, 200);
        QTRY_VERIFY(typesFor(id).contains(QStringLiteral("call.hangup")));
        QTest::qWait(250); // past the speak's natural end
        QCOMPARE(typesFor(id).last(), QStringLiteral("call.hangup"));
        QCOMPARE(typesFor(id).count(QStringLiteral("call.speak.ended")), 1);
    }

    void deliveryRetriesThenFailover()
    {
        WebhookCollector failover;
        QVERIFY(failover.start());
        m_sim->setFailoverUrl(failover.url(QStringLiteral("/failover")));
        m_sim->setDeliveryAttemptsPerUrl(2);
        m_hooks->setStatus(503);
        QSignalSpy delivered(m_sim.get(), &TelnyxSimulator::webhookDelivered);
        m_sim->startInboundCall(kCaller, kOwnerNumber);
        QVERIFY(failover.waitForCount(1));
        QCOMPARE(m_hooks->count(), 2);
        QCOMPARE(m_hooks->requests().at(0).attempt(), 1);
        QCOMPARE(m_hooks->requests().at(1).attempt(), 2);
        const CollectedRequest last = failover.requests().first();
        QCOMPARE(last.attempt(), 3);
        QCOMPARE(last.eventId(), m_hooks->requests().first().eventId());
        QCOMPARE(last.json()
                     .value(QLatin1String("meta"))
                     .toObject()
                     .value(QLatin1String("delivered_to"))
                     .toString(),
                 failover.url(QStringLiteral("/failover")).toString());
        QTRY_COMPARE(delivered.size(), 3);
        QCOMPARE(delivered.at(0).at(2).toInt(), 503);
        QCOMPARE(delivered.at(2).at(2).toInt(), 200);
        const QList<WebhookDelivery> log = m_sim->deliveries();
        QCOMPARE(log.size(), 3);
        QVERIFY(log.at(2).failover);
        // Each attempt is signed afresh over its own body.
        const WebhookVerifier verifier(m_sim->publicKey());
        QCOMPARE(verifier.verify(last.header("telnyx-timestamp"),
                                 last.header("telnyx-signature-ed25519"), last.body,
                                 QDateTime::currentSecsSinceEpoch()),
                 WebhookVerifier::Result::Valid);
    }

    void deliveryTimeoutIsRetried()
    {
        m_sim->setDeliveryTimeoutMs(500);
        m_hooks->dropNext(1);
        m_sim->startInboundCall(kCaller, kOwnerNumber);
        QVERIFY(m_hooks->waitForCount(2));
        QCOMPARE(m_hooks->requests().at(0).eventId(), m_hooks->requests().at(1).eventId());
        QCOMPARE(m_hooks->requests().at(1).attempt(), 2);
        QTRY_COMPARE(m_sim->deliveries().size(), 2);
        QCOMPARE(m_sim->deliveries().at(0).status, 0);
    }

    void duplicateDelivery()
    {
        m_sim->duplicateNextDeliveries(1);
        m_sim->startInboundCall(kCaller, kOwnerNumber);
        QVERIFY(m_hooks->waitForCount(2));
        QCOMPARE(m_hooks->requests().at(0).eventId(), m_hooks->requests().at(1).eventId());
        QCOMPARE(m_hooks->eventTypes(), (QStringList{"call.initiated", "call.initiated"}));
    }

    void outOfOrderDelivery()
    {
        const QString id = m_sim->startInboundCall(kCaller, kOwnerNumber);
        QVERIFY(m_hooks->waitForCount(1));
        m_sim->deliverOutOfOrderNext(1);
        QCOMPARE(command(id, QStringLiteral("answer")).status, 200);
        QCOMPARE(command(id, QStringLiteral("hangup")).status, 200);
        QVERIFY(m_hooks->waitForCount(3));
        QCOMPARE(m_hooks->eventTypes(),
                 (QStringList{"call.initiated", "call.hangup", "call.answered"}));
    }

    void lateDelivery()
    {
        m_sim->delayNextDeliveries(1, 300);
        const QString first = m_sim->startInboundCall(kCaller, kOwnerNumber);
        const QString second =
            m_sim->startInboundCall(QStringLiteral("+15551230002"), kOwnerNumber);
        QVERIFY(m_hooks->waitForCount(1));
        QCOMPARE(m_hooks->requests()
                     .first()
                     .payload()
                     .value(QLatin1String("call_control_id"))
                     .toString(),
                 second);
        QVERIFY(m_hooks->waitForCount(2));
        QCOMPARE(
            m_hooks->requests().at(1).payload().value(QLatin1String("call_control_id")).toString(),
            first);
    }

    void staleTimestampAndBadSignature()
    {
        const WebhookVerifier verifier(m_sim->publicKey());
        m_sim->staleTimestampNext(1);
        m_sim->badSignatureNext(1);
        m_sim->startInboundCall(kCaller, kOwnerNumber);
        m_sim->startInboundCall(kCaller, kOwnerNumber);
        QVERIFY(m_hooks->waitForCount(2));
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        const CollectedRequest first = m_hooks->requests().at(0);
        const CollectedRequest second = m_hooks->requests().at(1);
        // The first is both stale and badly signed; judge the signature with its own clock.
        QCOMPARE(verifier.verify(first.header("telnyx-timestamp"),
                                 first.header("telnyx-signature-ed25519"), first.body, now),
                 WebhookVerifier::Result::StaleTimestamp);
        QVERIFY(now - first.header("telnyx-timestamp").toLongLong() >= 590);
        QCOMPARE(verifier.verify(first.header("telnyx-timestamp"),
                                 first.header("telnyx-signature-ed25519"), first.body,
                                 first.header("telnyx-timestamp").toLongLong()),
                 WebhookVerifier::Result::BadSignature);
        QCOMPARE(verifier.verify(second.header("telnyx-timestamp"),
                                 second.header("telnyx-signature-ed25519"), second.body, now),
                 WebhookVerifier::Result::Valid);
    }

    void phoneNumbersPaging()
    {
        Reply r = send("GET", QStringLiteral("/phone_numbers"));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value(QLatin1String("data")).toArray().size(), 20);
        QCOMPARE(r.json.value(QLatin1String("meta")).toObject(),
                 QJsonDocument::fromJson(
                     "{\"page_number\":1,\"page_size\":20,\"total_pages\":2,\"total_results\":26}")
                     .object());

        r = send("GET", QStringLiteral("/phone_numbers?page[number]=3&page[size]=10"));
        QCOMPARE(r.status, 200);
        const QJsonArray data = r.json.value(QLatin1String("data")).toArray();
        QCOMPARE(data.size(), 6);
        QCOMPARE(r.json.value(QLatin1String("meta")).toObject(),
                 QJsonDocument::fromJson(
                     "{\"page_number\":3,\"page_size\":10,\"total_pages\":3,\"total_results\":26}")
                     .object());
        const QJsonObject record = data.first().toObject();
        QVERIFY(record.value(QLatin1String("id")).isString());
        QCOMPARE(record.value(QLatin1String("record_type")).toString(),
                 QStringLiteral("phone_number"));
        QCOMPARE(record.value(QLatin1String("connection_id")).toString(), m_sim->applicationId());

        // Percent-encoded brackets work the same.
        r = send("GET", QStringLiteral("/phone_numbers?page%5Bnumber%5D=2&page%5Bsize%5D=25"));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value(QLatin1String("data")).toArray().size(), 1);

        for (const char *size : {"0", "251", "x"}) {
            r = send("GET",
                     QStringLiteral("/phone_numbers?page[size]=%1").arg(QLatin1String(size)));
            QCOMPARE(r.status, 422);
            QCOMPARE(r.pointer(), QStringLiteral("/page[size]"));
        }

        r = send("GET", QStringLiteral("/phone_numbers?filter[connection_id]=nope"));
        QCOMPARE(r.json.value(QLatin1String("data")).toArray().size(), 0);
        QCOMPARE(r.json.value(QLatin1String("meta"))
                     .toObject()
                     .value(QLatin1String("total_results"))
                     .toInt(),
                 0);
        r = send(
            "GET",
            QStringLiteral(
                "/phone_numbers?filter[connection_id]=%1&filter[tag]=kevan.tel.x&page[size]=250")
                .arg(m_sim->applicationId()));
        QCOMPARE(r.json.value(QLatin1String("data")).toArray().size(), 26);

        m_sim->setPhoneNumbers({QStringLiteral("+15550000001"), QStringLiteral("+15550000002")});
        r = send("GET", QStringLiteral("/phone_numbers?page[size]=1&page[number]=2"));
        QCOMPARE(r.json.value(QLatin1String("data"))
                     .toArray()
                     .first()
                     .toObject()
                     .value(QLatin1String("phone_number"))
                     .toString(),
                 QStringLiteral("+15550000002"));
    }

    void applicationGetAndPatch()
    {
        const QString appPath =
            QStringLiteral("/call_control_applications/") + m_sim->applicationId();
        Reply r = send("GET", appPath);
        QCOMPARE(r.status, 200);
        QJsonObject app = r.json.value(QLatin1String("data")).toObject();
        QCOMPARE(app.value(QLatin1String("record_type")).toString(),
                 QStringLiteral("call_control_application"));
        QCOMPARE(app.value(QLatin1String("id")).toString(), m_sim->applicationId());
        QCOMPARE(app.value(QLatin1String("webhook_event_url")).toString(),
                 m_hooks->url().toString());

        QCOMPARE(send("GET", QStringLiteral("/call_control_applications/42")).status, 404);
        // (No raw string literals in this file: moc 6.4 does not tokenize them.)
        const QByteArray complete =
            "{\"application_name\":\"a\",\"webhook_event_url\":\"http://x\"}";
        r = send("PATCH", QStringLiteral("/call_control_applications/42"), complete);
        QCOMPARE(r.status, 404);
        r = send("PATCH", appPath, "{\"application_name\":\"kevan-tel\"}");
        QCOMPARE(r.status, 422);
        QCOMPARE(r.pointer(), QStringLiteral("/webhook_event_url"));
        const QByteArray nameless = "{\"webhook_event_url\":\"http://x\"}";
        r = send("PATCH", appPath, nameless);
        QCOMPARE(r.status, 422);
        QCOMPARE(r.pointer(), QStringLiteral("/application_name"));

        WebhookCollector moved;
        QVERIFY(moved.start());
        const QJsonObject patch{{QStringLiteral("application_name"), QStringLiteral("kevan-tel")},
                                {QStringLiteral("webhook_event_url"), moved.url().toString()},
                                {QStringLiteral("webhook_api_version"), QStringLiteral("2")},
                                {QStringLiteral("webhook_timeout_secs"), 5}};
        r = send("PATCH", appPath, QJsonDocument(patch).toJson(QJsonDocument::Compact));
        QCOMPARE(r.status, 200);
        app = r.json.value(QLatin1String("data")).toObject();
        QCOMPARE(app.value(QLatin1String("webhook_api_version")).toString(), QStringLiteral("2"));
        QCOMPARE(app.value(QLatin1String("webhook_event_url")).toString(), moved.url().toString());
        QCOMPARE(app.value(QLatin1String("webhook_timeout_secs")).toInt(), 5);
        QCOMPARE(m_sim->webhookUrl(), moved.url());

        m_sim->startInboundCall(kCaller, kOwnerNumber);
        QVERIFY(moved.waitForCount(1));
        QCOMPARE(m_hooks->count(), 0);

        // The failover URL: stored and returned; null reads back as "", the default; one
        // without a scheme is refused, naming the field.
        QJsonObject withFailover = patch;
        withFailover.insert(QStringLiteral("webhook_event_failover_url"),
                            QStringLiteral("https://calls-2.example.com/webhooks/telnyx"));
        r = send("PATCH", appPath, QJsonDocument(withFailover).toJson(QJsonDocument::Compact));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value(QLatin1String("data"))
                     .toObject()
                     .value(QLatin1String("webhook_event_failover_url"))
                     .toString(),
                 QStringLiteral("https://calls-2.example.com/webhooks/telnyx"));
        QCOMPARE(m_sim->failoverUrl().host(), QStringLiteral("calls-2.example.com"));
        withFailover.insert(QStringLiteral("webhook_event_failover_url"),
                            QStringLiteral("calls-3"));
        r = send("PATCH", appPath, QJsonDocument(withFailover).toJson(QJsonDocument::Compact));
        QCOMPARE(r.status, 422);
        QCOMPARE(r.pointer(), QStringLiteral("/webhook_event_failover_url"));
        QCOMPARE(m_sim->failoverUrl().host(), QStringLiteral("calls-2.example.com"));
        withFailover.insert(QStringLiteral("webhook_event_failover_url"), QJsonValue::Null);
        r = send("PATCH", appPath, QJsonDocument(withFailover).toJson(QJsonDocument::Compact));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value(QLatin1String("data"))
                     .toObject()
                     .value(QLatin1String("webhook_event_failover_url")),
                 QJsonValue(QString()));
        QVERIFY(m_sim->failoverUrl().isEmpty());
    }

    void rateLimitMode()
    {
        m_sim->setRateLimit(2, 60);
        Reply r = send("GET", QStringLiteral("/phone_numbers"));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("x-ratelimit-limit"), QByteArray("2"));
        QCOMPARE(r.header("x-ratelimit-remaining"), QByteArray("1"));
        QVERIFY(r.header("x-ratelimit-reset").toInt() > 0);
        QCOMPARE(send("GET", QStringLiteral("/phone_numbers")).status, 200);
        r = send("GET", QStringLiteral("/phone_numbers"));
        QCOMPARE(r.status, 429);
        QCOMPARE(
            r.body,
            QByteArray(
                "{\"errors\":[{\"code\":\"10011\",\"title\":\"Too many requests\","
                "\"detail\":\"You have exceeded the maximum number of allowed requests.\"}]}"));
        QCOMPARE(r.header("x-ratelimit-remaining"), QByteArray("0"));
        QVERIFY(r.header("Content-Type").startsWith("application/json"));
    }

    void longRunsStaySmall()
    {
        m_sim->behaviour().maxCalls = 3;
        m_sim->setLogLimit(2);
        const QString first = m_sim->startInboundCall(kCaller, kOwnerNumber);
        const QString second = m_sim->startInboundCall(kCaller, kOwnerNumber);
        const QString third = m_sim->startInboundCall(kCaller, kOwnerNumber);
        QVERIFY(m_sim->callerHangsUp(second));
        const QString fourth = m_sim->startInboundCall(kCaller, kOwnerNumber);
        QCOMPARE(m_sim->callIds(), (QStringList{first, third, fourth}));
        QCOMPARE(m_sim->callState(second), QString());
        QCOMPARE(m_sim->callState(first), QStringLiteral("parked"));
        for (int i = 0; i < 3; ++i)
            QCOMPARE(send("GET", QStringLiteral("/phone_numbers?page[size]=1")).status, 200);
        QCOMPARE(m_sim->requests().size(), 2);
        QTRY_COMPARE(m_hooks->count(), 5);
        QCOMPARE(m_sim->deliveries().size(), 2);
        QCOMPARE(m_sim->deliveries().last().eventType, QStringLiteral("call.initiated"));
        QTRY_COMPARE(m_sim->deliveries().last().status, 200);
    }

    void failureSwitches()
    {
        const QString id = m_sim->startInboundCall(kCaller, kOwnerNumber);
        m_sim->failNext(1, 502);
        QCOMPARE(command(id, QStringLiteral("answer")).status, 502);
        QCOMPARE(m_sim->callState(id),
                 QStringLiteral("parked")); // a failed request changes nothing
        m_sim->rateLimitNext(1, 7);
        const Reply limited = command(id, QStringLiteral("answer"));
        QCOMPARE(limited.status, 429);
        QCOMPARE(limited.header("x-ratelimit-reset"), QByteArray("7"));
        QCOMPARE(limited.code(), QStringLiteral("10011"));
        QCOMPARE(command(id, QStringLiteral("answer")).status, 200);
        QCOMPARE(m_sim->commands().size(), 3);
        QSignalSpy commands(m_sim.get(), &TelnyxSimulator::commandReceived);
        QCOMPARE(command(id, QStringLiteral("hangup")).status, 200);
        QCOMPARE(commands.size(), 1);
        QCOMPARE(commands.first().first().value<ReceivedRequest>().command,
                 QStringLiteral("hangup"));
    }
    void latencyDelaysAnswersAndNewConnections()
    {
        // Each answer 300 ms after its request (which takes effect at once).
        m_sim->setAnswerDelayMs(300);
        QElapsedTimer clock;
        clock.start();
        const QString id = m_sim->startInboundCall(kCaller, kOwnerNumber);
        const Reply r = command(id, QStringLiteral("answer"));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value(QLatin1String("data")).toObject().value(QLatin1String("result")),
                 QJsonValue(QStringLiteral("ok")));
        QVERIFY2(clock.elapsed() >= 290, qPrintable(QString::number(clock.elapsed())));
        QCOMPARE(m_sim->callState(id), QStringLiteral("answered"));
        const quint64 before = m_sim->connectionsAccepted();

        // A new connection is served 400 ms after it was opened; the answer still waits 300.
        m_sim->setConnectionDelayMs(400);
        clock.restart();
        QCOMPARE(getNumbers(), 200);
        QVERIFY2(clock.elapsed() >= 690, qPrintable(QString::number(clock.elapsed())));
        QCOMPARE(m_sim->connectionsAccepted(), before + 1);
    }

    void servesHttpsWithItsCertificate()
    {
        const TestCertificate tls = TestCertificate::generate();
        QVERIFY(!tls.certificate.isNull());
        m_sim = std::make_unique<TelnyxSimulator>();
        m_sim->setTls(tls.certificate, tls.key);
        QVERIFY(m_sim->start());
        QCOMPARE(m_sim->baseUrl().scheme(), QStringLiteral("https"));

        // Trusted: served. Not trusted: the client refuses the handshake, nothing is served.
        QCOMPARE(getNumbers(tls.certificate), 200);
        QNetworkReply::NetworkError error = QNetworkReply::NoError;
        QCOMPARE(getNumbers(QSslCertificate(), QNetworkProxy::NoProxy, &error), 0);
        QCOMPARE(error, QNetworkReply::SslHandshakeFailedError);
        QCOMPARE(m_sim->requests().size(), 1);

        // A slow handshake: the connection is served 350 ms late.
        m_sim->setTlsHandshakeDelayMs(350);
        QElapsedTimer clock;
        clock.start();
        QCOMPARE(getNumbers(tls.certificate), 200);
        QVERIFY2(clock.elapsed() >= 340, qPrintable(QString::number(clock.elapsed())));
        QCOMPARE(m_sim->requests().size(), 2);
    }

    void testProxyForwardsAndTunnels()
    {
        TestProxy proxy;
        QVERIFY(proxy.start());
        const QNetworkProxy viaProxy(QNetworkProxy::HttpProxy, QStringLiteral("127.0.0.1"),
                                     proxy.port());
        QCOMPARE(getNumbers(QSslCertificate(), viaProxy), 200);
        QCOMPARE(
            proxy.requests(),
            QStringList{QStringLiteral("GET %1/phone_numbers").arg(m_sim->baseUrl().toString())});
        QCOMPARE(m_sim->requests().last().path, QStringLiteral("/v2/phone_numbers"));

        const TestCertificate tls = TestCertificate::generate();
        m_sim = std::make_unique<TelnyxSimulator>();
        m_sim->setTls(tls.certificate, tls.key);
        QVERIFY(m_sim->start());
        QCOMPARE(getNumbers(tls.certificate, viaProxy), 200);
        QCOMPARE(proxy.requestCount(), 2);
        QCOMPARE(proxy.requests().last(),
                 QStringLiteral("CONNECT 127.0.0.1:%1").arg(m_sim->port()));
        QCOMPARE(m_sim->requests().size(), 1);
    }
};

QTEST_GUILESS_MAIN(TestTelnyxSimulator)
#include "tst_telnyxsimulator.moc"
