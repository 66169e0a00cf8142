// SPDX-License-Identifier: GPL-3.0-or-later
// Engine: recovery at start. The calls in flight when the engine last stopped are rebuilt from
// the event log and carried on: unsent commands go again, undecided calls are decided.
#include "engine.h"

#include "enginedetail.h"
#include "enginestep.h"
#include "registration/registrationevents.h"
#include "screening/screeningevents.h"
#include "store/eventstore.h"
#include "telnyx/webhookevent.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QSet>

namespace kt {
using namespace enginedetail;

void Engine::recoverCalls()
{
    const Step step(*this);
    CallQuery q;
    q.limit = 500;
    const QDateTime horizon = QDateTime::currentDateTimeUtc().addSecs(-4 * 3600);
    int recovered = 0;
    for (const CallRecord &record : m_store->calls(q)) {
        if (isTerminal(record.state))
            continue;
        const QDateTime started = QDateTime::fromString(record.startedAt, Qt::ISODateWithMs);
        if (started.isValid() && started < horizon)
            continue; // Telnyx has long since ended it; nothing to carry on
        auto call = std::make_shared<ActiveCall>();
        call->callId = record.callId;
        call->machine = std::make_unique<CallStateMachine>(callConfig());
        m_calls.insert(record.callId, call);
        if (m_shared) {
            // Other instances may be running these calls: the machine is brought up to date,
            // and what an instance that died left undone is taken over once its lease expires
            // (takeOverExpired()).
            const QList<StoredEvent> events = m_store->eventsForCall(record.callId);
            rebuild(*call, events);
            for (const StoredEvent &e : events)
                call->foreignSeq = qMax(call->foreignSeq, e.seq);
        } else {
            replay(*call, m_store->eventsForCall(record.callId));
        }
        ++recovered;
    }
    if (recovered > 0)
        qCInfo(lcEngine) << "carried on" << recovered << "calls in flight from the event log";
}

Engine::Replayed Engine::rebuild(ActiveCall &call, const QList<StoredEvent> &events)
{
    // Feed the machine the same inputs in the same order; collect the commands it asked for
    // and the steps whose outcome is known. Nothing is sent or recorded here.
    Replayed r;
    auto &asked = r.asked;
    auto &settled = r.settled;
    auto collect = [&asked](const CallActions &actions) {
        for (const CallAction &a : actions) {
            if (a.isCommand())
                asked.append(a);
        }
    };
    auto &initiated = r.initiated; // leg A's call.initiated
    // An owner's decision asked for (`calls decide`) and not yet carried out.
    auto &requested = r.requested;
    for (const StoredEvent &e : events) {
        if (e.actor == QLatin1String("telnyx")) {
            const auto webhook =
                WebhookEvent::parse(QJsonDocument(e.payload).toJson(QJsonDocument::Compact));
            if (webhook) {
                collect(call.machine->onWebhook(webhook->eventType, webhook->payload));
                if (!initiated && webhook->eventType == QLatin1String("call.initiated") &&
                    webhook->payload.callControlId == call.machine->legA())
                    initiated = webhook;
            }
        } else if (e.type.startsWith(QLatin1String("tel.call_")) &&
                   e.payload.contains(QStringLiteral("decision")) &&
                   e.payload.contains(QStringLiteral("call_config"))) {
            const auto config =
                CallConfig::fromJson(e.payload.value(QStringLiteral("call_config")).toObject());
            if (!call.machine->decision()) {
                // Commands follow the configuration the call started with.
                CallStateMachine fresh(config);
                for (const StoredEvent &w : events) {
                    if (&w == &e)
                        break;
                    if (w.actor != QLatin1String("telnyx"))
                        continue;
                    if (const auto webhook = WebhookEvent::parse(
                            QJsonDocument(w.payload).toJson(QJsonDocument::Compact)))
                        fresh.onWebhook(webhook->eventType, webhook->payload);
                }
                *call.machine = fresh;
            }
            if (const auto d =
                    Decision::fromJson(e.payload.value(QStringLiteral("decision")).toObject()))
                collect(call.machine->onDecision(*d));
        } else if (e.type == QLatin1String("tel.owner_decision_requested")) {
            requested = e;
        } else if (e.type == QLatin1String("tel.owner_decision")) {
            requested.reset();
            const OwnerChoice choice = choiceOf(e.payload);
            collect(choice == OwnerChoice::Voicemail
                        ? call.machine->onOwnerVoicemail()
                        : call.machine->onOwnerDecision(choice == OwnerChoice::Accept));
        } else if (e.type == QLatin1String("tel.ask_timeout")) {
            requested.reset();
            collect(call.machine->onAskTimeout());
        } else if (e.type == QLatin1String("tel.screen_silence")) {
            collect(call.machine->onScreenSilence());
        } else if (e.type == QLatin1String(ScreeningEvents::PinVerified) ||
                   e.type == QLatin1String(ScreeningEvents::PinFailed) ||
                   e.type == QLatin1String(RegistrationEvents::CallInTried)) {
            // The verdict on a try's digits (the stored webhook has them redacted); tries
            // without digits (timeout, ...) the machine settled from the webhook itself.
            if (const auto r = CallStateMachine::pinResultFromName(
                    e.payload.value(QStringLiteral("result")).toString()))
                collect(
                    call.machine->onPinResult(e.payload.value(QStringLiteral("try")).toInt(), *r));
        } else if (e.type == QLatin1String("tel.command_ok") ||
                   e.type == QLatin1String("tel.command_failed")) {
            const QString step = e.payload.value(QStringLiteral("step")).toString();
            if (e.payload.value(QStringLiteral("cancelled")).toBool())
                continue; // stopped by the previous run's shutdown: still unsettled
            settled.insert(step);
            collect(call.machine->onCommandResult(
                step, e.type == QLatin1String("tel.command_ok"),
                e.payload.value(QStringLiteral("call_ended")).toBool()));
        }
    }
    call.lastState = call.machine->state();
    return r;
}

void Engine::replay(ActiveCall &call, const QList<StoredEvent> &events)
{
    // A command asked for without a known outcome is sent again with its command_id, which
    // Telnyx de-duplicates.
    Replayed r = rebuild(call, events);
    QList<CallAction> &asked = r.asked;
    const QSet<QString> &settled = r.settled;
    const std::optional<WebhookEvent> &initiated = r.initiated;
    const std::optional<StoredEvent> &requested = r.requested;
    call.lastState = call.machine->state();
    if (call.machine->ended() || call.machine->stateCode() == CallStateMachine::State::Failed) {
        // The previous run stored the end but stopped before recording it.
        call.lastState.clear();
        afterTransition(call, QStringLiteral("recovery"), nullptr);
        return;
    }
    if (!call.machine->decision() && initiated && !call.machine->finished()) {
        // The previous run stored the call but stopped before deciding it; Telnyx's redelivery
        // of call.initiated is a duplicate, which is not processed again: decide it now.
        decideCall(call, *initiated);
        return;
    }
    if (const int pinTry = call.machine->pinAwaiting(); pinTry > 0 && !call.machine->finished()) {
        // The previous run stored a try's digits but not their verdict; the stored copy has
        // them redacted, so the try counts as failed (the caller is asked again).
        const CallActions actions =
            call.machine->onPinResult(pinTry, CallStateMachine::PinResult::Unverifiable);
        CallUpdate update;
        if (const auto d = call.machine->decision())
            applyDecision(update, *d);
        update.state = call.machine->state();
        const bool code = call.machine->decision() && call.machine->decision()->reason.startsWith(
                                                          QLatin1String("registration_"));
        appendEngineEvent(&call,
                          QString::fromLatin1(code ? RegistrationEvents::CallInTried
                                                   : ScreeningEvents::PinFailed),
                          {{QStringLiteral("try"), pinTry},
                           {QStringLiteral("outcome"), QStringLiteral("unverifiable")},
                           {QStringLiteral("result"), QStringLiteral("unverifiable")}},
                          Actor, &update);
        for (const CallAction &a : actions) {
            if (a.isCommand())
                asked.append(a);
        }
    }
    // A call that is going away still gets the command that ends it (hangup, reject) when that
    // command's outcome is unknown; whatever else it asked for is moot by now.
    const bool finishing = call.machine->finished();
    for (const CallAction &a : asked) {
        if (settled.contains(a.step))
            continue;
        if (finishing && a.name != QLatin1String("hangup") && a.name != QLatin1String("reject"))
            continue;
        sendCommand(call, a, true);
    }
    if (finishing)
        return;
    if (call.machine->silenceTimerWanted())
        startSilenceTimer(call, call.machine->config().screenSilenceSecs);
    if (call.machine->askPending()) {
        // The owner's time starts again: the previous run's timer is gone with it.
        execute(call, {CallAction::startAskTimer(call.machine->askTimerSecs())});
        m_decisionPoll.start();
        if (requested)
            decide(call.callId, choiceOf(requested->payload), requested->actor);
    }
}

} // namespace kt
