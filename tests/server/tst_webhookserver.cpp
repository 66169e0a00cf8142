// SPDX-License-Identifier: GPL-3.0-or-later
// kt::WebhookServer end to end over loopback: QNetworkAccessManager for well-behaved clients,
// raw QTcpSocket for hostile ones, an in-memory WebhookHandler, and small limits.
#include "rawhttpclient.h"
#include "server/metrics.h"
#include "server/webhookhandler.h"
#include "server/webhookserver.h"
#include "telnyx/webhookevent.h"
#include "telnyx/webhooksignature.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QtTest>

#include <atomic>
#include <cerrno>
#include <functional>
#include <memory>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace kt;

namespace {
constexpr qint64 Now = 1'700'000'000;
const QByteArray TestSeed = QByteArray::fromBase64("i1xxSkIuQOY9H8laaRslIoYGTJ1NwBAFdjsQwiwJH04=");
const QByteArray TestPublicKey =
    QByteArray::fromBase64("jrMBoswHlhhVx2W2Www72WU/xn4UMpjreslD0m2u0qs=");
// The PHP SDK's test key: a valid key that is not the account's.
const QByteArray OtherSeed =
    QByteArray::fromBase64(
        "p68GNpDl9oAQohBiK0MEOFIjxnoFnz0uGGeJqxQ5PSb7sT30NeKJBe9x41ficebctubmao9Zp3lGEOva5+4KKQ==")
        .left(32);

using Headers = QList<QPair<QByteArray, QByteArray>>;

QByteArray fixture(const char *name)
{
    QFile f(QStringLiteral(KEVANTEL_FIXTURES_DIR "/") + QLatin1String(name));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read fixture %s", name);
    return f.readAll();
}

QByteArray eventBody(const QString &id, const QString &type = QStringLiteral("call.initiated"))
{
    return QStringLiteral(R"({"data":{"event_type":"%1","id":"%2","record_type":"event",)"
                          R"("payload":{"from":"+15551230000","to":"+15557650000"}}})")
        .arg(type, id)
        .toUtf8();
}

Headers signedHeaders(const QByteArray &body, qint64 timestamp = Now,
                      const QByteArray &seed = TestSeed)
{
    const QByteArray ts = QByteArray::number(timestamp);
    return {{"telnyx-timestamp", ts},
            {"telnyx-signature-ed25519", WebhookSigner(seed).sign(ts, body)}};
}

class FakeHandler : public WebhookHandler
{
public:
    StoreOutcome store(const WebhookEvent &event, const QByteArray &rawBody) override
    {
        inStore = true;
        stored.append({event, rawBody});
        ++storeCalls;
        inStore = false;
        switch (next) {
        case StoreOutcome::Stored:
            return StoreOutcome::stored();
        case StoreOutcome::Duplicate:
            return StoreOutcome::duplicate();
        case StoreOutcome::Failed:
            break;
        }
        return StoreOutcome::failed(QStringLiteral("disk full"));
    }
    void process(const WebhookEvent &event) override
    {
        if (inStore)
            processedInsideStore = true;
        processed.append(event.id);
        if (onProcess)
            onProcess(event);
    }
    Health health() override { return currentHealth; }
    bool groupsStores() const override { return grouping; }
    bool beginStores(QString *error) override
    {
        if (!unavailable.isEmpty()) {
            *error = unavailable;
            return false;
        }
        groupStart = storeCalls;
        processedAtBegin = int(processed.size());
        return true;
    }
    bool endStores(QString *error) override
    {
        groupSizes.append(storeCalls - groupStart);
        processedInGroup.append(int(processed.size()) - processedAtBegin);
        if (onEndStores)
            onEndStores();
        if (!failGroup)
            return true;
        // As a real handler must: what processing the group did is undone with it.
        while (processed.size() > processedAtBegin)
            undone.append(processed.takeLast());
        *error = QStringLiteral("disk full");
        return false;
    }

    bool grouping = false;
    bool failGroup = false;
    QString unavailable; // beginStores() fails with this error
    int groupStart = 0;
    int processedAtBegin = 0;
    QList<int> groupSizes;
    QList<int> processedInGroup; // processed before each group's endStores()
    QStringList undone;
    std::function<void()> onEndStores;
    StoreOutcome::Result next = StoreOutcome::Stored;
    QList<QPair<WebhookEvent, QByteArray>> stored;
    std::atomic<int> storeCalls{0};
    QStringList processed;
    bool inStore = false;
    bool processedInsideStore = false;
    std::function<void(const WebhookEvent &)> onProcess;
    Health currentHealth{true, QString(), QJsonObject{{QStringLiteral("events"), 3}}};
};

struct Reply
{
    int status = 0;
    QByteArray body;
    QByteArray contentType;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QList<QNetworkReply::RawHeaderPair> headers;

    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
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

class TstWebhookServer : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();

    void signedWebhookIsStored();
    void headerNamesInAnyCase();
    void duplicateIsOk();
    void storeFailureIs503();
    void unverifiedIsRefused_data();
    void unverifiedIsRefused();
    void timestampWindowEdges();
    void noPublicKeyIs503();
    void badBodyIs400_data();
    void badBodyIs400();
    void oversizedBodyIs413();
    void oversizedBodyRefusedBeforeItArrives();
    void chunkedBodies();
    void oversizedHeadersAre431();
    void malformedRequestIs400();
    void expectContinueIsAnswered();
    void pipelinedRequests();
    void pipelinedAnswersKeepTheirOrder_data();
    void pipelinedAnswersKeepTheirOrder();
    void pipeliningClientThatDoesNotReadIsBounded();
    void webSocketUpgradeIsRefused();
    void connectionCloseIsHonoured();
    void connectionCap();
    void idleConnectionIsEvictedAtTheCap();
    void halfSentConnectionsDoNotLockOthersOut();
    void incompleteConnectionsPerAddressAreCapped();
    void slowClientsAreCut_data();
    void slowClientsAreCut();
    void floodIsRateLimitedButSignedWebhooksPass();
    void forwardedForOnlyFromTrustedProxies();
    void wrongMethodIs405();
    void unknownPathIs404();
    void health();
    void healthUnhealthyIs503();
    void bareHealthOnTheWebhookPort();
    void metricsOnlyOnTheAdminPort();
    void adminPortIsLoopbackOnly();
    void metricsCount();
    void portInUse();
    void processRunsAfterTheResponseIsSent();
    void groupedStoresShareOneCommit();
    void runsInItsOwnThread();

private:
    ServerLimits fastLimits() const;
    void restart(const ServerLimits &limits);
    // On the webhook port, or on `onPort` when given (e.g. adminPort()).
    Reply call(const QByteArray &method, const QString &path, const QByteArray &body = {},
               const Headers &headers = {}, quint16 onPort = 0);
    Reply callAdmin(const QByteArray &method, const QString &path)
    {
        return call(method, path, {}, {}, adminPort());
    }
    Reply post(const QByteArray &body, const Headers &headers)
    {
        return call("POST", QStringLiteral("/webhooks/telnyx"), body, headers);
    }
    quint16 port() const { return m_server->serverPort(); }
    quint16 adminPort() const { return m_server->adminPort(); }

