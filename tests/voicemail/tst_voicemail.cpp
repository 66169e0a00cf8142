// SPDX-License-Identifier: GPL-3.0-or-later
// Voicemail's building blocks against the fake Telnyx's recording storage, on loopback: the
// download (live, expired, slow, failing, cut off and resumed), duplicates, transcripts and
// errors, deletion, retention, the integrity check and the files' permissions.
#include "pgtestdatabase.h"
#include "simulator/audiogenerator.h"
#include "simulator/recordingstore.h"
#include "store/eventstore.h"
#include "voicemail/recordingfetcher.h"
#include "voicemail/recordingpayload.h"
#include "voicemail/recordingsapi.h"
#include "voicemail/voicemailfiles.h"
#include "voicemail/voicemailrepository.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace kt;

namespace {
const QString kKey = QStringLiteral("KEY_voicemail_test");

QString sha256(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

QJsonObject fixture(const char *name)
{
    QFile f(QStringLiteral(KEVANTEL_FIXTURES_DIR "/") + QLatin1String(name));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}
} // namespace

class TestVoicemail : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<EventStore> m_store;
    std::unique_ptr<VoicemailRepository> m_repo;
    std::unique_ptr<RecordingStore> m_fake;
    int m_storeNumber = 0;
    int m_calls = 0;

    // Every test runs on SQLite and on PostgreSQL (initTestCase_data), there in a database of
    // its own; the audio folder is beside the SQLite file either way.
    bool m_pg = false;
    std::unique_ptr<test::PgTestDatabase> m_pgDatabase;
    QString sqlitePath() const { return m_dir->filePath(QStringLiteral("data/kevan-tel.db")); }
    QString dbPath() const { return m_pg ? m_pgDatabase->url() : sqlitePath(); }
    QString folder() const { return VoicemailFiles::folderFor(sqlitePath()); }

    RecordingFetcher::Settings settings(const QString &key = kKey) const
    {
        RecordingFetcher::Settings s;
        s.apiBaseUrl = m_fake->apiBaseUrl();
        s.apiKey = key;
        s.retryDelaysMs = {10, 20, 40};
        s.maxRefreshes = 2;
        s.transferTimeoutMs = 10000;
        return s;
    }

    QString addRecording(int durationMs = 2000, const QDateTime &endedAt = QDateTime())
    {
        RecordingStore::Recording r;
        r.callControlId = QStringLiteral("v3:call-%1").arg(++m_calls);
        r.callLegId = QStringLiteral("leg-") + r.callControlId;
        r.callSessionId = QStringLiteral("session-") + r.callControlId;
        r.from = QStringLiteral("+17702300635");
        r.to = QStringLiteral("+14045550100");
        r.durationMs = durationMs;
        r.endedAt = endedAt;
        return m_fake->add(r);
    }

    // Accepts the webhook and waits for the outcome; the message id, or 0.
    qint64 download(RecordingFetcher &fetcher, const QJsonObject &webhook, bool expectOk = true,
                    int timeoutMs = 20000)
    {
        QSignalSpy done(&fetcher, &RecordingFetcher::downloaded);
        QSignalSpy failed(&fetcher, &RecordingFetcher::failed);
        const VoicemailRepository::Result r = fetcher.accept(webhook);
        if (!r.ok)
            return 0;
        if (!QTest::qWaitFor([&] { return done.size() + failed.size() > 0; }, timeoutMs))
            return 0;
        if (expectOk != (done.size() == 1)) {
            qWarning() << "unexpected outcome" << failed.value(0);
            return 0;
        }
        return r.id;
    }

    QList<StoredEvent> events(const char *type)
    {
        EventQuery q;
        q.type = QString::fromLatin1(type);
        q.limit = 0;
        return m_store->events(q);
    }

    QByteArray fileBytes(const QString &path)
    {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }

private slots:
    void initTestCase_data()
    {
        QTest::addColumn<QString>("backend");
        QTest::newRow("sqlite") << QStringLiteral("sqlite");
        QTest::newRow("postgresql") << QStringLiteral("postgresql");
    }

