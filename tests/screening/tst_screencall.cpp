// SPDX-License-Identifier: GPL-3.0-or-later
// The `screen` policy's call (README "Screening a caller"): the decision, the call state
// machine's paths, and the transcript's rules for the caller's words.
#include "callactiontext.h"
#include "screening/callstatemachine.h"
#include "screening/decider.h"
#include "screening/screentranscript.h"

#include <QtTest>

using kt::CallAction;
using kt::CallActions;
using kt::CallConfig;
using kt::CallPayload;
using kt::CallStateMachine;
using kt::Decision;
using kt::ScreenTranscript;

using kt::test::findStep;
using kt::test::steps;

namespace {

const QString LegA = QStringLiteral("v3:leg-A-screen-2EC70CTEjlUq3tDM0CxKXIt5");
const QString LegB = QStringLiteral("v3:leg-B-screen-9fHqub97Sk4EqO5w");
const QString Session = QStringLiteral("5ca81eee-5beb-11eb-ba6c-02420a0f8b69");
const QString Caller = QStringLiteral("+17702300635");
const QString Owner = QStringLiteral("+18886115384");
const QString OwnerPhone = QStringLiteral("+14155550100");

CallConfig config()
{
    CallConfig c;
    c.forwardTo = OwnerPhone;
    return c;
}

CallPayload leg(const QString &ccid)
{
    CallPayload p;
    p.callControlId = ccid;
    p.callSessionId = Session;
    p.from = ccid == LegA ? Caller : Owner;
    p.to = ccid == LegA ? Owner : OwnerPhone;
    return p;
}

CallPayload words(const QString &text, bool final)
{
    CallPayload p = leg(LegA);
    p.transcript = text;
    p.transcriptFinal = final;
    return p;
}

// The greeting's or the re-prompt's end; Telnyx sends the same event for every speak.
CallPayload screenSpeakEnded()
{
    CallPayload p = leg(LegA);
    p.status = QStringLiteral("completed");
    return p;
}

CallPayload closingSpeakEnded()
{
    CallPayload p = leg(LegA);
    p.status = QStringLiteral("completed");
    return p;
}

CallPayload hangup(const QString &ccid, const QString &cause)
{
    CallPayload p = leg(ccid);
    p.hangupCause = cause;
    return p;
}

Decision screenDecision()
{
    Decision d;
    d.outcome = Decision::Ask;
    d.reason = QStringLiteral("screen_owner");
    d.action = Decision::AnswerAndScreen;
    d.caller = Caller;
    return d;
}

// A screened call up to the greeting being spoken and the transcription started.
CallStateMachine greeted(CallConfig c = config(), CallActions *seen = nullptr)
{
    CallStateMachine m(std::move(c));
    CallActions all;
    all += m.onWebhook(QStringLiteral("call.initiated"), leg(LegA));
    all += m.onDecision(screenDecision());
    all += m.onCommandResult(QStringLiteral("answer"), true, false);
    all += m.onWebhook(QStringLiteral("call.answered"), leg(LegA));
    if (seen)
        *seen = all;
    return m;
}

} // namespace

class TestScreenCall : public QObject
{
    Q_OBJECT

private slots:
    void deciderScreensUnknownCallers();
    void answerCarriesDeepfakeDetectionAndListens();
    void deepgramAndNoDeepfake();
    void acceptWhileGreetingPlays();
    void acceptAfterFinalWords();
    void rejectSpeaksMessageThenHangsUp();
    void voicemailFromScreen();
    void silenceRepromptsOnce();
    void wordsStopTheRepromptTimer();
    void timeoutFallsBack_data();
    void timeoutFallsBack();
    void callerHangsUpMidSentence();
    void duplicateAndLateTranscriptions();
    void greetingSpeakEndedIsNotTheRejections();
    void deepfakeIsAHintOnly();
    void restartMidScreen();
    void aiEngineGathersNameAndReason();
    void aiGatherFailureFallsBackToTranscription();
    void transcriptBounds();
    void transcriptCleansHostileText();
};

