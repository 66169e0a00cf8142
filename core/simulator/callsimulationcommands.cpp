// SPDX-License-Identifier: GPL-3.0-or-later
#include "callsimulation.h"
#include "callsimulationdetail.h"

#include "telnyx/telnyxerror.h"
#include "telnyx/telnyxtime.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTimer>
#include <QUuid>

#include <chrono>

namespace kt {
using namespace simulationdetail;

namespace {

QString randomToken(int length)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    QString text;
    for (int i = 0; i < length; ++i)
        text += QLatin1Char(alphabet[QRandomGenerator::global()->bounded(62)]);
    return text;
}

} // namespace

CommandOutcome CallSimulation::handleCommand(const QString &callControlId, const QString &command,
                                             const QJsonObject &body)
{
    SimulatedCall *call = find(callControlId);
    if (!call) {
        if (m_behaviour.unknownCallStatus == 404)
            return failure(TelnyxError::notFound(), 404);
        return failure(TelnyxError::invalidCallControlId());
    }
    const auto handler = handlers().find(command);
    if (handler == handlers().end())
        return failure(TelnyxError::notFound(), 404);

    // command_id: the same id on the same call within the window is ignored (docs/telnyx-api.md
    // §7.8).
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (auto it = call->commandIds.begin(); it != call->commandIds.end();) {
        if (it.value().secsTo(now) > m_behaviour.commandIdWindowSecs)
            it = call->commandIds.erase(it);
        else
            ++it;
    }
    const QString commandId = body.value(QLatin1String("command_id")).toString();
    if (!commandId.isEmpty() && call->commandIds.contains(commandId))
        return {200, QByteArrayLiteral("{\"data\":{\"result\":\"ok\"}}")};

    if (!call->isActive())
        return failure(TelnyxError::callEnded());

    const CommandOutcome outcome = (this->*(handler->second))(*call, body);
    if (outcome.status == 200 && !commandId.isEmpty()) {
        if (SimulatedCall *still = find(callControlId))
            still->commandIds.insert(commandId, now);
    }
    return outcome;
}

CommandOutcome CallSimulation::accept(SimulatedCall &call, const QJsonObject &body,
                                      QJsonObject data)
{
    // docs/telnyx-api.md §7.9: client_state replaces the stored state for every later webhook of
    // this leg.
    const QJsonValue state = body.value(QLatin1String("client_state"));
    if (state.isString())
        call.clientState = state.toString();
    data.insert(QStringLiteral("result"), QStringLiteral("ok"));
    return {
        200,
        QJsonDocument(QJsonObject{{QStringLiteral("data"), data}}).toJson(QJsonDocument::Compact)};
}

// ---- commands -----------------------------------------------------------------------------------

CommandOutcome CallSimulation::answer(SimulatedCall &call, const QJsonObject &body)
{
    QJsonObject data;
    if (body.value(QLatin1String("record")).toString() == QLatin1String("record-from-answer"))
        data.insert(QStringLiteral("recording_id"), uuid());
    const bool wasWaiting =
        call.state == SimulatedCall::State::Parked || call.state == SimulatedCall::State::Ringing;
    CommandOutcome outcome = accept(call, body, data);
    if (wasWaiting) {
        call.state = SimulatedCall::State::Answered;
        call.everAnswered = true;
        queueEvent(call, kCallAnswered,
                   {{QStringLiteral("calling_party_type"), QStringLiteral("pstn")},
                    {QStringLiteral("codec"), QStringLiteral("PCMU")},
                    {QStringLiteral("custom_headers"), QJsonArray()},
                    {QStringLiteral("from"), call.from},
                    {QStringLiteral("sampling_rate"), 8000},
                    {QStringLiteral("sip_headers"), QJsonArray()},
                    {QStringLiteral("start_time"), call.startTime},
                    {QStringLiteral("tags"), QJsonArray::fromStringList(call.options.tags)},
                    {QStringLiteral("to"), call.to}});
        detectDeepfake(call, body);
    }
    return outcome;
}