    void init()
    {
        QFETCH_GLOBAL(QString, backend);
        m_pg = backend == QLatin1String("postgresql");
        if (m_pg) {
            if (test::pgServerUrl().isEmpty())
                QSKIP(qPrintable(test::pgSkipReason()));
            m_pgDatabase = std::make_unique<test::PgTestDatabase>();
            QString error;
            QVERIFY2(m_pgDatabase->create(&error), qPrintable(error));
        }
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        QVERIFY(QDir().mkpath(QFileInfo(sqlitePath()).path()));
        m_store = std::make_unique<EventStore>();
        QVERIFY2(m_store->open(dbPath(), QStringLiteral("vm%1").arg(++m_storeNumber)),
                 qPrintable(m_store->errorString()));
        m_repo = std::make_unique<VoicemailRepository>(*m_store);
        m_fake = std::make_unique<RecordingStore>();
        m_fake->setApiKey(kKey);
        QVERIFY(m_fake->start());
    }

    void cleanup()
    {
        m_fake.reset();
        m_repo.reset();
        m_store.reset();
        m_dir.reset();
        m_pgDatabase.reset();
    }

    void generatedAudioIsAWav()
    {
        const QByteArray wav = AudioGenerator::speechLikeWav(1500, 7);
        QCOMPARE(wav.size(), 44 + 1500 * 8 * 2);
        QVERIFY(wav.startsWith("RIFF"));
        QCOMPARE(wav.mid(8, 8), QByteArray("WAVEfmt "));
        QCOMPARE(wav.mid(36, 4), QByteArray("data"));
        QCOMPARE(wav, AudioGenerator::speechLikeWav(1500, 7)); // deterministic
        QVERIFY(wav != AudioGenerator::speechLikeWav(1500, 8));
        // Not silence: some samples are loud.
        int loud = 0;
        for (int i = 44; i + 1 < wav.size(); i += 2)
            loud += qAbs(qint16(quint8(wav[i]) | (quint8(wav[i + 1]) << 8))) > 3000 ? 1 : 0;
        QVERIFY2(loud > 500, qPrintable(QString::number(loud)));
    }

    void liveLinkDownloadsWithoutAuthorization()
    {
        const QString id = addRecording();
        RecordingFetcher fetcher(*m_repo, folder(), settings());
        const QJsonObject webhook = m_fake->recordingSavedWebhook(id);
        const qint64 message = download(fetcher, webhook);
        QVERIFY(message > 0);

        const QByteArray served = m_fake->recording(id)->audio;
        const auto m = m_repo->byId(message);
        QVERIFY(m);
        QCOMPARE(VoicemailMessage::stateName(m->downloadState), QStringLiteral("downloaded"));
        QCOMPARE(m->fileSha256, sha256(served));
        QCOMPARE(m->filePath, QDir(folder()).filePath(sha256(served) + QStringLiteral(".wav")));
        QCOMPARE(fileBytes(m->filePath), served);
        QCOMPARE(m->recordingId, id);
        QCOMPARE(m->durationMs, 2000);
        QVERIFY(m->urlWav.isEmpty()); // the link is not kept once used
        QVERIFY(!QFileInfo::exists(fetcher.partialPath(message)));

        // One download, and no Authorization header on it.
        const auto requests = m_fake->audioRequests();
        QCOMPARE(requests.size(), 1);
        QCOMPARE(requests.first().status, 200);
        QVERIFY(!requests.first().hasAuthorization());

        // The log: recorded, then downloaded with the SHA-256; no link, no audio.
        const auto recorded = events("tel.voicemail_recorded");
        const auto downloaded = events("tel.voicemail_downloaded");
        QCOMPARE(recorded.size(), 1);
        QCOMPARE(downloaded.size(), 1);
        QCOMPARE(downloaded.first().payload.value(QStringLiteral("sha256")).toString(),
                 sha256(served));
        QCOMPARE(downloaded.first().payload.value(QStringLiteral("voicemail_id")).toInteger(),
                 message);
        QCOMPARE(downloaded.first().callId, m->callId);
        for (const StoredEvent &e : m_store->events({})) {
            const QByteArray json = QJsonDocument(e.payload).toJson();
            QVERIFY(!json.contains("X-Amz-Signature"));
            QVERIFY(!json.contains("RIFF"));
        }
        QVERIFY(m_store->verify().ok);

        // Exported: the same bytes; an existing file is not replaced unless asked.
        const QString out = m_dir->filePath(QStringLiteral("export.wav"));
        QCOMPARE(VoicemailFiles::exportMessage(*m_repo, message, out, false), QString());
        QCOMPARE(fileBytes(out), served);
        QVERIFY(VoicemailFiles::exportMessage(*m_repo, message, out, false).contains("exists"));
        QCOMPARE(VoicemailFiles::exportMessage(*m_repo, message, out, true), QString());
    }

