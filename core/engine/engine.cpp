// SPDX-License-Identifier: GPL-3.0-or-later
// Engine: the call flow. A webhook is stored, then processed: the call's state machine, the
// decision, the commands it asks for and the events that record each. The other parts of the engine
// have files of their own: start-up wiring (enginestartup.cpp), group commit
// (enginegroupcommit.cpp), the command outbox (engineoutbox.cpp), recovery at start
// (enginerecovery.cpp), the owner's decisions and the ask timing out (engineownerdecisions.cpp),
// PIN and call-in code tries (enginedigits.cpp), a screened call's silence timer and words
// (enginescreen.cpp), voicemail (enginevoicemail.cpp), health and metrics (enginehealth.cpp).
#include "engine.h"

#include "enginedetail.h"
#include "enginestep.h"

#include "registration/registrationevents.h"
#include "registration/registrationservice.h"
#include "screening/decider.h"
#include "screening/digitredaction.h"
#include "screening/phonenumber.h"
#include "screening/screeningevents.h"
#include "screening/screeningrepository.h"
#include "server/metrics.h"
#include "server/webhookserver.h"
#include "store/eventstore.h"
#include "telnyx/commandresult.h"
#include "telnyx/webhookevent.h"

#include <QDateTime>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QMetaMethod>

#include <utility>

Q_LOGGING_CATEGORY(lcEngine, "kevantel.engine")

