// SPDX-License-Identifier: GPL-3.0-or-later
#include "callsimulation.h"

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

namespace {

const QString kCallInitiated = QStringLiteral("call.initiated");
const QString kCallAnswered = QStringLiteral("call.answered");
const QString kCallHangup = QStringLiteral("call.hangup");
const QString kCallBridged = QStringLiteral("call.bridged");
const QString kSpeakStarted = QStringLiteral("call.speak.started");
const QString kSpeakEnded = QStringLiteral("call.speak.ended");
const QString kDtmfReceived = QStringLiteral("call.dtmf.received");
const QString kGatherEnded = QStringLiteral("call.gather.ended");

QString uuid()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

// Now, as Telnyx writes it: UTC with microseconds.
QString timestamp()
{
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    return formatTelnyxTime(QDateTime::fromMSecsSinceEpoch(us / 1000, Qt::UTC), int(us % 1000000));
}

QString randomToken(int length)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    QString text;
    for (int i = 0; i < length; ++i)
        text += QLatin1Char(alphabet[QRandomGenerator::global()->bounded(62)]);
    return text;
}

CommandOutcome failure(const TelnyxError &error, int status = 422)
{
    return {status, error.body()};
}

bool isBlankString(const QJsonValue &value)
{
    return !value.isString() || value.toString().trimmed().isEmpty();
}

std::optional<TelnyxError> checkRange(const QJsonObject &body, const char *field, int min, int max)
{
    const QJsonValue value = body.value(QLatin1String(field));
    if (value.isUndefined() || value.isNull())
        return std::nullopt;
    const double number = value.toDouble(-1e18);
    if (!value.isDouble() || number < min || number > max)
        return TelnyxError::outOfRange(QLatin1String(field), min, max);
    return std::nullopt;
}

QJsonObject qualityStats()
{
    return {{QStringLiteral("inbound"),
             QJsonObject{{QStringLiteral("jitter_max_variance"), QStringLiteral("2.74")},
                         {QStringLiteral("jitter_packet_count"), QStringLiteral("0")},
                         {QStringLiteral("mos"), QStringLiteral("4.50")},
                         {QStringLiteral("packet_count"), QStringLiteral("591")},
                         {QStringLiteral("skip_packet_count"), QStringLiteral("9")}}},
            {QStringLiteral("outbound"),
             QJsonObject{{QStringLiteral("packet_count"), QStringLiteral("588")},
                         {QStringLiteral("skip_packet_count"), QStringLiteral("0")}}}};
}

QString sipUri(const QString &number)
{
    return QStringLiteral("sip:%1@192.0.2.10").arg(number);
}

} // namespace

CallSimulation::CallSimulation(QObject *parent) : QObject(parent) {}

CallSimulation::~CallSimulation() = default;

const std::map<QString, CallSimulation::Handler> &CallSimulation::handlers()
{
    static const std::map<QString, Handler> table{
        {QStringLiteral("answer"), &CallSimulation::answer},
        {QStringLiteral("reject"), &CallSimulation::reject},
        {QStringLiteral("hangup"), &CallSimulation::hangup},
        {QStringLiteral("speak"), &CallSimulation::speak},
        {QStringLiteral("gather_using_speak"), &CallSimulation::gatherUsingSpeak},
        {QStringLiteral("gather"), &CallSimulation::gather},
        {QStringLiteral("transfer"), &CallSimulation::transfer},
        {QStringLiteral("bridge"), &CallSimulation::bridge},
        {QStringLiteral("playback_start"), &CallSimulation::playbackStart},
        {QStringLiteral("record_start"), &CallSimulation::recordStart},
        {QStringLiteral("client_state_update"), &CallSimulation::clientStateUpdate},
        {QStringLiteral("transcription_start"), &CallSimulation::transcriptionStart},
        {QStringLiteral("transcription_stop"), &CallSimulation::transcriptionStop},
        {QStringLiteral("gather_using_ai"), &CallSimulation::gatherUsingAi},
        {QStringLiteral("gather_stop"), &CallSimulation::gatherStop},
    };
    return table;
}