    void storageRefusesAuthorizationHeader()
    {
        const QString id = addRecording();
        const QUrl url(m_fake->presignedUrl(id));
        QNetworkAccessManager network;
        auto get = [&](bool withKey) {
            QNetworkRequest request(url);
            if (withKey)
                request.setRawHeader("Authorization", "Bearer " + kKey.toUtf8());
            QNetworkReply *reply = network.get(request);
            QSignalSpy finished(reply, &QNetworkReply::finished);
            finished.wait(5000);
            reply->deleteLater();
            return std::pair{reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(),
                             reply->readAll()};
        };
        const auto [refused, error] = get(true);
        QCOMPARE(refused, 400);
        QVERIFY(error.contains("<Code>InvalidArgument</Code>"));
        const auto [ok, body] = get(false);
        QCOMPARE(ok, 200);
        QCOMPARE(body, m_fake->recording(id)->audio);
        // The presigned link looks like S3's.
        QVERIFY(url.query().contains(QStringLiteral("X-Amz-Expires=600")));
        QVERIFY(url.query().contains(QStringLiteral("X-Amz-Signature=")));
    }

    void expiredLinkIsRenewedThroughTheApi()
    {
        const QString id = addRecording();
        const QJsonObject webhook = m_fake->recordingSavedWebhook(id);
        m_fake->expireIssuedLinks(); // the webhook waited too long
        RecordingFetcher fetcher(*m_repo, folder(), settings());
        const qint64 message = download(fetcher, webhook);
        QVERIFY(message > 0);
        QCOMPARE(m_repo->byId(message)->fileSha256, sha256(m_fake->recording(id)->audio));

        QList<int> audio;
        for (const auto &r : m_fake->audioRequests())
            audio << r.status;
        QCOMPARE(audio, (QList<int>{403, 200}));
        bool asked = false;
        for (const auto &r : m_fake->requests()) {
            if (r.path() == "/v2/recordings/" + id.toLatin1()) {
                asked = true;
                QCOMPARE(r.headers.value("authorization"), "Bearer " + kKey.toUtf8());
            } else {
                QVERIFY(!r.hasAuthorization());
            }
        }
        QVERIFY(asked);
    }

    void linkWithoutRecordingIdIsFoundByTheCall()
    {
        const QString id = addRecording();
        QJsonObject webhook = m_fake->recordingSavedWebhook(id);
        QJsonObject data = webhook.value(QStringLiteral("data")).toObject();
        QJsonObject payload = data.value(QStringLiteral("payload")).toObject();
        payload.remove(QStringLiteral("recording_id"));
        data.insert(QStringLiteral("payload"), payload);
        webhook.insert(QStringLiteral("data"), data);
        m_fake->expireIssuedLinks();
        RecordingFetcher fetcher(*m_repo, folder(), settings());
        const qint64 message = download(fetcher, webhook);
        QVERIFY(message > 0);
        bool listed = false;
        for (const auto &r : m_fake->requests())
            listed = listed || r.target.startsWith("/v2/recordings?filter%5Bcall_leg_id%5D=");
        QVERIFY(listed);
    }