void TestScreenCall::deciderScreensUnknownCallers()
{
    class OneRegistered : public kt::ScreeningLookup
    {
    public:
        std::optional<kt::Rule> matchRule(kt::Rule::Kind, const QString &,
                                          const QDateTime &) const override
        {
            return std::nullopt;
        }
        std::optional<kt::Registration> registration(const QString &e164) const override
        {
            if (e164 != QLatin1String("+14155550199"))
                return std::nullopt;
            kt::Registration r;
            r.phone = e164;
            r.nameSpace = QStringLiteral("alice.x");
            r.certificateFingerprint = QStringLiteral("ab12");
            return r; // no PIN
        }
        kt::CertCheck checkCertificate(const QString &, const QString &,
                                       const QDateTime &) const override
        {
            return {true, QStringLiteral("valid"), QString()};
        }
    } lookup;
    kt::CallFacts facts;
    facts.from = Caller;
    facts.rawFrom = Caller;
    facts.to = Owner;
    kt::Policy policy;
    policy.unknownPolicy = QStringLiteral("screen");
    const QDateTime now =
        QDateTime::fromString(QStringLiteral("2026-01-01T00:00:00Z"), Qt::ISODate);
    Decision d = kt::Decider::decide(facts, policy, lookup, now);
    QCOMPARE(d.outcome, Decision::Ask);
    QCOMPARE(d.reason, QStringLiteral("screen_owner"));
    QCOMPARE(d.action, Decision::AnswerAndScreen);
    QCOMPARE(d.actionName(), QStringLiteral("answer_and_screen"));
    QCOMPARE(Decision::actionFromName(QStringLiteral("answer_and_screen")),
             std::optional<Decision::Action>(Decision::AnswerAndScreen));
    QVERIFY(d.explanation.contains(QStringLiteral("reading the words")));

    // Per number: the number's policy wins over the default.
    policy.unknownPolicy = QStringLiteral("reject");
    policy.numberPolicy = QStringLiteral("screen");
    d = kt::Decider::decide(facts, policy, lookup, now);
    QCOMPARE(d.action, Decision::AnswerAndScreen);

    // Dry run: forwarded, the explanation says what would have happened.
    policy.dryRun = true;
    d = kt::Decider::decide(facts, policy, lookup, now);
    QCOMPARE(d.action, Decision::AnswerAndForward);
    QVERIFY(d.explanation.contains(QStringLiteral("would have been screened")));

    // A registered caller whose caller ID is not proven (no attestation, no PIN) is screened
    // as an unknown caller, and keeps the reason and the claimed namespace.
    policy = kt::Policy();
    policy.unknownPolicy = QStringLiteral("screen");
    facts.from = facts.rawFrom = QStringLiteral("+14155550199");
    facts.callingPartyType = QStringLiteral("pstn");
    d = kt::Decider::decide(facts, policy, lookup, now);
    QCOMPARE(d.action, Decision::AnswerAndScreen);
    QCOMPARE(d.reason, QStringLiteral("caller_id_unverified"));
    QCOMPARE(d.claimedNamespace, QStringLiteral("alice.x"));
}

