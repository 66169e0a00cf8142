// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "metrics.h"
#include "pagehandler.h"
#include "ratelimiter.h"
#include "serverlimits.h"
#include "telnyx/webhookevent.h"
#include "telnyx/webhooksignature.h"

#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QPointer>

#include <functional>
#include <optional>

class QHttpServer;
class QHttpServerRequest;
class QTcpSocket;

namespace kt {

class GuardedTcpServer;
class WebhookHandler;

// The embedded HTTP server (see the README, "HTTP interface"), on two listeners.
// The webhook port (listen(); what the tunnel exposes) serves Telnyx only:
//   POST /webhooks/telnyx 200 stored or duplicate | 400 | 401 | 413 | 429 | 503 store failed
//   GET  /health          200 {"status":"ok"} | 503 {"status":"unavailable"}, nothing more
// The admin port (listenAdmin(); always 127.0.0.1) serves the machine's owner:
//   GET  /health          200 {"status":"ok",...} | 503 {"status":"error","reason":...}
//   GET  /metrics         Prometheus text format 0.0.4
// With a page handler (setPageHandler()), the webhook port also serves the paths it takes (the
// self-registration page under /register) with the handler's own answers and rate limits.
// A known path with another method gets 405 (with Allow), an unknown path 404; every error
// answer is {"error":code,"message":...} as application/json. Both listeners enforce the same
// limits (GuardedTcpServer, ConnectionGuard) before QHttpServer reads a request.
//
// Construct it in the thread that runs it (the engine thread); everything, the signature check
// and the handler calls included, happens in that thread. Webhook checks run cheapest first
// (size, headers, timestamp, then the Ed25519 signature), and nothing that fails them reaches
// the handler. A connection is answered one request at a time (ConnectionGuard), so its
// answers leave in the order of its requests.
// Failed requests spend the client's rate-limit tokens; once they are spent, the client's
// requests get 429, except webhooks with a valid signature, which are never refused for load.
// With a handler that groups stores (WebhookHandler::groupsStores()), the valid webhooks of one
// turn of the event loop are stored and processed together at the start of the next, and
// answered after that one commit.
class WebhookServer : public QObject
{
    Q_OBJECT
public:
    static constexpr const char *WebhookPath = "/webhooks/telnyx";
    static constexpr const char *HealthPath = "/health";
    static constexpr const char *MetricsPath = "/metrics";

    // `handler` must outlive the server.
    explicit WebhookServer(WebhookHandler *handler, QObject *parent = nullptr);
    ~WebhookServer() override;

    // The webhook port. Port 0 picks a free port. On failure returns false and sets *error,
    // e.g. "cannot listen on 127.0.0.1:3000: address in use".
    bool listen(const QHostAddress &address, quint16 port, QString *error = nullptr);
    // The admin port, on 127.0.0.1 whatever the webhook port's address. Port 0 picks a free
    // port. On failure returns false and sets *error as listen() does.
    bool listenAdmin(quint16 port, QString *error = nullptr);
    // Stops listening on both ports and closes every connection.
    void close();
    bool isListening() const;
    quint16 serverPort() const;
    QHostAddress serverAddress() const;
    quint16 adminPort() const;
    QHostAddress adminAddress() const;
    // Open connections on the webhook port.
    int connectionCount() const;
    // Backpressure on the webhook port's connections (ConnectionGuard): how often reading was
    // paused, the most one connection held then, and what the open connections hold now.
    qint64 pauseCount() const;
    qint64 peakPausedBytes() const;
    qint64 bufferedBytes() const;

    void setVerifier(const WebhookVerifier &verifier) { m_verifier = verifier; }
    const WebhookVerifier &verifier() const { return m_verifier; }
    // Unix seconds for the ±300 s timestamp window; default: the system clock.
    void setClock(std::function<qint64()> nowSecs);
    // Applies to connections accepted afterwards; resets the rate limiter's buckets.
    void setLimits(const ServerLimits &limits);
    ServerLimits limits() const { return m_limits; }

