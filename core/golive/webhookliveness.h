// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDateTime>
#include <QObject>
#include <QString>
#include <QTimer>

#include <functional>

namespace kt {

class EventStore;

// Notices that Telnyx has gone quiet: no verified webhook for the quiet period while calls are
// expected (a live account whose application points here). The period counts from the last
// webhook, or from when calls became expected if that is later (a restart, a new URL), so a
// fresh start is not "quiet" at once. A phone number can legitimately get no call for a day, so
// the warning says "check", not "broken". Feed it Engine::webhookReceived (noteWebhook).
// Thread-confined; the clock can be injected for tests.
class WebhookLiveness : public QObject
{
    Q_OBJECT
public:
    using Clock = std::function<QDateTime()>;

    explicit WebhookLiveness(QObject *parent = nullptr);

    void setClock(Clock clock); // default QDateTime::currentDateTimeUtc
    // 0 turns the warning off (the config key quiet-warning-minutes; default 1440 = a day).
    void setQuietPeriodSecs(qint64 secs);
    qint64 quietPeriodSecs() const { return m_quietSecs; }
    // How often the quiet state is re-evaluated (default 60 s; 0 = only on check()).
    void setCheckIntervalMs(int ms);

    // Whether calls are expected now; turning it on restarts the quiet period from now.
    void setExpecting(bool expecting);
    bool isExpecting() const { return m_expecting; }

    QDateTime lastWebhookAt() const { return m_lastWebhookAt; } // UTC; null before the first
    bool isQuiet() const { return m_quiet; }
    QString message() const { return m_message; } // the warning, empty when not quiet
    // Seconds since the last webhook (or since expecting began); -1 when unknown.
    qint64 silenceSecs() const;

    // When the last webhook was stored (recorded_at of the newest Telnyx event among the last
    // `scan` events); null when there is none (EventStore::lastWebhookAt).
    static QDateTime lastWebhookIn(EventStore &store, int scan = 500);

    // "3 h 20 min", "2 days", "45 s": how long, in words, for the warning and the dashboard.
    static QString formatDuration(qint64 secs);

public slots:
    // A verified webhook was stored at `at` (UTC). Older times than the last one are ignored.
    void noteWebhook(const QDateTime &at);
    // Re-evaluates the quiet state now.
    void check();

signals:
    void lastWebhookAtChanged(const QDateTime &at);
    void quietChanged(bool quiet, const QString &message);

private:
    QDateTime now() const;

    Clock m_clock;
    QTimer m_timer;
    qint64 m_quietSecs = 1440 * 60;
    bool m_expecting = false;
    QDateTime m_expectingSince;
    QDateTime m_lastWebhookAt;
    bool m_quiet = false;
    QString m_message;
};

} // namespace kt
