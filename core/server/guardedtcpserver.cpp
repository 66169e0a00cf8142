// SPDX-License-Identifier: GPL-3.0-or-later
#include "guardedtcpserver.h"

#include "connectionguard.h"
#include "httpreply.h"

#include <QTcpSocket>
#include <QTimer>

namespace kt {

GuardedTcpServer::GuardedTcpServer(QObject *httpServer, const ServerLimits &limits, QObject *parent)
    : QTcpServer(parent), m_http(httpServer), m_limits(limits)
{}

GuardedTcpServer::~GuardedTcpServer()
{
    for (ConnectionGuard *guard : std::as_const(m_guards))
        guard->disconnect(this);
    m_guards.clear();
}

void GuardedTcpServer::closeAll()
{
    close();
    const auto guards = m_guards;
    for (ConnectionGuard *guard : guards)
        guard->socket()->abort();
}

void GuardedTcpServer::incomingConnection(qintptr socketDescriptor)
{
    auto *socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(socketDescriptor)) {
        delete socket;
        return;
    }
    const QHostAddress peer = socket->peerAddress();
    if (isCapped(peer)) {
        int incomplete = 0;
        for (ConnectionGuard *guard : std::as_const(m_guards)) {
            if (guard->hasIncompleteRequest() && guard->peerAddress().isEqual(peer))
                ++incomplete;
        }
        if (incomplete >= qMax(1, m_limits.maxIncompletePerAddress)) {
            refuse(socket, QStringLiteral("too many unfinished connections from this address, "
                                          "try again later"));
            return;
        }
    }
    if (m_guards.size() >= qMax(1, m_limits.maxConnections)) {
        ConnectionGuard *victim = nullptr;
        qint64 longest = -1;
        for (ConnectionGuard *guard : std::as_const(m_guards)) {
            const qint64 waiting = guard->waitingForClientMs();
            if (waiting > longest) {
                victim = guard;
                longest = waiting;
            }
        }
        if (!victim) {
            refuse(socket, QStringLiteral("too many open connections, try again later"));
            return;
        }
        forget(victim);
        victim->evict();
        emit connectionEvicted();
    }

    // Unread input is bounded: one request of the largest size, and what follows it.
    socket->setReadBufferSize(m_limits.maxHeaderBytes + 2 * m_limits.maxBodyBytes + 64 * 1024);
    auto *guard = new ConnectionGuard(socket, m_limits, m_http);
    m_guards.insert(guard);
    connect(guard, &ConnectionGuard::closed, this, [this, guard] { forget(guard); });
    connect(guard, &QObject::destroyed, this, [this, guard] { forget(guard); });
    connect(guard, &ConnectionGuard::rejected, this, &GuardedTcpServer::requestRejected);
    connect(guard, &ConnectionGuard::paused, this, [this](qint64 bytes) {
        ++m_pauses;
        m_peakPausedBytes = qMax(m_peakPausedBytes, bytes);
    });
    emit connectionAccepted();
    emit connectionCountChanged(connectionCount());

    // QHttpServer connects its slots while this call emits pendingConnectionAvailable.
    addPendingConnection(socket);
    guard->attachAfterHttpServer();
}

void GuardedTcpServer::forget(ConnectionGuard *guard)
{
    if (m_guards.remove(guard))
        emit connectionCountChanged(connectionCount());
}

qint64 GuardedTcpServer::bufferedBytes() const
{
    qint64 bytes = 0;
    for (const ConnectionGuard *guard : m_guards)
        bytes += guard->bufferedBytes();
    return bytes;
}

bool GuardedTcpServer::isCapped(const QHostAddress &peer) const
{
    for (const auto &subnet : m_limits.uncappedPeers) {
        if (peer.isInSubnet(subnet))
            return false;
    }
    // An IPv4 peer on a dual-stack socket comes as ::ffff:a.b.c.d.
    bool isV4 = false;
    const quint32 v4 = peer.toIPv4Address(&isV4);
    if (isV4 && peer.protocol() == QAbstractSocket::IPv6Protocol) {
        const QHostAddress mapped(v4);
        for (const auto &subnet : m_limits.uncappedPeers) {
            if (mapped.isInSubnet(subnet))
                return false;
        }
    }
    return true;
}

void GuardedTcpServer::refuse(QTcpSocket *socket, const QString &message)
{
    emit connectionRefused();
    connect(socket, &QAbstractSocket::disconnected, socket, &QObject::deleteLater);
    connect(socket, &QIODevice::readyRead, socket,
            [socket] { socket->skip(socket->bytesAvailable()); });
    socket->write(HttpReply::error(503, QStringLiteral("too_many_connections"), message,
                                   {{"Retry-After", "1"}}, true));
    socket->flush();
    socket->disconnectFromHost();
    if (socket->state() != QAbstractSocket::UnconnectedState)
        QTimer::singleShot(qMax(1, m_limits.lingerMs), socket, [socket] { socket->abort(); });
}

} // namespace kt