QString CallSimulation::newCallControlId()
{
    QByteArray bytes(39, Qt::Uninitialized);
    QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(bytes.data()), 9);
    for (int i = 36; i < 39; ++i)
        bytes[i] = char(QRandomGenerator::global()->bounded(256));
    return QStringLiteral("v3:") +
           QString::fromLatin1(
               bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

QString CallSimulation::stateName(SimulatedCall::State state)
{
    switch (state) {
    case SimulatedCall::State::Parked:
        return QStringLiteral("parked");
    case SimulatedCall::State::Ringing:
        return QStringLiteral("ringing");
    case SimulatedCall::State::Answered:
        return QStringLiteral("answered");
    case SimulatedCall::State::Bridged:
        return QStringLiteral("bridged");
    case SimulatedCall::State::HungUp:
        return QStringLiteral("hangup");
    }
    return {};
}

SimulatedCall *CallSimulation::find(const QString &callControlId)
{
    const auto it = m_calls.find(callControlId);
    return it == m_calls.end() ? nullptr : it->second.get();
}

const SimulatedCall *CallSimulation::call(const QString &callControlId) const
{
    const auto it = m_calls.find(callControlId);
    return it == m_calls.end() ? nullptr : it->second.get();
}

SimulatedCall &CallSimulation::addCall(std::unique_ptr<SimulatedCall> call)
{
    // A long demo run forgets its oldest finished calls (they then read as unknown ids).
    for (qsizetype i = 0; m_order.size() >= m_behaviour.maxCalls && i < m_order.size();) {
        const auto it = m_calls.find(m_order.at(i));
        if (it != m_calls.end() && it->second->isActive()) {
            ++i;
            continue;
        }
        if (it != m_calls.end())
            m_calls.erase(it);
        m_order.removeAt(i);
    }
    const QString id = call->callControlId;
    m_order.append(id);
    return *m_calls.emplace(id, std::move(call)).first->second;
}

// ---- events ----------------------------------------------------------------------------------

QJsonObject CallSimulation::basePayload(const SimulatedCall &call) const
{
    return {{QStringLiteral("call_control_id"), call.callControlId},
            {QStringLiteral("call_leg_id"), call.callLegId},
            {QStringLiteral("call_session_id"), call.callSessionId},
            {QStringLiteral("client_state"),
             call.clientState ? QJsonValue(*call.clientState) : QJsonValue(QJsonValue::Null)},
            {QStringLiteral("connection_id"), call.connectionId}};
}

void CallSimulation::queueEvent(SimulatedCall &call, const QString &type, const QJsonObject &fields)
{
    if (!call.isActive())
        return; // docs/telnyx-api.md §7.13: nothing after call.hangup
    QJsonObject payload = basePayload(call);
    for (auto it = fields.begin(); it != fields.end(); ++it)
        payload.insert(it.key(), it.value());
    const QString occurredAt = timestamp();
    if (type == kCallInitiated) {
        call.startTime = occurredAt;
        payload.insert(QStringLiteral("start_time"), occurredAt);
    }
    m_outbox.append({type, payload, occurredAt});
    QTimer::singleShot(std::max(m_behaviour.eventDelayMs, 0), this, &CallSimulation::flushOne);
}

void CallSimulation::flushOne()
{
    // One timer per queued event; popping in order keeps the order of queueEvent().
    if (m_outbox.isEmpty())
        return;
    const OutEvent event = m_outbox.takeFirst();
    emit eventReady(event.type, event.payload, event.occurredAt);
}

void CallSimulation::later(int ms, const QString &callControlId,
                           std::function<void(SimulatedCall &)> work, std::optional<quint64> epoch)
{
    QTimer::singleShot(std::max(ms, 0), this, [this, callControlId, work, epoch] {
        SimulatedCall *call = find(callControlId);
        if (!call || !call->isActive() || (epoch && call->epoch != *epoch))
            return;
        work(*call);
    });
}

// ---- calls from the outside --------------------------------------------------------------------

QString CallSimulation::startInboundCall(const QString &from, const QString &to,
                                         const InboundCallOptions &options)
{
    auto call = std::make_unique<SimulatedCall>();
    call->callControlId = newCallControlId();
    call->callLegId = uuid();
    call->callSessionId = uuid();
    call->connectionId = options.connectionId.isEmpty() ? m_connectionId : options.connectionId;
    call->direction = QStringLiteral("incoming");
    call->from = from;
    call->to = to;
    call->callerIdName = options.callerIdName.isEmpty() ? from : options.callerIdName;
    call->state = SimulatedCall::State::Parked;
    call->options = options;
    SimulatedCall &c = addCall(std::move(call));

    QJsonObject fields{
        {QStringLiteral("caller_id_name"), c.callerIdName},
        {QStringLiteral("connection_codecs"), QStringLiteral("G722,PCMU,PCMA,G729,OPUS,VP8,H264")},
        {QStringLiteral("custom_headers"), options.customHeaders},
        {QStringLiteral("direction"), c.direction},
        {QStringLiteral("from"), from},
        {QStringLiteral("from_sip_uri"), sipUri(from)},
        {QStringLiteral("offered_codecs"), QStringLiteral("PCMU,PCMA,G722")},
        {QStringLiteral("sip_headers"), options.sipHeaders},
        {QStringLiteral("state"), QStringLiteral("parked")},
        {QStringLiteral("tags"), QJsonArray::fromStringList(options.tags)},
        {QStringLiteral("to"), to},
        {QStringLiteral("to_sip_uri"), sipUri(to)},
    };
    if (!options.callingPartyType.isEmpty())
        fields.insert(QStringLiteral("calling_party_type"), options.callingPartyType);
    if (!options.shakenStirAttestation.isEmpty())
        fields.insert(QStringLiteral("shaken_stir_attestation"), options.shakenStirAttestation);
    if (options.shakenStirValidated)
        fields.insert(QStringLiteral("shaken_stir_validated"), *options.shakenStirValidated);
    if (!options.callScreeningResult.isEmpty())
        fields.insert(QStringLiteral("call_screening_result"), options.callScreeningResult);
    queueEvent(c, kCallInitiated, fields);

    if (options.callerGivesUpAfterMs > 0) {
        later(options.callerGivesUpAfterMs, c.callControlId, [this](SimulatedCall &call) {
            if (call.state == SimulatedCall::State::Parked)
                remoteHangsUp(call.callControlId);
        });
    }
    emit callStarted(c.callControlId);
    return c.callControlId;
}

bool CallSimulation::remoteHangsUp(const QString &callControlId)
{
    SimulatedCall *call = find(callControlId);
    if (!call || !call->isActive())
        return false;
    const bool incoming = call->direction == QLatin1String("incoming");
    const QString source = incoming ? QStringLiteral("caller") : QStringLiteral("callee");
    if (call->everAnswered)
        hangUp(*call, QStringLiteral("normal_clearing"), source, QStringLiteral("200"));
    else if (incoming)
        hangUp(*call, QStringLiteral("originator_cancel"), source, QStringLiteral("487"));
    else
        hangUp(*call, QStringLiteral("call_rejected"), source, QStringLiteral("603"));
    return true;
}

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

// ---- media and hangup -------------------------------------------------------------------------

void CallSimulation::startMedia(SimulatedCall &call)
{
    if (call.mediaPlaying || call.mediaQueue.isEmpty() || !call.isActive())
        return;
    call.mediaPlaying = true;
    const SimulatedCall::Media &media = call.mediaQueue.first();
    if (!media.gather)
        queueEvent(call, kSpeakStarted, {{QStringLiteral("speak_id"), media.speakId}});
    const quint64 epoch = call.epoch;
    later(
        m_behaviour.speakDurationMs, call.callControlId,
        [this, epoch](SimulatedCall &c) { finishMedia(c.callControlId, epoch); }, epoch);
}

void CallSimulation::finishMedia(const QString &callControlId, quint64 epoch)
{
    SimulatedCall *call = find(callControlId);
    if (!call || !call->isActive() || call->epoch != epoch || call->mediaQueue.isEmpty())
        return;
    const SimulatedCall::Media media = call->mediaQueue.takeFirst();
    call->mediaPlaying = false;
    if (!media.gather) {
        queueEvent(*call, kSpeakEnded,
                   {{QStringLiteral("speak_id"), media.speakId},
                    {QStringLiteral("status"), QStringLiteral("completed")}});
        callerHeardGreeting(*call);
    } else {
        // The caller's keys: the leg's script, else the behaviour's default. Each key is a
        // call.dtmf.received; the terminating digit ends the entry and is not in `digits`.
        const int index = call->gathersDone++;
        const QString pressed = index < call->options.gatherScript.size()
                                    ? call->options.gatherScript.at(index)
                                    : m_behaviour.gatherDigits;
        QString digits;
        bool terminated = false;
        for (const QChar key : pressed) {
            queueEvent(*call, kDtmfReceived,
                       {{QStringLiteral("digit"), QString(key)},
                        {QStringLiteral("from"), call->from},
                        {QStringLiteral("to"), call->to}});
            if (!media.terminatingDigit.isEmpty() && QString(key) == media.terminatingDigit) {
                terminated = true;
                break;
            }
            digits += key;
        }
        QString status = QStringLiteral("valid");
        if (digits.isEmpty() && !terminated)
            status = QStringLiteral("timeout");
        else if (digits.size() < media.minimumDigits || digits.size() > media.maximumDigits)
            status = QStringLiteral("invalid");
        queueEvent(*call, kGatherEnded,
                   {{QStringLiteral("digits"), digits},
                    {QStringLiteral("from"), call->from},
                    {QStringLiteral("status"), status},
                    {QStringLiteral("to"), call->to}});
    }
    startMedia(*call);
}

void CallSimulation::hangUp(SimulatedCall &call, const QString &cause, const QString &source,
                            const QString &sipCause)
{
    if (!call.isActive())
        return;
    if (call.mediaPlaying && !call.mediaQueue.isEmpty()) {
        // docs/telnyx-api.md §7.12: the interrupted speak ends with call_hangup before call.hangup.
        const SimulatedCall::Media &media = call.mediaQueue.first();
        if (!media.gather) {
            queueEvent(call, kSpeakEnded,
                       {{QStringLiteral("speak_id"), media.speakId},
                        {QStringLiteral("status"), QStringLiteral("call_hangup")}});
        } else {
            queueEvent(call, kGatherEnded,
                       {{QStringLiteral("digits"), QString()},
                        {QStringLiteral("from"), call.from},
                        {QStringLiteral("status"), QStringLiteral("call_hangup")},
                        {QStringLiteral("to"), call.to}});
        }
    }
    call.mediaQueue.clear();
    call.mediaPlaying = false;
    ++call.epoch;

    queueEvent(call, kCallHangup,
               {{QStringLiteral("call_quality_stats"),
                 call.everAnswered ? QJsonValue(qualityStats()) : QJsonValue(QJsonValue::Null)},
                {QStringLiteral("calling_party_type"), QStringLiteral("pstn")},
                {QStringLiteral("custom_headers"), QJsonArray()},
                {QStringLiteral("end_time"), timestamp()},
                {QStringLiteral("from"), call.from},
                {QStringLiteral("hangup_cause"), cause},
                {QStringLiteral("hangup_source"), source},
                {QStringLiteral("sip_hangup_cause"), sipCause},
                {QStringLiteral("sip_headers"), QJsonArray()},
                {QStringLiteral("start_time"), call.startTime},
                {QStringLiteral("state"), QStringLiteral("hangup")},
                {QStringLiteral("tags"), QJsonArray::fromStringList(call.options.tags)},
                {QStringLiteral("telnyx_error"), QJsonValue(QJsonValue::Null)},
                {QStringLiteral("to"), call.to}});
    call.state = SimulatedCall::State::HungUp;
    const QString id = call.callControlId;
    stopRecording(call); // the caller hanging up ends the message
    emit callEnded(id);

    // A ringing transfer leg is cancelled; a bridged partner follows unless parked.
    if (SimulatedCall *b = find(call.pendingTransferLeg); b && b->isActive()) {
        call.pendingTransferLeg.clear();
        hangUp(*b, QStringLiteral("originator_cancel"), QStringLiteral("caller"),
               QStringLiteral("487"));
    }
    if (SimulatedCall *other = find(call.bridgedWith); other && other->isActive()) {
        other->bridgedWith.clear();
        if (other->parkAfterUnbridge)
            other->state = SimulatedCall::State::Answered;
        else
            hangUp(*other, QStringLiteral("normal_clearing"), QStringLiteral("unknown"),
                   QStringLiteral("200"));
    }
}

} // namespace kt
