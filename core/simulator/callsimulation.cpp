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

// Now, as Telnyx writes it: UTC with microseconds.
QString timestamp()
{
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    return formatTelnyxTime(QDateTime::fromMSecsSinceEpoch(us / 1000, Qt::UTC), int(us % 1000000));
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
