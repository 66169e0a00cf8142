// SPDX-License-Identifier: GPL-3.0-or-later
// kt::HttpResponseParser (RFC 9112 framing, limits, keep-alive) and kt::HttpRequest.
#include "http/httpmessage.h"
#include "http/httpresponseparser.h"

#include <QTest>

using kt::HttpRequest;
using kt::HttpResponse;
using kt::HttpResponseParser;
using State = HttpResponseParser::State;

namespace {

// Feeds `bytes` in pieces of `piece` bytes (0: all at once).
State feedAll(HttpResponseParser &parser, const QByteArray &bytes, qsizetype piece = 0)
{
    if (piece <= 0)
        return parser.feed(bytes);
    State state = parser.state();
    for (qsizetype i = 0; i < bytes.size(); i += piece)
        state = parser.feed(QByteArrayView(bytes).sliced(i, qMin(piece, bytes.size() - i)));
    return state;
}

} // namespace

class TestHttpResponseParser : public QObject
{
    Q_OBJECT

private slots:
    void framedResponses_data()
    {
        QTest::addColumn<QByteArray>("wire");
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<bool>("keepAlive");

        QTest::newRow("content-length")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                          "Content-Length: 11\r\n\r\n{\"data\":{}}")
            << 200 << QByteArray("{\"data\":{}}") << true;
        QTest::newRow("zero length")
            << QByteArray("HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n") << 202
            << QByteArray("") << true;
        QTest::newRow("chunked, extensions and trailers")
            << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "5;name=value\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n"
                          "0\r\nX-Trailer: yes\r\n\r\n")
            << 200 << QByteArray("hello 0123456789") << true;
        QTest::newRow("chunked, upper-case hex, bare LF")
            << QByteArray(
                   "HTTP/1.1 200 OK\nTransfer-Encoding: gzip, chunked\n\nB\n0123456789a\n0\n\n")
            << 200 << QByteArray("0123456789a") << true;
        QTest::newRow("connection close")
            << QByteArray("HTTP/1.1 500 Internal Server Error\r\nConnection: keep-alive, close\r\n"
                          "Content-Length: 2\r\n\r\nno")
            << 500 << QByteArray("no") << false;
        QTest::newRow("HTTP/1.0 closes by default")
            << QByteArray("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok") << 200
            << QByteArray("ok") << false;
        QTest::newRow("HTTP/1.0 keep-alive")
            << QByteArray(
                   "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\nok")
            << 200 << QByteArray("ok") << true;
        QTest::newRow("interim 100 and 103 skipped")
            << QByteArray(
                   "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                   "HTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nx")
            << 201 << QByteArray("x") << true;
        QTest::newRow("204 has no body")
            << QByteArray("HTTP/1.1 204 No Content\r\n\r\n") << 204 << QByteArray() << true;
        QTest::newRow("304 ignores its length")
            << QByteArray("HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n") << 304
            << QByteArray() << true;
        QTest::newRow("repeated equal lengths")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nok")
            << 200 << QByteArray("ok") << true;
        QTest::newRow("length beside chunked: chunked wins, no reuse")
            << QByteArray(
                   "HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: chunked\r\n\r\n"
                   "2\r\nok\r\n0\r\n\r\n")
            << 200 << QByteArray("ok") << false;
        QTest::newRow("no reason phrase") << QByteArray("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n")
                                          << 200 << QByteArray("") << true;
    }

    void framedResponses()
    {
        QFETCH(QByteArray, wire);
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        QFETCH(bool, keepAlive);
        // Whole, then in every piece size down to single bytes: the same response.
        for (const qsizetype piece : {qsizetype(0), qsizetype(7), qsizetype(2), qsizetype(1)}) {
            HttpResponseParser parser;
            QCOMPARE(feedAll(parser, wire, piece), State::Complete);
            QCOMPARE(parser.keepAlive(), keepAlive);
            const HttpResponse response = parser.takeResponse();
            QCOMPARE(response.status, status);
            QCOMPARE(response.body, body);
        }
    }

    void headersAreReadCaseInsensitivelyAndTrimmed()
    {
        HttpResponseParser parser;
        QCOMPARE(
            parser.feed("HTTP/1.1 429 Too Many Requests\r\nRetry-After:  7 \r\n"
                        "x-should-retry: false\r\nRETRY-AFTER: 9\r\nContent-Length: 0\r\n\r\n"),
            State::Complete);
        const HttpResponse response = parser.takeResponse();
        QCOMPARE(response.reason, QByteArray("Too Many Requests"));
        QCOMPARE(response.header("retry-after"), QByteArray("7")); // the first one
        QCOMPARE(response.header("X-Should-Retry"), QByteArray("false"));
        QVERIFY(response.header("retry-after-ms").isNull());
    }

    void bodyToTheEndOfTheConnection()
    {
        HttpResponseParser parser;
        QCOMPARE(parser.feed("HTTP/1.1 200 OK\r\n\r\npart one, "), State::Incomplete);
        QCOMPARE(parser.feed("part two"), State::Incomplete);
        QCOMPARE(parser.finish(), State::Complete);
        QVERIFY(!parser.keepAlive());
        QCOMPARE(parser.takeResponse().body, QByteArray("part one, part two"));
    }

    void headRequestHasNoBody()
    {
        HttpResponseParser parser;
        parser.reset(true);
        QCOMPARE(parser.feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"), State::Complete);
        QVERIFY(parser.keepAlive());
        QVERIFY(parser.takeResponse().body.isEmpty());
    }

    void surplusBytesForbidReuse()
    {
        HttpResponseParser parser;
        QCOMPARE(parser.feed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200"),
                 State::Complete);
        QVERIFY(!parser.keepAlive());

        HttpResponseParser later;
        QCOMPARE(later.feed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"), State::Complete);
        QVERIFY(later.keepAlive());
        QCOMPARE(later.feed("x"), State::Complete);
        QVERIFY(!later.keepAlive());
    }

    void closedEarly()
    {
        HttpResponseParser none;
        QCOMPARE(none.finish(), State::Failed);
        QVERIFY(!none.started());
        QVERIFY2(none.error().contains(QLatin1String("without a response")),
                 qPrintable(none.error()));

        HttpResponseParser half;
        QCOMPARE(half.feed("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab"), State::Incomplete);
        QVERIFY(half.started());
        QCOMPARE(half.finish(), State::Failed);
        QVERIFY2(half.error().contains(QLatin1String("middle")), qPrintable(half.error()));
    }

    void malformedResponsesFail_data()
    {
        QTest::addColumn<QByteArray>("wire");
        QTest::addColumn<QString>("reason");
        QTest::newRow("not HTTP") << QByteArray("SSH-2.0-OpenSSH_9.2\r\n\r\n")
                                  << QStringLiteral("not an HTTP/1.x response");
        QTest::newRow("HTTP/2") << QByteArray("HTTP/2 200\r\n\r\n")
                                << QStringLiteral("not an HTTP/1.x response");
        QTest::newRow("status below 100")
            << QByteArray("HTTP/1.1 099 Odd\r\n\r\n") << QStringLiteral("invalid status line");
        QTest::newRow("status not digits")
            << QByteArray("HTTP/1.1 2x0 OK\r\n\r\n") << QStringLiteral("invalid status line");
        QTest::newRow("switching protocols") << QByteArray("HTTP/1.1 101 Switching\r\n\r\n")
                                             << QStringLiteral("unexpected switch of protocols");
        QTest::newRow("negative length")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n")
            << QStringLiteral("invalid Content-Length");
        QTest::newRow("differing lengths")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n")
            << QStringLiteral("invalid Content-Length");
        QTest::newRow("huge length")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n")
            << QStringLiteral("invalid Content-Length");
        QTest::newRow("header without colon") << QByteArray("HTTP/1.1 200 OK\r\nNoColon\r\n\r\n")
                                              << QStringLiteral("invalid header line");
        QTest::newRow("space before colon") << QByteArray("HTTP/1.1 200 OK\r\nName : v\r\n\r\n")
                                            << QStringLiteral("invalid header line");
        QTest::newRow("folded header") << QByteArray("HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\r\n")
                                       << QStringLiteral("obsolete header line folding");
        QTest::newRow("bad chunk size")
            << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
            << QStringLiteral("invalid chunk size");
        QTest::newRow("chunk longer than its size")
            << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n")
            << QStringLiteral("a chunk is longer than its size");
    }

    void malformedResponsesFail()
    {
        QFETCH(QByteArray, wire);
        QFETCH(QString, reason);
        HttpResponseParser parser;
        QCOMPARE(parser.feed(wire), State::Failed);
        QCOMPARE(parser.error(), reason);
        QVERIFY(!parser.keepAlive());
        QCOMPARE(parser.feed("more"), State::Failed); // stays failed
    }

    void sizesAreBounded()
    {
        const QByteArray status("HTTP/1.1 200 OK\r\n");
        {
            HttpResponseParser parser;
            parser.setLimits(100, 1000);
            QCOMPARE(parser.feed(status + "X-Big: " + QByteArray(100, 'a')), State::Failed);
            QVERIFY2(parser.error().contains(QLatin1String("headers exceed 100 bytes")),
                     qPrintable(parser.error()));
        }
        {
            HttpResponseParser parser; // no line end ever comes: still bounded
            parser.setLimits(100, 1000);
            for (int i = 0; i < 20 && parser.state() == State::Incomplete; ++i)
                parser.feed(QByteArray(10, 'a'));
            QCOMPARE(parser.state(), State::Failed);
        }
        for (const QByteArray &framing : {QByteArray("Content-Length: 1001\r\n\r\n"),
                                          QByteArray("Transfer-Encoding: chunked\r\n\r\n3e9\r\n"),
                                          QByteArray("Transfer-Encoding: chunked\r\n\r\n3e8\r\n") +
                                              QByteArray(1000, 'b') + "\r\n1\r\n",
                                          QByteArray("\r\n") + QByteArray(1001, 'c')}) {
            HttpResponseParser parser;
            parser.setLimits(1000, 1000);
            QCOMPARE(parser.feed(status + framing), State::Failed);
            QVERIFY2(parser.error().contains(QLatin1String("body exceeds 1000 bytes")),
                     qPrintable(framing.left(40) + ": " + parser.error()));
        }
        HttpResponseParser chunkLine;
        QCOMPARE(
            chunkLine.feed(status + "Transfer-Encoding: chunked\r\n\r\n1;" + QByteArray(5000, 'e')),
            State::Failed);
        QVERIFY2(chunkLine.error().contains(QLatin1String("chunk size line")),
                 qPrintable(chunkLine.error()));
    }

    void resetReadsTheNextResponse()
    {
        HttpResponseParser parser;
        QCOMPARE(parser.feed("HTTP/1.1 500 Oops\r\nContent-Length: 1\r\n\r\nx"), State::Complete);
        QCOMPARE(parser.takeResponse().status, 500);
        parser.reset();
        QVERIFY(!parser.started());
        QCOMPARE(parser.feed("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\ny"), State::Complete);
        const HttpResponse response = parser.takeResponse();
        QCOMPARE(response.status, 200);
        QCOMPARE(response.body, QByteArray("y"));
        QCOMPARE(response.headers.size(), 1);
    }

    void requestOnTheWire()
    {
        HttpRequest post;
        post.method = "POST";
        post.url = QUrl(QStringLiteral("https://api.telnyx.com/v2/calls/v3%3Aabc/actions/answer"));
        post.headers = {{"Authorization", "Bearer KEY"}, {"Content-Type", "application/json"}};
        post.body = "{\"a\":1}";
        QVERIFY(post.invalidReason().isEmpty());
        QCOMPARE(
            post.serialize(),
            QByteArray("POST /v2/calls/v3%3Aabc/actions/answer HTTP/1.1\r\n"
                       "Host: api.telnyx.com\r\nAuthorization: Bearer KEY\r\n"
                       "Content-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}"));

        HttpRequest get;
        get.url = QUrl(QStringLiteral("http://user:pw@[::1]:8080/phone_numbers?page[number]=2"));
        // User info never goes out; the query keeps its brackets, as Telnyx writes them.
        QCOMPARE(get.serialize(), QByteArray("GET /phone_numbers?page[number]=2 HTTP/1.1\r\n"
                                             "Host: [::1]:8080\r\n\r\n"));

        HttpRequest emptyPost;
        emptyPost.method = "POST";
        emptyPost.url = QUrl(QStringLiteral("http://127.0.0.1"));
        QCOMPARE(emptyPost.serialize(),
                 QByteArray("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n"));
    }

    void unsendableRequests()
    {
        HttpRequest r;
        r.url = QUrl(QStringLiteral("ftp://example.com/"));
        QVERIFY(r.invalidReason().contains(QLatin1String("scheme")));
        r.url = QUrl(QStringLiteral("http:///path"));
        QVERIFY(r.invalidReason().contains(QLatin1String("no host")));
        r.url = QUrl(QStringLiteral("http://example.com/"));
        r.method = "GET /x";
        QCOMPARE(r.invalidReason(), QStringLiteral("invalid method"));
        r.method = "GET";
        r.headers = {{"Authorization", "Bearer secret\r\nX-Injected: 1"}};
        QCOMPARE(r.invalidReason(), QStringLiteral("invalid header Authorization"));
        QVERIFY(!r.invalidReason().contains(QLatin1String("secret")));
    }
};

QTEST_GUILESS_MAIN(TestHttpResponseParser)
#include "tst_httpresponseparser.moc"
