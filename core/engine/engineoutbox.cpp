// SPDX-License-Identifier: GPL-3.0-or-later
// Engine: the command outbox. A step's commands, cancellations and downloads wait until the events
// that record them are committed, then go to the Telnyx client; their outcomes come back as one
// step per turn of the event loop.
#include "engine.h"

#include "enginedetail.h"
#include "enginestep.h"
#include "server/metrics.h"
#include "server/webhookserver.h"
#include "store/eventstore.h"
#include "telnyx/callcontrolthread.h"
#include "voicemail/recordingfetcher.h"

#include <utility>

namespace kt {
using namespace enginedetail;

void Engine::sendCommand(ActiveCall &call, const CallAction &action, bool resend)
{
    QJsonObject payload = action.toJson();
    if (resend)
        payload.insert(QStringLiteral("resend"), true);
    if (m_shared) // leased to this instance (the event's instance) while it renews its lease
        payload.insert(QStringLiteral("lease_until"),
                       EventStore::formatRecordedAt(
                           QDateTime::currentDateTimeUtc().addSecs(m_config.instanceLeaseSecs)));
    CallUpdate update;
    update.state = call.machine->state();
    appendEngineEvent(&call, QStringLiteral("tel.command_sent"), payload, Actor, &update);
    Outgoing out;
    out.callId = call.callId;
    out.action = action;
    if (m_stepDepth > 0)
        m_outbox.append(out);
    else
        dispatch(out);
}

void Engine::cancelForCall(const QString &callControlId)
{
    Outgoing out;
    out.kind = Outgoing::CancelForCall;
    out.callControlId = callControlId;
    if (m_stepDepth > 0)
        m_outbox.append(out);
    else
        dispatch(out);
}

void Engine::dispatchOutbox()
{
    const QList<Outgoing> outbox = std::exchange(m_outbox, {});
    for (const Outgoing &out : outbox)
        dispatch(out);
}

void Engine::dispatch(const Outgoing &out)
{
    if (out.kind == Outgoing::CancelForCall) {
        m_client->cancelForCall(out.callControlId);
        return;
    }
    if (out.kind == Outgoing::FetchRecording) {
        if (m_fetcher)
            m_fetcher->fetch(out.voicemailId);
        return;
    }
    const CallAction &action = out.action;
    CommandOptions options;
    options.commandId = action.commandId;
    const quint64 handle =
        m_client->sendCommand(action.callControlId, action.name, action.params, options);
    m_inFlight.insert(handle, {out.callId, action.step, action.name});
    ActiveCall *call = activeCall(out.callId, false);
    if (call && !call->latencyRecorded && call->sinceInitiated.isValid()) {
        call->latencyRecorded = true;
        if (m_server)
            m_server->metrics().observeDecisionLatency(call->sinceInitiated.nsecsElapsed() / 1e9);
    }
}

void Engine::processFinishedCommands()
{
    const QList<CommandResult> results = std::exchange(m_finishedCommands, {});
    if (results.isEmpty())
        return;
    const Step step(*this);
    for (const CommandResult &result : results)
        onCommandFinished(result);
}

} // namespace kt