    void slowStorage()
    {
        const QString id = addRecording(1500);
        m_fake->setChunking(2000, 15);
        RecordingFetcher fetcher(*m_repo, folder(), settings());
        QSignalSpy progress(&fetcher, &RecordingFetcher::progress);
        const qint64 message = download(fetcher, m_fake->recordingSavedWebhook(id));
        QVERIFY(message > 0);
        QVERIFY2(progress.size() >= 3, qPrintable(QString::number(progress.size())));
        QCOMPARE(fileBytes(m_repo->byId(message)->filePath), m_fake->recording(id)->audio);
    }

    void failingStorageIsRetried()
    {
        const QString id = addRecording();
        m_fake->failDownloads(2, 503);
        RecordingFetcher fetcher(*m_repo, folder(), settings());
        const qint64 message = download(fetcher, m_fake->recordingSavedWebhook(id));
        QVERIFY(message > 0);
        QList<int> audio;
        for (const auto &r : m_fake->audioRequests())
            audio << r.status;
        QCOMPARE(audio, (QList<int>{503, 503, 200}));
        QCOMPARE(m_repo->byId(message)->downloadAttempts, 3);
        QVERIFY(events("tel.voicemail_error").isEmpty());
    }

    void permanentFailureIsRecordedAndShown()
    {
        const QString id = addRecording();
        m_fake->failDownloads(-1, 503);
        RecordingFetcher fetcher(*m_repo, folder(), settings());
        QSignalSpy failed(&fetcher, &RecordingFetcher::failed);
        const qint64 message = download(fetcher, m_fake->recordingSavedWebhook(id), false);
        QVERIFY(message > 0);
        QVERIFY(failed.first().at(1).toString().contains(QStringLiteral("HTTP 503")));
        const auto m = m_repo->byId(message);
        QCOMPARE(VoicemailMessage::stateName(m->downloadState), QStringLiteral("failed"));
        QVERIFY(m->error.contains(QStringLiteral("HTTP 503")));
        // Shown: listed with its error.
        const auto listed = m_repo->messages();
        QCOMPARE(listed.size(), 1);
        QCOMPARE(listed.first().toJson().value(QStringLiteral("error")).toString(), m->error);
        const auto errors = events("tel.voicemail_error");
        QCOMPARE(errors.size(), 1);
        QCOMPARE(errors.first().payload.value(QStringLiteral("source")).toString(),
                 QStringLiteral("download"));
        // Tried on each link (1 + 3 retries), with fresh links twice (maxRefreshes).
        QCOMPARE(m_fake->audioRequests().size(), 3 * 4);
        QVERIFY(!QFileInfo::exists(fetcher.partialPath(message)));
    }

    void restartMidDownloadResumes()
    {
        const QString id = addRecording(4000); // 64 KB
        const QByteArray served = m_fake->recording(id)->audio;
        m_fake->setChunking(4000, 40);
        qint64 message = 0;
        qint64 before = 0;
        {
            auto fetcher = std::make_unique<RecordingFetcher>(*m_repo, folder(), settings());
            QSignalSpy progress(fetcher.get(), &RecordingFetcher::progress);
            const auto r = fetcher->accept(m_fake->recordingSavedWebhook(id));
            QVERIFY(r.ok);
            message = r.id;
            QVERIFY(QTest::qWaitFor(
                [&] { return !progress.isEmpty() && progress.last().at(1).toLongLong() >= 12000; },
                10000));
            fetcher.reset(); // the program stops mid-transfer
            before = QFileInfo(RecordingFetcher(*m_repo, folder(), settings()).partialPath(message))
                         .size();
        }
        QVERIFY2(before >= 12000 && before < served.size(), qPrintable(QString::number(before)));
        QCOMPARE(VoicemailMessage::stateName(m_repo->byId(message)->downloadState),
                 QStringLiteral("pending"));

        // The next start: a new fetcher on the same database picks it up.
        m_fake->setChunking(0, 0);
        m_fake->clearRequests();
        RecordingFetcher again(*m_repo, folder(), settings());
        QSignalSpy done(&again, &RecordingFetcher::downloaded);
        QCOMPARE(again.resumePending(), 1);
        QVERIFY(done.wait(10000));
        const auto m = m_repo->byId(message);
        QCOMPARE(m->fileSha256, sha256(served));
        QCOMPARE(fileBytes(m->filePath), served);
        const auto requests = m_fake->audioRequests();
        QCOMPARE(requests.size(), 1);
        QCOMPARE(requests.first().headers.value("range"),
                 "bytes=" + QByteArray::number(before) + '-');
        QCOMPARE(requests.first().status, 206);
        QCOMPARE(events("tel.voicemail_downloaded").size(), 1);
    }

