// SPDX-License-Identifier: GPL-3.0-or-later
// Self-registration wired into the running engine, end to end over HTTP: the webhook port's
// /register route (off and on, rate limits per client behind a trusted proxy), the call-in
// through the fake Telnyx (right and wrong code, the spoken confirmation or failure, the digits
// redacted), the owner's and the automatic approval writing the caller registry, and
// `{register_url}` in the rejection message.
#include "engine/config.h"
#include "engine/engine.h"
#include "enginefixture.h"
#include "registration/pendingregistration.h"
#include "registration/registrationservice.h"
#include "registrationtestkit.h"
#include "screening/screeningrepository.h"
#include "secretscan.h"
#include "simulator/telnyxsimulator.h"
#include "store/eventstore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using namespace kt;

namespace {
const QString Owner = QStringLiteral("+17702300635"); // one of the default number map's
const QString Phone = QStringLiteral("+18124040851");
const QString Namespace = QStringLiteral("alice.x");
constexpr int Timeout = 15000;

struct HttpAnswer
{
    int status = 0;
    QByteArray body;
    QJsonObject json;
    QList<QNetworkReply::RawHeaderPair> headers;
    QByteArray header(const QByteArray &name) const
    {
        for (const auto &h : headers) {
            if (h.first.compare(name, Qt::CaseInsensitive) == 0)
                return h.second;
        }
        return {};
    }
};
} // namespace

class TestSelfRegistration : public QObject, public test::EngineFixture
{
    Q_OBJECT

private:
    QNetworkAccessManager m_net;
    CertificateAuthority m_root;
    test::IssuedKey m_alice;

    Config config(bool on, const QString &approval = QStringLiteral("owner")) const
    {
        Config c = engineConfig(QStringLiteral("+14155550199"));
        c.selfRegistration = on;
        c.registrationApproval = approval;
        c.trustedProxies = {QStringLiteral("127.0.0.1")};
        return c;
    }

    bool startTrustingEngine(const Config &c)
    {
        return startEngine(c) &&
               m_engine->repository().trustRoot(m_root.certificate().toPem(), "test").ok;
    }

    HttpAnswer request(const QByteArray &method, const QString &path, const QJsonObject &body = {},
                       const QByteArray &forwardedFor = {})
    {
        QNetworkRequest r(QUrl(m_engine->url() + path));
        if (!forwardedFor.isEmpty())
            r.setRawHeader("X-Forwarded-For", forwardedFor);
        QNetworkReply *reply = nullptr;
        if (method == "POST") {
            r.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
            reply = m_net.post(r, QJsonDocument(body).toJson(QJsonDocument::Compact));
        } else {
            reply = m_net.get(r);
        }
        QSignalSpy done(reply, &QNetworkReply::finished);
        done.wait(Timeout);
        HttpAnswer a;
        a.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        a.body = reply->readAll();
        a.json = QJsonDocument::fromJson(a.body).object();
        a.headers = reply->rawHeaderPairs();
        reply->deleteLater();
        return a;
    }

    // The page's two steps over HTTP: a challenge, then the signed submission. The answer of
    // the submission: {status_token, code, number, code_expires_in}.
    QJsonObject submit(const QString &pin = QStringLiteral("4826"))
    {
        const HttpAnswer challenge = request(
            "POST", "/register/challenge", {{"namespace", Namespace}, {"phone", "(812) 404-0851"}});
        if (challenge.status != 200) {
            qWarning() << "challenge:" << challenge.status << challenge.body;
            return {};
        }
        const QByteArray signature =
            test::sign(m_alice.privateKeyPem, challenge.json.value("message").toString().toUtf8());
        const HttpAnswer submitted =
            request("POST", "/register/submit",
                    {{"challenge", challenge.json.value("challenge")},
                     {"certificate", QString::fromLatin1(m_alice.certificate.toPem())},
                     {"signature", QString::fromLatin1(signature.toBase64())},
                     {"pin", pin}});
        if (submitted.status != 200)
            qWarning() << "submit:" << submitted.status << submitted.body;
        return submitted.json;
    }

