// SPDX-License-Identifier: GPL-3.0-or-later
#include "httpload.h"

#include <QEventLoop>
#include <QTcpSocket>

#include <cmath>

namespace kt::bench {
namespace {

// Parses one complete response at the start of `buffer`: its status, and how many bytes it takes
// (0 when incomplete, -1 when it is not HTTP). `close` is set for "Connection: close".
qint64 parseResponse(const QByteArray &buffer, int *status, bool *close)
{
    const qint64 headEnd = buffer.indexOf("\r\n\r\n");
    if (headEnd < 0)
        return buffer.size() > 64 * 1024 ? -1 : 0;
    const QByteArray head = buffer.left(headEnd);
    const QList<QByteArray> lines = head.split('\n');
    const QList<QByteArray> statusLine = lines.value(0).trimmed().split(' ');
    if (statusLine.size() < 2 || !statusLine.at(0).startsWith("HTTP/1."))
        return -1;
    bool ok = false;
    *status = statusLine.at(1).toInt(&ok);
    if (!ok)
        return -1;
    qint64 length = 0;
    *close = false;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon < 0)
            continue;
        const QByteArray name = line.left(colon).trimmed().toLower();
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (name == "content-length")
            length = value.toLongLong();
        else if (name == "connection" && value.toLower().contains("close"))
            *close = true;
        else if (name == "transfer-encoding")
            return -1; // not used by the servers under test
    }
    const qint64 total = headEnd + 4 + length;
    return buffer.size() >= total ? total : 0;
}

} // namespace

HttpLoad::HttpLoad(const QHostAddress &address, quint16 port, int connections, QObject *parent)
    : QObject(parent), m_address(address), m_port(port)
{
    for (int i = 0; i < connections; ++i)
        m_connections.push_back(std::make_unique<Connection>());
    m_tick.setTimerType(Qt::PreciseTimer);
    m_tick.setInterval(1);
    connect(&m_tick, &QTimer::timeout, this, &HttpLoad::onTick);
}

HttpLoad::~HttpLoad()
{
    for (auto &c : m_connections) {
        if (c->socket) {
            c->socket->disconnect(this);
            c->socket->abort();
            delete c->socket;
        }
    }
}

void HttpLoad::reconnect(Connection &c)
{
    if (c.socket) {
        c.socket->disconnect(this);
        c.socket->abort();
        c.socket->deleteLater();
    }
    c.buffer.clear();
    c.busy = false;
    c.socket = new QTcpSocket(this);
    Connection *cp = &c;
    connect(c.socket, &QTcpSocket::readyRead, this, [this, cp] { onReadyRead(*cp); });
    connect(c.socket, &QTcpSocket::disconnected, this,
            [this, cp] { onBroken(*cp, QStringLiteral("connection closed by the server")); });
    connect(c.socket, &QTcpSocket::errorOccurred, this, [this, cp](QAbstractSocket::SocketError) {
        if (cp->socket->state() == QAbstractSocket::UnconnectedState)
            onBroken(*cp, cp->socket->errorString());
    });
    connect(c.socket, &QTcpSocket::connected, this, [this, cp] {
        // TCP_NODELAY (it only takes on a connected socket): a request is one write anyway.
        cp->socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        pump();
    });
    c.socket->connectToHost(m_address, m_port);
}

bool HttpLoad::open(int timeoutMs, QString *error)
{
    for (auto &c : m_connections)
        reconnect(*c);
    QElapsedTimer timer;
    timer.start();
    for (;;) {
        int connected = 0;
        for (auto &c : m_connections)
            connected += c->socket->state() == QAbstractSocket::ConnectedState;
        if (connected == int(m_connections.size()))
            return true;
        if (timer.elapsed() > timeoutMs) {
            *error = QStringLiteral("only %1 of %2 connections to %3:%4 are open")
                         .arg(connected)
                         .arg(m_connections.size())
                         .arg(m_address.toString())
                         .arg(m_port);
            return false;
        }
        QEventLoop loop;
        QTimer::singleShot(5, &loop, &QEventLoop::quit);
        loop.exec();
    }
}

qint64 HttpLoad::inFlight() const
{
    qint64 n = 0;
    for (const auto &c : m_connections)
        n += c->busy;
    return n;
}

void HttpLoad::startFlatOut(Source source)
{
    m_result = {};
    m_source = std::move(source);
    m_mode = Mode::FlatOut;
    m_exhausted = false;
    m_counting = true;
    m_startNs = nowNs();
    pump();
}

