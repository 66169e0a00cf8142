// SPDX-License-Identifier: GPL-3.0-or-later
#include "demodata.h"

#include "screening/certificateauthority.h"
#include "screening/screeningrepository.h"
#include "simulator/audiogenerator.h"
#include "store/eventstore.h"
#include "voicemail/voicemailfiles.h"
#include "voicemail/voicemailrepository.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>

namespace kt::test {
namespace {
struct Caller
{
    QString from;
    QString name;
    QString to;
    QString decision;
    QString reason;
    QString nameSpace;
    QStringList flags;
    int durationSecs;
    QString endState;    // forwarded calls end "ended" too; failed ones "failed"
    QString explanation; // the decision's sentence, as the Decider writes it
};

QList<Caller> cast()
{
    const QString alice = QString::fromLatin1(DemoData::AlicePhone);
    return {
        {alice,
         QStringLiteral("Alice"),
         QStringLiteral("+17702300635"),
         QStringLiteral("authenticated"),
         QStringLiteral("registry"),
         QString::fromLatin1(DemoData::AliceNamespace),
         {QStringLiteral("registered"), QStringLiteral("proof=attested_caller_id")},
         192,
         QStringLiteral("ended"),
         QStringLiteral("+14155550132 is registered to alice.x and its certificate is valid, so "
                        "the call is answered and forwarded to you.")},
        {QStringLiteral("+13125550178"),
         QStringLiteral("+13125550178"),
         QStringLiteral("+18886115384"),
         QStringLiteral("rejected"),
         QStringLiteral("spam_likely"),
         QString(),
         {QStringLiteral("spam_likely")},
         9,
         QStringLiteral("ended"),
         QStringLiteral("Telnyx flags +13125550178 as likely spam, so the caller hears the "
                        "rejection message.")},
        {QString::fromLatin1(DemoData::MumPhone),
         QStringLiteral("Mum"),
         QStringLiteral("+17702300635"),
         QStringLiteral("allowlisted"),
         QStringLiteral("allow_rule"),
         QString(),
         {},
         421,
         QStringLiteral("ended"),
         QStringLiteral("+12125550147 matches allow rule #1 (+12125550147), so the call is "
                        "answered and forwarded to you.")},
        {QString::fromLatin1(DemoData::BlockedPhone),
         DemoData::HostileName,
         QStringLiteral("+18775709775"),
         QStringLiteral("blocked"),
         QStringLiteral("block_rule"),
         QString(),
         {},
         0,
         QStringLiteral("ended"),
         QStringLiteral("+19005550111 matches block rule #2 (+19005550111), so the call is refused "
                        "without being answered.")},
        {QStringLiteral("+16175550163"),
         QStringLiteral("+16175550163"),
         QString::fromLatin1(DemoData::AskNumber),
         QStringLiteral("allowlisted"),
         QStringLiteral("owner_accepted"),
         QString(),
         {},
         95,
         QStringLiteral("ended"),
         QStringLiteral("You accepted the call from +16175550163, so the call is answered and "
                        "forwarded to you.")},
        {QStringLiteral("+14045550186"),
         QStringLiteral("Unknown"),
         QStringLiteral("+18886780645"),
         QStringLiteral("rejected"),
         QStringLiteral("attestation_failed"),
         QString(),
         {QStringLiteral("attestation_failed")},
         11,
         QStringLiteral("ended"),
         QStringLiteral("The caller ID +14045550186 failed STIR/SHAKEN verification, so the caller "
                        "hears the rejection message.")},
        {QStringLiteral("Restricted"),
         QStringLiteral("Restricted"),
         QStringLiteral("+17702300635"),
         QStringLiteral("rejected"),
         QStringLiteral("anonymous"),
         QString(),
         {QStringLiteral("anonymous")},
         8,
         QStringLiteral("ended"),
         QStringLiteral("The caller withheld their number (Restricted), so the caller hears the "
                        "rejection message.")},
        {QStringLiteral("+442079460958"),
         QStringLiteral("LONDON"),
         QString::fromLatin1(DemoData::AskNumber),
         QStringLiteral("rejected"),
         QStringLiteral("ask_timeout"),
         QString(),
         {},
         24,
         QStringLiteral("ended"),
         QStringLiteral("You did not decide in time on +442079460958, so the caller hears the "
                        "rejection message.")},
    };
}

// Calls per day, the newest day first: a busy today, 2 to 7 on the days before (at most 7: a
// day's calls are spread from 09:00 on, 2.2 hours apart).
int callsOnDay(int day)
{
    return day == 0 ? 8 : 2 + (day * 5) % 6;
}

QString iso(const QDateTime &t)
{
    return t.toUTC().toString(Qt::ISODateWithMs);
}
} // namespace

const QString DemoData::HostileName = QStringLiteral("<b>FREE</b> CRUISE\u202e\n<i>win</i>");

const QString DemoData::DanaTranscript = QStringLiteral(
    "Hi, this is Dana from Westside Dental, calling to confirm your appointment on Thursday at "
    "three. If that no longer works, please call us back at 310 555 0178. Thanks, bye.");

namespace {
// A downloaded message: the audio stored as the fetcher stores it (<sha256>.wav, 0600).
QString storeAudio(VoicemailRepository &repo, const QString &folder, qint64 id,
                   const QByteArray &wav)
{
    if (!QDir().mkpath(folder))
        return QStringLiteral("cannot create ") + folder;
    QFile::setPermissions(folder, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    const QString sha =
        QString::fromLatin1(QCryptographicHash::hash(wav, QCryptographicHash::Sha256).toHex());
    const QString file = QDir(folder).filePath(sha + QStringLiteral(".wav"));
    QFile out(file);
    if (!out.open(QIODevice::WriteOnly) || out.write(wav) != wav.size())
        return QStringLiteral("cannot write ") + file;
    out.close();
    out.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
    return repo.markDownloaded(id, sha, file, wav.size(), QStringLiteral("engine")).error;
}
} // namespace

bool DemoData::seedVoicemail(const QString &path, QString *error, const QDateTime &now,
                             Voicemail *out)
{
    EventStore store;
    if (!store.open(path, QStringLiteral("demo-voicemail"), EventStore::Mode::ReadWrite)) {
        *error = store.errorString();
        return false;
    }
    Voicemail v;
    QString problem;
    {
        VoicemailRepository repo(store);
        const QString folder = VoicemailFiles::folderFor(path);
        const QString actor = QStringLiteral("telnyx");
        const QDateTime utc = now.toUTC();
        int serial = 0;
        auto saved = [&](const QString &callId, const QString &from, const QString &to,
                         const QDateTime &ended, int seconds) {
            RecordingPayload::Saved s;
            s.recordingId = QStringLiteral("demo-recording-%1").arg(++serial);
            s.callControlId = callId;
            s.from = from;
            s.to = to;
            s.format = QStringLiteral("wav");
            s.urlWav = QStringLiteral("https://storage.example/%1.wav").arg(s.recordingId);
            s.startedAt = ended.addSecs(-seconds);
            s.endedAt = ended;
            return s;
        };
        auto transcribe = [&](const RecordingPayload::Saved &s, const QString &text) {
            RecordingPayload::Transcription t;
            t.recordingId = s.recordingId;
            t.callControlId = s.callControlId;
            t.status = QStringLiteral("completed");
            t.text = text;
            return repo.recordTranscription(t, actor).error;
        };

        // Alice's newest call (so that the History detail links to her message).
        CallQuery q;
        q.limit = 0;
        QDateTime aliceEnded = utc.addSecs(-3 * 3600);
        for (const CallRecord &c : store.calls(q)) {
            if (c.fromNumber == QLatin1String(AlicePhone)) {
                v.aliceCallId = c.callId;
                const QDateTime ended = QDateTime::fromString(c.endedAt, Qt::ISODateWithMs);
                if (ended.isValid() && ended < utc.addSecs(-12 * 60))
                    aliceEnded = ended;
                break;
            }
        }

        // Alice's: left when her call ended, heard.
        const auto alice = saved(v.aliceCallId, {}, {}, aliceEnded, 9);
        v.alice = repo.recordSaved(alice, actor).id;
        problem = storeAudio(repo, folder, v.alice, AudioGenerator::speechLikeWav(9000, 7));
        if (problem.isEmpty())
            problem = transcribe(alice, QStringLiteral("It's me. Running late, see you at eight."));
        if (problem.isEmpty())
            problem = repo.markHeard(v.alice, QStringLiteral("owner")).error;

        // Failed: Telnyx could not record.
        RecordingPayload::Error failure;
        failure.callControlId = QStringLiteral("demo-vm-failed");
        failure.reason = QStringLiteral("recording failed: the caller hung up before the beep");
        if (problem.isEmpty()) {
            const auto r = repo.recordTelnyxError(failure, actor);
            v.failed = r.id;
            problem = r.error;
        }

        // Hostile words, still downloading.
        const auto hostile = saved(QStringLiteral("demo-vm-hostile"),
                                   QString::fromLatin1(BlockedPhone) + QStringLiteral("\u202e"),
                                   QString::fromLatin1(AskNumber), utc.addSecs(-40 * 60), 21);
        if (problem.isEmpty()) {
            const auto r = repo.recordSaved(hostile, actor);
            v.hostile = r.id;
            problem = r.error;
        }
        if (problem.isEmpty())
            problem = transcribe(hostile, HostileName + QStringLiteral(" call now ") +
                                              QString(300, QLatin1Char('x')));

        // Dana's: the newest, unread, with audio and a transcript.
        const auto dana = saved(QStringLiteral("demo-vm-dana"), QString::fromLatin1(DanaPhone),
                                QString::fromLatin1(AskNumber), utc.addSecs(-12 * 60), 14);
        if (problem.isEmpty()) {
            const auto r = repo.recordSaved(dana, actor);
            v.dana = r.id;
            problem = r.error;
        }
        v.danaAudio = AudioGenerator::speechLikeWav(14000, 3);
        if (problem.isEmpty())
            problem = storeAudio(repo, folder, v.dana, v.danaAudio);
        if (problem.isEmpty())
            problem = transcribe(dana, DanaTranscript);
    }
    store.close();
    if (!problem.isEmpty()) {
        *error = QStringLiteral("demo voicemail: ") + problem;
        return false;
    }
    if (out)
        *out = v;
    return true;
}

int DemoData::callCount(int callDays)
{
    int n = 0;
    for (int day = 0; day < callDays; ++day)
        n += callsOnDay(day);
    return n;
}

bool DemoData::seed(const QString &path, QString *error, const QDateTime &now, int callDays)
{
    EventStore store;
    if (!store.open(path, QStringLiteral("demo-seed"), EventStore::Mode::ReadWrite)) {
        *error = store.errorString();
        return false;
    }
    {
        ScreeningRepository repo(store);
        const QString actor = QStringLiteral("demo");
        const QDateTime utc = now.toUTC();
        const CertificateAuthority root = CertificateAuthority::createRoot(
            QStringLiteral("kevan-tel demo root"), utc.addDays(-30), utc.addYears(5));
        const Certificate alice =
            root.issue(QString::fromLatin1(AliceNamespace), utc.addDays(-30), utc.addYears(1));
        QList<ScreeningResult> results{
            repo.ensureDefaultNumbers(actor),
            repo.trustRoot(root.certificate().toPem(), actor),
            repo.addCertificate(alice.toPem(), actor),
            repo.registerPhone(QString::fromLatin1(AlicePhone), QString::fromLatin1(AliceNamespace),
                               actor),
            repo.addRule(QStringLiteral("allow"), QString::fromLatin1(MumPhone),
                         QStringLiteral("Mum"), QString(), false, actor),
            repo.addRule(QStringLiteral("block"), QString::fromLatin1(BlockedPhone),
                         QStringLiteral("prize scam"), QString(), false, actor),
            repo.addRule(QStringLiteral("block"), QStringLiteral("+1900*"),
                         QStringLiteral("premium-rate numbers"), QString(), false, actor),
            repo.addRule(QStringLiteral("allow"), QStringLiteral("+15125550199"),
                         QStringLiteral("plumber, this week"), iso(utc.addDays(5)), true, actor),
            repo.setNumberPolicy(QString::fromLatin1(AskNumber), QStringLiteral("ask"), actor),
        };
        for (const ScreeningResult &r : results) {
            if (!r.ok) {
                *error = QStringLiteral("demo data: ") + r.error;
                return false;
            }
        }
    }

    const QList<Caller> callers = cast();
    int serial = 0;
    const QDateTime localMidnight(now.toLocalTime().date(), QTime(0, 0));
    for (int day = 0; day < callDays; ++day) {
        const int calls = callsOnDay(day);
        for (int i = 0; i < calls; ++i) {
            const Caller &c = callers.at(serial % callers.size());
            // Today: spread between midnight and now; other days: through the day.
            QDateTime started;
            if (day == 0) {
                const qint64 span = qMax<qint64>(localMidnight.secsTo(now) - 120, calls);
                started = now.addSecs(-120 - span * i / calls);
            } else {
                started = localMidnight.addDays(-day).addSecs(9 * 3600 + i * 7919);
            }
            const QString callId =
                QStringLiteral("v3:demo-%1").arg(++serial, 4, 10, QLatin1Char('0'));
            const QString startedAt = iso(started);

            NewEvent initiated;
            initiated.telnyxId = QStringLiteral("demo-event-%1").arg(serial);
            initiated.type = QStringLiteral("call.initiated");
            initiated.callId = callId;
            initiated.occurredAt = startedAt;
            initiated.actor = QStringLiteral("telnyx");
            initiated.payload = {
                {QStringLiteral("data"),
                 QJsonObject{{QStringLiteral("event_type"), QStringLiteral("call.initiated")},
                             {QStringLiteral("payload"),
                              QJsonObject{{QStringLiteral("from"), c.from},
                                          {QStringLiteral("to"), c.to},
                                          {QStringLiteral("caller_id_name"), c.name},
                                          {QStringLiteral("state"), QStringLiteral("parked")}}}}}};
            CallUpdate start;
            start.callId = callId;
            start.fromNumber = c.from;
            start.toNumber = c.to;
            start.callerName = c.name;
            start.direction = QStringLiteral("incoming");
            start.startedAt = startedAt;
            start.state = QStringLiteral("ringing");

            NewEvent decided;
            decided.type = QStringLiteral("tel.call_") + c.decision;
            decided.callId = callId;
            decided.actor = QStringLiteral("engine");
            decided.payload = {{QStringLiteral("decision"),
                                QJsonObject{{QStringLiteral("decision"), c.decision},
                                            {QStringLiteral("reason"), c.reason},
                                            {QStringLiteral("namespace"), c.nameSpace},
                                            {QStringLiteral("explanation"), c.explanation}}},
                               {QStringLiteral("from"), c.from},
                               {QStringLiteral("to"), c.to}};
            CallUpdate decision;
            decision.callId = callId;
            decision.decision = c.decision;
            decision.reason = c.reason;
            decision.namespaceName = c.nameSpace;
            decision.decidedAt = iso(started.addSecs(1));
            QJsonObject flags;
            for (const QString &f : c.flags) {
                // "key=value" (proof=pin) is a text flag, anything else a boolean one.
                const qsizetype eq = f.indexOf(QLatin1Char('='));
                if (eq > 0)
                    flags.insert(f.left(eq), f.mid(eq + 1));
                else
                    flags.insert(f, true);
            }
            decision.flags = flags;
            decision.state = c.decision == QLatin1String("authenticated") ||
                                     c.decision == QLatin1String("allowlisted")
                                 ? QStringLiteral("forwarding")
                                 : QStringLiteral("rejecting");

            NewEvent ended;
            ended.type = QStringLiteral("tel.call_ended");
            ended.callId = callId;
            ended.actor = QStringLiteral("engine");
            ended.payload = {{QStringLiteral("state"), c.endState},
                             {QStringLiteral("cause"), QStringLiteral("normal_clearing")}};
            CallUpdate end;
            end.callId = callId;
            end.state = c.endState;
            end.endedAt = iso(started.addSecs(2 + c.durationSecs));
            end.hangupCause = QStringLiteral("normal_clearing");

            // What the engine made of the caller, and Telnyx's hangup: the call's timeline.
            NewEvent inbound;
            inbound.type = QStringLiteral("tel.call_inbound");
            inbound.callId = callId;
            inbound.occurredAt = iso(started.addMSecs(40));
            inbound.actor = QStringLiteral("engine");
            inbound.payload = {{QStringLiteral("from"), c.from},
                               {QStringLiteral("to"), c.to},
                               {QStringLiteral("caller_id_name"), c.name}};
            decided.occurredAt = iso(started.addMSecs(55));
            NewEvent hangup;
            hangup.telnyxId = QStringLiteral("demo-hangup-%1").arg(serial);
            hangup.type = QStringLiteral("call.hangup");
            hangup.callId = callId;
            hangup.occurredAt = iso(started.addSecs(2 + c.durationSecs));
            hangup.actor = QStringLiteral("telnyx");
            hangup.payload = {
                {QStringLiteral("data"),
                 QJsonObject{{QStringLiteral("event_type"), QStringLiteral("call.hangup")},
                             {QStringLiteral("payload"),
                              QJsonObject{{QStringLiteral("from"), c.from},
                                          {QStringLiteral("to"), c.to},
                                          {QStringLiteral("hangup_cause"),
                                           QStringLiteral("normal_clearing")}}}}}};
            ended.occurredAt = iso(started.addSecs(2 + c.durationSecs).addMSecs(20));

            const std::pair<const NewEvent *, const CallUpdate *> steps[] = {{&initiated, &start},
                                                                             {&inbound, nullptr},
                                                                             {&decided, &decision},
                                                                             {&hangup, nullptr},
                                                                             {&ended, &end}};
            for (const auto &[event, update] : steps) {
                const AppendResult r = store.append(*event, update);
                if (!r.ok()) {
                    *error = QStringLiteral("demo data: ") + r.error;
                    return false;
                }
            }
        }
    }
    return true;
}

CallRecord DemoData::askingCall(const QDateTime &now)
{
    CallRecord c;
    c.callId = QStringLiteral("v3:live-asking");
    c.fromNumber = QStringLiteral("+16175550163");
    c.toNumber = QString::fromLatin1(AskNumber);
    c.callerName = QStringLiteral("BOSTON MA");
    c.direction = QStringLiteral("incoming");
    c.decision = QStringLiteral("ask");
    // A number registered to carol.x calling without a verified caller ID: asked about.
    c.reason = QStringLiteral("caller_id_unverified");
    c.flags = {{QStringLiteral("registered"), true},
               {QStringLiteral("caller_id_unverified"), true},
               {QStringLiteral("claimed_namespace"), QStringLiteral("carol.x")}};
    c.state = QStringLiteral("asking");
    c.startedAt = iso(now.addSecs(-6));
    c.decidedAt = iso(now.addSecs(-5));
    return c;
}

CallRecord DemoData::screenedCall(const QDateTime &now,
                                  const QList<std::pair<QString, bool>> &words,
                                  const QString &deepfake, double score)
{
    CallRecord c;
    c.callId = QStringLiteral("v3:live-screened");
    c.fromNumber = QString::fromLatin1(ScreenedPhone);
    c.toNumber = QStringLiteral("+18886762825");
    c.callerName = QString::fromLatin1(ScreenedPhone);
    c.direction = QStringLiteral("incoming");
    c.decision = QStringLiteral("ask");
    c.reason = QStringLiteral("screen_owner");
    c.state = QStringLiteral("screening");
    c.startedAt = iso(now.addSecs(-9));
    c.decidedAt = iso(now.addSecs(-8));
    QJsonArray utterances;
    for (const auto &[text, final] : words)
        utterances.append(
            QJsonObject{{QStringLiteral("text"), text}, {QStringLiteral("final"), final}});
    QJsonObject screen{
        {QStringLiteral("engine"), QStringLiteral("google")},
        {QStringLiteral("transcript"), QJsonObject{{QStringLiteral("utterances"), utterances}}}};
    if (!deepfake.isEmpty()) {
        QJsonObject hint{{QStringLiteral("result"), deepfake}};
        if (score >= 0)
            hint.insert(QStringLiteral("score"), score);
        screen.insert(QStringLiteral("deepfake"), hint);
    }
    c.flags = {{QStringLiteral("screen"), screen}};
    return c;
}

CallRecord DemoData::forwardingCall(const QDateTime &now)
{
    CallRecord c;
    c.callId = QStringLiteral("v3:live-forwarded");
    c.fromNumber = QString::fromLatin1(AlicePhone);
    c.toNumber = QStringLiteral("+17702300635");
    c.callerName = QStringLiteral("Alice");
    c.direction = QStringLiteral("incoming");
    c.decision = QStringLiteral("authenticated");
    c.reason = QStringLiteral("registry");
    c.namespaceName = QString::fromLatin1(AliceNamespace);
    c.state = QStringLiteral("forwarded");
    c.startedAt = iso(now.addSecs(-83));
    c.decidedAt = iso(now.addSecs(-82));
    c.flags = {{QStringLiteral("registered"), true},
               {QStringLiteral("proof"), QStringLiteral("attested_caller_id")}};
    return c;
}

} // namespace kt::test
