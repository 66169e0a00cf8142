// SPDX-License-Identifier: GPL-3.0-or-later
// Engine: a screened call. The silence timer that re-prompts a caller who says nothing, and the
// events that record the words heard and the deepfake hint as they change.
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
    if (!call)
        return;
    std::optional<Step> step;
    if (m_shared) { // another instance may have heard the caller: look under the chain lock
        step.emplace(*this);
        syncCall(*call);
    }
    if (!call->machine->silenceTimerWanted())
        return;
    if (!step)
        step.emplace(*this);
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

} // namespace kt
