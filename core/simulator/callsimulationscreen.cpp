// SPDX-License-Identifier: GPL-3.0-or-later
// The simulator's side of a screened call (docs/telnyx-conversation.md §1-3, §6): answer with
// deepfake_detection, transcription_start / _stop with Telnyx's 422 rules (90034 before the
// answer, 90054 the second time), the caller's words as call.transcription interim and final
// results after the greeting, gather_using_ai and its partial results and end, gather_stop.
#include "callsimulation.h"
#include "callsimulationdetail.h"

#include "telnyx/telnyxerror.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace kt {
using namespace simulationdetail;

namespace {

const QString kTranscription = QStringLiteral("call.transcription");
const QString kDeepfake = QStringLiteral("call.deepfake_detection.result");
const QString kAiPartial = QStringLiteral("call.ai_gather.partial_results");
const QString kAiEnded = QStringLiteral("call.ai_gather.ended");

QJsonObject transcriptionData(const QString &words, bool final)
{
    return {{QStringLiteral("transcription_data"),
             QJsonObject{{QStringLiteral("transcript"), words},
                         {QStringLiteral("is_final"), final},
                         {QStringLiteral("confidence"), final ? 0.93 : 0.71}}}};
}

} // namespace

void CallSimulation::detectDeepfake(SimulatedCall &call, const QJsonObject &answerBody)
{
    const QJsonObject deepfake = answerBody.value(QLatin1String("deepfake_detection")).toObject();
    if (!deepfake.value(QLatin1String("enabled")).toBool())
        return;
    later(call.options.deepfakeAfterMs, call.callControlId, [this](SimulatedCall &c) {
        const bool silent = c.options.screenWords.isEmpty();
        QJsonObject fields{{QStringLiteral("result"),
                            silent ? QStringLiteral("silence_timeout") : c.options.deepfakeResult}};
        if (!silent) {
            fields.insert(QStringLiteral("score"), c.options.deepfakeScore);
            fields.insert(QStringLiteral("consistency"), 94.5);
        }
        queueEvent(c, kDeepfake, fields);
    });
}

CommandOutcome CallSimulation::transcriptionStart(SimulatedCall &call, const QJsonObject &body)
{
    static const QStringList engines = {QStringLiteral("Google"),   QStringLiteral("Telnyx"),
                                        QStringLiteral("Deepgram"), QStringLiteral("Azure"),
                                        QStringLiteral("A"),        QStringLiteral("B")};
    const QJsonValue engine = body.value(QLatin1String("transcription_engine"));
    if (!engine.isUndefined() && !engines.contains(engine.toString()))
        return failure(TelnyxError::invalidEnum(QStringLiteral("transcription_engine"), engines));
    const QString engineName = engine.isUndefined() ? QStringLiteral("Google") : engine.toString();
    const QJsonObject config = body.value(QLatin1String("transcription_engine_config")).toObject();
    if (engineName == QLatin1String("Deepgram") &&
        config.value(QLatin1String("transcription_model")).toString().isEmpty())
        return failure(TelnyxError::missingParameter(
            QStringLiteral("transcription_engine_config.transcription_model")));
    const QJsonValue tracks = body.value(QLatin1String("transcription_tracks"));
    if (!tracks.isUndefined() && tracks != QJsonValue(QStringLiteral("inbound")) &&
        tracks != QJsonValue(QStringLiteral("outbound")) &&
        tracks != QJsonValue(QStringLiteral("both")))
        return failure(TelnyxError::invalidEnum(
            QStringLiteral("transcription_tracks"),
            {QStringLiteral("inbound"), QStringLiteral("outbound"), QStringLiteral("both")}));
    if (!call.isAnswered())
        return failure(TelnyxError::callNotAnswered());
    if (call.transcriptionStarted)
        return failure(TelnyxError::transcriptionStartedTwice());
    CommandOutcome outcome = accept(call, body);
    call.transcriptionStarted = true;
    call.transcribing = true;
    // The Telnyx engine has no interim results.
    call.interimResults = engineName != QLatin1String("Telnyx") &&
                          engineName != QLatin1String("B") &&
                          config.value(QLatin1String("interim_results")).toBool();
    // The greeting may have ended before the transcription started (the commands race): the
    // caller talks now, and is heard.
    if (call.greetingHeard)
        callerHeardGreeting(call);
    return outcome;
}

