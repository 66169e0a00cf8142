// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QAbstractHttpServer>
#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QPair>

#include <functional>
#include <optional>

class QHttpServerRequest;
class QTcpServer;

namespace kt {

// One HTTP answer written by LoopbackHttpServer; Content-Length is added.
struct HttpReply
{
    int status = 200;
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers;
};

// A small HTTP server on a QTcpServer bound with QAbstractHttpServer::bind() (Qt 6.4): every
// request goes to one handler, which returns the reply, or nullopt to leave the request unanswered
// (the connection stays open until the client gives up). Used by the Telnyx simulator and by the
// tests' webhook collector. Create it in the thread that runs it.
class LoopbackHttpServer : public QAbstractHttpServer
{
    Q_OBJECT
public:
    using Handler = std::function<std::optional<HttpReply>(const QHttpServerRequest &)>;

    explicit LoopbackHttpServer(Handler handler, QObject *parent = nullptr);

    // Listens on address:port (port 0 picks a free one). False when it cannot.
    bool start(const QHostAddress &address = QHostAddress::LocalHost, quint16 port = 0);
    quint16 port() const;
    bool isListening() const;

    // The path split into percent-decoded segments: "/v2/calls/v3%3Aab/x" -> {v2, calls, v3:ab, x}.
    static QStringList pathSegments(const QHttpServerRequest &request);
    // A request header, case-insensitively; empty when absent.
    static QByteArray header(const QHttpServerRequest &request, const QByteArray &name);

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    Handler m_handler;
    QTcpServer *m_tcp = nullptr;
};

} // namespace kt
