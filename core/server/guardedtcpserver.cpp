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
    if (m_guards.size() >= qMax(1, m_limits.maxConnections)) {
        ConnectionGuard *victim = nullptr;
        for (ConnectionGuard *guard : std::as_const(m_guards)) {
            if (guard->isIdle() && (!victim || guard->idleForMs() > victim->idleForMs()))
                victim = guard;
        }
        if (!victim) {
            refuse(socket);
            return;
        }
        forget(victim);
        victim->evict();
        emit connectionEvicted();
    }

    auto *guard = new ConnectionGuard(socket, m_limits, m_http);
    m_guards.insert(guard);
    connect(guard, &ConnectionGuard::closed, this, [this, guard] { forget(guard); });
    connect(guard, &QObject::destroyed, this, [this, guard] { forget(guard); });
    connect(guard, &ConnectionGuard::rejected, this, &GuardedTcpServer::requestRejected);
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

void GuardedTcpServer::refuse(QTcpSocket *socket)
{
    emit connectionRefused();
    connect(socket, &QAbstractSocket::disconnected, socket, &QObject::deleteLater);
    connect(socket, &QIODevice::readyRead, socket,
            [socket] { socket->skip(socket->bytesAvailable()); });
    socket->write(HttpReply::error(503, QStringLiteral("too_many_connections"),
                                   QStringLiteral("too many open connections, try again later"),
                                   {{"Retry-After", "1"}}, true));
    socket->flush();
    socket->disconnectFromHost();
    if (socket->state() != QAbstractSocket::UnconnectedState)
        QTimer::singleShot(qMax(1, m_limits.lingerMs), socket, [socket] { socket->abort(); });
}

} // namespace kt
