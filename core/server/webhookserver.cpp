// SPDX-License-Identifier: GPL-3.0-or-later
#include "webhookserver.h"

#include "clientaddress.h"
#include "connectionguard.h"
#include "guardedtcpserver.h"
#include "httpreply.h"
#include "telnyx/webhookevent.h"
#include "webhookhandler.h"

#include <QDateTime>
#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QScopeGuard>
#include <QTcpSocket>
#include <QTimer>

#include <utility>

Q_LOGGING_CATEGORY(lcWebhookServer, "kevantel.server", QtInfoMsg)

namespace kt {
namespace {
using Headers = QList<QPair<QByteArray, QByteArray>>;

// The first value of a header, name compared case-insensitively.
QByteArray headerValue(const QHttpServerRequest &request, QByteArrayView name)
{
    const auto headers = request.headers();
    for (const auto &h : headers) {
        if (QByteArrayView(h.first).compare(name, Qt::CaseInsensitive) == 0)
            return h.second;
    }
    return {};
}

// Every value of a header joined with ",".
QByteArray headerValues(const QHttpServerRequest &request, QByteArrayView name)
{
    QByteArray joined;
    const auto headers = request.headers();
    for (const auto &h : headers) {
        if (QByteArrayView(h.first).compare(name, Qt::CaseInsensitive) == 0) {
            if (!joined.isEmpty())
                joined += ',';
            joined += h.second;
        }
    }
    return joined;
}

QByteArray methodName(QHttpServerRequest::Method method)
{
    using M = QHttpServerRequest::Method;
    switch (method) {
    case M::Get:
        return QByteArrayLiteral("GET");
    case M::Post:
        return QByteArrayLiteral("POST");
    case M::Head:
        return QByteArrayLiteral("HEAD");
    case M::Put:
        return QByteArrayLiteral("PUT");
    case M::Delete:
        return QByteArrayLiteral("DELETE");
    case M::Options:
        return QByteArrayLiteral("OPTIONS");
    case M::Patch:
        return QByteArrayLiteral("PATCH");
    default:
        return QByteArrayLiteral("OTHER");
    }
}

QString hostPort(const QHostAddress &address, quint16 port)
{
    const QString host = address.protocol() == QAbstractSocket::IPv6Protocol
                             ? QLatin1Char('[') + address.toString() + QLatin1Char(']')
                             : address.toString();
    return host + QLatin1Char(':') + QString::number(port);
}

QString listenFailure(const QTcpServer &server)
{
    switch (server.serverError()) {
    case QAbstractSocket::AddressInUseError:
        return QStringLiteral("address in use");
    case QAbstractSocket::SocketAccessError:
        return QStringLiteral("permission denied");
    case QAbstractSocket::SocketAddressNotAvailableError:
        return QStringLiteral("address not available");
    default:
        return server.errorString();
    }
}

QString verifierMessage(WebhookVerifier::Result result)
{
    switch (result) {
    case WebhookVerifier::Result::MissingSignature:
        return QStringLiteral("missing telnyx-signature-ed25519 header");
    case WebhookVerifier::Result::MissingTimestamp:
        return QStringLiteral("missing telnyx-timestamp header");
    case WebhookVerifier::Result::BadTimestamp:
        return QStringLiteral("telnyx-timestamp is not Unix time in seconds");
    case WebhookVerifier::Result::StaleTimestamp:
        return QStringLiteral("telnyx-timestamp is more than %1 s from now")
            .arg(WebhookVerifier::ToleranceSeconds);
    case WebhookVerifier::Result::BadSignatureEncoding:
        return QStringLiteral("telnyx-signature-ed25519 is not base64 of 64 bytes");
    case WebhookVerifier::Result::BadSignature:
        return QStringLiteral("the signature does not match the request");
    case WebhookVerifier::Result::NoKey:
        return QStringLiteral("the Telnyx public key is not configured");
    case WebhookVerifier::Result::Valid:
        break;
    }
    return QString();
}
} // namespace

WebhookServer::WebhookServer(WebhookHandler *handler, QObject *parent)
    : QObject(parent), m_handler(handler),
      m_clock([] { return QDateTime::currentSecsSinceEpoch(); })
{
    m_webhook.http = new QHttpServer(this);
    m_admin.http = new QHttpServer(this);
    setLimits(m_limits);

    // The webhook port: what the tunnel exposes, so Telnyx's path and a bare health check only.
    m_webhook.http->route(
        QString::fromLatin1(WebhookPath),
        [this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
            handleWebhook(request, responder.socket());
        });
    m_webhook.http->route(
        QString::fromLatin1(HealthPath),
        [this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
            handleBareHealth(request, responder.socket());
        });
    // Unknown paths, and methods QHttpServer does not know (which match no route).
    m_webhook.http->setMissingHandler(
        [this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
            handleMissing(Port::Webhook, request, responder.socket());
        });

    // The admin port (loopback only): the detail.
    m_admin.http->route(QString::fromLatin1(HealthPath), [this](const QHttpServerRequest &request,
                                                                QHttpServerResponder &&responder) {
        handleHealth(request, responder.socket());
    });
    m_admin.http->route(QString::fromLatin1(MetricsPath), [this](const QHttpServerRequest &request,
                                                                 QHttpServerResponder &&responder) {
        handleMetrics(request, responder.socket());
    });
    m_admin.http->setMissingHandler(
        [this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
            handleMissing(Port::Admin, request, responder.socket());
        });
}

WebhookServer::~WebhookServer()
{
    for (Listener *l : {&m_webhook, &m_admin}) {
        if (l->tcp)
            l->tcp->disconnect(this);
    }
    // Each QHttpServer owns its TCP server and, through it, the sockets: delete them while the
    // members their signals reach (metrics, limiter) still exist.
    delete m_webhook.http;
    m_webhook.http = nullptr;
    delete m_admin.http;
    m_admin.http = nullptr;
}

bool WebhookServer::listen(const QHostAddress &address, quint16 port, QString *error)
{
    return listenOn(Port::Webhook, address, port, error);
}

bool WebhookServer::listenAdmin(quint16 port, QString *error)
{
    return listenOn(Port::Admin, QHostAddress(QHostAddress::LocalHost), port, error);
}

bool WebhookServer::listenOn(Port which, const QHostAddress &address, quint16 port, QString *error)
{
    Listener &l = listener(which);
    if (l.tcp && l.tcp->isListening()) {
        if (error)
            *error = QStringLiteral("cannot listen on %1: already listening on %2")
                         .arg(hostPort(address, port),
                              hostPort(l.tcp->serverAddress(), l.tcp->serverPort()));
        return false;
    }
    auto *tcp = new GuardedTcpServer(l.http, m_limits);
    if (!tcp->listen(address, port)) {
        if (error)
            *error = QStringLiteral("cannot listen on %1: %2")
                         .arg(hostPort(address, port), listenFailure(*tcp));
        delete tcp;
        return false;
    }
    connect(tcp, &GuardedTcpServer::connectionAccepted, this, [this] {
        m_metrics.increment(QLatin1String(Metrics::HttpConnectionsTotal),
                            {{QStringLiteral("result"), QStringLiteral("accepted")}});
    });
    connect(tcp, &GuardedTcpServer::connectionRefused, this, [this] {
        m_metrics.increment(QLatin1String(Metrics::HttpConnectionsTotal),
                            {{QStringLiteral("result"), QStringLiteral("refused")}});
        m_metrics.increment(QLatin1String(Metrics::HttpResponsesTotal),
                            {{QStringLiteral("code"), QStringLiteral("503")}});
    });
    connect(tcp, &GuardedTcpServer::connectionEvicted, this, [this] {
        m_metrics.increment(QLatin1String(Metrics::HttpConnectionsTotal),
                            {{QStringLiteral("result"), QStringLiteral("evicted")}});
    });
    connect(tcp, &GuardedTcpServer::connectionCountChanged, this,
            &WebhookServer::updateOpenConnections);
    connect(tcp, &GuardedTcpServer::requestRejected, this, &WebhookServer::onRequestRejected);
    l.http->bind(tcp); // reparents tcp to the QHttpServer
    l.tcp = tcp;
    return true;
}

void WebhookServer::updateOpenConnections()
{
    int open = 0;
    for (const Listener *l : {&m_webhook, &m_admin}) {
        if (l->tcp)
            open += l->tcp->connectionCount();
    }
    m_metrics.setGauge(QLatin1String(Metrics::HttpConnectionsOpen), open);
}

void WebhookServer::close()
{
    m_pending.clear();
    for (Listener *l : {&m_webhook, &m_admin}) {
        if (!l->tcp)
            continue;
        GuardedTcpServer *tcp = l->tcp;
        l->tcp = nullptr;
        tcp->closeAll();
        tcp->disconnect(this);
        tcp->deleteLater();
    }
    m_metrics.setGauge(QLatin1String(Metrics::HttpConnectionsOpen), 0);
}

bool WebhookServer::isListening() const
{
    return m_webhook.tcp && m_webhook.tcp->isListening();
}

quint16 WebhookServer::serverPort() const
{
    return m_webhook.tcp ? m_webhook.tcp->serverPort() : 0;
}

QHostAddress WebhookServer::serverAddress() const
{
    return m_webhook.tcp ? m_webhook.tcp->serverAddress() : QHostAddress();
}

quint16 WebhookServer::adminPort() const
{
    return m_admin.tcp ? m_admin.tcp->serverPort() : 0;
}

QHostAddress WebhookServer::adminAddress() const
{
    return m_admin.tcp ? m_admin.tcp->serverAddress() : QHostAddress();
}

int WebhookServer::connectionCount() const
{
    return m_webhook.tcp ? m_webhook.tcp->connectionCount() : 0;
}

qint64 WebhookServer::pauseCount() const
{
    return m_webhook.tcp ? m_webhook.tcp->pauseCount() : 0;
}

qint64 WebhookServer::peakPausedBytes() const
{
    return m_webhook.tcp ? m_webhook.tcp->peakPausedBytes() : 0;
}

qint64 WebhookServer::bufferedBytes() const
{
    return m_webhook.tcp ? m_webhook.tcp->bufferedBytes() : 0;
}

void WebhookServer::setClock(std::function<qint64()> nowSecs)
{
    if (nowSecs)
        m_clock = std::move(nowSecs);
    else
        m_clock = [] { return QDateTime::currentSecsSinceEpoch(); };
}

void WebhookServer::setLimits(const ServerLimits &limits)
{
    m_limits = limits;
    m_limiter.setConfig({limits.rateBurst, limits.rateRefillPerSecond, limits.rateMaxClients});
    m_adminLimiter.setConfig({limits.rateBurst, limits.rateRefillPerSecond, limits.rateMaxClients});
    for (Listener *l : {&m_webhook, &m_admin}) {
        if (l->tcp)
            l->tcp->setLimits(limits);
    }
}

QString WebhookServer::clientKey(const QHttpServerRequest &request) const
{
    return ClientAddress::resolve(request.remoteAddress(), headerValues(request, "x-forwarded-for"),
                                  m_limits.trustedProxies)
        .toString();
}

QList<QPair<QByteArray, QByteArray>> WebhookServer::retryAfter(RateLimiter &limiter,
                                                               const QString &key)
{
    const qint64 ms = limiter.retryAfterMs(key);
    const qint64 secs = ms < 0 ? 60 : qMax<qint64>(1, (ms + 999) / 1000);
    return {{"Retry-After", QByteArray::number(secs)}};
}

void WebhookServer::write(QTcpSocket *socket, const QByteArray &reply, bool close)
{
    if (!socket || socket->state() != QAbstractSocket::ConnectedState)
        return;
    socket->write(reply);
    socket->flush();
    if (close)
        socket->disconnectFromHost();
}

void WebhookServer::setAnswerPending(QTcpSocket *socket, bool pending)
{
    if (!socket)
        return;
    if (auto *guard = socket->findChild<ConnectionGuard *>(QString(), Qt::FindDirectChildrenOnly))
        guard->setAnswerPending(pending);
}

void WebhookServer::send(const QHttpServerRequest &request, QTcpSocket *socket, int status,
                         const QByteArray &contentType, const QByteArray &body,
                         const QList<QPair<QByteArray, QByteArray>> &headers)
{
    m_metrics.increment(QLatin1String(Metrics::HttpResponsesTotal),
                        {{QStringLiteral("code"), QString::number(status)}});
    const bool close = headerValue(request, "connection").toLower().contains("close");
    QByteArray reply = HttpReply::build(status, contentType, body, headers, close);
    if (request.method() == QHttpServerRequest::Method::Head)
        reply.chop(body.size()); // same head, no body
    write(socket, reply, close);
}

QByteArray WebhookServer::storedBody(const QString &result, const QString &eventId)
{
    QJsonObject o;
    o.insert(QStringLiteral("status"), result);
    o.insert(QStringLiteral("id"), eventId);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

void WebhookServer::sendError(const QHttpServerRequest &request, QTcpSocket *socket, int status,
                              const QString &code, const QString &message,
                              const QList<QPair<QByteArray, QByteArray>> &headers)
{
    send(request, socket, status, "application/json", HttpReply::errorBody(code, message), headers);
}

bool WebhookServer::refuseIfLimited(RateLimiter &limiter, const QHttpServerRequest &request,
                                    QTcpSocket *socket, const QString &key)
{
    if (limiter.hasTokens(key))
        return false;
    sendError(request, socket, 429, QStringLiteral("rate_limited"),
              QStringLiteral("too many failed requests from this client; try again later"),
              retryAfter(limiter, key));
    return true;
}

void WebhookServer::answerWebhook(const WebhookRequest &request, int status, const QString &result,
                                  const QString &message, const QString &eventId)
{
    m_metrics.countWebhook(result);
    m_metrics.increment(QLatin1String(Metrics::HttpResponsesTotal),
                        {{QStringLiteral("code"), QString::number(status)}});
    QByteArray reply;
    if (status == 200) {
        reply = HttpReply::build(status, "application/json", storedBody(result, eventId), {},
                                 request.close);
    } else {
        qCDebug(lcWebhookServer) << "webhook refused:" << status << result << message;
        reply = HttpReply::build(
            status, "application/json", HttpReply::errorBody(result, message),
            status == 429 ? retryAfter(m_limiter, request.clientKey) : Headers{}, request.close);
    }
    write(request.socket, reply, request.close);
    emit webhookAnswered(status, result, eventId);
}

void WebhookServer::handleWebhook(const QHttpServerRequest &request, QTcpSocket *socket)
{
    if (request.method() != QHttpServerRequest::Method::Post) {
        handleMissing(Port::Webhook, request, socket);
        return;
    }
    WebhookRequest r;
    r.socket = socket;
    r.close = headerValue(request, "connection").toLower().contains("close");
    r.clientKey = clientKey(request);
    r.body = request.body();
    if (r.body.size() > m_limits.maxBodyBytes) { // the connection guard refuses these earlier
        m_limiter.consume(r.clientKey);
        answerWebhook(r, 413, QStringLiteral("too_large"),
                      QStringLiteral("request body exceeds %1 bytes").arg(m_limits.maxBodyBytes));
        return;
    }

    // Header presence, then the timestamp window, then Ed25519: cheapest first.
    const QByteArray timestamp = headerValue(request, WebhookVerifier::TimestampHeader);
    QByteArray signature;
    WebhookVerifier::Result verdict = m_verifier.precheck(
        timestamp, headerValue(request, WebhookVerifier::SignatureHeader), m_clock(), &signature);
    if (verdict == WebhookVerifier::Result::Valid)
        verdict = m_verifier.checkSignature(timestamp, signature, r.body);
    if (verdict != WebhookVerifier::Result::Valid) {
        refuseWebhook(r, verdict);
        return;
    }
    // Signed by Telnyx from here on: never refused for load.
    QString parseError;
    const std::optional<WebhookEvent> parsed = WebhookEvent::parse(r.body, &parseError);
    if (!parsed) {
        m_limiter.consume(r.clientKey);
        answerWebhook(r, 400, QStringLiteral("bad_request"), parseError);
        return;
    }
    const WebhookEvent &event = *parsed;
    if (!m_handler) {
        answerWebhook(r, 503, QStringLiteral("store_failed"), QStringLiteral("no event store"),
                      event.id);
        return;
    }
    if (m_handler->groupsStores()) {
        // Answered after the group's commit; the connection reads no further meanwhile.
        setAnswerPending(socket, true);
        m_pending.append({r, event});
        if (m_pending.size() == 1)
            QMetaObject::invokeMethod(this, &WebhookServer::storePending, Qt::QueuedConnection);
        return;
    }
    const StoreOutcome outcome = m_handler->store(event, r.body);
    switch (outcome.result) {
    case StoreOutcome::Stored:
        answerWebhook(r, 200, QStringLiteral("stored"), QString(), event.id);
        // After the answer has been written and flushed: slow work must not delay the 200.
        QTimer::singleShot(0, this, [this, stored = event] {
            if (m_handler)
                m_handler->process(stored);
        });
        return;
    case StoreOutcome::Duplicate:
        answerWebhook(r, 200, QStringLiteral("duplicate"), QString(), event.id);
        return;
    case StoreOutcome::Failed:
        qCWarning(lcWebhookServer).noquote()
            << "webhook" << event.id << "not stored:" << outcome.error;
        answerWebhook(r, 503, QStringLiteral("store_failed"),
                      QStringLiteral("the event could not be stored; deliver it again"), event.id);
        return;
    }
}

void WebhookServer::refuseWebhook(const WebhookRequest &request, WebhookVerifier::Result verdict)
{
    if (verdict == WebhookVerifier::Result::NoKey) { // our configuration, not the client's fault
        answerWebhook(request, 503, WebhookVerifier::code(verdict), verifierMessage(verdict));
        return;
    }
    // The tokens as they are now, not when the request came: the refusals of the checks that
    // were in flight meanwhile have spent them.
    if (!m_limiter.hasTokens(request.clientKey)) {
        answerWebhook(request, 429, QStringLiteral("rate_limited"),
                      QStringLiteral("too many failed requests from this client; try again later"));
        return;
    }
    m_limiter.consume(request.clientKey);
    answerWebhook(request, 401, WebhookVerifier::code(verdict), verifierMessage(verdict));
}

void WebhookServer::storePending()
{
    const QList<PendingWebhook> pending = std::exchange(m_pending, {});
    if (pending.isEmpty())
        return;
    // Their connections read on once these answers are out, whatever happens below.
    auto release = qScopeGuard([&pending] {
        for (const PendingWebhook &p : pending)
            setAnswerPending(p.request.socket, false);
    });
    if (!m_handler)
        return;
    QString unavailable;
    const bool grouped = m_handler->beginStores(&unavailable);
    if (!grouped && !unavailable.isEmpty()) {
        qCWarning(lcWebhookServer).noquote()
            << pending.size() << "webhook(s) not stored:" << unavailable;
        for (const PendingWebhook &p : pending)
            answerWebhook(p.request, 503, QStringLiteral("store_failed"),
                          QStringLiteral("the event could not be stored; deliver it again"),
                          p.event.id);
        return;
    }
    QList<StoreOutcome> outcomes;
    outcomes.reserve(pending.size());
    QList<WebhookEvent> stored;
    for (const PendingWebhook &p : pending) {
        outcomes.append(m_handler->store(p.event, p.request.body));
        if (outcomes.last().result == StoreOutcome::Stored)
            stored.append(p.event);
    }
    QString error;
    if (grouped) {
        // Processed inside the group's transaction: the webhooks and the decisions they led to
        // are one commit, and a call.initiated is answered once its decision is durable too.
        if (!stored.isEmpty())
            m_handler->processStored(stored);
        if (!m_handler->endStores(&error)) {
            for (StoreOutcome &o : outcomes) {
                if (o.result == StoreOutcome::Stored)
                    o = StoreOutcome::failed(error);
            }
        }
    }
    for (qsizetype i = 0; i < pending.size(); ++i) {
        const PendingWebhook &p = pending.at(i);
        const StoreOutcome &o = outcomes.at(i);
        const QString &id = p.event.id;
        if (o.result == StoreOutcome::Failed) {
            qCWarning(lcWebhookServer).noquote() << "webhook" << id << "not stored:" << o.error;
            answerWebhook(p.request, 503, QStringLiteral("store_failed"),
                          QStringLiteral("the event could not be stored; deliver it again"), id);
            continue;
        }
        answerWebhook(p.request, 200,
                      o.result == StoreOutcome::Stored ? QStringLiteral("stored")
                                                       : QStringLiteral("duplicate"),
                      QString(), id);
    }
    // Not grouped (each webhook committed on its own): the work follows the answers, at once
    // rather than in a later turn of the event loop, where it would wait behind everything
    // queued meanwhile.
    if (!grouped && !stored.isEmpty())
        m_handler->processStored(stored);
}

void WebhookServer::handleBareHealth(const QHttpServerRequest &request, QTcpSocket *socket)
{
    if (request.method() != QHttpServerRequest::Method::Get) {
        handleMissing(Port::Webhook, request, socket);
        return;
    }
    if (refuseIfLimited(m_limiter, request, socket, clientKey(request)))
        return;
    // Whoever reaches the tunnel learns whether webhooks can be taken, and nothing else.
    const bool ok = m_handler && m_handler->health().ok;
    QJsonObject o;
    o.insert(QStringLiteral("status"), ok ? QStringLiteral("ok") : QStringLiteral("unavailable"));
    send(request, socket, ok ? 200 : 503, "application/json",
         QJsonDocument(o).toJson(QJsonDocument::Compact));
}

void WebhookServer::handleHealth(const QHttpServerRequest &request, QTcpSocket *socket)
{
    if (request.method() != QHttpServerRequest::Method::Get) {
        handleMissing(Port::Admin, request, socket);
        return;
    }
    if (refuseIfLimited(m_adminLimiter, request, socket, clientKey(request)))
        return;
    const Health health =
        m_handler ? m_handler->health() : Health{false, QStringLiteral("no event store"), {}};
    QJsonObject o = health.details;
    if (health.ok) {
        o.insert(QStringLiteral("status"), QStringLiteral("ok"));
    } else {
        o.insert(QStringLiteral("status"), QStringLiteral("error"));
        o.insert(QStringLiteral("reason"), health.reason);
    }
    send(request, socket, health.ok ? 200 : 503, "application/json",
         QJsonDocument(o).toJson(QJsonDocument::Compact));
}

void WebhookServer::handleMetrics(const QHttpServerRequest &request, QTcpSocket *socket)
{
    if (request.method() != QHttpServerRequest::Method::Get) {
        handleMissing(Port::Admin, request, socket);
        return;
    }
    if (refuseIfLimited(m_adminLimiter, request, socket, clientKey(request)))
        return;
    updateOpenConnections();
    send(request, socket, 200, Metrics::contentType(), m_metrics.render());
}

void WebhookServer::handleMissing(Port port, const QHttpServerRequest &request, QTcpSocket *socket)
{
    RateLimiter &limiter = port == Port::Admin ? m_adminLimiter : m_limiter;
    const QString key = clientKey(request);
    if (port == Port::Webhook && m_pages) {
        // The page handler keeps its own per-client limits.
        PageRequest page;
        page.method = methodName(request.method());
        page.path = request.url().path(QUrl::FullyEncoded).toLatin1();
        page.headers = request.headers();
        page.body = request.body();
        page.clientKey = key;
        if (const std::optional<PageReply> reply = m_pages(page)) {
            send(request, socket, reply->status, reply->contentType, reply->body, reply->headers);
            return;
        }
    }
    if (refuseIfLimited(limiter, request, socket, key))
        return;
    limiter.consume(key);
    const QString path = request.url().path();
    QByteArray allow;
    if (port == Port::Webhook && path == QLatin1String(WebhookPath))
        allow = "POST";
    else if (path == QLatin1String(HealthPath) ||
             (port == Port::Admin && path == QLatin1String(MetricsPath)))
        allow = "GET";
    if (!allow.isEmpty()) {
        sendError(request, socket, 405, QStringLiteral("method_not_allowed"),
                  QStringLiteral("%1 accepts only %2").arg(path, QString::fromLatin1(allow)),
                  {{"Allow", allow}});
        return;
    }
    sendError(request, socket, 404, QStringLiteral("not_found"),
              QStringLiteral("no such resource"));
}

void WebhookServer::onRequestRejected(int status, const QString &code, const QString &message,
                                      const QHostAddress &peer, const QByteArray &forwardedFor,
                                      const QByteArray &path)
{
    qCDebug(lcWebhookServer) << "connection refused:" << status << code << message << peer;
    m_metrics.increment(QLatin1String(Metrics::HttpRejectedTotal),
                        {{QStringLiteral("reason"), code}});
    if (status > 0)
        m_metrics.increment(QLatin1String(Metrics::HttpResponsesTotal),
                            {{QStringLiteral("code"), QString::number(status)}});
    if (status == 413 && path == WebhookPath) {
        m_metrics.countWebhook(QStringLiteral("too_large"));
        emit webhookAnswered(413, QStringLiteral("too_large"), QString());
    }
    m_limiter.consume(
        ClientAddress::resolve(peer, forwardedFor, m_limits.trustedProxies).toString());
}

} // namespace kt