namespace kt {
using namespace enginedetail;
namespace {
QString nowIso()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

bool isRecordingEvent(const QString &type)
{
    return type.startsWith(QLatin1String("call.recording."));
}
} // namespace

QString Engine::decisionEventType(const QString &decisionName)
{
    return QStringLiteral("tel.call_") + decisionName;
}

QString Engine::callIdOf(const WebhookEvent &event)
{
    return event.payload.callSessionId.isEmpty() ? event.payload.callControlId
                                                 : event.payload.callSessionId;
}

// --- webhooks -------------------------------------------------------------------------------

StoreOutcome Engine::store(const WebhookEvent &event, const QByteArray &rawBody)
{
    NewEvent e;
    e.telnyxId = event.id;
    e.type = event.eventType;
    e.callId = callIdOf(event);
    e.occurredAt = event.occurredAtText;
    e.actor = QStringLiteral("telnyx");
    // As signed and received: never parsed and serialised again -- except the keys a caller
    // pressed, which may be a PIN and are never stored in clear.
    e.rawPayload =
        DigitRedaction::applies(event.eventType) ? DigitRedaction::redact(rawBody) : rawBody;

    CallUpdate update;
    CallUpdate *call = nullptr;
    const CallPayload &p = event.payload;
    if (event.eventType == QLatin1String("call.initiated") && !e.callId.isEmpty() &&
        p.direction != QLatin1String("outgoing")) {
        update.callId = e.callId;
        update.callControlId = p.callControlId;
        const auto from = PhoneNumber::parseCaller(p.from);
        update.fromNumber = from.ok ? from.e164 : p.from;
        const auto to = PhoneNumber::parse(p.to);
        update.toNumber = to.ok ? to.e164 : p.to;
        update.callerName = p.callerIdName;
        update.direction = p.direction.isEmpty() ? QStringLiteral("incoming") : p.direction;
        update.startedAt = event.occurredAtText.isEmpty() ? nowIso() : event.occurredAtText;
        update.state = QStringLiteral("ringing");
        call = &update;
    }
    const AppendResult result = m_store->append(e, call);
    switch (result.status) {
    case AppendResult::Status::Stored:
        noteWrite(true);
        if (m_shared)
            m_storedSeqs.insert(event.id, result.seq); // for process(): what came before it
        if (m_inGroup)
            m_groupWebhookAt = QDateTime::currentDateTimeUtc(); // once committed
        else
            noteWebhookReceived(QDateTime::currentDateTimeUtc());
        return StoreOutcome::stored();
    case AppendResult::Status::Duplicate:
        return StoreOutcome::duplicate();
    case AppendResult::Status::Error:
        qCWarning(lcEngine).noquote()
            << "could not store webhook" << event.id << ":" << result.error;
        noteWrite(false, result.error);
        return StoreOutcome::failed(result.error);
    }
    return StoreOutcome::failed(QStringLiteral("unknown store result"));
}

void Engine::process(const WebhookEvent &event)
{
    const qint64 storedSeq = m_shared ? m_storedSeqs.take(event.id) : 0;
    if (!event.isCallEvent())
        return;
    const QString callId = callIdOf(event);
    if (callId.isEmpty())
        return;
    const Step step(*this);
    if (m_inGroup)
        snapshotForGroup(callId);
    const bool recording = isRecordingEvent(event.eventType);
    if (recording)
        handleRecordingEvent(event); // whether or not the call is still up
    // A recording webhook matters to the call only while it is held (max_length reached).
    ActiveCall *call = activeCall(callId, !recording);
    if (!call)
        return; // a late event for a call that has ended and been forgotten
    // Another instance may have run the call's earlier steps (the events before this webhook).
    syncCall(*call, storedSeq);
    const QString before = call->machine->state();
    const bool hadDecision = call->machine->decision().has_value();
    const ScreenTranscript wordsBefore = call->machine->transcript();
    const QString deepfakeBefore = call->machine->deepfakeResult();
    const CallActions actions = call->machine->onWebhook(event.eventType, event.payload);
    if (call->machine->screened())
        recordScreenChange(*call, wordsBefore, deepfakeBefore);
    if (event.eventType == QLatin1String("call.initiated") && !hadDecision &&
        call->machine->legA() == event.payload.callControlId && !call->machine->finished()) {
        call->sinceInitiated.start();
        execute(*call, actions);
        decideCall(*call, event);
        return;
    }
    execute(*call, actions);
    if (call->machine->state() != before || call->machine->ended())
        afterTransition(*call, event.eventType, &event);
}

// --- calls ----------------------------------------------------------------------------------

Engine::ActiveCall *Engine::activeCall(const QString &callId, bool create)
{
    if (auto it = m_calls.find(callId); it != m_calls.end())
        return it->get();
    if (!create)
        return nullptr;
    // A call the engine does not hold: new, or one that ended before a restart.
    if (const auto record = m_store->call(callId); record && isTerminal(record->state))
        return nullptr;
    auto call = std::make_shared<ActiveCall>();
    call->callId = callId;
    call->machine = std::make_unique<CallStateMachine>(callConfig());
    m_calls.insert(callId, call);
    // Forget ended calls beyond a bounded number so memory stays flat.
    if (m_calls.size() > 2000) {
        for (auto it = m_calls.begin(); it != m_calls.end();) {
            if ((*it)->machine->finished() && (*it)->callId != callId)
                it = m_calls.erase(it);
            else
                ++it;
        }
    }
    return call.get();
}

CallConfig Engine::callConfig() const
{
    CallConfig c;
    const auto forward = PhoneNumber::parse(m_config.forwardTo);
    c.forwardTo = forward.ok ? forward.e164 : QString();
    c.rejectionMessage = rejectionMessageFor(m_config);
    if (m_config.registrationApproval == QLatin1String("automatic"))
        c.callInConfirmedMessage = QStringLiteral("Thank you. Your phone is confirmed and "
                                                  "registered. Goodbye.");
    c.unavailableMessage = m_config.unavailableMessage;
    c.voice = m_config.voice;
    c.language = m_config.language;
    c.transferTimeoutSecs = m_config.transferTimeoutSecs;
    c.askTimeoutSecs = m_config.askTimeoutSecs;
    if (!m_config.askFallback.isEmpty())
        c.askFallbackPolicy = m_config.askFallback;
    else
        c.askFallbackPolicy = m_config.unknownPolicy == QLatin1String("ask")
                                  ? QStringLiteral("reject_with_message")
                                  : m_config.unknownPolicy;
    c.voicemailGreeting = m_config.voicemailGreeting;
    c.voicemailMaxLengthSecs = m_config.voicemailMaxLengthSecs;
    c.voicemailTranscription = m_config.voicemailTranscription;
    c.voicemailOnNoAnswer = m_config.voicemailOnNoAnswer;
    if (!m_config.screenGreeting.isEmpty())
        c.screenGreeting = m_config.screenGreeting;
    else
        c.screenGreeting = QStringLiteral("Hi, you've reached %1. This call is being screened. "
                                          "Please say your name and why you're calling.")
                               .arg(m_config.nameSpace);
    c.screenEngine = m_config.screenEngine;
    c.screenTimeoutSecs = m_config.screenTimeoutSecs;
    c.screenFallback = m_config.screenFallback;
    c.screenSilenceSecs = m_config.screenSilenceSecs;
    c.screenDeepfake = m_config.screenDeepfake;
    return c;
}

void Engine::decideCall(ActiveCall &call, const WebhookEvent &event)
{
    const CallPayload &p = event.payload;
    CallFacts facts;
    const auto from = PhoneNumber::parseCaller(p.from);
    facts.from = from.ok ? from.e164 : QString();
    facts.rawFrom = p.from;
    const auto to = PhoneNumber::parse(p.to);
    facts.to = to.ok ? to.e164 : p.to;
    facts.callerIdName = p.callerIdName;
    facts.attestation = p.shakenStirAttestation;
    facts.shakenStirValidated = p.shakenStirValidated;
    facts.screeningResult = p.callScreeningResult;
    facts.callingPartyType = p.callingPartyType;

    Policy policy;
    policy.unknownPolicy = m_config.unknownPolicy;
    policy.requireShakenStir = m_config.requireShakenStir;
    policy.callerIdTrust = m_config.callerIdTrust;
    policy.rejectSpamLikely = m_config.rejectSpamLikely;
    policy.dryRun = m_config.dryRun;
    const auto number = m_repository->number(facts.to);
    policy.toNumberKnown = number.has_value();
    if (number)
        policy.numberPolicy = number->policy;

    const QDateTime now = QDateTime::currentDateTimeUtc();
    // What the app made of the caller, before deciding: the numbers as E.164 and the facts the
    // decision rests on (the raw webhook is stored beside it).
    QJsonObject inbound{{QStringLiteral("from"), facts.from},
                        {QStringLiteral("raw_from"), facts.rawFrom},
                        {QStringLiteral("to"), facts.to},
                        {QStringLiteral("to_known"), policy.toNumberKnown},
                        {QStringLiteral("number_policy"), policy.numberPolicy},
                        {QStringLiteral("caller_id_name"), facts.callerIdName},
                        {QStringLiteral("shaken_stir_attestation"), facts.attestation},
                        {QStringLiteral("call_screening_result"), facts.screeningResult},
                        {QStringLiteral("calling_party_type"), facts.callingPartyType}};
    if (facts.shakenStirValidated)
        inbound.insert(QStringLiteral("shaken_stir_validated"), *facts.shakenStirValidated);
    appendEngineEvent(&call, QStringLiteral("tel.call_inbound"), inbound);

    Decision decision = Decider::decide(facts, policy, *m_repository, now);
    // A phone whose self-registration waits for its call, on the number the page showed, is
    // asked for the call-in code instead, unless a block rule turned it away.
    if (m_config.selfRegistration && m_registration && decision.outcome != Decision::Blocked &&
        !facts.from.isEmpty() && m_registration->awaitsCallIn(facts.from, facts.to))
        decision = Decider::registrationCallIn(decision, policy.dryRun);

    QJsonObject payload;
    payload.insert(QStringLiteral("decision"), decision.toJson());
    payload.insert(QStringLiteral("call_config"), call.machine->config().toJson());
    payload.insert(QStringLiteral("from"), facts.from.isEmpty() ? facts.rawFrom : facts.from);
    payload.insert(QStringLiteral("to"), facts.to);
    if (number && !number->label.isEmpty())
        payload.insert(QStringLiteral("to_label"), number->label);
    if (decision.action == Decision::AnswerAndScreen)
        payload.insert(QStringLiteral("screen_engine"), call.machine->config().screenEngine);
    CallUpdate update;
    update.decision = decision.decisionName();
    update.reason = decision.reason;
    update.namespaceName = decision.nameSpace;
    update.decidedAt = nowIso();
    update.flags = flagsOf(decision);
    // The state the decision puts the call in is recorded with it: "asking" in particular is
    // recorded nowhere else (no command follows), and `calls decide` relies on it. The commands
    // the decision asks for are sent after it is logged.
    const CallActions actions = call.machine->onDecision(decision);
    update.state = call.machine->state();
    call.lastState = call.machine->state();
    appendEngineEvent(&call, decisionEventType(decision.decisionName()), payload, Actor, &update);
    // In a group, the decision counts once the group is committed: if the commit fails, the
    // decision is undone and made again when Telnyx delivers the webhook again.
    if (m_inGroup)
        m_groupDecisions.append(decision.decisionName());
    else if (m_server)
        m_server->metrics().countCall(decision.decisionName());
    if (decision.ruleSingleUse && decision.ruleId > 0)
        m_repository->consumeRule(decision.ruleId, call.callId, Actor);
    if (decision.action == Decision::Ring || decision.action == Decision::AnswerAndScreen)
        m_decisionPoll.start();

    execute(call, actions);
}

void Engine::execute(ActiveCall &call, const CallActions &actions)
{
    for (const CallAction &action : actions) {
        switch (action.type) {
        case CallAction::Command:
            sendCommand(call, action, false);
            break;
        case CallAction::StartAskTimer: {
            if (!call.askTimer) {
                call.askTimer = std::make_unique<QTimer>();
                call.askTimer->setSingleShot(true);
                const QString id = call.callId;
                connect(call.askTimer.get(), &QTimer::timeout, this,
                        [this, id] { onAskTimeout(id); });
            }
            call.askTimer->start(action.secs * 1000);
            break;
        }
        case CallAction::CancelAskTimer:
            if (call.askTimer)
                call.askTimer->stop();
            break;
        case CallAction::PinTry:
            handlePinTry(call, action);
            break;
        case CallAction::StartSilenceTimer:
            startSilenceTimer(call, action.secs);
            break;
        }
    }
}

void Engine::onCommandFinished(const CommandResult &result)
{
    const auto flight = m_inFlight.take(result.handle);
    if (flight.callId.isEmpty())
        return;
    const Step step(*this);
    if (m_server)
        m_server->metrics().countCommand(
            flight.name, result.ok
                             ? QStringLiteral("ok")
                             : (result.callEnded ? QStringLiteral("call_ended")
                                                 : (result.cancelled ? QStringLiteral("cancelled")
                                                                     : QStringLiteral("failed"))));
    if (!result.cancelled)
        noteTelnyxResult(result.ok || result.callEnded ||
                             (result.httpStatus >= 400 && result.httpStatus < 500 &&
                              result.httpStatus != 429 && result.httpStatus != 401),
                         result.describe());
    ActiveCall *call = activeCall(flight.callId, false);
    if (call)
        syncCall(*call);
    QJsonObject payload{{QStringLiteral("step"), flight.step},
                        {QStringLiteral("command"), flight.name},
                        {QStringLiteral("call_control_id"), result.callControlId},
                        {QStringLiteral("command_id"), result.commandId},
                        {QStringLiteral("http_status"), result.httpStatus},
                        {QStringLiteral("attempts"), result.attempts}};
    if (!result.ok) {
        payload.insert(QStringLiteral("error_code"), result.errorCode);
        payload.insert(QStringLiteral("error_title"), result.errorTitle);
        payload.insert(QStringLiteral("error"), result.describe());
        payload.insert(QStringLiteral("call_ended"), result.callEnded);
        payload.insert(QStringLiteral("cancelled"), result.cancelled);
    }
    const QString type =
        result.ok ? QStringLiteral("tel.command_ok") : QStringLiteral("tel.command_failed");
    if (!call || result.cancelled) {
        // Cancelled: the engine stopped it (it is shutting down, or the call ended), so the
        // outcome is unknown rather than a failure. It is recorded (a restart sends it again with
        // its command_id, see replay()) but not fed to the machine, which would otherwise take
        // the failure path (a failed answer -> reject and state "failed") while stopping.
        appendEngineEvent(call, type, payload);
        return;
    }
    const QString before = call->machine->state();
    const CallActions actions =
        call->machine->onCommandResult(flight.step, result.ok, result.callEnded);
    CallUpdate update;
    update.state = call->machine->state();
    appendEngineEvent(call, type, payload, Actor, &update);
    execute(*call, actions);
    if (call->machine->state() != before)
        afterTransition(*call, type, nullptr);
}

void Engine::afterTransition(ActiveCall &call, const QString &eventType,
                             const WebhookEvent *webhook)
{
    const QString state = call.machine->state();
    if (state == call.lastState)
        return;
    call.lastState = state;
    CallUpdate update;
    update.state = state;
    QString type;
    QJsonObject payload{{QStringLiteral("state"), state}, {QStringLiteral("after"), eventType}};
    if (call.machine->ended()) {
        type = QStringLiteral("tel.call_ended");
        update.endedAt =
            webhook && !webhook->occurredAtText.isEmpty() ? webhook->occurredAtText : nowIso();
        update.hangupCause = call.machine->endCause();
        payload.insert(QStringLiteral("cause"), call.machine->endCause());
        if (webhook) {
            payload.insert(QStringLiteral("hangup_source"), webhook->payload.hangupSource);
            payload.insert(QStringLiteral("sip_hangup_cause"), webhook->payload.sipHangupCause);
        }
        if (call.askTimer)
            call.askTimer->stop();
        if (call.silenceTimer)
            call.silenceTimer->stop();
        cancelForCall(call.machine->legA());
        if (!call.machine->legB().isEmpty())
            cancelForCall(call.machine->legB());
    } else if (state == QLatin1String("forwarded")) {
        type = QStringLiteral("tel.call_forwarded");
    } else if (state == QLatin1String("failed")) {
        type = QStringLiteral("tel.call_failed");
        payload.insert(QStringLiteral("notes"), QJsonArray::fromStringList(call.machine->notes()));
    } else {
        type = QStringLiteral("tel.call_state");
    }
    appendEngineEvent(&call, type, payload, Actor, &update);
}

bool Engine::appendEngineEvent(ActiveCall *call, const QString &type, const QJsonObject &payload,
                               const QString &actor, CallUpdate *update)
{
    NewEvent e;
    e.type = type;
    e.callId = call ? call->callId : QString();
    e.actor = actor;
    e.payload = payload;
    if (update && call)
        update->callId = call->callId;
    if (update && call && update->flags && call->machine->screened())
        update->flags->insert(QStringLiteral("screen"), screenFlags(*call->machine));
    const AppendResult result = m_store->append(e, update && call ? update : nullptr);
    if (!result.ok()) {
        qCWarning(lcEngine).noquote() << "could not record" << type << ":" << result.error;
        noteWrite(false, result.error);
        return false;
    }
    noteWrite(true);
    if (call && m_stepDepth > 0) {
        if (!m_changedCalls.contains(call->callId))
            m_changedCalls.append(call->callId);
    } else if (call) {
        if (const auto record = m_store->call(call->callId))
            emit callChanged(*record);
    }
    return true;
}

void Engine::announceChangedCalls()
{
    const QStringList changed = std::exchange(m_changedCalls, {});
    // Reading the calls back costs a query each: only for someone listening (the dashboard).
    static const QMetaMethod signal = QMetaMethod::fromSignal(&Engine::callChanged);
    if (!isSignalConnected(signal))
        return;
    for (const QString &callId : changed) {
        if (const auto record = m_store->call(callId))
            emit callChanged(*record);
    }
}

} // namespace kt