CommandOutcome CallSimulation::reject(SimulatedCall &call, const QJsonObject &body)
{
    const QJsonValue cause = body.value(QLatin1String("cause"));
    if (isBlankString(cause))
        return failure(TelnyxError::missingParameter(QStringLiteral("cause")));
    QString hangupCause;
    QString sipCause;
    if (cause.toString() == QLatin1String("CALL_REJECTED")) {
        hangupCause = QStringLiteral("call_rejected");
        sipCause = QStringLiteral("603");
    } else if (cause.toString() == QLatin1String("USER_BUSY")) {
        hangupCause = QStringLiteral("user_busy");
        sipCause = QStringLiteral("486");
    } else {
        return failure(
            TelnyxError::invalidEnum(QStringLiteral("cause"), {QStringLiteral("CALL_REJECTED"),
                                                               QStringLiteral("USER_BUSY")}));
    }
    CommandOutcome outcome = accept(call, body);
    hangUp(call, hangupCause, m_behaviour.rejectHangupSource, sipCause);
    return outcome;
}

CommandOutcome CallSimulation::hangup(SimulatedCall &call, const QJsonObject &body)
{
    CommandOutcome outcome = accept(call, body);
    hangUp(call, QStringLiteral("normal_clearing"), QStringLiteral("callee"),
           QStringLiteral("200"));
    return outcome;
}

CommandOutcome CallSimulation::speak(SimulatedCall &call, const QJsonObject &body)
{
    if (isBlankString(body.value(QLatin1String("payload"))))
        return failure(TelnyxError::missingParameter(QStringLiteral("payload")));
    if (isBlankString(body.value(QLatin1String("voice"))))
        return failure(TelnyxError::missingParameter(QStringLiteral("voice")));
    if (body.value(QLatin1String("payload")).toString().size() > 3000)
        return failure(TelnyxError::outOfRange(QStringLiteral("payload"), 1, 3000));
    if (!call.isAnswered())
        return failure(TelnyxError::callNotAnswered());
    CommandOutcome outcome = accept(call, body);
    call.mediaQueue.append(SimulatedCall::Media{false, randomToken(10)});
    startMedia(call);
    return outcome;
}

CommandOutcome CallSimulation::gatherUsingSpeak(SimulatedCall &call, const QJsonObject &body)
{
    if (isBlankString(body.value(QLatin1String("payload"))))
        return failure(TelnyxError::missingParameter(QStringLiteral("payload")));
    if (isBlankString(body.value(QLatin1String("voice"))))
        return failure(TelnyxError::missingParameter(QStringLiteral("voice")));
    return gather(call, body);
}

CommandOutcome CallSimulation::gather(SimulatedCall &call, const QJsonObject &body)
{
    for (const char *field : {"minimum_digits", "maximum_digits"}) {
        if (const auto error = checkRange(body, field, 1, 128))
            return failure(*error);
    }
    if (!call.isAnswered())
        return failure(TelnyxError::callNotAnswered());
    CommandOutcome outcome = accept(call, body);
    SimulatedCall::Media media;
    media.gather = true;
    media.minimumDigits = body.value(QLatin1String("minimum_digits")).toInt(1);
    media.maximumDigits = body.value(QLatin1String("maximum_digits")).toInt(128);
    if (body.value(QLatin1String("terminating_digit")).isString())
        media.terminatingDigit = body.value(QLatin1String("terminating_digit")).toString();
    call.mediaQueue.append(media);
    startMedia(call);
    return outcome;
}

