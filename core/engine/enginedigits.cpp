// SPDX-License-Identifier: GPL-3.0-or-later
// Engine: the digits a caller keys in. A PIN try checked against the registration's hash (with
// its lock-out), and a self-registration's call-in code; each recorded, never in clear.
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

namespace kt {
using namespace enginedetail;

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

} // namespace kt
