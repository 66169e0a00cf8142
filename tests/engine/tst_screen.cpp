// SPDX-License-Identifier: GPL-3.0-or-later
// The `screen` policy end to end (README "Screening a caller"): the real binary runs
// `--headless` on a temporary database, a number's policy is `screen` (set with `kevan-tel
// numbers policy`), and the Telnyx simulator plays a caller who is answered, greeted and heard.
// `kevan-tel calls --json` shows the words as they arrive and the deepfake hint; a second
// process decides with `calls decide`; a silent caller is asked once more and then meets the
// screen's fallback; a restart in the middle of a screen carries on with the words heard.
#include "headlessfixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

namespace {
const QString Owner = QStringLiteral("+17702300635");
constexpr int Timeout = 20000;

// Commands the engine sends together (transcription_start and the greeting; transcription_stop
// and what the decision asks for) race each other to the fake: compare them as a set.
QStringList sorted(QStringList list)
{
    list.sort();
    return list;
}
} // namespace

class TstScreen : public QObject, public kt::test::HeadlessFixture
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void callerIsHeardLiveThenAccepted();
    void silentCallerIsAskedAgainThenFallsBack();
    void syntheticVoiceIsAHintAndRejectSpeaks();
    void restartMidScreenKeepsTheWords();

private:
    QString field(const QString &fromNumber, const QString &name)
    {
        return callRecord(fromNumber).value(name).toString();
    }
    // The owner's number on `screen`, then a call from `from` saying `words`: its
    // call_control_id once the call is screening.
    QString screenedCall(const QString &from, const kt::InboundCallOptions &options);
    // The commands Telnyx accepted for leg `ccid`.
    QStringList steps(const QString &ccid) const { return HeadlessFixture::steps(ccid, true); }
    QJsonObject body(const QString &ccid, const QString &command) const;
    QJsonArray events();
};

void TstScreen::init()
{
    QVERIFY(setUp(QStringLiteral(KEVANTEL_BINARY)));
    m_telnyx->setSpeakDurationMs(100);
    m_telnyx->setTransferAnswerDelayMs(50);
}

void TstScreen::cleanup()
{
    tearDown();
}

QJsonObject TstScreen::body(const QString &ccid, const QString &command) const
{
    for (const kt::ReceivedRequest &r : m_telnyx->commands()) {
        if (r.callControlId == ccid && r.command == command)
            return r.json;
    }
    return {};
}

QJsonArray TstScreen::events()
{
    int code = -1;
    return QJsonDocument::fromJson(runOnDb({QStringLiteral("events"), QStringLiteral("--json"),
                                            QStringLiteral("--limit"), QStringLiteral("2000")},
                                           &code))
        .array();
}

QString TstScreen::screenedCall(const QString &from, const kt::InboundCallOptions &options)
{
    int code = -1;
    QByteArray err;
    runOnDb({QStringLiteral("numbers"), QStringLiteral("policy"), Owner, QStringLiteral("screen")},
            &code, &err);
    if (code != 0) {
        qWarning() << "numbers policy failed:" << err;
        return {};
    }
    const QString ccid = m_telnyx->startInboundCall(from, Owner, options);
    if (!QTest::qWaitFor([&] { return field(from, QStringLiteral("state")) == "screening"; },
                         Timeout)) {
        qWarning() << "the call from" << from << "never screened; it is"
                   << field(from, QStringLiteral("state"));
        return {};
    }
    return ccid;
}

