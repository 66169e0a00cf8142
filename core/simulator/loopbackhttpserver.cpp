// SPDX-License-Identifier: GPL-3.0-or-later
#include "loopbackhttpserver.h"

#include "delayedtcpserver.h"

#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QPointer>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTimer>

namespace kt {

namespace {

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 404:
        return "Not Found";
    case 408:
        return "Request Timeout";
    case 422:
        return "Unprocessable Entity";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    default:
        return "Status";
    }
}

} // namespace

LoopbackHttpServer::LoopbackHttpServer(Handler handler, QObject *parent)
    : QAbstractHttpServer(parent), m_handler(std::move(handler)), m_tcp(new DelayedTcpServer(this))
{}

bool LoopbackHttpServer::start(const QHostAddress &address, quint16 port)
{
    if (m_tcp->isListening())
        return true;
    if (!m_tcp->listen(address, port))
        return false;
    bind(m_tcp);
    return true;
}

quint16 LoopbackHttpServer::port() const
{
    return m_tcp->serverPort();
}

bool LoopbackHttpServer::isListening() const
{
    return m_tcp->isListening();
}

void LoopbackHttpServer::setTls(const QSslCertificate &certificate, const QSslKey &key)
{
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setLocalCertificate(certificate);
    configuration.setPrivateKey(key);
    configuration.setPeerVerifyMode(QSslSocket::VerifyNone); // clients bring no certificate
    m_tcp->setTls(configuration);
}

bool LoopbackHttpServer::isTls() const
{
    return m_tcp->isTls();
}

void LoopbackHttpServer::setConnectionDelayMs(int ms)
{
    m_tcp->setConnectionDelayMs(ms);
}

void LoopbackHttpServer::setTlsHandshakeDelayMs(int ms)
{
    m_tcp->setHandshakeDelayMs(ms);
}

quint64 LoopbackHttpServer::connectionsAccepted() const
{
    return m_tcp->connectionsAccepted();
}

QStringList LoopbackHttpServer::pathSegments(const QHttpServerRequest &request)
{
    const QByteArray path = request.url().path(QUrl::FullyEncoded).toUtf8();
    QStringList segments;
    for (const QByteArray &part : path.split('/')) {
        if (!part.isEmpty())
            segments.append(QUrl::fromPercentEncoding(part));
    }
    return segments;
}

QByteArray LoopbackHttpServer::header(const QHttpServerRequest &request, const QByteArray &name)
{
    for (const auto &entry : request.headers()) {
        if (entry.first.compare(name, Qt::CaseInsensitive) == 0)
            return entry.second;
    }
    return {};
}

bool LoopbackHttpServer::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    const std::optional<HttpReply> reply = m_handler ? m_handler(request) : std::nullopt;
    if (!reply)
        return true; // deliberately unanswered
    if (m_answerDelayMs > 0) {
        writeLater(socket, *reply);
        return true;
    }
    QHttpServerResponder responder = makeResponder(request, socket);
    responder.writeStatusLine(static_cast<QHttpServerResponder::StatusCode>(reply->status));
    for (const auto &header : reply->headers)
        responder.writeHeader(header.first, header.second);
    responder.writeHeader(QByteArrayLiteral("Content-Length"),
                          QByteArray::number(reply->body.size()));
    responder.writeBody(reply->body);
    return true;
}

void LoopbackHttpServer::writeLater(QTcpSocket *socket, const HttpReply &reply)
{
    // HTTP/1.1 written by hand: a responder must not outlive the request it answers.
    QByteArray bytes =
        "HTTP/1.1 " + QByteArray::number(reply.status) + ' ' + reasonPhrase(reply.status) + "\r\n";
    for (const auto &header : reply.headers)
        bytes += header.first + ": " + header.second + "\r\n";
    bytes += "Content-Length: " + QByteArray::number(reply.body.size()) + "\r\n\r\n";
    bytes += reply.body;
    QTimer::singleShot(m_answerDelayMs, socket,
                       [socket = QPointer<QTcpSocket>(socket), bytes = std::move(bytes)] {
                           if (socket && socket->state() == QAbstractSocket::ConnectedState)
                               socket->write(bytes);
                       });
}

void LoopbackHttpServer::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    makeResponder(request, socket).write(QHttpServerResponder::StatusCode::NotFound);
}

} // namespace kt