    std::unique_ptr<FakeHandler> m_handler;
    std::unique_ptr<WebhookServer> m_server;
    std::unique_ptr<QNetworkAccessManager> m_nam;
};

ServerLimits TstWebhookServer::fastLimits() const
{
    ServerLimits l;
    l.idleTimeoutMs = 5000;
    l.headerTimeoutMs = 5000;
    l.bodyTimeoutMs = 5000;
    l.lingerMs = 300;
    l.rateBurst = 1000;
    l.rateRefillPerSecond = 0;
    return l;
}

void TstWebhookServer::init()
{
    m_handler = std::make_unique<FakeHandler>();
    m_nam = std::make_unique<QNetworkAccessManager>();
    m_nam->setProxy(QNetworkProxy::NoProxy);
    restart(fastLimits());
}

void TstWebhookServer::cleanup()
{
    m_nam.reset();
    m_server.reset();
    m_handler.reset();
}

void TstWebhookServer::restart(const ServerLimits &limits)
{
    m_server.reset();
    m_server = std::make_unique<WebhookServer>(m_handler.get());
    m_server->setVerifier(WebhookVerifier(TestPublicKey));
    m_server->setClock([] { return Now; });
    m_server->setLimits(limits);
    QString error;
    QVERIFY2(m_server->listen(QHostAddress::LocalHost, 0, &error), qPrintable(error));
    QVERIFY(port() != 0);
    QVERIFY2(m_server->listenAdmin(0, &error), qPrintable(error));
    QVERIFY(adminPort() != 0);
    m_nam = std::make_unique<QNetworkAccessManager>();
    m_nam->setProxy(QNetworkProxy::NoProxy);
}

Reply TstWebhookServer::call(const QByteArray &method, const QString &path, const QByteArray &body,
                             const Headers &headers, quint16 onPort)
{
    QNetworkRequest request(
        QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(onPort ? onPort : port()).arg(path)));
    for (const auto &h : headers)
        request.setRawHeader(h.first, h.second);
    if (method == "POST")
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
    QNetworkReply *reply =
        method == "GET" ? m_nam->get(request) : m_nam->sendCustomRequest(request, method, body);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    if (!reply->isFinished())
        finished.wait(10000);
    Reply r;
    r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    r.body = reply->readAll();
    r.contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
    r.error = reply->error();
    r.headers = reply->rawHeaderPairs();
    reply->deleteLater();
    return r;
}

void TstWebhookServer::signedWebhookIsStored()
{
    // The official example, pretty-printed as shipped: the raw bytes are what is signed and
    // what reaches the store.
    const QByteArray body = fixture("spec_call_initiated.json");
    const Reply r = post(body, signedHeaders(body));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.contentType, QByteArray("application/json"));
    QCOMPARE(r.json().value(QStringLiteral("status")).toString(), QStringLiteral("stored"));
    QCOMPARE(r.json().value(QStringLiteral("id")).toString(),
             QStringLiteral("0ccc7b54-4df3-4bca-a65a-3da1ecc777f0"));
    QCOMPARE(m_handler->stored.size(), 1);
    QCOMPARE(m_handler->stored.first().second, body);
    QCOMPARE(m_handler->stored.first().first.eventType, QStringLiteral("call.initiated"));
    QTRY_COMPARE(m_handler->processed,
                 QStringList{QStringLiteral("0ccc7b54-4df3-4bca-a65a-3da1ecc777f0")});
    QVERIFY(!m_handler->processedInsideStore);
    QCOMPARE(
        m_server->metrics().value(QLatin1String(Metrics::WebhooksTotal), {{"result", "stored"}}),
        1.0);
}

void TstWebhookServer::headerNamesInAnyCase()
{
    const QByteArray body = eventBody(QStringLiteral("case-1"));
    const QByteArray ts = QByteArray::number(Now);
    const QByteArray sig = WebhookSigner(TestSeed).sign(ts, body);
    Reply r = post(body, {{"Telnyx-Timestamp", ts}, {"Telnyx-Signature-Ed25519", sig}});
    QCOMPARE(r.status, 200);
    r = post(eventBody(QStringLiteral("case-2")),
             {{"TELNYX-TIMESTAMP", ts},
              {"TELNYX-SIGNATURE-ED25519",
               WebhookSigner(TestSeed).sign(ts, eventBody(QStringLiteral("case-2")))}});
    QCOMPARE(r.status, 200);
    QCOMPARE(m_handler->stored.size(), 2);
}

void TstWebhookServer::duplicateIsOk()
{
    m_handler->next = StoreOutcome::Duplicate;
    const QByteArray body = eventBody(QStringLiteral("dup-1"));
    const Reply r = post(body, signedHeaders(body));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(QStringLiteral("status")).toString(), QStringLiteral("duplicate"));
    QCOMPARE(m_handler->storeCalls.load(), 1);
    // A later stored event is processed; the duplicate never was (process() runs in order).
    m_handler->next = StoreOutcome::Stored;
    const QByteArray next = eventBody(QStringLiteral("new-1"));
    QCOMPARE(post(next, signedHeaders(next)).status, 200);
    QTRY_COMPARE(m_handler->processed, QStringList{QStringLiteral("new-1")});
}

void TstWebhookServer::storeFailureIs503()
{
    m_handler->next = StoreOutcome::Failed;
    QTest::ignoreMessage(QtWarningMsg, "webhook fail-1 not stored: disk full");
    const QByteArray body = eventBody(QStringLiteral("fail-1"));
    const Reply r = post(body, signedHeaders(body));
    QCOMPARE(r.status, 503);
    QCOMPARE(r.contentType, QByteArray("application/json"));
    QCOMPARE(r.json().value(QStringLiteral("error")).toString(), QStringLiteral("store_failed"));
    QCOMPARE(m_handler->storeCalls.load(), 1);
    m_handler->next = StoreOutcome::Stored;
    const QByteArray next = eventBody(QStringLiteral("ok-1"));
    QCOMPARE(post(next, signedHeaders(next)).status, 200);
    QTRY_COMPARE(m_handler->processed, QStringList{QStringLiteral("ok-1")});
    QCOMPARE(m_server->metrics().value(QLatin1String(Metrics::WebhooksTotal),
                                       {{"result", "store_failed"}}),
             1.0);
}

void TstWebhookServer::unverifiedIsRefused_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<Headers>("headers");
    QTest::addColumn<QString>("error");

    const QByteArray body = eventBody(QStringLiteral("evt-1"));
    const QByteArray ts = QByteArray::number(Now);
    const QByteArray goodSig = WebhookSigner(TestSeed).sign(ts, body);
    QTest::newRow("unsigned") << body << Headers{} << "missing_signature";
    QTest::newRow("no timestamp") << body << Headers{{"telnyx-signature-ed25519", goodSig}}
                                  << "missing_timestamp";
    QTest::newRow("other key") << body << signedHeaders(body, Now, OtherSeed) << "bad_signature";
    QTest::newRow("tampered body")
        << eventBody(QStringLiteral("evt-2")) << signedHeaders(body) << "bad_signature";
    QTest::newRow("timestamp not signed")
        << body
        << Headers{{"telnyx-timestamp", QByteArray::number(Now - 1)},
                   {"telnyx-signature-ed25519", goodSig}}
        << "bad_signature";
    QTest::newRow("stale") << body << signedHeaders(body, Now - 301) << "stale_timestamp";
    QTest::newRow("future") << body << signedHeaders(body, Now + 301) << "stale_timestamp";
    QTest::newRow("timestamp in ms")
        << body << signedHeaders(body, Now * 1000) << "stale_timestamp";
    QTest::newRow("not a number") << body
                                  << Headers{{"telnyx-timestamp", "soon"},
                                             {"telnyx-signature-ed25519", goodSig}}
                                  << "bad_timestamp";
    QTest::newRow("garbage signature")
        << body << Headers{{"telnyx-timestamp", ts}, {"telnyx-signature-ed25519", "%%%"}}
        << "bad_signature_encoding";
}

