// SPDX-License-Identifier: GPL-3.0-or-later
// VoicemailRepository: the queries. The writes, each with its event, are in
// voicemailrepository.cpp.
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

QList<VoicemailMessage> VoicemailRepository::select(const QString &where,
                                                    const QVariantList &values) const
{
    QList<VoicemailMessage> out;
    QSqlQuery q(QSqlDatabase::database(m_store.connectionName(), false));
    if (const QString error = sql::exec(q,
                                        QStringLiteral("SELECT %1 FROM voicemail_messages WHERE %2")
                                            .arg(QLatin1String(Columns), where),
                                        values);
        !error.isEmpty()) {
        m_error = error;
        return out;
    }
    while (q.next()) {
        VoicemailMessage m;
        m.id = q.value(0).toLongLong();
        m.dedupeKey = q.value(1).toString();
        m.recordingId = q.value(2).toString();
        m.callId = q.value(3).toString();
        m.callLegId = q.value(4).toString();
        m.callSessionId = q.value(5).toString();
        m.from = q.value(6).toString();
        m.to = q.value(7).toString();
        m.receivedAt = parseTime(q.value(8).toString());
        m.durationMs = q.value(9).isNull() ? -1 : q.value(9).toLongLong();
        m.format = q.value(10).toString();
        m.urlWav = q.value(11).toString();
        m.urlMp3 = q.value(12).toString();
        m.transcript = q.value(13).isNull() ? QString() : q.value(13).toString();
        if (!q.value(13).isNull() && m.transcript.isNull())
            m.transcript = QStringLiteral("");
        m.fileSha256 = q.value(14).toString();
        m.filePath = q.value(15).toString();
        m.fileBytes = q.value(16).isNull() ? -1 : q.value(16).toLongLong();
        m.heardAt = parseTime(q.value(17).toString());
        m.deletedAt = parseTime(q.value(18).toString());
        m.downloadState = VoicemailMessage::stateFromName(q.value(19).toString())
                              .value_or(VoicemailMessage::DownloadState::Failed);
        m.downloadAttempts = q.value(20).toInt();
        m.error = q.value(21).toString();
        m.updatedAt = parseTime(q.value(22).toString());
        out.append(m);
    }
    return out;
}

std::optional<VoicemailMessage> VoicemailRepository::byId(qint64 id) const
{
    const auto rows = select(QStringLiteral("id = ?"), {id});
    return rows.isEmpty() ? std::nullopt : std::optional(rows.first());
}

std::optional<VoicemailMessage> VoicemailRepository::byRecordingId(const QString &id) const
{
    const auto rows = select(QStringLiteral("recording_id = ? ORDER BY id"), {id});
    return rows.isEmpty() ? std::nullopt : std::optional(rows.first());
}

std::optional<VoicemailMessage> VoicemailRepository::byDedupeKey(const QString &key) const
{
    const auto rows = select(QStringLiteral("dedupe_key = ?"), {key});
    return rows.isEmpty() ? std::nullopt : std::optional(rows.first());
}

QList<VoicemailMessage> VoicemailRepository::messages(bool includeDeleted, bool unheardFirst) const
{
    // TRUE, not 1: PostgreSQL takes only a boolean there (SQLite both).
    QString where =
        includeDeleted ? QStringLiteral("TRUE") : QStringLiteral("download_state <> 'deleted'");
    where += QStringLiteral(" ORDER BY ");
    if (unheardFirst)
        where += QStringLiteral("heard_at IS NOT NULL, ");
    where += QStringLiteral("received_at DESC, id DESC");
    return select(where, {});
}

QList<VoicemailMessage> VoicemailRepository::pending() const
{
    return select(QStringLiteral("download_state = 'pending' ORDER BY id"), {});
}

QList<VoicemailMessage> VoicemailRepository::downloaded() const
{
    return select(QStringLiteral("download_state = 'downloaded' ORDER BY id"), {});
}

QHash<qint64, QString> VoicemailRepository::loggedSha256() const
{
    EventQuery query;
    query.type = QString::fromLatin1(VoicemailEvents::Downloaded);
    query.limit = 0;
    QHash<qint64, QString> out;
    for (const StoredEvent &e : m_store.events(query)) {
        const qint64 id = e.payload.value(QStringLiteral("voicemail_id")).toInteger();
        const QString sha = e.payload.value(QStringLiteral("sha256")).toString();
        if (id > 0 && !sha.isEmpty())
            out.insert(id, sha);
    }
    return out;
}

} // namespace kt
