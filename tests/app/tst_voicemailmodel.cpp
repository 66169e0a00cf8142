// SPDX-License-Identifier: GPL-3.0-or-later
// The Voicemail view's C++ side over a real database filled through VoicemailRepository, with
// generated WAV files stored as the fetcher stores them: the order (unread first, then newest),
// the roles (hostile text made plain), refresh when a tel.voicemail_* event is appended (and only
// then), the tray's notification for a message that arrives, export (the same bytes; refused
// once the file no longer matches its SHA-256), heard and delete through the engine, and the
// player without an audio backend.
#include "dashboardfixture.h"
#include "demodata.h"
#include "models/calldetailmodel.h"
#include "models/eventlogmodel.h"
#include "models/voicemailmodel.h"
#include "platform/tray.h"
#include "simulator/audiogenerator.h"
#include "simulator/recordingstore.h"
#include "store/eventstore.h"
#include "voicemail/voicemailfiles.h"
#include "voicemail/voicemailrepository.h"
#include "voicemailplayer.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace kt;
using kt::test::DemoData;

namespace {
const QString AskLabel = QStringLiteral("474-TREE");

QString role(const VoicemailModel &model, qint64 id, const char *name)
{
    return model.value(model.rowOf(id), QString::fromLatin1(name)).toString();
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool hasHiddenCharacters(const QString &text)
{
    for (const QChar c : text) {
        if (c.category() == QChar::Other_Control || c.category() == QChar::Other_Format)
            return true;
    }
    return false;
}
} // namespace

class TstVoicemailModel : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void orderAndRoles();
    void refreshOnlyOnVoicemailEvents();
    void followsTheEventLogWhateverItsFilter();
    void arrivalAnnouncedOnce();
    void lateTranscriptAnnouncedOnce();
    void exportGivesTheSameBytes();
    void heardAndDeleteThroughTheEngine();
    void deleteOnTelnyx();
    void trayNotification();
    void playerWithoutBackend();

private:
    QString databasePath() const { return m_dir->filePath(QStringLiteral("vm.db")); }

    std::unique_ptr<QTemporaryDir> m_dir;
    DemoData::Voicemail m_vm;
    std::unique_ptr<EventStore> m_writer;
};

void TstVoicemailModel::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    QString error;
    const QDateTime now = QDateTime::currentDateTime();
    QVERIFY2(DemoData::seed(databasePath(), &error, now), qPrintable(error));
    QVERIFY2(DemoData::seedVoicemail(databasePath(), &error, now, &m_vm), qPrintable(error));
    m_writer = std::make_unique<EventStore>();
    QVERIFY(m_writer->open(databasePath(), QStringLiteral("test-writer")));
}

void TstVoicemailModel::cleanup()
{
    m_writer.reset();
    m_dir.reset();
}

