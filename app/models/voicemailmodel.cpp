// SPDX-License-Identifier: GPL-3.0-or-later
#include "voicemailmodel.h"

#include "codeenums.h"
#include "displaytext.h"
#include "store/eventstore.h"
#include "voicemail/voicemailfiles.h"
#include "voicemail/voicemailrepository.h"

#include <QFileInfo>
#include <QSqlError>

#include <algorithm>
#include <optional>

namespace kt {
namespace {
using State = VoicemailMessage::DownloadState;

QString durationText(qint64 ms)
{
    if (ms < 0)
        return {};
    const qint64 secs = (ms + 500) / 1000;
    return QStringLiteral("%1:%2").arg(secs / 60).arg(secs % 60, 2, 10, QLatin1Char('0'));
}
} // namespace

VoicemailModel::VoicemailModel(QObject *parent)
    : SnapshotListModel({"messageId",    "from",       "fromText",   "nameSpace", "to",
                         "toText",       "toLabel",    "receivedAt", "timeText",  "durationMs",
                         "durationText", "transcript", "state",      "stateKind", "stateText",
                         "error",        "heard",      "unread",     "playable",  "fileUrl",
                         "callId",       "callKnown",  "sha256",     "format"},
                        QStringLiteral("voicemail"), parent)
{
    connect(this, &SnapshotListModel::refreshed, this, &VoicemailModel::announce);
}

void VoicemailModel::setNumberLabels(const QHash<QString, QString> &labels)
{
    if (labels == m_labels)
        return;
    m_labels = labels;
    if (isOpen())
        refresh();
}

int VoicemailModel::rowOf(qint64 id) const
{
    return rowOfKey(id);
}

qint64 VoicemailModel::messageForCall(const QString &callId) const
{
    if (callId.isEmpty())
        return 0;
    qint64 newest = 0;
    QString newestAt;
    for (int i = 0; i < count(); ++i) {
        if (value(i, QStringLiteral("callId")).toString() != callId)
            continue;
        const QString at = value(i, QStringLiteral("receivedAt")).toString();
        if (newest == 0 || at > newestAt) {
            newest = value(i, QStringLiteral("messageId")).toLongLong();
            newestAt = at;
        }
    }
    return newest;
}

QVariantMap VoicemailModel::message(qint64 id) const
{
    QVariantMap out;
    const int row = rowOf(id);
    if (row < 0)
        return out;
    const QHash<int, QByteArray> names = roleNames();
    for (auto it = names.begin(); it != names.end(); ++it)
        out.insert(QString::fromUtf8(it.value()), data(index(row), it.key()));
    return out;
}

QString VoicemailModel::exportTo(qint64 id, const QVariant &destination)
{
    const QUrl url = destination.toUrl();
    const QString path = url.isLocalFile() ? url.toLocalFile() : destination.toString();
    if (path.isEmpty())
        return tr("no file chosen");
    if (!isOpen())
        return tr("the database is not open");
    VoicemailRepository repository(database().store());
    return VoicemailFiles::exportMessage(repository, id, path, true);
}

QString VoicemailModel::suggestedFileName(qint64 id) const
{
    const int row = rowOf(id);
    const QDateTime received =
        DisplayText::parseTime(value(row, QStringLiteral("receivedAt")).toString());
    QString format = value(row, QStringLiteral("format")).toString();
    if (format != QLatin1String("mp3"))
        format = QStringLiteral("wav");
    return QStringLiteral("voicemail-%1%2.%3")
        .arg(id)
        .arg(received.isValid()
                 ? received.toLocalTime().toString(QStringLiteral("-yyyy-MM-dd-HHmm"))
                 : QString())
        .arg(format);
}

void VoicemailModel::onLogAdvanced(qint64 lastSeq)
{
    if (!isOpen() || lastSeq <= m_seenSeq)
        return;
    const auto found =
        database().store().hasEventAfter(m_seenSeq, QStringLiteral("tel.voicemail_"));
    if (found && !*found) {
        m_seenSeq = lastSeq; // nothing about voicemail: the rows stand
        return;
    }
    refresh(); // a voicemail event (or a query that failed: read again to be safe)
}

QList<SnapshotListModel::Row> VoicemailModel::load(ReadOnlyDatabase &database, QString *error)
{
    EventStore &store = database.store();
    // Before the rows: an event appended while they are read is looked at again.
    const qint64 lastSeq = store.lastSeq();
    VoicemailRepository repository(store);
    QList<VoicemailMessage> messages = repository.messages(true, false); // newest first
    if (messages.isEmpty() && !repository.errorString().isEmpty()) {
        *error = repository.errorString();
        return {};
    }
    auto unread = [](const VoicemailMessage &m) { return !m.heard() && !m.deleted(); };
    std::stable_sort(messages.begin(), messages.end(),
                     [&](const VoicemailMessage &a, const VoicemailMessage &b) {
                         return unread(a) && !unread(b);
                     });

    const QDateTime now = m_clock ? m_clock() : QDateTime::currentDateTime();
    QHash<QString, std::optional<QString>> calls; // call id -> its namespace, if the call is known
    QList<Row> rows;
    rows.reserve(messages.size());
    int unreadCount = 0;
    for (const VoicemailMessage &m : std::as_const(messages)) {
        if (!m.callId.isEmpty() && !calls.contains(m.callId)) {
            const auto call = store.call(m.callId);
            calls.insert(m.callId,
                         call ? std::optional<QString>(call->namespaceName) : std::nullopt);
        }
        const std::optional<QString> call = calls.value(m.callId);
        const QString nameSpace = call.value_or(QString());
        const bool playable = m.downloadState == State::Downloaded && !m.filePath.isEmpty() &&
                              QFileInfo::exists(m.filePath);
        const QString reason = DisplayText::plain(m.error, 200);
        QString stateText;
        switch (m.downloadState) {
        case State::AwaitingRecording:
            stateText = tr("waiting for the recording");
            break;
        case State::Pending:
            stateText = tr("downloading");
            break;
        case State::Downloaded:
            stateText = playable ? tr("downloaded") : tr("downloaded, but the file is missing");
            break;
        case State::Failed:
            stateText = reason.isEmpty() ? tr("failed") : tr("failed: %1").arg(reason);
            break;
        case State::Deleted:
            stateText = tr("deleted");
            break;
        }

        Row row = emptyRow();
        row[at(IdRole)] = m.id;
        row[at(FromRole)] = m.from;
        row[at(FromTextRole)] =
            m.from.isEmpty() ? tr("an unknown caller") : DisplayText::number(m.from);
        row[at(NamespaceRole)] = DisplayText::plain(nameSpace, 64);
        row[at(ToRole)] = m.to;
        row[at(ToTextRole)] = m.to.isEmpty() ? QString() : DisplayText::number(m.to);
        row[at(ToLabelRole)] = DisplayText::plain(m_labels.value(m.to), 40);
        const QString received = VoicemailRepository::formatTime(m.receivedAt);
        row[at(ReceivedAtRole)] = received;
        row[at(TimeTextRole)] = DisplayText::time(received, now);
        row[at(DurationMsRole)] = m.durationMs;
        row[at(DurationTextRole)] = durationText(m.durationMs);
        row[at(TranscriptRole)] = DisplayText::plain(m.transcript, MaxTranscript);
        row[at(StateRole)] = VoicemailState::code(VoicemailState::fromCore(m.downloadState));
        row[at(StateKindRole)] = int(VoicemailState::fromCore(m.downloadState));
        row[at(StateTextRole)] = stateText;
        row[at(ErrorRole)] = reason;
        row[at(HeardRole)] = m.heard();
        row[at(UnreadRole)] = unread(m);
        row[at(PlayableRole)] = playable;
        row[at(FileUrlRole)] = playable ? QUrl::fromLocalFile(m.filePath) : QUrl();
        row[at(CallIdRole)] = m.callId;
        row[at(CallKnownRole)] = call.has_value();
        row[at(Sha256Role)] = m.fileSha256;
        row[at(FormatRole)] = m.format;
        rows.append(row);
        if (unread(m))
            ++unreadCount;

        const bool hasAudio = m.downloadState == State::Downloaded || m.deleted();
        if (hasAudio && !m_hadAudio.contains(m.id)) {
            m_hadAudio.insert(m.id);
            if (m_loaded && m.downloadState == State::Downloaded) {
                m_arrivals.append({m.id, m.from, nameSpace, m.transcript, m.durationMs});
                if (m.transcript.trimmed().isEmpty())
                    m_awaitingWords.insert(m.id);
            }
        } else if (m_awaitingWords.contains(m.id) && !m.transcript.trimmed().isEmpty()) {
            // Telnyx transcribes after the recording: the owner who was told "no transcript
            // yet" now gets the words, unless the message was heard or deleted meanwhile.
            m_awaitingWords.remove(m.id);
            if (unread(m) && !m.deleted())
                m_arrivals.append({m.id, m.from, nameSpace, m.transcript, m.durationMs, true});
        }
    }
    m_loaded = true;
    m_seenSeq = lastSeq;
    if (unreadCount != m_unread) {
        m_unread = unreadCount;
        emit unreadCountChanged();
    }
    return rows;
}

void VoicemailModel::announce()
{
    const QList<Arrival> arrivals = std::exchange(m_arrivals, {});
    for (const Arrival &a : arrivals)
        emit messageArrived(a);
}

} // namespace kt