void TestScreenCall::answerCarriesDeepfakeDetectionAndListens()
{
    CallStateMachine m(config());
    m.onWebhook(QStringLiteral("call.initiated"), leg(LegA));
    const CallActions first = m.onDecision(screenDecision());
    QCOMPARE(steps(first),
             (QStringList{QStringLiteral("start_ask_timer:45"), QStringLiteral("answer")}));
    QCOMPARE(findStep(first, QStringLiteral("answer"))->params,
             (QJsonObject{{QStringLiteral("deepfake_detection"),
                           QJsonObject{{QStringLiteral("enabled"), true}}}}));
    QCOMPARE(m.state(), QStringLiteral("screening"));
    QVERIFY(m.askPending());
    QVERIFY(m.screening());
    QCOMPARE(m.askTimerSecs(), 45);

    // Nothing but the answer until Telnyx says the call is answered (90034 otherwise).
    QVERIFY(m.onCommandResult(QStringLiteral("answer"), true, false).isEmpty());
    const CallActions listening = m.onWebhook(QStringLiteral("call.answered"), leg(LegA));
    QCOMPARE(steps(listening), (QStringList{QStringLiteral("transcription_start"),
                                            QStringLiteral("speak_screen_greeting")}));
    const QJsonObject t = findStep(listening, QStringLiteral("transcription_start"))->params;
    QCOMPARE(t.value(QStringLiteral("transcription_engine")).toString(), QStringLiteral("Google"));
    QCOMPARE(t.value(QStringLiteral("transcription_tracks")).toString(), QStringLiteral("inbound"));
    const QJsonObject engine = t.value(QStringLiteral("transcription_engine_config")).toObject();
    QCOMPARE(engine.value(QStringLiteral("interim_results")).toBool(), true);
    QCOMPARE(engine.value(QStringLiteral("language")).toString(), QStringLiteral("en-US"));
    QVERIFY(!t.contains(QStringLiteral("language"))); // nested, not top level
    const QJsonObject g = findStep(listening, QStringLiteral("speak_screen_greeting"))->params;
    QCOMPARE(g.value(QStringLiteral("payload")).toString(), config().screenGreeting);
    QCOMPARE(m.screenEngineUsed(), QStringLiteral("google"));
    QCOMPARE(m.state(), QStringLiteral("screening"));
    // A duplicate call.answered asks for nothing again.
    QVERIFY(m.onWebhook(QStringLiteral("call.answered"), leg(LegA)).isEmpty());
}

void TestScreenCall::deepgramAndNoDeepfake()
{
    CallConfig c = config();
    c.screenEngine = QStringLiteral("deepgram");
    c.screenDeepfake = false;
    c.language = QStringLiteral("de-DE");
    CallStateMachine m(c);
    m.onWebhook(QStringLiteral("call.initiated"), leg(LegA));
    const CallActions first = m.onDecision(screenDecision());
    QCOMPARE(findStep(first, QStringLiteral("answer"))->params, QJsonObject());
    const CallActions listening = m.onWebhook(QStringLiteral("call.answered"), leg(LegA));
    const QJsonObject t = findStep(listening, QStringLiteral("transcription_start"))->params;
    QCOMPARE(t.value(QStringLiteral("transcription_engine")).toString(),
             QStringLiteral("Deepgram"));
    const QJsonObject engine = t.value(QStringLiteral("transcription_engine_config")).toObject();
    QCOMPARE(engine.value(QStringLiteral("transcription_model")).toString(),
             QStringLiteral("deepgram/nova-3"));
    QCOMPARE(engine.value(QStringLiteral("interim_results")).toBool(), true);
    QCOMPARE(engine.value(QStringLiteral("language")).toString(), QStringLiteral("de-DE"));
    QCOMPARE(m.screenEngineUsed(), QStringLiteral("deepgram"));
}

void TestScreenCall::acceptWhileGreetingPlays()
{
    CallStateMachine m = greeted();
    const CallActions accepted = m.onOwnerDecision(true);
    QCOMPARE(steps(accepted),
             (QStringList{QStringLiteral("cancel_ask_timer"), QStringLiteral("transcription_stop"),
                          QStringLiteral("transfer")}));
    QCOMPARE(findStep(accepted, QStringLiteral("transfer"))->params.value(QStringLiteral("to")),
             QJsonValue(OwnerPhone));
    QCOMPARE(m.decision()->reason, QStringLiteral("owner_accepted"));
    QVERIFY(!m.askPending());
    QCOMPARE(m.state(), QStringLiteral("forwarding"));
    // The greeting's end and words that follow change nothing.
    QVERIFY(m.onWebhook(QStringLiteral("call.speak.ended"), screenSpeakEnded()).isEmpty());
    QVERIFY(m.onWebhook(QStringLiteral("call.transcription"), words(QStringLiteral("hi"), true))
                .isEmpty());
    QVERIFY(m.transcript().isEmpty());
    QVERIFY(m.notes().contains(QStringLiteral("late_transcription")));
    m.onWebhook(QStringLiteral("call.bridged"), leg(LegA));
    QCOMPARE(m.state(), QStringLiteral("forwarded"));
}

