// SPDX-License-Identifier: GPL-3.0-or-later
#include "webhookcollector.h"

#include "simulator/loopbackhttpserver.h"

#include <QDeadlineTimer>
#include <QHttpServerRequest>
#include <QJsonDocument>
#include <QTest>

namespace kt {

QByteArray CollectedRequest::header(const QByteArray &name) const
{
    for (const auto &h : headers) {
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            return h.second;
    }
    return {};
}

QJsonObject CollectedRequest::json() const
{
    return QJsonDocument::fromJson(body).object();
}

QString CollectedRequest::eventType() const
{
    return json()
        .value(QLatin1String("data"))
        .toObject()
        .value(QLatin1String("event_type"))
        .toString();
}

QString CollectedRequest::eventId() const
{
    return json().value(QLatin1String("data")).toObject().value(QLatin1String("id")).toString();
}

QJsonObject CollectedRequest::payload() const
{
    return json()
        .value(QLatin1String("data"))
        .toObject()
        .value(QLatin1String("payload"))
        .toObject();
}

int CollectedRequest::attempt() const
{
    return json().value(QLatin1String("meta")).toObject().value(QLatin1String("attempt")).toInt();
}

WebhookCollector::WebhookCollector(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<kt::CollectedRequest>("kt::CollectedRequest");
    m_server = new LoopbackHttpServer(
        [this](const QHttpServerRequest &request) -> std::optional<HttpReply> {
            CollectedRequest r;
            switch (request.method()) {
            case QHttpServerRequest::Method::Get:
                r.method = "GET";
                break;
            case QHttpServerRequest::Method::Post:
                r.method = "POST";
                break;
            case QHttpServerRequest::Method::Put:
                r.method = "PUT";
                break;
            case QHttpServerRequest::Method::Patch:
                r.method = "PATCH";
                break;
            default:
                r.method = "OTHER";
                break;
            }
            r.path = request.url().path();
            r.headers = request.headers();
            r.body = request.body();
            r.receivedAt = QDateTime::currentDateTimeUtc();
            std::optional<HttpReply> reply;
            if (m_drop > 0) {
                --m_drop;
            } else {
                const int status = m_next.isEmpty() ? m_status : m_next.takeFirst();
                reply = HttpReply{
                    status,
                    m_body,
                    {{QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")}}};
                r.answeredStatus = status;
            }
            m_requests.append(r);
            emit received(r);
            return reply;
        },
        this);
}

WebhookCollector::~WebhookCollector() = default;

bool WebhookCollector::start()
{
    return m_server->start(QHostAddress::LocalHost, 0);
}

quint16 WebhookCollector::port() const
{
    return m_server->port();
}

QUrl WebhookCollector::url(const QString &path) const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(port()).arg(path));
}

QStringList WebhookCollector::eventTypes() const
{
    QStringList types;
    for (const CollectedRequest &r : m_requests)
        types.append(r.eventType());
    return types;
}

QList<CollectedRequest> WebhookCollector::forCall(const QString &callControlId) const
{
    QList<CollectedRequest> result;
    for (const CollectedRequest &r : m_requests) {
        if (r.payload().value(QLatin1String("call_control_id")).toString() == callControlId)
            result.append(r);
    }
    return result;
}

bool WebhookCollector::waitForCount(int n, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (count() < n && !deadline.hasExpired())
        QTest::qWait(10);
    return count() >= n;
}

} // namespace kt
