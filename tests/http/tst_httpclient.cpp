// SPDX-License-Identifier: GPL-3.0-or-later
// kt::HttpClient against a scripted loopback server (plain and TLS): keep-alive reuse, the cap on
// connections, a stale connection's single retry, errors, abort, idle expiry.
#include "http/httpclient.h"

#include <QSslConfiguration>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <functional>
#include <memory>

using kt::HttpClient;
using kt::HttpRequest;
using kt::HttpResponse;

namespace {

// A loopback HTTP/1.1 server that answers each request as the test says.
class ScriptedServer : public QObject
{
public:
    struct Request
    {
        int connection = 0; // in order of acceptance
        int index = 0;      // on its connection
        QByteArray head;    // request line and headers
        QByteArray body;
    };
    struct Reply
    {
        QByteArray bytes; // written as they are (nothing: no answer)
        bool close = false;
    };
    std::function<Reply(const Request &)> handler = [](const Request &r) {
        return Reply{ok(QByteArray::number(r.index)), false};
    };
    QList<Request> requests;
    int connections = 0;

    static QByteArray ok(const QByteArray &body)
    {
        return "HTTP/1.1 200 OK\r\nContent-Length: " + QByteArray::number(body.size()) +
               "\r\n\r\n" + body;
    }

    bool listen(QTcpServer *server = new QTcpServer)
    {
        m_server.reset(server);
        if (auto *ssl = qobject_cast<QSslServer *>(server)) {
            connect(ssl, &QSslServer::startedEncryptionHandshake, this, [] {});
            connect(ssl, &QSslServer::pendingConnectionAvailable, this, [this] { accept(); });
        } else {
            connect(server, &QTcpServer::newConnection, this, [this] { accept(); });
        }
        return server->listen(QHostAddress::LocalHost);
    }
    quint16 port() const { return m_server->serverPort(); }
    QUrl url(const QString &path, const QString &scheme = QStringLiteral("http")) const
    {
        return QUrl(QStringLiteral("%1://127.0.0.1:%2%3").arg(scheme).arg(port()).arg(path));
    }

private:
    void accept()
    {
        while (QTcpSocket *socket = m_server->nextPendingConnection()) {
            const int connection = connections++;
            auto buffer = std::make_shared<QByteArray>();
            auto served = std::make_shared<int>(0);
            connect(socket, &QTcpSocket::readyRead, this, [=, this] {
                buffer->append(socket->readAll());
                for (;;) {
                    const qsizetype end = buffer->indexOf("\r\n\r\n");
                    if (end < 0)
                        return;
                    Request r;
                    r.connection = connection;
                    r.index = *served;
                    r.head = buffer->left(end + 2);
                    qsizetype length = 0;
                    for (const QByteArray &line : r.head.split('\n')) {
                        if (line.toLower().startsWith("content-length:"))
                            length = line.mid(15).trimmed().toLongLong();
                    }
                    if (buffer->size() < end + 4 + length)
                        return;
                    r.body = buffer->mid(end + 4, length);
                    buffer->remove(0, end + 4 + length);
                    ++*served;
                    requests.append(r);
                    const Reply reply = handler(r);
                    socket->write(reply.bytes);
                    if (reply.close) {
                        socket->disconnectFromHost();
                        return;
                    }
                }
            });
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        }
    }

    std::unique_ptr<QTcpServer> m_server;
};

// What a request's callback saw.
struct Outcome
{
    int calls = 0;
    HttpResponse response;
};

std::shared_ptr<Outcome> send(HttpClient &client, const QUrl &url, const QByteArray &body = {},
                              quint64 *id = nullptr)
{
    auto outcome = std::make_shared<Outcome>();
    HttpRequest request;
    request.method = body.isNull() ? QByteArrayLiteral("GET") : QByteArrayLiteral("POST");
    request.url = url;
    request.body = body;
    const quint64 sent = client.send(request, [outcome](const HttpResponse &response) {
        ++outcome->calls;
        outcome->response = response;
    });
    if (id)
        *id = sent;
    return outcome;
}

// A self-signed P-256 certificate for 127.0.0.1, made with OpenSSL.
struct TestIdentity
{
    QSslCertificate certificate;
    QSslKey key;
};

TestIdentity makeIdentity()
{
    TestIdentity identity;
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x509 = X509_new();
    if (!key || !x509)
        return identity;
    X509_set_version(x509, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x509), 1);
    X509_gmtime_adj(X509_getm_notBefore(x509), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x509), 3600);
    X509_set_pubkey(x509, key);
    X509_NAME *name = X509_get_subject_name(x509);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char *>("127.0.0.1"), -1, -1, 0);
    X509_set_issuer_name(x509, name);
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, x509, x509, nullptr, nullptr, 0);
    if (X509_EXTENSION *san =
            X509V3_EXT_conf_nid(nullptr, &context, NID_subject_alt_name, "IP:127.0.0.1")) {
        X509_add_ext(x509, san, -1);
        X509_EXTENSION_free(san);
    }
    if (X509_sign(x509, key, EVP_sha256()) > 0) {
        BIO *certBio = BIO_new(BIO_s_mem());
        BIO *keyBio = BIO_new(BIO_s_mem());
        PEM_write_bio_X509(certBio, x509);
        PEM_write_bio_PrivateKey(keyBio, key, nullptr, nullptr, 0, nullptr, nullptr);
        auto read = [](BIO *bio) {
            char *data = nullptr;
            const long size = BIO_get_mem_data(bio, &data);
            return QByteArray(data, size);
        };
        identity.certificate = QSslCertificate(read(certBio));
        identity.key = QSslKey(read(keyBio), QSsl::Ec);
        BIO_free(certBio);
        BIO_free(keyBio);
    }
    X509_free(x509);
    EVP_PKEY_free(key);
    return identity;
}

} // namespace

