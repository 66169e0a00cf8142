// SPDX-License-Identifier: GPL-3.0-or-later
// Engine: the owner's decisions from other processes. `kevan-tel calls decide` appends a request
// event; the engine polls the log for them while a call asks, and carries them out.
#include "engine.h"

#include "enginedetail.h"
#include "store/eventstore.h"

namespace kt {
using namespace enginedetail;

void Engine::pollOwnerDecisions()
{
    // `kevan-tel calls decide` runs in another process: it appends a request event, which the
    // engine carries out here.
    bool asking = false;
    for (const auto &c : m_calls)
        asking = asking || c->machine->askPending();
    EventQuery q;
    q.type = QStringLiteral("tel.owner_decision_requested");
    q.afterSeq = m_lastPolledSeq;
    q.limit = 100;
    // The last seq read before the query: a request appended between the query and reading
    // lastSeq() afterwards would otherwise be skipped for ever.
    const qint64 upTo = m_store->lastSeq();
    const QList<StoredEvent> requests = m_store->events(q);
    m_lastPolledSeq = qMax(m_lastPolledSeq, upTo);
    for (const StoredEvent &r : requests)
        m_lastPolledSeq = qMax(m_lastPolledSeq, r.seq);
    for (auto it = requests.crbegin(); it != requests.crend(); ++it)
        decide(it->callId, choiceOf(it->payload), it->actor);
    if (!asking && requests.isEmpty())
        m_decisionPoll.stop();
}

} // namespace kt
