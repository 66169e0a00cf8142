// SPDX-License-Identifier: GPL-3.0-or-later
#include "delayedtcpserver.h"

#include <QSslSocket>
#include <QTimer>

namespace kt {

DelayedTcpServer::DelayedTcpServer(QObject *parent) : QTcpServer(parent) {}

void DelayedTcpServer::setTls(const QSslConfiguration &configuration)
{
    m_ssl = configuration;
    m_tls = !configuration.isNull() && !configuration.localCertificate().isNull();
}

void DelayedTcpServer::incomingConnection(qintptr descriptor)
{
    ++m_accepted;
    const int wait = m_connectionDelayMs + (m_tls ? m_handshakeDelayMs : 0);
    if (wait <= 0)
        serve(descriptor);
    else
        QTimer::singleShot(wait, this, [this, descriptor] { serve(descriptor); });
}

void DelayedTcpServer::serve(qintptr descriptor)
{
    if (!m_tls) {
        auto *socket = new QTcpSocket(this);
        if (!socket->setSocketDescriptor(descriptor)) {
            delete socket;
            return;
        }
        handOn(socket);
        return;
    }
    auto *socket = new QSslSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        return;
    }
    socket->setSslConfiguration(m_ssl);
    connect(socket, &QSslSocket::encrypted, this, [this, socket] { handOn(socket); });
    // A handshake that fails (or a client that gives up) ends here, never handed on.
    connect(socket, &QAbstractSocket::disconnected, socket, [socket] {
        if (!socket->isEncrypted())
            socket->deleteLater();
    });
    socket->startServerEncryption();
}

void DelayedTcpServer::handOn(QTcpSocket *socket)
{
    addPendingConnection(socket);
    emit newConnection();
}

} // namespace kt
