// SPDX-License-Identifier: GPL-3.0-or-later
#include "httpclient.h"

#include "httpresponseparser.h"

#include <QPointer>
#include <QScopeGuard>
#include <QSslSocket>
#include <QTcpSocket>

#include <algorithm>

namespace kt {

struct HttpClient::Connection
{
    QString origin;
    QTcpSocket *socket = nullptr; // a child of the client, deleted later once removed
    HttpResponseParser parser;
    std::optional<Exchange> current; // the request on it (or waiting for it to connect)
    bool ready = false;              // connected, and encrypted for https
    bool closed = false;
    int served = 0; // responses read on it
    QElapsedTimer idleSince;
};

HttpClient::HttpClient(QObject *parent) : QObject(parent) {}

HttpClient::~HttpClient()
{
    for (const auto &connection : m_connections) {
        disconnect(connection->socket, nullptr, this, nullptr);
        connection->socket->abort();
    }
}

void HttpClient::setSslConfiguration(const QSslConfiguration &configuration)
{
    m_ssl = configuration;
}

quint64 HttpClient::send(HttpRequest request, Callback done)
{
    ++m_callerDepth;
    const auto leave = qScopeGuard([this] { --m_callerDepth; });
    Exchange exchange;
    exchange.id = m_nextId++;
    exchange.done = std::move(done);
    const quint64 id = exchange.id;
    if (const QString why = request.invalidReason(); !why.isEmpty()) {
        HttpResponse response;
        response.error = why;
        deliver(std::move(exchange), response);
        return id;
    }
    exchange.tls = request.url.scheme() == QLatin1String("https");
    exchange.head = request.method == "HEAD";
    exchange.host = request.url.host();
    exchange.port = quint16(request.url.port(exchange.tls ? 443 : 80));
    exchange.origin =
        QStringLiteral("%1://%2:%3").arg(request.url.scheme(), exchange.host).arg(exchange.port);
    exchange.wire = request.serialize();
    dispatch(std::move(exchange));
    return id;
}

bool HttpClient::abort(quint64 id)
{
    ++m_callerDepth;
    const auto leave = qScopeGuard([this] { --m_callerDepth; });
    if (const auto it = std::find(m_deferred.begin(), m_deferred.end(), id);
        it != m_deferred.end()) {
        m_deferred.erase(it);
        return true;
    }
    if (const auto it = std::find_if(m_queue.begin(), m_queue.end(),
                                     [id](const Exchange &e) { return e.id == id; });
        it != m_queue.end()) {
        m_queue.erase(it);
        return true;
    }
    for (const auto &connection : m_connections) {
        if (connection->current && connection->current->id == id) {
            // The answer may still come: the connection cannot carry another request.
            const QString origin = connection->origin;
            connection->current.reset();
            removeConnection(connection.get());
            startQueued(origin);
            return true;
        }
    }
    return false;
}

int HttpClient::openConnections() const
{
    return int(m_connections.size());
}

void HttpClient::dispatch(Exchange exchange)
{
    if (Connection *idle = idleConnection(exchange.origin)) {
        startOn(idle, std::move(exchange));
        return;
    }
    if (connectionCount(exchange.origin) < m_maxConnections) {
        openConnection(std::move(exchange));
        return;
    }
    m_queue.push_back(std::move(exchange));
}

void HttpClient::startOn(Connection *connection, Exchange exchange)
{
    connection->parser.reset(exchange.head);
    connection->current = std::move(exchange);
    if (connection->socket->write(connection->current->wire) < 0)
        onClosed(connection);
}

void HttpClient::openConnection(Exchange exchange)
{
    auto connection = std::make_unique<Connection>();
    Connection *c = connection.get();
    c->origin = exchange.origin;
    c->parser.reset(exchange.head);
    QSslSocket *ssl = exchange.tls ? new QSslSocket(this) : nullptr;
    c->socket = ssl ? ssl : new QTcpSocket(this);
    if (ssl && m_ssl)
        ssl->setSslConfiguration(*m_ssl);
    connect(c->socket, &QTcpSocket::readyRead, this, [this, c] { onReadyRead(c); });
    connect(c->socket, &QAbstractSocket::disconnected, this, [this, c] { onClosed(c); });
    connect(c->socket, &QAbstractSocket::errorOccurred, this, [this, c] { onClosed(c); });
    const QString host = exchange.host;
    const quint16 port = exchange.port;
    c->current = std::move(exchange); // written once connected
    m_connections.push_back(std::move(connection));
    ++m_connectionsOpened;
    if (ssl) {
        connect(ssl, &QSslSocket::encrypted, this, [this, c] { onConnected(c); });
        ssl->connectToHostEncrypted(host, port);
    } else {
        connect(c->socket, &QAbstractSocket::connected, this, [this, c] { onConnected(c); });
        c->socket->connectToHost(host, port);
    }
}

void HttpClient::onConnected(Connection *connection)
{
    connection->ready = true;
    connection->socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    connection->socket->setSocketOption(QAbstractSocket::KeepAliveOption, 1);
    connection->idleSince.start();
    if (connection->current) {
        if (connection->socket->write(connection->current->wire) < 0)
            onClosed(connection);
        return;
    }
    startQueued(connection->origin);
}

void HttpClient::onReadyRead(Connection *connection)
{
    const QByteArray bytes = connection->socket->readAll();
    if (!connection->current) {
        // Bytes nobody asked for: the connection's framing cannot be trusted any more.
        const QString origin = connection->origin;
        removeConnection(connection);
        startQueued(origin);
        return;
    }
    HttpResponseParser &parser = connection->parser;
    switch (parser.feed(bytes)) {
    case HttpResponseParser::State::Incomplete:
        return;
    case HttpResponseParser::State::Failed: {
        HttpResponse response;
        response.error = QStringLiteral("invalid response: ") + parser.error();
        finishExchange(connection, response, false);
        return;
    }
    case HttpResponseParser::State::Complete:
        finishExchange(connection, parser.takeResponse(), parser.keepAlive());
        return;
    }
}

void HttpClient::onClosed(Connection *connection)
{
    if (connection->closed)
        return; // errorOccurred and disconnected both come
    connection->closed = true;
    const QString origin = connection->origin;
    if (!connection->current) {
        removeConnection(connection);
        startQueued(origin);
        return;
    }
    HttpResponseParser &parser = connection->parser;
    if (connection->socket->bytesAvailable() > 0)
        parser.feed(connection->socket->readAll());
    if (parser.state() == HttpResponseParser::State::Incomplete)
        parser.finish();
    if (parser.state() == HttpResponseParser::State::Complete) {
        finishExchange(connection, parser.takeResponse(), false);
        return;
    }
    Exchange exchange = std::move(*connection->current);
    connection->current.reset();
    // A keep-alive connection that the server had closed before it read the request: the
    // request went nowhere, so it goes once more on a fresh connection.
    const bool stale =
        connection->ready && connection->served > 0 && !parser.started() && !exchange.repeated;
    HttpResponse response;
    const QAbstractSocket::SocketError socketError = connection->socket->error();
    response.error = parser.started() || socketError == QAbstractSocket::UnknownSocketError
                         ? parser.error()
                         : connection->socket->errorString();
    removeConnection(connection);
    if (stale) {
        exchange.repeated = true;
        dispatch(std::move(exchange));
        return;
    }
    const QPointer<HttpClient> self(this);
    deliver(std::move(exchange), response);
    if (self)
        startQueued(origin);
}

void HttpClient::finishExchange(Connection *connection, HttpResponse response, bool reusable)
{
    Exchange exchange = std::move(*connection->current);
    connection->current.reset();
    const QString origin = connection->origin;
    if (reusable) {
        ++connection->served;
        connection->idleSince.start();
    } else {
        removeConnection(connection);
    }
    const QPointer<HttpClient> self(this);
    deliver(std::move(exchange), response);
    if (self)
        startQueued(origin);
}

void HttpClient::removeConnection(Connection *connection)
{
    const auto it =
        std::find_if(m_connections.begin(), m_connections.end(),
                     [connection](const auto &owned) { return owned.get() == connection; });
    if (it == m_connections.end())
        return;
    std::unique_ptr<Connection> owned = std::move(*it);
    m_connections.erase(it);
    disconnect(owned->socket, nullptr, this, nullptr);
    owned->socket->abort();
    owned->socket->deleteLater(); // we may be inside one of its signals
}

void HttpClient::startQueued(const QString &origin)
{
    for (auto it = m_queue.begin(); it != m_queue.end();) {
        if (it->origin != origin) {
            ++it;
            continue;
        }
        Connection *idle = idleConnection(origin);
        if (!idle && connectionCount(origin) >= m_maxConnections)
            return;
        Exchange exchange = std::move(*it);
        it = m_queue.erase(it);
        if (idle)
            startOn(idle, std::move(exchange));
        else
            openConnection(std::move(exchange));
        return startQueued(origin); // the queue may have changed under the calls above
    }
}

void HttpClient::deliver(Exchange exchange, const HttpResponse &response)
{
    if (m_callerDepth > 0) {
        m_deferred.push_back(exchange.id);
        QMetaObject::invokeMethod(
            this,
            [this, exchange = std::move(exchange), response] {
                const auto it = std::find(m_deferred.begin(), m_deferred.end(), exchange.id);
                if (it == m_deferred.end())
                    return; // aborted meanwhile
                m_deferred.erase(it);
                exchange.done(response);
            },
            Qt::QueuedConnection);
        return;
    }
    exchange.done(response);
}

HttpClient::Connection *HttpClient::idleConnection(const QString &origin)
{
    Connection *found = nullptr;
    std::vector<Connection *> expired;
    for (const auto &connection : m_connections) {
        Connection *c = connection.get();
        if (c->origin != origin || !c->ready || c->closed || c->current)
            continue;
        if (m_idleTimeoutMs > 0 && c->idleSince.elapsed() > m_idleTimeoutMs) {
            expired.push_back(c);
            continue;
        }
        found = c;
        break;
    }
    for (Connection *c : expired)
        removeConnection(c);
    return found;
}

int HttpClient::connectionCount(const QString &origin) const
{
    return int(std::count_if(m_connections.cbegin(), m_connections.cend(),
                             [&origin](const auto &c) { return c->origin == origin; }));
}

} // namespace kt
