// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QSslConfiguration>
#include <QTcpServer>

#include <algorithm>

namespace kt {

// A QTcpServer that serves a new connection only after `connectionDelayMs` (the client's bytes
// wait in the kernel meanwhile), as a server far away would, and that can speak TLS: then the
// handshake starts `handshakeDelayMs` later still, and the connection is handed on once
// encrypted. Handed-on sockets are QTcpSocket or QSslSocket, through nextPendingConnection().
class DelayedTcpServer : public QTcpServer
{
    Q_OBJECT
public:
    explicit DelayedTcpServer(QObject *parent = nullptr);

    void setConnectionDelayMs(int ms) { m_connectionDelayMs = std::max(ms, 0); }
    void setHandshakeDelayMs(int ms) { m_handshakeDelayMs = std::max(ms, 0); }
    // TLS with this configuration (its local certificate and private key); null: plain TCP.
    void setTls(const QSslConfiguration &configuration);
    bool isTls() const { return m_tls; }
    quint64 connectionsAccepted() const { return m_accepted; }

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    void serve(qintptr descriptor);
    void handOn(QTcpSocket *socket);

    int m_connectionDelayMs = 0;
    int m_handshakeDelayMs = 0;
    bool m_tls = false;
    QSslConfiguration m_ssl;
    quint64 m_accepted = 0;
};

} // namespace kt
