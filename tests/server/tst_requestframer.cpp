// SPDX-License-Identifier: GPL-3.0-or-later
// kt::RequestFramer: request boundaries and limits, before QHttpServer reads anything.
#include "server/requestframer.h"

#include <QtTest>

using kt::RequestFramer;
using Event = RequestFramer::Event;

namespace {
RequestFramer::Limits smallLimits()
{
    RequestFramer::Limits l;
    l.maxHeaderBytes = 256;
    l.maxHeaderCount = 5;
    l.maxBodyBytes = 100;
    return l;
}

// Feeds everything and collects the events (stops at an error).
QList<Event> feedAll(RequestFramer &f, QByteArrayView data)
{
    QList<Event> events;
    while (!data.isEmpty()) {
        const auto r = f.feed(data);
        data = data.sliced(r.consumed);
        if (r.event != Event::None)
            events << r.event;
        if (f.hasFailed() || (r.consumed == 0 && r.event == Event::None))
            break;
    }
    return events;
}
} // namespace

class TstRequestFramer : public QObject
{
    Q_OBJECT
private slots:
    void getWithoutBody();
    void postSplitByteByByte();
    void pipelinedRequests();
    void leadingBlankLinesAreSkipped();
    void bareLineFeeds();
    void contentLengthOverLimit();
    void headersOverLimit();
    void tooManyHeaderFields();
    void chunkedBody();
    void chunkedOverLimit();
    void chunkedTrailersRefused();
    void chunkedFramingFlood();
    void transferEncodingOtherThanChunked();
    void malformed_data();
    void malformed();
    void expectContinueAndForwardedFor();
    void failureIsSticky();
};

void TstRequestFramer::getWithoutBody()
{
    RequestFramer f(smallLimits());
    QCOMPARE(f.phase(), RequestFramer::Phase::Idle);
    const QByteArray req = "GET /health?x=1 HTTP/1.1\r\nHost: a\r\n\r\n";
    const auto r = f.feed(req);
    QCOMPARE(r.event, Event::RequestComplete);
    QCOMPARE(r.consumed, req.size());
    QCOMPARE(f.method(), QByteArray("GET"));
    QCOMPARE(f.path(), QByteArray("/health"));
    QCOMPARE(f.header("HOST"), QByteArray("a"));
    QCOMPARE(f.contentLength(), -1);
    QCOMPARE(f.phase(), RequestFramer::Phase::Idle);
}

void TstRequestFramer::postSplitByteByByte()
{
    RequestFramer f(smallLimits());
    const QByteArray req = "POST /webhooks/telnyx HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello";
    QList<Event> events;
    for (char c : req) {
        const auto r = f.feed(QByteArrayView(&c, 1));
        QCOMPARE(r.consumed, 1);
        if (r.event != Event::None)
            events << r.event;
        if (events.isEmpty())
            QCOMPARE(f.phase(), RequestFramer::Phase::Headers);
    }
    QCOMPARE(events, (QList<Event>{Event::HeadersComplete, Event::RequestComplete}));
    QCOMPARE(f.contentLength(), 5);
}

void TstRequestFramer::pipelinedRequests()
{
    RequestFramer f(smallLimits());
    const QByteArray one = "POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc";
    const QByteArray two = "GET /b HTTP/1.1\r\n\r\n";
    const QByteArray three = "GET /c HTTP/1.1\r\n";
    const QByteArray all = one + two + three;
    auto r = f.feed(all);
    QCOMPARE(r.event, Event::HeadersComplete);
    r = f.feed(QByteArrayView(all).sliced(r.consumed));
    QCOMPARE(r.event, Event::RequestComplete);
    QCOMPARE(r.consumed, 3);
    r = f.feed(QByteArrayView(all).sliced(one.size()));
    QCOMPARE(r.event, Event::RequestComplete);
    QCOMPARE(r.consumed, two.size());
    QCOMPARE(f.path(), QByteArray("/b"));
    r = f.feed(QByteArrayView(all).sliced(one.size() + two.size()));
    QCOMPARE(r.event, Event::None);
    QCOMPARE(f.phase(), RequestFramer::Phase::Headers);
}

void TstRequestFramer::leadingBlankLinesAreSkipped()
{
    RequestFramer f(smallLimits());
    auto r = f.feed("\r\n\r\n \t");
    QCOMPARE(r.event, Event::None);
    QCOMPARE(f.phase(), RequestFramer::Phase::Idle);
    r = f.feed("GET / HTTP/1.0\r\n\r\n");
    QCOMPARE(r.event, Event::RequestComplete);
}

void TstRequestFramer::bareLineFeeds()
{
    RequestFramer f(smallLimits());
    QCOMPARE(feedAll(f, "POST /x HTTP/1.1\nContent-Length: 1\n\nz"),
             (QList<Event>{Event::HeadersComplete, Event::RequestComplete}));
}

void TstRequestFramer::contentLengthOverLimit()
{
    RequestFramer f(smallLimits());
    const QByteArray head = "POST /x HTTP/1.1\r\nContent-Length: 101\r\n\r\n";
    const auto r = f.feed(head + QByteArray(101, 'x'));
    QCOMPARE(r.event, Event::BodyTooLarge);
    QCOMPARE(r.consumed, head.size()); // refused from the header, before any body byte
    QCOMPARE(feedAll(f, "POST /x HTTP/1.1\r\nContent-Length: 100\r\n\r\n"),
             QList<Event>{Event::BodyTooLarge}); // sticky
    RequestFramer ok(smallLimits());
    QCOMPARE(feedAll(ok, "POST /x HTTP/1.1\r\nContent-Length: 100\r\n\r\n" + QByteArray(100, 'x')),
             (QList<Event>{Event::HeadersComplete, Event::RequestComplete}));
}

