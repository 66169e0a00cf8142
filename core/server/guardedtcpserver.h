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
// At the cap a new connection evicts the connection that has kept the server waiting longest
// (ConnectionGuard::waitingForClientMs(): idle, half-sent, or not reading its answers); only
// when every connection is being answered is the new one answered 503 and closed without
// reaching QHttpServer. A peer outside ServerLimits::uncappedPeers holds at most
// maxIncompletePerAddress connections that have not completed a request.
class GuardedTcpServer : public QTcpServer
{
    Q_OBJECT
public:
    GuardedTcpServer(QObject *httpServer, const ServerLimits &limits, QObject *parent = nullptr);
    ~GuardedTcpServer() override;

    void setLimits(const ServerLimits &limits) { m_limits = limits; }
    int connectionCount() const { return int(m_guards.size()); }
    // The most bytes one connection held (unread input and unsent output) when its reading was
    // paused for backpressure, and how many times that happened.
    qint64 peakPausedBytes() const { return m_peakPausedBytes; }
    qint64 pauseCount() const { return m_pauses; }
    // Bytes the open connections hold now (unread input and unsent output).
    qint64 bufferedBytes() const;
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
    void refuse(QTcpSocket *socket, const QString &message);
    bool isCapped(const QHostAddress &peer) const;

    QPointer<QObject> m_http;
    ServerLimits m_limits;
    QSet<ConnectionGuard *> m_guards;
    qint64 m_peakPausedBytes = 0;
    qint64 m_pauses = 0;
};

} // namespace kt
