// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "serverlimits.h"

#include <QPointer>
#include <QSet>
#include <QTcpServer>

namespace kt {

class ConnectionGuard;

// The QTcpServer bound to the QHttpServer (QAbstractHttpServer::bind). It caps the number of
// open connections and puts a ConnectionGuard on every connection before QHttpServer sees it.
// At the cap a new connection evicts the connection idle longest; if none is idle, the new
// one is answered 503 and closed without reaching QHttpServer.
class GuardedTcpServer : public QTcpServer
{
    Q_OBJECT
public:
    GuardedTcpServer(QObject *httpServer, const ServerLimits &limits, QObject *parent = nullptr);
    ~GuardedTcpServer() override;

    void setLimits(const ServerLimits &limits) { m_limits = limits; }
    int connectionCount() const { return int(m_guards.size()); }
    // Stops listening and aborts every connection.
    void closeAll();

signals:
    void connectionAccepted();
    void connectionRefused();
    void connectionEvicted();
    void connectionCountChanged(int count);
    // Forwarded from ConnectionGuard::rejected.
    void requestRejected(int status, const QString &code, const QString &message,
                         const QHostAddress &peer, const QByteArray &forwardedFor,
                         const QByteArray &path);

protected:
    void incomingConnection(qintptr socketDescriptor) override;

private:
    void forget(ConnectionGuard *guard);
    void refuse(QTcpSocket *socket);

    QPointer<QObject> m_http;
    ServerLimits m_limits;
    QSet<ConnectionGuard *> m_guards;
};

} // namespace kt
