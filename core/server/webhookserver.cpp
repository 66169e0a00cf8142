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

Q_LOGGING_CATEGORY(lcWebhookServer, "kevantel.server", QtInfoMsg)

namespace kt {

namespace webhookserverdetail {

QByteArray headerValue(const QHttpServerRequest &request, QByteArrayView name)
{
    const auto headers = request.headers();
    for (const auto &h : headers) {
        if (QByteArrayView(h.first).compare(name, Qt::CaseInsensitive) == 0)
            return h.second;
    }
    return {};
}

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

} // namespace webhookserverdetail

using namespace webhookserverdetail;

namespace {

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
