// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPair>
#include <QString>
#include <QStringList>
#include <QUrl>

namespace kt {

class LoopbackHttpServer;

// One HTTP request a WebhookCollector received.
struct CollectedRequest
{
    QByteArray method;
    QString path;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;        // raw bytes, as received
    int answeredStatus = 0; // 0: left unanswered
    QDateTime receivedAt;

    QByteArray header(const QByteArray &name) const; // case-insensitive; empty when absent
    QJsonObject json() const;
    // For a Telnyx webhook: data.event_type, data.id, data.payload, meta.attempt.
    QString eventType() const;
    QString eventId() const;
    QJsonObject payload() const;
    int attempt() const;
};

// A tiny HTTP server on loopback for tests: records every request (method, path, headers, raw
// body) and answers 200 with an empty JSON object, or what it is told to.
class WebhookCollector : public QObject
{
    Q_OBJECT
public:
    explicit WebhookCollector(QObject *parent = nullptr);
    ~WebhookCollector() override;

    bool start(); // 127.0.0.1, a free port
    quint16 port() const;
    QUrl url(const QString &path = QStringLiteral("/webhooks/telnyx")) const;

    void setStatus(int status) { m_status = status; } // for every request (default 200)
    void respondNext(const QList<int> &statuses) { m_next += statuses; } // then setStatus()'s
    void dropNext(int count) { m_drop += count; }                        // never answer these
    void setResponseBody(const QByteArray &body) { m_body = body; }

    QList<CollectedRequest> requests() const { return m_requests; }
    int count() const { return int(m_requests.size()); }
    // data.event_type of each request, in arrival order.
    QStringList eventTypes() const;
    // The requests whose payload.call_control_id is `callControlId`.
    QList<CollectedRequest> forCall(const QString &callControlId) const;
    void clear() { m_requests.clear(); }
    // Spins the event loop until `n` requests arrived; false on timeout.
    bool waitForCount(int n, int timeoutMs = 5000);

signals:
    void received(const kt::CollectedRequest &request);

private:
    LoopbackHttpServer *m_server = nullptr;
    int m_status = 200;
    QList<int> m_next;
    int m_drop = 0;
    QByteArray m_body = QByteArrayLiteral("{}");
    QList<CollectedRequest> m_requests;
};

} // namespace kt

Q_DECLARE_METATYPE(kt::CollectedRequest)
