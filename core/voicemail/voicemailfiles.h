// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDateTime>
#include <QList>
#include <QString>

namespace kt {

class VoicemailRepository;

// The voicemail audio on disk: a private folder `voicemail/` beside the database (0700, files
// 0600 on Unix), each message's audio named `<sha256>.<ext>`. Deleting, the retention rule,
// exporting and the integrity check.
namespace VoicemailFiles {

// `<folder of the database>/voicemail`.
QString folderFor(const QString &databasePath);

// Hex SHA-256 of the file's bytes, or a null string when it cannot be read.
QString sha256Of(const QString &path);

// Removes the message's audio file (a missing file is not an error) and records the deletion
// (`why`: "owner" or "retention"; `remote`: it was also deleted on Telnyx). An error message,
// or empty.
QString deleteMessage(VoicemailRepository &repo, qint64 id, const QString &why, bool remote,
                      const QString &actor);

// Deletes the audio of every message received more than `days` days before `now` (days <= 0:
// keeps everything). Returns how many were deleted; errors in `errors`.
int applyRetention(VoicemailRepository &repo, int days, const QDateTime &now, const QString &actor,
                   QStringList *errors = nullptr);

// Copies the message's audio to `destination`, byte for byte, after checking it still matches
// its SHA-256. Refuses an existing destination unless `overwrite`. An error message, or empty.
QString exportMessage(VoicemailRepository &repo, qint64 id, const QString &destination,
                      bool overwrite);

// Whether each downloaded message's file still matches the SHA-256 recorded for it: in the
// message's row (`expected`) and in the hash-chained event log (`logged`), which must agree.
struct FileCheck
{
    qint64 id = 0;
    QString path;
    QString expected;
    QString logged; // empty when the log has no download of this message
    QString actual; // null when the file is missing or unreadable
    bool ok() const { return problem().isEmpty(); }
    // "" / "not in the log" / "record differs from the log" / "missing" / "modified"
    QString problem() const;
};
QList<FileCheck> verify(const VoicemailRepository &repo);

} // namespace VoicemailFiles
} // namespace kt
