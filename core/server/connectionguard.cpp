// SPDX-License-Identifier: GPL-3.0-or-later
#include "connectionguard.h"

#include "httpreply.h"
#include "responseorder.h"

#include <QTcpSocket>

namespace kt {
namespace {
constexpr qint64 MaxDrainBytes = 1024 * 1024;
constexpr int FinalCloseMs = 1000;
} // namespace

ConnectionGuard::ConnectionGuard(QTcpSocket *socket, const ServerLimits &limits,
                                 QObject *httpServer)
    : QObject(socket), m_socket(socket), m_limits(limits), m_http(httpServer),
      m_peer(socket->peerAddress()),
      m_framer(
          RequestFramer::Limits{limits.maxHeaderBytes, limits.maxHeaderCount, limits.maxBodyBytes})
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &ConnectionGuard::onTimeout);
    // Connected before QHttpServer connects its own slot: runs first on every readyRead.
    connect(m_socket, &QIODevice::readyRead, this, &ConnectionGuard::onReadyReadBefore);
    connect(m_socket, &QAbstractSocket::disconnected, this, &ConnectionGuard::onDisconnected);
    armForPhase(true);
}

void ConnectionGuard::attachAfterHttpServer()
{
    connect(m_socket, &QIODevice::readyRead, this, &ConnectionGuard::onReadyReadAfter);
}

bool ConnectionGuard::isIdle() const
{
    // A request still waiting for its answer (ResponseOrder) keeps the connection busy.
    return !m_closed && !m_draining && m_framer.phase() == RequestFramer::Phase::Idle &&
           m_socket->bytesAvailable() == 0 &&
           m_socket->property(ResponseOrder::PendingProperty).toInt() == 0;
}

qint64 ConnectionGuard::idleForMs() const
{
    return m_idleSince.isValid() ? m_idleSince.elapsed() : 0;
}

void ConnectionGuard::evict()
{
    m_timer.stop();
    m_socket->abort();
}

void ConnectionGuard::arm(Armed what, int ms)
{
    m_armed = what;
    if (what == Armed::Idle)
        m_idleSince.start();
    if (ms > 0)
        m_timer.start(ms);
    else
        m_timer.stop();
}

void ConnectionGuard::armForPhase(bool force)
{
    Armed wanted = Armed::Idle;
    int ms = m_limits.idleTimeoutMs;
    switch (m_framer.phase()) {
    case RequestFramer::Phase::Idle:
        break;
    case RequestFramer::Phase::Headers:
        wanted = Armed::Headers;
        ms = m_limits.headerTimeoutMs;
        break;
    case RequestFramer::Phase::Body:
        wanted = Armed::Body;
        ms = m_limits.bodyTimeoutMs;
        break;
    }
    if (force || wanted != m_armed)
        arm(wanted, ms);
}

void ConnectionGuard::onReadyReadBefore()
{
    if (m_closed)
        return;
    if (m_draining) {
        drain();
        return;
    }
    const qint64 available = m_socket->bytesAvailable();
    // Input framed but not yet read by QHttpServer (pipelined requests) is bounded too.
    const qint64 maxBuffered = m_limits.maxHeaderBytes + 2 * m_limits.maxBodyBytes + 64 * 1024;
    if (available > maxBuffered) {
        cut(QStringLiteral("buffer_overflow"),
            QStringLiteral("more than %1 bytes of unread input").arg(maxBuffered));
        return;
    }
    if (available <= m_examined)
        return;
    const QByteArray fresh = m_socket->peek(available).mid(m_examined);
    m_examined = available;

    bool completed = false;
    QByteArrayView view(fresh);
    while (!view.isEmpty()) {
        const RequestFramer::Result r = m_framer.feed(view);
        view = view.sliced(r.consumed);
        switch (r.event) {
        case RequestFramer::Event::None:
            if (r.consumed == 0)
                view = {};
            break;
        case RequestFramer::Event::HeadersComplete:
            if (isWebSocketUpgrade()) {
                reject(400, QStringLiteral("bad_request"),
                       QStringLiteral("WebSocket upgrades are not supported"));
                return;
            }
            // Answer `Expect: 100-continue` (QHttpServer 6.4 does not), unless the body is
            // already arriving.
            if (m_framer.expectsContinue() && view.isEmpty())
                m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
            break;
        case RequestFramer::Event::RequestComplete:
            if (isWebSocketUpgrade()) {
                reject(400, QStringLiteral("bad_request"),
                       QStringLiteral("WebSocket upgrades are not supported"));
                return;
            }
            completed = true;
            break;
        case RequestFramer::Event::HeadersTooLarge:
            reject(431, QStringLiteral("headers_too_large"), m_framer.errorMessage());
            return;
        case RequestFramer::Event::BodyTooLarge:
            reject(413, QStringLiteral("too_large"), m_framer.errorMessage());
            return;
        case RequestFramer::Event::Malformed:
            reject(400, QStringLiteral("bad_request"), m_framer.errorMessage());
            return;
        case RequestFramer::Event::UnsupportedTransferEncoding:
            reject(501, QStringLiteral("unsupported_transfer_encoding"), m_framer.errorMessage());
            return;
        }
    }
    armForPhase(completed);
}