    void resumeAfterTheLinkExpired()
    {
        // Stopped before the download started; at the next start the link is stale.
        const QString id = addRecording();
        const auto r = m_repo->recordSaved(RecordingPayload::parseSaved(RecordingPayload::payloadOf(
                                               m_fake->recordingSavedWebhook(id))),
                                           QStringLiteral("engine"));
        QVERIFY(r.ok);
        m_fake->expireIssuedLinks();
        RecordingFetcher fetcher(*m_repo, folder(), settings());
        QSignalSpy done(&fetcher, &RecordingFetcher::downloaded);
        QCOMPARE(fetcher.resumePending(), 1);
        QVERIFY(done.wait(10000));
        QCOMPARE(m_repo->byId(r.id)->fileSha256, sha256(m_fake->recording(id)->audio));
    }

    void redeliveryOfAPendingMessageBringsFreshLinks()
    {
        // Stored before a stop, links expired since; Telnyx redelivers the webhook with new
        // ones. No API key: only the redelivered link can work.
        const QString id = addRecording();
        const auto stored =
            m_repo->recordSaved(RecordingPayload::parseSaved(
                                    RecordingPayload::payloadOf(m_fake->recordingSavedWebhook(id))),
                                QStringLiteral("engine"));
        QVERIFY(stored.ok);
        m_fake->expireIssuedLinks();
        RecordingFetcher fetcher(*m_repo, folder(), settings(QString()));
        QSignalSpy done(&fetcher, &RecordingFetcher::downloaded);
        const auto again = fetcher.accept(m_fake->recordingSavedWebhook(id));
        QVERIFY(again.duplicate);
        QCOMPARE(again.id, stored.id);
        QVERIFY(done.wait(10000));
        QCOMPARE(m_repo->byId(stored.id)->fileSha256, sha256(m_fake->recording(id)->audio));
        QCOMPARE(events("tel.voicemail_recorded").size(), 1);
    }

    void duplicateRecordingSavedStoresOnce()
    {
        const QString id = addRecording();
        RecordingFetcher fetcher(*m_repo, folder(), settings());
        const QJsonObject first = m_fake->recordingSavedWebhook(id);
        const qint64 message = download(fetcher, first);
        QVERIFY(message > 0);
        // The same webhook again, and a retry of it with a new webhook id and link.
        for (const QJsonObject &again : {first, m_fake->recordingSavedWebhook(id)}) {
            const auto r = fetcher.accept(again);
            QVERIFY(r.ok);
            QVERIFY(r.duplicate);
            QCOMPARE(r.id, message);
        }
        QCOMPARE(fetcher.activeCount(), 0);
        QCOMPARE(m_repo->messages().size(), 1);
        QCOMPARE(events("tel.voicemail_recorded").size(), 1);
        QCOMPARE(m_fake->audioRequests().size(), 1);
    }

