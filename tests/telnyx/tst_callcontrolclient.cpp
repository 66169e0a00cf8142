// SPDX-License-Identifier: GPL-3.0-or-later
// The Call Control client against the Telnyx simulator on loopback.
#include "simulator/telnyxsimulator.h"
#include "simulatorfixture.h"
#include "telnyx/callcontrolclient.h"
#include "telnyx/proxyfactory.h"
#include "testcertificate.h"
#include "testproxy.h"
#include "webhookcollector.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonArray>
#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <QUrlQuery>
#include <QUuid>

#include <memory>

using namespace kt;

namespace {

bool isUuidV4(const QString &text)
{
    const QUuid id = QUuid::fromString(text);
    return !id.isNull() && id.version() == QUuid::Random && id.variant() == QUuid::DCE &&
           text == id.toString(QUuid::WithoutBraces);
}

const char *const kProxyVariables[] = {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY",
                                       "all_proxy",  "ALL_PROXY",  "no_proxy",    "NO_PROXY"};

// QNetworkAccessManager opens at most this many HTTP/1.1 connections per host.
constexpr quint64 kQtConnectionsPerHost = 6;

const QString kCaller = QStringLiteral("+15551230001");
const QString kOwnerNumber = QStringLiteral("+17702300635");

} // namespace

class TestCallControlClient : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TelnyxSimulator> m_sim;
    std::unique_ptr<WebhookCollector> m_hooks;
    std::unique_ptr<CallControlClient> m_client;
    QHash<quint64, CommandResult> m_results;
    TestCertificate m_tls;

    // The simulator again, serving HTTPS with the test certificate, which the client trusts.
    void restartWithTls(int handshakeDelayMs = 0)
    {
        m_sim = std::make_unique<TelnyxSimulator>();
        m_sim->setTls(m_tls.certificate, m_tls.key);
        m_sim->setTlsHandshakeDelayMs(handshakeDelayMs);
        QVERIFY(m_sim->start());
        m_sim->setWebhookUrl(m_hooks->url());
        m_sim->setEventDelayMs(1);
        m_client->setBaseUrl(m_sim->baseUrl());
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        ssl.addCaCertificate(m_tls.certificate);
        m_client->setSslConfiguration(ssl);
    }

    static RetryPolicy fastPolicy()
    {
        RetryPolicy policy;
        policy.baseDelayMs = 20;
        policy.maxDelayMs = 100;
        policy.responseTimeoutMs = 3000; // generous: only the timeout test relies on it
        policy.random = [] { return 0.5; };
        return policy;
    }

    CommandResult waitFor(quint64 handle, int timeoutMs = 10000)
    {
        if (!QTest::qWaitFor([&] { return m_results.contains(handle); }, timeoutMs))
            return {};
        return m_results.value(handle);
    }

    QString answeredCall()
    {
        const QString id = m_sim->startInboundCall(kCaller, kOwnerNumber);
        const CommandResult r = waitFor(m_client->answer(id));
        return r.ok ? id : QString();
    }