void TstScreen::callerIsHeardLiveThenAccepted()
{
    QVERIFY(startServer({QStringLiteral("--screen-timeout"), QStringLiteral("120")}));
    const QString from = QStringLiteral("+14045550186");
    kt::InboundCallOptions options;
    options.screenWords = {QStringLiteral("Hi this is Dana from the dentist"),
                           QStringLiteral("calling about tomorrow")};
    options.screenWordMs = 150;
    options.deepfakeAfterMs = 50;
    const QString ccid = screenedCall(from, options);
    QVERIFY(!ccid.isEmpty());
    // Answered with deepfake detection, then listening and the greeting.
    QTRY_COMPARE_WITH_TIMEOUT(sorted(steps(ccid)),
                              sorted(QStringList{"answer", "transcription_start", "speak"}),
                              Timeout);
    QCOMPARE(body(ccid, QStringLiteral("answer"))
                 .value(QStringLiteral("deepfake_detection"))
                 .toObject()
                 .value(QStringLiteral("enabled"))
                 .toBool(),
             true);
    const QJsonObject start = body(ccid, QStringLiteral("transcription_start"));
    QCOMPARE(start.value(QStringLiteral("transcription_engine")).toString(),
             QStringLiteral("Google"));
    QCOMPARE(start.value(QStringLiteral("transcription_tracks")).toString(),
             QStringLiteral("inbound"));
    QCOMPARE(start.value(QStringLiteral("transcription_engine_config"))
                 .toObject()
                 .value(QStringLiteral("interim_results"))
                 .toBool(),
             true);
    QVERIFY(body(ccid, QStringLiteral("speak"))
                .value(QStringLiteral("payload"))
                .toString()
                .contains(QStringLiteral("This call is being screened")));

    // The words appear while the caller speaks: an interim first, then the final text of the
    // same utterance replaces it.
    QTRY_VERIFY_WITH_TIMEOUT(!field(from, QStringLiteral("transcript")).isEmpty(), Timeout);
    const QString early = field(from, QStringLiteral("transcript"));
    QVERIFY2(
        QStringLiteral("Hi this is Dana from the dentist calling about tomorrow").startsWith(early),
        qPrintable(early));
    QTRY_COMPARE_WITH_TIMEOUT(field(from, QStringLiteral("transcript")),
                              QStringLiteral("Hi this is Dana from the dentist calling about "
                                             "tomorrow"),
                              Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(field(from, QStringLiteral("deepfake_hint")),
                              QStringLiteral("the voice sounds real (score 0.08)"), Timeout);
    QCOMPARE(field(from, QStringLiteral("state")), QStringLiteral("screening"));
    QCOMPARE(field(from, QStringLiteral("decision")), QStringLiteral("ask"));
    QCOMPARE(field(from, QStringLiteral("reason")), QStringLiteral("screen_owner"));

    // The table shows the words too, as text.
    int code = -1;
    const QByteArray table = runOnDb({QStringLiteral("calls")}, &code);
    QCOMPARE(code, 0);
    QVERIFY(table.contains("TRANSCRIPT"));
    QVERIFY(table.contains("Hi this is Dana"));

    // Another process accepts: listening stops, the call goes to the owner's phone.
    const QString callId = field(from, QStringLiteral("call_id"));
    QByteArray err;
    runOnDb({QStringLiteral("calls"), QStringLiteral("decide"), callId, QStringLiteral("accept")},
            &code, &err);
    QVERIFY2(code == 0, err.constData());
    QTRY_COMPARE_WITH_TIMEOUT(sorted(steps(ccid)),
                              sorted(QStringList{"answer", "transcription_start", "speak",
                                                 "transcription_stop", "transfer"}),
                              Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(field(from, QStringLiteral("state")), QStringLiteral("forwarded"),
                              Timeout);
    QCOMPARE(field(from, QStringLiteral("reason")), QStringLiteral("owner_accepted"));
    // What was heard stays with the call.
    QCOMPARE(field(from, QStringLiteral("transcript")),
             QStringLiteral("Hi this is Dana from the dentist calling about tomorrow"));

    // The log: the words with their engine, the deepfake hint, and the owner's decision.
    const QByteArray stopped = kt::test::terminateServer(*m_server, Timeout);
    QVERIFY2(stopped.isEmpty(), stopped.constData());
    int finals = 0;
    bool interim = false;
    bool hint = false;
    bool decided = false;
    for (const QJsonValue &v : events()) {
        const QJsonObject e = v.toObject();
        const QString type = e.value(QStringLiteral("type")).toString();
        const QJsonObject p = e.value(QStringLiteral("payload")).toObject();
        if (type == QLatin1String("tel.screen_words")) {
            QCOMPARE(p.value(QStringLiteral("engine")).toString(), QStringLiteral("google"));
            if (p.value(QStringLiteral("final")).toBool())
                ++finals;
            else
                interim = true;
        } else if (type == QLatin1String("tel.screen_deepfake")) {
            hint = p.value(QStringLiteral("result")).toString() == QLatin1String("real");
        } else if (type == QLatin1String("tel.owner_decision")) {
            decided = p.value(QStringLiteral("by")).toString() == QLatin1String("owner") &&
                      p.value(QStringLiteral("choice")).toString() == QLatin1String("accept");
        }
    }
    QCOMPARE(finals, 2);
    QVERIFY(interim);
    QVERIFY(hint);
    QVERIFY(decided);
    runOnDb({QStringLiteral("events"), QStringLiteral("verify")}, &code);
    QCOMPARE(code, 0);
}

void TstScreen::silentCallerIsAskedAgainThenFallsBack()
{
    QVERIFY(startServer({QStringLiteral("--screen-timeout"), QStringLiteral("10"),
                         QStringLiteral("--screen-silence"), QStringLiteral("2")}));
    const QString from = QStringLiteral("+16175550163");
    kt::InboundCallOptions options; // says nothing
    options.deepfakeAfterMs = 50;
    const QString ccid = screenedCall(from, options);
    QVERIFY(!ccid.isEmpty());
    // The greeting, a re-prompt after the silence, then at the timeout the rejection message
    // and the hangup.
    QTRY_COMPARE_WITH_TIMEOUT(
        sorted(steps(ccid)), sorted(QStringList{"answer", "transcription_start", "speak", "speak"}),
        Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(field(from, QStringLiteral("state")), QStringLiteral("ended"),
                              Timeout);
    QCOMPARE(sorted(steps(ccid)),
             sorted(QStringList{"answer", "transcription_start", "speak", "speak",
                                "transcription_stop", "speak", "hangup"}));
    QCOMPARE(field(from, QStringLiteral("reason")), QStringLiteral("ask_timeout"));
    QCOMPARE(field(from, QStringLiteral("transcript")), QString());
    QCOMPARE(field(from, QStringLiteral("deepfake_hint")),
             QStringLiteral("no verdict: the caller was silent"));
    bool timedOut = false;
    bool reprompt = false;
    for (const QJsonValue &v : events()) {
        const QJsonObject e = v.toObject();
        const QString type = e.value(QStringLiteral("type")).toString();
        if (type == QLatin1String("tel.ask_timeout"))
            timedOut = e.value(QStringLiteral("payload"))
                           .toObject()
                           .value(QStringLiteral("by"))
                           .toString() == QLatin1String("timeout");
        reprompt = reprompt || type == QLatin1String("tel.screen_silence");
    }
    QVERIFY(timedOut);
    QVERIFY(reprompt);
}

void TstScreen::syntheticVoiceIsAHintAndRejectSpeaks()
{
    QVERIFY(startServer({QStringLiteral("--screen-timeout"), QStringLiteral("120")}));
    const QString from = QStringLiteral("+12065550177");
    kt::InboundCallOptions options;
    options.screenWords = {QStringLiteral("This is your bank")};
    options.screenWordMs = 50;
    options.deepfakeResult = QStringLiteral("fake");
    options.deepfakeScore = 0.91;
    options.deepfakeAfterMs = 50;
    const QString ccid = screenedCall(from, options);
    QVERIFY(!ccid.isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(field(from, QStringLiteral("deepfake_hint")),
                              QStringLiteral("the voice may be synthetic (score 0.91)"), Timeout);
    // A hint, not a decision: the call still waits for the owner.
    QCOMPARE(field(from, QStringLiteral("state")), QStringLiteral("screening"));
    int code = -1;
    QByteArray err;
    runOnDb({QStringLiteral("calls"), QStringLiteral("decide"), ccid, QStringLiteral("reject")},
            &code, &err);
    QVERIFY2(code == 0, err.constData());
    QTRY_COMPARE_WITH_TIMEOUT(field(from, QStringLiteral("state")), QStringLiteral("ended"),
                              Timeout);
    const QStringList done = steps(ccid);
    QCOMPARE(done.last(), QStringLiteral("hangup"));
    QCOMPARE(sorted(done.mid(done.size() - 3)),
             sorted(QStringList{"transcription_stop", "speak", "hangup"}));
    QCOMPARE(field(from, QStringLiteral("reason")), QStringLiteral("owner_rejected"));
}

void TstScreen::restartMidScreenKeepsTheWords()
{
    QVERIFY(startServer({QStringLiteral("--screen-timeout"), QStringLiteral("120")}));
    const QString from = QStringLiteral("+13475550161");
    kt::InboundCallOptions options;
    options.screenWords = {QStringLiteral("It is Lee about the invoice")};
    options.screenWordMs = 50;
    const QString ccid = screenedCall(from, options);
    QVERIFY(!ccid.isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(field(from, QStringLiteral("transcript")),
                              QStringLiteral("It is Lee about the invoice"), Timeout);
    // The engine stops in the middle of the screen and starts again on the same log.
    const QByteArray stopped = kt::test::terminateServer(*m_server, Timeout);
    QVERIFY2(stopped.isEmpty(), stopped.constData());
    QVERIFY(startServer({QStringLiteral("--screen-timeout"), QStringLiteral("120")}));
    QCOMPARE(field(from, QStringLiteral("state")), QStringLiteral("screening"));
    QCOMPARE(field(from, QStringLiteral("transcript")),
             QStringLiteral("It is Lee about the invoice"));
    const int before = int(steps(ccid).size());
    int code = -1;
    QByteArray err;
    runOnDb({QStringLiteral("calls"), QStringLiteral("decide"), ccid, QStringLiteral("accept")},
            &code, &err);
    QVERIFY2(code == 0, err.constData());
    QTRY_COMPARE_WITH_TIMEOUT(field(from, QStringLiteral("state")), QStringLiteral("forwarded"),
                              Timeout);
    // Nothing asked for twice: the new run went on from where the old one was.
    QCOMPARE(sorted(steps(ccid).mid(before)),
             sorted(QStringList{"transcription_stop", "transfer"}));
}

QTEST_GUILESS_MAIN(TstScreen)
#include "tst_screen.moc"
