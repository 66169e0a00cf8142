// SPDX-License-Identifier: GPL-3.0-or-later
#include "webhookserver.h"

#include "clientaddress.h"
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
#include <QTcpSocket>
#include <QThread>
#include <QThreadPool>
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
    : QObject(parent), m_handler(handler), m_http(new QHttpServer(this)),
      m_clock([] { return QDateTime::currentSecsSinceEpoch(); })
{
    setLimits(m_limits);
    const int cores = QThread::idealThreadCount();
    setVerifierThreads(cores < 2 ? 0 : qMin(cores, 4));

    m_http->route(QString::fromLatin1(WebhookPath),
                  [this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
                      handleWebhook(request, responder.socket());
                  });
    m_http->route(QString::fromLatin1(HealthPath),
                  [this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
                      handleHealth(request, responder.socket());
                  });
    m_http->route(QString::fromLatin1(MetricsPath),
                  [this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
                      handleMetrics(request, responder.socket());
                  });
    // Unknown paths, and methods QHttpServer does not know (which match no route).
    m_http->setMissingHandler(
        [this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
            handleMissing(request, responder.socket());
        });
}

WebhookServer::~WebhookServer()
{
    // No check may post its result to a server being destroyed.
    if (m_verifierPool)
        m_verifierPool->waitForDone();
    if (m_tcp)
        m_tcp->disconnect(this);
    // The QHttpServer owns the TCP server and, through it, the sockets: delete them while the
    // members their signals reach (metrics, limiter) still exist.
    delete m_http;
    m_http = nullptr;
}

bool WebhookServer::listen(const QHostAddress &address, quint16 port, QString *error)
{
    if (m_tcp && m_tcp->isListening()) {
        if (error)
            *error = QStringLiteral("cannot listen on %1: already listening on %2")
                         .arg(hostPort(address, port), hostPort(serverAddress(), serverPort()));
        return false;
    }
    auto *tcp = new GuardedTcpServer(m_http, m_limits);
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
    connect(tcp, &GuardedTcpServer::connectionCountChanged, this, [this](int count) {
        m_metrics.setGauge(QLatin1String(Metrics::HttpConnectionsOpen), count);
    });
    connect(tcp, &GuardedTcpServer::requestRejected, this, &WebhookServer::onRequestRejected);
    m_http->bind(tcp); // reparents tcp to the QHttpServer
    m_tcp = tcp;
    return true;
}

void WebhookServer::close()
{
    if (!m_tcp)
        return;
    GuardedTcpServer *tcp = m_tcp;
    m_tcp = nullptr;
    ++m_generation;
    m_pending.clear();
    tcp->closeAll();
    tcp->disconnect(this);
    tcp->deleteLater();
    m_metrics.setGauge(QLatin1String(Metrics::HttpConnectionsOpen), 0);
}

bool WebhookServer::isListening() const
{
    return m_tcp && m_tcp->isListening();
}

quint16 WebhookServer::serverPort() const
{
    return m_tcp ? m_tcp->serverPort() : 0;
}

QHostAddress WebhookServer::serverAddress() const
{
    return m_tcp ? m_tcp->serverAddress() : QHostAddress();
}

int WebhookServer::connectionCount() const
{
    return m_tcp ? m_tcp->connectionCount() : 0;
}

void WebhookServer::setClock(std::function<qint64()> nowSecs)
{
    if (nowSecs)
        m_clock = std::move(nowSecs);
    else
        m_clock = [] { return QDateTime::currentSecsSinceEpoch(); };
}

void WebhookServer::setVerifierThreads(int threads)
{
    threads = qMax(0, threads);
    if (threads == m_verifierThreads && (threads == 0) == !m_verifierPool)
        return;
    if (m_verifierPool)
        m_verifierPool->waitForDone();
    m_verifierThreads = threads;
    if (threads == 0) {
        m_verifierPool.reset();
        return;
    }
    if (!m_verifierPool) {
        m_verifierPool = std::make_unique<QThreadPool>();
        m_verifierPool->setObjectName(QStringLiteral("webhook-verifier"));
        m_verifierPool->setExpiryTimeout(-1); // the threads stay: webhooks come in bursts
    }
    m_verifierPool->setMaxThreadCount(threads);
}

