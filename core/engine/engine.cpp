// SPDX-License-Identifier: GPL-3.0-or-later
// Engine: the call flow. A webhook is stored, then processed: the call's state machine, the
// decision, the commands it asks for, PIN and call-in tries, the owner's choice and the events
// that record each. The other parts of the engine have files of their own: start-up wiring
// (enginestartup.cpp), group commit (enginegroupcommit.cpp), the command outbox
// (engineoutbox.cpp), recovery at start (enginerecovery.cpp), the owner's decisions from other
// processes (engineownerdecisions.cpp), voicemail (enginevoicemail.cpp), health and metrics
// (enginehealth.cpp).
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

void Engine::startSilenceTimer(ActiveCall &call, int secs)
{
    if (!call.silenceTimer) {
        call.silenceTimer = std::make_unique<QTimer>();
        call.silenceTimer->setSingleShot(true);
        const QString id = call.callId;
        connect(call.silenceTimer.get(), &QTimer::timeout, this,
                [this, id] { onSilenceTimeout(id); });
    }
    call.silenceTimer->start(secs * 1000);
}

void Engine::onSilenceTimeout(const QString &callId)
{
    ActiveCall *call = activeCall(callId, false);
    if (!call || !call->machine->silenceTimerWanted())
        return;
    const Step step(*this);
    const CallActions actions = call->machine->onScreenSilence();
    CallUpdate update;
    update.state = call->machine->state();
    appendEngineEvent(call, QStringLiteral("tel.screen_silence"),
                      {{QStringLiteral("secs"), call->machine->config().screenSilenceSecs}}, Actor,
                      &update);
    execute(*call, actions);
}

