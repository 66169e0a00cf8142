// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace kt {

// One row of voicemail_messages: a caller's recorded message and where its audio is.
struct VoicemailMessage
{
    enum class DownloadState {
        AwaitingRecording, // a transcript arrived before call.recording.saved
        Pending,           // links known, audio not (yet) stored: downloaded at once / at start
        Downloaded,        // the audio is in filePath, matching fileSha256 when stored
        Failed,            // gave up; `error` says why
        Deleted,           // the audio was deleted (metadata kept)
    };

    qint64 id = 0;
    QString dedupeKey;
    QString recordingId;
    QString callId; // call_control_id (else the leg or session id)
    QString callLegId;
    QString callSessionId;
    QString from;
    QString to;
    QDateTime receivedAt;
    qint64 durationMs = -1; // -1 unknown
    QString format;         // "wav" / "mp3" / ""
    QString urlWav;         // presigned links still to download; cleared once stored
    QString urlMp3;
    QString transcript; // null when none yet
    QString fileSha256; // hex, lower case
    QString filePath;   // absolute
    qint64 fileBytes = -1;
    QDateTime heardAt;
    QDateTime deletedAt;
    DownloadState downloadState = DownloadState::Pending;
    int downloadAttempts = 0;
    QString error;
    QDateTime updatedAt;

    bool heard() const { return heardAt.isValid(); }
    bool deleted() const { return downloadState == DownloadState::Deleted; }

    // The `kevan-tel voicemail --json` element: id, call, from, to, received, duration (seconds,
    // or null), transcript, file, sha256, heard, plus recording_id, state and error.
    QJsonObject toJson() const;

    static QString stateName(DownloadState state);
    static std::optional<DownloadState> stateFromName(const QString &name);
};

} // namespace kt