    void transcriptBeforeAndAfterTheDownload()
    {
        // Before: the transcript makes a message that waits for its recording.
        const QString early = addRecording();
        const QString text = QStringLiteral("Hi, it's Sam \u2014 call me back\n\x01<b>bold</b>");
        auto t = RecordingPayload::parseTranscription(
            RecordingPayload::payloadOf(m_fake->transcriptionSavedWebhook(early, text)));
        const auto before = m_repo->recordTranscription(t, QStringLiteral("engine"));
        QVERIFY(before.ok);
        QCOMPARE(VoicemailMessage::stateName(m_repo->byId(before.id)->downloadState),
                 QStringLiteral("awaiting_recording"));
        RecordingFetcher fetcher(*m_repo, folder(), settings());
        QCOMPARE(download(fetcher, m_fake->recordingSavedWebhook(early)), before.id);
        auto m = m_repo->byId(before.id);
        QCOMPARE(m->transcript, text); // stored as given
        QCOMPARE(m->fileSha256, sha256(m_fake->recording(early)->audio));

        // After: attaches to the downloaded message; a stranger's long text is cut.
        const QString late = addRecording();
        const qint64 message = download(fetcher, m_fake->recordingSavedWebhook(late));
        QVERIFY(message > 0);
        const QString longText(20000, QLatin1Char('a'));
        t = RecordingPayload::parseTranscription(
            RecordingPayload::payloadOf(m_fake->transcriptionSavedWebhook(late, longText)));
        const auto after = m_repo->recordTranscription(t, QStringLiteral("engine"));
        QVERIFY(after.ok);
        QCOMPARE(after.id, message);
        QCOMPARE(m_repo->byId(message)->transcript.size(), RecordingPayload::kMaxTranscriptChars);
        // The same transcript again: nothing new.
        QVERIFY(m_repo->recordTranscription(t, QStringLiteral("engine")).duplicate);

        const auto transcribed = events("tel.voicemail_transcribed");
        QCOMPARE(transcribed.size(), 2);
        for (const StoredEvent &e : transcribed) {
            QVERIFY(!QJsonDocument(e.payload).toJson().contains("call me back"));
            QVERIFY(e.payload.contains(QStringLiteral("transcript_chars")));
        }
        QCOMPARE(transcribed.first().payload.value(QStringLiteral("transcript_chars")).toInt(),
                 RecordingPayload::kMaxTranscriptChars);
    }

    void publishedFixturesParse()
    {
        const auto saved = RecordingPayload::parseSaved(
            RecordingPayload::payloadOf(fixture("docs_call_recording_saved_s3_url.json")));
        QCOMPARE(saved.recordingId, QStringLiteral("10cd86ac-fef8-4765-b203-0f7511f9fc75"));
        QCOMPARE(saved.format, QStringLiteral("wav"));
        QVERIFY(saved.urlWav.contains(QStringLiteral("X-Amz-Expires=600")));
        QCOMPARE(saved.durationMs(), 4639); // 08.148619 to 12.788447
        QVERIFY(RecordingFetcher::acceptableLink(QUrl(saved.urlWav)));
        // The published schema: no recording_id, no call_control_id, http links.
        const auto spec = RecordingPayload::parseSaved(
            RecordingPayload::payloadOf(fixture("spec_call_recording_saved.json")));
        QVERIFY(spec.recordingId.isEmpty());
        QCOMPARE(spec.callId(), QStringLiteral("428c31b6-7af4-4bcb-b7f5-5013ef9657c1"));
        QVERIFY(spec.dedupeKey().startsWith(QStringLiteral("call:")));
        QString why;
        QVERIFY(!RecordingFetcher::acceptableLink(QUrl(spec.urlWav), &why));
        QVERIFY(why.contains(QStringLiteral("http://")));
        const auto t = RecordingPayload::parseTranscription(
            RecordingPayload::payloadOf(fixture("spec_call_recording_transcription_saved.json")));
        QCOMPARE(t.text, QStringLiteral("Hi!"));
        QCOMPARE(t.status, QStringLiteral("completed"));
    }

    void plainHttpLinkIsRefused()
    {
        RecordingFetcher fetcher(*m_repo, folder(), settings(QString())); // no key to ask
        QSignalSpy failed(&fetcher, &RecordingFetcher::failed);
        const qint64 message =
            download(fetcher, fixture("spec_call_recording_saved.json"), false, 5000);
        QVERIFY(message > 0);
        QVERIFY(failed.first().at(1).toString().contains(QStringLiteral("unencrypted")));
        QCOMPARE(VoicemailMessage::stateName(m_repo->byId(message)->downloadState),
                 QStringLiteral("failed"));
    }