void TestScreenCall::acceptAfterFinalWords()
{
    CallStateMachine m = greeted();
    m.onWebhook(QStringLiteral("call.speak.ended"), screenSpeakEnded());
    QVERIFY(m.silenceTimerWanted());
    m.onWebhook(QStringLiteral("call.transcription"), words(QStringLiteral("hi it's"), false));
    QVERIFY(!m.silenceTimerWanted());
    QCOMPARE(m.transcript().text(), QStringLiteral("hi it's"));
    m.onWebhook(QStringLiteral("call.transcription"), words(QStringLiteral("hi it's Dana"), false));
    QCOMPARE(m.transcript().utterances().size(), 1);
    m.onWebhook(QStringLiteral("call.transcription"),
                words(QStringLiteral("Hi, it's Dana from the dentist."), true));
    m.onWebhook(QStringLiteral("call.transcription"), words(QStringLiteral("about your"), false));
    QCOMPARE(m.transcript().utterances().size(), 2);
    QCOMPARE(
        m.transcript().utterances().at(0),
        (ScreenTranscript::Utterance{QStringLiteral("Hi, it's Dana from the dentist."), true}));
    QCOMPARE(m.transcript().utterances().at(1),
             (ScreenTranscript::Utterance{QStringLiteral("about your"), false}));
    const CallActions accepted = m.onOwnerDecision(true);
    QVERIFY(findStep(accepted, QStringLiteral("transfer")));
    QVERIFY(findStep(accepted, QStringLiteral("transcription_stop")));
    // What was heard stays with the call.
    QCOMPARE(m.transcript().text(), QStringLiteral("Hi, it's Dana from the dentist. about your"));
}

void TestScreenCall::rejectSpeaksMessageThenHangsUp()
{
    CallConfig c = config();
    c.askFallbackPolicy = QStringLiteral("reject"); // the ask's; a screened call is answered
    CallStateMachine m = greeted(c);
    m.onWebhook(QStringLiteral("call.speak.ended"), screenSpeakEnded());
    m.onWebhook(QStringLiteral("call.transcription"), words(QStringLiteral("buy now"), true));
    const CallActions rejected = m.onOwnerDecision(false);
    QCOMPARE(steps(rejected),
             (QStringList{QStringLiteral("cancel_ask_timer"), QStringLiteral("transcription_stop"),
                          QStringLiteral("speak_rejection")}));
    QCOMPARE(m.decision()->reason, QStringLiteral("owner_rejected"));
    QCOMPARE(m.state(), QStringLiteral("rejecting"));
    QCOMPARE(steps(m.onWebhook(QStringLiteral("call.speak.ended"), closingSpeakEnded())),
             QStringList{QStringLiteral("hangup")});
    m.onWebhook(QStringLiteral("call.hangup"), hangup(LegA, QStringLiteral("normal_clearing")));
    QVERIFY(m.ended());
}

void TestScreenCall::voicemailFromScreen()
{
    CallStateMachine m = greeted();
    m.onWebhook(QStringLiteral("call.speak.ended"), screenSpeakEnded());
    const CallActions vm = m.onOwnerVoicemail();
    QCOMPARE(steps(vm),
             (QStringList{QStringLiteral("cancel_ask_timer"), QStringLiteral("transcription_stop"),
                          QStringLiteral("speak_greeting")}));
    QCOMPARE(m.decision()->reason, QStringLiteral("owner_voicemail"));
    // The screen greeting's end before does not count as the voicemail greeting's.
    QCOMPARE(steps(m.onWebhook(QStringLiteral("call.speak.ended"), closingSpeakEnded())),
             QStringList{QStringLiteral("record_start")});
    QCOMPARE(m.state(), QStringLiteral("voicemail"));
}

