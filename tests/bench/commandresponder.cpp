// SPDX-License-Identifier: GPL-3.0-or-later
#include "commandresponder.h"

#include <QHostAddress>
#include <QTcpServer>
#include <QTcpSocket>

#include <memory>

namespace kt::bench {
namespace {

const QByteArray kBody = QByteArrayLiteral("{\"data\":{\"result\":\"ok\"}}");
const QByteArray kAnswer = QByteArrayLiteral("HTTP/1.1 200 OK\r\n"
                                             "Content-Type: application/json\r\n"
                                             "Content-Length: ") +
                           QByteArray::number(kBody.size()) + QByteArrayLiteral("\r\n\r\n") + kBody;

// The Content-Length of a request head (0 when there is none).
qint64 contentLength(const QByteArray &head)
{
    for (const QByteArray &line : head.split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.left(colon).trimmed().toLower() == "content-length")
            return line.mid(colon + 1).trimmed().toLongLong();
    }
    return 0;
}

} // namespace

CommandResponder::CommandResponder(QObject *parent) : QThread(parent)
{
    setObjectName(QStringLiteral("telnyx-responder"));
}

CommandResponder::~CommandResponder()
{
    stopAndWait();
}

bool CommandResponder::startAndWait()
{
    start();
    while (!m_ready.load())
        QThread::msleep(1);
    return m_port.load() != 0;
}

void CommandResponder::stopAndWait()
{
    if (!isRunning())
        return;
    quit();
    wait();
}

QUrl CommandResponder::baseUrl() const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1/v2").arg(m_port.load()));
}

void CommandResponder::run()
{
    QTcpServer server;
    if (server.listen(QHostAddress::LocalHost, 0))
        m_port = server.serverPort();
    m_ready = true;
    if (m_port.load() == 0)
        return;
    QObject::connect(&server, &QTcpServer::newConnection, &server, [this, &server] {
        while (QTcpSocket *socket = server.nextPendingConnection()) {
            socket->setSocketOption(QAbstractSocket::LowDelayOption, 1); // no Nagle delay
            QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            // The bytes of a request not yet complete; freed with the connection's lambda.
            auto buffer = std::make_shared<QByteArray>();
            QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket, buffer] {
                *buffer += socket->readAll();
                for (;;) {
                    const qsizetype end = buffer->indexOf("\r\n\r\n");
                    if (end < 0)
                        return;
                    const qint64 length = contentLength(buffer->left(end));
                    if (buffer->size() < end + 4 + length)
                        return;
                    buffer->remove(0, end + 4 + length);
                    ++m_requests;
                    socket->write(kAnswer);
                }
            });
        }
    });
    exec();
}

} // namespace kt::bench