CommandOutcome CallSimulation::transcriptionStop(SimulatedCall &call, const QJsonObject &body)
{
    if (!call.isAnswered())
        return failure(TelnyxError::callNotAnswered());
    CommandOutcome outcome = accept(call, body);
    call.transcribing = false;
    return outcome;
}

CommandOutcome CallSimulation::gatherUsingAi(SimulatedCall &call, const QJsonObject &body)
{
    if (!body.value(QLatin1String("parameters")).isObject())
        return failure(TelnyxError::missingParameter(QStringLiteral("parameters")));
    if (!call.isAnswered())
        return failure(TelnyxError::callNotAnswered());
    CommandOutcome outcome = accept(call, body);
    call.aiGathering = true;
    // The assistant speaks its greeting, then listens.
    later(m_behaviour.speakDurationMs, call.callControlId,
          [this](SimulatedCall &c) { callerHeardGreeting(c); });
    return outcome;
}

CommandOutcome CallSimulation::gatherStop(SimulatedCall &call, const QJsonObject &body)
{
    if (!call.isAnswered())
        return failure(TelnyxError::callNotAnswered());
    CommandOutcome outcome = accept(call, body);
    call.aiGathering = false;
    return outcome;
}

void CallSimulation::callerHeardGreeting(SimulatedCall &call)
{
    call.greetingHeard = true;
    if (call.callerSpeaking || (!call.transcribing && !call.aiGathering))
        return;
    if (call.options.screenWords.isEmpty()) {
        if (call.aiGathering) {
            // Nobody answers the assistant: it gives up (user_response_timeout_ms).
            later(m_behaviour.speakDurationMs * 2, call.callControlId, [this](SimulatedCall &c) {
                if (!c.aiGathering)
                    return;
                c.aiGathering = false;
                queueEvent(c, kAiEnded,
                           {{QStringLiteral("from"), c.from},
                            {QStringLiteral("to"), c.to},
                            {QStringLiteral("message_history"), QJsonArray()},
                            {QStringLiteral("result"), QJsonObject()},
                            {QStringLiteral("status"), QStringLiteral("invalid")}});
            });
        }
        return;
    }
    call.callerSpeaking = true;
    const int step = qMax(1, call.options.screenWordMs);
    int at = qMax(0, call.options.screenStartsAfterMs);
    if (call.aiGathering) {
        // A turn at a time: each sentence is a user message; the fields come with the last.
        QJsonArray history;
        const QStringList said = call.options.screenWords;
        for (int i = 0; i < said.size(); ++i) {
            at += step * int(said.at(i).split(QLatin1Char(' ')).size());
            history.append(QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
                                       {QStringLiteral("content"), said.at(i)}});
            const bool last = i == said.size() - 1;
            const QJsonObject fields{{QStringLiteral("caller_name"), call.options.screenName},
                                     {QStringLiteral("reason"), call.options.screenReason}};
            later(at, call.callControlId, [this, history, fields, last](SimulatedCall &c) {
                if (!c.aiGathering)
                    return;
                QJsonObject payload{{QStringLiteral("from"), c.from},
                                    {QStringLiteral("to"), c.to},
                                    {QStringLiteral("message_history"), history}};
                if (!last) {
                    payload.insert(QStringLiteral("partial_results"),
                                   QJsonObject{{QStringLiteral("caller_name"),
                                                fields.value(QStringLiteral("caller_name"))}});
                    queueEvent(c, kAiPartial, payload);
                    return;
                }
                c.aiGathering = false;
                payload.insert(QStringLiteral("result"), fields);
                payload.insert(QStringLiteral("status"), QStringLiteral("valid"));
                queueEvent(c, kAiEnded, payload);
            });
        }
        return;
    }
    // Transcription: per sentence, the words so far as interim results, then the final one.
    for (const QString &sentence : call.options.screenWords) {
        const QStringList words = sentence.split(QLatin1Char(' '), Qt::SkipEmptyParts);
        for (int n = 1; n < words.size(); ++n) {
            at += step;
            const QString partial = words.mid(0, n).join(QLatin1Char(' '));
            later(at, call.callControlId, [this, partial](SimulatedCall &c) {
                if (c.transcribing && c.interimResults)
                    queueEvent(c, kTranscription, transcriptionData(partial, false));
            });
        }
        at += step;
        later(at, call.callControlId, [this, sentence](SimulatedCall &c) {
            if (c.transcribing)
                queueEvent(c, kTranscription, transcriptionData(sentence, true));
        });
        at += step * 2; // a breath between sentences
    }
}

} // namespace kt