void TestScreenCall::silenceRepromptsOnce()
{
    CallStateMachine m = greeted();
    QVERIFY(m.onScreenSilence().isEmpty()); // no timer before the greeting ended
    QCOMPARE(steps(m.onWebhook(QStringLiteral("call.speak.ended"), screenSpeakEnded())),
             QStringList{QStringLiteral("start_silence_timer:6")});
    const CallActions again = m.onScreenSilence();
    QCOMPARE(steps(again), QStringList{QStringLiteral("speak_screen_reprompt")});
    QCOMPARE(findStep(again, QStringLiteral("speak_screen_reprompt"))
                 ->params.value(QStringLiteral("payload"))
                 .toString(),
             config().screenReprompt);
    // The re-prompt's end: no second timer, no second re-prompt.
    QVERIFY(m.onWebhook(QStringLiteral("call.speak.ended"), screenSpeakEnded()).isEmpty());
    QVERIFY(m.onScreenSilence().isEmpty());
    QVERIFY(!m.silenceTimerWanted());
    // Still silent at the timeout: the fallback (the rejection, spoken).
    const CallActions fallback = m.onAskTimeout();
    QVERIFY(findStep(fallback, QStringLiteral("speak_rejection")));
    QCOMPARE(m.decision()->reason, QStringLiteral("ask_timeout"));
}

void TestScreenCall::wordsStopTheRepromptTimer()
{
    CallStateMachine m = greeted();
    m.onWebhook(QStringLiteral("call.speak.ended"), screenSpeakEnded());
    m.onWebhook(QStringLiteral("call.transcription"), words(QStringLiteral("hello"), false));
    QVERIFY(m.onScreenSilence().isEmpty());
    QVERIFY(!m.issuedSteps().contains(QStringLiteral("speak_screen_reprompt")));
}

void TestScreenCall::timeoutFallsBack_data()
{
    QTest::addColumn<QString>("fallback");
    QTest::addColumn<QString>("firstStep");
    QTest::addColumn<QString>("reason");
    QTest::newRow("default") << QString() << QStringLiteral("speak_rejection")
                             << QStringLiteral("ask_timeout");
    QTest::newRow("voicemail") << QStringLiteral("voicemail") << QStringLiteral("speak_greeting")
                               << QStringLiteral("ask_timeout");
    // "reject" cannot apply to an answered call: the message is spoken.
    QTest::newRow("reject") << QStringLiteral("reject") << QStringLiteral("speak_rejection")
                            << QStringLiteral("ask_timeout");
}

void TestScreenCall::timeoutFallsBack()
{
    QFETCH(QString, fallback);
    QFETCH(QString, firstStep);
    QFETCH(QString, reason);
    CallConfig c = config();
    if (!fallback.isEmpty())
        c.screenFallback = fallback;
    CallStateMachine m = greeted(c);
    m.onWebhook(QStringLiteral("call.transcription"), words(QStringLiteral("um"), true));
    const CallActions out = m.onAskTimeout();
    QCOMPARE(steps(out), (QStringList{QStringLiteral("transcription_stop"), firstStep}));
    QCOMPARE(m.decision()->reason, reason);
    QVERIFY(!m.askPending());
    // The owner is too late.
    QVERIFY(m.onOwnerDecision(true).isEmpty());
    QVERIFY(m.onAskTimeout().isEmpty());
}

