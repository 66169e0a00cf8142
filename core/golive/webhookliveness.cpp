// SPDX-License-Identifier: GPL-3.0-or-later
#include "webhookliveness.h"

#include "store/eventstore.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcLiveness, "kevantel.liveness")

namespace kt {

WebhookLiveness::WebhookLiveness(QObject *parent) : QObject(parent)
{
    m_timer.setInterval(60 * 1000);
    connect(&m_timer, &QTimer::timeout, this, &WebhookLiveness::check);
}

void WebhookLiveness::setClock(Clock clock)
{
    m_clock = std::move(clock);
}

QDateTime WebhookLiveness::now() const
{
    return m_clock ? m_clock().toUTC() : QDateTime::currentDateTimeUtc();
}

void WebhookLiveness::setQuietPeriodSecs(qint64 secs)
{
    m_quietSecs = std::max<qint64>(secs, 0);
    check();
}

void WebhookLiveness::setCheckIntervalMs(int ms)
{
    if (ms <= 0) {
        m_timer.stop();
        return;
    }
    m_timer.setInterval(ms);
    if (m_expecting)
        m_timer.start();
}

void WebhookLiveness::setExpecting(bool expecting)
{
    m_expecting = expecting;
    m_expectingSince = expecting ? now() : QDateTime();
    if (expecting && m_timer.interval() > 0)
        m_timer.start();
    else
        m_timer.stop();
    check();
}

qint64 WebhookLiveness::silenceSecs() const
{
    QDateTime since = m_lastWebhookAt;
    if (m_expectingSince.isValid() && (!since.isValid() || m_expectingSince > since))
        since = m_expectingSince;
    if (!since.isValid())
        return -1;
    return std::max<qint64>(since.secsTo(now()), 0);
}

QString WebhookLiveness::formatDuration(qint64 secs)
{
    if (secs < 60)
        return QStringLiteral("%1 s").arg(secs);
    if (secs < 3600)
        return QStringLiteral("%1 min").arg(secs / 60);
    if (secs < 2 * 86400) {
        const qint64 minutes = (secs % 3600) / 60;
        return minutes ? QStringLiteral("%1 h %2 min").arg(secs / 3600).arg(minutes)
                       : QStringLiteral("%1 h").arg(secs / 3600);
    }
    return QStringLiteral("%1 days").arg(secs / 86400);
}

QDateTime WebhookLiveness::lastWebhookIn(EventStore &store, int scan)
{
    return store.lastWebhookAt(scan);
}

void WebhookLiveness::noteWebhook(const QDateTime &at)
{
    const QDateTime utc = at.isValid() ? at.toUTC() : now();
    if (m_lastWebhookAt.isValid() && utc <= m_lastWebhookAt)
        return;
    m_lastWebhookAt = utc;
    emit lastWebhookAtChanged(utc);
    check();
}

void WebhookLiveness::check()
{
    const qint64 silence = silenceSecs();
    const bool quiet = m_expecting && m_quietSecs > 0 && silence >= m_quietSecs;
    QString message;
    if (quiet) {
        const bool sinceWebhook =
            m_lastWebhookAt.isValid() &&
            (!m_expectingSince.isValid() || m_lastWebhookAt >= m_expectingSince);
        message = QStringLiteral("No webhook from Telnyx for %1%2")
                      .arg(sinceWebhook ? QString() : QStringLiteral("at least "),
                           formatDuration(silence));
        if (m_lastWebhookAt.isValid())
            message += QStringLiteral(" (the last at %1 UTC)")
                           .arg(m_lastWebhookAt.toString(QStringLiteral("yyyy-MM-dd HH:mm")));
        message += QStringLiteral(". If calls were expected, check that the tunnel runs and that "
                                  "the application's webhook URL points here.");
    }
    if (quiet == m_quiet) {
        m_message = message; // while quiet, the duration in it stays current
        return;
    }
    m_quiet = quiet;
    m_message = message;
    if (quiet)
        qCWarning(lcLiveness).noquote() << message;
    else
        qCInfo(lcLiveness) << "webhooks from Telnyx arrive again";
    emit quietChanged(quiet, message);
}

} // namespace kt