    QList<QJsonObject> commands(const QString &name) const
    {
        QList<QJsonObject> out;
        QSet<QString> seen;
        for (const ReceivedRequest &r : m_telnyx->commands()) {
            if (r.command == name && !seen.contains(r.commandId)) {
                seen.insert(r.commandId);
                out.append(r.json);
            }
        }
        return out;
    }
    void verifyNoSecret(const QString &secret)
    {
        for (const StoredEvent &e : m_engine->eventStore().events(EventQuery())) {
            const QByteArray text = QJsonDocument(e.payload).toJson(QJsonDocument::Compact);
            QVERIFY2(!test::showsSecret(text, secret), text.constData());
        }
    }

private slots:
    void initTestCase()
    {
        const QDateTime now = QDateTime::currentDateTimeUtc();
        m_root = CertificateAuthority::createRoot(QStringLiteral("Owner Root"), now.addYears(-1),
                                                  now.addYears(5));
        m_alice = test::issueEd25519(m_root, Namespace, now.addDays(-1), now.addYears(1));
        QVERIFY(!m_alice.certificate.isNull());
    }

    void init() { QVERIFY(setUp()); }

    void cleanup() { tearDown(); }

    void routeIsOffByDefault()
    {
        Config c = config(false);
        QVERIFY(!Config().selfRegistration);
        QVERIFY(startTrustingEngine(c));
        for (const QString &path : {QStringLiteral("/register"), QStringLiteral("/register/"),
                                    QStringLiteral("/register/register.js")}) {
            const HttpAnswer a = request("GET", path);
            QCOMPARE(a.status, 404);
            QCOMPARE(a.json.value("error").toString(), QStringLiteral("not_found"));
            QVERIFY(a.header("Content-Security-Policy").isEmpty());
        }
        QCOMPARE(request("POST", "/register/challenge", {{"namespace", Namespace}}).status, 404);
        // Approvals from the owner still work on registrations made while it was on.
        QVERIFY(m_engine->registrationService());
    }

    void routeServesThePageWhenOn()
    {
        QVERIFY(startTrustingEngine(config(true)));
        const HttpAnswer page = request("GET", "/register");
        QCOMPARE(page.status, 200);
        QVERIFY(page.body.contains("<html"));
        QVERIFY(page.header("Content-Security-Policy").contains("default-src 'none'"));
        QCOMPARE(page.header("X-Frame-Options"), QByteArray("DENY"));
        QCOMPARE(request("GET", "/register/register.css").status, 200);
        QCOMPARE(request("GET", "/register/nothing").status, 404);
        // Other unknown paths are still the server's plain 404, and Telnyx's path is untouched.
        const HttpAnswer other = request("GET", "/registerx");
        QCOMPARE(other.status, 404);
        QVERIFY(other.header("Content-Security-Policy").isEmpty());
        QCOMPARE(request("GET", "/webhooks/telnyx").status, 405);
        QCOMPARE(request("GET", "/health").status, 200);

        const QJsonObject submitted = submit();
        // One of the owner's numbers (the default number map), at random.
        QVERIFY(m_engine->repository().number(submitted.value("number").toString()));
        QCOMPARE(submitted.value("code").toString().size(), 6);
        const HttpAnswer status =
            request("GET", "/register/status/" + submitted.value("status_token").toString());
        QCOMPARE(status.status, 200);
        QCOMPARE(status.json.value("state").toString(), QStringLiteral("awaiting_call"));
        QCOMPARE(m_engine->eventStore().events(EventQuery{}).first().type,
                 QStringLiteral("tel.registration_submitted"));
    }

    void rateLimitIsPerClientBehindTrustedProxy()
    {
        QVERIFY(startTrustingEngine(config(true)));
        // Challenges and submissions: 10 per client, then 429 with Retry-After. The tunnel is
        // 127.0.0.1 (a trusted proxy here): each X-Forwarded-For is a client of its own.
        const QJsonObject body{{"namespace", Namespace}, {"phone", Phone}};
        for (int i = 0; i < 10; ++i)
            QCOMPARE(request("POST", "/register/challenge", body, "203.0.113.7").status, 200);
        const HttpAnswer limited = request("POST", "/register/challenge", body, "203.0.113.7");
        QCOMPARE(limited.status, 429);
        QVERIFY(limited.header("Retry-After").toInt() >= 1);
        QCOMPARE(request("POST", "/register/challenge", body, "198.51.100.9").status, 200);
    }

    void rateLimitIgnoresForwardedForFromUntrustedPeers()
    {
        Config c = config(true);
        c.trustedProxies.clear();
        QVERIFY(startTrustingEngine(c));
        const QJsonObject body{{"namespace", Namespace}, {"phone", Phone}};
        for (int i = 0; i < 10; ++i)
            QCOMPARE(request("POST", "/register/challenge", body,
                             QByteArray("203.0.113.") + QByteArray::number(i))
                         .status,
                     200);
        // The header is not believed: every request was the same client (the TCP peer).
        QCOMPARE(request("POST", "/register/challenge", body, "198.51.100.9").status, 429);
    }