class TestHttpClient : public QObject
{
    Q_OBJECT

private slots:
    void keepAliveCarriesEveryRequestOnOneConnection()
    {
        ScriptedServer server;
        QVERIFY(server.listen());
        HttpClient client;
        // Each request is sent from the previous one's callback: the connection is idle again
        // by then.
        QList<HttpResponse> responses;
        std::function<void()> next = [&] {
            HttpRequest request;
            request.method = "POST";
            request.url = server.url(QStringLiteral("/v2/calls/x/actions/answer"));
            request.headers = {{"Accept", "application/json"}};
            request.body = "{\"n\":" + QByteArray::number(responses.size()) + "}";
            client.send(request, [&](const HttpResponse &response) {
                responses.append(response);
                if (responses.size() < 5)
                    next();
            });
        };
        next();
        QTRY_COMPARE(responses.size(), 5);
        for (int i = 0; i < 5; ++i) {
            QCOMPARE(responses.at(i).status, 200);
            QCOMPARE(responses.at(i).body, QByteArray::number(i));
            QCOMPARE(server.requests.at(i).body, "{\"n\":" + QByteArray::number(i) + "}");
        }
        QCOMPARE(server.connections, 1);
        QCOMPARE(client.connectionsOpened(), 1u);
        QCOMPARE(server.requests.first().head,
                 QByteArray("POST /v2/calls/x/actions/answer HTTP/1.1\r\nHost: 127.0.0.1:" +
                            QByteArray::number(server.port()) +
                            "\r\nAccept: application/json\r\nContent-Length: 7\r\n"));
    }

    void concurrentRequestsWaitForTheCappedConnections()
    {
        ScriptedServer server;
        QVERIFY(server.listen());
        HttpClient client;
        client.setMaxConnectionsPerOrigin(2);
        QList<std::shared_ptr<Outcome>> outcomes;
        for (int i = 0; i < 6; ++i)
            outcomes.append(send(client, server.url(QStringLiteral("/r")), QByteArray::number(i)));
        QCOMPARE(client.openConnections(), 2);
        for (const auto &outcome : std::as_const(outcomes)) {
            QTRY_COMPARE(outcome->calls, 1);
            QCOMPARE(outcome->response.status, 200);
        }
        QCOMPARE(server.requests.size(), 6);
        QCOMPARE(server.connections, 2);
        QCOMPARE(client.connectionsOpened(), 2u);
    }

    void staleKeepAliveConnectionIsRetriedOnce()
    {
        ScriptedServer server;
        QVERIFY(server.listen());
        // The first connection serves one request, then closes when the next one arrives
        // (as a server whose keep-alive timer had just run out); later connections close
        // without answering anything.
        server.handler = [](const ScriptedServer::Request &r) {
            if (r.connection == 0 && r.index == 0)
                return ScriptedServer::Reply{ScriptedServer::ok("first"), false};
            if (r.connection == 1)
                return ScriptedServer::Reply{ScriptedServer::ok("again"), false};
            return ScriptedServer::Reply{{}, true};
        };
        HttpClient client;
        const auto first = send(client, server.url(QStringLiteral("/a")));
        QTRY_COMPARE(first->calls, 1);
        QCOMPARE(first->response.body, QByteArray("first"));

        const auto second = send(client, server.url(QStringLiteral("/b")), "payload");
        QTRY_COMPARE(second->calls, 1);
        QCOMPARE(second->response.status, 200);
        QCOMPARE(second->response.body, QByteArray("again"));
        QCOMPARE(server.requests.size(), 3);
        QCOMPARE(server.requests.at(2).body, QByteArray("payload")); // the same request again
        QCOMPARE(server.connections, 2);

        // A fresh connection that closes unanswered is an error, not a retry; and a request
        // is repeated only once.
        server.handler = [](const ScriptedServer::Request &r) {
            return r.connection == 1 && r.index == 1
                       ? ScriptedServer::Reply{ScriptedServer::ok("ok"), false}
                       : ScriptedServer::Reply{{}, true};
        };
        const auto third = send(client, server.url(QStringLiteral("/c")));
        QTRY_COMPARE(third->calls, 1);
        QCOMPARE(third->response.status, 200); // connection 1 was idle and answered
        const auto fourth = send(client, server.url(QStringLiteral("/d")));
        QTRY_COMPARE(fourth->calls, 1);
        QCOMPARE(fourth->response.status, 0);
        QVERIFY2(fourth->response.error.contains(QLatin1String("closed")),
                 qPrintable(fourth->response.error));
        // /d went to connection 1 (stale: closed), then once to connection 2 (closed): no more.
        QCOMPARE(server.requests.size(), 6);
        QCOMPARE(server.connections, 3);
        QTest::qWait(50);
        QCOMPARE(fourth->calls, 1);
    }