void TstWebhookServer::unverifiedIsRefused()
{
    QFETCH(QByteArray, body);
    QFETCH(Headers, headers);
    QFETCH(QString, error);
    const Reply r = post(body, headers);
    QCOMPARE(r.status, 401);
    QCOMPARE(r.contentType, QByteArray("application/json"));
    QCOMPARE(r.json().value(QStringLiteral("error")).toString(), error);
    QVERIFY(!r.json().value(QStringLiteral("message")).toString().isEmpty());
    QCOMPARE(m_handler->storeCalls.load(), 0);
}

void TstWebhookServer::timestampWindowEdges()
{
    for (qint64 ts : {Now - 300, Now + 300}) {
        const QByteArray body = eventBody(QStringLiteral("edge-%1").arg(ts));
        QCOMPARE(post(body, signedHeaders(body, ts)).status, 200);
    }
    QCOMPARE(m_handler->storeCalls.load(), 2);
}

void TstWebhookServer::noPublicKeyIs503()
{
    m_server->setVerifier(WebhookVerifier());
    const QByteArray body = eventBody(QStringLiteral("nokey"));
    const Reply r = post(body, signedHeaders(body));
    QCOMPARE(r.status, 503);
    QCOMPARE(r.json().value(QStringLiteral("error")).toString(), QStringLiteral("no_public_key"));
    QCOMPARE(m_handler->storeCalls.load(), 0);
    // The server's configuration is not the client's fault: no rate-limit tokens are spent.
    QCOMPARE(m_server->rateLimiter().trackedKeys(), 0);
}

void TstWebhookServer::badBodyIs400_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("not json") << QByteArray("event=call.initiated");
    QTest::newRow("array") << QByteArray("[]");
    QTest::newRow("no data") << QByteArray(R"({"event_type":"call.initiated","id":"x"})");
    QTest::newRow("no id") << QByteArray(R"({"data":{"event_type":"call.initiated"}})");
    QTest::newRow("no event_type") << QByteArray(R"({"data":{"id":"x"}})");
    QTest::newRow("truncated") << eventBody(QStringLiteral("t")).chopped(3);
}

void TstWebhookServer::badBodyIs400()
{
    QFETCH(QByteArray, body);
    const Reply r = post(body, signedHeaders(body));
    QCOMPARE(r.status, 400);
    QCOMPARE(r.json().value(QStringLiteral("error")).toString(), QStringLiteral("bad_request"));
    QCOMPARE(m_handler->storeCalls.load(), 0);
}

void TstWebhookServer::oversizedBodyIs413()
{
    // 65 KiB, correctly signed: still too large (README "HTTP interface": 64 KiB).
    QByteArray body = eventBody(QStringLiteral("big"));
    body.insert(body.size() - 1, ",\"pad\":\"" + QByteArray(65 * 1024, 'x') + "\"");
    const Reply r = post(body, signedHeaders(body));
    QCOMPARE(r.status, 413);
    QCOMPARE(r.json().value(QStringLiteral("error")).toString(), QStringLiteral("too_large"));
    QCOMPARE(m_handler->storeCalls.load(), 0);
    QCOMPARE(
        m_server->metrics().value(QLatin1String(Metrics::WebhooksTotal), {{"result", "too_large"}}),
        1.0);
    // Exactly 64 KiB is fine.
    QByteArray limit = eventBody(QStringLiteral("limit"));
    limit.insert(limit.size() - 1, ",\"pad\":\"\"");
    limit.insert(limit.size() - 2, QByteArray(64 * 1024 - limit.size(), 'y'));
    QCOMPARE(limit.size(), 64 * 1024);
    QCOMPARE(post(limit, signedHeaders(limit)).status, 200);
}

void TstWebhookServer::oversizedBodyRefusedBeforeItArrives()
{
    // Only the head is sent: the 413 comes from Content-Length, nothing is buffered.
    RawHttpClient c;
    QVERIFY(c.connectTo(port()));
    c.send("POST /webhooks/telnyx HTTP/1.1\r\nHost: x\r\nContent-Length: 10485760\r\n\r\n");
    const RawResponse response = c.next();
    QCOMPARE(response.status, 413);
    QCOMPARE(response.header("Connection"), QByteArray("close"));
    QCOMPARE(response.json().value(QStringLiteral("error")).toString(),
             QStringLiteral("too_large"));
    QVERIFY(c.waitClosed(5000));
    QCOMPARE(m_handler->storeCalls.load(), 0);
}

