// SPDX-License-Identifier: GPL-3.0-or-later
#include "connectionguard.h"

#include "httpreply.h"

#include <QTcpSocket>

#include <limits>

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
    connect(m_socket, &QIODevice::bytesWritten, this, &ConnectionGuard::onBytesWritten);
    m_waitingSince.start();
    armForPhase(true);
}

void ConnectionGuard::attachAfterHttpServer()
{
    connect(m_socket, &QIODevice::readyRead, this, &ConnectionGuard::onReadyReadAfter);
}

qint64 ConnectionGuard::waitingForClientMs() const
{
    if (m_closed || m_draining)
        return std::numeric_limits<qint64>::max(); // on its way out: the first to go
    if (m_answerPending)
        return -1; // the server is answering
    return m_waitingSince.elapsed();
}

bool ConnectionGuard::hasIncompleteRequest() const
{
    return !m_completedOne || m_framer.phase() != RequestFramer::Phase::Idle;
}

qint64 ConnectionGuard::bufferedBytes() const
{
    return m_socket->bytesToWrite() + m_socket->bytesAvailable() + m_hidden;
}

void ConnectionGuard::setAnswerPending(bool pending)
{
    m_answerPending = pending;
    if (!pending)
        onBytesWritten(); // resumes reading if nothing else holds it
}

void ConnectionGuard::evict()
{
    m_timer.stop();
    m_socket->abort();
}

void ConnectionGuard::arm(Armed what, int ms)
{
    m_armed = what;
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
    if (m_paused) {
        hideInput();
        return;
    }
    // Between two requests (QHttpServer has no transaction open), with an answer still being
    // prepared or too much output unsent: QHttpServer reads nothing more for now.
    if (wantsPause() && !m_socket->isTransactionStarted()) {
        pause();
        return;
    }
    // Input framed but not yet read by QHttpServer (pipelined requests) is bounded by the
    // socket's read buffer (GuardedTcpServer).
    const qint64 available = m_socket->bytesAvailable();
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
            m_completedOne = true;
            m_waitingSince.start();
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

bool ConnectionGuard::wantsPause() const
{
    return m_answerPending || m_socket->bytesToWrite() > m_limits.maxUnsentBytes;
}

void ConnectionGuard::pause()
{
    m_paused = true;
    m_hidden = 0;
    m_waitingSince.start();
    m_socket->startTransaction();
    arm(Armed::Stalled, m_limits.idleTimeoutMs);
    hideInput();
    emit paused(bufferedBytes());
}

void ConnectionGuard::hideInput()
{
    // Read inside the transaction: the bytes stay in the socket's buffer for the rollback, and
    // the socket stops reading from the network once that buffer is full.
    char scratch[4096];
    qint64 n = 0;
    while ((n = m_socket->read(scratch, sizeof scratch)) > 0)
        m_hidden += n;
}

void ConnectionGuard::onBytesWritten()
{
    if (m_closed || !m_paused)
        return;
    if (wantsPause()) {
        if (!m_answerPending)
            arm(Armed::Stalled, m_limits.idleTimeoutMs); // the client reads: it is not stalled
        return;
    }
    m_paused = false;
    m_hidden = 0;
    m_socket->rollbackTransaction();
    armForPhase(true);
    if (m_socket->bytesAvailable() > 0)
        QMetaObject::invokeMethod(m_socket, &QIODevice::readyRead, Qt::QueuedConnection);
}

void ConnectionGuard::onReadyReadAfter()
{
    if (m_closed || m_draining || m_paused)
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
    case Armed::Stalled:
        cut(QStringLiteral("stalled"),
            QStringLiteral("answers not read for %1 ms").arg(m_limits.idleTimeoutMs));
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
