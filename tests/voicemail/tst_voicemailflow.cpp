// SPDX-License-Identifier: GPL-3.0-or-later
// Voicemail end to end, in process: kt::Engine on a temporary database, driven over loopback
// HTTP by the Telnyx simulator, whose record_start makes a real recording, served at
// presigned-style links, and sends call.recording.saved and the transcript as Telnyx does. Each
// way a caller reaches voicemail ends in a stored message whose file has the SHA-256 of the bytes
// the fake served, with its transcript.
#include "engine/config.h"
#include "engine/engine.h"
#include "enginefixture.h"
#include "screening/screeningrepository.h"
#include "simulator/telnyxsimulator.h"
#include "store/eventstore.h"
#include "voicemail/recordingfetcher.h"
#include "voicemail/voicemailevents.h"
#include "voicemail/voicemailrepository.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

namespace {
const QString Owner = QStringLiteral("+17702300635"); // the seed's "primary" number
const QString ForwardTo = QStringLiteral("+15125550100");
const QString Unknown = QStringLiteral("+14045550186");
const QString Actor = QStringLiteral("test");
const QString Words = QStringLiteral("Hello, it is Dana from the garage. Your car is ready.");
constexpr int Timeout = 20000;

QString sha256(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}
} // namespace

class TstVoicemailFlow : public QObject, public kt::test::EngineFixture
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();

    void eachPathTakesAMessage_data();
    void eachPathTakesAMessage();
    void maxLengthEndsTheCall();
    void duplicateWebhooksStoreOneMessage();
    void expiredLinkIsRenewed();
    void restartResumesTheDownload();
    void recordingWebhooksWhileStopped();
    void recordStartFailureHangsUp();
    void recordingErrorIsShown();

private:
    kt::Config config() const;
    void verifyCommandIds(const QString &ccid);
    QList<kt::ReceivedRequest> distinct(const QString &ccid, const QString &command) const;
    QList<kt::VoicemailMessage> messages() const;
    // The one message of the run, downloaded, its file the bytes the fake served.
    void verifyDownloadedMessage(const QString &ccid);
};

void TstVoicemailFlow::init()
{
    QVERIFY(setUp());
    m_telnyx->setTransferAnswerDelayMs(50);
    m_telnyx->setTranscriptionDelayMs(200);
}

void TstVoicemailFlow::cleanup()
{
    tearDown();
}

kt::Config TstVoicemailFlow::config() const
{
    kt::Config c = engineConfig(ForwardTo);
    c.askTimeoutSecs = 60;
    return c;
}

void TstVoicemailFlow::verifyCommandIds(const QString &ccid)
{
    // Every request carries a command_id, a retry repeats it, and no command went out twice
    // under two ids.
    QHash<QString, QString> idOf;
    for (const kt::ReceivedRequest &r : m_telnyx->commands()) {
        if (r.callControlId != ccid)
            continue;
        QVERIFY2(!r.commandId.isEmpty(), qPrintable(r.command));
        QCOMPARE(idOf.value(r.command, r.commandId), r.commandId);
        idOf.insert(r.command, r.commandId);
    }
}

QList<kt::ReceivedRequest> TstVoicemailFlow::distinct(const QString &ccid,
                                                      const QString &command) const
{
    QList<kt::ReceivedRequest> out;
    QSet<QString> seen;
    for (const kt::ReceivedRequest &r : m_telnyx->commands()) {
        if (r.callControlId == ccid && r.command == command && !seen.contains(r.commandId)) {
            seen.insert(r.commandId);
            out.append(r);
        }
    }
    return out;
}

QList<kt::VoicemailMessage> TstVoicemailFlow::messages() const
{
    return m_engine ? m_engine->voicemail().messages(true) : QList<kt::VoicemailMessage>();
}