CommandOutcome CallSimulation::transfer(SimulatedCall &call, const QJsonObject &body)
{
    const QJsonValue to = body.value(QLatin1String("to"));
    if (isBlankString(to))
        return failure(TelnyxError::missingParameter(QStringLiteral("to")));
    static const QRegularExpression e164(QStringLiteral(R"(^\+[1-9]\d{1,14}(,.*)?$)"));
    if (!to.toString().startsWith(QLatin1String("sip:")) && !e164.match(to.toString()).hasMatch())
        return failure(TelnyxError::notE164(QStringLiteral("to")));
    if (const auto error = checkRange(body, "timeout_secs", 5, 600))
        return failure(*error);
    if (body.value(QLatin1String("from_display_name")).toString().size() > 128)
        return failure(TelnyxError::outOfRange(QStringLiteral("from_display_name"), 1, 128));

    CommandOutcome outcome = accept(call, body);
    auto leg = std::make_unique<SimulatedCall>();
    leg->callControlId = newCallControlId();
    leg->callLegId = uuid();
    leg->callSessionId = call.callSessionId;
    leg->connectionId = call.connectionId;
    leg->direction = QStringLiteral("outgoing");
    leg->from = body.value(QLatin1String("from")).toString(call.to);
    leg->to = to.toString();
    leg->callerIdName = body.value(QLatin1String("from_display_name")).toString(leg->from);
    const QJsonValue targetState = body.value(QLatin1String("target_leg_client_state"));
    if (targetState.isString() && !targetState.toString().isEmpty())
        leg->clientState = targetState.toString();
    leg->state = SimulatedCall::State::Ringing;
    leg->transferParent = call.callControlId;
    SimulatedCall &b = addCall(std::move(leg));
    call.pendingTransferLeg = b.callControlId;

    queueEvent(b, kCallInitiated,
               {{QStringLiteral("caller_id_name"), b.callerIdName},
                {QStringLiteral("custom_headers"), QJsonArray()},
                {QStringLiteral("direction"), b.direction},
                {QStringLiteral("from"), b.from},
                {QStringLiteral("sip_headers"), QJsonArray()},
                {QStringLiteral("state"), QStringLiteral("bridging")},
                {QStringLiteral("tags"), QJsonArray()},
                {QStringLiteral("to"), b.to}});
    emit callStarted(b.callControlId);

    if (m_behaviour.transferAnswers) {
        later(m_behaviour.transferAnswerDelayMs, b.callControlId,
              [this](SimulatedCall &legB) { answerTransfer(legB.callControlId); });
    } else {
        const int timeout = m_behaviour.transferTimeoutMs >= 0
                                ? m_behaviour.transferTimeoutMs
                                : body.value(QLatin1String("timeout_secs")).toInt(30) * 1000;
        later(timeout, b.callControlId,
              [this](SimulatedCall &legB) { timeOutTransfer(legB.callControlId); });
    }
    return outcome;
}

void CallSimulation::answerTransfer(const QString &legB)
{
    SimulatedCall *b = find(legB);
    SimulatedCall *a = b ? find(b->transferParent) : nullptr;
    if (!b || !a || !a->isActive() || b->state != SimulatedCall::State::Ringing)
        return;
    a->pendingTransferLeg.clear();
    b->everAnswered = true;
    queueEvent(*b, kCallAnswered,
               {{QStringLiteral("custom_headers"), QJsonArray()},
                {QStringLiteral("from"), b->from},
                {QStringLiteral("sip_headers"), QJsonArray()},
                {QStringLiteral("start_time"), b->startTime},
                {QStringLiteral("tags"), QJsonArray()},
                {QStringLiteral("to"), b->to}});
    a->state = SimulatedCall::State::Bridged;
    a->everAnswered = true;
    b->state = SimulatedCall::State::Bridged;
    a->bridgedWith = b->callControlId;
    b->bridgedWith = a->callControlId;
    queueEvent(*a, kCallBridged,
               {{QStringLiteral("from"), a->from}, {QStringLiteral("to"), a->to}});
    queueEvent(*b, kCallBridged,
               {{QStringLiteral("from"), b->from}, {QStringLiteral("to"), b->to}});
}

void CallSimulation::timeOutTransfer(const QString &legB)
{
    SimulatedCall *b = find(legB);
    if (!b || b->state != SimulatedCall::State::Ringing)
        return;
    if (SimulatedCall *a = find(b->transferParent))
        a->pendingTransferLeg.clear();
    // docs/telnyx-api.md §4.3: leg B gets call.hangup with hangup_cause timeout; leg A stays as it
    // was.
    hangUp(*b, QStringLiteral("timeout"), QStringLiteral("caller"), QStringLiteral("487"));
}

CommandOutcome CallSimulation::bridge(SimulatedCall &call, const QJsonObject &body)
{
    const QJsonValue otherId = body.value(QLatin1String("call_control_id"));
    if (isBlankString(otherId))
        return failure(TelnyxError::missingParameter(QStringLiteral("call_control_id")));
    SimulatedCall *other = find(otherId.toString());
    if (!other || other == &call)
        return failure(TelnyxError::invalidCallControlId());
    if (!other->isActive())
        return failure(TelnyxError::callEnded());
    CommandOutcome outcome = accept(call, body);
    call.parkAfterUnbridge =
        body.value(QLatin1String("park_after_unbridge")).toString() == QLatin1String("self");
    for (SimulatedCall *leg : {&call, other}) {
        leg->state = SimulatedCall::State::Bridged;
        leg->everAnswered = true;
    }
    call.bridgedWith = other->callControlId;
    other->bridgedWith = call.callControlId;
    queueEvent(call, kCallBridged,
               {{QStringLiteral("from"), call.from}, {QStringLiteral("to"), call.to}});
    queueEvent(*other, kCallBridged,
               {{QStringLiteral("from"), other->from}, {QStringLiteral("to"), other->to}});
    return outcome;
}

