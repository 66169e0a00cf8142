// SPDX-License-Identifier: GPL-3.0-or-later
// `kevan-tel voicemail …`: the callers' recorded messages (see the README's "Voicemail").
#include "admincommands.h"

#include "output.h"
#include "screeningcli.h"
#include "store/eventstore.h"
#include "voicemail/recordingsapi.h"
#include "voicemail/voicemailfiles.h"
#include "voicemail/voicemailrepository.h"

#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QTimer>

namespace kt {
namespace {

const QString kUsage = QStringLiteral(
    "usage: kevan-tel voicemail [list] [--json] | voicemail export ID FILE [--force] | "
    "voicemail heard ID | voicemail delete ID [--remote] | voicemail verify | voicemail prune");

// A caller's text in a terminal table: control characters shown as \xNN, cut to `max`.
QString printable(const QString &text, int max)
{
    QString out;
    for (const QChar c : text.left(max)) {
        if (c.category() == QChar::Other_Control || c.category() == QChar::Other_Format)
            out += QStringLiteral("\\x%1").arg(c.unicode(), 2, 16, QLatin1Char('0'));
        else
            out += c;
    }
    return text.size() > max ? out + QStringLiteral("…") : out;
}

std::optional<qint64> messageId(const QString &text)
{
    bool ok = false;
    const qint64 id = text.toLongLong(&ok);
    if (!ok || id <= 0) {
        Output::error(QStringLiteral("invalid voicemail id \"%1\"").arg(printable(text, 40)));
        return std::nullopt;
    }
    return id;
}

int list(const CommandLine &cl, const VoicemailRepository &repo)
{
    const QList<VoicemailMessage> messages = repo.messages(false, true);
    if (cl.json) {
        QJsonArray rows;
        for (const VoicemailMessage &m : messages)
            rows.append(m.toJson());
        Output::json(rows);
        return 0;
    }
    QList<QStringList> rows;
    for (const VoicemailMessage &m : messages) {
        const QString state = m.downloadState == VoicemailMessage::DownloadState::Failed
                                  ? QStringLiteral("failed: ") + printable(m.error, 60)
                                  : VoicemailMessage::stateName(m.downloadState);
        rows.append({QString::number(m.id), screeningcli::isoTime(m.receivedAt),
                     printable(m.from, 32), printable(m.to, 32),
                     m.durationMs < 0
                         ? QString()
                         : QStringLiteral("%1 s").arg(double(m.durationMs) / 1000.0, 0, 'f', 1),
                     m.heard() ? QStringLiteral("yes") : QStringLiteral("no"), state,
                     printable(m.transcript, 50)});
    }
    Output::table({QStringLiteral("ID"), QStringLiteral("RECEIVED"), QStringLiteral("FROM"),
                   QStringLiteral("TO"), QStringLiteral("DURATION"), QStringLiteral("HEARD"),
                   QStringLiteral("AUDIO"), QStringLiteral("TRANSCRIPT")},
                  rows);
    return 0;
}

int reportResult(const QString &error, const QString &message, bool json, qint64 id)
{
    if (!error.isEmpty()) {
        Output::error(error);
        return 1;
    }
    if (json)
        Output::json(QJsonArray{QJsonObject{{QStringLiteral("ok"), true},
                                            {QStringLiteral("id"), id},
                                            {QStringLiteral("message"), message}}});
    else
        Output::line(message);
    return 0;
}

// DELETE {api}/recordings/{id} with the account's key, waiting for the answer.
QString deleteOnTelnyx(const CommandLine &cl, const VoicemailMessage &m)
{
    if (m.recordingId.isEmpty())
        return QStringLiteral("voicemail %1 has no Telnyx recording id").arg(m.id);
    if (!cl.config.hasAccount())
        return QStringLiteral("--remote needs the Telnyx API key (TELNYX_API_KEY)");
    QNetworkAccessManager network;
    RecordingsApi api(&network, cl.config.telnyxApiUrl, cl.config.apiKey);
    QEventLoop loop;
    QString error = QStringLiteral("Telnyx did not answer in time");
    api.remove(m.recordingId, [&](bool ok, int, const QString &why) {
        error = ok ? QString() : why;
        loop.quit();
    });
    QTimer::singleShot(30000, &loop, &QEventLoop::quit);
    loop.exec();
    return error;
}

int verify(const CommandLine &cl, const VoicemailRepository &repo)
{
    const QList<VoicemailFiles::FileCheck> checks = VoicemailFiles::verify(repo);
    int bad = 0;
    QJsonArray rows;
    QList<QStringList> table;
    for (const VoicemailFiles::FileCheck &c : checks) {
        bad += c.ok() ? 0 : 1;
        const QString status = c.ok() ? QStringLiteral("ok") : c.problem();
        rows.append(QJsonObject{{QStringLiteral("id"), c.id},
                                {QStringLiteral("file"), c.path},
                                {QStringLiteral("sha256"), c.expected},
                                {QStringLiteral("ok"), c.ok()},
                                {QStringLiteral("status"), status}});
        table.append({QString::number(c.id), status, c.path});
    }
    if (cl.json) {
        Output::json(rows);
    } else {
        Output::table({QStringLiteral("ID"), QStringLiteral("STATUS"), QStringLiteral("FILE")},
                      table);
        Output::line(bad == 0 ? QStringLiteral("voicemail files intact: %1").arg(checks.size())
                              : QStringLiteral("voicemail files NOT intact: %1 of %2")
                                    .arg(bad)
                                    .arg(checks.size()));
    }
    return bad == 0 ? 0 : 1;
}

} // namespace

int voicemailCommand(const CommandLine &cl, EventStore &store)
{
    const QStringList &w = cl.words;
    const QString sub = w.value(1);
    VoicemailRepository repo(store);
    if (w.size() == 1 || (sub == QLatin1String("list") && w.size() == 2))
        return list(cl, repo);
    if (sub == QLatin1String("verify") && w.size() == 2)
        return verify(cl, repo);
    if (sub == QLatin1String("prune") && w.size() == 2) {
        QStringList errors;
        const int deleted = VoicemailFiles::applyRetention(repo, cl.config.voicemailRetentionDays,
                                                           QDateTime::currentDateTimeUtc(),
                                                           screeningcli::actor(), &errors);
        for (const QString &e : errors)
            Output::error(e);
        Output::line(cl.config.voicemailRetentionDays <= 0
                         ? QStringLiteral("voicemail-retention-days is 0: all audio is kept")
                         : QStringLiteral("deleted the audio of %1 message(s) older than %2 days")
                               .arg(deleted)
                               .arg(cl.config.voicemailRetentionDays));
        return errors.isEmpty() ? 0 : 1;
    }
    if (sub == QLatin1String("export") && w.size() == 4) {
        const auto id = messageId(w.at(2));
        if (!id)
            return 2;
        return reportResult(VoicemailFiles::exportMessage(repo, *id, w.at(3), cl.force),
                            QStringLiteral("exported voicemail %1 to %2").arg(*id).arg(w.at(3)),
                            cl.json, *id);
    }
    if (sub == QLatin1String("heard") && w.size() == 3) {
        const auto id = messageId(w.at(2));
        if (!id)
            return 2;
        const VoicemailRepository::Result r = repo.markHeard(*id, screeningcli::actor());
        return reportResult(r.error, QStringLiteral("voicemail %1 marked heard").arg(*id), cl.json,
                            *id);
    }
    if (sub == QLatin1String("delete") && w.size() == 3) {
        const auto id = messageId(w.at(2));
        if (!id)
            return 2;
        const auto m = repo.byId(*id);
        if (!m)
            return reportResult(QStringLiteral("no voicemail %1").arg(*id), {}, cl.json, *id);
        // Telnyx first: if that fails nothing is deleted here, and the command can be repeated.
        if (cl.remote) {
            if (const QString error = deleteOnTelnyx(cl, *m); !error.isEmpty())
                return reportResult(error, {}, cl.json, *id);
        }
        return reportResult(
            VoicemailFiles::deleteMessage(repo, *id, QStringLiteral("owner"), cl.remote,
                                          screeningcli::actor()),
            cl.remote
                ? QStringLiteral("deleted voicemail %1 (and its recording on Telnyx)").arg(*id)
                : QStringLiteral("deleted voicemail %1").arg(*id),
            cl.json, *id);
    }
    return usageError(kUsage);
}

} // namespace kt