void Engine::recordScreenChange(ActiveCall &call, const ScreenTranscript &before,
                                const QString &deepfakeBefore)
{
    const CallStateMachine &m = *call.machine;
    const ScreenTranscript &now = m.transcript();
    if (!(now == before)) {
        // The utterance that changed (the last one, or the AI gather's turns and fields).
        QJsonObject payload{{QStringLiteral("engine"), m.screenEngineUsed()},
                            {QStringLiteral("utterances"), int(now.utterances().size())}};
        if (!now.isEmpty()) {
            payload.insert(QStringLiteral("text"), now.utterances().last().text);
            payload.insert(QStringLiteral("final"), now.utterances().last().final);
        }
        if (!now.callerName().isEmpty())
            payload.insert(QStringLiteral("caller_name"), now.callerName());
        if (!now.reason().isEmpty())
            payload.insert(QStringLiteral("reason"), now.reason());
        CallUpdate update;
        if (const auto d = m.decision())
            update.flags = flagsOf(*d);
        appendEngineEvent(&call, QStringLiteral("tel.screen_words"), payload, Actor, &update);
    }
    if (m.deepfakeResult() != deepfakeBefore) {
        QJsonObject payload{{QStringLiteral("result"), m.deepfakeResult()}};
        if (m.deepfakeScore() >= 0)
            payload.insert(QStringLiteral("score"), m.deepfakeScore());
        CallUpdate update;
        if (const auto d = m.decision())
            update.flags = flagsOf(*d);
        appendEngineEvent(&call, QStringLiteral("tel.screen_deepfake"), payload, Actor, &update);
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

void Engine::onAskTimeout(const QString &callId)
{
    ActiveCall *call = activeCall(callId, false);
    if (!call || !call->machine->askPending())
        return;
    const Step step(*this);
    const CallActions actions = call->machine->onAskTimeout();
    CallUpdate update;
    if (const auto d = call->machine->decision()) {
        update.decision = d->decisionName();
        update.reason = d->reason;
    }
    update.state = call->machine->state();
    appendEngineEvent(
        call, QStringLiteral("tel.ask_timeout"),
        {{QStringLiteral("by"), QStringLiteral("timeout")},
         {QStringLiteral("decision"),
          call->machine->decision() ? call->machine->decision()->toJson() : QJsonObject()}},
        Actor, &update);
    execute(*call, actions);
}

void Engine::handleCallInTry(ActiveCall &call, const CallAction &action)
{
    const auto before = call.machine->decision();
    const QString phone = before->caller;
    const int maxTries = call.machine->config().pinMaxTries;
    QJsonObject payload{{QStringLiteral("phone"), phone},
                        {QStringLiteral("try"), action.pinTry},
                        {QStringLiteral("outcome"), action.pinStatus}};
    CallActions actions;
    PendingRegistration proven;
    bool right = false;
    if (action.pinStatus == QLatin1String("valid")) {
        // The digits go to the registration and nowhere else: neither logged nor recorded.
        right = m_registration && m_registration->completeCallIn(phone, action.digits, &proven);
        const auto result =
            right ? CallStateMachine::PinResult::Right : CallStateMachine::PinResult::Wrong;
        actions = call.machine->onPinResult(action.pinTry, result);
        payload.insert(QStringLiteral("result"), CallStateMachine::pinResultName(result));
        if (right)
            payload.insert(QStringLiteral("registration"), proven.id);
    }
    const auto after = call.machine->decision();
    payload.insert(QStringLiteral("tries_left"), qMax(0, maxTries - call.machine->pinFailures()));
    payload.insert(QStringLiteral("decision"), after->toJson());
    CallUpdate update;
    applyDecision(update, *after);
    update.state = call.machine->state();
    appendEngineEvent(&call, QString::fromLatin1(RegistrationEvents::CallInTried), payload, Actor,
                      &update);
    if (right) {
        // Announced once this step is committed (a later turn), so that readers on other
        // connections find the registration's new state.
        const bool approved = proven.state == PendingRegistration::State::Approved;
        QMetaObject::invokeMethod(
            this,
            [this, proven, approved] {
                emit registrationProven(proven.id, proven.nameSpace, proven.phone, approved);
            },
            Qt::QueuedConnection);
    }
    execute(call, actions);
}

void Engine::handlePinTry(ActiveCall &call, const CallAction &action)
{
    const auto before = call.machine->decision();
    if (!before)
        return;
    if (before->action == Decision::AnswerAndCollectCode ||
        before->reason.startsWith(QLatin1String("registration_"))) {
        handleCallInTry(call, action);
        return;
    }
    const QString phone = before->caller;
    const int maxTries = call.machine->config().pinMaxTries;
    if (action.pinStatus != QLatin1String("valid")) {
        // No digits to check (timeout, invalid, ...): the machine counted the try already.
        CallUpdate update;
        if (const auto d = call.machine->decision())
            applyDecision(update, *d);
        update.state = call.machine->state();
        appendEngineEvent(
            &call, QString::fromLatin1(ScreeningEvents::PinFailed),
            {{QStringLiteral("phone"), phone},
             {QStringLiteral("namespace"), before->claimedNamespace},
             {QStringLiteral("try"), action.pinTry},
             {QStringLiteral("outcome"), action.pinStatus},
             {QStringLiteral("tries_left"), qMax(0, maxTries - call.machine->pinFailures())},
             {QStringLiteral("decision"), call.machine->decision()->toJson()}},
            Actor, &update);
        return;
    }
    const PinCheck check = m_repository->checkPin(phone, action.digits);
    using R = CallStateMachine::PinResult;
    R result = R::Wrong; // no PIN or no registration any more: it cannot be right
    if (check.outcome == PinCheck::Outcome::Right)
        result = R::Right;
    else if (check.outcome == PinCheck::Outcome::Locked || check.lockStarted)
        result = R::Locked;
    const CallActions actions = call.machine->onPinResult(action.pinTry, result);
    CallUpdate update;
    const auto after = call.machine->decision();
    applyDecision(update, *after);
    update.state = call.machine->state();
    update.callId = call.callId;
    const QJsonObject extra{
        {QStringLiteral("result"), CallStateMachine::pinResultName(result)},
        {QStringLiteral("tries_left"), qMax(0, maxTries - call.machine->pinFailures())},
        {QStringLiteral("decision"), after->toJson()}};
    const ScreeningResult recorded =
        m_repository->recordPinAttempt(check, action.pinTry, call.callId, extra, Actor, &update);
    if (!recorded.ok) {
        qCWarning(lcEngine).noquote() << "could not record a PIN attempt:" << recorded.error;
        noteWrite(false, recorded.error);
    } else {
        noteWrite(true);
        if (m_stepDepth > 0 && !m_changedCalls.contains(call.callId))
            m_changedCalls.append(call.callId);
        if (check.lockStarted)
            emit pinLocked(check.phone, check.nameSpace, check.lockedUntil);
    }
    execute(call, actions);
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
    if (!call || !call->machine->askPending()) {
        if (error)
            *error = QStringLiteral("call %1 is not waiting for a decision").arg(callId);
        return false;
    }
    const Step step(*this);
    const CallActions actions = choice == OwnerChoice::Voicemail
                                    ? call->machine->onOwnerVoicemail()
                                    : call->machine->onOwnerDecision(choice == OwnerChoice::Accept);
    CallUpdate update;
    if (const auto d = call->machine->decision()) {
        update.decision = d->decisionName();
        update.reason = d->reason;
    }
    update.state = call->machine->state();
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
