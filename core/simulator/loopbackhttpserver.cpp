// SPDX-License-Identifier: GPL-3.0-or-later
#include "loopbackhttpserver.h"

#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QTcpServer>
#include <QTcpSocket>

namespace kt {

LoopbackHttpServer::LoopbackHttpServer(Handler handler, QObject *parent)
    : QAbstractHttpServer(parent), m_handler(std::move(handler))
{}

bool LoopbackHttpServer::start(const QHostAddress &address, quint16 port)
{
    if (m_tcp)
        return m_tcp->isListening();
    auto *tcp = new QTcpServer(this);
    if (!tcp->listen(address, port)) {
        delete tcp;
        return false;
    }
    m_tcp = tcp;
    bind(tcp);
    return true;
}

quint16 LoopbackHttpServer::port() const
{
    return m_tcp ? m_tcp->serverPort() : 0;
}

bool LoopbackHttpServer::isListening() const
{
    return m_tcp && m_tcp->isListening();
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
    QHttpServerResponder responder = makeResponder(request, socket);
    responder.writeStatusLine(static_cast<QHttpServerResponder::StatusCode>(reply->status));
    for (const auto &header : reply->headers)
        responder.writeHeader(header.first, header.second);
    responder.writeHeader(QByteArrayLiteral("Content-Length"),
                          QByteArray::number(reply->body.size()));
    responder.writeBody(reply->body);
    return true;
}

void LoopbackHttpServer::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    makeResponder(request, socket).write(QHttpServerResponder::StatusCode::NotFound);
}

} // namespace kt