private slots:
    void initTestCase()
    {
        for (const char *name : kProxyVariables)
            qunsetenv(name);
        m_tls = TestCertificate::generate();
        QVERIFY(!m_tls.certificate.isNull());
        QVERIFY(!m_tls.key.isNull());
    }

    void init()
    {
        m_hooks = std::make_unique<WebhookCollector>();
        m_sim = test::startSimulatorInto(*m_hooks);
        QVERIFY(m_sim);
        m_sim->setSpeakDurationMs(30);
        m_client = std::make_unique<CallControlClient>();
        m_client->setBaseUrl(m_sim->baseUrl());
        m_client->setApiKey(m_sim->apiKey());
        m_client->setRetryPolicy(fastPolicy());
        m_results.clear();
        connect(m_client.get(), &CallControlClient::finished, this,
                [this](const CommandResult &r) { m_results.insert(r.handle, r); });
    }

    void cleanup()
    {
        for (const char *name : kProxyVariables)
            qunsetenv(name);
        m_client.reset();
        m_sim.reset();
        m_hooks.reset();
    }

    void answerSendsPathHeadersAndBody()
    {
        const QString id = m_sim->startInboundCall(kCaller, kOwnerNumber);
        QVERIFY(id.startsWith(QLatin1String("v3:")));
        const quint64 handle = m_client->answer(id, {QStringLiteral("YWJj"), {}});
        QVERIFY(handle > 0);
        QCOMPARE(m_client->pendingCount(), 1);
        const CommandResult r = waitFor(handle);
        QVERIFY2(r.ok, qPrintable(r.describe()));
        QCOMPARE(m_client->pendingCount(), 0);
        QCOMPARE(r.handle, handle);
        QCOMPARE(r.command, QStringLiteral("answer"));
        QCOMPARE(r.callControlId, id);
        QCOMPARE(r.httpStatus, 200);
        QCOMPARE(r.attempts, 1);
        QCOMPARE(r.data.value(QLatin1String("result")).toString(), QStringLiteral("ok"));
        QCOMPARE(r.describe(), QStringLiteral("answer ok"));

        const QList<ReceivedRequest> commands = m_sim->commands();
        QCOMPARE(commands.size(), 1);
        const ReceivedRequest &c = commands.first();
        QCOMPARE(c.method, QByteArray("POST"));
        // The id goes into the path raw: "v3:" keeps its colon.
        QCOMPARE(c.rawPath, QStringLiteral("/v2/calls/%1/actions/answer").arg(id));
        QCOMPARE(c.callControlId, id);
        QCOMPARE(c.header("Authorization"), "Bearer " + m_sim->apiKey().toUtf8());
        QVERIFY(c.header("Content-Type").startsWith("application/json"));
        QCOMPARE(c.header("Accept"), QByteArray("application/json"));
        QCOMPARE(c.json.value(QLatin1String("client_state")).toString(), QStringLiteral("YWJj"));
        QCOMPARE(c.commandId, r.commandId);
        QVERIFY2(isUuidV4(r.commandId), qPrintable(r.commandId));
        QCOMPARE(m_sim->callState(id), QStringLiteral("answered"));
    }

    void commandsShareOneKeepAliveConnection()
    {
        // One command after another (a call's usual course) goes over one connection to the
        // fake Telnyx: no connection set up per command, and only a few at once in a burst.
        const QString id = m_sim->startInboundCall(kCaller, kOwnerNumber);
        QVERIFY(waitFor(m_client->answer(id)).ok);
        QVERIFY(waitFor(m_client->speak(id, QStringLiteral("Hello"), QStringLiteral("female"))).ok);
        QVERIFY(waitFor(m_client->hangup(id)).ok);
        QCOMPARE(m_sim->connectionsAccepted(), 1u);

        QList<quint64> handles;
        for (int i = 0; i < 48; ++i)
            handles.append(m_client->answer(m_sim->startInboundCall(kCaller, kOwnerNumber)));
        for (const quint64 handle : std::as_const(handles))
            QVERIFY(waitFor(handle).ok);
        QVERIFY2(m_sim->connectionsAccepted() <= kQtConnectionsPerHost,
                 qPrintable(QString::number(m_sim->connectionsAccepted())));
    }

    void everyCommandSendsItsBody()
    {
        const QString id = answeredCall();
        QVERIFY(!id.isEmpty());
        const QString other = answeredCall();
        QVERIFY(!other.isEmpty());

        CommandResult r = waitFor(m_client->speak(
            id, QStringLiteral("Hello"), QStringLiteral("female"), QStringLiteral("en-US")));
        QVERIFY2(r.ok, qPrintable(r.describe()));
        QJsonObject body = m_sim->commands().last().json;
        QCOMPARE(m_sim->commands().last().command, QStringLiteral("speak"));
        QCOMPARE(body.value(QLatin1String("payload")).toString(), QStringLiteral("Hello"));
        QCOMPARE(body.value(QLatin1String("voice")).toString(), QStringLiteral("female"));
        QCOMPARE(body.value(QLatin1String("language")).toString(), QStringLiteral("en-US"));
        QVERIFY(!body.contains(QLatin1String("client_state")));

        GatherParams gather;
        gather.payload = QStringLiteral("Press 1");
        gather.voice = QStringLiteral("AWS.Polly.Joanna-Neural");
        gather.minimumDigits = 1;
        gather.maximumDigits = 4;
        gather.validDigits = QStringLiteral("0123456789");
        gather.terminatingDigit = QStringLiteral("#");
        r = waitFor(m_client->gatherUsingSpeak(id, gather));
        QVERIFY2(r.ok, qPrintable(r.describe()));
        body = m_sim->commands().last().json;
        QCOMPARE(m_sim->commands().last().command, QStringLiteral("gather_using_speak"));
        QCOMPARE(body.value(QLatin1String("payload")).toString(), gather.payload);
        QCOMPARE(body.value(QLatin1String("voice")).toString(), gather.voice);
        QCOMPARE(body.value(QLatin1String("minimum_digits")).toInt(), 1);
        QCOMPARE(body.value(QLatin1String("maximum_digits")).toInt(), 4);
        QCOMPARE(body.value(QLatin1String("valid_digits")).toString(), gather.validDigits);
        QCOMPARE(body.value(QLatin1String("terminating_digit")).toString(), QStringLiteral("#"));
        QVERIFY(!body.contains(QLatin1String("timeout_millis")));

        TransferParams transfer;
        transfer.to = QStringLiteral("+18886115384");
        transfer.from = kOwnerNumber;
        transfer.fromDisplayName = QStringLiteral("kevan.tel.x");
        transfer.timeoutSecs = 20;
        transfer.targetLegClientState = QStringLiteral("dGFyZ2V0");
        r = waitFor(m_client->transfer(id, transfer, {QStringLiteral("c3RhdGU="), {}}));
        QVERIFY2(r.ok, qPrintable(r.describe()));
        body = m_sim->commands().last().json;
        QCOMPARE(m_sim->commands().last().command, QStringLiteral("transfer"));
        QCOMPARE(body.value(QLatin1String("to")).toString(), transfer.to);
        QCOMPARE(body.value(QLatin1String("from")).toString(), transfer.from);
        QCOMPARE(body.value(QLatin1String("from_display_name")).toString(),
                 transfer.fromDisplayName);
        QCOMPARE(body.value(QLatin1String("timeout_secs")).toInt(), 20);
        QCOMPARE(body.value(QLatin1String("target_leg_client_state")).toString(),
                 transfer.targetLegClientState);
        QCOMPARE(body.value(QLatin1String("client_state")).toString(), QStringLiteral("c3RhdGU="));

        const QString third = answeredCall();
        r = waitFor(m_client->bridge(other, third));
        QVERIFY2(r.ok, qPrintable(r.describe()));
        QCOMPARE(m_sim->commands().last().command, QStringLiteral("bridge"));
        QCOMPARE(m_sim->commands().last().json.value(QLatin1String("call_control_id")).toString(),
                 third);

        r = waitFor(m_client->hangup(other));
        QVERIFY2(r.ok, qPrintable(r.describe()));
        QCOMPARE(m_sim->commands().last().command, QStringLiteral("hangup"));
        QCOMPARE(m_sim->commands().last().json.keys(), QStringList{QStringLiteral("command_id")});

        const QString parked = m_sim->startInboundCall(kCaller, kOwnerNumber);
        r = waitFor(m_client->reject(parked, RejectCause::UserBusy));
        QVERIFY2(r.ok, qPrintable(r.describe()));
        QCOMPARE(m_sim->commands().last().command, QStringLiteral("reject"));
        QCOMPARE(m_sim->commands().last().json.value(QLatin1String("cause")).toString(),
                 QStringLiteral("USER_BUSY"));
        r = waitFor(m_client->reject(m_sim->startInboundCall(kCaller, kOwnerNumber),
                                     RejectCause::CallRejected));
        QCOMPARE(m_sim->commands().last().json.value(QLatin1String("cause")).toString(),
                 QStringLiteral("CALL_REJECTED"));

        // Every command got its own v4 command_id.
        QSet<QString> ids;
        for (const ReceivedRequest &c : m_sim->commands()) {
            QVERIFY2(isUuidV4(c.commandId), qPrintable(c.commandId));
            ids.insert(c.commandId);
        }
        QCOMPARE(ids.size(), m_sim->commands().size());
    }

    void callerSuppliedCommandIdIsKept()
    {
        const QString id = m_sim->startInboundCall(kCaller, kOwnerNumber);
        const QString commandId = QStringLiteral("6b0d7f5e-3f52-4c1c-9a55-2f3f6c1b2a10");
        const CommandResult r = waitFor(m_client->answer(id, {{}, commandId}));
        QVERIFY(r.ok);
        QCOMPARE(r.commandId, commandId);
        QCOMPARE(m_sim->commands().last().commandId, commandId);
    }

    void retriesAfter500KeepTheCommandId()
    {
        const QString id = m_sim->startInboundCall(kCaller, kOwnerNumber);
        QSignalSpy failed(m_client.get(), &CallControlClient::attemptFailed);
        m_sim->failNext(2, 500);
        const quint64 handle = m_client->answer(id);
        const CommandResult r = waitFor(handle);
        QVERIFY2(r.ok, qPrintable(r.describe()));
        QCOMPARE(r.attempts, 3);
        const QList<ReceivedRequest> commands = m_sim->commands();
        QCOMPARE(commands.size(), 3);
        QCOMPARE(commands.at(0).status, 500);
        QCOMPARE(commands.at(1).status, 500);
        QCOMPARE(commands.at(2).status, 200);
        for (const ReceivedRequest &c : commands) {
            QCOMPARE(c.commandId, r.commandId);
            QCOMPARE(c.body, commands.first().body); // identical requests
        }
        QCOMPARE(failed.size(), 2);
        QCOMPARE(failed.at(0).at(0).toULongLong(), handle);
        QCOMPARE(failed.at(0).at(1).toInt(), 500);
        QCOMPARE(failed.at(0).at(4).toBool(), true);
    }

    void lostAnswerIsHedgedWithTheSameCommandId()
    {
        // The first request takes effect but its answer is lost: 500 ms after it went out, the
        // identical request follows, and its answer counts. One attempt, nothing failed.
        const QString id = m_sim->startInboundCall(kCaller, kOwnerNumber);
        QVERIFY(m_hooks->waitForCount(1));
        QSignalSpy failed(m_client.get(), &CallControlClient::attemptFailed);
        m_sim->timeoutNext(1);
        const CommandResult r = waitFor(m_client->answer(id));
        QVERIFY2(r.ok, qPrintable(r.describe()));
        QCOMPARE(r.attempts, 1);
        QCOMPARE(failed.size(), 0);
        const QList<ReceivedRequest> commands = m_sim->commands();
        QCOMPARE(commands.size(), 2);
        QCOMPARE(commands.at(0).status, 0);
        QCOMPARE(commands.at(1).status, 200);
        QCOMPARE(commands.at(0).commandId, r.commandId);
        QCOMPARE(commands.at(1).commandId, r.commandId);
        QCOMPARE(commands.at(1).body, commands.at(0).body);
        // The repeat was recognised by its command_id: one call.answered only.
        QTRY_COMPARE(m_hooks->eventTypes().count(QStringLiteral("call.answered")), 1);
        QTRY_VERIFY(m_sim->deliveriesIdle());
        QTest::qWait(100);
        QCOMPARE(m_hooks->eventTypes().count(QStringLiteral("call.answered")), 1);
    }

    void retriesAfterNoResponseKeepTheCommandId()
    {
        // Without the hedge: an attempt with no answer at all is given up and sent again.
        RetryPolicy policy = fastPolicy();
        policy.hedgeAfterMs = 0;
        policy.responseTimeoutMs = 800;
        m_client->setRetryPolicy(policy);
        const QString id = m_sim->startInboundCall(kCaller, kOwnerNumber);
        QVERIFY(m_hooks->waitForCount(1));
        QSignalSpy failed(m_client.get(), &CallControlClient::attemptFailed);
        m_sim->timeoutNext(1); // the answer takes effect, but its response is lost
        const CommandResult r = waitFor(m_client->answer(id));
        QVERIFY2(r.ok, qPrintable(r.describe()));
        QCOMPARE(r.attempts, 2);
        QCOMPARE(failed.size(), 1);
        QCOMPARE(failed.first().at(1).toInt(), 0);
        QCOMPARE(failed.first().at(3).toString(), QStringLiteral("no response within 800 ms"));
        const QList<ReceivedRequest> commands = m_sim->commands();
        QCOMPARE(commands.size(), 2);
        QCOMPARE(commands.at(0).status, 0);
        QCOMPARE(commands.at(1).status, 200);
        QCOMPARE(commands.at(0).commandId, r.commandId);
        QCOMPARE(commands.at(1).commandId, r.commandId);
        QTRY_COMPARE(m_hooks->eventTypes().count(QStringLiteral("call.answered")), 1);
    }

    void slowApiIsHedgedOnceWithTheSameCommandId()
    {
        // Telnyx 0.8 s away: the command is carried out, and reaches the server twice at most
        // (the request, and its hedge 500 ms after it went out), with one command_id.
        m_client->setRetryPolicy(RetryPolicy{});
        m_sim->setAnswerDelayMs(800);
        const QString id = m_sim->startInboundCall(kCaller, kOwnerNumber);
        QVERIFY(m_hooks->waitForCount(1));
        QSignalSpy failed(m_client.get(), &CallControlClient::attemptFailed);
        const CommandResult r = waitFor(m_client->answer(id));
        QVERIFY2(r.ok, qPrintable(r.describe()));
        QCOMPARE(r.attempts, 1);
        QCOMPARE(failed.size(), 0);
        const QList<ReceivedRequest> commands = m_sim->commands();
        QCOMPARE(commands.size(), 2);
        for (const ReceivedRequest &c : commands) {
            QCOMPARE(c.commandId, r.commandId);
            QCOMPARE(c.body, commands.first().body);
        }
        QCOMPARE(m_sim->callState(id), QStringLiteral("answered"));
        QTRY_COMPARE(m_hooks->eventTypes().count(QStringLiteral("call.answered")), 1);

        // The next commands find the connections open: still twice at most each.
        QVERIFY(waitFor(m_client->speak(id, QStringLiteral("Hi"), QStringLiteral("female"))).ok);
        QVERIFY(waitFor(m_client->hangup(id)).ok);
        QCOMPARE(m_sim->commands().size(), 6);
        QTest::qWait(1000); // the hedges' answers came after the first ones: nothing more
        QCOMPARE(m_sim->commands().size(), 6);
        QCOMPARE(failed.size(), 0);
    }

    void slowTlsHandshakeDoesNotCountAgainstTheHedge()
    {
        // 350 ms to connect (the TLS handshake), then an answer 300 ms after the request: the
        // request went out less than 500 ms before its answer, so no hedge, one connection.
        restartWithTls(350);
        m_client->setRetryPolicy(RetryPolicy{});
        m_sim->setAnswerDelayMs(300);
        const QString id = m_sim->startInboundCall(kCaller, kOwnerNumber);
        QSignalSpy failed(m_client.get(), &CallControlClient::attemptFailed);
        const CommandResult r = waitFor(m_client->answer(id));
        QVERIFY2(r.ok, qPrintable(r.describe()));
        QCOMPARE(r.attempts, 1);
        QCOMPARE(failed.size(), 0);
        QCOMPARE(m_sim->commands().size(), 1);
        QCOMPARE(m_sim->connectionsAccepted(), 1u);
        QVERIFY(m_sim->baseUrl().toString().startsWith(QLatin1String("https://")));
    }

    void tlsVerificationStaysOn()
    {
        // A certificate the client was not told to trust: refused, never retried into success.
        restartWithTls();
        m_client->setSslConfiguration(QSslConfiguration::defaultConfiguration());
        const CommandResult r =
            waitFor(m_client->answer(m_sim->startInboundCall(kCaller, kOwnerNumber)));
        QVERIFY(!r.ok);
        QCOMPARE(r.httpStatus, 0);
        QCOMPARE(r.attempts, 1);
        QVERIFY(m_sim->commands().isEmpty());
    }

    void commandsGoThroughAnExplicitProxy()
    {
        TestProxy proxy;
        QVERIFY(proxy.start());
        m_client->setProxy(
            QNetworkProxy(QNetworkProxy::HttpProxy, QStringLiteral("127.0.0.1"), proxy.port()));
        // Plain HTTP: forwarded.
        const QString id = m_sim->startInboundCall(kCaller, kOwnerNumber);
        CommandResult r = waitFor(m_client->answer(id));
        QVERIFY2(r.ok, qPrintable(r.describe()));
        QCOMPARE(proxy.requests(), QStringList{QStringLiteral("POST %1/calls/%2/actions/answer")
                                                   .arg(m_sim->baseUrl().toString(), id)});
        QCOMPARE(m_sim->commands().last().commandId, r.commandId);

        // HTTPS: tunnelled with CONNECT, the certificate still verified end to end.
        restartWithTls();
        const QString other = m_sim->startInboundCall(kCaller, kOwnerNumber);
        r = waitFor(m_client->answer(other));
        QVERIFY2(r.ok, qPrintable(r.describe()));
        QCOMPARE(proxy.requests().size(), 2);
        QCOMPARE(proxy.requests().last(),
                 QStringLiteral("CONNECT 127.0.0.1:%1").arg(m_sim->port()));
        QCOMPARE(m_sim->commands().size(), 1);
    }

    void commandsGoThroughTheEnvironmentsProxy_data()
    {
        QTest::addColumn<QByteArray>("variable");
        QTest::addColumn<bool>("tls");
        QTest::newRow("https_proxy") << QByteArray("https_proxy") << true;
        QTest::newRow("HTTPS_PROXY") << QByteArray("HTTPS_PROXY") << true;
        QTest::newRow("all_proxy") << QByteArray("all_proxy") << true;
        QTest::newRow("http_proxy") << QByteArray("http_proxy") << false;
        QTest::newRow("HTTP_PROXY") << QByteArray("HTTP_PROXY") << false;
    }

    void commandsGoThroughTheEnvironmentsProxy()
    {
        QFETCH(QByteArray, variable);
        QFETCH(bool, tls);
        TestProxy proxy;
        QVERIFY(proxy.start());
        // Set before the client makes its first request: read at every query.
        qputenv(variable.constData(), QByteArray::number(proxy.port()).prepend("127.0.0.1:"));
        m_client->setProxyLoopback(true); // the fake Telnyx is on loopback too
        if (tls)
            restartWithTls();
        const CommandResult r =
            waitFor(m_client->answer(m_sim->startInboundCall(kCaller, kOwnerNumber)));
        QVERIFY2(r.ok, qPrintable(r.describe()));
        QCOMPARE(proxy.requestCount(), 1);
        QVERIFY(
            proxy.requests().first().startsWith(QLatin1String(tls ? "CONNECT " : "POST http://")));
    }

    void noProxyBypassesTheProxy_data()
    {
        QTest::addColumn<QByteArray>("noProxy");
        QTest::newRow("address") << QByteArray("example.com,127.0.0.1");
        QTest::newRow("range") << QByteArray("10.0.0.0/8, 127.0.0.0/8");
        QTest::newRow("star") << QByteArray("*");
        QTest::newRow("NO_PROXY") << QByteArray("upper:127.0.0.1");
    }

    void noProxyBypassesTheProxy()
    {
        QFETCH(QByteArray, noProxy);
        TestProxy proxy;
        QVERIFY(proxy.start());
        qputenv("https_proxy", proxy.url().toEncoded());
        if (noProxy.startsWith("upper:"))
            qputenv("NO_PROXY", noProxy.mid(6));
        else
            qputenv("no_proxy", noProxy);
        m_client->setProxyLoopback(true);
        restartWithTls();
        const CommandResult r =
            waitFor(m_client->answer(m_sim->startInboundCall(kCaller, kOwnerNumber)));
        QVERIFY2(r.ok, qPrintable(r.describe()));
        QCOMPARE(proxy.requestCount(), 0);
        QCOMPARE(m_sim->commands().size(), 1);
    }

    void loopbackGoesDirectByDefault()
    {
        TestProxy proxy;
        QVERIFY(proxy.start());
        qputenv("http_proxy", proxy.url().toEncoded());
        QVERIFY(waitFor(m_client->answer(m_sim->startInboundCall(kCaller, kOwnerNumber))).ok);
        QCOMPARE(proxy.requestCount(), 0);
    }

    void noProxyRules_data()
    {
        QTest::addColumn<QByteArray>("noProxy");
        QTest::addColumn<QString>("host");
        QTest::addColumn<int>("port");
        QTest::addColumn<bool>("exempt");
        QTest::newRow("empty") << QByteArray() << "api.telnyx.com" << 443 << false;
        QTest::newRow("star") << QByteArray("*") << "api.telnyx.com" << 443 << true;
        QTest::newRow("domain") << QByteArray("telnyx.com") << "api.telnyx.com" << 443 << true;
        QTest::newRow("itself") << QByteArray("telnyx.com") << "telnyx.com" << 443 << true;
        QTest::newRow("dot") << QByteArray(".telnyx.com") << "api.telnyx.com" << 443 << true;
        QTest::newRow("wildcard") << QByteArray("*.telnyx.com") << "api.telnyx.com" << 443 << true;
        QTest::newRow("suffix only") << QByteArray("lnyx.com") << "api.telnyx.com" << 443 << false;
        QTest::newRow("case") << QByteArray("API.Telnyx.COM") << "api.telnyx.com" << 443 << true;
        QTest::newRow("port match")
            << QByteArray("telnyx.com:443") << "api.telnyx.com" << 443 << true;
        QTest::newRow("port other")
            << QByteArray("telnyx.com:80") << "api.telnyx.com" << 443 << false;
        QTest::newRow("list") << QByteArray("localhost, example.org ,telnyx.com")
                              << "api.telnyx.com" << 443 << true;
        QTest::newRow("cidr") << QByteArray("192.168.0.0/16") << "192.168.4.2" << 443 << true;
        QTest::newRow("cidr out") << QByteArray("192.168.0.0/16") << "192.169.4.2" << 443 << false;
        QTest::newRow("ip") << QByteArray("10.1.2.3") << "10.1.2.3" << 443 << true;
        QTest::newRow("ip vs name") << QByteArray("10.1.2.3") << "api.telnyx.com" << 443 << false;
        QTest::newRow("v6") << QByteArray("[2001:db8::1]:443") << "2001:db8::1" << 443 << true;
        QTest::newRow("v6 range") << QByteArray("2001:db8::/32") << "2001:db8::7" << 443 << true;
    }

    void noProxyRules()
    {
        QFETCH(QByteArray, noProxy);
        QFETCH(QString, host);
        QFETCH(int, port);
        QFETCH(bool, exempt);
        QCOMPARE(ProxyFactory::isExempt(noProxy, host, port), exempt);
    }

    void proxyValues()
    {
        bool ok = false;
        QNetworkProxy p = ProxyFactory::parseProxy("proxy.corp:3128", &ok);
        QVERIFY(ok);
        QCOMPARE(p.type(), QNetworkProxy::HttpProxy);
        QCOMPARE(p.hostName(), QStringLiteral("proxy.corp"));
        QCOMPARE(p.port(), quint16(3128));
        p = ProxyFactory::parseProxy("http://me:p%40ss@proxy.corp:8080/", &ok);
        QVERIFY(ok);
        QCOMPARE(p.user(), QStringLiteral("me"));
        QCOMPARE(p.password(), QStringLiteral("p@ss"));
        p = ProxyFactory::parseProxy("socks5h://127.0.0.1:1080", &ok);
        QVERIFY(ok);
        QCOMPARE(p.type(), QNetworkProxy::Socks5Proxy);
        ProxyFactory::parseProxy("https://proxy.corp:443", &ok); // Qt cannot speak TLS to it
        QVERIFY(!ok);
        ProxyFactory::parseProxy("http://", &ok);
        QVERIFY(!ok);
    }

    void plainHttpToARemoteHostIsRefused()
    {
        QCOMPARE(
            CallControlClient::baseUrlProblem(QUrl(QStringLiteral("https://api.telnyx.com/v2"))),
            QString());
        for (const char *ok : {"http://127.0.0.1:9/v2", "http://127.8.9.10/v2", "http://[::1]:9/v2",
                               "http://localhost:9/v2"})
            QVERIFY2(CallControlClient::baseUrlProblem(QUrl(QString::fromLatin1(ok))).isEmpty(),
                     ok);
        for (const char *bad :
             {"http://api.telnyx.com/v2", "http://10.0.0.1/v2", "http://[2001:db8::1]/v2",
              "http://localhost.example.com/v2", "ftp://127.0.0.1/v2", "api.telnyx.com/v2"})
            QVERIFY2(!CallControlClient::baseUrlProblem(QUrl(QString::fromLatin1(bad))).isEmpty(),
                     bad);

        // Nothing leaves, not even to a proxy that would carry it.
        TestProxy proxy;
        QVERIFY(proxy.start());
        m_client->setProxy(
            QNetworkProxy(QNetworkProxy::HttpProxy, QStringLiteral("127.0.0.1"), proxy.port()));
        m_client->setBaseUrl(QUrl(QStringLiteral("http://api.telnyx.com/v2")));
        QSignalSpy failed(m_client.get(), &CallControlClient::attemptFailed);
        const quint64 handle = m_client->answer(QStringLiteral("v3:x"));
        QVERIFY(!m_results.contains(handle)); // reported later, like any outcome
        const CommandResult r = waitFor(handle);
        QVERIFY(!r.ok);
        QCOMPARE(r.attempts, 0);
        QCOMPARE(r.httpStatus, 0);
        QVERIFY2(r.describe().startsWith(QLatin1String("answer failed: not sent: plain http")),
                 qPrintable(r.describe()));
        QVERIFY(r.describe().contains(QLatin1String("in clear")));
        QCOMPARE(failed.size(), 0);
        QTest::qWait(100);
        QCOMPARE(proxy.requestCount(), 0);
    }

    void givesUpAfterTheTotalBudget()
    {
        // 5xx again and again: retried with back-off and the same command_id until the budget
        // is spent, then the last status is reported.
        RetryPolicy policy = fastPolicy();
        policy.totalBudgetMs = 1500;
        policy.baseDelayMs = 100;
        policy.maxDelayMs = 400;
        m_client->setRetryPolicy(policy);
        m_sim->failNext(1000, 503);
        QSignalSpy failed(m_client.get(), &CallControlClient::attemptFailed);
        QElapsedTimer clock;
        clock.start();
        const CommandResult r =
            waitFor(m_client->answer(m_sim->startInboundCall(kCaller, kOwnerNumber)));
        QVERIFY(!r.ok);
        // The last 503, or (on a slow machine) the attempt in flight when the budget ran out.
        QVERIFY2(
            r.httpStatus == 503 ||
                (r.httpStatus == 0 && r.errorTitle == QLatin1String("no response within 1500 ms")),
            qPrintable(r.describe()));
        QVERIFY2(r.attempts >= 3, qPrintable(r.describe()));
        QVERIFY(m_sim->commands().size() <= r.attempts);
        QVERIFY(m_sim->commands().size() >= r.attempts - (r.httpStatus == 0 ? 1 : 0));
        for (const ReceivedRequest &c : m_sim->commands())
            QCOMPARE(c.commandId, r.commandId);
        QCOMPARE(failed.size(), r.attempts);
        QCOMPARE(failed.last().at(4).toBool(), false);
        for (int i = 0; i + 1 < failed.size(); ++i)
            QVERIFY(failed.at(i).at(4).toBool());
        // No attempt started after the budget.
        const QList<ReceivedRequest> sent = m_sim->commands();
        QVERIFY(sent.first().receivedAt.msecsTo(sent.last().receivedAt) < policy.totalBudgetMs);
        QVERIFY(clock.elapsed() >= policy.totalBudgetMs - policy.maxDelayMs * 1.2 - 100);
    }

    void unansweredCommandIsSentTwiceThenGivenUp()
    {
        // An API that never answers: the request and its hedge, nothing more, then given up
        // when the budget is spent.
        RetryPolicy policy = fastPolicy();
        policy.totalBudgetMs = 1500;
        policy.responseTimeoutMs = 60000;
        m_client->setRetryPolicy(policy);
        m_sim->timeoutNext(1000);
        const CommandResult lost =
            waitFor(m_client->hangup(m_sim->startInboundCall(kCaller, kOwnerNumber)));
        QVERIFY(!lost.ok);
        QCOMPARE(lost.httpStatus, 0);
        QCOMPARE(lost.attempts, 1);
        QCOMPARE(lost.errorTitle, QStringLiteral("no response within 1500 ms"));
        QCOMPARE(m_sim->commands().size(), 2);
        QCOMPARE(m_sim->commands().at(0).commandId, lost.commandId);
        QCOMPARE(m_sim->commands().at(1).commandId, lost.commandId);
    }

    void retriesAfter429WaitForTheReset()
    {
        const QString id = m_sim->startInboundCall(kCaller, kOwnerNumber);
        QSignalSpy failed(m_client.get(), &CallControlClient::attemptFailed);
        m_sim->rateLimitNext(1, 1); // x-ratelimit-reset: 1 (second)
        QElapsedTimer clock;
        clock.start();
        const CommandResult r = waitFor(m_client->answer(id));
        const qint64 elapsed = clock.elapsed();
        QVERIFY2(r.ok, qPrintable(r.describe()));
        QCOMPARE(r.attempts, 2);
        QVERIFY2(elapsed >= 950, qPrintable(QString::number(elapsed)));
        QCOMPARE(failed.size(), 1);
        QCOMPARE(failed.first().at(1).toInt(), 429);
        QCOMPARE(failed.first().at(2).toString(), QStringLiteral("10011"));
        QCOMPARE(failed.first().at(3).toString(), QStringLiteral("Too many requests"));
        const QList<ReceivedRequest> commands = m_sim->commands();
        QCOMPARE(commands.size(), 2);
        QCOMPARE(commands.at(0).status, 429);
        QCOMPARE(commands.at(0).commandId, commands.at(1).commandId);
    }

    void unprocessableIsNotRetried()
    {
        const QString id = m_sim->startInboundCall(kCaller, kOwnerNumber);
        QSignalSpy failed(m_client.get(), &CallControlClient::attemptFailed);
        const CommandResult r =
            waitFor(m_client->speak(id, QStringLiteral("Hi"), QStringLiteral("female")));
        QVERIFY(!r.ok);
        QCOMPARE(r.httpStatus, 422);
        QCOMPARE(r.attempts, 1);
        QCOMPARE(r.errorCode, QStringLiteral("90034"));
        QCOMPARE(r.errorTitle, QStringLiteral("Call not answered yet"));
        QVERIFY(r.errorDetail.contains(QLatin1String("not been answered")));
        QVERIFY(!r.callEnded);
        QCOMPARE(r.describe(), QStringLiteral("speak failed: 422 90034 Call not answered yet"));
        QCOMPARE(m_sim->commands().size(), 1);
        QCOMPARE(failed.size(), 1);
        QCOMPARE(failed.first().at(4).toBool(), false);
    }

    void callEndedSetsTheFlag()
    {
        const QString id = answeredCall();
        QVERIFY(waitFor(m_client->hangup(id)).ok);
        const CommandResult r =
            waitFor(m_client->speak(id, QStringLiteral("Hi"), QStringLiteral("female")));
        QVERIFY(!r.ok);
        QVERIFY(r.callEnded);
        QCOMPARE(r.httpStatus, 422);
        QCOMPARE(r.errorCode, QStringLiteral("90018"));
        QCOMPARE(r.errorTitle, QStringLiteral("Call has already ended"));
        QCOMPARE(r.attempts, 1);
    }

    void unknownIdGoesIntoThePathEncodedOnlyWhereNeeded()
    {
        const QString odd = QStringLiteral("v3:ab c/d%e-_~");
        const CommandResult r = waitFor(m_client->answer(odd));
        QVERIFY(!r.ok);
        QCOMPARE(r.httpStatus, 422);
        QCOMPARE(r.errorCode, QStringLiteral("90015"));
        QCOMPARE(r.attempts, 1);
        const ReceivedRequest c = m_sim->commands().last();
        QCOMPARE(c.callControlId, odd);
        QCOMPARE(c.rawPath, QStringLiteral("/v2/calls/v3:ab%20c%2Fd%25e-_~/actions/answer"));
    }

    void unauthorizedSurfaces10009WithoutTheKey()
    {
        const QString key = QStringLiteral("KEY0123_wrong_secret_value");
        m_client->setApiKey(key);
        const QString id = m_sim->startInboundCall(kCaller, kOwnerNumber);
        const CommandResult r = waitFor(m_client->answer(id));
        QVERIFY(!r.ok);
        QCOMPARE(r.httpStatus, 401);
        QCOMPARE(r.errorCode, QStringLiteral("10009"));
        QCOMPARE(r.errorTitle, QStringLiteral("Authentication failed"));
        QCOMPARE(r.attempts, 1);
        for (const QString &text : {r.describe(), r.errorTitle, r.errorDetail})
            QVERIFY(!text.contains(key));
    }

    void apiKeyNeverInErrorTexts()
    {
        // A server that echoes the key back in its error body.
        const QString key = QStringLiteral("KEY9876_very_secret_value");
        WebhookCollector echo;
        QVERIFY(echo.start());
        echo.setStatus(400);
        echo.setResponseBody(
            QStringLiteral("{\"errors\":[{\"code\":\"10015\",\"title\":\"Bad key %1\","
                           "\"detail\":\"Authorization: Bearer %1\"}]}")
                .arg(key)
                .toUtf8());
        m_client->setBaseUrl(echo.url(QStringLiteral("/v2")));
        m_client->setApiKey(key);
        CommandResult r = waitFor(m_client->answer(QStringLiteral("v3:x")));
        QVERIFY(!r.ok);
        QCOMPARE(r.httpStatus, 400);
        QCOMPARE(r.errorCode, QStringLiteral("10015"));
        QCOMPARE(echo.requests().first().header("Authorization"), "Bearer " + key.toUtf8());
        for (const QString &text : {r.describe(), r.errorTitle, r.errorDetail})
            QVERIFY2(!text.contains(key), qPrintable(text));
        QVERIFY(r.errorDetail.contains(QLatin1String("[redacted]")));

        // No server at all: a transport error, retried, and still no key.
        quint16 closedPort = 0;
        {
            WebhookCollector gone;
            QVERIFY(gone.start());
            closedPort = gone.port();
        }
        RetryPolicy policy = fastPolicy();
        policy.maxAttempts = 2;
        m_client->setRetryPolicy(policy);
        m_client->setBaseUrl(QUrl(QStringLiteral("http://127.0.0.1:%1/v2").arg(closedPort)));
        r = waitFor(m_client->hangup(QStringLiteral("v3:y")));
        QVERIFY(!r.ok);
        QCOMPARE(r.httpStatus, 0);
        QCOMPARE(r.attempts, 2);
        QVERIFY(!r.errorTitle.isEmpty());
        QVERIFY(r.describe().startsWith(QLatin1String("hangup failed: no response")));
        for (const QString &text : {r.describe(), r.errorTitle, r.errorDetail})
            QVERIFY2(!text.contains(key), qPrintable(text));
    }

    void exhaustedRetriesReportTheLastStatus()
    {
        RetryPolicy policy = fastPolicy();
        policy.maxAttempts = 3;
        m_client->setRetryPolicy(policy);
        const QString id = m_sim->startInboundCall(kCaller, kOwnerNumber);
        m_sim->failNext(10, 503);
        const CommandResult r = waitFor(m_client->answer(id));
        QVERIFY(!r.ok);
        QCOMPARE(r.attempts, 3);
        QCOMPARE(r.httpStatus, 503);
        QCOMPARE(m_sim->commands().size(), 3);
        QVERIFY2(r.describe().startsWith(QLatin1String("answer failed: 503")),
                 qPrintable(r.describe()));
        QVERIFY(r.describe().endsWith(QLatin1String("after 3 attempts")));
    }

    void cancelForCallStopsRetries()
    {
        RetryPolicy policy = fastPolicy();
        policy.baseDelayMs = 1000;
        policy.maxDelayMs = 1000;
        m_client->setRetryPolicy(policy);
        const QString id = m_sim->startInboundCall(kCaller, kOwnerNumber);
        const QString other = m_sim->startInboundCall(kCaller, kOwnerNumber);
        QSignalSpy failed(m_client.get(), &CallControlClient::attemptFailed);
        m_sim->failNext(1, 500);
        const quint64 handle = m_client->answer(id);
        QTRY_COMPARE(failed.size(), 1);
        QCOMPARE(m_client->pendingCount(), 1);
        QCOMPARE(m_client->cancelForCall(other), 0);
        QCOMPARE(m_client->cancelForCall(id), 1);
        QCOMPARE(m_client->pendingCount(), 0);
        QVERIFY(m_results.contains(handle));
        const CommandResult r = m_results.value(handle);
        QVERIFY(r.cancelled);
        QVERIFY(!r.ok);
        QTest::qWait(1200); // past the retry delay: nothing more is sent
        QCOMPARE(m_sim->commands().size(), 1);
        QCOMPARE(m_sim->callState(id), QStringLiteral("parked"));
    }

    void listPhoneNumbersFetchesEveryPage()
    {
        QSignalSpy listed(m_client.get(), &CallControlClient::phoneNumbersListed);
        m_client->listPhoneNumbers(10);
        QTRY_COMPARE(listed.size(), 1);
        QVERIFY(listed.first().at(0).toBool());
        const auto records = listed.first().at(1).value<QList<QJsonObject>>();
        QCOMPARE(records.size(), 26);
        QSet<QString> numbers;
        for (const QJsonObject &record : records) {
            QVERIFY(record.value(QLatin1String("id")).isString());
            numbers.insert(record.value(QLatin1String("phone_number")).toString());
        }
        QCOMPARE(numbers.size(), 26);
        QVERIFY(numbers.contains(kOwnerNumber));

        const QList<ReceivedRequest> requests = m_sim->requests();
        QCOMPARE(requests.size(), 3);
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(requests.at(i).method, QByteArray("GET"));
            QCOMPARE(requests.at(i).path, QStringLiteral("/v2/phone_numbers"));
            const QUrlQuery query(requests.at(i).query);
            QCOMPARE(query.queryItemValue(QStringLiteral("page[number]")), QString::number(i + 1));
            QCOMPARE(query.queryItemValue(QStringLiteral("page[size]")), QStringLiteral("10"));
            QCOMPARE(requests.at(i).header("Authorization"), "Bearer " + m_sim->apiKey().toUtf8());
        }
    }

    void listPhoneNumbersRetriesAndFails()
    {
        QSignalSpy listed(m_client.get(), &CallControlClient::phoneNumbersListed);
        m_sim->failNext(1, 502);
        m_client->listPhoneNumbers(250);
        QTRY_COMPARE(listed.size(), 1);
        QVERIFY(listed.first().at(0).toBool());
        QCOMPARE(listed.first().at(1).value<QList<QJsonObject>>().size(), 26);
        QCOMPARE(m_sim->requests().size(), 2);

        m_client->setApiKey(QStringLiteral("nope"));
        m_client->listPhoneNumbers(10);
        QTRY_COMPARE(listed.size(), 2);
        QVERIFY(!listed.last().at(0).toBool());
        QVERIFY(listed.last().at(1).value<QList<QJsonObject>>().isEmpty());
        QVERIFY(listed.last().at(2).toString().contains(QLatin1String("401 10009")));
    }

    void applicationGetAndPatch()
    {
        QSignalSpy fetched(m_client.get(), &CallControlClient::applicationFetched);
        QSignalSpy patched(m_client.get(), &CallControlClient::applicationPatched);
        m_client->getApplication(m_sim->applicationId());
        QTRY_COMPARE(fetched.size(), 1);
        const auto got = fetched.first().at(0).value<CommandResult>();
        QVERIFY2(got.ok, qPrintable(got.describe()));
        QCOMPARE(got.data.value(QLatin1String("record_type")).toString(),
                 QStringLiteral("call_control_application"));
        const QString name = got.data.value(QLatin1String("application_name")).toString();

        WebhookCollector moved;
        QVERIFY(moved.start());
        m_client->patchApplication(m_sim->applicationId(), name, moved.url().toString());
        QTRY_COMPARE(patched.size(), 1);
        const auto result = patched.first().at(0).value<CommandResult>();
        QVERIFY2(result.ok, qPrintable(result.describe()));
        QCOMPARE(result.data.value(QLatin1String("webhook_api_version")).toString(),
                 QStringLiteral("2"));
        const ReceivedRequest patch = m_sim->requests().last();
        QCOMPARE(patch.method, QByteArray("PATCH"));
        QCOMPARE(patch.json.value(QLatin1String("application_name")).toString(), name);
        QCOMPARE(patch.json.value(QLatin1String("webhook_event_url")).toString(),
                 moved.url().toString());
        QCOMPARE(patch.json.value(QLatin1String("webhook_api_version")).toString(),
                 QStringLiteral("2"));
        QCOMPARE(m_sim->webhookUrl(), moved.url());

        // Webhooks go to the new URL at once.
        m_sim->startInboundCall(kCaller, kOwnerNumber);
        QVERIFY(moved.waitForCount(1));
        QCOMPARE(moved.requests().first().eventType(), QStringLiteral("call.initiated"));

        m_client->getApplication(QStringLiteral("999"));
        QTRY_COMPARE(fetched.size(), 2);
        const auto missing = fetched.last().at(0).value<CommandResult>();
        QVERIFY(!missing.ok);
        QCOMPARE(missing.httpStatus, 404);
        QCOMPARE(missing.attempts, 1);

        // The failover URL goes in the same PATCH when given; Telnyx refuses one without a
        // scheme (422, not retried) and keeps what it had.
        m_client->patchApplication(m_sim->applicationId(), name, moved.url().toString(),
                                   QStringLiteral("calls-2.example.com/webhooks/telnyx"));
        QTRY_COMPARE(patched.size(), 2);
        const auto refused = patched.last().at(0).value<CommandResult>();
        QVERIFY(!refused.ok);
        QCOMPARE(refused.httpStatus, 422);
        QCOMPARE(refused.attempts, 1);
        QVERIFY2(refused.errorDetail.contains(QLatin1String("scheme")),
                 qPrintable(refused.describe()));
        QVERIFY(m_sim->failoverUrl().isEmpty());
        const QString failover = QStringLiteral("https://calls-2.example.com/webhooks/telnyx");
        m_client->patchApplication(m_sim->applicationId(), name, moved.url().toString(), failover);
        QTRY_COMPARE(patched.size(), 3);
        const auto both = patched.last().at(0).value<CommandResult>();
        QVERIFY2(both.ok, qPrintable(both.describe()));
        QCOMPARE(m_sim->requests().last().json.value(QLatin1String("webhook_event_failover_url")),
                 QJsonValue(failover));
        QCOMPARE(both.data.value(QLatin1String("webhook_event_failover_url")).toString(), failover);
        QCOMPARE(m_sim->failoverUrl().toString(), failover);
        // Without one, the PATCH leaves it alone.
        m_client->patchApplication(m_sim->applicationId(), name, moved.url().toString());
        QTRY_COMPARE(patched.size(), 4);
        QVERIFY(
            !m_sim->requests().last().json.contains(QLatin1String("webhook_event_failover_url")));
        QCOMPARE(m_sim->failoverUrl().toString(), failover);
    }

    void backoffIsCappedExponentialWithJitter()
    {
        RetryPolicy policy;
        policy.baseDelayMs = 200;
        policy.maxDelayMs = 5000;
        policy.jitter = 0.2;
        policy.random = [] { return 0.5; }; // factor 1
        QCOMPARE(policy.backoffDelayMs(1), 200);
        QCOMPARE(policy.backoffDelayMs(2), 400);
        QCOMPARE(policy.backoffDelayMs(3), 800);
        QCOMPARE(policy.backoffDelayMs(5), 3200);
        QCOMPARE(policy.backoffDelayMs(6), 5000);
        QCOMPARE(policy.backoffDelayMs(40), 5000);
        policy.random = [] { return 0.0; };
        QCOMPARE(policy.backoffDelayMs(1), 160);
        policy.random = [] { return 1.0; };
        QCOMPARE(policy.backoffDelayMs(1), 240);
        QCOMPARE(policy.backoffDelayMs(6), 5000); // jitter never exceeds the cap
        policy.random = {};
        for (int i = 0; i < 50; ++i) {
            const int d = policy.backoffDelayMs(2);
            QVERIFY(d >= 320 && d <= 480);
        }
    }

    void serverDelayHeaders()
    {
        RetryPolicy policy;
        policy.maxRateLimitDelayMs = 30000;
        const QDateTime now = QDateTime::fromSecsSinceEpoch(1700000000, Qt::UTC);
        QCOMPARE(policy.serverDelayMs("1500", "9", "9", now), std::optional<int>(1500));
        QCOMPARE(policy.serverDelayMs({}, "2", "9", now), std::optional<int>(2000));
        QCOMPARE(policy.serverDelayMs({}, {}, "3", now), std::optional<int>(3000));
        QCOMPARE(policy.serverDelayMs({}, {}, "0", now), std::optional<int>(0));
        QCOMPARE(policy.serverDelayMs({}, {}, "100000", now), std::optional<int>(30000));
        QCOMPARE(policy.serverDelayMs({}, {}, {}, now), std::nullopt);
        QCOMPARE(policy.serverDelayMs({}, "soon", {}, now), std::nullopt);
        const QByteArray date =
            now.addSecs(5).toString(QStringLiteral("ddd, dd MMM yyyy HH:mm:ss")).toLatin1() +
            " GMT";
        QCOMPARE(policy.serverDelayMs({}, date, {}, now), std::optional<int>(5000));
        QVERIFY(RetryPolicy::isRetryableStatus(0));
        QVERIFY(RetryPolicy::isRetryableStatus(429));
        QVERIFY(RetryPolicy::isRetryableStatus(500));
        QVERIFY(RetryPolicy::isRetryableStatus(503));
        QVERIFY(!RetryPolicy::isRetryableStatus(400));
        QVERIFY(!RetryPolicy::isRetryableStatus(401));
        QVERIFY(!RetryPolicy::isRetryableStatus(404));
        QVERIFY(!RetryPolicy::isRetryableStatus(422));
    }

    void describeFormats()
    {
        CommandResult r;
        r.command = QStringLiteral("transfer");
        r.httpStatus = 422;
        r.errorCode = QStringLiteral("10016");
        r.errorTitle = QStringLiteral("Phone number must be in +E164 format");
        r.attempts = 1;
        QCOMPARE(r.describe(),
                 QStringLiteral("transfer failed: 422 10016 Phone number must be in +E164 format"));
        r.httpStatus = 0;
        r.errorCode.clear();
        r.errorTitle = QStringLiteral("no response within 500 ms");
        r.attempts = 6;
        QCOMPARE(r.describe(),
                 QStringLiteral("transfer failed: no response within 500 ms after 6 attempts"));
        r.errorTitle = QStringLiteral("Connection refused");
        QCOMPARE(
            r.describe(),
            QStringLiteral("transfer failed: no response (Connection refused) after 6 attempts"));
        r.ok = true;
        QCOMPARE(r.describe(), QStringLiteral("transfer ok"));
    }
};

QTEST_GUILESS_MAIN(TestCallControlClient)
#include "tst_callcontrolclient.moc"
