// SPDX-License-Identifier: GPL-3.0-or-later
#include "webhookevent.h"

#include "telnyxtime.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

namespace kt {
namespace {
QString str(const QJsonObject &o, QLatin1String key)
{
    const QJsonValue v = o.value(key);
    return v.isString() ? v.toString() : QString();
}

void fail(QString *error, const QString &reason)
{
    if (error)
        *error = reason;
}
} // namespace

CallPayload CallPayload::fromJson(const QJsonObject &p)
{
    CallPayload c;
    c.callControlId = str(p, QLatin1String("call_control_id"));
    c.callLegId = str(p, QLatin1String("call_leg_id"));
    c.callSessionId = str(p, QLatin1String("call_session_id"));
    c.connectionId = str(p, QLatin1String("connection_id"));
    c.clientState = str(p, QLatin1String("client_state"));
    c.direction = str(p, QLatin1String("direction"));
    c.from = str(p, QLatin1String("from"));
    c.to = str(p, QLatin1String("to"));
    c.callerIdName = str(p, QLatin1String("caller_id_name"));
    c.state = str(p, QLatin1String("state"));
    c.startTime = str(p, QLatin1String("start_time"));
    c.endTime = str(p, QLatin1String("end_time"));
    c.hangupCause = str(p, QLatin1String("hangup_cause"));
    c.hangupSource = str(p, QLatin1String("hangup_source"));
    c.sipHangupCause = str(p, QLatin1String("sip_hangup_cause"));
    c.speakId = str(p, QLatin1String("speak_id"));
    c.status = str(p, QLatin1String("status"));
    c.digit = str(p, QLatin1String("digit"));
    c.digits = str(p, QLatin1String("digits"));
    c.result = str(p, QLatin1String("result"));
    c.shakenStirAttestation = str(p, QLatin1String("shaken_stir_attestation"));
    const QJsonValue validated = p.value(QLatin1String("shaken_stir_validated"));
    if (validated.isBool())
        c.shakenStirValidated = validated.toBool();
    c.callScreeningResult = str(p, QLatin1String("call_screening_result"));
    c.callingPartyType = str(p, QLatin1String("calling_party_type"));
    const QJsonValue tags = p.value(QLatin1String("tags"));
    if (tags.isArray()) {
        for (const QJsonValue &t : tags.toArray()) {
            if (t.isString())
                c.tags.append(t.toString());
        }
    }
    const QJsonObject transcription = p.value(QLatin1String("transcription_data")).toObject();
    c.transcript = str(transcription, QLatin1String("transcript"));
    const QJsonValue isFinal = transcription.value(QLatin1String("is_final"));
    if (isFinal.isBool())
        c.transcriptFinal = isFinal.toBool();
    const QJsonValue score = p.value(QLatin1String("score"));
    if (score.isDouble())
        c.score = score.toDouble();
    const QJsonValue result = p.value(QLatin1String("result"));
    if (result.isObject())
        c.resultObject = result.toObject();
    else if (p.value(QLatin1String("partial_results")).isObject())
        c.resultObject = p.value(QLatin1String("partial_results")).toObject();
    for (const QJsonValue &m : p.value(QLatin1String("message_history")).toArray()) {
        const QJsonObject turn = m.toObject();
        if (turn.value(QLatin1String("role")).toString() == QLatin1String("user"))
            c.userMessages.append(turn.value(QLatin1String("content")).toString());
    }
    return c;
}

QByteArray CallPayload::decodedClientState() const
{
    auto decoded = QByteArray::fromBase64Encoding(clientState.toLatin1(),
                                                  QByteArray::AbortOnBase64DecodingErrors);
    return decoded ? *decoded : QByteArray();
}

std::optional<WebhookEvent> WebhookEvent::parse(const QByteArray &body, QString *error)
{
    QJsonParseError parseError{};
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        fail(error, QStringLiteral("body is not JSON: %1").arg(parseError.errorString()));
        return std::nullopt;
    }
    if (!doc.isObject()) {
        fail(error, QStringLiteral("body is not a JSON object"));
        return std::nullopt;
    }
    const QJsonValue dataValue = doc.object().value(QLatin1String("data"));
    if (!dataValue.isObject()) {
        fail(error, QStringLiteral("data is missing or not an object"));
        return std::nullopt;
    }
    const QJsonObject data = dataValue.toObject();
    WebhookEvent e;
    e.eventType = str(data, QLatin1String("event_type"));
    e.id = str(data, QLatin1String("id"));
    if (e.eventType.isEmpty()) {
        fail(error, QStringLiteral("data.event_type is missing"));
        return std::nullopt;
    }
    if (e.id.isEmpty()) {
        fail(error, QStringLiteral("data.id is missing"));
        return std::nullopt;
    }
    e.occurredAtText = str(data, QLatin1String("occurred_at"));
    e.occurredAt = parseTelnyxTime(e.occurredAtText);
    e.recordType = str(data, QLatin1String("record_type"));
    const QJsonValue payload = data.value(QLatin1String("payload"));
    if (payload.isObject())
        e.payloadJson = payload.toObject();
    e.payload = CallPayload::fromJson(e.payloadJson);
    const QJsonValue meta = doc.object().value(QLatin1String("meta"));
    if (meta.isObject()) {
        const QJsonObject m = meta.toObject();
        const QJsonValue attempt = m.value(QLatin1String("attempt"));
        if (attempt.isDouble())
            e.attempt = attempt.toInt();
        e.deliveredTo = str(m, QLatin1String("delivered_to"));
    }
    return e;
}

} // namespace kt
