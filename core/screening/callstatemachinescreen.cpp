// SPDX-License-Identifier: GPL-3.0-or-later
#include "callstatemachine.h"

#include "callsteps.h"

#include <QJsonArray>

namespace kt {

using namespace callsteps;

bool CallStateMachine::screening() const
{
    return askPending() && m_decision->action == Decision::AnswerAndScreen;
}

int CallStateMachine::askTimerSecs() const
{
    return m_screened ? m_config.screenTimeoutSecs : m_config.askTimeoutSecs;
}

bool CallStateMachine::silenceTimerWanted() const
{
    return screening() && !finished() && m_screenSpeakEnded && m_transcript.isEmpty() &&
           !issued(StepSpeakScreenReprompt) && m_screenEngineUsed != QLatin1String("ai");
}

QJsonObject CallStateMachine::screenSpeak(const QString &message) const
{
    QJsonObject params;
    params.insert(QStringLiteral("payload"), message.left(MaxSpeakPayload));
    params.insert(QStringLiteral("voice"), m_config.voice);
    if (!m_config.language.isEmpty())
        params.insert(QStringLiteral("language"), m_config.language);
    return params;
}

int CallStateMachine::screenSpeaksIssued() const
{
    return int(issued(StepSpeakScreenGreeting)) + int(issued(StepSpeakScreenReprompt));
}

void CallStateMachine::listen(CallActions &out)
{
    if (m_config.screenEngine == QLatin1String("ai") && !m_aiFailed) {
        // One AI gather asks, listens and re-asks by itself (user_response_timeout_ms); its
        // result is the caller's name and reason (docs/telnyx-conversation.md §3).
        m_screenEngineUsed = QStringLiteral("ai");
        const QJsonObject string{{QStringLiteral("type"), QStringLiteral("string")}};
        QJsonObject name = string;
        name.insert(QStringLiteral("description"), QStringLiteral("The caller's name"));
        QJsonObject reason = string;
        reason.insert(QStringLiteral("description"), QStringLiteral("Why they are calling"));
        QJsonObject params;
        params.insert(QStringLiteral("greeting"), m_config.screenGreeting.left(MaxSpeakPayload));
        params.insert(
            QStringLiteral("parameters"),
            QJsonObject{
                {QStringLiteral("type"), QStringLiteral("object")},
                {QStringLiteral("properties"), QJsonObject{{QStringLiteral("caller_name"), name},
                                                           {QStringLiteral("reason"), reason}}},
                {QStringLiteral("required"),
                 QJsonArray{QStringLiteral("caller_name"), QStringLiteral("reason")}}});
        if (!m_config.language.isEmpty())
            params.insert(QStringLiteral("language"), m_config.language);
        params.insert(QStringLiteral("send_partial_results"), true);
        params.insert(QStringLiteral("send_message_history_updates"), true);
        params.insert(QStringLiteral("user_response_timeout_ms"),
                      qBound(1, m_config.screenSilenceSecs, 60) * 1000);
        issue(out, StepGatherAi, QStringLiteral("gather_using_ai"), params);
        return;
    }
    if (!issued(StepTranscriptionStart)) {
        // Nested engine settings (docs/telnyx-conversation.md §2); interim results so that the
        // owner reads the words as they are spoken; only the caller's side (inbound).
        const bool deepgram = m_config.screenEngine == QLatin1String("deepgram");
        m_screenEngineUsed = deepgram ? QStringLiteral("deepgram") : QStringLiteral("google");
        QJsonObject engine{{QStringLiteral("interim_results"), true}};
        if (!m_config.language.isEmpty())
            engine.insert(QStringLiteral("language"), m_config.language);
        if (deepgram)
            engine.insert(QStringLiteral("transcription_model"), QStringLiteral("deepgram/nova-3"));
        else
            engine.insert(QStringLiteral("model"), QStringLiteral("phone_call"));
        QJsonObject params;
        params.insert(QStringLiteral("transcription_engine"),
                      deepgram ? QStringLiteral("Deepgram") : QStringLiteral("Google"));
        params.insert(QStringLiteral("transcription_engine_config"), engine);
        params.insert(QStringLiteral("transcription_tracks"), QStringLiteral("inbound"));
        issue(out, StepTranscriptionStart, QStringLiteral("transcription_start"), params);
    }
    if (!issued(StepSpeakScreenGreeting)) {
        issue(out, StepSpeakScreenGreeting, QStringLiteral("speak"),
              screenSpeak(m_config.screenGreeting));
        return;
    }
    if (!m_screenSpeakEnded || !m_transcript.isEmpty() || issued(StepSpeakScreenReprompt))
        return;
    if (!m_silenceTimerStarted) {
        m_silenceTimerStarted = true;
        out.append(CallAction::startSilenceTimer(qBound(1, m_config.screenSilenceSecs, 60)));
    } else if (m_silenceElapsed) {
        issue(out, StepSpeakScreenReprompt, QStringLiteral("speak"),
              screenSpeak(m_config.screenReprompt));
    }
}

void CallStateMachine::stopListening(CallActions &out)
{
    // The owner has decided: the caller's words are no longer wanted.
    if (issued(StepTranscriptionStart))
        issue(out, StepTranscriptionStop, QStringLiteral("transcription_stop"), QJsonObject());
    if (issued(StepGatherAi))
        issue(out, StepGatherStop, QStringLiteral("gather_stop"), QJsonObject());
}

void CallStateMachine::onScreenWebhook(const QString &eventType, const CallPayload &p)
{
    if (eventType == EvDeepfake) {
        // A hint for the owner, never a decision by itself (docs/telnyx-conversation.md §6).
        m_deepfakeResult = ScreenTranscript::clean(p.result, 32);
        m_deepfakeScore = p.score >= 0 && p.score <= 1 ? p.score : -1;
        return;
    }
    if (!screening()) {
        note(QStringLiteral("late_transcription"));
        return;
    }
    if (eventType == EvTranscription) {
        switch (m_transcript.add(p.transcript, p.transcriptFinal)) {
        case ScreenTranscript::Change::Duplicate:
            note(QStringLiteral("duplicate_transcription"));
            break;
        case ScreenTranscript::Change::Stale:
            note(QStringLiteral("stale_transcription"));
            break;
        case ScreenTranscript::Change::Full:
            note(QStringLiteral("transcript_full"));
            break;
        default:
            break;
        }
        return;
    }
    // call.ai_gather.*: the caller's turns so far (each a final utterance), and the fields.
    for (qsizetype i = m_transcript.utterances().size(); i < p.userMessages.size(); ++i)
        m_transcript.add(p.userMessages.at(i), true);
    m_transcript.setFields(p.resultObject.value(QLatin1String("caller_name")).toString(),
                           p.resultObject.value(QLatin1String("reason")).toString());
    if (eventType == QLatin1String("call.ai_gather.ended"))
        m_screenSpeakEnded = true;
}

CallActions CallStateMachine::onScreenSilence()
{
    if (!silenceTimerWanted() || !m_silenceTimerStarted)
        return CallActions();
    m_silenceElapsed = true;
    return pump();
}

} // namespace kt