void TstWebhookServer::chunkedBodies()
{
    const QByteArray body = eventBody(QStringLiteral("chunked-1"));
    Headers headers = signedHeaders(body);
    headers.append(qMakePair(QByteArray("Transfer-Encoding"), QByteArray("chunked")));
    QByteArray request = "POST /webhooks/telnyx HTTP/1.1\r\nHost: x\r\n";
    for (const auto &h : headers)
        request += h.first + ": " + h.second + "\r\n";
    request += "\r\n";
    const QByteArray a = body.left(10), b = body.mid(10);
    request += QByteArray::number(a.size(), 16) + "\r\n" + a + "\r\n" +
               QByteArray::number(b.size(), 16) + "\r\n" + b + "\r\n0\r\n\r\n";
    RawHttpClient c;
    QVERIFY(c.connectTo(port()));
    c.send(request);
    QCOMPARE(c.next().status, 200);
    QCOMPARE(m_handler->stored.size(), 1);
    QCOMPARE(m_handler->stored.first().second, body);

    // A chunked stream that grows past 64 KiB is cut off while it arrives.
    RawHttpClient big;
    QVERIFY(big.connectTo(port()));
    big.send("POST /webhooks/telnyx HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    const QByteArray chunk = "4000\r\n" + QByteArray(0x4000, 'z') + "\r\n";
    for (int i = 0; i < 5; ++i)
        big.send(chunk);
    const RawResponse response = big.next();
    QCOMPARE(response.status, 413);
    QVERIFY(big.waitClosed(5000));
    QCOMPARE(m_handler->storeCalls.load(), 1);
}

void TstWebhookServer::oversizedHeadersAre431()
{
    ServerLimits limits = fastLimits();
    limits.maxHeaderBytes = 1024;
    restart(limits);
    RawHttpClient c;
    QVERIFY(c.connectTo(port()));
    const QByteArray body = eventBody(QStringLiteral("h"));
    Headers headers = signedHeaders(body);
    headers.append(qMakePair(QByteArray("X-Padding"), QByteArray(QByteArray(2048, 'p'))));
    c.send(RawHttpClient::request("POST", "/webhooks/telnyx", body, headers));
    const RawResponse response = c.next();
    QCOMPARE(response.status, 431);
    QCOMPARE(response.json().value(QStringLiteral("error")).toString(),
             QStringLiteral("headers_too_large"));
    QVERIFY(c.waitClosed(5000));
    QCOMPARE(m_handler->storeCalls.load(), 0);
    QCOMPARE(m_server->metrics().value(QLatin1String(Metrics::HttpRejectedTotal),
                                       {{"reason", "headers_too_large"}}),
             1.0);
    // Normal requests still work.
    QCOMPARE(call("GET", QStringLiteral("/health")).status, 200);
}

void TstWebhookServer::malformedRequestIs400()
{
    RawHttpClient c;
    QVERIFY(c.connectTo(port()));
    c.send("GET /health HTTP/1.1\r\nthis is not a header\r\n\r\n");
    const RawResponse response = c.next();
    QCOMPARE(response.status, 400);
    QCOMPARE(response.header("Content-Type"), QByteArray("application/json"));
    QVERIFY(c.waitClosed(5000));
}

void TstWebhookServer::expectContinueIsAnswered()
{
    const QByteArray body = eventBody(QStringLiteral("expect-1"));
    Headers headers = signedHeaders(body);
    headers.append(qMakePair(QByteArray("Expect"), QByteArray("100-continue")));
    const QByteArray request = RawHttpClient::request("POST", "/webhooks/telnyx", body, headers);
    const QByteArray head = request.left(request.size() - body.size());
    RawHttpClient c;
    QVERIFY(c.connectTo(port()));
    c.send(head);
    QByteArray interim; // read by hand: the interim answer has no Content-Length
    QVERIFY(QTest::qWaitFor(
        [&] {
            interim += c.socket().readAll();
            return interim.contains("\r\n\r\n");
        },
        5000));
    QCOMPARE(interim, QByteArray("HTTP/1.1 100 Continue\r\n\r\n"));
    c.send(body);
    QCOMPARE(c.next().status, 200);
    QCOMPARE(m_handler->storeCalls.load(), 1);
}

void TstWebhookServer::pipelinedRequests()
{
    const QByteArray body = eventBody(QStringLiteral("pipe-1"));
    RawHttpClient c;
    QVERIFY(c.connectTo(port()));
    c.send(RawHttpClient::request("GET", "/health", {}) +
           RawHttpClient::request("POST", "/webhooks/telnyx", body, signedHeaders(body)) +
           RawHttpClient::request("GET", "/nope", {}));
    QCOMPARE(c.next().status, 200);
    const RawResponse second = c.next();
    QCOMPARE(second.status, 200);
    QCOMPARE(second.json().value(QStringLiteral("id")).toString(), QStringLiteral("pipe-1"));
    QCOMPARE(c.next().status, 404);
    QCOMPARE(m_handler->stored.size(), 1);
    QCOMPARE(m_handler->stored.first().second, body);
}

void TstWebhookServer::pipelinedAnswersKeepTheirOrder_data()
{
    QTest::addColumn<bool>("grouping");
    QTest::newRow("each stored on its own") << false;
    QTest::newRow("grouped stores") << true;
}

void TstWebhookServer::pipelinedAnswersKeepTheirOrder()
{
    // Grouped webhooks are answered after their group's commit, a turn of the event loop later;
    // requests refused by a check, or not webhooks at all, are answered at once. Whatever is
    // ready first, the answers of one connection leave in the order of its requests.
    QFETCH(bool, grouping);
    m_handler->grouping = grouping;
    const QByteArray a = eventBody(QStringLiteral("order-a"));
    const QByteArray b = eventBody(QStringLiteral("order-b"));
    const QByteArray forged = eventBody(QStringLiteral("order-forged"));
    Headers forgedHeaders = signedHeaders(forged);
    forgedHeaders[1].second = signedHeaders(a).at(1).second; // a's signature on another body
    QCOMPARE(forgedHeaders[1].first, QByteArray("telnyx-signature-ed25519"));

    RawHttpClient c;
    QVERIFY(c.connectTo(port()));
    c.send(RawHttpClient::request("POST", "/webhooks/telnyx", a, signedHeaders(a)) +
           RawHttpClient::request("POST", "/webhooks/telnyx", forged, forgedHeaders) +
           RawHttpClient::request("POST", "/webhooks/telnyx", a, signedHeaders(a, Now - 3600)) +
           RawHttpClient::request("GET", "/health", {}) +
           RawHttpClient::request("GET", "/nope", {}) +
           RawHttpClient::request("POST", "/webhooks/telnyx", b, signedHeaders(b)));
    const RawResponse first = c.next();
    QCOMPARE(first.status, 200);
    QCOMPARE(first.json().value(QStringLiteral("id")).toString(), QStringLiteral("order-a"));
    const RawResponse second = c.next();
    QCOMPARE(second.status, 401);
    QCOMPARE(second.json().value(QStringLiteral("error")).toString(),
             QStringLiteral("bad_signature"));
    const RawResponse third = c.next();
    QCOMPARE(third.status, 401);
    QCOMPARE(third.json().value(QStringLiteral("error")).toString(),
             QStringLiteral("stale_timestamp"));
    const RawResponse health = c.next();
    QCOMPARE(health.status, 200);
    QCOMPARE(health.json().value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
    QCOMPARE(c.next().status, 404);
    const RawResponse last = c.next();
    QCOMPARE(last.status, 200);
    QCOMPARE(last.json().value(QStringLiteral("id")).toString(), QStringLiteral("order-b"));
    QCOMPARE(m_handler->stored.size(), 2);
}

void TstWebhookServer::pipeliningClientThatDoesNotReadIsBounded()
{
    // A client that pipelines requests as fast as it can and never reads an answer. The server
    // stops reading from it once its unsent answers pass the limit, so what the connection holds
    // stays bounded while the client's sends stall; with no progress it is cut.
    ServerLimits limits = fastLimits();
    limits.idleTimeoutMs = 1500;
    restart(limits);
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    QVERIFY(fd >= 0);
    auto closeFd = qScopeGuard([fd] { ::close(fd); });
    const int small = 4096; // a small receive window: the answers back up quickly
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port());
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    QCOMPARE(::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address), 0);
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    QByteArray burst;
    for (int i = 0; i < 200; ++i)
        burst += RawHttpClient::request("GET", "/health", {});
    qint64 sent = 0;
    qint64 pending = 0; // of the current burst, not yet accepted by the kernel
    qint64 peak = 0;
    QElapsedTimer t;
    t.start();
    bool cut = false;
    while (t.elapsed() < 15000) {
        if (pending == 0)
            pending = burst.size();
        const ssize_t n =
            ::send(fd, burst.constData() + (burst.size() - pending), size_t(pending), MSG_NOSIGNAL);
        if (n > 0) {
            sent += n;
            pending -= n;
        } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            cut = true; // reset by the server
            break;
        }
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        peak = qMax(peak, m_server->bufferedBytes());
        if (m_server->connectionCount() == 0 && m_server->pauseCount() > 0) {
            cut = true;
            break;
        }
    }
    // Unsent answers up to the limit plus the one that crossed it, and the unread input the
    // socket's read buffer holds.
    const qint64 bound =
        limits.maxUnsentBytes + 4096 + limits.maxHeaderBytes + 2 * limits.maxBodyBytes + 64 * 1024;
    QVERIFY2(peak <= bound, qPrintable(QStringLiteral("%1 > %2").arg(peak).arg(bound)));
    QVERIFY(m_server->pauseCount() > 0);
    QVERIFY2(m_server->peakPausedBytes() <= bound,
             qPrintable(QString::number(m_server->peakPausedBytes())));
    QVERIFY2(cut, qPrintable(QStringLiteral("still connected after sending %1 bytes").arg(sent)));
    QTRY_COMPARE(m_server->connectionCount(), 0);
    QCOMPARE(m_server->metrics().value(QLatin1String(Metrics::HttpRejectedTotal),
                                       {{"reason", "stalled"}}),
             1.0);
    // Others are served meanwhile and after.
    QCOMPARE(call("GET", QStringLiteral("/health")).status, 200);
}

