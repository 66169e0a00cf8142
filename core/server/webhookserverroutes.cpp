// SPDX-License-Identifier: GPL-3.0-or-later
#include "webhookserver.h"
#include "webhookserverdetail.h"

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

namespace kt {
using namespace webhookserverdetail;

namespace {

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

} // namespace

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

} // namespace kt