    void refusedConnectionIsReportedAfterSendReturns()
    {
        quint16 closedPort = 0;
        {
            QTcpServer gone;
            QVERIFY(gone.listen(QHostAddress::LocalHost));
            closedPort = gone.serverPort();
        }
        HttpClient client;
        const auto outcome =
            send(client, QUrl(QStringLiteral("http://127.0.0.1:%1/x").arg(closedPort)));
        QCOMPARE(outcome->calls, 0);
        QTRY_COMPARE(outcome->calls, 1);
        QCOMPARE(outcome->response.status, 0);
        QVERIFY2(outcome->response.error.contains(QLatin1String("refused"), Qt::CaseInsensitive),
                 qPrintable(outcome->response.error));
        QCOMPARE(client.openConnections(), 0);
    }

    void unsendableRequestIsReportedAfterSendReturns()
    {
        HttpClient client;
        const auto outcome = send(client, QUrl(QStringLiteral("ftp://127.0.0.1/x")));
        QCOMPARE(outcome->calls, 0);
        QTRY_COMPARE(outcome->calls, 1);
        QCOMPARE(outcome->response.status, 0);
        QVERIFY(outcome->response.error.contains(QLatin1String("scheme")));
    }

    void abortDropsTheRequestAndItsConnection()
    {
        ScriptedServer server;
        QVERIFY(server.listen());
        server.handler = [](const ScriptedServer::Request &r) {
            return r.connection == 0 ? ScriptedServer::Reply{} // never answers
                                     : ScriptedServer::Reply{ScriptedServer::ok("ok"), false};
        };
        HttpClient client;
        quint64 id = 0;
        const auto dropped = send(client, server.url(QStringLiteral("/slow")), {}, &id);
        QTRY_COMPARE(server.requests.size(), 1);
        QVERIFY(client.abort(id));
        QVERIFY(!client.abort(id));
        QCOMPARE(client.openConnections(), 0);
        const auto next = send(client, server.url(QStringLiteral("/next")));
        QTRY_COMPARE(next->calls, 1);
        QCOMPARE(next->response.status, 200);
        QTest::qWait(50);
        QCOMPARE(dropped->calls, 0);

        // Aborting one whose failure is already on its way: its callback is not called either.
        quint64 doomed = 0;
        const auto unsendable = send(client, QUrl(QStringLiteral("ftp://x/")), {}, &doomed);
        QVERIFY(client.abort(doomed));
        QTest::qWait(50);
        QCOMPARE(unsendable->calls, 0);
    }

    void invalidResponseDropsTheConnection()
    {
        ScriptedServer server;
        QVERIFY(server.listen());
        server.handler = [](const ScriptedServer::Request &r) {
            return r.connection == 0 ? ScriptedServer::Reply{"SSH-2.0-x\r\n\r\n", false}
                                     : ScriptedServer::Reply{ScriptedServer::ok("ok"), false};
        };
        HttpClient client;
        const auto bad = send(client, server.url(QStringLiteral("/a")));
        QTRY_COMPARE(bad->calls, 1);
        QCOMPARE(bad->response.status, 0);
        QCOMPARE(bad->response.error, QStringLiteral("invalid response: not an HTTP/1.x response"));
        const auto good = send(client, server.url(QStringLiteral("/b")));
        QTRY_COMPARE(good->calls, 1);
        QCOMPARE(good->response.status, 200);
        QCOMPARE(server.connections, 2);
    }

