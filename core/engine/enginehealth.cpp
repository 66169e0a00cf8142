// SPDX-License-Identifier: GPL-3.0-or-later
// Engine: health and metrics. What /health reports (the store, the last failed write, Telnyx,
// the last webhook) and the gauges the engine keeps in /metrics.
#include "engine.h"

#include "enginedetail.h"
#include "server/metrics.h"
#include "server/webhookserver.h"
#include "store/eventstore.h"

#include <QJsonValue>

namespace kt {
using namespace enginedetail;

int Engine::activeCallCount() const
{
    int n = 0;
    for (const auto &c : m_calls) {
        if (!c->machine->finished())
            ++n;
    }
    return n;
}

Health Engine::health()
{
    Health h;
    QString reason;
    h.ok = m_store->healthCheck(&reason);
    h.reason = reason;
    // A failed write counts for a minute (Telnyx redelivers well within that), so that a fault
    // that went away with no webhook since does not keep /health failing for ever.
    if (h.ok && !m_writeError.isEmpty() && m_writeErrorAge.elapsed() < 60000) {
        h.ok = false;
        h.reason = QStringLiteral("the last write to the event store failed: %1").arg(m_writeError);
    }
    h.details.insert(QStringLiteral("events"), m_store->lastSeq());
    h.details.insert(QStringLiteral("active_calls"), activeCallCount());
    h.details.insert(QStringLiteral("telnyx"),
                     m_telnyxFailing ? QStringLiteral("failing") : QStringLiteral("ok"));
    h.details.insert(QStringLiteral("demo"), m_config.demo);
    h.details.insert(QStringLiteral("last_webhook_at"),
                     m_lastWebhookAt.isValid()
                         ? QJsonValue(m_lastWebhookAt.toString(Qt::ISODateWithMs))
                         : QJsonValue(QJsonValue::Null));
    if (m_shared) // which of the instances on the database answers
        h.details.insert(QStringLiteral("instance"), m_instanceId);
    return h;
}

void Engine::noteWebhookReceived(const QDateTime &at)
{
    m_lastWebhookAt = at;
    if (m_server)
        m_server->metrics().setGauge(QStringLiteral("kevantel_last_webhook_timestamp_seconds"),
                                     at.isValid() ? double(at.toMSecsSinceEpoch()) / 1000 : 0);
    if (at.isValid())
        emit webhookReceived(at);
}

void Engine::noteWrite(bool ok, const QString &error)
{
    // In a batch a write is only known to be durable at the commit; a failed commit reports
    // itself after the writes it held.
    if (ok) {
        m_writeError.clear();
    } else {
        m_writeError = error.isEmpty() ? QStringLiteral("unknown error") : error;
        m_writeErrorAge.start();
    }
}

void Engine::noteTelnyxResult(bool ok, const QString &message)
{
    if (ok == !m_telnyxFailing)
        return;
    m_telnyxFailing = !ok;
    if (m_server)
        m_server->metrics().setGauge(QStringLiteral("kevantel_telnyx_failing"),
                                     m_telnyxFailing ? 1 : 0);
    if (m_telnyxFailing)
        qCWarning(lcEngine).noquote() << "Telnyx commands are failing:" << message;
    else
        qCInfo(lcEngine) << "Telnyx commands work again";
    emit telnyxHealthChanged(m_telnyxFailing, message);
}

} // namespace kt