void TstWebhookServer::webSocketUpgradeIsRefused()
{
    RawHttpClient c;
    QVERIFY(c.connectTo(port()));
    c.send("GET /health HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
           "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
    const RawResponse response = c.next();
    QCOMPARE(response.status, 400);
    QVERIFY(c.waitClosed(5000));
}

void TstWebhookServer::connectionCloseIsHonoured()
{
    RawHttpClient c;
    QVERIFY(c.connectTo(port()));
    c.send(RawHttpClient::request("GET", "/health", {}, {{"Connection", "close"}}));
    const RawResponse response = c.next();
    QCOMPARE(response.status, 200);
    QCOMPARE(response.header("Connection"), QByteArray("close"));
    QVERIFY(c.waitClosed(5000));
}

void TstWebhookServer::connectionCap()
{
    ServerLimits limits = fastLimits();
    limits.maxConnections = 3;
    restart(limits);
    // Three connections in the middle of a request (the answer to the complete request sent
    // with each shows that the server has read the partial one), the first the oldest.
    std::vector<std::unique_ptr<RawHttpClient>> halfSent;
    for (int i = 0; i < 3; ++i) {
        halfSent.push_back(std::make_unique<RawHttpClient>());
        QVERIFY(halfSent.back()->connectTo(port()));
        halfSent.back()->send(RawHttpClient::request("GET", "/health", {}) +
                              "GET /health HTTP/1.1\r\n");
        QCOMPARE(halfSent.back()->next().status, 200);
        QTest::qWait(20); // distinct ages
    }
    QCOMPARE(m_server->connectionCount(), 3);
    // A fourth takes the place of the one that has kept the server waiting longest.
    RawHttpClient fourth;
    QVERIFY(fourth.connectTo(port()));
    QVERIFY(halfSent.front()->waitClosed(5000));
    QCOMPARE(halfSent[1]->socket().state(), QAbstractSocket::ConnectedState);
    QCOMPARE(halfSent[2]->socket().state(), QAbstractSocket::ConnectedState);
    fourth.send(RawHttpClient::request("GET", "/health", {}));
    QCOMPARE(fourth.next().status, 200);
    QCOMPARE(m_server->connectionCount(), 3);
    QCOMPARE(m_server->metrics().value(QLatin1String(Metrics::HttpConnectionsTotal),
                                       {{"result", "evicted"}}),
             1.0);
    for (auto &c : halfSent)
        c->socket().abort();
    fourth.socket().abort();
    QTRY_COMPARE(m_server->connectionCount(), 0);
}

void TstWebhookServer::idleConnectionIsEvictedAtTheCap()
{
    ServerLimits limits = fastLimits();
    limits.maxConnections = 2;
    restart(limits);
    RawHttpClient idle1, idle2;
    QVERIFY(idle1.connectTo(port()));
    QVERIFY(idle2.connectTo(port()));
    QTRY_COMPARE(m_server->connectionCount(), 2);
    // A signed webhook gets through although idle connections fill the cap.
    const QByteArray body = eventBody(QStringLiteral("evict-1"));
    QCOMPARE(post(body, signedHeaders(body)).status, 200);
    QTRY_VERIFY(idle1.socket().state() == QAbstractSocket::UnconnectedState ||
                idle2.socket().state() == QAbstractSocket::UnconnectedState);
    QCOMPARE(m_server->metrics().value(QLatin1String(Metrics::HttpConnectionsTotal),
                                       {{"result", "evicted"}}),
             1.0);
}

void TstWebhookServer::halfSentConnectionsDoNotLockOthersOut()
{
    // One client holds every connection slot with a half-sent request (from 127.0.0.1, as
    // every client behind the tunnel is). A signed webhook on a new connection still gets in.
    ServerLimits limits = fastLimits();
    QCOMPARE(limits.maxConnections, 256);
    restart(limits);
    std::vector<std::unique_ptr<RawHttpClient>> halfSent;
    for (int i = 0; i < limits.maxConnections; ++i) {
        halfSent.push_back(std::make_unique<RawHttpClient>());
        QVERIFY(halfSent.back()->connectTo(port()));
        halfSent.back()->send("POST /webhooks/telnyx HTTP/1.1\r\nHost: x\r\nContent-Len");
    }
    QTRY_COMPARE(m_server->connectionCount(), limits.maxConnections);
    const QByteArray body = eventBody(QStringLiteral("slots-1"));
    const Reply r = post(body, signedHeaders(body));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(QStringLiteral("id")).toString(), QStringLiteral("slots-1"));
    QCOMPARE(m_handler->stored.size(), 1);
    QVERIFY(m_server->metrics().value(QLatin1String(Metrics::HttpConnectionsTotal),
                                      {{"result", "evicted"}}) >= 1.0);
    QCOMPARE(m_server->metrics().value(QLatin1String(Metrics::HttpConnectionsTotal),
                                       {{"result", "refused"}}),
             0.0);
    for (auto &c : halfSent)
        c->socket().abort();
}

void TstWebhookServer::incompleteConnectionsPerAddressAreCapped()
{
    // Peers outside uncappedPeers (by default: all but loopback; here, loopback too) hold at
    // most maxIncompletePerAddress connections that have not completed a request.
    ServerLimits limits = fastLimits();
    limits.uncappedPeers.clear();
    limits.maxIncompletePerAddress = 3;
    restart(limits);
    std::vector<std::unique_ptr<RawHttpClient>> halfSent;
    for (int i = 0; i < 3; ++i) {
        halfSent.push_back(std::make_unique<RawHttpClient>());
        QVERIFY(halfSent.back()->connectTo(port()));
        halfSent.back()->send("GET /health HTTP/1.1\r\n");
    }
    QTRY_COMPARE(m_server->connectionCount(), 3);
    RawHttpClient excess;
    QVERIFY(excess.connectTo(port()));
    const RawResponse response = excess.next();
    QVERIFY2(response.status == 503, response.body.constData());
    QCOMPARE(response.json().value(QStringLiteral("error")).toString(),
             QStringLiteral("too_many_connections"));
    QVERIFY(excess.waitClosed(5000));
    QCOMPARE(m_server->metrics().value(QLatin1String(Metrics::HttpConnectionsTotal),
                                       {{"result", "refused"}}),
             1.0);
    // One of them completes its request: that address may open another connection.
    halfSent.front()->send("Host: x\r\n\r\n");
    QCOMPARE(halfSent.front()->next().status, 200);
    const QByteArray body = eventBody(QStringLiteral("capped-1"));
    QCOMPARE(post(body, signedHeaders(body)).status, 200);
}

