// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "metrics.h"
#include "ratelimiter.h"
#include "responseorder.h"
#include "serverlimits.h"
#include "telnyx/webhookevent.h"
#include "telnyx/webhooksignature.h"

#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QPointer>

#include <functional>
#include <memory>
#include <optional>

class QHttpServer;
class QHttpServerRequest;
class QTcpSocket;
class QThreadPool;

namespace kt {

class GuardedTcpServer;
class WebhookHandler;

// The embedded HTTP server (CONTRACT "HTTP"):
//   GET  /health          200 {"status":"ok",...} | 503 {"status":"error","reason":...}
//   POST /webhooks/telnyx 200 stored or duplicate | 400 | 401 | 413 | 429 | 503 store failed
//   GET  /metrics         Prometheus text format 0.0.4
// A known path with another method gets 405 (with Allow), an unknown path 404; every error
// answer is {"error":code,"message":...} as application/json.
//
// Construct it in the thread that runs it (the engine thread); everything, including the
// handler calls, happens in that thread, except the Ed25519 check and the JSON parse of a
// webhook, which run on a small pool of worker threads (setVerifierThreads()) so that the
// costliest step of a webhook leaves the engine thread. Answers still leave each connection in
// the order of its requests (ResponseOrder). Limits are enforced before QHttpServer reads a
// request (see GuardedTcpServer, ConnectionGuard). Webhook checks run cheapest first (size,
// headers, timestamp, then the Ed25519 signature), and nothing that fails them reaches the
// handler.
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

    // Port 0 picks a free port. On failure returns false and sets *error, e.g.
    // "cannot listen on 127.0.0.1:3000: address in use".
    bool listen(const QHostAddress &address, quint16 port, QString *error = nullptr);
    // Stops listening and closes every connection.
    void close();
    bool isListening() const;
    quint16 serverPort() const;
    QHostAddress serverAddress() const;
    int connectionCount() const;

    void setVerifier(const WebhookVerifier &verifier) { m_verifier = verifier; }
    // Worker threads for the signature check and parse of webhooks; 0 runs them in this
    // thread. Default: one a core, at most 4 (none on a single core).
    void setVerifierThreads(int threads);
    int verifierThreads() const { return m_verifierThreads; }
    // At most this many checks wait for or run on the workers (default 256); beyond it a check
    // runs in this thread, which then reads no more requests meanwhile: a flood of forged
    // signatures cannot pile up requests in memory, and signed webhooks are still not refused.
    void setMaxChecksInFlight(int checks) { m_maxChecksInFlight = qMax(1, checks); }
    int checksInFlight() const { return m_checksInFlight; }
    // Checks run in this thread because the workers had enough (see setMaxChecksInFlight()).
    qint64 checksInline() const { return m_checksInline; }
    // Runs `task` on a verifier thread, ahead of any check waiting; false without workers.
    // Tests hold the workers busy with it to see the order in which queued checks run.
    bool runOnVerifier(std::function<void()> task, int priority = 2);
    const WebhookVerifier &verifier() const { return m_verifier; }
    // Unix seconds for the ±300 s timestamp window; default: the system clock.
    void setClock(std::function<qint64()> nowSecs);
    // Applies to connections accepted afterwards; resets the rate limiter's buckets.
    void setLimits(const ServerLimits &limits);
    ServerLimits limits() const { return m_limits; }

    Metrics &metrics() { return m_metrics; }
    RateLimiter &rateLimiter() { return m_limiter; }

signals:
    // Every answer on POST /webhooks/telnyx: the HTTP status, the result label counted in
    // kevantel_webhooks_total, and data.id when the event was parsed.
    void webhookAnswered(int status, const QString &result, const QString &eventId);

private:
    void handleWebhook(const QHttpServerRequest &request, QTcpSocket *socket);
    void handleHealth(const QHttpServerRequest &request, QTcpSocket *socket);
    void handleMetrics(const QHttpServerRequest &request, QTcpSocket *socket);
    void handleMissing(const QHttpServerRequest &request, QTcpSocket *socket);
    void onRequestRejected(int status, const QString &code, const QString &message,
                           const QHostAddress &peer, const QByteArray &forwardedFor,
                           const QByteArray &path);

    QString clientKey(const QHttpServerRequest &request) const;
    // Answers 429 and returns true when the client has no tokens left.
    bool refuseIfLimited(const QHttpServerRequest &request, QTcpSocket *socket, const QString &key);
    void send(const QHttpServerRequest &request, QTcpSocket *socket, int status,
              const QByteArray &contentType, const QByteArray &body,
              const QList<QPair<QByteArray, QByteArray>> &headers = {});
    void sendError(const QHttpServerRequest &request, QTcpSocket *socket, int status,
                   const QString &code, const QString &message,
                   const QList<QPair<QByteArray, QByteArray>> &headers = {});
    QList<QPair<QByteArray, QByteArray>> retryAfter(const QString &key);

    // A webhook request between its arrival and its answer.
    struct WebhookRequest
    {
        ResponseOrder::Ticket ticket = 0; // its place in its connection's answer order
        bool close = false;               // the request asked for Connection: close
        QString clientKey;
        QByteArray body;
    };
    // What the worker found: the signature verdict and, when valid, the parsed event.
    struct Checked
    {
        WebhookVerifier::Result verdict = WebhookVerifier::Result::BadSignature;
        std::optional<WebhookEvent> event;
        QString parseError;
    };
    static Checked check(const WebhookVerifier &verifier, const QByteArray &timestamp,
                         const QByteArray &signature, const QByteArray &body);
    void onChecked(const WebhookRequest &request, const Checked &checked);
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
    void respond(ResponseOrder::Ticket ticket, bool close, int status,
                 const QByteArray &contentType, const QByteArray &body,
                 const QList<QPair<QByteArray, QByteArray>> &headers);
    static QByteArray storedBody(const QString &result, const QString &eventId);

    WebhookHandler *m_handler;
    QHttpServer *m_http;
    QPointer<GuardedTcpServer> m_tcp;
    WebhookVerifier m_verifier;
    std::function<qint64()> m_clock;
    ServerLimits m_limits;
    Metrics m_metrics;
    RateLimiter m_limiter;
    QList<PendingWebhook> m_pending;
    ResponseOrder m_order;
    int m_verifierThreads = 0;
    int m_maxChecksInFlight = 256;
    int m_checksInFlight = 0;
    qint64 m_checksInline = 0;
    std::unique_ptr<QThreadPool> m_verifierPool;
    // Bumped by close(): checks finishing afterwards belong to closed connections.
    quint64 m_generation = 0;
};

} // namespace kt