void TestScreenCall::callerHangsUpMidSentence()
{
    CallStateMachine m = greeted();
    m.onWebhook(QStringLiteral("call.transcription"),
                words(QStringLiteral("I'm calling ab"), false));
    const CallActions out =
        m.onWebhook(QStringLiteral("call.hangup"), hangup(LegA, QStringLiteral("normal_clearing")));
    QCOMPARE(steps(out), QStringList{QStringLiteral("cancel_ask_timer")});
    QVERIFY(m.ended());
    QVERIFY(!m.askPending());
    QCOMPARE(m.transcript().text(), QStringLiteral("I'm calling ab"));
    QVERIFY(!m.transcript().utterances().last().final);
    // The card's decision comes too late; so do the rest of the words.
    QVERIFY(m.onOwnerDecision(true).isEmpty());
    QVERIFY(m.onWebhook(QStringLiteral("call.transcription"),
                        words(QStringLiteral("I'm calling about"), true))
                .isEmpty());
    QCOMPARE(m.transcript().text(), QStringLiteral("I'm calling ab"));
}

void TestScreenCall::duplicateAndLateTranscriptions()
{
    CallStateMachine m = greeted();
    m.onWebhook(QStringLiteral("call.transcription"), words(QStringLiteral("it's Sam"), false));
    m.onWebhook(QStringLiteral("call.transcription"), words(QStringLiteral("it's Sam"), false));
    m.onWebhook(QStringLiteral("call.transcription"),
                words(QStringLiteral("It's Sam from school."), true));
    m.onWebhook(QStringLiteral("call.transcription"),
                words(QStringLiteral("It's Sam from school."), true)); // redelivered
    m.onWebhook(QStringLiteral("call.transcription"),
                words(QStringLiteral("It's Sam"), false)); // an interim that lost the race
    QCOMPARE(m.transcript().utterances().size(), 1);
    QCOMPARE(m.transcript().text(), QStringLiteral("It's Sam from school."));
    QVERIFY(m.notes().contains(QStringLiteral("duplicate_transcription")));
    QVERIFY(m.notes().contains(QStringLiteral("stale_transcription")));
    // A transcription of another leg is not the caller's.
    m.onWebhook(QStringLiteral("call.transcription"), [] {
        CallPayload p = words(QStringLiteral("owner talking"), true);
        p.callControlId = LegB;
        return p;
    }());
    QCOMPARE(m.transcript().text(), QStringLiteral("It's Sam from school."));
    // Words after the decision are not kept.
    m.onAskTimeout();
    m.onWebhook(QStringLiteral("call.transcription"), words(QStringLiteral("hello?"), true));
    QCOMPARE(m.transcript().text(), QStringLiteral("It's Sam from school."));
    QVERIFY(m.notes().contains(QStringLiteral("late_transcription")));
}

void TestScreenCall::greetingSpeakEndedIsNotTheRejections()
{
    CallStateMachine m = greeted();
    m.onOwnerDecision(false); // while the greeting still plays
    // The greeting's speak.ended arrives after the rejection was asked for: no hangup yet.
    QVERIFY(m.onWebhook(QStringLiteral("call.speak.ended"), screenSpeakEnded()).isEmpty());
    QCOMPARE(steps(m.onWebhook(QStringLiteral("call.speak.ended"), closingSpeakEnded())),
             QStringList{QStringLiteral("hangup")});
}

void TestScreenCall::deepfakeIsAHintOnly()
{
    CallStateMachine m = greeted();
    CallPayload p = leg(LegA);
    p.result = QStringLiteral("fake");
    p.score = 0.87;
    QVERIFY(m.onWebhook(QStringLiteral("call.deepfake_detection.result"), p).isEmpty());
    QCOMPARE(m.deepfakeResult(), QStringLiteral("fake"));
    QCOMPARE(m.deepfakeScore(), 0.87);
    QVERIFY(m.screening()); // still the owner's decision
    p.score = 7;            // out of range: no score
    m.onWebhook(QStringLiteral("call.deepfake_detection.result"), p);
    QCOMPARE(m.deepfakeScore(), -1.0);
}