void TstVoicemailModel::orderAndRoles()
{
    VoicemailModel model;
    model.setNumberLabels({{QString::fromLatin1(DemoData::AskNumber), AskLabel}});
    QVERIFY2(model.open(databasePath()), qPrintable(model.errorString()));
    QCOMPARE(model.count(), 4);
    // Unread first (the failed one is the newest: it was recorded now), then the heard one.
    QCOMPARE(model.value(0, QStringLiteral("messageId")).toLongLong(), m_vm.failed);
    QCOMPARE(model.value(1, QStringLiteral("messageId")).toLongLong(), m_vm.dana);
    QCOMPARE(model.value(2, QStringLiteral("messageId")).toLongLong(), m_vm.hostile);
    QCOMPARE(model.value(3, QStringLiteral("messageId")).toLongLong(), m_vm.alice);
    QCOMPARE(model.unreadCount(), 3);

    // Dana's: downloaded, playable, with its transcript.
    QCOMPARE(role(model, m_vm.dana, "fromText"), QStringLiteral("(310) 555-0178"));
    QCOMPARE(role(model, m_vm.dana, "toLabel"), AskLabel);
    QCOMPARE(role(model, m_vm.dana, "toText"), QStringLiteral("(888) 474-8738"));
    QCOMPARE(role(model, m_vm.dana, "durationText"), QStringLiteral("0:14"));
    QCOMPARE(role(model, m_vm.dana, "transcript"), DemoData::DanaTranscript);
    QCOMPARE(role(model, m_vm.dana, "state"), QStringLiteral("downloaded"));
    QVERIFY(model.value(model.rowOf(m_vm.dana), QStringLiteral("playable")).toBool());
    QVERIFY(model.value(model.rowOf(m_vm.dana), QStringLiteral("unread")).toBool());
    const QUrl file = model.value(model.rowOf(m_vm.dana), QStringLiteral("fileUrl")).toUrl();
    QVERIFY(file.isLocalFile());
    QCOMPARE(readAll(file.toLocalFile()), m_vm.danaAudio);
    QCOMPARE(role(model, m_vm.dana, "sha256"),
             QString::fromLatin1(
                 QCryptographicHash::hash(m_vm.danaAudio, QCryptographicHash::Sha256).toHex()));
    QVERIFY(!role(model, m_vm.dana, "timeText").isEmpty());

    // Alice's: heard, on her call, with the namespace the call proved.
    QCOMPARE(role(model, m_vm.alice, "nameSpace"), QString::fromLatin1(DemoData::AliceNamespace));
    QVERIFY(model.value(model.rowOf(m_vm.alice), QStringLiteral("heard")).toBool());
    QVERIFY(!model.value(model.rowOf(m_vm.alice), QStringLiteral("unread")).toBool());
    QCOMPARE(model.messageForCall(m_vm.aliceCallId), m_vm.alice);
    QCOMPARE(model.messageForCall(QStringLiteral("no-such-call")), 0);

    // The hostile one: no line breaks, bidi overrides or other invisible characters, bounded.
    const QString hostileFrom = role(model, m_vm.hostile, "fromText");
    const QString hostileWords = role(model, m_vm.hostile, "transcript");
    QVERIFY(!hostileFrom.isEmpty());
    QVERIFY2(!hasHiddenCharacters(hostileFrom), qPrintable(hostileFrom));
    QVERIFY2(!hasHiddenCharacters(hostileWords), qPrintable(hostileWords));
    QVERIFY(hostileWords.contains(QStringLiteral("<b>FREE</b>"))); // kept, shown as plain text
    QVERIFY(hostileWords.size() <= VoicemailModel::MaxTranscript);
    QCOMPARE(role(model, m_vm.hostile, "state"), QStringLiteral("downloading"));
    QVERIFY(!model.value(model.rowOf(m_vm.hostile), QStringLiteral("playable")).toBool());
    QVERIFY(model.value(model.rowOf(m_vm.hostile), QStringLiteral("fileUrl")).toUrl().isEmpty());

    // The failed one says why.
    QCOMPARE(role(model, m_vm.failed, "state"), QStringLiteral("failed"));
    QVERIFY2(role(model, m_vm.failed, "stateText").contains(QStringLiteral("hung up")),
             qPrintable(role(model, m_vm.failed, "stateText")));

    // message(): every role by name, for the detail pane.
    const QVariantMap dana = model.message(m_vm.dana);
    QCOMPARE(dana.value(QStringLiteral("messageId")).toLongLong(), m_vm.dana);
    QCOMPARE(dana.value(QStringLiteral("fromText")).toString(), QStringLiteral("(310) 555-0178"));
    QVERIFY(model.message(999999).isEmpty());
    QVERIFY(model.suggestedFileName(m_vm.dana).startsWith(
        QStringLiteral("voicemail-%1-").arg(m_vm.dana)));
    QVERIFY(model.suggestedFileName(m_vm.dana).endsWith(QStringLiteral(".wav")));
}

