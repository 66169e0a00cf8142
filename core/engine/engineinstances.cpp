// SPDX-License-Identifier: GPL-3.0-or-later
// Engine: several instances on one PostgreSQL database (README "Two instances on one database").
// Each instance has an id recorded in the events it appends. The instance that stores a step's
// triggering webhook runs the step, after bringing the call's machine up to date from the log
// (another instance may have run its earlier steps); the chain lock every step's transaction
// holds makes the instances take turns. A command in flight is leased to the instance that sent
// it while that instance renews its row in the instances table; once the lease expires (the
// instance died) a live instance takes the command over, records it (tel.takeover) and sends it
// with the same command_id, so Telnyx acts on it once.
#include "engine.h"

#include "enginedetail.h"
#include "enginestep.h"
#include "store/databaseurl.h"
#include "store/eventstore.h"

#include <QHostInfo>
#include <QRegularExpression>

#include <algorithm>

#include <memory>

namespace kt {
using namespace enginedetail;

namespace {
// An instance name as it may appear in a log line: letters, digits and . _ : - only.
QString loggableName(const QString &name)
{
    static const QRegularExpression other(QStringLiteral("[^A-Za-z0-9._:-]"));
    QString out = name.trimmed();
    out.replace(other, QStringLiteral("_"));
    return out.left(64);
}

bool isDecisionEvent(const StoredEvent &e)
{
    return e.type.startsWith(QLatin1String("tel.call_")) &&
           e.payload.contains(QStringLiteral("decision")) &&
           e.payload.contains(QStringLiteral("call_config"));
}
} // namespace

void Engine::startInstance()
{
    m_shared = DatabaseUrl::isUrl(m_config.databasePath);
    if (!m_shared)
        return; // SQLite: one engine per database, nothing to share
    m_instanceStartedAt = QDateTime::currentDateTimeUtc();
    QString name = loggableName(m_config.instanceName);
    if (name.isEmpty())
        name =
            loggableName(QHostInfo::localHostName()) + QLatin1Char(':') + QString::number(port());
    // The start time tells two runs of one instance apart: a restarted instance does not
    // inherit its previous run's leases, it takes them over like any other instance.
    m_instanceId = name + QLatin1Char('@') +
                   m_instanceStartedAt.toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzzZ"));
    m_store->setInstance(m_instanceId);
    if (!m_store->renewInstance(m_instanceId, m_instanceStartedAt, m_config.instanceLeaseSecs,
                                m_instanceStartedAt))
        qCWarning(lcEngine).noquote() << m_store->errorString();
    qCInfo(lcEngine).noquote() << "instance" << m_instanceId << "on a shared database, lease"
                               << m_config.instanceLeaseSecs << "s";
    m_leaseTimer.setInterval(qMax(500, m_config.instanceLeaseSecs * 1000 / 3));
    m_leaseTimer.start();
}

void Engine::stopInstance()
{
    m_leaseTimer.stop();
    if (!m_shared || !m_store->isOpen() || m_instanceId.isEmpty())
        return;
    // The commands a stop cancelled are taken over by another instance at once.
    if (!m_store->stopInstance(m_instanceId, QDateTime::currentDateTimeUtc()))
        qCWarning(lcEngine).noquote() << m_store->errorString();
}

void Engine::onLeaseTimer()
{
    if (!m_store->renewInstance(m_instanceId, m_instanceStartedAt, m_config.instanceLeaseSecs,
                                QDateTime::currentDateTimeUtc())) {
        // Without its renewal this instance's leases expire and another instance takes its
        // commands over; it does not take anything over itself until it can write again.
        qCWarning(lcEngine).noquote() << m_store->errorString();
        return;
    }
    takeOverExpired();
}

void Engine::syncCall(ActiveCall &call, qint64 processingSeq)
{
    if (!m_shared)
        return;
    const qint64 latest = m_store->lastSeqForCallNotBy(call.callId, m_instanceId);
    if (latest <= call.foreignSeq)
        return; // nothing new from elsewhere (or the read failed: carry on with what we have)
    QList<StoredEvent> events = m_store->eventsForCall(call.callId);
    if (processingSeq > 0) {
        // The webhook being processed, and those this instance stored and has yet to process,
        // are fed to the machine by their own process().
        QSet<qint64> unprocessed{processingSeq};
        for (const qint64 seq : std::as_const(m_storedSeqs))
            unprocessed.insert(seq);
        events.erase(std::remove_if(events.begin(), events.end(),
                                    [&unprocessed](const StoredEvent &e) {
                                        return unprocessed.contains(e.seq);
                                    }),
                     events.end());
    }
    *call.machine = CallStateMachine(callConfig());
    rebuild(call, events);
    call.foreignSeq = latest;
    if (call.askTimer && !call.machine->askPending())
        call.askTimer->stop();
    if (call.silenceTimer && !call.machine->silenceTimerWanted())
        call.silenceTimer->stop();
}

void Engine::takeOverExpired()
{
    if (!m_shared || !m_store->isOpen() || m_stepDepth > 0)
        return;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QHash<QString, bool> expired;
    auto isExpired = [&](const QString &holder) {
        if (holder == m_instanceId)
            return false;
        if (const auto it = expired.constFind(holder); it != expired.cend())
            return it.value();
        // No instance (a single instance's run before instances were recorded) or no row:
        // nobody renews it.
        const auto lease = holder.isEmpty() ? std::nullopt : m_store->instanceLease(holder);
        const bool gone = !lease || lease->expiredAt(now);
        expired.insert(holder, gone);
        return gone;
    };

    // What is left undone of one call by instances whose lease expired.
    struct Orphans
    {
        std::unique_ptr<ActiveCall> scratch;
        Replayed replayed;
        QList<QPair<CallAction, QString>> commands; // and the instance that sent each
        QString decideFrom;                         // the call waits for its decision
        QString askFrom;                            // the call waits for the owner
        qint64 foreignSeq = 0;
        bool any() const
        {
            return !commands.isEmpty() || !decideFrom.isNull() || !askFrom.isNull();
        }
    };
    auto orphansOf = [&](const QString &callId) {
        Orphans o;
        o.scratch = std::make_unique<ActiveCall>();
        o.scratch->callId = callId;
        o.scratch->machine = std::make_unique<CallStateMachine>(callConfig());
        const QList<StoredEvent> events = m_store->eventsForCall(callId);
        o.replayed = rebuild(*o.scratch, events);
        QHash<QString, QString> sentBy; // step -> the instance of its latest tel.command_sent
        QString initiatedBy;
        QString askHeldBy;
        bool initiatedSeen = false;
        for (const StoredEvent &e : events) {
            if (e.instance != m_instanceId)
                o.foreignSeq = qMax(o.foreignSeq, e.seq);
            if (e.type == QLatin1String("tel.command_sent"))
                sentBy.insert(e.payload.value(QStringLiteral("step")).toString(), e.instance);
            else if (!initiatedSeen && e.type == QLatin1String("call.initiated")) {
                initiatedSeen = true;
                initiatedBy = e.instance;
            } else if (isDecisionEvent(e) ||
                       (e.type == QLatin1String("tel.takeover") &&
                        e.payload.value(QStringLiteral("what")).toString() == QLatin1String("ask")))
                askHeldBy = e.instance;
        }
        const CallStateMachine &m = *o.scratch->machine;
        const Replayed &r = o.replayed;
        if (!m.decision() && r.initiated && !m.finished()) {
            if (isExpired(initiatedBy))
                o.decideFrom = initiatedBy.isNull() ? QStringLiteral("") : initiatedBy;
            return o;
        }
        const bool finishing = m.finished();
        QSet<QString> seen;
        for (const CallAction &a : r.asked) {
            if (r.settled.contains(a.step) || seen.contains(a.step))
                continue;
            seen.insert(a.step);
            if (finishing && a.name != QLatin1String("hangup") && a.name != QLatin1String("reject"))
                continue;
            const QString holder = sentBy.value(a.step);
            if (isExpired(holder))
                o.commands.append({a, holder});
        }
        if (!finishing && m.askPending() && isExpired(askHeldBy)) {
            const auto held = m_calls.constFind(callId);
            if (held == m_calls.cend() || !(*held)->askTimer || !(*held)->askTimer->isActive())
                o.askFrom = askHeldBy.isNull() ? QStringLiteral("") : askHeldBy;
        }
        return o;
    };

    CallQuery q;
    q.limit = 500;
    const QDateTime horizon = now.addSecs(-4 * 3600);
    QStringList candidates;
    for (const CallRecord &record : m_store->calls(q)) {
        if (isTerminal(record.state))
            continue;
        const QDateTime started = QDateTime::fromString(record.startedAt, Qt::ISODateWithMs);
        if (started.isValid() && started < horizon)
            continue;
        if (orphansOf(record.callId).any())
            candidates.append(record.callId);
    }
    if (candidates.isEmpty())
        return;

    // Again under the chain lock: another live instance may have taken them over meanwhile, and
    // none can while this step holds it.
    const Step step(*this);
    expired.clear();
    for (const QString &callId : std::as_const(candidates)) {
        Orphans o = orphansOf(callId);
        if (!o.any())
            continue;
        ActiveCall *call = activeCall(callId, true);
        if (!call)
            continue;
        *call->machine = *o.scratch->machine; // the machine as the log has it
        call->lastState = call->machine->state();
        call->foreignSeq = o.foreignSeq;
        auto record = [&](const QString &what, const QString &from, QJsonObject payload) {
            payload.insert(QStringLiteral("what"), what);
            payload.insert(QStringLiteral("from_instance"),
                           from.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(from));
            qCInfo(lcEngine).noquote()
                << "taking over" << what << payload.value(QStringLiteral("step")).toString()
                << "of call" << callId << "from"
                << (from.isEmpty() ? QStringLiteral("an instance that recorded no id") : from);
            appendEngineEvent(call, QStringLiteral("tel.takeover"), payload);
        };
        if (!o.decideFrom.isNull()) {
            record(QStringLiteral("decision"), o.decideFrom, {});
            decideCall(*call, *o.replayed.initiated);
            continue;
        }
        for (const auto &[action, from] : std::as_const(o.commands)) {
            record(QStringLiteral("command"), from,
                   {{QStringLiteral("step"), action.step},
                    {QStringLiteral("command"), action.name},
                    {QStringLiteral("command_id"), action.commandId}});
            sendCommand(*call, action, true); // the same command_id: Telnyx acts once
        }
        if (!o.askFrom.isNull()) {
            record(QStringLiteral("ask"), o.askFrom, {});
            // The owner's time starts again: the timer went with the instance that died.
            execute(*call, {CallAction::startAskTimer(call->machine->askTimerSecs())});
            m_decisionPoll.start();
            if (o.replayed.requested)
                decide(callId, choiceOf(o.replayed.requested->payload),
                       o.replayed.requested->actor);
        }
    }
}

} // namespace kt
