// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QString>

namespace kt {

// The recording webhooks' payloads (`data.payload`), read leniently: every field is optional
// (the published schema and the real payloads differ), and every string is a stranger's text,
// cut to a bound and otherwise kept as given.
namespace RecordingPayload {

// Bounds, in characters.
inline constexpr int kMaxIdChars = 128;
inline constexpr int kMaxNumberChars = 64;
inline constexpr int kMaxUrlChars = 4096;
inline constexpr int kMaxTranscriptChars = 8000;
inline constexpr int kMaxReasonChars = 500;

// `value` as a string cut to `maxChars` (non-strings give an empty string).
QString bounded(const QJsonValue &value, int maxChars);

// call.recording.saved
struct Saved
{
    QString recordingId;
    QString callControlId;
    QString callLegId;
    QString callSessionId;
    QString format;      // "wav" / "mp3" / ""
    QString urlWav;      // recording_urls.wav
    QString urlMp3;      // recording_urls.mp3
    QDateTime startedAt; // recording_started_at, else start_time
    QDateTime endedAt;   // recording_ended_at, else end_time
    QString from;        // not in Telnyx's payload; filled by whoever knows the call
    QString to;

    // The call this message belongs to: call_control_id, else the leg, else the session.
    QString callId() const;
    // recording_id, else "call:<call id>:<start>" (empty when neither is known).
    QString dedupeKey() const;
    qint64 durationMs() const; // -1 unknown
};
Saved parseSaved(const QJsonObject &payload);

// call.recording.transcription.saved
struct Transcription
{
    QString recordingId;
    QString transcriptionId;
    QString callControlId;
    QString status;
    QString text; // bounded to kMaxTranscriptChars
};
Transcription parseTranscription(const QJsonObject &payload);

// call.recording.error
struct Error
{
    QString callControlId;
    QString callLegId;
    QString callSessionId;
    QString recordingId; // not in the published schema; used when present
    QString reason;

    QString callId() const;
};
Error parseError(const QJsonObject &payload);

// `data.payload` of a webhook body {data: {payload: …}}, the `payload` of an unwrapped event
// {event_type, payload: …}, or the object itself (callers may pass any of these).
QJsonObject payloadOf(const QJsonObject &body);

} // namespace RecordingPayload
} // namespace kt