    void callInWithTheRightCode()
    {
        QVERIFY(startTrustingEngine(config(true)));
        QSignalSpy proven(m_engine.get(), &Engine::registrationProven);
        const QJsonObject submitted = submit(QStringLiteral("4826"));
        const QString code = submitted.value("code").toString();
        QCOMPARE(code.size(), 6);

        InboundCallOptions options; // no STIR/SHAKEN verdict: the code is the proof
        options.gatherScript = {code};
        const QString ccid =
            m_telnyx->startInboundCall(Phone, submitted.value("number").toString(), options);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(ccid), QStringLiteral("ended"), Timeout);

        const QList<QJsonObject> gathers = commands(QStringLiteral("gather_using_speak"));
        QCOMPARE(gathers.size(), 1);
        QCOMPARE(gathers.first().value("minimum_digits").toInt(), 6);
        QCOMPARE(gathers.first().value("maximum_digits").toInt(), 6);
        QVERIFY(gathers.first().value("payload").toString().contains("six digit code"));
        const QList<QJsonObject> speaks = commands(QStringLiteral("speak"));
        QCOMPARE(speaks.size(), 1);
        QVERIFY(speaks.first().value("payload").toString().contains("Your phone is confirmed"));
        QCOMPARE(commands(QStringLiteral("hangup")).size(), 1);
        QCOMPARE(commands(QStringLiteral("transfer")).size(), 0);

        const auto call = record(ccid);
        QVERIFY(call);
        QCOMPARE(call->decision, QStringLiteral("challenge"));
        QCOMPARE(call->reason, QStringLiteral("registration_phone_proven"));

        QCOMPARE(proven.size(), 1);
        const QString id = proven.first().at(0).toString();
        QCOMPARE(proven.first().at(1).toString(), Namespace);
        QCOMPARE(proven.first().at(2).toString(), Phone);
        QCOMPARE(proven.first().at(3).toBool(), false);
        const auto pending = m_engine->registrationService()->registration(id);
        QVERIFY(pending);
        QCOMPARE(pending->state, PendingRegistration::State::AwaitingOwner);
        QVERIFY(!m_engine->repository().registration(Phone)); // not before the owner approves
        const HttpAnswer status =
            request("GET", "/register/status/" + submitted.value("status_token").toString());
        QCOMPARE(status.json.value("state").toString(), QStringLiteral("awaiting_owner"));

        // The code is nowhere in the log: the stored webhooks have the keys redacted.
        verifyNoSecret(code);
        QVERIFY(m_engine->eventStore().verify().ok);

        // The owner approves (what the dashboard's Approve runs in the engine thread).
        const auto approved = m_engine->registrationService()->approve(id, "owner");
        QVERIFY2(approved.ok, qPrintable(approved.error));
        const auto registered = m_engine->repository().registration(Phone);
        QVERIFY(registered);
        QCOMPARE(registered->nameSpace, Namespace);
        QVERIFY(registered->pinSet);
        QCOMPARE(m_engine->repository().checkPin(Phone, QStringLiteral("4826")).outcome,
                 PinCheck::Outcome::Right);
        QStringList types;
        for (const StoredEvent &e : m_engine->eventStore().events(EventQuery{}))
            types.append(e.type);
        QVERIFY(types.contains("tel.registration_phone_proven"));
        QVERIFY(types.contains("tel.registration_approved"));
        QVERIFY(types.contains("tel.registration_call_in"));
        verifyNoSecret(QStringLiteral("4826"));
        QCOMPARE(request("GET", "/register/status/" + submitted.value("status_token").toString())
                     .json.value("state")
                     .toString(),
                 QStringLiteral("approved"));

