// SPDX-License-Identifier: GPL-3.0-or-later
#include "voicemailmessage.h"

namespace kt {

namespace {
QJsonValue textOrNull(const QString &text)
{
    return text.isEmpty() ? QJsonValue() : QJsonValue(text);
}
QJsonValue timeOrNull(const QDateTime &time)
{
    return time.isValid()
               ? QJsonValue(time.toUTC().toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzzZ")))
               : QJsonValue();
}
} // namespace

QJsonObject VoicemailMessage::toJson() const
{
    return QJsonObject{
        {QStringLiteral("id"), id},
        {QStringLiteral("call"), textOrNull(callId)},
        {QStringLiteral("from"), from},
        {QStringLiteral("to"), to},
        {QStringLiteral("received"), timeOrNull(receivedAt)},
        {QStringLiteral("duration"),
         durationMs < 0 ? QJsonValue() : QJsonValue(double(durationMs) / 1000.0)},
        {QStringLiteral("transcript"), transcript.isNull() ? QJsonValue() : QJsonValue(transcript)},
        {QStringLiteral("file"), textOrNull(filePath)},
        {QStringLiteral("sha256"), textOrNull(fileSha256)},
        {QStringLiteral("heard"), heard()},
        {QStringLiteral("recording_id"), textOrNull(recordingId)},
        {QStringLiteral("state"), stateName(downloadState)},
        {QStringLiteral("error"), textOrNull(error)},
    };
}

QString VoicemailMessage::stateName(DownloadState state)
{
    switch (state) {
    case DownloadState::AwaitingRecording:
        return QStringLiteral("awaiting_recording");
    case DownloadState::Pending:
        return QStringLiteral("pending");
    case DownloadState::Downloaded:
        return QStringLiteral("downloaded");
    case DownloadState::Failed:
        return QStringLiteral("failed");
    case DownloadState::Deleted:
        return QStringLiteral("deleted");
    }
    return QStringLiteral("failed");
}

std::optional<VoicemailMessage::DownloadState> VoicemailMessage::stateFromName(const QString &name)
{
    for (DownloadState s :
         {DownloadState::AwaitingRecording, DownloadState::Pending, DownloadState::Downloaded,
          DownloadState::Failed, DownloadState::Deleted}) {
        if (stateName(s) == name)
            return s;
    }
    return std::nullopt;
}

} // namespace kt