    void oversizedRecordingIsRefused()
    {
        const QString id = addRecording(3000);
        RecordingFetcher::Settings s = settings();
        s.maxBytes = 10000;
        RecordingFetcher fetcher(*m_repo, folder(), s);
        QSignalSpy failed(&fetcher, &RecordingFetcher::failed);
        QVERIFY(download(fetcher, m_fake->recordingSavedWebhook(id), false) > 0);
        QVERIFY(failed.first().at(1).toString().contains(QStringLiteral("larger than 10000")));
        QCOMPARE(QDir(folder()).entryList(QDir::Files).size(), 0);
    }

    void recordingErrorIsKeptAndShown()
    {
        const auto e = RecordingPayload::parseError(
            RecordingPayload::payloadOf(fixture("spec_call_recording_error.json")));
        const auto r = m_repo->recordTelnyxError(e, QStringLiteral("engine"));
        QVERIFY2(r.ok, qPrintable(r.error));
        const auto listed = m_repo->messages();
        QCOMPARE(listed.size(), 1);
        QCOMPARE(listed.first().error, QStringLiteral("Telnyx: Internal server error"));
        QCOMPARE(VoicemailMessage::stateName(listed.first().downloadState),
                 QStringLiteral("failed"));
        QCOMPARE(events("tel.voicemail_error").size(), 1);
        QVERIFY(m_repo->recordTelnyxError(e, QStringLiteral("engine")).duplicate);

        // An error for a call whose message is waiting fails that message.
        const QString id = addRecording();
        const auto saved =
            m_repo->recordSaved(RecordingPayload::parseSaved(
                                    RecordingPayload::payloadOf(m_fake->recordingSavedWebhook(id))),
                                QStringLiteral("engine"));
        RecordingPayload::Error e2;
        e2.callControlId = m_fake->recording(id)->callControlId;
        e2.reason = QStringLiteral("Unsupported backend");
        QCOMPARE(m_repo->recordTelnyxError(e2, QStringLiteral("engine")).id, saved.id);
        QCOMPARE(m_repo->byId(saved.id)->error, QStringLiteral("Telnyx: Unsupported backend"));
    }

    void deleteRemovesTheAudioAndRecordsIt()
    {
        const QString id = addRecording();
        RecordingFetcher fetcher(*m_repo, folder(), settings());
        const qint64 message = download(fetcher, m_fake->recordingSavedWebhook(id));
        QVERIFY(message > 0);
        const auto m = m_repo->byId(message);
        QVERIFY(QFileInfo::exists(m->filePath));

        // On Telnyx too.
        QNetworkAccessManager network;
        RecordingsApi api(&network, m_fake->apiBaseUrl(), kKey);
        bool removed = false, answered = false;
        api.remove(id, [&](bool ok, int, const QString &) { removed = ok, answered = true; });
        QVERIFY(QTest::qWaitFor([&] { return answered; }, 5000));
        QVERIFY(removed);
        QVERIFY(m_fake->recording(id)->deleted);

        QCOMPARE(VoicemailFiles::deleteMessage(*m_repo, message, QStringLiteral("owner"), true,
                                               QStringLiteral("cli")),
                 QString());
        QVERIFY(!QFileInfo::exists(m->filePath));
        const auto after = m_repo->byId(message);
        QCOMPARE(VoicemailMessage::stateName(after->downloadState), QStringLiteral("deleted"));
        QCOMPARE(after->fileSha256, m->fileSha256); // metadata kept
        QVERIFY(after->filePath.isEmpty());
        QVERIFY(m_repo->messages().isEmpty());
        QCOMPARE(m_repo->messages(true).size(), 1);
        const auto deleted = events("tel.voicemail_deleted");
        QCOMPARE(deleted.size(), 1);
        QCOMPARE(deleted.first().payload.value(QStringLiteral("sha256")).toString(), m->fileSha256);
        QCOMPARE(deleted.first().payload.value(QStringLiteral("remote")).toBool(), true);
        QCOMPARE(deleted.first().actor, QStringLiteral("cli"));
        QVERIFY(m_store->verify().ok);
    }

