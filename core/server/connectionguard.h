// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "requestframer.h"
#include "serverlimits.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QTimer>

class QTcpSocket;

namespace kt {

// Enforces the limits QHttpServer 6.4 lacks on one connection. Its readyRead slot is connected
// before QHttpServer's, so it sees every byte first (peek(), without consuming): it frames
// requests (RequestFramer), answers 413/431/400/501 itself and closes the connection before
// QHttpServer buffers anything too large, answers `Expect: 100-continue`, and runs the idle,
// header and body timers. A second slot connected after QHttpServer's records how many bytes
// QHttpServer left unread, so that no byte is examined twice.
class ConnectionGuard : public QObject
{
    Q_OBJECT
public:
    // `httpServer` is the QHttpServer that will read the socket (its readyRead connection is
    // cut when this guard answers an error). The guard is a child of the socket.
    ConnectionGuard(QTcpSocket *socket, const ServerLimits &limits, QObject *httpServer);

    // Connects the slot that must run after QHttpServer's; call right after the socket was
    // handed to QHttpServer (QTcpServer::addPendingConnection).
    void attachAfterHttpServer();

    QTcpSocket *socket() const { return m_socket; }
    QHostAddress peerAddress() const { return m_peer; }
    // No request in progress, nothing being answered or drained.
    bool isIdle() const;
    qint64 idleForMs() const;
    // Closes an idle connection to make room for a new one.
    void evict();

signals:
    // The guard refused a request (status 413, 431, 400, 501; answered and closed) or cut the
    // connection (status 0: header_timeout, body_timeout, buffer_overflow).
    void rejected(int status, const QString &code, const QString &message, const QHostAddress &peer,
                  const QByteArray &forwardedFor, const QByteArray &path);
    void closed();

private:
    enum class Armed { None, Idle, Headers, Body, Linger, Final };

    void onReadyReadBefore();
    void onReadyReadAfter();
    void onTimeout();
    void onDisconnected();
    void reject(int status, const QString &code, const QString &message);
    void cut(const QString &code, const QString &message);
    void stopHttpServer();
    bool isWebSocketUpgrade() const;
    void drain();
    void arm(Armed what, int ms);
    void armForPhase(bool force);

    QTcpSocket *m_socket;
    ServerLimits m_limits;
    QPointer<QObject> m_http;
    QHostAddress m_peer;
    RequestFramer m_framer;
    QTimer m_timer;
    QElapsedTimer m_idleSince;
    Armed m_armed = Armed::None;
    qint64 m_examined = 0; // bytes at the front of the unread input already framed
    qint64 m_drained = 0;
    bool m_draining = false;
    bool m_closed = false;
};

} // namespace kt