void TstVoicemailModel::refreshOnlyOnVoicemailEvents()
{
    VoicemailModel model;
    QVERIFY(model.open(databasePath()));
    QSignalSpy refreshed(&model, &SnapshotListModel::refreshed);
    QSignalSpy unread(&model, &VoicemailModel::unreadCountChanged);

    // Nothing new: nothing read.
    model.onLogAdvanced(m_writer->lastSeq());
    QCOMPARE(refreshed.count(), 0);

    // An event about something else: the rows stand.
    NewEvent other;
    other.type = QStringLiteral("tel.rule_added");
    other.actor = QStringLiteral("cli");
    other.payload = {{QStringLiteral("pattern"), QStringLiteral("+1555*")}};
    QVERIFY(m_writer->append(other).ok());
    model.onLogAdvanced(m_writer->lastSeq());
    QCOMPARE(refreshed.count(), 0);

    // Heard elsewhere (the command line): the event re-reads the list, Dana's moves down.
    VoicemailRepository repo(*m_writer);
    QVERIFY(repo.markHeard(m_vm.dana, QStringLiteral("cli")).ok);
    QCOMPARE(model.unreadCount(), 3); // not yet looked
    model.onLogAdvanced(m_writer->lastSeq());
    QCOMPARE(refreshed.count(), 1);
    QCOMPARE(unread.count(), 1);
    QCOMPARE(model.unreadCount(), 2);
    QVERIFY(model.value(model.rowOf(m_vm.dana), QStringLiteral("heard")).toBool());
    QCOMPARE(model.rowOf(m_vm.dana), 2); // after the two unread ones, before older heard ones
    QCOMPARE(model.rowOf(m_vm.alice), 3);

    // The same sequence number again: nothing to do.
    model.onLogAdvanced(m_writer->lastSeq());
    QCOMPARE(refreshed.count(), 1);
}

void TstVoicemailModel::followsTheEventLogWhateverItsFilter()
{
    // As the dashboard wires them: the audit list's model tells the voicemail list.
    EventLogModel events;
    QVERIFY(events.open(databasePath()));
    VoicemailModel model;
    QVERIFY(model.open(databasePath()));
    connect(&events, &EventLogModel::logAdvanced, &model, &VoicemailModel::onLogAdvanced);
    VoicemailRepository repo(*m_writer);
    QCOMPARE(model.unreadCount(), 3);

    QVERIFY(repo.markHeard(m_vm.dana, QStringLiteral("cli")).ok);
    events.fetchNewer();
    QCOMPARE(model.unreadCount(), 2);

    // The owner filters the audit list to other events: the voicemail list still follows.
    events.setTypeFilter(QStringLiteral("tel.rule_added"));
    QVERIFY(repo.markHeard(m_vm.hostile, QStringLiteral("cli")).ok);
    events.fetchNewer();
    for (int i = 0; i < events.count(); ++i)
        QCOMPARE(events.eventAt(i).type, QStringLiteral("tel.rule_added")); // none about voicemail
    QCOMPARE(model.unreadCount(), 1);

    // An event appended just before the filter changes (the reload moves past it) counts too.
    QVERIFY(repo.markHeard(m_vm.failed, QStringLiteral("cli")).ok);
    events.setTypeFilter(QString());
    QCOMPARE(model.unreadCount(), 0);
}

void TstVoicemailModel::arrivalAnnouncedOnce()
{
    VoicemailModel model;
    QSignalSpy arrived(&model, &VoicemailModel::messageArrived);
    QVERIFY(model.open(databasePath()));
    QCOMPARE(arrived.count(), 0); // what was there at start is not news

    // The hostile message's audio arrives.
    const QByteArray wav = AudioGenerator::speechLikeWav(2000, 9);
    const QString sha =
        QString::fromLatin1(QCryptographicHash::hash(wav, QCryptographicHash::Sha256).toHex());
    const QString folder = VoicemailFiles::folderFor(databasePath());
    const QString path = QDir(folder).filePath(sha + QStringLiteral(".wav"));
    QFile out(path);
    QVERIFY(out.open(QIODevice::WriteOnly));
    QCOMPARE(out.write(wav), wav.size());
    out.close();
    VoicemailRepository repo(*m_writer);
    QVERIFY(repo.markDownloaded(m_vm.hostile, sha, path, wav.size(), QStringLiteral("engine")).ok);
    model.onLogAdvanced(m_writer->lastSeq());
    QCOMPARE(arrived.count(), 1);
    const auto a = arrived.at(0).at(0).value<VoicemailModel::Arrival>();
    QCOMPARE(a.id, m_vm.hostile);
    QVERIFY(a.from.startsWith(QString::fromLatin1(DemoData::BlockedPhone)));
    QVERIFY(a.transcript.contains(QStringLiteral("CRUISE")));
    QVERIFY(model.value(model.rowOf(m_vm.hostile), QStringLiteral("playable")).toBool());

    // Heard, then deleted: no second announcement.
    QVERIFY(repo.markHeard(m_vm.hostile, QStringLiteral("owner")).ok);
    model.onLogAdvanced(m_writer->lastSeq());
    QVERIFY(VoicemailFiles::deleteMessage(repo, m_vm.hostile, QStringLiteral("owner"), false,
                                          QStringLiteral("owner"))
                .isEmpty());
    model.onLogAdvanced(m_writer->lastSeq());
    QCOMPARE(arrived.count(), 1);
    QCOMPARE(role(model, m_vm.hostile, "state"), QStringLiteral("deleted"));
}

