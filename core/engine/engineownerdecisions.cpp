// SPDX-License-Identifier: GPL-3.0-or-later
// Engine: the owner's decisions. decide() carries out the owner's choice on a call that asks;
// `kevan-tel calls decide` (or a dashboard watching from another machine) appends a request
// event, which the engine reads from the log when PostgreSQL announces an append, and polls for
// while a call asks (SQLite; on PostgreSQL a slow fallback); an ask nobody answers times out.
#include "engine.h"

#include "enginedetail.h"
#include "enginestep.h"
#include "store/eventstore.h"

#include <optional>

namespace kt {
using namespace enginedetail;

namespace {
// The call's row after the machine took a decision: its decision, reason and state.
CallUpdate updateFrom(const CallStateMachine &machine)
{
    CallUpdate update;
    if (const auto d = machine.decision()) {
        update.decision = d->decisionName();
        update.reason = d->reason;
    }
    update.state = machine.state();
    return update;
}
} // namespace

void Engine::pollOwnerDecisions()
{
    // `kevan-tel calls decide` runs in another process: it appends a request event, which the
    // engine carries out here. Requests are read by seq, so one announced while the connection
    // was broken is read by the next poll.
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

void Engine::onAskTimeout(const QString &callId)
{
    ActiveCall *call = activeCall(callId, false);
    if (!call)
        return;
    std::optional<Step> step;
    if (m_shared) { // another instance may have settled the ask: look under the chain lock
        step.emplace(*this);
        syncCall(*call);
    }
    if (!call->machine->askPending())
        return;
    if (!step)
        step.emplace(*this);
    const CallActions actions = call->machine->onAskTimeout();
    CallUpdate update = updateFrom(*call->machine);
    appendEngineEvent(
        call, QStringLiteral("tel.ask_timeout"),
        {{QStringLiteral("by"), QStringLiteral("timeout")},
         {QStringLiteral("decision"),
          call->machine->decision() ? call->machine->decision()->toJson() : QJsonObject()}},
        Actor, &update);
    execute(*call, actions);
}

QString Engine::ownerChoiceName(OwnerChoice choice)
{
    switch (choice) {
    case OwnerChoice::Accept:
        return QStringLiteral("accept");
    case OwnerChoice::Reject:
        return QStringLiteral("reject");
    case OwnerChoice::Voicemail:
        return QStringLiteral("voicemail");
    }
    return QString();
}

bool Engine::decide(const QString &callId, bool accept, const QString &actor, QString *error)
{
    return decide(callId, accept ? OwnerChoice::Accept : OwnerChoice::Reject, actor, error);
}

bool Engine::decide(const QString &callId, OwnerChoice choice, const QString &actor, QString *error)
{
    ActiveCall *call = activeCall(callId, false);
    std::optional<Step> step;
    if (m_shared && call) { // another instance may have settled the ask: look under the lock
        step.emplace(*this);
        syncCall(*call);
    }
    if (!call || !call->machine->askPending()) {
        if (error)
            *error = QStringLiteral("call %1 is not waiting for a decision").arg(callId);
        return false;
    }
    if (!step)
        step.emplace(*this);
    const CallActions actions = choice == OwnerChoice::Voicemail
                                    ? call->machine->onOwnerVoicemail()
                                    : call->machine->onOwnerDecision(choice == OwnerChoice::Accept);
    CallUpdate update = updateFrom(*call->machine);
    appendEngineEvent(
        call, QStringLiteral("tel.owner_decision"),
        {{QStringLiteral("accept"), choice == OwnerChoice::Accept},
         {QStringLiteral("choice"), ownerChoiceName(choice)},
         {QStringLiteral("by"), QStringLiteral("owner")},
         {QStringLiteral("decision"),
          call->machine->decision() ? call->machine->decision()->toJson() : QJsonObject()}},
        actor, &update);
    execute(*call, actions);
    return true;
}

} // namespace kt