    // Paths of the webhook port other than Telnyx's and /health go to `handler` first; empty
    // (the default) serves none of them.
    void setPageHandler(PageHandler handler) { m_pages = std::move(handler); }

    Metrics &metrics() { return m_metrics; }
    // The webhook port's rate limiter.
    RateLimiter &rateLimiter() { return m_limiter; }

signals:
    // Every answer on POST /webhooks/telnyx: the HTTP status, the result label counted in
    // kevantel_webhooks_total, and data.id when the event was parsed.
    void webhookAnswered(int status, const QString &result, const QString &eventId);

private:
    enum class Port { Webhook, Admin };
    struct Listener
    {
        QHttpServer *http = nullptr;
        QPointer<GuardedTcpServer> tcp;
    };
    Listener &listener(Port port) { return port == Port::Admin ? m_admin : m_webhook; }
    const Listener &listener(Port port) const { return port == Port::Admin ? m_admin : m_webhook; }
    bool listenOn(Port port, const QHostAddress &address, quint16 portNumber, QString *error);
    void updateOpenConnections();

    void handleWebhook(const QHttpServerRequest &request, QTcpSocket *socket);
    void handleBareHealth(const QHttpServerRequest &request, QTcpSocket *socket);
    void handleHealth(const QHttpServerRequest &request, QTcpSocket *socket);
    void handleMetrics(const QHttpServerRequest &request, QTcpSocket *socket);
    void handleMissing(Port port, const QHttpServerRequest &request, QTcpSocket *socket);
    void onRequestRejected(int status, const QString &code, const QString &message,
                           const QHostAddress &peer, const QByteArray &forwardedFor,
                           const QByteArray &path);

    QString clientKey(const QHttpServerRequest &request) const;
    // Answers 429 and returns true when the client has no tokens left.
    bool refuseIfLimited(RateLimiter &limiter, const QHttpServerRequest &request,
                         QTcpSocket *socket, const QString &key);
    void send(const QHttpServerRequest &request, QTcpSocket *socket, int status,
              const QByteArray &contentType, const QByteArray &body,
              const QList<QPair<QByteArray, QByteArray>> &headers = {});
    void sendError(const QHttpServerRequest &request, QTcpSocket *socket, int status,
                   const QString &code, const QString &message,
                   const QList<QPair<QByteArray, QByteArray>> &headers = {});
    static QList<QPair<QByteArray, QByteArray>> retryAfter(RateLimiter &limiter,
                                                           const QString &key);

    // A webhook request between its arrival and its answer.
    struct WebhookRequest
    {
        QPointer<QTcpSocket> socket;
        bool close = false; // the request asked for Connection: close
        QString clientKey;
        QByteArray body;
    };
    void refuseWebhook(const WebhookRequest &request, WebhookVerifier::Result verdict);
    void answerWebhook(const WebhookRequest &request, int status, const QString &result,
                       const QString &message, const QString &eventId = {});

    // A verified webhook waiting for its group's commit (see groupsStores()).
    struct PendingWebhook
    {
        WebhookRequest request;
        WebhookEvent event;
    };
    void storePending();
    void write(QTcpSocket *socket, const QByteArray &reply, bool close);
    static void setAnswerPending(QTcpSocket *socket, bool pending);
    static QByteArray storedBody(const QString &result, const QString &eventId);

    WebhookHandler *m_handler;
    Listener m_webhook;
    Listener m_admin;
    WebhookVerifier m_verifier;
    std::function<qint64()> m_clock;
    ServerLimits m_limits;
    Metrics m_metrics;
    RateLimiter m_limiter;      // the webhook port's clients
    RateLimiter m_adminLimiter; // the admin port's (local) clients, kept apart
    QList<PendingWebhook> m_pending;
    PageHandler m_pages;
};

} // namespace kt