void TstVoicemailFlow::verifyDownloadedMessage(const QString &ccid)
{
    QTRY_COMPARE_WITH_TIMEOUT(messages().size(), 1, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(int(messages().first().downloadState),
                              int(kt::VoicemailMessage::DownloadState::Downloaded), Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(messages().first().transcript, Words, Timeout);
    const kt::VoicemailMessage m = messages().first();
    QCOMPARE(m_telnyx->recordingIds().size(), 1);
    const kt::RecordingStore::Recording *served =
        m_telnyx->recordings()->recording(m_telnyx->recordingIds().first());
    QVERIFY(served);
    QCOMPARE(m.recordingId, served->id);
    QCOMPARE(m.callId, ccid);
    QCOMPARE(m.callSessionId, callIdOf(ccid));
    QCOMPARE(m.from, Unknown);
    QCOMPARE(m.to, Owner);
    QVERIFY(m.durationMs > 0);
    // The file holds exactly what the fake served, named by its SHA-256.
    QCOMPARE(m.fileSha256, sha256(served->audio));
    QFile file(m.filePath);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    QVERIFY(bytes.startsWith("RIFF"));
    QCOMPARE(sha256(bytes), m.fileSha256);
    QVERIFY(m.filePath.endsWith(m.fileSha256 + QStringLiteral(".wav")));
    // The storage never saw the API key.
    const auto audio = m_telnyx->recordings()->audioRequests();
    QVERIFY(!audio.isEmpty());
    for (const auto &r : audio)
        QVERIFY(!r.hasAuthorization());
    // The log records the message, its download with the SHA-256 and the transcript, never the
    // words or the link.
    QStringList types;
    kt::EventQuery all;
    all.limit = 0;
    for (const kt::StoredEvent &e : m_engine->eventStore().events(all)) {
        if (!e.type.startsWith(QLatin1String("tel.voicemail_")))
            continue;
        types.append(e.type);
        const QByteArray json = QJsonDocument(e.payload).toJson(QJsonDocument::Compact);
        QVERIFY2(!json.contains("garage"), json.constData());
        QVERIFY2(!json.contains("X-Amz-Signature"), json.constData());
        if (e.type == QLatin1String(kt::VoicemailEvents::Downloaded))
            QVERIFY(json.contains(m.fileSha256.toLatin1()));
    }
    QCOMPARE(types.count(QLatin1String(kt::VoicemailEvents::Downloaded)), 1);
    QCOMPARE(types.count(QLatin1String(kt::VoicemailEvents::Transcribed)), 1);
    QVERIFY(types.contains(QLatin1String(kt::VoicemailEvents::Recorded)));
}

// --- the paths to voicemail -------------------------------------------------------------------

void TstVoicemailFlow::eachPathTakesAMessage_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("decision");
    QTest::addColumn<QString>("reason");
    QTest::addColumn<QStringList>("commands");
    const QStringList vm{"answer", "speak", "record_start"};
    QTest::newRow("unknown-policy voicemail") << "unknown-policy"
                                              << "voicemail"
                                              << "unregistered" << vm;
    QTest::newRow("numbers policy voicemail") << "number"
                                              << "voicemail"
                                              << "unregistered" << vm;
    QTest::newRow("ask, no decision in time") << "ask-timeout"
                                              << "voicemail"
                                              << "ask_timeout" << vm;
    QTest::newRow("ask, the owner's Voicemail") << "owner"
                                                << "voicemail"
                                                << "owner_voicemail" << vm;
    QTest::newRow("transfer not answered")
        << "no-answer"
        << "allowlisted"
        << "number_accepts_all" << QStringList{"answer", "transfer", "speak", "record_start"};
}

void TstVoicemailFlow::eachPathTakesAMessage()
{
    QFETCH(QString, path);
    QFETCH(QString, decision);
    QFETCH(QString, reason);
    QFETCH(QStringList, commands);

    kt::Config c = config();
    c.voicemailGreeting = QStringLiteral("Leave a message for the test.");
    if (path == QLatin1String("unknown-policy"))
        c.unknownPolicy = QStringLiteral("voicemail");
    if (path == QLatin1String("ask-timeout")) {
        c.askTimeoutSecs = 1;
        c.askFallback = QStringLiteral("voicemail");
    }
    if (path == QLatin1String("no-answer")) {
        c.voicemailOnNoAnswer = true;
        m_telnyx->setTransferAnswers(false);
        m_telnyx->setTransferTimeoutMs(200);
    }
    QVERIFY(startEngine(c));
    kt::ScreeningRepository &repo = m_engine->repository();
    if (path == QLatin1String("number"))
        QVERIFY(repo.setNumberPolicy(Owner, QStringLiteral("voicemail"), Actor).ok);
    if (path == QLatin1String("ask-timeout") || path == QLatin1String("owner"))
        QVERIFY(repo.setNumberPolicy(Owner, QStringLiteral("ask"), Actor).ok);
    if (path == QLatin1String("no-answer"))
        QVERIFY(repo.setNumberPolicy(Owner, QStringLiteral("accept_all"), Actor).ok);

    kt::InboundCallOptions options;
    options.voicemailSpeaksMs = 400;
    options.voicemailWords = Words;
    const QString ccid = m_telnyx->startInboundCall(Unknown, Owner, options);
    if (path == QLatin1String("owner")) {
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(ccid), QStringLiteral("asking"), Timeout);
        QVERIFY(m_telnyx->commands().isEmpty());
        QString error;
        QVERIFY2(
            m_engine->decide(callIdOf(ccid), kt::Engine::OwnerChoice::Voicemail, Actor, &error),
            qPrintable(error));
    }

    QTRY_COMPARE_WITH_TIMEOUT(stateOf(ccid), QStringLiteral("ended"), Timeout);
    QCOMPARE(steps(ccid), commands);
    verifyCommandIds(ccid);
    const auto call = m_engine->eventStore().call(callIdOf(ccid));
    QCOMPARE(call->decision, decision);
    QCOMPARE(call->reason, reason);

    // The greeting, then record_start with the fields Telnyx requires.
    const auto speak = distinct(ccid, QStringLiteral("speak"));
    QCOMPARE(speak.size(), 1);
    QCOMPARE(speak.first().json.value("payload").toString(), c.voicemailGreeting);
    const auto record = distinct(ccid, QStringLiteral("record_start"));
    QCOMPARE(record.size(), 1);
    const QJsonObject r = record.first().json;
    QCOMPARE(r.value("format").toString(), QStringLiteral("wav"));
    QCOMPARE(r.value("channels").toString(), QStringLiteral("single"));
    QCOMPARE(r.value("play_beep").toBool(), true);
    QCOMPARE(r.value("max_length").toInt(), 120);
    QCOMPARE(r.value("transcription").toBool(), true);
    QVERIFY(!r.value("command_id").toString().isEmpty());
    // The caller hung up: the engine did not, and sent nothing after the recording.
    QCOMPARE(m_telnyx->call(ccid)->state, kt::SimulatedCall::State::HungUp);

    verifyDownloadedMessage(ccid);
    if (path == QLatin1String("owner")) {
        bool found = false;
        for (const kt::StoredEvent &e : m_engine->eventStore().eventsForCall(callIdOf(ccid))) {
            if (e.type == QLatin1String("tel.owner_decision")) {
                QCOMPARE(e.payload.value("choice").toString(), QStringLiteral("voicemail"));
                found = true;
            }
        }
        QVERIFY(found);
    }
}

