// SPDX-License-Identifier: GPL-3.0-or-later
#include "voicemailfiles.h"

#include "voicemailrepository.h"

#include "store/databaseurl.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QStandardPaths>

namespace kt::VoicemailFiles {

QString folderFor(const QString &databasePath)
{
    // A PostgreSQL database has no folder of its own here: the per-user data location then.
    if (DatabaseUrl::isUrl(databasePath))
        return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
            .filePath(QStringLiteral("voicemail"));
    return QFileInfo(databasePath).absoluteDir().filePath(QStringLiteral("voicemail"));
}

QString sha256Of(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash hash(QCryptographicHash::Sha256);
    if (!hash.addData(&f))
        return {};
    return QString::fromLatin1(hash.result().toHex());
}

QString deleteMessage(VoicemailRepository &repo, qint64 id, const QString &why, bool remote,
                      const QString &actor)
{
    const auto m = repo.byId(id);
    if (!m)
        return QStringLiteral("no voicemail %1").arg(id);
    if (m->deleted())
        return {};
    if (!m->filePath.isEmpty() && QFileInfo::exists(m->filePath)) {
        // Another message with the same audio (the same bytes twice) keeps the file.
        bool shared = false;
        for (const VoicemailMessage &other : repo.downloaded())
            shared = shared || (other.id != id && other.filePath == m->filePath);
        QFile f(m->filePath);
        if (!shared && !f.remove())
            return QStringLiteral("cannot delete %1: %2").arg(m->filePath, f.errorString());
    }
    const VoicemailRepository::Result r = repo.markDeleted(id, why, remote, actor);
    return r.ok ? QString() : r.error;
}

int applyRetention(VoicemailRepository &repo, int days, const QDateTime &now, const QString &actor,
                   QStringList *errors)
{
    if (days <= 0)
        return 0;
    const QDateTime cutoff = now.addDays(-days);
    int deleted = 0;
    for (const VoicemailMessage &m : repo.messages()) {
        if (!m.receivedAt.isValid() || m.receivedAt >= cutoff)
            continue;
        const QString error = deleteMessage(repo, m.id, QStringLiteral("retention"), false, actor);
        if (error.isEmpty())
            ++deleted;
        else if (errors)
            errors->append(error);
    }
    return deleted;
}

QString exportMessage(VoicemailRepository &repo, qint64 id, const QString &destination,
                      bool overwrite)
{
    const auto m = repo.byId(id);
    if (!m)
        return QStringLiteral("no voicemail %1").arg(id);
    if (m->downloadState != VoicemailMessage::DownloadState::Downloaded || m->filePath.isEmpty())
        return QStringLiteral("voicemail %1 has no audio (%2)")
            .arg(id)
            .arg(VoicemailMessage::stateName(m->downloadState));
    if (!overwrite && QFileInfo::exists(destination))
        return QStringLiteral("%1 exists (use --force to replace it)").arg(destination);
    QFile in(m->filePath);
    if (!in.open(QIODevice::ReadOnly))
        return QStringLiteral("cannot read %1: %2").arg(m->filePath, in.errorString());
    const QByteArray bytes = in.readAll();
    const QString actual =
        QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
    if (actual != m->fileSha256)
        return QStringLiteral("%1 no longer matches its SHA-256 %2 (it was modified)")
            .arg(m->filePath, m->fileSha256);
    QSaveFile out(destination);
    if (!out.open(QIODevice::WriteOnly) || out.write(bytes) != bytes.size() || !out.commit())
        return QStringLiteral("cannot write %1: %2").arg(destination, out.errorString());
    return {};
}

QString FileCheck::problem() const
{
    if (logged.isEmpty())
        return QStringLiteral("not in the log");
    if (logged != expected)
        return QStringLiteral("record differs from the log");
    if (actual.isNull())
        return QStringLiteral("missing");
    return actual == expected ? QString() : QStringLiteral("modified");
}

QList<FileCheck> verify(const VoicemailRepository &repo)
{
    QList<FileCheck> out;
    const QHash<qint64, QString> logged = repo.loggedSha256();
    for (const VoicemailMessage &m : repo.downloaded()) {
        FileCheck c;
        c.id = m.id;
        c.path = m.filePath;
        c.expected = m.fileSha256;
        c.logged = logged.value(m.id);
        c.actual = sha256Of(m.filePath);
        out.append(c);
    }
    return out;
}

} // namespace kt::VoicemailFiles
