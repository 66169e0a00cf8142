// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "recordingpayload.h"
#include "voicemailmessage.h"

#include <QHash>
#include <QList>
#include <QString>

#include <functional>
#include <optional>

namespace kt {

class EventStore;

// The voicemail_messages table in the event store's database. Every change a person would want
// in the audit trail (recorded, downloaded with its SHA-256, transcribed, heard, deleted, an
// error) is written together with its event, in one transaction: both or neither. Bookkeeping
// (a download attempt counted, fresh links) is written on its own. Works on the store's
// connection, in its thread.
class VoicemailRepository
{
public:
    using Clock = std::function<QDateTime()>;

    explicit VoicemailRepository(EventStore &store);
    void setClock(Clock clock); // default: QDateTime::currentDateTimeUtc

    struct Result
    {
        bool ok = false;
        bool duplicate = false; // nothing new: the message was already stored
        qint64 id = 0;
        QString error;
    };

    // call.recording.saved: a new message (pending download), or the links added to the one a
    // transcript created first. A repeat (same recording id, or same call and start without
    // one) is a duplicate. From and to, when the payload lacks them, come from the call.
    Result recordSaved(const RecordingPayload::Saved &saved, const QString &actor);
    // call.recording.transcription.saved: the transcript attaches to its message; one that
    // arrives first makes a message awaiting its recording.
    Result recordTranscription(const RecordingPayload::Transcription &transcription,
                               const QString &actor);
    // call.recording.error: attached to the call's message (it fails), or kept as a failed
    // message of its own, so that it is listed and shown.
    Result recordTelnyxError(const RecordingPayload::Error &error, const QString &actor);

    Result markDownloaded(qint64 id, const QString &sha256, const QString &filePath, qint64 bytes,
                          const QString &actor);
    Result markFailed(qint64 id, const QString &reason, const QString &actor);
    Result markHeard(qint64 id, const QString &actor);
    // The audio is gone (the caller removed the file): state deleted, path cleared, the
    // SHA-256 and the rest kept. `why`: "owner" or "retention"; `remote`: also on Telnyx.
    Result markDeleted(qint64 id, const QString &why, bool remote, const QString &actor);

    // Bookkeeping, no event.
    QString countAttempt(qint64 id);
    QString updateLinks(qint64 id, const QString &wav, const QString &mp3, qint64 durationMs,
                        const QString &from, const QString &to);
    // A failed message made pending again (it will be downloaded once more).
    QString retry(qint64 id);

    std::optional<VoicemailMessage> byId(qint64 id) const;
    std::optional<VoicemailMessage> byRecordingId(const QString &recordingId) const;
    // Newest first; unheard first when `unheardFirst`. Deleted ones only with `includeDeleted`.
    QList<VoicemailMessage> messages(bool includeDeleted = false, bool unheardFirst = false) const;
    QList<VoicemailMessage> pending() const;    // oldest first
    QList<VoicemailMessage> downloaded() const; // oldest first (the files that should exist)
    // The SHA-256 each message's audio had when it was downloaded, by message id, as the
    // hash-chained event log recorded it (tel.voicemail_downloaded): what a file is held to,
    // since the table's copy is not chained.
    QHash<qint64, QString> loggedSha256() const;

    QString errorString() const { return m_error; }

    static QString formatTime(const QDateTime &time);
    static QDateTime parseTime(const QString &text);

private:
    // The voicemail table's columns, in the order select() reads them.
    static constexpr char Columns[] =
        "id, dedupe_key, recording_id, call_id, call_leg_id, call_session_id,"
        " from_number, to_number, received_at, duration_ms, format, url_wav,"
        " url_mp3, transcript, file_sha256, file_path, file_bytes, heard_at,"
        " deleted_at, download_state, download_attempts, error, updated_at";

    QList<VoicemailMessage> select(const QString &where, const QVariantList &values) const;
    std::optional<VoicemailMessage> byDedupeKey(const QString &key) const;
    // Inserts `m` (with the next id) and appends `eventType` naming it, in one transaction.
    Result insert(VoicemailMessage m, const QString &eventType, const QJsonObject &details,
                  const QString &actor);
    // UPDATE … SET `set`, updated_at WHERE id (AND `condition`), with `eventType` describing
    // `m` plus `details`. No row changed: an error, nothing written.
    Result update(qint64 id, const QString &eventType, const VoicemailMessage &m,
                  const QJsonObject &details, const QString &actor, const QString &set,
                  const QVariantList &values, const QString &condition = QString());
    QString bookkeeping(qint64 id, const QString &set, const QVariantList &values);
    QString now() const;

    EventStore &m_store;
    Clock m_clock;
    mutable QString m_error;
};

} // namespace kt