void TestScreenCall::restartMidScreen()
{
    // Every prefix of a screened call, snapshotted and restored, goes on exactly as the
    // original.
    CallStateMachine m(config());
    QList<std::function<CallActions(CallStateMachine &)>> inputs = {
        [](CallStateMachine &x) {
            return x.onWebhook(QStringLiteral("call.initiated"), leg(LegA));
        },
        [](CallStateMachine &x) { return x.onDecision(screenDecision()); },
        [](CallStateMachine &x) { return x.onWebhook(QStringLiteral("call.answered"), leg(LegA)); },
        [](CallStateMachine &x) {
            CallPayload p = leg(LegA);
            p.result = QStringLiteral("real");
            p.score = 0.1;
            return x.onWebhook(QStringLiteral("call.deepfake_detection.result"), p);
        },
        [](CallStateMachine &x) {
            return x.onWebhook(QStringLiteral("call.speak.ended"), screenSpeakEnded());
        },
        [](CallStateMachine &x) { return x.onScreenSilence(); },
        [](CallStateMachine &x) {
            return x.onWebhook(QStringLiteral("call.transcription"),
                               words(QStringLiteral("sorry, it's"), false));
        },
        [](CallStateMachine &x) {
            return x.onWebhook(QStringLiteral("call.transcription"),
                               words(QStringLiteral("Sorry, it's Lee."), true));
        },
        [](CallStateMachine &x) { return x.onOwnerDecision(true); },
        [](CallStateMachine &x) { return x.onWebhook(QStringLiteral("call.bridged"), leg(LegA)); },
    };
    for (int cut = 0; cut <= inputs.size(); ++cut) {
        CallStateMachine original(config());
        for (int i = 0; i < cut; ++i)
            inputs[i](original);
        const auto restored = CallStateMachine::fromJson(original.toJson());
        QVERIFY(restored);
        QCOMPARE(restored->toJson(), original.toJson());
        CallStateMachine copy = *restored;
        QCOMPARE(copy.transcript(), original.transcript());
        QCOMPARE(copy.askTimerSecs(), original.askTimerSecs());
        QCOMPARE(copy.silenceTimerWanted(), original.silenceTimerWanted());
        for (int i = cut; i < inputs.size(); ++i)
            QCOMPARE(steps(inputs[i](copy)), steps(inputs[i](original)));
        QCOMPARE(copy.toJson(), original.toJson());
    }
}

void TestScreenCall::aiEngineGathersNameAndReason()
{
    CallConfig c = config();
    c.screenEngine = QStringLiteral("ai");
    CallActions seen;
    CallStateMachine m = greeted(c, &seen);
    QCOMPARE(steps(seen), (QStringList{QStringLiteral("start_ask_timer:45"),
                                       QStringLiteral("answer"), QStringLiteral("gather_ai")}));
    const QJsonObject g = findStep(seen, QStringLiteral("gather_ai"))->params;
    QCOMPARE(findStep(seen, QStringLiteral("gather_ai"))->name, QStringLiteral("gather_using_ai"));
    QCOMPARE(g.value(QStringLiteral("greeting")).toString(), c.screenGreeting);
    const QJsonObject props = g.value(QStringLiteral("parameters"))
                                  .toObject()
                                  .value(QStringLiteral("properties"))
                                  .toObject();
    QVERIFY(props.contains(QStringLiteral("caller_name")));
    QVERIFY(props.contains(QStringLiteral("reason")));
    QCOMPARE(m.screenEngineUsed(), QStringLiteral("ai"));

    CallPayload partial = leg(LegA);
    partial.userMessages = {QStringLiteral("This is Robin")};
    partial.resultObject = {{QStringLiteral("caller_name"), QStringLiteral("Robin")}};
    m.onWebhook(QStringLiteral("call.ai_gather.partial_results"), partial);
    QCOMPARE(m.transcript().callerName(), QStringLiteral("Robin"));
    CallPayload ended = partial;
    ended.userMessages << QStringLiteral("About the parcel");
    ended.resultObject = {{QStringLiteral("caller_name"), QStringLiteral("Robin")},
                          {QStringLiteral("reason"), QStringLiteral("a parcel")}};
    ended.status = QStringLiteral("valid");
    m.onWebhook(QStringLiteral("call.ai_gather.ended"), ended);
    QCOMPARE(m.transcript().reason(), QStringLiteral("a parcel"));
    QCOMPARE(m.transcript().text(), QStringLiteral("This is Robin About the parcel"));
    QVERIFY(!m.silenceTimerWanted()); // the AI gather asks again by itself
    const CallActions accepted = m.onOwnerDecision(true);
    QCOMPARE(steps(accepted),
             (QStringList{QStringLiteral("cancel_ask_timer"), QStringLiteral("gather_stop"),
                          QStringLiteral("transfer")}));
}