void TstVoicemailModel::lateTranscriptAnnouncedOnce()
{
    VoicemailModel model;
    QSignalSpy arrived(&model, &VoicemailModel::messageArrived);
    QVERIFY(model.open(databasePath()));
    VoicemailRepository repo(*m_writer);

    // Two new messages, downloaded before Telnyx has transcribed them.
    const QByteArray wav = AudioGenerator::speechLikeWav(1500, 4);
    const QString sha =
        QString::fromLatin1(QCryptographicHash::hash(wav, QCryptographicHash::Sha256).toHex());
    const QString path =
        QDir(VoicemailFiles::folderFor(databasePath())).filePath(sha + QStringLiteral(".wav"));
    QFile out(path);
    QVERIFY(out.open(QIODevice::WriteOnly));
    QCOMPARE(out.write(wav), wav.size());
    out.close();
    const QDateTime ended = QDateTime::currentDateTimeUtc();
    auto saved = [&](const QString &id) {
        RecordingPayload::Saved s;
        s.recordingId = id;
        s.callControlId = QStringLiteral("call-") + id;
        s.from = QString::fromLatin1(DemoData::DanaPhone);
        s.format = QStringLiteral("wav");
        s.urlWav = QStringLiteral("https://storage.example/%1.wav").arg(id);
        s.startedAt = ended.addSecs(-2);
        s.endedAt = ended;
        const auto r = repo.recordSaved(s, QStringLiteral("telnyx"));
        return r.ok && repo.markDownloaded(r.id, sha, path, wav.size(), QStringLiteral("engine")).ok
                   ? r.id
                   : qint64(0);
    };
    const qint64 unheard = saved(QStringLiteral("late-1"));
    const qint64 heard = saved(QStringLiteral("late-2"));
    QVERIFY(unheard && heard);
    model.onLogAdvanced(m_writer->lastSeq());
    QCOMPARE(arrived.count(), 2);
    for (const QList<QVariant> &signal : std::as_const(arrived)) {
        const auto a = signal.at(0).value<VoicemailModel::Arrival>();
        QVERIFY(a.transcript.isEmpty());
        QVERIFY(!a.transcriptOnly);
    }

    // The owner listens to one; then both transcripts come.
    QVERIFY(repo.markHeard(heard, QStringLiteral("owner")).ok);
    model.onLogAdvanced(m_writer->lastSeq());
    QCOMPARE(arrived.count(), 2);
    auto transcribe = [&](const QString &id, const QString &text) {
        RecordingPayload::Transcription t;
        t.recordingId = id;
        t.callControlId = QStringLiteral("call-") + id;
        t.status = QStringLiteral("completed");
        t.text = text;
        return repo.recordTranscription(t, QStringLiteral("telnyx")).ok;
    };
    QVERIFY(transcribe(QStringLiteral("late-1"), QStringLiteral("Call me back about Friday.")));
    QVERIFY(transcribe(QStringLiteral("late-2"), QStringLiteral("Already heard, no news.")));
    model.onLogAdvanced(m_writer->lastSeq());

    // Only the unheard one is announced again, with its words; and only once.
    QCOMPARE(arrived.count(), 3);
    const auto a = arrived.at(2).at(0).value<VoicemailModel::Arrival>();
    QCOMPARE(a.id, unheard);
    QVERIFY(a.transcriptOnly);
    QCOMPARE(a.transcript, QStringLiteral("Call me back about Friday."));
    const Tray::Notification n =
        Tray::voicemailNotification(a.from, a.nameSpace, a.transcript, a.durationMs, true);
    QCOMPARE(n.title, QStringLiteral("Voicemail from (310) 555-0178, transcribed"));
    QCOMPARE(n.body, QStringLiteral("“Call me back about Friday.”"));
    QVERIFY(repo.markHeard(unheard, QStringLiteral("owner")).ok);
    model.onLogAdvanced(m_writer->lastSeq());
    QCOMPARE(arrived.count(), 3);
}

