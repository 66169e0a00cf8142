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
//
// Backpressure: between two requests, while an answer is still being prepared
// (setAnswerPending()) or more than ServerLimits::maxUnsentBytes wait to be sent, the guard
// stops QHttpServer from reading the next request: it opens a read transaction on the socket and
// reads what has arrived into it, so QHttpServer (which reads inside the socket's transaction
// when one is open) finds nothing; the socket's bounded read buffer then stops reading from the
// network, and the client's sends stall. Once the output is sent the transaction is rolled back
// and QHttpServer reads on. One request is answered at a time per connection, so answers leave
// in the order of the requests.
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
    // The server is preparing an answer for this connection's last request (a webhook waiting
    // for its group's commit): the next request is not read before it has been sent.
    void setAnswerPending(bool pending);
    bool answerPending() const { return m_answerPending; }
    // How long this connection has kept the server waiting (idle, in the middle of a request, or
    // not reading its answers), in ms; -1 while the server is answering a complete request.
    qint64 waitingForClientMs() const;
    // No request completed on this connection yet, or one is under way.
    bool hasIncompleteRequest() const;
    bool isPaused() const { return m_paused; }
    // Bytes this connection holds in the server now: unread input and unsent output.
    qint64 bufferedBytes() const;
    // Closes the connection to make room for a new one.
    void evict();

signals:
    // The guard refused a request (status 413, 431, 400, 501; answered and closed) or cut the
    // connection (status 0: header_timeout, body_timeout, stalled).
    void rejected(int status, const QString &code, const QString &message, const QHostAddress &peer,
                  const QByteArray &forwardedFor, const QByteArray &path);
    void closed();
    // Reading paused for backpressure (see above), with what the connection held then.
    void paused(qint64 bufferedBytes);

private:
    enum class Armed { None, Idle, Headers, Body, Linger, Final, Stalled };

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
    bool wantsPause() const;
    void pause();
    void hideInput();
    void onBytesWritten();

    QTcpSocket *m_socket;
    ServerLimits m_limits;
    QPointer<QObject> m_http;
    QHostAddress m_peer;
    RequestFramer m_framer;
    QTimer m_timer;
    QElapsedTimer m_waitingSince; // idle, request begun, or paused: since when
    Armed m_armed = Armed::None;
    qint64 m_examined = 0; // bytes at the front of the unread input already framed
    qint64 m_drained = 0;
    qint64 m_hidden = 0; // input read into the transaction while paused
    bool m_draining = false;
    bool m_closed = false;
    bool m_paused = false;
    bool m_answerPending = false;
    bool m_completedOne = false; // a request completed on this connection
};

} // namespace kt