CommandOutcome CallSimulation::playbackStart(SimulatedCall &call, const QJsonObject &body)
{
    const QString url = body.value(QLatin1String("audio_url")).toString();
    const QString name = body.value(QLatin1String("media_name")).toString();
    if (url.isEmpty() && name.isEmpty() &&
        isBlankString(body.value(QLatin1String("playback_content"))))
        return failure(TelnyxError::missingParameter(QStringLiteral("audio_url")));
    if (!call.isAnswered())
        return failure(TelnyxError::callNotAnswered());
    CommandOutcome outcome = accept(call, body);
    QJsonObject fields{{QStringLiteral("overlay"), body.value(QLatin1String("overlay")).toBool()}};
    if (!url.isEmpty())
        fields.insert(QStringLiteral("media_url"), url);
    if (!name.isEmpty())
        fields.insert(QStringLiteral("media_name"), name);
    queueEvent(call, QStringLiteral("call.playback.started"), fields);
    later(m_behaviour.speakDurationMs, call.callControlId, [this, fields](SimulatedCall &c) {
        QJsonObject ended = fields;
        ended.insert(QStringLiteral("status"), QStringLiteral("completed"));
        queueEvent(c, QStringLiteral("call.playback.ended"), ended);
    });
    return outcome;
}

CommandOutcome CallSimulation::recordStart(SimulatedCall &call, const QJsonObject &body)
{
    for (const char *field : {"format", "channels"}) {
        if (isBlankString(body.value(QLatin1String(field))))
            return failure(TelnyxError::missingParameter(QLatin1String(field)));
    }
    const QString format = body.value(QLatin1String("format")).toString();
    if (format != QLatin1String("wav") && format != QLatin1String("mp3"))
        return failure(TelnyxError::invalidEnum(QStringLiteral("format"),
                                                {QStringLiteral("mp3"), QStringLiteral("wav")}));
    const QString channels = body.value(QLatin1String("channels")).toString();
    if (channels != QLatin1String("single") && channels != QLatin1String("dual"))
        return failure(TelnyxError::invalidEnum(
            QStringLiteral("channels"), {QStringLiteral("dual"), QStringLiteral("single")}));
    if (const auto error = checkRange(body, "max_length", 0, 14400))
        return failure(*error);
    if (!call.isAnswered())
        return failure(TelnyxError::callNotAnswered());
    CommandOutcome outcome = accept(call, body);
    if (call.recording.active)
        return outcome;
    call.recording.active = true;
    call.recording.format = format;
    call.recording.transcription = body.value(QLatin1String("transcription")).toBool();
    call.recording.startedAt = QDateTime::currentDateTimeUtc();
    // The caller leaves the message and hangs up; or keeps talking until max_length.
    if (call.options.voicemailSpeaksMs > 0)
        later(call.options.voicemailSpeaksMs, call.callControlId,
              [this](SimulatedCall &c) { remoteHangsUp(c.callControlId); });
    const int maxLength = body.value(QLatin1String("max_length")).toInt(0);
    const int limitMs = m_behaviour.maxLengthMs >= 0 ? m_behaviour.maxLengthMs : maxLength * 1000;
    if (limitMs > 0)
        later(limitMs, call.callControlId, [this](SimulatedCall &c) { stopRecording(c); });
    return outcome;
}

void CallSimulation::stopRecording(SimulatedCall &call)
{
    if (!call.recording.active)
        return;
    call.recording.active = false;
    FinishedRecording r;
    r.callControlId = call.callControlId;
    r.callLegId = call.callLegId;
    r.callSessionId = call.callSessionId;
    r.from = call.from;
    r.to = call.to;
    r.format = call.recording.format;
    r.transcription = call.recording.transcription;
    r.words = call.options.voicemailWords.isEmpty()
                  ? QStringLiteral("Hi, it's about the parcel you ordered. It could not be "
                                   "delivered today. Please call me back on this number. Thanks.")
                  : call.options.voicemailWords;
    r.startedAt = call.recording.startedAt;
    r.endedAt = QDateTime::currentDateTimeUtc();
    emit recordingFinished(r);
}

CommandOutcome CallSimulation::clientStateUpdate(SimulatedCall &call, const QJsonObject &body)
{
    if (isBlankString(body.value(QLatin1String("client_state"))))
        return failure(TelnyxError::missingParameter(QStringLiteral("client_state")));
    return accept(call, body);
}

} // namespace kt
