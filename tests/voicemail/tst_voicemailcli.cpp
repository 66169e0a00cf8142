// SPDX-License-Identifier: GPL-3.0-or-later
// `kevan-tel voicemail …` run as the real binary on a database whose messages were fetched from
// the fake Telnyx's recording storage.
#include "cliprocess.h"
#include "simulator/recordingstore.h"
#include "store/eventstore.h"
#include "voicemail/recordingfetcher.h"
#include "voicemail/recordingpayload.h"
#include "voicemail/voicemailfiles.h"
#include "voicemail/voicemailrepository.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace kt;

namespace {
const QString kKey = QStringLiteral("KEY_voicemail_cli");
} // namespace

class TestVoicemailCli : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<RecordingStore> m_fake;
    QStringList m_recordings; // fake ids, in the order of the messages 1, 2, 3

    QString path(const QString &name) const { return m_dir->filePath(name); }
    QString dbPath() const { return path(QStringLiteral("kevan-tel.db")); }

    QProcessEnvironment environment() const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HOME"), m_dir->path());
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), path(QStringLiteral("config")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), path(QStringLiteral("data")));
        env.insert(QStringLiteral("TELNYX_API_KEY"), kKey);
        env.insert(QStringLiteral("TELNYX_API_URL"), m_fake->apiBaseUrl());
        env.remove(QStringLiteral("TELNYX_PUBLIC_KEY"));
        return env;
    }

    kt::test::CliRun run(QStringList args)
    {
        args << QStringLiteral("--db") << dbPath();
        return kt::test::runCli(QStringLiteral(KEVANTEL_BINARY), args, environment());
    }

    static QByteArray describe(const kt::test::CliRun &r)
    {
        return "exit " + QByteArray::number(r.exitCode) + "\nstdout: " + r.out +
               "\nstderr: " + r.err;
    }

    QByteArray served(int message) const
    {
        return m_fake->recording(m_recordings.at(message - 1))->audio;
    }

