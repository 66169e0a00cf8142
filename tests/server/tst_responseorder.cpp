// SPDX-License-Identifier: GPL-3.0-or-later
// ResponseOrder: answers leave a connection in the order of its requests, whatever order they
// are ready in; a closing answer ends the connection; a gone connection is forgotten.
#include "server/responseorder.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QtTest>

#include <memory>

using namespace kt;

class TstResponseOrder : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void answersLeaveInRequestOrder();
    void answerWithNothingPendingIsWrittenAtOnce();
    void closingAnswerEndsTheConnection();
    void goneConnectionIsForgotten();

private:
    // What the client end has received so far, read until `expected` bytes or the timeout.
    QByteArray received(qsizetype expected, int timeoutMs = 2000);

    QTcpServer m_listener;
    std::unique_ptr<QTcpSocket> m_client;
    QTcpSocket *m_server = nullptr; // the server end, owned by m_listener
    QByteArray m_received;
};

void TstResponseOrder::init()
{
    QVERIFY(m_listener.listen(QHostAddress::LocalHost, 0));
    m_client = std::make_unique<QTcpSocket>();
    m_client->connectToHost(QHostAddress::LocalHost, m_listener.serverPort());
    QVERIFY(m_listener.waitForNewConnection(5000));
    m_server = m_listener.nextPendingConnection();
    QVERIFY(m_server);
    QTRY_COMPARE(m_client->state(), QAbstractSocket::ConnectedState);
    m_received.clear();
}

void TstResponseOrder::cleanup()
{
    m_client.reset();
    delete m_server;
    m_server = nullptr;
    m_listener.close();
}

QByteArray TstResponseOrder::received(qsizetype expected, int timeoutMs)
{
    (void)QTest::qWaitFor(
        [&] {
            m_received += m_client->readAll();
            return m_received.size() >= expected;
        },
        timeoutMs);
    m_received += m_client->readAll();
    return m_received;
}

void TstResponseOrder::answersLeaveInRequestOrder()
{
    ResponseOrder order;
    const auto first = order.reserve(m_server);
    const auto second = order.reserve(m_server);
    order.send(m_server, "third;", false); // ready at once, but behind two pending answers
    QCOMPARE(order.pending(m_server), 3);
    QCOMPARE(m_server->property(ResponseOrder::PendingProperty).toInt(), 3);

    order.fulfil(second, "second;", false);
    QCOMPARE(received(1, 200), QByteArray()); // the first is not ready: nothing leaves
    QCOMPARE(order.pending(m_server), 3);

    order.fulfil(first, "first;", false);
    QCOMPARE(received(20), QByteArray("first;second;third;"));
    QCOMPARE(order.pending(m_server), 0);
    QCOMPARE(order.pending(), 0);
    QCOMPARE(m_server->property(ResponseOrder::PendingProperty).toInt(), 0);

    order.fulfil(first, "again;", false); // a ticket already answered is ignored
    QCOMPARE(received(25, 200), QByteArray("first;second;third;"));
}

void TstResponseOrder::answerWithNothingPendingIsWrittenAtOnce()
{
    ResponseOrder order;
    order.send(m_server, "now;", false);
    QCOMPARE(order.pending(m_server), 0);
    QCOMPARE(m_server->bytesToWrite(), 0); // flushed, not left for the event loop
    QCOMPARE(received(4), QByteArray("now;"));
}

void TstResponseOrder::closingAnswerEndsTheConnection()
{
    ResponseOrder order;
    const auto first = order.reserve(m_server);
    const auto second = order.reserve(m_server);
    order.fulfil(second, "never;", false);
    order.fulfil(first, "bye;", true); // Connection: close: what follows is not sent
    QCOMPARE(received(10), QByteArray("bye;"));
    QTRY_COMPARE(m_client->state(), QAbstractSocket::UnconnectedState);
    QCOMPARE(order.pending(), 0);
}

void TstResponseOrder::goneConnectionIsForgotten()
{
    ResponseOrder order;
    const auto ticket = order.reserve(m_server);
    QCOMPARE(order.pending(), 1);
    delete m_server;
    m_server = nullptr;
    QCOMPARE(order.pending(), 0);
    order.fulfil(ticket, "late;", false); // its answer has nowhere to go: ignored
    QCOMPARE(order.pending(), 0);
}

QTEST_GUILESS_MAIN(TstResponseOrder)
#include "tst_responseorder.moc"
