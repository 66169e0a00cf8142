// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "httpmessage.h"

#include <QElapsedTimer>
#include <QObject>
#include <QSslConfiguration>

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

class QTcpSocket;

namespace kt {

// A small HTTP/1.1 client for a REST API: keep-alive connections (plain TCP or TLS) per origin,
// at most maxConnectionsPerOrigin of them, one request at a time on each (no pipelining).
//
// Why not QNetworkAccessManager: it hands every request to a thread of its own and every reply
// back, several queued events each way. For a few hundred small commands a second that was a
// third of a core and a millisecond of latency at the median. Here a request is written to its
// socket before send() returns when a connection is idle, and its answer is read in the same
// thread.
//
// A request whose keep-alive connection turns out to be closed by the server before any byte of
// the answer arrives is sent once more on a fresh connection, as browsers do: the callers here
// make every request safe to repeat (Telnyx commands carry a command_id). Lives in one thread;
// not thread-safe.
class HttpClient : public QObject
{
    Q_OBJECT
public:
    using Callback = std::function<void(const HttpResponse &)>;
    static constexpr int DefaultMaxConnectionsPerOrigin = 6;
    static constexpr int DefaultIdleTimeoutMs = 30000;

    explicit HttpClient(QObject *parent = nullptr);
    ~HttpClient() override; // open requests end without their callbacks

    void setMaxConnectionsPerOrigin(int connections) { m_maxConnections = qMax(1, connections); }
    // A connection idle for longer is closed instead of reused (the server or a NAT in between
    // may have dropped it silently).
    void setIdleTimeoutMs(int milliseconds) { m_idleTimeoutMs = milliseconds; }
    // TLS settings for https (the default: the system's CAs, the peer verified).
    void setSslConfiguration(const QSslConfiguration &configuration);

    // Sends `request`; `done` is called exactly once, later (never before send() returns), with
    // the response or, status 0, why there is none. Returns the request's id.
    quint64 send(HttpRequest request, Callback done);
    // Drops a request: its callback is not called. False when it is unknown or already done.
    bool abort(quint64 id);

    int openConnections() const;
    // Connections opened since the client was made (for tests: reuse shows as fewer).
    quint64 connectionsOpened() const { return m_connectionsOpened; }

private:
    struct Exchange
    {
        quint64 id = 0;
        QString origin; // scheme://host:port
        QString host;
        quint16 port = 0;
        bool tls = false;
        bool head = false; // a HEAD request: its answer has no body whatever its headers say
        QByteArray wire;
        Callback done;
        bool repeated = false; // already sent again after a stale keep-alive connection
    };
    struct Connection;

    void dispatch(Exchange exchange);
    void startOn(Connection *connection, Exchange exchange);
    void openConnection(Exchange exchange);
    void onConnected(Connection *connection);
    void onReadyRead(Connection *connection);
    void onClosed(Connection *connection);
    void finishExchange(Connection *connection, HttpResponse response, bool reusable);
    void removeConnection(Connection *connection);
    void startQueued(const QString &origin);
    // Calls the exchange's callback: at once, or in a later turn of the event loop when inside
    // send() or abort().
    void deliver(Exchange exchange, const HttpResponse &response);
    Connection *idleConnection(const QString &origin);
    int connectionCount(const QString &origin) const;

    int m_maxConnections = DefaultMaxConnectionsPerOrigin;
    int m_idleTimeoutMs = DefaultIdleTimeoutMs;
    std::optional<QSslConfiguration> m_ssl; // none: QSslSocket's default
    quint64 m_nextId = 1;
    quint64 m_connectionsOpened = 0;
    std::vector<std::unique_ptr<Connection>> m_connections;
    std::deque<Exchange> m_queue;    // waiting for a connection of their origin
    std::vector<quint64> m_deferred; // ids whose callback is posted but not yet called
    int m_callerDepth = 0;           // inside send() or abort()
};

} // namespace kt