void TstWebhookServer::slowClientsAreCut_data()
{
    QTest::addColumn<QString>("limit"); // the timeout set short: header, body or idle
    QTest::addColumn<int>("timeoutMs");
    QTest::addColumn<QByteArray>("sent");
    QTest::addColumn<bool>("answeredFirst"); // `sent` is a whole request, answered 200
    // One more byte every 50 ms, which must not put off the cut: the header timeout counts
    // from the request's first byte, not from the last one.
    QTest::addColumn<bool>("trickle");
    QTest::addColumn<bool>("silent");    // cut without an answer
    QTest::addColumn<QString>("reason"); // the http_rejected_total reason counted, if any

    QTest::newRow("slow headers") << "header" << 300
                                  << QByteArray("POST /webhooks/telnyx HTTP/1.1\r\nHost: x\r\n")
                                  << false << false << true << "header_timeout";
    QTest::newRow("trickling headers")
        << "header" << 400 << QByteArray("GET /health HTTP/1.1\r\nX-Slow: ") << false << true
        << false << QString();
    QTest::newRow("slow body") << "body" << 300
                               << QByteArray("POST /webhooks/telnyx HTTP/1.1\r\nHost: x\r\n"
                                             "Content-Length: 100\r\n\r\n0123456789")
                               << false << false << false << "body_timeout";
    QTest::newRow("idle keep-alive")
        << "idle" << 300 << RawHttpClient::request("GET", "/health", {}) << true << false << false
        << QString();
}

void TstWebhookServer::slowClientsAreCut()
{
    QFETCH(QString, limit);
    QFETCH(int, timeoutMs);
    QFETCH(QByteArray, sent);
    QFETCH(bool, answeredFirst);
    QFETCH(bool, trickle);
    QFETCH(bool, silent);
    QFETCH(QString, reason);
    ServerLimits limits = fastLimits();
    if (limit == QLatin1String("header"))
        limits.headerTimeoutMs = timeoutMs;
    else if (limit == QLatin1String("body"))
        limits.bodyTimeoutMs = timeoutMs;
    else
        limits.idleTimeoutMs = timeoutMs;
    restart(limits);
    RawHttpClient c;
    QVERIFY(c.connectTo(port()));
    QTimer trickler;
    QObject::connect(&trickler, &QTimer::timeout, &c.socket(), [&c] {
        if (c.socket().state() == QAbstractSocket::ConnectedState)
            c.send("a");
    });
    c.send(sent);
    if (answeredFirst) {
        QCOMPARE(c.next().status, 200);
        QVERIFY(c.socket().state() == QAbstractSocket::ConnectedState);
    }
    QElapsedTimer t;
    t.start();
    if (trickle)
        trickler.start(50);
    QVERIFY(c.waitClosed(5000));
    // Not before the timeout (a little slack for the timer's coarseness).
    QVERIFY2(t.elapsed() >= timeoutMs - 100, qPrintable(QString::number(t.elapsed())));
    if (trickle) // the trickle did not keep the connection
        QVERIFY2(t.elapsed() < 4000, qPrintable(QString::number(t.elapsed())));
    if (silent)
        QVERIFY(c.unparsed().isEmpty());
    if (!reason.isEmpty()) {
        QCOMPARE(m_server->metrics().value(QLatin1String(Metrics::HttpRejectedTotal),
                                           {{"reason", reason}}),
                 1.0);
        QCOMPARE(m_handler->storeCalls.load(), 0);
    }
    QTRY_COMPARE(m_server->connectionCount(), 0);
}

void TstWebhookServer::floodIsRateLimitedButSignedWebhooksPass()
{
    ServerLimits limits = fastLimits();
    limits.rateBurst = 3;
    limits.rateRefillPerSecond = 0;
    restart(limits);
    const QByteArray body = eventBody(QStringLiteral("flood"));
    const Headers forged = signedHeaders(body, Now, OtherSeed);
    for (int i = 0; i < 3; ++i)
        QCOMPARE(post(body, forged).status, 401);
    Reply r = post(body, forged);
    QCOMPARE(r.status, 429);
    QCOMPARE(r.json().value(QStringLiteral("error")).toString(), QStringLiteral("rate_limited"));
    QVERIFY(!r.header("Retry-After").isEmpty());
    QCOMPARE(post(body, {}).status, 429);
    QCOMPARE(call("GET", QStringLiteral("/health")).status, 429);
    QCOMPARE(call("GET", QStringLiteral("/nope")).status, 429);

    // Telnyx, behind the same tunnel address, is not locked out.
    const QByteArray real = eventBody(QStringLiteral("real-1"));
    r = post(real, signedHeaders(real));
    QCOMPARE(r.status, 200);
    QCOMPARE(m_handler->stored.size(), 1);
    QCOMPARE(m_handler->stored.first().first.id, QStringLiteral("real-1"));
    // ...and its success buys the forger nothing.
    QCOMPARE(post(body, forged).status, 429);
    QCOMPARE(m_server->metrics().value(QLatin1String(Metrics::WebhooksTotal),
                                       {{"result", "rate_limited"}}),
             3.0);
}

void TstWebhookServer::forwardedForOnlyFromTrustedProxies()
{
    ServerLimits limits = fastLimits();
    limits.rateBurst = 2;
    limits.trustedProxies = {{QHostAddress(QHostAddress::LocalHost), 32}};
    restart(limits);
    const QByteArray body = eventBody(QStringLiteral("xff"));
    auto forgedFrom = [&](const QByteArray &client) {
        Headers h = signedHeaders(body, Now, OtherSeed);
        if (!client.isEmpty())
            h.append(qMakePair(QByteArray("X-Forwarded-For"), QByteArray(client)));
        return h;
    };
    QCOMPARE(post(body, forgedFrom("203.0.113.5")).status, 401);
    QCOMPARE(post(body, forgedFrom("203.0.113.5")).status, 401);
    QCOMPARE(post(body, forgedFrom("203.0.113.5")).status, 429);
    QCOMPARE(post(body, forgedFrom("203.0.113.6")).status, 401); // another client
    QCOMPARE(post(body, forgedFrom({})).status, 401);            // the proxy itself

    // Without a trusted proxy the header is ignored: one client, one bucket.
    limits.trustedProxies.clear();
    restart(limits);
    QCOMPARE(post(body, forgedFrom("203.0.113.5")).status, 401);
    QCOMPARE(post(body, forgedFrom("203.0.113.6")).status, 401);
    QCOMPARE(post(body, forgedFrom("203.0.113.7")).status, 429);
}