void TstVoicemailFlow::maxLengthEndsTheCall()
{
    // The caller keeps talking: the recording stops at max_length, call.recording.saved arrives
    // while the call is up, and the engine hangs up.
    kt::Config c = config();
    c.unknownPolicy = QStringLiteral("voicemail");
    c.voicemailMaxLengthSecs = 7;
    m_telnyx->behaviour().maxLengthMs = 500;
    QVERIFY(startEngine(c));
    kt::InboundCallOptions options;
    options.voicemailSpeaksMs = 0;
    options.voicemailWords = Words;
    const QString ccid = m_telnyx->startInboundCall(Unknown, Owner, options);

    QTRY_COMPARE_WITH_TIMEOUT(stateOf(ccid), QStringLiteral("ended"), Timeout);
    QCOMPARE(steps(ccid), (QStringList{"answer", "speak", "record_start", "hangup"}));
    verifyCommandIds(ccid);
    QCOMPARE(
        distinct(ccid, QStringLiteral("record_start")).first().json.value("max_length").toInt(), 7);
    QStringList order;
    for (const kt::StoredEvent &e : m_engine->eventStore().eventsForCall(callIdOf(ccid))) {
        if (e.type == QLatin1String("call.recording.saved") ||
            e.type == QLatin1String("call.hangup"))
            order.append(e.type);
    }
    QCOMPARE(order, (QStringList{"call.recording.saved", "call.hangup"}));
    verifyDownloadedMessage(ccid);
}