    void retentionDeletesOldAudio()
    {
        RecordingFetcher fetcher(*m_repo, folder(), settings());
        const QDateTime now = QDateTime::currentDateTimeUtc();
        const qint64 old =
            download(fetcher, m_fake->recordingSavedWebhook(addRecording(1000, now.addDays(-40))));
        const qint64 recent =
            download(fetcher, m_fake->recordingSavedWebhook(addRecording(1000, now.addDays(-2))));
        QVERIFY(old > 0 && recent > 0);
        QCOMPARE(VoicemailFiles::applyRetention(*m_repo, 0, now, QStringLiteral("engine")), 0);
        QCOMPARE(VoicemailFiles::applyRetention(*m_repo, 30, now, QStringLiteral("engine")), 1);
        QVERIFY(m_repo->byId(old)->deleted());
        QVERIFY(!m_repo->byId(recent)->deleted());
        QVERIFY(QFileInfo::exists(m_repo->byId(recent)->filePath));
        QCOMPARE(events("tel.voicemail_deleted").first().payload.value(QStringLiteral("why")),
                 QStringLiteral("retention"));
    }

    void integrityCheckFindsModifiedFiles()
    {
        RecordingFetcher fetcher(*m_repo, folder(), settings());
        const qint64 a = download(fetcher, m_fake->recordingSavedWebhook(addRecording(1000)));
        const qint64 b = download(fetcher, m_fake->recordingSavedWebhook(addRecording(1200)));
        QVERIFY(a > 0 && b > 0);
        auto checks = VoicemailFiles::verify(*m_repo);
        QCOMPARE(checks.size(), 2);
        QVERIFY(checks.at(0).ok() && checks.at(1).ok());

        // One byte changed in a, b removed.
        const QString pathA = m_repo->byId(a)->filePath;
        {
            QFile f(pathA);
            QVERIFY(f.open(QIODevice::ReadWrite));
            f.seek(100);
            const char c = f.peek(1).at(0);
            f.write(QByteArray(1, char(c ^ 0x01)));
        }
        QVERIFY(QFile::remove(m_repo->byId(b)->filePath));
        checks = VoicemailFiles::verify(*m_repo);
        QCOMPARE(checks.at(0).id, a);
        QCOMPARE(checks.at(0).problem(), QStringLiteral("modified"));
        QCOMPARE(checks.at(1).problem(), QStringLiteral("missing"));
        // A modified file is not exported as if it were the message.
        QVERIFY(VoicemailFiles::exportMessage(*m_repo, a, m_dir->filePath(QStringLiteral("x.wav")),
                                              false)
                    .contains(QStringLiteral("modified")));
    }

    void filesArePrivate()
    {
#ifndef Q_OS_UNIX
        QSKIP("Unix permissions");
#endif
        RecordingFetcher fetcher(*m_repo, folder(), settings());
        const qint64 message = download(fetcher, m_fake->recordingSavedWebhook(addRecording()));
        QVERIFY(message > 0);
        const QFileDevice::Permissions owner = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
        const QFileDevice::Permissions all =
            QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner |
            QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ExeGroup |
            QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther;
        QCOMPARE(QFile::permissions(m_repo->byId(message)->filePath) & all, owner);
        QCOMPARE(QFile::permissions(folder()) & all, owner | QFileDevice::ExeOwner);
    }

    void heardIsRecordedOnce()
    {
        RecordingFetcher fetcher(*m_repo, folder(), settings());
        const qint64 message = download(fetcher, m_fake->recordingSavedWebhook(addRecording()));
        QVERIFY(message > 0);
        QVERIFY(!m_repo->byId(message)->heard());
        QVERIFY(!m_repo->markHeard(message, QStringLiteral("owner")).duplicate);
        QVERIFY(m_repo->byId(message)->heard());
        QVERIFY(m_repo->markHeard(message, QStringLiteral("owner")).duplicate);
        QCOMPARE(events("tel.voicemail_heard").size(), 1);
        QVERIFY(!m_repo->markHeard(999, QStringLiteral("owner")).ok);
    }
};

QTEST_GUILESS_MAIN(TestVoicemail)
#include "tst_voicemail.moc"