void TstRequestFramer::headersOverLimit()
{
    RequestFramer f(smallLimits());
    const QByteArray req = "GET / HTTP/1.1\r\nX-Pad: " + QByteArray(300, 'a');
    const auto r = f.feed(req);
    QCOMPARE(r.event, Event::HeadersTooLarge);
    QVERIFY(r.consumed <= 256);
    // Also when it trickles in without any newline.
    RequestFramer g(smallLimits());
    QList<Event> events;
    for (int i = 0; i < 300 && events.isEmpty(); ++i) {
        const auto s = g.feed("a");
        if (s.event != Event::None)
            events << s.event;
    }
    QCOMPARE(events, QList<Event>{Event::HeadersTooLarge});
}

void TstRequestFramer::tooManyHeaderFields()
{
    RequestFramer f(smallLimits());
    QByteArray req = "GET / HTTP/1.1\r\n";
    for (int i = 0; i < 5; ++i)
        req += "A" + QByteArray::number(i) + ": b\r\n";
    QCOMPARE(feedAll(f, req + "\r\n"), QList<Event>{Event::RequestComplete});
    RequestFramer g(smallLimits());
    QCOMPARE(feedAll(g, req + "A5: b\r\n\r\n"), QList<Event>{Event::HeadersTooLarge});
}

void TstRequestFramer::chunkedBody()
{
    RequestFramer f(smallLimits());
    const QByteArray req = "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "5\r\nhello\r\n1A;ext=1\r\n" +
                           QByteArray(26, 'z') + "\r\n0\r\n\r\nGET / HTTP/1.1\r\n\r\n";
    QCOMPARE(feedAll(f, req), (QList<Event>{Event::HeadersComplete, Event::RequestComplete,
                                            Event::RequestComplete}));
    QVERIFY(!f.hasFailed());
}

void TstRequestFramer::chunkedOverLimit()
{
    RequestFramer f(smallLimits());
    QByteArray req = "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 20; ++i)
        req += "a\r\n0123456789\r\n"; // 10 bytes each: the 11th chunk crosses 100
    QCOMPARE(feedAll(f, req), (QList<Event>{Event::HeadersComplete, Event::BodyTooLarge}));
}

void TstRequestFramer::chunkedTrailersRefused()
{
    RequestFramer f(smallLimits());
    QCOMPARE(feedAll(f, "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                        "1\r\na\r\n0\r\nX-Trailer: 1\r\n\r\n"),
             (QList<Event>{Event::HeadersComplete, Event::Malformed}));
}

void TstRequestFramer::chunkedFramingFlood()
{
    // Chunk extensions can make the framing much larger than the body: bounded too.
    RequestFramer f(smallLimits());
    QByteArray req = "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 10; ++i)
        req += "1;" + QByteArray(900, 'e') + "\r\na\r\n";
    QCOMPARE(feedAll(f, req), (QList<Event>{Event::HeadersComplete, Event::BodyTooLarge}));
}

void TstRequestFramer::transferEncodingOtherThanChunked()
{
    RequestFramer f(smallLimits());
    QCOMPARE(feedAll(f, "POST /x HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"),
             QList<Event>{Event::UnsupportedTransferEncoding});
}

void TstRequestFramer::malformed_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::newRow("no version") << QByteArray("GET /\r\n\r\n");
    QTest::newRow("http2") << QByteArray("GET / HTTP/2.0\r\n\r\n");
    QTest::newRow("no colon") << QByteArray("GET / HTTP/1.1\r\nHost a\r\n\r\n");
    QTest::newRow("space before colon") << QByteArray("GET / HTTP/1.1\r\nHost : a\r\n\r\n");
    QTest::newRow("folded") << QByteArray("GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n");
    QTest::newRow("bad length") << QByteArray("POST / HTTP/1.1\r\nContent-Length: 5x\r\n\r\n");
    QTest::newRow("negative length") << QByteArray("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n");
    QTest::newRow("two lengths") << QByteArray(
        "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n");
    QTest::newRow("length and chunked")
        << QByteArray("POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n");
    QTest::newRow("control char") << QByteArray("GET / HTTP/1.1\r\nA: b\x01\r\n\r\n");
    QTest::newRow("bad chunk size")
        << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
    QTest::newRow("chunk without crlf")
        << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n");
}

void TstRequestFramer::malformed()
{
    QFETCH(QByteArray, request);
    RequestFramer f(smallLimits());
    const QList<Event> events = feedAll(f, request);
    QVERIFY(!events.isEmpty());
    QCOMPARE(events.constLast(), Event::Malformed);
    QVERIFY(!f.errorMessage().isEmpty());
}

void TstRequestFramer::expectContinueAndForwardedFor()
{
    RequestFramer f(smallLimits());
    const auto r = f.feed("POST /x HTTP/1.1\r\nExpect: 100-Continue\r\nX-Forwarded-For: 1.2.3.4\r\n"
                          "x-forwarded-for: 5.6.7.8\r\nContent-Length: 2\r\n\r\n");
    QCOMPARE(r.event, Event::HeadersComplete);
    QVERIFY(f.expectsContinue());
    QCOMPARE(f.header("X-Forwarded-For"), QByteArray("1.2.3.4, 5.6.7.8"));
    QCOMPARE(f.bodyBytesRemaining(), 2);
}

void TstRequestFramer::failureIsSticky()
{
    RequestFramer f(smallLimits());
    QCOMPARE(f.feed("BAD\r\n\r\n").event, Event::Malformed);
    const auto r = f.feed("GET / HTTP/1.1\r\n\r\n");
    QCOMPARE(r.event, Event::Malformed);
    QCOMPARE(r.consumed, 0);
}

QTEST_GUILESS_MAIN(TstRequestFramer)
#include "tst_requestframer.moc"