private slots:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_fake = std::make_unique<RecordingStore>();
        m_fake->setApiKey(kKey);
        QVERIFY(m_fake->start());
        m_recordings.clear();

        // Three messages: an old one, one with a hostile transcript, and a recent one.
        EventStore store;
        QVERIFY(store.open(dbPath(), QStringLiteral("setup")));
        VoicemailRepository repo(store);
        RecordingFetcher::Settings s;
        s.apiBaseUrl = m_fake->apiBaseUrl();
        s.apiKey = kKey;
        RecordingFetcher fetcher(repo, VoicemailFiles::folderFor(dbPath()), s);
        QSignalSpy done(&fetcher, &RecordingFetcher::downloaded);
        const QDateTime now = QDateTime::currentDateTimeUtc();
        for (int i = 0; i < 3; ++i) {
            RecordingStore::Recording r;
            r.callControlId = QStringLiteral("v3:cli-call-%1").arg(i);
            r.from = QStringLiteral("+1770230063%1").arg(i);
            r.to = QStringLiteral("+14045550100");
            r.durationMs = 1000 + 500 * i;
            r.endedAt = now.addDays(i == 0 ? -45 : i - 3); // -45, -2, -1 days
            // The call is in the history (as the engine records it): the message takes its
            // numbers from there, call.recording.saved has none.
            NewEvent initiated;
            initiated.type = QStringLiteral("call.initiated");
            initiated.callId = r.callControlId;
            initiated.actor = QStringLiteral("telnyx");
            CallUpdate call;
            call.callId = r.callControlId;
            call.fromNumber = r.from;
            call.toNumber = r.to;
            QVERIFY(store.append(initiated, &call).ok());
            r.from.clear(); // not from the API either: the download needs no fresh link
            r.to.clear();
            const QString id = m_fake->add(r);
            m_recordings << id;
            const auto result = fetcher.accept(m_fake->recordingSavedWebhook(id));
            QVERIFY(result.ok);
            QCOMPARE(result.id, i + 1);
            QVERIFY(done.wait(10000));
        }
        const auto t = RecordingPayload::parseTranscription(
            RecordingPayload::payloadOf(m_fake->transcriptionSavedWebhook(
                m_recordings.at(1), QStringLiteral("Call me\x1b[31m back"))));
        QVERIFY(repo.recordTranscription(t, QStringLiteral("engine")).ok);
    }

    void cleanup()
    {
        m_fake.reset();
        m_dir.reset();
    }

    void listsAsJsonAndTable()
    {
        const auto r = run({QStringLiteral("voicemail"), QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, describe(r));
        const QJsonArray rows = r.json();
        QCOMPARE(rows.size(), 3);
        // Newest first (all unheard).
        QCOMPARE(rows.at(0).toObject().value(QStringLiteral("id")).toInt(), 3);
        QCOMPARE(rows.at(2).toObject().value(QStringLiteral("id")).toInt(), 1);
        const QJsonObject two = rows.at(1).toObject();
        for (const char *key : {"id", "call", "from", "to", "received", "duration", "transcript",
                                "file", "sha256", "heard"})
            QVERIFY2(two.contains(QLatin1String(key)), key);
        QCOMPARE(two.value(QStringLiteral("call")).toString(), QStringLiteral("v3:cli-call-1"));
        QCOMPARE(two.value(QStringLiteral("from")).toString(), QStringLiteral("+17702300631"));
        QCOMPARE(two.value(QStringLiteral("duration")).toDouble(), 1.5);
        QCOMPARE(two.value(QStringLiteral("transcript")).toString(),
                 QStringLiteral("Call me\x1b[31m back"));
        QCOMPARE(two.value(QStringLiteral("heard")).toBool(), false);
        const QString sha = QString::fromLatin1(
            QCryptographicHash::hash(served(2), QCryptographicHash::Sha256).toHex());
        QCOMPARE(two.value(QStringLiteral("sha256")).toString(), sha);
        QVERIFY(two.value(QStringLiteral("file")).toString().endsWith(sha + ".wav"));

        // The table shows the transcript with the escape character made visible.
        const auto table = run({QStringLiteral("voicemail"), QStringLiteral("list")});
        QVERIFY2(table.exitCode == 0, describe(table));
        QVERIFY(table.out.contains("TRANSCRIPT"));
        QVERIFY2(table.out.contains("Call me\\x1b[31m back"), table.out);
        QVERIFY(!table.out.contains('\x1b'));
    }

    void exportGivesTheSameBytes()
    {
        const QString out = path(QStringLiteral("message.wav"));
        auto r =
            run({QStringLiteral("voicemail"), QStringLiteral("export"), QStringLiteral("2"), out});
        QVERIFY2(r.exitCode == 0, describe(r));
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), served(2));
        f.close();
        // Not over an existing file unless --force.
        r = run({QStringLiteral("voicemail"), QStringLiteral("export"), QStringLiteral("3"), out});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.contains("--force"));
        r = run({QStringLiteral("voicemail"), QStringLiteral("export"), QStringLiteral("3"), out,
                 QStringLiteral("--force")});
        QVERIFY2(r.exitCode == 0, describe(r));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), served(3));
        // Unknown and malformed ids.
        QCOMPARE(run({QStringLiteral("voicemail"), QStringLiteral("export"), QStringLiteral("9"),
                      path(QStringLiteral("x"))})
                     .exitCode,
                 1);
        QCOMPARE(run({QStringLiteral("voicemail"), QStringLiteral("heard"), QStringLiteral("x")})
                     .exitCode,
                 2);
    }

    void heardAndDeleteOnTelnyx()
    {
        auto r = run({QStringLiteral("voicemail"), QStringLiteral("heard"), QStringLiteral("3")});
        QVERIFY2(r.exitCode == 0, describe(r));
        QJsonArray rows = run({QStringLiteral("voicemail"), QStringLiteral("--json")}).json();
        // Unheard first: 3 is now last.
        QCOMPARE(rows.at(2).toObject().value(QStringLiteral("id")).toInt(), 3);
        QCOMPARE(rows.at(2).toObject().value(QStringLiteral("heard")).toBool(), true);

        const QString file = rows.at(0).toObject().value(QStringLiteral("file")).toString();
        QCOMPARE(rows.at(0).toObject().value(QStringLiteral("id")).toInt(), 2);
        QVERIFY(QFileInfo::exists(file));
        r = run({QStringLiteral("voicemail"), QStringLiteral("delete"), QStringLiteral("2"),
                 QStringLiteral("--remote")});
        QVERIFY2(r.exitCode == 0, describe(r));
        QVERIFY(!QFileInfo::exists(file));
        QVERIFY(m_fake->recording(m_recordings.at(1))->deleted);
        bool deleteSent = false;
        for (const auto &request : m_fake->requests())
            deleteSent =
                deleteSent || (request.method == "DELETE" &&
                               request.headers.value("authorization") == "Bearer " + kKey.toUtf8());
        QVERIFY(deleteSent);
        rows = run({QStringLiteral("voicemail"), QStringLiteral("--json")}).json();
        QCOMPARE(rows.size(), 2);

        // The log has the deletion, with the SHA-256 and without the transcript.
        r = run({QStringLiteral("events"), QStringLiteral("--type"),
                 QStringLiteral("tel.voicemail_deleted"), QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, describe(r));
        const QJsonArray deleted = r.json();
        QCOMPARE(deleted.size(), 1);
        const QJsonObject payload =
            deleted.at(0).toObject().value(QStringLiteral("payload")).toObject();
        QCOMPARE(payload.value(QStringLiteral("voicemail_id")).toInt(), 2);
        QCOMPARE(payload.value(QStringLiteral("remote")).toBool(), true);
        QCOMPARE(payload.value(QStringLiteral("sha256")).toString().size(), 64);
        const auto all = run({QStringLiteral("events"), QStringLiteral("--json"),
                              QStringLiteral("--limit"), QStringLiteral("1000")});
        QVERIFY(!all.out.contains("Call me"));
        QVERIFY(!all.out.contains("X-Amz-Signature"));
        QCOMPARE(run({QStringLiteral("events"), QStringLiteral("verify")}).exitCode, 0);
    }

    void verifyFindsAModifiedFile()
    {
        auto r = run({QStringLiteral("voicemail"), QStringLiteral("verify")});
        QVERIFY2(r.exitCode == 0, describe(r));
        QVERIFY(r.out.contains("voicemail files intact: 3"));
        const QJsonArray rows = run({QStringLiteral("voicemail"), QStringLiteral("--json")}).json();
        const int edited = rows.at(0).toObject().value(QStringLiteral("id")).toInt();
        QFile f(rows.at(0).toObject().value(QStringLiteral("file")).toString());
        QVERIFY(f.open(QIODevice::Append));
        f.write("x");
        f.close();
        r = run({QStringLiteral("voicemail"), QStringLiteral("verify")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.out.contains("modified"), r.out);
        QVERIFY(r.out.contains("NOT intact: 1 of 3"));
        // The audit: `events verify` holds each kept file to the SHA-256 its download event
        // recorded, the chain itself being intact.
        r = run({QStringLiteral("events"), QStringLiteral("verify")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.out.contains("hash chain intact"), r.out);
        QVERIFY2(r.out.contains(QStringLiteral("voicemail %1: modified").arg(edited).toUtf8()),
                 r.out);
        QVERIFY2(r.err.contains("voicemail files NOT matching the log: 1 of 3"), r.err);
        const QJsonObject json =
            run({QStringLiteral("events"), QStringLiteral("verify"), QStringLiteral("--json")})
                .json()
                .at(0)
                .toObject();
        QCOMPARE(json.value(QStringLiteral("ok")).toBool(), false);
        QCOMPARE(json.value(QStringLiteral("voicemail_files"))
                     .toObject()
                     .value(QStringLiteral("checked"))
                     .toInt(),
                 3);
        // Someone who edits the file and the message's row to match it is still caught: the
        // row is not chained, the download event is.
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString editedSha = QString::fromLatin1(
            QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256).toHex());
        f.close();
        {
            EventStore store;
            QVERIFY(store.open(dbPath(), QStringLiteral("tamper")));
            QSqlQuery q(QSqlDatabase::database(store.connectionName()));
            QVERIFY(q.exec(QStringLiteral("UPDATE voicemail_messages SET file_sha256 = '%1'"
                                          " WHERE id = %2")
                               .arg(editedSha)
                               .arg(edited)));
            QCOMPARE(q.numRowsAffected(), 1);
        }
        r = run({QStringLiteral("voicemail"), QStringLiteral("verify")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.out.contains("record differs from the log"), r.out);
        r = run({QStringLiteral("events"), QStringLiteral("verify")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(
            r.out.contains(
                QStringLiteral("voicemail %1: record differs from the log").arg(edited).toUtf8()),
            r.out);
    }

    void pruneAppliesTheRetentionSetting()
    {
        auto r = run({QStringLiteral("voicemail"), QStringLiteral("prune")});
        QVERIFY2(r.exitCode == 0, describe(r));
        QVERIFY(r.out.contains("all audio is kept"));
        r = run({QStringLiteral("voicemail"), QStringLiteral("prune"),
                 QStringLiteral("--voicemail-retention-days"), QStringLiteral("30")});
        QVERIFY2(r.exitCode == 0, describe(r));
        QVERIFY2(r.out.contains("deleted the audio of 1 message(s)"), r.out);
        const QJsonArray rows = run({QStringLiteral("voicemail"), QStringLiteral("--json")}).json();
        QCOMPARE(rows.size(), 2);
        for (const QJsonValue &row : rows)
            QVERIFY(row.toObject().value(QStringLiteral("id")).toInt() != 1);
        QCOMPARE(run({QStringLiteral("voicemail"), QStringLiteral("prune"),
                      QStringLiteral("--voicemail-retention-days"), QStringLiteral("-1")})
                         .exitCode == 0,
                 false);
    }
};

QTEST_GUILESS_MAIN(TestVoicemailCli)
#include "tst_voicemailcli.moc"