bool ConnectionGuard::isWebSocketUpgrade() const
{
    // QHttpServer 6.4 hands these to its WebSocket server, which this server does not use:
    // it would log a warning and answer twice.
    return m_framer.header("connection").toLower().contains("upgrade") &&
           m_framer.header("upgrade").trimmed().compare("websocket", Qt::CaseInsensitive) == 0;
}

void ConnectionGuard::onReadyReadAfter()
{
    if (m_closed || m_draining)
        return;
    // QHttpServer reads from the front; whatever it left was framed above.
    m_examined = m_socket->bytesAvailable();
}

void ConnectionGuard::stopHttpServer()
{
    if (m_http)
        QObject::disconnect(m_socket, &QIODevice::readyRead, m_http, nullptr);
    if (m_socket->isTransactionStarted())
        m_socket->rollbackTransaction();
}

void ConnectionGuard::reject(int status, const QString &code, const QString &message)
{
    stopHttpServer();
    emit rejected(status, code, message, m_peer, m_framer.header("x-forwarded-for"),
                  m_framer.path());
    m_draining = true;
    m_socket->write(HttpReply::error(status, code, message, {}, true));
    m_socket->flush();
    // Keep reading (and discarding) what the client is still sending for a while, so that
    // closing does not reset the connection before the client has read the answer.
    arm(Armed::Linger, qMax(1, m_limits.lingerMs));
    drain();
}

void ConnectionGuard::cut(const QString &code, const QString &message)
{
    stopHttpServer();
    emit rejected(0, code, message, m_peer, m_framer.header("x-forwarded-for"), m_framer.path());
    m_timer.stop();
    m_socket->abort();
}

void ConnectionGuard::drain()
{
    if (m_closed)
        return;
    m_drained += m_socket->skip(m_socket->bytesAvailable());
    if (m_drained > MaxDrainBytes) {
        m_timer.stop();
        m_socket->abort();
    }
}

void ConnectionGuard::onTimeout()
{
    if (m_closed)
        return;
    switch (m_armed) {
    case Armed::Idle:
        m_socket->abort();
        break;
    case Armed::Headers:
        cut(QStringLiteral("header_timeout"),
            QStringLiteral("request head not complete within %1 ms").arg(m_limits.headerTimeoutMs));
        break;
    case Armed::Body:
        cut(QStringLiteral("body_timeout"),
            QStringLiteral("request body not complete within %1 ms").arg(m_limits.bodyTimeoutMs));
        break;
    case Armed::Linger:
        drain();
        if (!m_closed) {
            arm(Armed::Final, FinalCloseMs);
            m_socket->disconnectFromHost();
        }
        break;
    case Armed::Final:
    case Armed::None:
        m_socket->abort();
        break;
    }
}

void ConnectionGuard::onDisconnected()
{
    if (m_closed)
        return;
    m_closed = true;
    m_timer.stop();
    emit closed();
}

} // namespace kt