void TestScreenCall::aiGatherFailureFallsBackToTranscription()
{
    CallConfig c = config();
    c.screenEngine = QStringLiteral("ai");
    CallStateMachine m = greeted(c);
    const CallActions out = m.onCommandResult(QStringLiteral("gather_ai"), false, false);
    QCOMPARE(steps(out), (QStringList{QStringLiteral("transcription_start"),
                                      QStringLiteral("speak_screen_greeting")}));
    QCOMPARE(m.screenEngineUsed(), QStringLiteral("google"));
    QVERIFY(m.screening());
    // A failed transcription_start (e.g. 90054, already started) does not end the screen.
    QVERIFY(m.onCommandResult(QStringLiteral("transcription_start"), false, false).isEmpty());
    QVERIFY(m.screening());
}

void TestScreenCall::transcriptBounds()
{
    ScreenTranscript t;
    QCOMPARE(t.add(QString(2000, QLatin1Char('a')), false), ScreenTranscript::Change::Added);
    QCOMPARE(t.utterances().first().text.size(), ScreenTranscript::MaxUtteranceChars);
    t.add(QString(), true);
    QCOMPARE(t.add(QStringLiteral("   "), true), ScreenTranscript::Change::Empty);
    ScreenTranscript many;
    int added = 0;
    for (int i = 0; i < 1000; ++i) {
        if (many.add(QStringLiteral("word %1 ").arg(i).repeated(20), true) ==
            ScreenTranscript::Change::Added)
            ++added;
    }
    QVERIFY(many.totalChars() <= ScreenTranscript::MaxTotalChars);
    QVERIFY(many.utterances().size() <= ScreenTranscript::MaxUtterances);
    QVERIFY(added > 0);
    QCOMPARE(many.add(QString(ScreenTranscript::MaxUtteranceChars, QLatin1Char('m')), true),
             ScreenTranscript::Change::Full);
    // A stored copy is read back within the same bounds.
    QJsonArray huge;
    for (int i = 0; i < 500; ++i)
        huge.append(QJsonObject{{QStringLiteral("text"), QString(900, QLatin1Char('x'))},
                                {QStringLiteral("final"), true}});
    const ScreenTranscript back =
        ScreenTranscript::fromJson({{QStringLiteral("utterances"), huge}});
    QVERIFY(back.totalChars() <= ScreenTranscript::MaxTotalChars);
    QCOMPARE(ScreenTranscript::fromJson(many.toJson()), many);
}

void TestScreenCall::transcriptCleansHostileText()
{
    ScreenTranscript t;
    t.add(QStringLiteral("<b>hi</b>\u202e\x1b[31m  \nthere\r\n"), true);
    QCOMPARE(t.text(), QStringLiteral("<b>hi</b>[31m there")); // kept as text, never markup
    QVERIFY(t.setFields(QStringLiteral("\u0007Ro\u200bbin"), QString()));
    QCOMPARE(t.callerName(), QStringLiteral("Robin"));
    // Never half a surrogate pair at a cut.
    const QString emoji = QString::fromUtf8("\xF0\x9F\x98\x80");
    const QString cut = ScreenTranscript::clean(QString(499, QLatin1Char('a')) + emoji);
    QVERIFY(!cut.back().isHighSurrogate());
    QCOMPARE(t.firstWords(5), QStringLiteral("<b>hi") + QChar(0x2026));
}

QTEST_GUILESS_MAIN(TestScreenCall)
#include "tst_screencall.moc"
