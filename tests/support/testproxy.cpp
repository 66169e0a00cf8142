// SPDX-License-Identifier: GPL-3.0-or-later
#include "testproxy.h"

#include <QHostAddress>
#include <QTcpServer>
#include <QTcpSocket>

namespace kt {

// One client connection and the upstream connection it is carried over.
struct TestProxy::Link
{
    QTcpSocket *client = nullptr;
    QTcpSocket *upstream = nullptr;
    QByteArray buffer;   // client bytes not yet forwarded
    bool tunnel = false; // after CONNECT: bytes flow through untouched
    QString upstreamKey; // host:port of the upstream connection
};

namespace {

// host:port from "host:port" / "[v6]:port".
bool splitAuthority(const QString &authority, QString *host, quint16 *port)
{
    const int colon = int(authority.lastIndexOf(QLatin1Char(':')));
    if (colon <= 0)
        return false;
    bool ok = false;
    *port = quint16(authority.mid(colon + 1).toUInt(&ok));
    *host = authority.left(colon);
    if (host->startsWith(QLatin1Char('[')) && host->endsWith(QLatin1Char(']')))
        *host = host->mid(1, host->size() - 2);
    return ok && *port > 0;
}

} // namespace

TestProxy::TestProxy(QObject *parent) : QObject(parent), m_server(new QTcpServer(this))
{
    connect(m_server, &QTcpServer::newConnection, this, &TestProxy::onNewConnection);
}

TestProxy::~TestProxy() = default;

bool TestProxy::start()
{
    return m_server->listen(QHostAddress::LocalHost, 0);
}

quint16 TestProxy::port() const
{
    return m_server->serverPort();
}

QUrl TestProxy::url() const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port()));
}

void TestProxy::onNewConnection()
{
    while (QTcpSocket *client = m_server->nextPendingConnection()) {
        auto *link = new Link;
        link->client = client;
        // The link lives as long as its client socket, however that ends: a disconnect, or the
        // proxy's server deleting its connections with it while they are still open.
        connect(client, &QObject::destroyed, [link] { delete link; });
        connect(client, &QTcpSocket::readyRead, this, [this, link] { onClientData(link); });
        connect(client, &QTcpSocket::disconnected, this, [link] {
            if (link->upstream)
                link->upstream->disconnectFromHost();
            // The upstream socket is a child of the client's: it goes with it.
            link->client->deleteLater();
        });
    }
}

void TestProxy::onClientData(Link *link)
{
    link->buffer += link->client->readAll();
    if (link->tunnel) {
        if (link->upstream->state() == QAbstractSocket::ConnectedState)
            link->upstream->write(std::exchange(link->buffer, {}));
        return;
    }
    const int headEnd = int(link->buffer.indexOf("\r\n\r\n"));
    if (headEnd < 0)
        return;
    const QByteArray requestLine = link->buffer.left(link->buffer.indexOf("\r\n"));
    const QList<QByteArray> parts = requestLine.split(' ');
    if (parts.size() != 3) {
        link->client->disconnectFromHost();
        return;
    }
    if (parts.at(0) != "CONNECT") {
        forwardPlain(link);
        return;
    }
    QString host;
    quint16 port = 0;
    if (!splitAuthority(QString::fromLatin1(parts.at(1)), &host, &port)) {
        link->client->write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        link->client->disconnectFromHost();
        return;
    }
    m_requests.append(QStringLiteral("CONNECT ") + QString::fromLatin1(parts.at(1)));
    link->buffer.remove(0, headEnd + 4);
    link->tunnel = true;
    link->upstream = new QTcpSocket(link->client);
    QTcpSocket *client = link->client;
    QTcpSocket *upstream = link->upstream;
    connect(upstream, &QTcpSocket::connected, client, [link, client] {
        client->write("HTTP/1.1 200 Connection established\r\n\r\n");
        if (!link->buffer.isEmpty())
            link->upstream->write(std::exchange(link->buffer, {}));
    });
    connect(upstream, &QTcpSocket::readyRead, this,
            [client, upstream] { client->write(upstream->readAll()); });
    connect(upstream, &QTcpSocket::disconnected, client,
            [client] { client->disconnectFromHost(); });
    connect(upstream, &QTcpSocket::errorOccurred, client, [client, upstream] {
        if (upstream->state() != QAbstractSocket::ConnectedState)
            client->write("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
        client->disconnectFromHost();
    });
    upstream->connectToHost(host, port);
}

void TestProxy::forwardPlain(Link *link)
{
    // Whole requests only (Content-Length bodies): a client sends one at a time.
    while (true) {
        const int headEnd = int(link->buffer.indexOf("\r\n\r\n"));
        if (headEnd < 0)
            return;
        const QByteArray head = link->buffer.left(headEnd);
        qsizetype bodyLength = 0;
        for (const QByteArray &line : head.split('\n')) {
            const int colon = int(line.indexOf(':'));
            if (colon > 0 && line.left(colon).trimmed().toLower() == "content-length")
                bodyLength = line.mid(colon + 1).trimmed().toLongLong();
        }
        if (link->buffer.size() < headEnd + 4 + bodyLength)
            return;
        const QByteArray body = link->buffer.mid(headEnd + 4, bodyLength);
        link->buffer.remove(0, headEnd + 4 + bodyLength);

        QList<QByteArray> lines = head.split('\n');
        const QList<QByteArray> parts = lines.first().trimmed().split(' ');
        const QUrl target(QString::fromLatin1(parts.value(1)));
        if (parts.size() != 3 || target.scheme() != QLatin1String("http") ||
            target.host().isEmpty()) {
            link->client->write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
            link->client->disconnectFromHost();
            return;
        }
        m_requests.append(QString::fromLatin1(parts.at(0)) + QLatin1Char(' ') + target.toString());
        QByteArray rewritten = parts.at(0) + ' ' +
                               target.toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority) + ' ' +
                               parts.at(2) + "\r\n";
        if (!rewritten.contains(" /"))
            rewritten = parts.at(0) + " / " + parts.at(2) + "\r\n";
        for (int i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines.at(i).trimmed();
            if (line.toLower().startsWith("proxy-"))
                continue;
            rewritten += line + "\r\n";
        }
        rewritten += "\r\n" + body;

        const QString key = QStringLiteral("%1:%2").arg(target.host()).arg(target.port(80));
        if (!link->upstream || link->upstreamKey != key) {
            if (link->upstream)
                link->upstream->deleteLater();
            link->upstream = new QTcpSocket(link->client);
            link->upstreamKey = key;
            QTcpSocket *client = link->client;
            QTcpSocket *upstream = link->upstream;
            connect(upstream, &QTcpSocket::readyRead, this,
                    [client, upstream] { client->write(upstream->readAll()); });
            connect(upstream, &QTcpSocket::disconnected, client,
                    [client] { client->disconnectFromHost(); });
            upstream->connectToHost(target.host(), quint16(target.port(80)));
        }
        // Written once connected (QTcpSocket buffers it meanwhile).
        link->upstream->write(rewritten);
    }
}

} // namespace kt
