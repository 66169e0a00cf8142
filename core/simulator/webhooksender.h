// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "telnyx/webhooksignature.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>
#include <QUrl>

#include <algorithm>

class QNetworkAccessManager;
class QNetworkReply;

namespace kt {

// One HTTP attempt to deliver a webhook.
struct WebhookDelivery
{
    QString eventType;
    QString eventId; // data.id, the same on every attempt
    int attempt = 0; // meta.attempt
    QUrl url;        // meta.delivered_to
    bool failover = false;
    int status = 0;       // HTTP status; 0: no response within the timeout, or a network error
    QByteArray timestamp; // telnyx-timestamp
    QByteArray signature; // telnyx-signature-ed25519
    QByteArray body;
    QDateTime sentAt;
    quint64 sequence = 0; // 1, 2, ... in sending order
};

// Posts signed Telnyx webhooks (docs/telnyx-api.md §1.1, §1.3, §2, §3, §7.10-11): compact JSON with
// sorted keys, the envelope {"data":{...},"meta":{"attempt","delivered_to"}}, Content-Type and
// User-Agent as Telnyx sends them, telnyx-timestamp and telnyx-signature-ed25519 made fresh for
// each attempt. One delivery is in flight at a time, in the order events were posted. Anything but
// 200, or no answer within the timeout, is retried (meta.attempt + 1) up to attemptsPerUrl times,
// then sent to the failover URL if one is set. Test switches bend that: duplicates, out of order,
// late, stale timestamp, bad signature.
class WebhookSender : public QObject
{
    Q_OBJECT
public:
    explicit WebhookSender(QObject *parent = nullptr);
    ~WebhookSender() override;

    void setSigningSeed(const QByteArray &rawSeed) { m_signer = WebhookSigner(rawSeed); }
    QByteArray signingSeed() const { return m_signer.seed(); }
    void setUrl(const QUrl &url) { m_url = url; }
    QUrl url() const { return m_url; }
    void setFailoverUrl(const QUrl &url) { m_failoverUrl = url; }
    QUrl failoverUrl() const { return m_failoverUrl; }
    void setTimeoutMs(int ms) { m_timeoutMs = ms; }
    int timeoutMs() const { return m_timeoutMs; }
    void setAttemptsPerUrl(int attempts) { m_attemptsPerUrl = std::max(attempts, 1); }
    void setRetryDelayMs(int ms) { m_retryDelayMs = std::max(ms, 0); }

    // Queues one event; returns its data.id (a UUID v4). Dropped (empty id) with no URL set.
    QString post(const QString &eventType, const QJsonObject &payload, const QString &occurredAt);

    // Test switches, each for the next `count` events posted (or sent, for the header ones).
    void duplicateNext(int count) { m_duplicate += count; }       // delivered twice, same data.id
    void outOfOrderNext(int count) { m_outOfOrder += count; }     // held until the next one is sent
    void delayNext(int count, int ms);                            // held back `ms`, later ones pass
    void staleTimestampNext(int count, int ageSecs = 600);        // telnyx-timestamp in the past
    void badSignatureNext(int count) { m_badSignature += count; } // a signature of other bytes

    // The most recent attempts (at most logLimit; 0: unlimited).
    QList<WebhookDelivery> deliveries() const { return m_deliveries; }
    void setLogLimit(int limit) { m_logLimit = std::max(limit, 0); }
    void clearDeliveries() { m_deliveries.clear(); }
    // True when nothing is queued, held, in flight or waiting for a retry.
    bool isIdle() const;

    // The compact, key-sorted body of one attempt.
    static QByteArray envelope(const QJsonObject &data, int attempt, const QUrl &deliveredTo);

signals:
    // After every attempt; status 0 when nothing came back in time.
    void delivered(const QString &eventType, const QString &id, int status);
    // When an event is done: ok, or given up after every attempt on every URL.
    void settled(const QString &eventType, const QString &id, bool ok);

private:
    struct Outgoing
    {
        QString eventType;
        QString id;
        QJsonObject data;
        int attempt = 1;
        int attemptsOnUrl = 0;
        bool onFailover = false;
        bool duplicate = false;
    };

    void enqueue(const Outgoing &event);
    void pump();
    void sendNow(Outgoing event);
    void onFinished(QNetworkReply *reply, Outgoing event, quint64 sequence);

    QNetworkAccessManager *m_manager = nullptr;
    WebhookSigner m_signer;
    QUrl m_url;
    QUrl m_failoverUrl;
    int m_timeoutMs = 2000;
    int m_attemptsPerUrl = 3;
    int m_retryDelayMs = 200;

    QList<Outgoing> m_queue;
    QList<Outgoing> m_heldOutOfOrder;
    int m_late = 0; // events held back by delayNext()
    bool m_busy = false;
    QNetworkReply *m_inFlight = nullptr;

    int m_duplicate = 0;
    int m_outOfOrder = 0;
    int m_delayCount = 0;
    int m_delayMs = 0;
    int m_stale = 0;
    int m_staleAgeSecs = 600;
    int m_badSignature = 0;
    QList<WebhookDelivery> m_deliveries;
    quint64 m_sequence = 0;
    int m_logLimit = 5000;
};

} // namespace kt
