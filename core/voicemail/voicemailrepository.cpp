// SPDX-License-Identifier: GPL-3.0-or-later
#include "voicemailrepository.h"

#include "store/eventstore.h"
#include "store/sqlquery.h"
#include "store/storedtime.h"
#include "voicemailevents.h"

#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QUuid>
#include <QVariant>

namespace kt {

namespace {
QVariant nullable(const QString &text)
{
    return text.isEmpty() ? QVariant(QMetaType(QMetaType::QString)) : QVariant(text);
}

// A NOT NULL text column: a null QString would bind as NULL.
QVariant text(const QString &value)
{
    return QVariant(value.isNull() ? QStringLiteral("") : value);
}

QVariant nullableCount(qint64 value)
{
    return value < 0 ? QVariant(QMetaType(QMetaType::LongLong)) : QVariant(value);
}

QString stored(const AppendResult &result)
{
    return result.status == AppendResult::Status::Stored
               ? QString()
               : (result.error.isEmpty() ? QStringLiteral("not stored") : result.error);
}

// The metadata every voicemail event carries.
QJsonObject describe(const VoicemailMessage &m)
{
    QJsonObject o{{QStringLiteral("voicemail_id"), m.id},
                  {QStringLiteral("recording_id"), m.recordingId},
                  {QStringLiteral("from"), m.from},
                  {QStringLiteral("to"), m.to}};
    if (m.durationMs >= 0)
        o.insert(QStringLiteral("duration_ms"), m.durationMs);
    return o;
}
} // namespace

VoicemailRepository::VoicemailRepository(EventStore &store)
    : m_store(store), m_clock([] { return QDateTime::currentDateTimeUtc(); })
{}

void VoicemailRepository::setClock(Clock clock)
{
    m_clock = std::move(clock);
}

QString VoicemailRepository::formatTime(const QDateTime &time)
{
    return storedtime::formatTime(time);
}

QDateTime VoicemailRepository::parseTime(const QString &text)
{
    return storedtime::parseTime(text);
}

QString VoicemailRepository::now() const
{
    return formatTime(m_clock());
}

VoicemailRepository::Result VoicemailRepository::recordSaved(const RecordingPayload::Saved &s,
                                                             const QString &actor)
{
    Result r;
    const QString key = s.dedupeKey();
    if (key.isEmpty()) {
        r.error = QStringLiteral("call.recording.saved names neither a recording nor a call");
        return r;
    }
    QString from = s.from, to = s.to;
    if ((from.isEmpty() || to.isEmpty()) && !s.callId().isEmpty()) {
        // The calls table keys a call by its session (the engine), or by its control id.
        auto call = s.callSessionId.isEmpty() ? std::nullopt : m_store.call(s.callSessionId);
        if (!call)
            call = m_store.call(s.callId());
        if (call) {
            if (from.isEmpty())
                from = call->fromNumber.left(RecordingPayload::kMaxNumberChars);
            if (to.isEmpty())
                to = call->toNumber.left(RecordingPayload::kMaxNumberChars);
        }
    }
    const QDateTime received = s.endedAt.isValid() ? s.endedAt : m_clock();

    const auto existing = byDedupeKey(key);
    if (existing && existing->downloadState != VoicemailMessage::DownloadState::AwaitingRecording) {
        r.ok = true;
        r.duplicate = true;
        r.id = existing->id;
        return r;
    }

    VoicemailMessage m = existing.value_or(VoicemailMessage{});
    m.dedupeKey = key;
    m.recordingId = s.recordingId;
    m.callId = s.callId();
    m.callLegId = s.callLegId;
    m.callSessionId = s.callSessionId;
    m.from = from;
    m.to = to;
    m.receivedAt = received;
    m.durationMs = s.durationMs();
    m.format = s.format;

    m.urlWav = s.urlWav;
    m.urlMp3 = s.urlMp3;
    m.downloadState = VoicemailMessage::DownloadState::Pending;
    QJsonObject details{{QStringLiteral("received_at"), formatTime(received)},
                        {QStringLiteral("format"), m.format}};
    Result result;
    if (existing) {
        result =
            update(existing->id, QString::fromLatin1(VoicemailEvents::Recorded), m, details, actor,
                   QStringLiteral("recording_id = ?, call_id = ?, call_leg_id = ?,"
                                  " call_session_id = ?, from_number = ?, to_number = ?,"
                                  " received_at = ?, duration_ms = ?, format = ?,"
                                  " url_wav = ?, url_mp3 = ?, download_state = 'pending'"),
                   {nullable(m.recordingId), text(m.callId), text(m.callLegId),
                    text(m.callSessionId), text(m.from), text(m.to), formatTime(received),
                    nullableCount(m.durationMs), text(m.format), text(m.urlWav), text(m.urlMp3)},
                   QStringLiteral("download_state = 'awaiting_recording'"));
    } else {
        result = insert(m, QString::fromLatin1(VoicemailEvents::Recorded), details, actor);
    }
    if (!result.ok) {
        // Another writer stored the same recording meanwhile: that is a duplicate, not an error.
        if (const auto again = byDedupeKey(key);
            again && again->downloadState != VoicemailMessage::DownloadState::AwaitingRecording) {
            r.ok = true;
            r.duplicate = true;
            r.id = again->id;
            return r;
        }
        return result;
    }
    return result;
}

VoicemailRepository::Result VoicemailRepository::insert(VoicemailMessage m,
                                                        const QString &eventType,
                                                        const QJsonObject &details,
                                                        const QString &actor)
{
    Result r;
    AppendResult result;
    // The event names the message by its id, so the id is chosen before the transaction (the
    // next one); another writer taking it meanwhile makes the insert fail, and it is tried
    // again with the next.
    for (int attempt = 0; attempt < 3; ++attempt) {
        QSqlQuery q(QSqlDatabase::database(m_store.connectionName(), false));
        if (!q.exec(QStringLiteral("SELECT coalesce(max(id), 0) + 1 FROM voicemail_messages")) ||
            !q.next()) {
            r.error = sql::errorText(q);
            return r;
        }
        m.id = q.value(0).toLongLong();
        q.finish();
        NewEvent event;
        event.type = eventType;
        event.callId = m.callId;
        event.actor = actor;
        event.payload = describe(m);
        for (auto it = details.begin(); it != details.end(); ++it)
            event.payload.insert(it.key(), it.value());
        result = m_store.append(event, nullptr, [&](QSqlDatabase &db) {
            QSqlQuery w(db);
            w.prepare(QStringLiteral("INSERT INTO voicemail_messages (%1) VALUES (?, ?, ?, ?, ?,"
                                     " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                          .arg(QLatin1String(Columns)));
            for (const QVariant &v :
                 {QVariant(m.id),
                  text(m.dedupeKey),
                  nullable(m.recordingId),
                  text(m.callId),
                  text(m.callLegId),
                  text(m.callSessionId),
                  text(m.from),
                  text(m.to),
                  text(formatTime(m.receivedAt)),
                  nullableCount(m.durationMs),
                  text(m.format),
                  text(m.urlWav),
                  text(m.urlMp3),
                  m.transcript.isNull() ? QVariant(QMetaType(QMetaType::QString))
                                        : QVariant(m.transcript),
                  nullable(m.fileSha256),
                  nullable(m.filePath),
                  nullableCount(m.fileBytes),
                  nullable(formatTime(m.heardAt)),
                  nullable(formatTime(m.deletedAt)),
                  QVariant(VoicemailMessage::stateName(m.downloadState)),
                  QVariant(m.downloadAttempts),
                  text(m.error),
                  QVariant(now())})
                w.addBindValue(v);
            return w.exec() ? QString() : sql::errorText(w);
        });
        if (result.status == AppendResult::Status::Stored ||
            !result.error.contains(QLatin1String("voicemail_messages.id")))
            break;
    }
    if (const QString error = stored(result); !error.isEmpty()) {
        r.error = error;
        return r;
    }
    r.ok = true;
    r.id = m.id;
    return r;
}

VoicemailRepository::Result
VoicemailRepository::update(qint64 id, const QString &eventType, const VoicemailMessage &m,
                            const QJsonObject &details, const QString &actor, const QString &set,
                            const QVariantList &values, const QString &condition)
{
    Result r;
    r.id = id;
    NewEvent event;
    event.type = eventType;
    event.callId = m.callId;
    event.actor = actor;
    event.payload = describe(m);
    event.payload.insert(QStringLiteral("voicemail_id"), id);
    for (auto it = details.begin(); it != details.end(); ++it)
        event.payload.insert(it.key(), it.value());
    const AppendResult result = m_store.append(event, nullptr, [&](QSqlDatabase &db) {
        QSqlQuery q(db);
        q.prepare(QStringLiteral("UPDATE voicemail_messages SET %1, updated_at = ? WHERE id = ?%2")
                      .arg(set, condition.isEmpty() ? QString()
                                                    : QStringLiteral(" AND (%1)").arg(condition)));
        for (const QVariant &v : values)
            q.addBindValue(v);
        q.addBindValue(now());
        q.addBindValue(id);
        if (!q.exec())
            return sql::errorText(q);
        return q.numRowsAffected() == 1 ? QString()
                                        : QStringLiteral("voicemail %1 changed meanwhile").arg(id);
    });
    r.error = stored(result);
    r.ok = r.error.isEmpty();
    return r;
}

QString VoicemailRepository::bookkeeping(qint64 id, const QString &set, const QVariantList &values)
{
    QSqlQuery q(QSqlDatabase::database(m_store.connectionName(), false));
    q.prepare(
        QStringLiteral("UPDATE voicemail_messages SET %1, updated_at = ? WHERE id = ?").arg(set));
    for (const QVariant &v : values)
        q.addBindValue(v);
    q.addBindValue(now());
    q.addBindValue(id);
    if (!q.exec())
        return m_error = sql::errorText(q);
    return q.numRowsAffected() == 1 ? QString() : QStringLiteral("no voicemail %1").arg(id);
}

VoicemailRepository::Result
VoicemailRepository::recordTranscription(const RecordingPayload::Transcription &t,
                                         const QString &actor)
{
    Result r;
    if (t.recordingId.isEmpty()) {
        r.error = QStringLiteral("call.recording.transcription.saved names no recording");
        return r;
    }
    const QJsonObject details{{QStringLiteral("transcription_id"), t.transcriptionId},
                              {QStringLiteral("status"), t.status},
                              {QStringLiteral("transcript_chars"), t.text.size()}};
    const QString type = QString::fromLatin1(VoicemailEvents::Transcribed);
    if (const auto m = byDedupeKey(t.recordingId)) {
        if (m->transcript == t.text) {
            r.ok = true;
            r.duplicate = true;
            r.id = m->id;
            return r;
        }
        return update(m->id, type, *m, details, actor, QStringLiteral("transcript = ?"),
                      {text(t.text)});
    }
    VoicemailMessage m;
    m.dedupeKey = t.recordingId;
    m.recordingId = t.recordingId;
    m.callId = t.callControlId;
    m.receivedAt = m_clock();
    m.transcript = t.text.isNull() ? QStringLiteral("") : t.text;
    m.downloadState = VoicemailMessage::DownloadState::AwaitingRecording;
    return insert(m, type, details, actor);
}

VoicemailRepository::Result VoicemailRepository::recordTelnyxError(const RecordingPayload::Error &e,
                                                                   const QString &actor)
{
    const QString reason = e.reason.isEmpty() ? QStringLiteral("recording failed") : e.reason;
    const QString message = QStringLiteral("Telnyx: %1").arg(reason);
    const QJsonObject details{{QStringLiteral("source"), QStringLiteral("telnyx")},
                              {QStringLiteral("reason"), reason}};
    const QString type = QString::fromLatin1(VoicemailEvents::Error);
    std::optional<VoicemailMessage> target;
    if (!e.recordingId.isEmpty())
        target = byDedupeKey(e.recordingId);
    if (!target && !e.callId().isEmpty()) {
        const auto rows = select(QStringLiteral("call_id = ? AND download_state IN ('pending',"
                                                " 'awaiting_recording') ORDER BY id DESC"),
                                 {e.callId()});
        if (!rows.isEmpty())
            target = rows.first();
    }
    if (target)
        return update(target->id, type, *target, details, actor,
                      QStringLiteral("download_state = 'failed', error = ?"), {text(message)});
    VoicemailMessage m;
    m.dedupeKey = QStringLiteral("error:%1")
                      .arg(e.callId().isEmpty() ? QUuid::createUuid().toString(QUuid::WithoutBraces)
                                                : e.callId());
    m.recordingId = e.recordingId;
    m.callId = e.callId();
    m.callLegId = e.callLegId;
    m.callSessionId = e.callSessionId;
    // The calls table keys a call by its session (the engine), or by its control id.
    for (const QString &key : {m.callSessionId, m.callId}) {
        const auto call = key.isEmpty() ? std::nullopt : m_store.call(key);
        if (call) {
            m.from = call->fromNumber.left(RecordingPayload::kMaxNumberChars);
            m.to = call->toNumber.left(RecordingPayload::kMaxNumberChars);
            break;
        }
    }
    m.receivedAt = m_clock();
    m.downloadState = VoicemailMessage::DownloadState::Failed;
    m.error = message;
    if (const auto same = byDedupeKey(m.dedupeKey)) {
        Result r;
        r.ok = true;
        r.duplicate = true;
        r.id = same->id;
        return r;
    }
    return insert(m, type, details, actor);
}

VoicemailRepository::Result VoicemailRepository::markDownloaded(qint64 id, const QString &sha256,
                                                                const QString &filePath,
                                                                qint64 bytes, const QString &actor)
{
    const auto m = byId(id);
    if (!m)
        return Result{false, false, id, QStringLiteral("no voicemail %1").arg(id)};
    return update(id, QString::fromLatin1(VoicemailEvents::Downloaded), *m,
                  {{QStringLiteral("sha256"), sha256},
                   {QStringLiteral("bytes"), bytes},
                   {QStringLiteral("file"), QFileInfo(filePath).fileName()}},
                  actor,
                  QStringLiteral("file_sha256 = ?, file_path = ?, file_bytes = ?, url_wav = '',"
                                 " url_mp3 = '', error = '', download_state = 'downloaded'"),
                  {sha256, filePath, bytes}, QStringLiteral("download_state = 'pending'"));
}

VoicemailRepository::Result VoicemailRepository::markFailed(qint64 id, const QString &reason,
                                                            const QString &actor)
{
    const auto m = byId(id);
    if (!m)
        return Result{false, false, id, QStringLiteral("no voicemail %1").arg(id)};
    const QString bounded = reason.left(RecordingPayload::kMaxReasonChars);
    return update(id, QString::fromLatin1(VoicemailEvents::Error), *m,
                  {{QStringLiteral("source"), QStringLiteral("download")},
                   {QStringLiteral("reason"), bounded},
                   {QStringLiteral("attempts"), m->downloadAttempts}},
                  actor, QStringLiteral("download_state = 'failed', error = ?"), {text(bounded)},
                  QStringLiteral("download_state = 'pending'"));
}

VoicemailRepository::Result VoicemailRepository::markHeard(qint64 id, const QString &actor)
{
    const auto m = byId(id);
    if (!m)
        return Result{false, false, id, QStringLiteral("no voicemail %1").arg(id)};
    if (m->heard())
        return Result{true, true, id, {}};
    return update(id, QString::fromLatin1(VoicemailEvents::Heard), *m, {}, actor,
                  QStringLiteral("heard_at = ?"), {now()}, QStringLiteral("heard_at IS NULL"));
}

VoicemailRepository::Result VoicemailRepository::markDeleted(qint64 id, const QString &why,
                                                             bool remote, const QString &actor)
{
    const auto m = byId(id);
    if (!m)
        return Result{false, false, id, QStringLiteral("no voicemail %1").arg(id)};
    if (m->deleted())
        return Result{true, true, id, {}};
    // The transcript is the message in words: it goes with the audio.
    return update(id, QString::fromLatin1(VoicemailEvents::Deleted), *m,
                  {{QStringLiteral("sha256"), m->fileSha256},
                   {QStringLiteral("why"), why},
                   {QStringLiteral("remote"), remote}},
                  actor,
                  QStringLiteral("download_state = 'deleted', deleted_at = ?, file_path = NULL,"
                                 " transcript = NULL, url_wav = '', url_mp3 = ''"),
                  {now()}, QStringLiteral("download_state <> 'deleted'"));
}

QString VoicemailRepository::countAttempt(qint64 id)
{
    return bookkeeping(id, QStringLiteral("download_attempts = download_attempts + 1"), {});
}

QString VoicemailRepository::updateLinks(qint64 id, const QString &wav, const QString &mp3,
                                         qint64 durationMs, const QString &from, const QString &to)
{
    return bookkeeping(id,
                       QStringLiteral("url_wav = ?, url_mp3 = ?, duration_ms ="
                                      " coalesce(?, duration_ms), from_number = CASE WHEN"
                                      " from_number = '' THEN ? ELSE from_number END, to_number ="
                                      " CASE WHEN to_number = '' THEN ? ELSE to_number END"),
                       {text(wav.left(RecordingPayload::kMaxUrlChars)),
                        text(mp3.left(RecordingPayload::kMaxUrlChars)), nullableCount(durationMs),
                        text(from.left(RecordingPayload::kMaxNumberChars)),
                        text(to.left(RecordingPayload::kMaxNumberChars))});
}

QString VoicemailRepository::retry(qint64 id)
{
    return bookkeeping(id, QStringLiteral("download_state = 'pending', download_attempts = 0"), {});
}

} // namespace kt
