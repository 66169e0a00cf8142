// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QAbstractHttpServer>
#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QPair>

#include <algorithm>

#include <functional>
#include <optional>

class QHttpServerRequest;
class QSslCertificate;
class QSslKey;

namespace kt {

class DelayedTcpServer;

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
// tests' webhook collector. It can be made to feel far away: each answer delayed, each new
// connection served late, a slow TLS handshake (HTTPS with a certificate the caller supplies).
// Create it in the thread that runs it.
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

    // HTTPS with this certificate and key from start() on (set it before).
    void setTls(const QSslCertificate &certificate, const QSslKey &key);
    bool isTls() const;
    // Every answer is written this long after its request arrived (the handler runs at once).
    void setAnswerDelayMs(int ms) { m_answerDelayMs = std::max(ms, 0); }
    // A new connection is served only this long after the client connected.
    void setConnectionDelayMs(int ms);
    // With TLS, the handshake of a new connection starts this long later still.
    void setTlsHandshakeDelayMs(int ms);
    // Connections the clients opened so far.
    quint64 connectionsAccepted() const;

    // The path split into percent-decoded segments: "/v2/calls/v3%3Aab/x" -> {v2, calls, v3:ab, x}.
    static QStringList pathSegments(const QHttpServerRequest &request);
    // A request header, case-insensitively; empty when absent.
    static QByteArray header(const QHttpServerRequest &request, const QByteArray &name);

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    void writeLater(QTcpSocket *socket, const HttpReply &reply);

    Handler m_handler;
    DelayedTcpServer *m_tcp; // a child
    int m_answerDelayMs = 0;
};

} // namespace kt