void TstVoicemailFlow::duplicateWebhooksStoreOneMessage()
{
    kt::Config c = config();
    c.unknownPolicy = QStringLiteral("voicemail");
    QVERIFY(startEngine(c));
    m_telnyx->duplicateNextDeliveries(1000); // every webhook twice, the same data.id
    kt::InboundCallOptions options;
    options.voicemailSpeaksMs = 300;
    options.voicemailWords = Words;
    const QString ccid = m_telnyx->startInboundCall(Unknown, Owner, options);
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(ccid), QStringLiteral("ended"), Timeout);
    verifyDownloadedMessage(ccid);

    // Telnyx sends the recording again under another event id, with a fresh link: still one
    // message, and the audio is not fetched again.
    const int downloads = int(m_telnyx->recordings()->audioRequests().size());
    const QString id = m_telnyx->recordingIds().first();
    for (const QJsonObject &body : {m_telnyx->recordings()->recordingSavedWebhook(id),
                                    m_telnyx->recordings()->transcriptionSavedWebhook(id, Words)}) {
        const QJsonObject data = body.value("data").toObject();
        m_telnyx->webhookSender()->post(data.value("event_type").toString(),
                                        data.value("payload").toObject(),
                                        data.value("occurred_at").toString());
    }
    QTRY_VERIFY_WITH_TIMEOUT(m_telnyx->deliveriesIdle(), Timeout);
    QTest::qWait(300);
    QCOMPARE(messages().size(), 1);
    QCOMPARE(int(m_telnyx->recordings()->audioRequests().size()), downloads);
    verifyDownloadedMessage(ccid);
}

void TstVoicemailFlow::expiredLinkIsRenewed()
{
    kt::Config c = config();
    c.unknownPolicy = QStringLiteral("voicemail");
    QVERIFY(startEngine(c));
    m_telnyx->expireNextRecordingLinks(1);
    kt::InboundCallOptions options;
    options.voicemailSpeaksMs = 300;
    options.voicemailWords = Words;
    const QString ccid = m_telnyx->startInboundCall(Unknown, Owner, options);
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(ccid), QStringLiteral("ended"), Timeout);
    verifyDownloadedMessage(ccid);
    // The webhook's link was refused (403); a fresh one came from GET /v2/recordings/{id} with
    // the Bearer key, through the API's own address.
    QList<int> statuses;
    for (const auto &r : m_telnyx->recordings()->audioRequests())
        statuses.append(r.status);
    QCOMPARE(statuses.first(), 403);
    QCOMPARE(statuses.last(), 200);
    bool asked = false;
    for (const kt::ReceivedRequest &r : m_telnyx->requests()) {
        if (r.path == QStringLiteral("/v2/recordings/") + m_telnyx->recordingIds().first()) {
            asked = true;
            QCOMPARE(r.status, 200);
        }
    }
    QVERIFY(asked);
}

void TstVoicemailFlow::restartResumesTheDownload()
{
    kt::Config c = config();
    c.unknownPolicy = QStringLiteral("voicemail");
    QVERIFY(startEngine(c));
    m_telnyx->setDeliveryAttemptsPerUrl(200);
    // Slow storage: the engine stops once part of the audio is on disk.
    m_telnyx->recordings()->setChunking(2048, 150);
    bool stopped = false;
    connect(&m_engine->recordingFetcher(), &kt::RecordingFetcher::progress, this,
            [this, &stopped](qint64, qint64 bytes) {
                if (bytes > 0 && !stopped) {
                    stopped = true;
                    QTimer::singleShot(0, this, [this] { m_engine.reset(); });
                }
            });
    kt::InboundCallOptions options;
    options.voicemailSpeaksMs = 1000;
    options.voicemailWords = Words;
    const QString ccid = m_telnyx->startInboundCall(Unknown, Owner, options);
    QTRY_VERIFY_WITH_TIMEOUT(stopped && !m_engine, Timeout);
    {
        kt::EventStore store;
        QVERIFY(
            store.open(c.databasePath, QStringLiteral("inspect"), kt::EventStore::Mode::ReadOnly));
        kt::VoicemailRepository repo(store);
        const auto pending = repo.pending();
        QCOMPARE(pending.size(), 1);
        const QString part =
            QDir(QFileInfo(c.databasePath).absolutePath())
                .filePath(QStringLiteral("voicemail/%1.part").arg(pending.first().id));
        QVERIFY(QFileInfo(part).size() > 0);
    }

    m_telnyx->recordings()->setChunking(0, 0);
    QVERIFY(startEngine(c));
    verifyDownloadedMessage(ccid);
    // The second run asked only for the rest.
    bool ranged = false;
    for (const auto &r : m_telnyx->recordings()->audioRequests())
        ranged = ranged || (r.headers.contains("range") && r.status == 206);
    QVERIFY(ranged);
}

