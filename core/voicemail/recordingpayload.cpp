// SPDX-License-Identifier: GPL-3.0-or-later
#include "recordingpayload.h"

namespace kt::RecordingPayload {

namespace {
QDateTime time(const QJsonObject &o, const char *key, const char *fallback)
{
    for (const char *k : {key, fallback}) {
        const QString text = bounded(o.value(QLatin1String(k)), 64);
        if (text.isEmpty())
            continue;
        const QDateTime t = QDateTime::fromString(text, Qt::ISODateWithMs);
        if (t.isValid())
            return t.toUTC();
    }
    return {};
}
} // namespace

QString bounded(const QJsonValue &value, int maxChars)
{
    if (!value.isString())
        return {};
    const QString text = value.toString();
    return text.size() > maxChars ? text.left(maxChars) : text;
}

QString Saved::callId() const
{
    if (!callControlId.isEmpty())
        return callControlId;
    return callLegId.isEmpty() ? callSessionId : callLegId;
}

QString Saved::dedupeKey() const
{
    if (!recordingId.isEmpty())
        return recordingId;
    const QString call = callId();
    if (call.isEmpty())
        return {};
    return QStringLiteral("call:%1:%2")
        .arg(call, startedAt.isValid() ? startedAt.toString(Qt::ISODateWithMs) : QString());
}

qint64 Saved::durationMs() const
{
    if (!startedAt.isValid() || !endedAt.isValid() || endedAt < startedAt)
        return -1;
    return startedAt.msecsTo(endedAt);
}

Saved parseSaved(const QJsonObject &p)
{
    Saved s;
    s.recordingId = bounded(p.value(QLatin1String("recording_id")), kMaxIdChars);
    s.callControlId = bounded(p.value(QLatin1String("call_control_id")), kMaxIdChars);
    s.callLegId = bounded(p.value(QLatin1String("call_leg_id")), kMaxIdChars);
    s.callSessionId = bounded(p.value(QLatin1String("call_session_id")), kMaxIdChars);
    s.format = bounded(p.value(QLatin1String("format")), 8).toLower();
    if (s.format != QLatin1String("wav") && s.format != QLatin1String("mp3"))
        s.format.clear();
    const QJsonObject urls = p.value(QLatin1String("recording_urls")).toObject();
    s.urlWav = bounded(urls.value(QLatin1String("wav")), kMaxUrlChars);
    s.urlMp3 = bounded(urls.value(QLatin1String("mp3")), kMaxUrlChars);
    s.startedAt = time(p, "recording_started_at", "start_time");
    s.endedAt = time(p, "recording_ended_at", "end_time");
    s.from = bounded(p.value(QLatin1String("from")), kMaxNumberChars);
    s.to = bounded(p.value(QLatin1String("to")), kMaxNumberChars);
    return s;
}

Transcription parseTranscription(const QJsonObject &p)
{
    Transcription t;
    t.recordingId = bounded(p.value(QLatin1String("recording_id")), kMaxIdChars);
    t.transcriptionId = bounded(p.value(QLatin1String("recording_transcription_id")), kMaxIdChars);
    t.callControlId = bounded(p.value(QLatin1String("call_control_id")), kMaxIdChars);
    t.status = bounded(p.value(QLatin1String("status")), 32);
    t.text = bounded(p.value(QLatin1String("transcription_text")), kMaxTranscriptChars);
    return t;
}

QString Error::callId() const
{
    if (!callControlId.isEmpty())
        return callControlId;
    return callLegId.isEmpty() ? callSessionId : callLegId;
}

Error parseError(const QJsonObject &p)
{
    Error e;
    e.callControlId = bounded(p.value(QLatin1String("call_control_id")), kMaxIdChars);
    e.callLegId = bounded(p.value(QLatin1String("call_leg_id")), kMaxIdChars);
    e.callSessionId = bounded(p.value(QLatin1String("call_session_id")), kMaxIdChars);
    e.recordingId = bounded(p.value(QLatin1String("recording_id")), kMaxIdChars);
    e.reason = bounded(p.value(QLatin1String("reason")), kMaxReasonChars);
    return e;
}

QJsonObject payloadOf(const QJsonObject &body)
{
    const QJsonValue data = body.value(QLatin1String("data"));
    if (data.isObject())
        return data.toObject().value(QLatin1String("payload")).toObject();
    const QJsonValue payload = body.value(QLatin1String("payload"));
    return payload.isObject() ? payload.toObject() : body;
}

} // namespace kt::RecordingPayload
