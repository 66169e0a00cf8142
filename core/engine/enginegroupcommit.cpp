// SPDX-License-Identifier: GPL-3.0-or-later
// Engine: group commit. The webhooks of one turn of the event loop and their processing are one
// transaction; if its commit fails, the calls it touched are put back as they were before it.
#include "engine.h"

#include "enginedetail.h"
#include "enginestep.h"
#include "server/metrics.h"
#include "server/webhookserver.h"
#include "store/eventstore.h"
#include "telnyx/webhookevent.h"

#include <utility>

namespace kt {
using namespace enginedetail;

bool Engine::beginStores(QString *error)
{
    if (m_stepDepth != 0)
        return false;
    if (!m_store->beginBatch()) {
        // The transaction could not start (another process holds the write lock past the busy
        // timeout, or the disk fails): a store of its own would fail the same way, after
        // waiting as long again.
        *error = m_store->errorString();
        noteWrite(false, *error);
        return false;
    }
    // The group is the outermost step: its processing commits with it, and its commands wait
    // for that commit.
    ++m_stepDepth;
    m_inGroup = true;
    m_groupSnapshots.clear();
    m_groupWebhookAt = QDateTime();
    m_groupDecisions.clear();
    return true;
}

bool Engine::endStores(QString *error)
{
    m_inGroup = false;
    m_storedSeqs.clear();
    --m_stepDepth;
    const QStringList decisions = std::exchange(m_groupDecisions, {});
    if (m_store->commitBatch()) {
        m_groupSnapshots.clear();
        if (m_server) {
            for (const QString &decision : decisions)
                m_server->metrics().countCall(decision);
        }
        if (m_groupWebhookAt.isValid())
            noteWebhookReceived(m_groupWebhookAt);
        dispatchOutbox();
        announceChangedCalls();
        return true;
    }
    *error = m_store->errorString();
    qCWarning(lcEngine).noquote() << "could not store webhooks:" << *error;
    noteWrite(false, *error);
    // Nothing of the group is in the log, so nothing of it may stay: its commands are not
    // sent, and its calls are put back as they were. Telnyx delivers its webhooks again.
    m_outbox.clear();
    m_changedCalls.clear();
    restoreGroupSnapshots();
    return false;
}

void Engine::snapshotForGroup(const QString &callId)
{
    if (m_groupSnapshots.contains(callId))
        return;
    CallSnapshot s;
    if (const auto it = m_calls.constFind(callId); it != m_calls.cend()) {
        const ActiveCall &call = **it;
        s.existed = true;
        s.machine = *call.machine;
        s.lastState = call.lastState;
        s.sinceInitiated = call.sinceInitiated;
        s.latencyRecorded = call.latencyRecorded;
        s.askActive = call.askTimer && call.askTimer->isActive();
        s.askRemainingMs = s.askActive ? call.askTimer->remainingTime() : 0;
    }
    m_groupSnapshots.insert(callId, s);
}

void Engine::restoreGroupSnapshots()
{
    const QHash<QString, CallSnapshot> snapshots = std::exchange(m_groupSnapshots, {});
    for (auto it = snapshots.cbegin(); it != snapshots.cend(); ++it) {
        const CallSnapshot &s = it.value();
        if (!s.existed) {
            m_calls.remove(it.key());
            continue;
        }
        ActiveCall *call = activeCall(it.key(), false);
        if (!call)
            continue;
        *call->machine = *s.machine;
        call->lastState = s.lastState;
        call->sinceInitiated = s.sinceInitiated;
        call->latencyRecorded = s.latencyRecorded;
        if (call->askTimer) {
            if (s.askActive)
                call->askTimer->start(qMax(1, s.askRemainingMs));
            else
                call->askTimer->stop();
        }
    }
}

void Engine::processStored(const QList<WebhookEvent> &events)
{
    const Step step(*this);
    for (const WebhookEvent &event : events)
        process(event);
    m_storedSeqs.clear(); // stored but not processed (not a call's): nothing waits for them
}

} // namespace kt