void TstVoicemailModel::exportGivesTheSameBytes()
{
    VoicemailModel model;
    QVERIFY(model.open(databasePath()));
    const QString first = m_dir->filePath(QStringLiteral("dana.wav"));
    QCOMPARE(model.exportTo(m_vm.dana, QUrl::fromLocalFile(first)), QString());
    QCOMPARE(readAll(first), m_vm.danaAudio);
    // The dialog already asked about replacing: a second export over it works too, by path.
    QCOMPARE(model.exportTo(m_vm.dana, first), QString());
    QCOMPARE(readAll(first), m_vm.danaAudio);

    // No audio: said so.
    QVERIFY(model.exportTo(m_vm.hostile, m_dir->filePath(QStringLiteral("h.wav")))
                .contains(QStringLiteral("no audio")));
    QVERIFY(model.exportTo(m_vm.dana, QString()).contains(QStringLiteral("no file")));

    // The stored file changed after it was recorded: refused, with the SHA-256 named.
    const QString stored =
        model.value(model.rowOf(m_vm.dana), QStringLiteral("fileUrl")).toUrl().toLocalFile();
    QFile f(stored);
    QVERIFY(f.open(QIODevice::Append));
    f.write("x");
    f.close();
    const QString second = m_dir->filePath(QStringLiteral("tampered.wav"));
    const QString error = model.exportTo(m_vm.dana, QUrl::fromLocalFile(second));
    QVERIFY2(error.contains(QStringLiteral("no longer matches its SHA-256")), qPrintable(error));
    QVERIFY(!QFile::exists(second));
}

void TstVoicemailModel::heardAndDeleteThroughTheEngine()
{
    test::DashboardFixture fixture;
    QString error;
    QVERIFY2(fixture.setUp(true, &error), qPrintable(error));
    VoicemailModel &model = fixture.dashboard().voicemail();
    QCOMPARE(model.count(), 0);
    DemoData::Voicemail vm;
    QVERIFY2(fixture.addVoicemail(&error, &vm), qPrintable(error));
    // Seen through the dashboard's event log, as an engine's writes are.
    QCOMPARE(model.count(), 4);
    QCOMPARE(model.unreadCount(), 3);
    // The number map's labels reach the list.
    QCOMPARE(role(model, vm.dana, "toLabel"), fixture.dashboard().numbers().labels().value(
                                                  QString::fromLatin1(DemoData::AskNumber)));

    EngineController &controller = fixture.dashboard().controller();
    QSignalSpy finished(&controller, &EngineController::actionFinished);
    controller.markVoicemailHeard(vm.dana);
    QTRY_COMPARE(finished.count(), 1);
    QVERIFY2(finished.at(0).at(2).toBool(), qPrintable(finished.at(0).at(3).toString()));
    QTRY_COMPARE(model.unreadCount(), 2);
    QVERIFY(model.value(model.rowOf(vm.dana), QStringLiteral("heard")).toBool());

    const QString file =
        model.value(model.rowOf(vm.dana), QStringLiteral("fileUrl")).toUrl().toLocalFile();
    QVERIFY(QFile::exists(file));
    controller.deleteVoicemail(vm.dana);
    QTRY_COMPARE(finished.count(), 2);
    QVERIFY2(finished.at(1).at(2).toBool(), qPrintable(finished.at(1).at(3).toString()));
    QTRY_COMPARE(role(model, vm.dana, "state"), QStringLiteral("deleted"));
    QVERIFY(!QFile::exists(file));
    QCOMPARE(role(model, vm.dana, "transcript"), QString());
    QVERIFY(!model.value(model.rowOf(vm.dana), QStringLiteral("playable")).toBool());
    // The log says so, with metadata only.
    EventStore reader;
    QVERIFY(
        reader.open(fixture.databasePath(), QStringLiteral("check"), EventStore::Mode::ReadOnly));
    EventQuery q;
    q.type = QStringLiteral("tel.voicemail_deleted");
    const QList<StoredEvent> deleted = reader.events(q);
    QCOMPARE(deleted.size(), 1);
    QCOMPARE(deleted.at(0).actor, QStringLiteral("owner"));
    QVERIFY(!QString::fromUtf8(QJsonDocument(deleted.at(0).payload).toJson())
                 .contains(QStringLiteral("Westside")));
    // In the audit list and a call's timeline: metadata in words.
    const QString summary = EventLogModel::summary(deleted.at(0));
    QVERIFY2(summary.startsWith(QStringLiteral("message %1 · ").arg(vm.dana)), qPrintable(summary));
    QVERIFY2(summary.contains(QStringLiteral("SHA-256 ")) &&
                 summary.contains(QStringLiteral("by owner")),
             qPrintable(summary));
    QCOMPARE(CallDetailModel::typeText(QStringLiteral("tel.voicemail_deleted")),
             QStringLiteral("Voicemail deleted"));

    // A message that does not exist: the action fails with a message.
    controller.deleteVoicemail(424242);
    QTRY_COMPARE(finished.count(), 3);
    QVERIFY(!finished.at(2).at(2).toBool());
    QVERIFY(finished.at(2).at(3).toString().contains(QStringLiteral("424242")));

    // No Telnyx account: deleting there is not offered, and asking anyway changes nothing.
    QVERIFY(!controller.canDeleteOnTelnyx());
    controller.deleteVoicemail(vm.alice, true);
    QTRY_COMPARE(finished.count(), 4);
    QVERIFY(!finished.at(3).at(2).toBool());
    QVERIFY2(finished.at(3).at(3).toString().contains(QStringLiteral("API key")),
             qPrintable(finished.at(3).at(3).toString()));
    QCOMPARE(role(model, vm.alice, "state"), QStringLiteral("downloaded"));
}

