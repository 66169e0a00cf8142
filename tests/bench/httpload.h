// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "latencystats.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QList>
#include <QMap>
#include <QObject>
#include <QString>
#include <QTimer>

#include <deque>
#include <functional>
#include <memory>

class QTcpSocket;

namespace kt::bench {

// One HTTP/1.1 request, written to the socket as is.
struct Outgoing
{
    QByteArray bytes;
    QString callControlId; // for onWritten (decision latency)
    bool initiated = false;
    qint64 intendedNs = 0; // rate mode: when it should have been sent; latency counts from here
};

// What a load run measured.
struct LoadResult
{
    qint64 completed = 0; // responses within the window
    qint64 ok = 0;        // ... with status 200
    qint64 errors = 0;    // broken connections, unparseable responses
    QMap<int, qint64> statuses;
    double seconds = 0; // the window
    LatencyStats latency;
    QString firstError;

    double throughput() const { return seconds > 0 ? double(ok) / seconds : 0; }
};

// An HTTP load generator: `connections` keep-alive connections (raw QTcpSocket, HTTP/1.1, one
// request in flight per connection: no pipelining) to one server. Three ways to feed it:
// - flat out: every connection sends the next request as soon as the previous one is answered;
// - fixed rate: requests are due at start + i/rate (open loop: latency counts from when a request
//   was due, so a server that falls behind is not flattered by the client waiting for it);
// - queue: requests enqueued by the caller (a relay), sent as soon as a connection is free.
// Runs in the thread that creates it; start*() return at once, the caller runs the event loop.
class HttpLoad : public QObject
{
    Q_OBJECT
public:
    using Source = std::function<bool(Outgoing *next)>; // false: nothing left

    HttpLoad(const QHostAddress &address, quint16 port, int connections, QObject *parent = nullptr);
    ~HttpLoad() override;

    // Connects every connection; false with `error` when one cannot connect within timeoutMs.
    bool open(int timeoutMs, QString *error);

    void startFlatOut(Source source);
    void startAtRate(Source source, double perSecond);
    void startQueue();
    void enqueue(const Outgoing &request);

    // Ends the window: nothing more is sent, the result counts what was answered so far.
    // Then waits up to drainMs for the requests in flight, so the server is idle afterwards.
    LoadResult stop(int drainMs = 5000);

    // Called right after a request was written to its socket (nanoseconds, nowNs()).
    std::function<void(const Outgoing &request, qint64 writtenNs)> onWritten;

    bool exhausted() const { return m_exhausted; }
    qint64 inFlight() const;

private:
    struct Connection
    {
        QTcpSocket *socket = nullptr;
        QByteArray buffer;
        bool busy = false;
        Outgoing current;
        qint64 writtenNs = 0;
    };
    enum class Mode { Idle, FlatOut, Rate, Queue };

    void pump();
    bool nextRequest(Outgoing *out);
    void send(Connection &c, Outgoing request);
    void onReadyRead(Connection &c);
    void onBroken(Connection &c, const QString &why);
    void onTick();
    void reconnect(Connection &c);

    QHostAddress m_address;
    quint16 m_port;
    std::vector<std::unique_ptr<Connection>> m_connections;
    Mode m_mode = Mode::Idle;
    Source m_source;
    double m_rate = 0;
    qint64 m_startNs = 0;
    qint64 m_scheduled = 0;
    std::deque<Outgoing> m_backlog;
    QTimer m_tick;
    bool m_exhausted = false;
    bool m_counting = false;
    LoadResult m_result;
};

} // namespace kt::bench