    void chunkedAndCloseDelimitedBodies()
    {
        ScriptedServer server;
        QVERIFY(server.listen());
        server.handler = [](const ScriptedServer::Request &r) {
            if (r.index == 0)
                return ScriptedServer::Reply{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                             "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
                                             false};
            return ScriptedServer::Reply{"HTTP/1.1 404 Not Found\r\n\r\nto the end", true};
        };
        HttpClient client;
        const auto chunked = send(client, server.url(QStringLiteral("/a")));
        QTRY_COMPARE(chunked->calls, 1);
        QCOMPARE(chunked->response.body, QByteArray("abcde"));
        const auto untilClose = send(client, server.url(QStringLiteral("/b")));
        QTRY_COMPARE(untilClose->calls, 1);
        QCOMPARE(untilClose->response.status, 404);
        QCOMPARE(untilClose->response.reason, QByteArray("Not Found"));
        QCOMPARE(untilClose->response.body, QByteArray("to the end"));
        QCOMPARE(server.connections, 1);
        QTRY_COMPARE(client.openConnections(), 0);
    }

    void headAnswerHasNoBody()
    {
        // A HEAD answer says how long the body would be, and sends none: the client must not
        // wait for it, and the connection carries the next request.
        ScriptedServer server;
        QVERIFY(server.listen());
        server.handler = [](const ScriptedServer::Request &r) {
            return r.index == 0
                       ? ScriptedServer::Reply{"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n",
                                               false}
                       : ScriptedServer::Reply{ScriptedServer::ok("after"), false};
        };
        HttpClient client;
        auto head = std::make_shared<Outcome>();
        HttpRequest request;
        request.method = "HEAD";
        request.url = server.url(QStringLiteral("/h"));
        client.send(request, [head](const HttpResponse &response) {
            ++head->calls;
            head->response = response;
        });
        QTRY_COMPARE(head->calls, 1);
        QCOMPARE(head->response.status, 200);
        QVERIFY(head->response.body.isEmpty());
        const auto next = send(client, server.url(QStringLiteral("/n")));
        QTRY_COMPARE(next->calls, 1);
        QCOMPARE(next->response.body, QByteArray("after"));
        QCOMPARE(server.connections, 1);
    }

    void idleConnectionsExpire()
    {
        ScriptedServer server;
        QVERIFY(server.listen());
        HttpClient client;
        client.setIdleTimeoutMs(50);
        const auto first = send(client, server.url(QStringLiteral("/a")));
        QTRY_COMPARE(first->calls, 1);
        const auto soon = send(client, server.url(QStringLiteral("/b")));
        QTRY_COMPARE(soon->calls, 1);
        QCOMPARE(server.connections, 1);
        QTest::qWait(120);
        const auto later = send(client, server.url(QStringLiteral("/c")));
        QTRY_COMPARE(later->calls, 1);
        QCOMPARE(later->response.status, 200);
        QCOMPARE(server.connections, 2);
        QCOMPARE(client.openConnections(), 1);
    }

    void httpsVerifiesThePeer()
    {
        if (!QSslSocket::supportsSsl())
            QSKIP("no TLS backend");
        const TestIdentity identity = makeIdentity();
        QVERIFY(!identity.certificate.isNull());
        QVERIFY(!identity.key.isNull());
        auto *tls = new QSslServer;
        QSslConfiguration serverConfig = QSslConfiguration::defaultConfiguration();
        serverConfig.setLocalCertificate(identity.certificate);
        serverConfig.setPrivateKey(identity.key);
        tls->setSslConfiguration(serverConfig);
        ScriptedServer server;
        QVERIFY(server.listen(tls));

        HttpClient trusting;
        QSslConfiguration clientConfig = QSslConfiguration::defaultConfiguration();
        clientConfig.setCaCertificates({identity.certificate});
        trusting.setSslConfiguration(clientConfig);
        const auto first =
            send(trusting, server.url(QStringLiteral("/a"), QStringLiteral("https")));
        QTRY_COMPARE(first->calls, 1);
        QVERIFY2(first->response.status == 200, qPrintable(first->response.error));
        const auto second =
            send(trusting, server.url(QStringLiteral("/b"), QStringLiteral("https")), "x");
        QTRY_COMPARE(second->calls, 1);
        QCOMPARE(second->response.status, 200);
        QCOMPARE(server.connections, 1);

        // The system's CAs do not know this certificate: no request is sent.
        HttpClient wary;
        const auto refused = send(wary, server.url(QStringLiteral("/c"), QStringLiteral("https")));
        QTRY_COMPARE(refused->calls, 1);
        QCOMPARE(refused->response.status, 0);
        QVERIFY(!refused->response.error.isEmpty());
        QCOMPARE(server.requests.size(), 2);
    }
};

QTEST_GUILESS_MAIN(TestHttpClient)
#include "tst_httpclient.moc"