void TstWebhookServer::wrongMethodIs405()
{
    Reply r = call("GET", QStringLiteral("/webhooks/telnyx"));
    QCOMPARE(r.status, 405);
    QCOMPARE(r.header("Allow"), QByteArray("POST"));
    QCOMPARE(r.json().value(QStringLiteral("error")).toString(),
             QStringLiteral("method_not_allowed"));
    r = call("DELETE", QStringLiteral("/health"));
    QCOMPARE(r.status, 405);
    QCOMPARE(r.header("Allow"), QByteArray("GET"));
    QCOMPARE(call("POST", QStringLiteral("/metrics"), "{}", {}, adminPort()).status, 405);
    QCOMPARE(call("DELETE", QStringLiteral("/health"), {}, {}, adminPort()).status, 405);
    QCOMPARE(call("POST", QStringLiteral("/webhooks/telnyx"), "{}", {}, adminPort()).status, 404);
    // A method QHttpServer does not know at all.
    RawHttpClient c;
    QVERIFY(c.connectTo(port()));
    c.send("BREW /health HTTP/1.1\r\nHost: x\r\n\r\n");
    QCOMPARE(c.next().status, 405);
    // HEAD gets the head of the answer without its body, and the connection stays in sync.
    c.send("HEAD /health HTTP/1.1\r\nHost: x\r\n\r\n" +
           RawHttpClient::request("GET", "/health", {}));
    QByteArray both; // read by hand: a HEAD answer's Content-Length is not followed by a body
    QVERIFY(QTest::qWaitFor(
        [&] {
            both += c.socket().readAll();
            return both.count("HTTP/1.1 ") == 2 && both.endsWith("}");
        },
        5000));
    QVERIFY2(both.startsWith("HTTP/1.1 405 "), both.constData());
    const qsizetype second = both.indexOf("HTTP/1.1 ", 1);
    QCOMPARE(both.indexOf("\r\n\r\n") + 4, second);
    QVERIFY(both.mid(second).startsWith("HTTP/1.1 200 "));
    QCOMPARE(m_handler->storeCalls.load(), 0);
}

void TstWebhookServer::unknownPathIs404()
{
    const Reply r = call("GET", QStringLiteral("/webhooks/telnyx/extra"));
    QCOMPARE(r.status, 404);
    QCOMPARE(r.contentType, QByteArray("application/json"));
    QCOMPARE(r.json().value(QStringLiteral("error")).toString(), QStringLiteral("not_found"));
    QCOMPARE(call("POST", QStringLiteral("/"), "{}").status, 404);
}

void TstWebhookServer::health()
{
    const Reply r = callAdmin("GET", QStringLiteral("/health?verbose=1"));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.contentType, QByteArray("application/json"));
    QCOMPARE(r.json().value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
    QCOMPARE(r.json().value(QStringLiteral("events")).toInt(), 3);
}

void TstWebhookServer::healthUnhealthyIs503()
{
    m_handler->currentHealth = {false, QStringLiteral("database is read-only"), {}};
    const Reply r = callAdmin("GET", QStringLiteral("/health"));
    QCOMPARE(r.status, 503);
    QCOMPARE(r.contentType, QByteArray("application/json"));
    QCOMPARE(r.json().value(QStringLiteral("status")).toString(), QStringLiteral("error"));
    QCOMPARE(r.json().value(QStringLiteral("reason")).toString(),
             QStringLiteral("database is read-only"));
}

void TstWebhookServer::bareHealthOnTheWebhookPort()
{
    // What the tunnel exposes says whether webhooks can be taken, and nothing else.
    Reply r = call("GET", QStringLiteral("/health"));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.contentType, QByteArray("application/json"));
    QCOMPARE(r.body, QByteArray(R"({"status":"ok"})"));
    m_handler->currentHealth = {false, QStringLiteral("database is read-only"),
                                QJsonObject{{QStringLiteral("events"), 3}}};
    r = call("GET", QStringLiteral("/health"));
    QCOMPARE(r.status, 503);
    QCOMPARE(r.body, QByteArray(R"({"status":"unavailable"})"));
}

void TstWebhookServer::metricsOnlyOnTheAdminPort()
{
    Reply r = call("GET", QStringLiteral("/metrics"));
    QCOMPARE(r.status, 404);
    QCOMPARE(r.json().value(QStringLiteral("error")).toString(), QStringLiteral("not_found"));
    r = callAdmin("GET", QStringLiteral("/metrics"));
    QCOMPARE(r.status, 200);
    QVERIFY(r.body.contains("kevantel_webhooks_total"));
    r = callAdmin("GET", QStringLiteral("/nope"));
    QCOMPARE(r.status, 404);
    QCOMPARE(r.contentType, QByteArray("application/json"));
}

void TstWebhookServer::adminPortIsLoopbackOnly()
{
    // However the webhook port listens, the admin port is on 127.0.0.1.
    WebhookServer server(m_handler.get());
    QString error;
    QVERIFY2(server.listen(QHostAddress::AnyIPv4, 0, &error), qPrintable(error));
    QVERIFY2(server.listenAdmin(0, &error), qPrintable(error));
    QCOMPARE(server.serverAddress(), QHostAddress(QHostAddress::AnyIPv4));
    QCOMPARE(server.adminAddress(), QHostAddress(QHostAddress::LocalHost));
    QVERIFY(server.adminPort() != 0);
    QCOMPARE(call("GET", QStringLiteral("/metrics"), {}, {}, server.adminPort()).status, 200);
    // Taken: a clear error, and the first listener is unaffected.
    WebhookServer other(m_handler.get());
    QVERIFY(!other.listenAdmin(server.adminPort(), &error));
    QCOMPARE(
        error,
        QStringLiteral("cannot listen on 127.0.0.1:%1: address in use").arg(server.adminPort()));
    QCOMPARE(call("GET", QStringLiteral("/health"), {}, {}, server.adminPort()).status, 200);
}

void TstWebhookServer::metricsCount()
{
    const QByteArray body = eventBody(QStringLiteral("m-1"));
    QCOMPARE(post(body, signedHeaders(body)).status, 200);
    QCOMPARE(post(body, signedHeaders(body, Now, OtherSeed)).status, 401);
    QCOMPARE(post(body, signedHeaders(body, Now - 1000)).status, 401);
    QCOMPARE(call("GET", QStringLiteral("/nope")).status, 404);
    m_server->metrics().countCall(QStringLiteral("blocked"));
    m_server->metrics().observeDecisionLatency(0.003);

    const Reply r = callAdmin("GET", QStringLiteral("/metrics"));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.contentType, QByteArray("text/plain; version=0.0.4; charset=utf-8"));
    const QByteArray &text = r.body;
    QVERIFY2(text.contains("kevantel_webhooks_total{result=\"stored\"} 1\n"), text.constData());
    QVERIFY(text.contains("kevantel_webhooks_total{result=\"bad_signature\"} 1\n"));
    QVERIFY(text.contains("kevantel_webhooks_total{result=\"stale_timestamp\"} 1\n"));
    QVERIFY(text.contains("kevantel_webhooks_total{result=\"duplicate\"} 0\n"));
    QVERIFY(text.contains("kevantel_http_responses_total{code=\"404\"} 1\n"));
    QVERIFY(text.contains("kevantel_http_responses_total{code=\"200\"} 1\n"));
    QVERIFY(text.contains("kevantel_calls_total{decision=\"blocked\"} 1\n"));
    QVERIFY(text.contains("kevantel_decision_latency_seconds_bucket{le=\"0.005\"} 1\n"));
    QVERIFY(text.contains("# TYPE kevantel_commands_total counter\n"));
    // This client's connections to the two ports.
    QVERIFY2(QRegularExpression(QStringLiteral("\\nkevantel_http_connections_open [12]\\n"))
                 .match(QString::fromUtf8(text))
                 .hasMatch(),
             text.constData());
}

