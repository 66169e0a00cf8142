// SPDX-License-Identifier: GPL-3.0-or-later
#include "callcontrolclient.h"
#include "callcontrolpending.h"

#include "proxyfactory.h"
#include "telnyxerror.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>
#include <QTimerEvent>
#include <QUuid>

#include <algorithm>
#include <array>
#include <utility>

namespace kt {

namespace {

// Stops a reply whose outcome no longer matters; nothing of it reaches us again.
void discard(QNetworkReply *reply, QObject *receiver)
{
    if (!reply)
        return;
    QObject::disconnect(reply, nullptr, receiver, nullptr);
    reply->abort();
    reply->deleteLater();
}

} // namespace

void CallControlClient::armTimers(quint64 handle)
{
    const auto it = m_pending.find(handle);
    if (it == m_pending.end() || it->second->hedged || !it->second->inFlight())
        return;
    // (Re)started: from now on.
    if (m_policy.hedgeAfterMs > 0)
        startRequestTimer(handle, *it->second, TimerRole::Hedge, m_policy.hedgeAfterMs);
    if (m_policy.responseTimeoutMs > 0)
        startRequestTimer(handle, *it->second, TimerRole::Response, m_policy.responseTimeoutMs);
}

void CallControlClient::startRequestTimer(quint64 handle, Pending &p, TimerRole role, int ms)
{
    stopRequestTimer(p, role);
    // As QTimer::singleShot chooses: precise below 2 s, coarse (within 5 %) above.
    const int id = startTimer(ms, ms >= 2000 ? Qt::CoarseTimer : Qt::PreciseTimer);
    if (id == 0)
        return;
    p.timers[size_t(role)] = id;
    m_timers.insert(id, {handle, role});
}

void CallControlClient::stopRequestTimer(Pending &p, TimerRole role)
{
    if (const int id = std::exchange(p.timers[size_t(role)], 0)) {
        killTimer(id);
        m_timers.remove(id);
    }
}

void CallControlClient::stopRequestTimers(Pending &p)
{
    for (TimerRole role :
         {TimerRole::Budget, TimerRole::Hedge, TimerRole::Response, TimerRole::Retry})
        stopRequestTimer(p, role);
}

void CallControlClient::timerEvent(QTimerEvent *event)
{
    const auto target = m_timers.constFind(event->timerId());
    if (target == m_timers.cend()) {
        QObject::timerEvent(event);
        return;
    }
    const TimerTarget t = *target;
    m_timers.erase(target);
    killTimer(event->timerId()); // each fires once
    const auto it = m_pending.find(t.handle);
    if (it == m_pending.end())
        return;
    it->second->timers[size_t(t.role)] = 0;
    switch (t.role) {
    case TimerRole::Budget:
        onBudgetSpent(t.handle);
        break;
    case TimerRole::Hedge:
        onHedgeDue(t.handle);
        break;
    case TimerRole::Response:
        onResponseTimeout(t.handle);
        break;
    case TimerRole::Retry:
        if (it->second->waitingRetry)
            send(t.handle);
        break;
    }
}

void CallControlClient::onHedgeDue(quint64 handle)
{
    const auto it = m_pending.find(handle);
    if (it == m_pending.end())
        return;
    Pending &p = *it->second;
    if (p.hedged || !p.replies[0] || p.replies[1])
        return;
    // The identical request (same body, same command_id) while the first stays in flight.
    p.hedged = true;
    qCDebug(lcCallControl).noquote() << p.method << p.path << "attempt" << p.result.attempts
                                     << "hedged after" << m_policy.hedgeAfterMs << "ms";
    QNetworkReply *twin = issue(p);
    p.replies[1] = twin;
    watch(handle, twin, true);
}

void CallControlClient::onResponseTimeout(quint64 handle)
{
    const auto it = m_pending.find(handle);
    if (it == m_pending.end())
        return;
    Pending &p = *it->second;
    if (!p.inFlight())
        return;
    dropReplies(p);
    ApiResponse none;
    none.error = QStringLiteral("no response within %1 ms").arg(m_policy.responseTimeoutMs);
    onResponse(handle, none);
}

void CallControlClient::onBudgetSpent(quint64 handle)
{
    const auto it = m_pending.find(handle);
    if (it == m_pending.end())
        return;
    Pending &p = *it->second;
    if (!p.inFlight() && !p.waitingRetry)
        return;
    qCDebug(lcCallControl).noquote()
        << p.result.command << "gives up after" << m_policy.totalBudgetMs << "ms";
    if (p.inFlight()) {
        dropReplies(p);
        p.result.httpStatus = 0;
        p.result.errorCode.clear();
        p.result.errorDetail.clear();
        p.result.callEnded = false;
        p.result.errorTitle =
            QStringLiteral("no response within %1 ms").arg(m_policy.totalBudgetMs);
        emit attemptFailed(handle, 0, {}, p.result.errorTitle, false);
    }
    // (Waiting for a retry: the last attempt's outcome stands.)
    complete(handle);
}

void CallControlClient::dropReplies(Pending &p)
{
    stopRequestTimer(p, TimerRole::Hedge);
    stopRequestTimer(p, TimerRole::Response);
    for (QNetworkReply *&reply : p.replies)
        discard(std::exchange(reply, nullptr), this);
}

} // namespace kt
