// SPDX-License-Identifier: GPL-3.0-or-later
#include "webhooksender.h"

#include <QJsonDocument>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>
#include <QUuid>

#include <utility>

Q_LOGGING_CATEGORY(lcWebhookSender, "kt.simulator.webhooks", QtInfoMsg)

namespace kt {

WebhookSender::WebhookSender(QObject *parent)
    : QObject(parent), m_manager(new QNetworkAccessManager(this))
{
    m_manager->setProxy(QNetworkProxy::NoProxy);
}

WebhookSender::~WebhookSender()
{
    if (m_inFlight) {
        disconnect(m_inFlight, nullptr, this, nullptr);
        m_inFlight->abort();
    }
}

void WebhookSender::delayNext(int count, int ms)
{
    m_delayCount += count;
    m_delayMs = ms;
}

void WebhookSender::staleTimestampNext(int count, int ageSecs)
{
    m_stale += count;
    m_staleAgeSecs = ageSecs;
}

bool WebhookSender::isIdle() const
{
    return !m_busy && m_queue.isEmpty() && m_heldOutOfOrder.isEmpty() && m_late == 0;
}

QByteArray WebhookSender::envelope(const QJsonObject &data, int attempt, const QUrl &deliveredTo)
{
    // QJsonObject keeps its keys sorted, so the compact form is sorted at every level, as
    // Telnyx sends it (docs/telnyx-api.md §1.1).
    const QJsonObject meta{{QStringLiteral("attempt"), attempt},
                           {QStringLiteral("delivered_to"), deliveredTo.toString()}};
    return QJsonDocument(
               QJsonObject{{QStringLiteral("data"), data}, {QStringLiteral("meta"), meta}})
        .toJson(QJsonDocument::Compact);
}

QString WebhookSender::post(const QString &eventType, const QJsonObject &payload,
                            const QString &occurredAt)
{
    if (m_url.isEmpty()) {
        qCWarning(lcWebhookSender).noquote() << "no webhook URL; dropped" << eventType;
        return {};
    }
    Outgoing event;
    event.eventType = eventType;
    event.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    event.data = {{QStringLiteral("event_type"), eventType},
                  {QStringLiteral("id"), event.id},
                  {QStringLiteral("occurred_at"), occurredAt},
                  {QStringLiteral("payload"), payload},
                  {QStringLiteral("record_type"), QStringLiteral("event")}};
    if (m_duplicate > 0) {
        --m_duplicate;
        event.duplicate = true;
    }
    if (m_delayCount > 0) {
        --m_delayCount;
        ++m_late;
        QTimer::singleShot(m_delayMs, this, [this, event] {
            --m_late;
            enqueue(event);
        });
        return event.id;
    }
    if (m_outOfOrder > 0) {
        --m_outOfOrder;
        m_heldOutOfOrder.append(event);
        // Released after the next event; at the latest after a second.
        QTimer::singleShot(1000, this, [this, id = event.id] {
            for (qsizetype i = 0; i < m_heldOutOfOrder.size(); ++i) {
                if (m_heldOutOfOrder.at(i).id == id) {
                    enqueue(m_heldOutOfOrder.takeAt(i));
                    return;
                }
            }
        });
        return event.id;
    }
    enqueue(event);
    const QList<Outgoing> held = std::exchange(m_heldOutOfOrder, {});
    for (const Outgoing &h : held)
        enqueue(h);
    return event.id;
}

void WebhookSender::enqueue(const Outgoing &event)
{
    m_queue.append(event);
    pump();
}

void WebhookSender::pump()
{
    if (m_busy || m_queue.isEmpty())
        return;
    m_busy = true;
    sendNow(m_queue.takeFirst());
}

void WebhookSender::sendNow(Outgoing event)
{
    const QUrl url = event.onFailover ? m_failoverUrl : m_url;
    ++event.attemptsOnUrl;
    const QByteArray body = envelope(event.data, event.attempt, url);
    qint64 now = QDateTime::currentSecsSinceEpoch();
    if (m_stale > 0) {
        --m_stale;
        now -= m_staleAgeSecs;
    }
    const QByteArray timestamp = QByteArray::number(now);
    QByteArray signature = m_signer.sign(timestamp, body);
    if (m_badSignature > 0) {
        --m_badSignature;
        signature = m_signer.sign(timestamp, body + ' '); // well-formed, but not for these bytes
    }

    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setHeader(QNetworkRequest::UserAgentHeader, QByteArrayLiteral("telnyx-webhooks"));
    request.setRawHeader("telnyx-timestamp", timestamp);
    request.setRawHeader("telnyx-signature-ed25519", signature);
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);

    WebhookDelivery delivery;
    delivery.eventType = event.eventType;
    delivery.eventId = event.id;
    delivery.attempt = event.attempt;
    delivery.url = url;
    delivery.failover = event.onFailover;
    delivery.timestamp = timestamp;
    delivery.signature = signature;
    delivery.body = body;
    delivery.sentAt = QDateTime::currentDateTimeUtc();
    delivery.sequence = ++m_sequence;
    const quint64 sequence = delivery.sequence;
    m_deliveries.append(delivery);
    if (m_logLimit > 0 && m_deliveries.size() > m_logLimit)
        m_deliveries.remove(0, m_deliveries.size() - m_logLimit);

    QNetworkReply *reply = m_manager->post(request, body);
    m_inFlight = reply;
    if (m_timeoutMs > 0)
        QTimer::singleShot(m_timeoutMs, reply, [reply] { reply->abort(); });
    connect(reply, &QNetworkReply::finished, this,
            [this, reply, event, sequence] { onFinished(reply, event, sequence); });
}

void WebhookSender::onFinished(QNetworkReply *reply, Outgoing event, quint64 sequence)
{
    reply->deleteLater();
    if (m_inFlight == reply)
        m_inFlight = nullptr;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    for (auto it = m_deliveries.rbegin(); it != m_deliveries.rend(); ++it) {
        if (it->sequence == sequence) {
            it->status = status;
            break;
        }
    }
    qCDebug(lcWebhookSender).noquote()
        << event.eventType << event.id << "attempt" << event.attempt << "->" << status;
    emit delivered(event.eventType, event.id, status);

    if (status == 200) {
        if (event.duplicate) {
            // Delivered again, as Telnyx may do (docs/telnyx-api.md §3): the same data.id.
            Outgoing again = event;
            again.duplicate = false;
            again.attempt = event.attempt + 1;
            again.attemptsOnUrl = 0;
            m_queue.prepend(again);
        } else {
            emit settled(event.eventType, event.id, true);
        }
        m_busy = false;
        pump();
        return;
    }

    Outgoing next = event;
    ++next.attempt;
    if (event.attemptsOnUrl >= m_attemptsPerUrl) {
        if (event.onFailover || m_failoverUrl.isEmpty()) {
            qCWarning(lcWebhookSender).noquote()
                << "gave up delivering" << event.eventType << event.id;
            emit settled(event.eventType, event.id, false);
            m_busy = false;
            pump();
            return;
        }
        next.onFailover = true;
        next.attemptsOnUrl = 0;
    }
    // The queue waits for the retry, so events keep their order.
    QTimer::singleShot(m_retryDelayMs, this, [this, next] { sendNow(next); });
}

} // namespace kt