void HttpLoad::startAtRate(Source source, double perSecond)
{
    m_result = {};
    m_source = std::move(source);
    m_mode = Mode::Rate;
    m_rate = perSecond;
    m_scheduled = 0;
    m_exhausted = false;
    m_counting = true;
    m_startNs = nowNs();
    m_tick.start();
}

void HttpLoad::startQueue()
{
    m_result = {};
    m_mode = Mode::Queue;
    m_exhausted = false;
    m_counting = true;
    m_startNs = nowNs();
}

void HttpLoad::enqueue(const Outgoing &request)
{
    if (m_mode != Mode::Queue)
        return;
    m_backlog.push_back(request);
    pump();
}

void HttpLoad::onTick()
{
    if (m_mode != Mode::Rate)
        return;
    const double elapsed = double(nowNs() - m_startNs) / 1e9;
    // Request i is due at i / rate: request 0 at once.
    const auto due = qint64(std::floor(elapsed * m_rate)) + 1;
    while (m_scheduled < due) {
        Outgoing o;
        if (!m_source(&o)) {
            m_exhausted = true;
            m_tick.stop();
            break;
        }
        o.intendedNs = m_startNs + qint64(double(m_scheduled) * 1e9 / m_rate);
        ++m_scheduled;
        m_backlog.push_back(std::move(o));
    }
    pump();
}

bool HttpLoad::nextRequest(Outgoing *out)
{
    switch (m_mode) {
    case Mode::Idle:
        return false;
    case Mode::FlatOut:
        if (m_exhausted)
            return false;
        if (!m_source(out)) {
            m_exhausted = true;
            return false;
        }
        return true;
    case Mode::Rate:
    case Mode::Queue:
        if (m_backlog.empty())
            return false;
        *out = std::move(m_backlog.front());
        m_backlog.pop_front();
        return true;
    }
    return false;
}

void HttpLoad::pump()
{
    for (auto &c : m_connections) {
        if (c->busy || !c->socket || c->socket->state() != QAbstractSocket::ConnectedState)
            continue;
        Outgoing next;
        if (!nextRequest(&next))
            return;
        send(*c, std::move(next));
    }
}

void HttpLoad::send(Connection &c, Outgoing request)
{
    c.busy = true;
    c.current = std::move(request);
    c.socket->write(c.current.bytes);
    c.writtenNs = nowNs();
    if (onWritten)
        onWritten(c.current, c.writtenNs);
}

void HttpLoad::onReadyRead(Connection &c)
{
    c.buffer.append(c.socket->readAll());
    for (;;) {
        int status = 0;
        bool close = false;
        const qint64 used = parseResponse(c.buffer, &status, &close);
        if (used == 0)
            return;
        if (used < 0 || !c.busy) {
            onBroken(c, QStringLiteral("unexpected bytes from the server"));
            return;
        }
        c.buffer.remove(0, used);
        const qint64 now = nowNs();
        c.busy = false;
        if (m_counting) {
            ++m_result.completed;
            ++m_result.statuses[status];
            if (status == 200)
                ++m_result.ok;
            else if (m_result.firstError.isEmpty())
                m_result.firstError = QStringLiteral("HTTP %1: %2")
                                          .arg(status)
                                          .arg(QString::fromUtf8(c.buffer.left(200)));
            const qint64 from = c.current.intendedNs > 0 ? c.current.intendedNs : c.writtenNs;
            m_result.latency.add(now - from);
        }
        c.current = {};
        if (close) {
            reconnect(c);
            return;
        }
        Outgoing next;
        if (nextRequest(&next))
            send(c, std::move(next));
    }
}

void HttpLoad::onBroken(Connection &c, const QString &why)
{
    if (c.busy && m_counting) {
        ++m_result.errors;
        if (m_result.firstError.isEmpty())
            m_result.firstError = why;
    }
    c.busy = false;
    if (m_mode != Mode::Idle)
        QTimer::singleShot(10, this, [this, cp = &c] { reconnect(*cp); });
}

LoadResult HttpLoad::stop(int drainMs)
{
    const qint64 end = nowNs();
    m_tick.stop();
    LoadResult result = m_result;
    result.seconds = double(end - m_startNs) / 1e9;
    m_counting = false;
    m_mode = Mode::Idle;
    m_backlog.clear();
    QElapsedTimer timer;
    timer.start();
    while (inFlight() > 0 && timer.elapsed() < drainMs) {
        QEventLoop loop;
        QTimer::singleShot(5, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return result;
}

} // namespace kt::bench