void WebhookServer::setLimits(const ServerLimits &limits)
{
    m_limits = limits;
    m_limiter.setConfig({limits.rateBurst, limits.rateRefillPerSecond, limits.rateMaxClients});
    if (m_tcp)
        m_tcp->setLimits(limits);
}

QString WebhookServer::clientKey(const QHttpServerRequest &request) const
{
    return ClientAddress::resolve(request.remoteAddress(), headerValues(request, "x-forwarded-for"),
                                  m_limits.trustedProxies)
        .toString();
}

QList<QPair<QByteArray, QByteArray>> WebhookServer::retryAfter(const QString &key)
{
    const qint64 ms = m_limiter.retryAfterMs(key);
    const qint64 secs = ms < 0 ? 60 : qMax<qint64>(1, (ms + 999) / 1000);
    return {{"Retry-After", QByteArray::number(secs)}};
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
    m_order.send(socket, reply, close);
}

void WebhookServer::respond(ResponseOrder::Ticket ticket, bool close, int status,
                            const QByteArray &contentType, const QByteArray &body,
                            const QList<QPair<QByteArray, QByteArray>> &headers)
{
    m_metrics.increment(QLatin1String(Metrics::HttpResponsesTotal),
                        {{QStringLiteral("code"), QString::number(status)}});
    m_order.fulfil(ticket, HttpReply::build(status, contentType, body, headers, close), close);
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

bool WebhookServer::refuseIfLimited(const QHttpServerRequest &request, QTcpSocket *socket,
                                    const QString &key)
{
    if (m_limiter.hasTokens(key))
        return false;
    sendError(request, socket, 429, QStringLiteral("rate_limited"),
              QStringLiteral("too many failed requests from this client; try again later"),
              retryAfter(key));
    return true;
}

void WebhookServer::answerWebhook(const WebhookRequest &request, int status, const QString &result,
                                  const QString &message, const QString &eventId)
{
    m_metrics.countWebhook(result);
    if (status == 200) {
        respond(request.ticket, request.close, status, "application/json",
                storedBody(result, eventId), {});
    } else {
        qCDebug(lcWebhookServer) << "webhook refused:" << status << result << message;
        respond(request.ticket, request.close, status, "application/json",
                HttpReply::errorBody(result, message),
                status == 429 ? retryAfter(request.clientKey) : Headers{});
    }
    emit webhookAnswered(status, result, eventId);
}

void WebhookServer::handleWebhook(const QHttpServerRequest &request, QTcpSocket *socket)
{
    if (request.method() != QHttpServerRequest::Method::Post) {
        handleMissing(request, socket);
        return;
    }
    WebhookRequest r;
    r.ticket = m_order.reserve(socket);
    r.close = headerValue(request, "connection").toLower().contains("close");
    r.clientKey = clientKey(request);
    r.body = request.body();
    if (r.body.size() > m_limits.maxBodyBytes) { // the connection guard refuses these earlier
        m_limiter.consume(r.clientKey);
        answerWebhook(r, 413, QStringLiteral("too_large"),
                      QStringLiteral("request body exceeds %1 bytes").arg(m_limits.maxBodyBytes));
        return;
    }

    // Header presence, then the timestamp window, then Ed25519: cheapest first. Only the last
    // (and the parse of what it vouches for) goes to a worker.
    const QByteArray timestamp = headerValue(request, WebhookVerifier::TimestampHeader);
    QByteArray signature;
    const WebhookVerifier::Result cheap = m_verifier.precheck(
        timestamp, headerValue(request, WebhookVerifier::SignatureHeader), m_clock(), &signature);
    if (cheap != WebhookVerifier::Result::Valid) {
        refuseWebhook(r, cheap);
        return;
    }
    if (!m_verifierPool || m_checksInFlight >= m_maxChecksInFlight) {
        if (m_verifierPool)
            ++m_checksInline;
        onChecked(r, check(m_verifier, timestamp, signature, r.body));
        return;
    }
    ++m_checksInFlight;
    // A new call waits for its decision, and the caller hears ringing meanwhile: its check goes
    // ahead of the events of calls already decided. (A forgery that claims to be one gains a
    // place in the queue, nothing more: it is checked all the same.)
    const int priority = r.body.contains(QByteArrayLiteral("\"call.initiated\"")) ? 1 : 0;
    m_verifierPool->start(
        [this, generation = m_generation, verifier = m_verifier, r, timestamp, signature] {
            Checked checked = check(verifier, timestamp, signature, r.body);
            QMetaObject::invokeMethod(
                this,
                [this, generation, r, checked = std::move(checked)] {
                    --m_checksInFlight;
                    if (generation == m_generation)
                        onChecked(r, checked);
                },
                Qt::QueuedConnection);
        },
        priority);
}

bool WebhookServer::runOnVerifier(std::function<void()> task, int priority)
{
    if (!m_verifierPool)
        return false;
    m_verifierPool->start(std::move(task), priority);
    return true;
}

WebhookServer::Checked WebhookServer::check(const WebhookVerifier &verifier,
                                            const QByteArray &timestamp,
                                            const QByteArray &signature, const QByteArray &body)
{
    Checked c;
    c.verdict = verifier.checkSignature(timestamp, signature, body);
    if (c.verdict == WebhookVerifier::Result::Valid)
        c.event = WebhookEvent::parse(body, &c.parseError);
    return c;
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

void WebhookServer::onChecked(const WebhookRequest &request, const Checked &checked)
{
    if (checked.verdict != WebhookVerifier::Result::Valid) {
        refuseWebhook(request, checked.verdict);
        return;
    }
    // Signed by Telnyx from here on: never refused for load.
    if (!checked.event) {
        m_limiter.consume(request.clientKey);
        answerWebhook(request, 400, QStringLiteral("bad_request"), checked.parseError);
        return;
    }
    const WebhookEvent &event = *checked.event;
    if (!m_handler) {
        answerWebhook(request, 503, QStringLiteral("store_failed"),
                      QStringLiteral("no event store"), event.id);
        return;
    }
    if (m_handler->groupsStores()) {
        m_pending.append({request, event});
        if (m_pending.size() == 1)
            QMetaObject::invokeMethod(this, &WebhookServer::storePending, Qt::QueuedConnection);
        return;
    }
    const StoreOutcome outcome = m_handler->store(event, request.body);
    switch (outcome.result) {
    case StoreOutcome::Stored:
        answerWebhook(request, 200, QStringLiteral("stored"), QString(), event.id);
        // After the answer has been written and flushed: slow work must not delay the 200.
        QTimer::singleShot(0, this, [this, stored = event] {
            if (m_handler)
                m_handler->process(stored);
        });
        return;
    case StoreOutcome::Duplicate:
        answerWebhook(request, 200, QStringLiteral("duplicate"), QString(), event.id);
        return;
    case StoreOutcome::Failed:
        qCWarning(lcWebhookServer).noquote()
            << "webhook" << event.id << "not stored:" << outcome.error;
        answerWebhook(request, 503, QStringLiteral("store_failed"),
                      QStringLiteral("the event could not be stored; deliver it again"), event.id);
        return;
    }
}

void WebhookServer::storePending()
{
    const QList<PendingWebhook> pending = std::exchange(m_pending, {});
    if (pending.isEmpty() || !m_handler)
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

void WebhookServer::handleHealth(const QHttpServerRequest &request, QTcpSocket *socket)
{
    if (request.method() != QHttpServerRequest::Method::Get) {
        handleMissing(request, socket);
        return;
    }
    if (refuseIfLimited(request, socket, clientKey(request)))
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
        handleMissing(request, socket);
        return;
    }
    if (refuseIfLimited(request, socket, clientKey(request)))
        return;
    m_metrics.setGauge(QLatin1String(Metrics::HttpConnectionsOpen), connectionCount());
    send(request, socket, 200, Metrics::contentType(), m_metrics.render());
}

void WebhookServer::handleMissing(const QHttpServerRequest &request, QTcpSocket *socket)
{
    const QString key = clientKey(request);
    if (refuseIfLimited(request, socket, key))
        return;
    m_limiter.consume(key);
    const QString path = request.url().path();
    QByteArray allow;
    if (path == QLatin1String(WebhookPath))
        allow = "POST";
    else if (path == QLatin1String(HealthPath) || path == QLatin1String(MetricsPath))
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