void TstWebhookServer::portInUse()
{
    WebhookServer second(m_handler.get());
    QString error;
    QVERIFY(!second.listen(QHostAddress::LocalHost, port(), &error));
    QCOMPARE(error, QStringLiteral("cannot listen on 127.0.0.1:%1: address in use").arg(port()));
    QVERIFY(!second.isListening());
    QCOMPARE(second.serverPort(), quint16(0));
    // The first server is unaffected.
    QCOMPARE(call("GET", QStringLiteral("/health")).status, 200);
}

void TstWebhookServer::processRunsAfterTheResponseIsSent()
{
    RawHttpClient c;
    QVERIFY(c.connectTo(port()));
    QByteArray seenByProcess;
    m_handler->onProcess = [&](const WebhookEvent &) {
        // The 200 must already be on the wire: readable by the client right now, without the
        // server's event loop running again.
        if (c.socket().bytesAvailable() == 0)
            c.socket().waitForReadyRead(2000);
        seenByProcess = c.socket().peek(64);
    };
    const QByteArray body = eventBody(QStringLiteral("after-1"));
    c.send(RawHttpClient::request("POST", "/webhooks/telnyx", body, signedHeaders(body)));
    QTRY_COMPARE(m_handler->processed, QStringList{QStringLiteral("after-1")});
    QVERIFY2(seenByProcess.startsWith("HTTP/1.1 200 OK\r\n"), seenByProcess.constData());
    QVERIFY(!m_handler->processedInsideStore);
    QCOMPARE(c.next().status, 200);
}

void TstWebhookServer::groupedStoresShareOneCommit()
{
    m_handler->grouping = true;
    double answeredAtCommit = -1;
    m_handler->onEndStores = [&] {
        answeredAtCommit = m_server->metrics().value(QLatin1String(Metrics::WebhooksTotal),
                                                     {{"result", "stored"}});
    };
    // Three webhooks on three connections, all in the server's socket buffers before its event
    // loop runs again: they are read in one turn, so they make one group.
    RawHttpClient clients[3];
    for (RawHttpClient &c : clients)
        QVERIFY(c.connectTo(port()));
    QTRY_COMPARE(m_server->connectionCount(), 3);
    for (int i = 0; i < 3; ++i) {
        const QByteArray body = eventBody(QStringLiteral("group-%1").arg(i));
        clients[i].send(
            RawHttpClient::request("POST", "/webhooks/telnyx", body, signedHeaders(body)));
    }
    QThread::msleep(50); // across loopback, without running the loop
    for (int i = 0; i < 3; ++i) {
        const RawResponse response = clients[i].next();
        QCOMPARE(response.status, 200);
        QCOMPARE(response.json().value(QStringLiteral("id")).toString(),
                 QStringLiteral("group-%1").arg(i));
    }
    int stored = 0;
    for (int size : std::as_const(m_handler->groupSizes))
        stored += size;
    QCOMPARE(stored, 3);
    QCOMPARE(m_handler->groupSizes, QList<int>{3});
    QCOMPARE(answeredAtCommit, 0.0); // answered only after the first group's commit
    // Processed inside the group, before its commit (one commit for both), never inside store().
    QCOMPARE(m_handler->processed.size(), 3);
    QCOMPARE(m_handler->processedInGroup, m_handler->groupSizes);
    QVERIFY(!m_handler->processedInsideStore);

    // A group whose commit fails: its webhooks are answered 503, and the handler undoes what
    // it did with them.
    m_handler->failGroup = true;
    QTest::ignoreMessage(QtWarningMsg, "webhook group-9 not stored: disk full");
    const QByteArray body = eventBody(QStringLiteral("group-9"));
    clients[0].send(RawHttpClient::request("POST", "/webhooks/telnyx", body, signedHeaders(body)));
    const RawResponse response = clients[0].next();
    QCOMPARE(response.status, 503);
    QCOMPARE(response.json().value(QStringLiteral("error")).toString(),
             QStringLiteral("store_failed"));
    m_handler->failGroup = false;
    const QByteArray next = eventBody(QStringLiteral("group-10"));
    clients[1].send(RawHttpClient::request("POST", "/webhooks/telnyx", next, signedHeaders(next)));
    QCOMPARE(clients[1].next().status, 200);
    QCOMPARE(m_handler->processed.size(), 4);
    QCOMPARE(m_handler->processed.last(), QStringLiteral("group-10"));
    QCOMPARE(m_handler->undone, QStringList{QStringLiteral("group-9")});

    // A group that cannot begin (the database is locked by another process): each webhook is
    // answered 503 at once, none is handed to store() to wait for the lock again.
    m_handler->unavailable = QStringLiteral("database is locked");
    const int storesBefore = m_handler->storeCalls;
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral(
                                           "webhook\\(s\\) not stored: database is locked")));
    for (int i = 0; i < 2; ++i) {
        const QByteArray locked = eventBody(QStringLiteral("group-locked-%1").arg(i));
        clients[i].send(
            RawHttpClient::request("POST", "/webhooks/telnyx", locked, signedHeaders(locked)));
    }
    for (int i = 0; i < 2; ++i) {
        const RawResponse refused = clients[i].next();
        QCOMPARE(refused.status, 503);
        QCOMPARE(refused.json().value(QStringLiteral("error")).toString(),
                 QStringLiteral("store_failed"));
    }
    QCOMPARE(m_handler->storeCalls, storesBefore);
    QCOMPARE(m_handler->processed.size(), 4);
    m_handler->unavailable.clear();
}

void TstWebhookServer::runsInItsOwnThread()
{
    // As in the engine: the server is constructed in, and runs on, another thread.
    m_server.reset();
    QThread engine;
    engine.start();
    QObject context;
    context.moveToThread(&engine);
    WebhookServer *server = nullptr;
    quint16 enginePort = 0;
    FakeHandler *handler = m_handler.get();
    QMetaObject::invokeMethod(
        &context,
        [&] {
            server = new WebhookServer(handler);
            server->setVerifier(WebhookVerifier(TestPublicKey));
            server->setClock([] { return Now; });
            server->listen(QHostAddress::LocalHost, 0);
            enginePort = server->serverPort();
        },
        Qt::BlockingQueuedConnection);
    QVERIFY(enginePort != 0);
    QCOMPARE(server->thread(), &engine);

    const QByteArray body = eventBody(QStringLiteral("thread-1"));
    QNetworkRequest request(
        QUrl(QStringLiteral("http://127.0.0.1:%1/webhooks/telnyx").arg(enginePort)));
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
    for (const auto &h : signedHeaders(body))
        request.setRawHeader(h.first, h.second);
    QNetworkReply *reply = m_nam->post(request, body);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    QVERIFY(finished.wait(10000));
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    reply->deleteLater();
    QCOMPARE(handler->storeCalls.load(), 1);

    QMetaObject::invokeMethod(
        &context, [&] { delete server; }, Qt::BlockingQueuedConnection);
    engine.quit();
    engine.wait();
}

QTEST_GUILESS_MAIN(TstWebhookServer)
#include "tst_webhookserver.moc"
