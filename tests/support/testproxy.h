// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QObject>
#include <QStringList>
#include <QUrl>

class QTcpServer;
class QTcpSocket;

namespace kt {

// A small HTTP proxy on loopback for the tests: forwards plain-HTTP requests (absolute-form,
// "GET http://host:port/path HTTP/1.1", rewritten to origin-form) and tunnels CONNECT
// (for HTTPS). Each request it carried is logged: "CONNECT host:port" or "POST http://...".
class TestProxy : public QObject
{
    Q_OBJECT
public:
    explicit TestProxy(QObject *parent = nullptr);
    ~TestProxy() override;

    bool start();
    quint16 port() const;
    QUrl url() const; // http://127.0.0.1:PORT

    QStringList requests() const { return m_requests; }
    int requestCount() const { return int(m_requests.size()); }

private:
    struct Link;
    void onNewConnection();
    void onClientData(Link *link);
    void forwardPlain(Link *link);

    QTcpServer *m_server = nullptr;
    QStringList m_requests;
};

} // namespace kt