        // A later call from the phone is screened as usual: the PIN it chose is asked for.
        InboundCallOptions again;
        again.gatherScript = {QStringLiteral("4826#")};
        m_telnyx->clearRequests();
        const QString next = m_telnyx->startInboundCall(Phone, Owner, again);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(next), QStringLiteral("forwarded"), Timeout);
        QCOMPARE(record(next)->reason, QStringLiteral("registry_pin"));
        QCOMPARE(record(next)->namespaceName, Namespace);
    }

    void callInWithWrongCodes()
    {
        QVERIFY(startTrustingEngine(config(true)));
        QSignalSpy proven(m_engine.get(), &Engine::registrationProven);
        const QJsonObject submitted = submit();
        const QString code = submitted.value("code").toString();
        const QString wrong =
            code == QLatin1String("000000") ? QStringLiteral("111111") : QStringLiteral("000000");
        InboundCallOptions options;
        options.gatherScript = {wrong, QString(), wrong};
        const QString number = submitted.value("number").toString();
        const QString ccid = m_telnyx->startInboundCall(Phone, number, options);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(ccid), QStringLiteral("ended"), Timeout);

        QCOMPARE(commands(QStringLiteral("gather_using_speak")).size(), 3);
        QVERIFY(commands(QStringLiteral("gather_using_speak"))
                    .at(1)
                    .value("payload")
                    .toString()
                    .contains("not right"));
        const QList<QJsonObject> speaks = commands(QStringLiteral("speak"));
        QCOMPARE(speaks.size(), 1);
        QVERIFY(speaks.first().value("payload").toString().contains("start again"));
        const auto call = record(ccid);
        QCOMPARE(call->decision, QStringLiteral("rejected"));
        QCOMPARE(call->reason, QStringLiteral("registration_code_failed"));
        QCOMPARE(proven.size(), 0);
        const QList<PendingRegistration> open = m_engine->registrationService()->open();
        QCOMPARE(open.size(), 1);
        QCOMPARE(open.first().state, PendingRegistration::State::AwaitingCall);
        QCOMPARE(open.first().callInFailures, 2); // the timeout keyed nothing in
        QVERIFY(!m_engine->repository().registration(Phone));
        verifyNoSecret(wrong);
        verifyNoSecret(code);

        // Calling another of the owner's numbers is not a call-in: screened as usual.
        m_telnyx->clearRequests();
        const QString other = m_telnyx->startInboundCall(
            Phone, number == Owner ? QStringLiteral("+18886115384") : Owner);
        QTRY_VERIFY_WITH_TIMEOUT(record(other) && !record(other)->decision.isEmpty(), Timeout);
        QVERIFY(!record(other)->reason.startsWith(QLatin1String("registration_")));
    }

    void automaticApprovalRegistersAtOnce()
    {
        QVERIFY(startTrustingEngine(config(true, QStringLiteral("automatic"))));
        QSignalSpy proven(m_engine.get(), &Engine::registrationProven);
        const QJsonObject submitted = submit(QStringLiteral("55555"));
        InboundCallOptions options;
        options.gatherScript = {submitted.value("code").toString()};
        const QString ccid =
            m_telnyx->startInboundCall(Phone, submitted.value("number").toString(), options);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(ccid), QStringLiteral("ended"), Timeout);
        QCOMPARE(proven.size(), 1);
        QCOMPARE(proven.first().at(3).toBool(), true);
        QVERIFY(commands(QStringLiteral("speak"))
                    .first()
                    .value("payload")
                    .toString()
                    .contains("registered"));
        const auto registered = m_engine->repository().registration(Phone);
        QVERIFY(registered);
        QCOMPARE(registered->nameSpace, Namespace);
        QCOMPARE(m_engine->registrationService()
                     ->registration(proven.first().at(0).toString())
                     ->decidedBy,
                 QStringLiteral("engine"));
        QVERIFY(m_engine->registrationService()->open().isEmpty());
    }

    void restartMidCallIn()
    {
        const Config c = config(true);
        QVERIFY(startTrustingEngine(c));
        const QJsonObject submitted = submit();
        const QString code = submitted.value("code").toString();
        m_telnyx->setDeliveryAttemptsPerUrl(200);
        m_telnyx->setDeliveryRetryDelayMs(50);
        // The engine stops as the second prompt goes out (after a wrong first code); the
        // try's verdict is in the log, the stored webhook has the digits redacted.
        int gathers = 0;
        bool stopped = false;
        connect(m_telnyx.get(), &TelnyxSimulator::commandReceived, this,
                [this, &gathers, &stopped](const ReceivedRequest &r) {
                    if (r.command == QLatin1String("gather_using_speak") && ++gathers == 2 &&
                        !stopped) {
                        stopped = true;
                        QTimer::singleShot(0, this, [this] { m_engine.reset(); });
                    }
                });
        InboundCallOptions options;
        options.gatherScript = {code == QLatin1String("999999") ? QStringLiteral("888888")
                                                                : QStringLiteral("999999"),
                                code};
        const QString ccid =
            m_telnyx->startInboundCall(Phone, submitted.value("number").toString(), options);
        QTRY_VERIFY_WITH_TIMEOUT(stopped && !m_engine, Timeout);

        QVERIFY(startTrustingEngine(c));
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(ccid), QStringLiteral("ended"), Timeout);
        QCOMPARE(commands(QStringLiteral("gather_using_speak")).size(), 2);
        QCOMPARE(commands(QStringLiteral("speak")).size(), 1);
        QCOMPARE(record(ccid)->reason, QStringLiteral("registration_phone_proven"));
        const QList<PendingRegistration> open = m_engine->registrationService()->open();
        QCOMPARE(open.size(), 1);
        QCOMPARE(open.first().state, PendingRegistration::State::AwaitingOwner);
        QVERIFY(m_engine->eventStore().verify().ok);
    }

    void selfRegistrationOffTakesNoCallIn()
    {
        // A registration made while it was on; turned off, the phone's calls are screened.
        QVERIFY(startTrustingEngine(config(true)));
        const QJsonObject submitted = submit();
        const QString code = submitted.value("code").toString();
        QCOMPARE(code.size(), 6);
        m_engine.reset();
        QVERIFY(startTrustingEngine(config(false)));
        InboundCallOptions options;
        options.gatherScript = {code};
        const QString ccid =
            m_telnyx->startInboundCall(Phone, submitted.value("number").toString(), options);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(ccid), QStringLiteral("ended"), Timeout);
        QCOMPARE(record(ccid)->reason, QStringLiteral("unregistered"));
        QCOMPARE(commands(QStringLiteral("gather_using_speak")).size(), 0);
    }

    void rejectionMessageNamesThePage()
    {
        Config c = config(true);
        c.rejectionMessage = QStringLiteral("Only verified callers. Register at {register_url} .");
        QCOMPARE(Engine::rejectionMessageFor(c), QStringLiteral("Only verified callers. Register "
                                                                "at ."));
        QString error;
        QVERIFY(ConfigLoader::apply(c, {{"public-url", "https://calls.example.com/"}}, &error));
        QCOMPARE(c.publicUrl, QStringLiteral("https://calls.example.com"));
        QCOMPARE(Engine::rejectionMessageFor(c),
                 QStringLiteral("Only verified callers. Register at calls.example.com/register ."));
        c.selfRegistration = false;
        QCOMPARE(Engine::rejectionMessageFor(c),
                 QStringLiteral("Only verified callers. Register at ."));
        QVERIFY(!ConfigLoader::apply(c, {{"public-url", "ftp://x"}}, &error));
        QVERIFY(!ConfigLoader::apply(c, {{"public-url", "https://u:p@x.example"}}, &error));
        QVERIFY(!ConfigLoader::apply(c, {{"self-registration", "maybe"}}, &error));
        QVERIFY(!ConfigLoader::apply(c, {{"registration-approval", "nobody"}}, &error));
        QVERIFY(ConfigLoader::apply(
            c, {{"self-registration", "on"}, {"registration-approval", "automatic"}}, &error));
        QVERIFY(c.selfRegistration);
        QCOMPARE(c.registrationApproval, QStringLiteral("automatic"));

        // Over the wire: an unknown caller hears the page's address.
        c = config(true);
        c.rejectionMessage = QStringLiteral("Register at {register_url}, please.");
        c.publicUrl = QStringLiteral("https://calls.example.com");
        QVERIFY(startTrustingEngine(c));
        const QString ccid = m_telnyx->startInboundCall(QStringLiteral("+13125550142"), Owner);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(ccid), QStringLiteral("ended"), Timeout);
        QCOMPARE(commands(QStringLiteral("speak")).first().value("payload").toString(),
                 QStringLiteral("Register at calls.example.com/register, please."));
        // The desktop's tunnel going live changes it for the calls that follow.
        QMetaObject::invokeMethod(m_engine.get(), "setPublicUrl",
                                  Q_ARG(QString, QStringLiteral("https://new.example.net")));
        m_telnyx->clearRequests();
        const QString next = m_telnyx->startInboundCall(QStringLiteral("+13125550143"), Owner);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(next), QStringLiteral("ended"), Timeout);
        QCOMPARE(commands(QStringLiteral("speak")).first().value("payload").toString(),
                 QStringLiteral("Register at new.example.net/register, please."));
    }
};

QTEST_GUILESS_MAIN(TestSelfRegistration)
#include "tst_selfregistration.moc"