void TstVoicemailModel::deleteOnTelnyx()
{
    RecordingStore telnyx;
    const QString key = QStringLiteral("KEY_voicemail_app_test");
    telnyx.setApiKey(key);
    QVERIFY(telnyx.start());
    test::DashboardFixture fixture;
    fixture.setTelnyx(telnyx.apiBaseUrl(), key);
    QString error;
    QVERIFY2(fixture.setUp(true, &error), qPrintable(error));
    DemoData::Voicemail vm;
    QVERIFY2(fixture.addVoicemail(&error, &vm), qPrintable(error));
    EngineController &controller = fixture.dashboard().controller();
    VoicemailModel &model = fixture.dashboard().voicemail();
    QVERIFY(controller.canDeleteOnTelnyx());
    EventStore reader;
    QVERIFY(
        reader.open(fixture.databasePath(), QStringLiteral("check"), EventStore::Mode::ReadOnly));
    const QString recordingId = VoicemailRepository(reader).byId(vm.dana)->recordingId;
    QVERIFY(!recordingId.isEmpty());
    const QString file =
        model.value(model.rowOf(vm.dana), QStringLiteral("fileUrl")).toUrl().toLocalFile();

    // Telnyx first (a recording it no longer has counts as deleted), then here.
    QSignalSpy finished(&controller, &EngineController::actionFinished);
    controller.deleteVoicemail(vm.dana, true);
    QTRY_COMPARE(finished.count(), 1);
    QVERIFY2(finished.at(0).at(2).toBool(), qPrintable(finished.at(0).at(3).toString()));
    QList<RecordingStore::Request> deletes;
    for (const RecordingStore::Request &r : telnyx.requests()) {
        if (r.method == "DELETE")
            deletes.append(r);
    }
    QCOMPARE(deletes.size(), 1);
    QCOMPARE(deletes.at(0).path(), QByteArray("/v2/recordings/") + recordingId.toUtf8());
    QCOMPARE(deletes.at(0).headers.value("authorization"), QByteArray("Bearer ") + key.toUtf8());
    QTRY_COMPARE(role(model, vm.dana, "state"), QStringLiteral("deleted"));
    QVERIFY(!QFile::exists(file));
    EventQuery q;
    q.type = QStringLiteral("tel.voicemail_deleted");
    const QList<StoredEvent> deleted = reader.events(q);
    QCOMPARE(deleted.size(), 1);
    QVERIFY2(deleted.at(0).payload.value(QStringLiteral("remote")).toBool(),
             QJsonDocument(deleted.at(0).payload).toJson().constData());
    QVERIFY(!QJsonDocument(deleted.at(0).payload).toJson().contains(key.toUtf8()));

    // Telnyx refuses: nothing is deleted here, and the owner is told.
    telnyx.failApi(5, 500);
    const QString aliceFile =
        model.value(model.rowOf(vm.alice), QStringLiteral("fileUrl")).toUrl().toLocalFile();
    controller.deleteVoicemail(vm.alice, true);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 30000);
    QVERIFY(!finished.at(1).at(2).toBool());
    QVERIFY2(finished.at(1).at(3).toString().contains(QStringLiteral("nothing was deleted")),
             qPrintable(finished.at(1).at(3).toString()));
    QVERIFY(!finished.at(1).at(3).toString().contains(key));
    QVERIFY(QFile::exists(aliceFile));
    QCOMPARE(role(model, vm.alice, "state"), QStringLiteral("downloaded"));
}