void TstVoicemailFlow::recordingWebhooksWhileStopped()
{
    // The engine stops while the caller is leaving the message: call.hangup,
    // call.recording.saved and the transcript are delivered again once it is back (Telnyx
    // retries), and the message is stored, downloaded and transcribed as usual.
    kt::Config c = config();
    c.unknownPolicy = QStringLiteral("voicemail");
    QVERIFY(startEngine(c));
    m_telnyx->setDeliveryAttemptsPerUrl(200);
    m_telnyx->setDeliveryRetryDelayMs(100);
    bool stopped = false;
    connect(m_telnyx.get(), &kt::TelnyxSimulator::commandReceived, this,
            [this, &stopped](const kt::ReceivedRequest &r) {
                if (r.command == QLatin1String("record_start") && !stopped) {
                    stopped = true;
                    QTimer::singleShot(0, this, [this] { m_engine.reset(); });
                }
            });
    kt::InboundCallOptions options;
    options.voicemailSpeaksMs = 300;
    options.voicemailWords = Words;
    const QString ccid = m_telnyx->startInboundCall(Unknown, Owner, options);
    QTRY_VERIFY_WITH_TIMEOUT(stopped && !m_engine, Timeout);
    // Telnyx goes on: the caller speaks, hangs up, the recording is made.
    QTRY_COMPARE_WITH_TIMEOUT(m_telnyx->recordingIds().size(), 1, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(m_telnyx->call(ccid)->state, kt::SimulatedCall::State::HungUp,
                              Timeout);
    QTest::qWait(500); // the webhooks are being refused meanwhile

    QVERIFY(startEngine(c));
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(ccid), QStringLiteral("ended"), Timeout);
    verifyDownloadedMessage(ccid);
    QCOMPARE(steps(ccid), (QStringList{"answer", "speak", "record_start"}));
    verifyCommandIds(ccid);
}

void TstVoicemailFlow::recordStartFailureHangsUp()
{
    // Telnyx refuses record_start (422): the engine hangs up rather than leave the caller on a
    // silent line, and no message is made.
    kt::Config c = config();
    c.unknownPolicy = QStringLiteral("voicemail");
    QVERIFY(startEngine(c));
    connect(m_telnyx.get(), &kt::TelnyxSimulator::commandReceived, this,
            [this](const kt::ReceivedRequest &r) {
                if (r.command == QLatin1String("speak"))
                    m_telnyx->failNext(1, 422); // the next command: record_start
            });
    kt::InboundCallOptions options;
    options.voicemailSpeaksMs = 0;
    const QString ccid = m_telnyx->startInboundCall(Unknown, Owner, options);
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(ccid), QStringLiteral("ended"), Timeout);
    QCOMPARE(steps(ccid), (QStringList{"answer", "speak", "record_start", "hangup"}));
    QCOMPARE(m_telnyx->call(ccid)->state, kt::SimulatedCall::State::HungUp);
    QVERIFY(m_telnyx->recordingIds().isEmpty());
    QVERIFY(messages().isEmpty());
}

void TstVoicemailFlow::recordingErrorIsShown()
{
    // Telnyx could not store the recording: the message is listed as failed with Telnyx's
    // reason (tel.voicemail_error), not lost.
    kt::Config c = config();
    c.unknownPolicy = QStringLiteral("voicemail");
    QVERIFY(startEngine(c));
    m_telnyx->failNextRecordings(1, QStringLiteral("Internal server error"));
    kt::InboundCallOptions options;
    options.voicemailSpeaksMs = 300;
    const QString ccid = m_telnyx->startInboundCall(Unknown, Owner, options);
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(ccid), QStringLiteral("ended"), Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(messages().size(), 1, Timeout);
    const kt::VoicemailMessage m = messages().first();
    QCOMPARE(int(m.downloadState), int(kt::VoicemailMessage::DownloadState::Failed));
    QCOMPARE(m.error, QStringLiteral("Telnyx: Internal server error"));
    QCOMPARE(m.callId, ccid);
    QCOMPARE(m.from, Unknown);
    QCOMPARE(m.to, Owner);
    kt::EventQuery q;
    q.type = QString::fromLatin1(kt::VoicemailEvents::Error);
    const auto errors = m_engine->eventStore().events(q);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().payload.value("reason").toString(),
             QStringLiteral("Internal server error"));
    QVERIFY(m_telnyx->recordings()->audioRequests().isEmpty());
}

QTEST_GUILESS_MAIN(TstVoicemailFlow)
#include "tst_voicemailflow.moc"