void TstVoicemailModel::trayNotification()
{
    Tray::Notification n = Tray::voicemailNotification(QString::fromLatin1(DemoData::DanaPhone),
                                                       QString(), DemoData::DanaTranscript, 14000);
    QCOMPARE(n.title, QStringLiteral("New voicemail from (310) 555-0178"));
    QVERIFY2(n.body.startsWith(QStringLiteral("“Hi, this is Dana from Westside Dental,")),
             qPrintable(n.body));
    QVERIFY(n.body.endsWith(QStringLiteral("…”")));
    QCOMPARE(n.body.count(QLatin1Char(' ')), 11); // the first twelve words

    n = Tray::voicemailNotification(QString::fromLatin1(DemoData::AlicePhone),
                                    QString::fromLatin1(DemoData::AliceNamespace),
                                    QStringLiteral("Running late."), 9000);
    QCOMPARE(n.title, QStringLiteral("New voicemail from (415) 555-0132 · alice.x"));
    QCOMPARE(n.body, QStringLiteral("“Running late.”"));

    n = Tray::voicemailNotification(QString(), QString(), QString(), 14000);
    QCOMPARE(n.title, QStringLiteral("New voicemail from an unknown caller"));
    QCOMPARE(n.body, QStringLiteral("0:14 long, no transcript yet"));

    n = Tray::voicemailNotification(QStringLiteral("evil\u202e\nname"), DemoData::HostileName,
                                    DemoData::HostileName, -1);
    QVERIFY2(!hasHiddenCharacters(n.title), qPrintable(n.title));
    QVERIFY2(!hasHiddenCharacters(n.body), qPrintable(n.body));

    // The tray emits what it shows (no tray here: only the signal).
    Tray tray;
    QSignalSpy notified(&tray, &Tray::notified);
    tray.onVoicemail(QString::fromLatin1(DemoData::DanaPhone), QString(), QString(), 3000);
    QCOMPARE(notified.count(), 1);
    QCOMPARE(notified.at(0).at(0).toString(), QStringLiteral("New voicemail from (310) 555-0178"));
}

void TstVoicemailModel::playerWithoutBackend()
{
    VoicemailPlayer off(nullptr, false);
    QVERIFY(!off.isAvailable());
    QVERIFY(!off.unavailableReason().isEmpty());
    off.setSource(QUrl::fromLocalFile(m_dir->filePath(QStringLiteral("x.wav"))));
    off.play();
    off.toggle();
    off.seek(1000);
    QVERIFY(!off.isPlaying());
    QCOMPARE(off.position(), 0);
    QCOMPARE(off.duration(), 0);
    QCOMPARE(VoicemailPlayer::timeText(61500), QStringLiteral("1:01"));
    QCOMPARE(VoicemailPlayer::timeText(-5), QStringLiteral("0:00"));

    // Probed: available exactly when no reason is given. Where a backend and an output exist,
    // it reads the real file's length.
    VoicemailPlayer probed;
    QCOMPARE(probed.isAvailable(), probed.unavailableReason().isEmpty());
    qInfo().noquote() << "audio playback here:"
                      << (probed.isAvailable() ? QStringLiteral("available")
                                               : probed.unavailableReason());
    if (probed.isAvailable()) {
        VoicemailModel model;
        QVERIFY(model.open(databasePath()));
        probed.setSource(model.value(model.rowOf(m_vm.dana), QStringLiteral("fileUrl")).toUrl());
        QTRY_VERIFY_WITH_TIMEOUT(probed.duration() > 0 || !probed.errorString().isEmpty(), 10000);
        if (probed.errorString().isEmpty())
            QVERIFY2(qAbs(probed.duration() - 14000) < 500,
                     qPrintable(QString::number(probed.duration())));
    }
}

QTEST_MAIN(TstVoicemailModel)
#include "tst_voicemailmodel.moc"
