// SPDX-License-Identifier: GPL-3.0-or-later
#include "callactiontext.h"
#include "screening/callstatemachine.h"
#include "screening/decider.h"

#include <QtTest>

#include <algorithm>

using kt::CallAction;
using kt::CallActions;
using kt::CallConfig;
using kt::CallPayload;
using kt::CallStateMachine;
using kt::Decision;

using kt::test::findStep;
using kt::test::steps;

namespace {

const QString LegA = QStringLiteral("v3:leg-A-2EC70CTEjlUq3tDM0CxKXIt5");
const QString LegB = QStringLiteral("v3:leg-B-9fHqub97Sk4EqO5w");
const QString Session = QStringLiteral("428c31b6-7af4-4bcb-b7f5-5013ef9657c1");
const QString Caller = QStringLiteral("+17702300635");
const QString Owner = QStringLiteral("+18886115384");
const QString OwnerPhone = QStringLiteral("+14155550100");
const QString DefaultRejection =
    QStringLiteral("This number only accepts calls from verified namespace holders. "
                   "Visit kevan dot x to register.");
const QString DefaultUnavailable =
    QStringLiteral("The person you are calling is not available. Please try again later.");

CallConfig config()
{
    CallConfig c;
    c.forwardTo = OwnerPhone;
    return c;
}

CallPayload leg(const QString &ccid, const QString &direction = QString())
{
    CallPayload p;
    p.callControlId = ccid;
    p.callLegId = ccid == LegA ? QStringLiteral("leg-a-uuid") : QStringLiteral("leg-b-uuid");
    p.callSessionId = Session;
    p.direction = direction;
    p.from = ccid == LegA ? Caller : Owner;
    p.to = ccid == LegA ? Owner : OwnerPhone;
    return p;
}

CallPayload hangupOf(const QString &ccid, const QString &cause)
{
    CallPayload p = leg(ccid);
    p.hangupCause = cause;
    return p;
}

CallPayload speakEnded(const QString &status = QStringLiteral("completed"))
{
    CallPayload p = leg(LegA);
    p.status = status;
    p.speakId = QStringLiteral("YUw4fjNSuw");
    return p;
}

Decision decision(Decision::Action action, const QString &nameSpace = QString(),
                  const QString &caller = Caller)
{
    Decision d;
    d.action = action;
    d.caller = caller;
    d.nameSpace = nameSpace;
    switch (action) {
    case Decision::RejectCall:
        d.outcome = Decision::Blocked;
        d.reason = QStringLiteral("block_rule");
        break;
    case Decision::AnswerAndForward:
        d.outcome = nameSpace.isEmpty() ? Decision::Allowlisted : Decision::Authenticated;
        d.reason = nameSpace.isEmpty() ? QStringLiteral("allow_rule") : QStringLiteral("registry");
        break;
    case Decision::AnswerAndSpeakRejection:
        d.outcome = Decision::Rejected;
        d.reason = QStringLiteral("unregistered");
        break;
    case Decision::AnswerAndCollectCode:
        d.outcome = Decision::Challenge;
        d.reason = QStringLiteral("registration_call_in");
        break;
    case Decision::Ring:
        d.outcome = Decision::Ask;
        d.reason = QStringLiteral("ask_owner");
        break;
    case Decision::AnswerAndVoicemail:
        d.outcome = Decision::Voicemail;
        d.reason = QStringLiteral("unregistered");
        break;
    case Decision::AnswerAndScreen:
        d.outcome = Decision::Ask;
        d.reason = QStringLiteral("screen_owner");
        break;
    case Decision::AnswerAndChallenge:
        d.outcome = Decision::Challenge;
        d.reason = QStringLiteral("caller_id_unverified");
        d.claimedNamespace = nameSpace;
        d.nameSpace.clear();
        d.flags = QStringList{QStringLiteral("registered"), QStringLiteral("caller_id_unverified")};
        break;
    }
    return d;
}

// One input to the machine, so that sequences can be replayed, permuted and split.
struct Input
{
    enum Kind { Webhook, Decide, Owner, Timeout, Result } kind = Webhook;
    QString event;
    CallPayload payload;
    Decision decision;
    bool flag = false; // Owner: accept; Result: ok
    bool callEnded = false;
    QString step;
};

Input hook(const QString &event, const CallPayload &payload)
{
    Input i;
    i.kind = Input::Webhook;
    i.event = event;
    i.payload = payload;
    return i;
}

Input decide(const Decision &d)
{
    Input i;
    i.kind = Input::Decide;
    i.decision = d;
    return i;
}

Input owner(bool accept)
{
    Input i;
    i.kind = Input::Owner;
    i.flag = accept;
    return i;
}

Input timeout()
{
    Input i;
    i.kind = Input::Timeout;
    return i;
}

Input result(const QString &step, bool ok, bool callEnded = false)
{
    Input i;
    i.kind = Input::Result;
    i.step = step;
    i.flag = ok;
    i.callEnded = callEnded;
    return i;
}

CallActions apply(CallStateMachine &m, const Input &i)
{
    switch (i.kind) {
    case Input::Webhook:
        return m.onWebhook(i.event, i.payload);
    case Input::Decide:
        return m.onDecision(i.decision);
    case Input::Owner:
        return m.onOwnerDecision(i.flag);
    case Input::Timeout:
        return m.onAskTimeout();
    case Input::Result:
        return m.onCommandResult(i.step, i.flag, i.callEnded);
    }
    return {};
}

CallActions applyAll(CallStateMachine &m, const QList<Input> &inputs)
{
    CallActions out;
    for (const Input &i : inputs)
        out += apply(m, i);
    return out;
}

// The opening every test shares: call.initiated for leg A, then the decision.
QList<Input> opening(const Decision &d)
{
    return {hook(QStringLiteral("call.initiated"), leg(LegA, QStringLiteral("incoming"))),
            decide(d)};
}

QList<Input> forwardFlow()
{
    QList<Input> in = opening(decision(Decision::AnswerAndForward, QStringLiteral("alice.x")));
    in << result(QStringLiteral("answer"), true) << hook(QStringLiteral("call.answered"), leg(LegA))
       << result(QStringLiteral("transfer"), true)
       << hook(QStringLiteral("call.initiated"), leg(LegB, QStringLiteral("outgoing")))
       << hook(QStringLiteral("call.answered"), leg(LegB))
       << hook(QStringLiteral("call.bridged"), leg(LegA))
       << hook(QStringLiteral("call.bridged"), leg(LegB))
       << hook(QStringLiteral("call.hangup"), hangupOf(LegB, QStringLiteral("normal_clearing")))
       << hook(QStringLiteral("call.hangup"), hangupOf(LegA, QStringLiteral("normal_clearing")));
    return in;
}

QList<Input> fallbackFlow()
{
    QList<Input> in = opening(decision(Decision::AnswerAndForward, QStringLiteral("alice.x")));
    in << hook(QStringLiteral("call.answered"), leg(LegA))
       << hook(QStringLiteral("call.initiated"), leg(LegB, QStringLiteral("outgoing")))
       << hook(QStringLiteral("call.hangup"), hangupOf(LegB, QStringLiteral("timeout")))
       << hook(QStringLiteral("call.speak.started"), leg(LegA))
       << hook(QStringLiteral("call.speak.ended"), speakEnded())
       << hook(QStringLiteral("call.hangup"), hangupOf(LegA, QStringLiteral("normal_clearing")));
    return in;
}

QList<Input> askFlow()
{
    QList<Input> in = opening(decision(Decision::Ring));
    in << owner(true) << hook(QStringLiteral("call.answered"), leg(LegA))
       << hook(QStringLiteral("call.initiated"), leg(LegB, QStringLiteral("outgoing")))
       << hook(QStringLiteral("call.bridged"), leg(LegA))
       << hook(QStringLiteral("call.hangup"), hangupOf(LegA, QStringLiteral("normal_clearing")));
    return in;
}

QString pinState(int pinTry)
{
    return QString::fromLatin1(QByteArray("pin:" + QByteArray::number(pinTry)).toBase64());
}

CallPayload gatherEnded(int pinTry, const QString &status, const QString &digits = QString())
{
    CallPayload p = leg(LegA);
    p.status = status;
    p.digits = digits;
    if (pinTry > 0)
        p.clientState = pinState(pinTry);
    return p;
}

// A call under challenge, answered and asked for the PIN the first time.
CallStateMachine challenged()
{
    CallStateMachine m(config());
    applyAll(m, opening(decision(Decision::AnswerAndChallenge, QStringLiteral("alice.x"))));
    m.onWebhook(QStringLiteral("call.answered"), leg(LegA));
    return m;
}

const QString GatherEnded = QStringLiteral("call.gather.ended");

} // namespace

class TestCallStateMachine : public QObject
{
    Q_OBJECT

private slots:
    void rejectionSequence();
    void forward();
    void displayNameFallbacks();
    void blocked();
    void askOwnerAccepts();
    void askOwnerRejects();
    void askTimeout();
    void askTimeoutWithRejectPolicy();
    void transferTimeoutFallsBack();
    void noForwardToSpeaksUnavailable();
    void callerHangsUpWhileRinging();
    void callerHangsUpWhileAsking();
    void hangupBeforeAnswered();
    void answeredBeforeDecision();
    void duplicatesEmitNothingNew_data();
    void duplicatesEmitNothingNew();
    void permutationsConverge_data();
    void permutationsConverge();
    void speakEndedTwiceOneHangup();
    void speakEndedByHangup();
    void commandResults();
    void answerFailureRejectsOnce();
    void unexpectedLegIgnored();
    void decisionOnlyOnce();
    void noStepTwiceUnderRandomInput();
    void snapshotRoundTrip_data();
    void snapshotRoundTrip();
    void deterministicReplay();
    void commandIds();
    void snapshotRejectsGarbage();
    void pinRight();
    void pinWrongThenRight();
    void pinThreeWrongFails();
    void pinTimeoutsAndInvalidCountAsTries();
    void pinHangupMidGather();
    void pinDuplicateAndLateGatherEnded();
    void pinLocked();
    void pinGatherCommandFails();
    void pinSnapshotMidChallenge();
    void pinTryNeverSerialisesDigits();
    void callInCodeRight();
    void callInCodeFailsThreeTimes();
    void voicemailSequence();
    void voicemailMaxLengthHangsUp();
    void voicemailGreetingOrRecordFails();
    void voicemailCallerHangsUpDuringGreeting();
    void voicemailInsteadOfUnavailable();
    void ownerSendsToVoicemail();
    void askTimeoutFallsBackToVoicemail();
    void voicemailSnapshotMidRecording();
};

void TestCallStateMachine::rejectionSequence()
{
    CallStateMachine m(config());
    QVERIFY(m.onWebhook(QStringLiteral("call.initiated"), leg(LegA, QStringLiteral("incoming")))
                .isEmpty());
    QCOMPARE(m.state(), QStringLiteral("ringing"));
    QCOMPARE(m.legA(), LegA);

    CallActions out = m.onDecision(decision(Decision::AnswerAndSpeakRejection));
    QCOMPARE(steps(out), QStringList{QStringLiteral("answer")});
    QCOMPARE(out.at(0).name, QStringLiteral("answer"));
    QCOMPARE(out.at(0).callControlId, LegA);
    QCOMPARE(out.at(0).params, QJsonObject());
    QCOMPARE(m.state(), QStringLiteral("answering"));

    out = m.onWebhook(QStringLiteral("call.answered"), leg(LegA));
    QCOMPARE(steps(out), QStringList{QStringLiteral("speak_rejection")});
    QCOMPARE(out.at(0).name, QStringLiteral("speak"));
    QCOMPARE(out.at(0).callControlId, LegA);
    QCOMPARE(out.at(0).params.value(QLatin1String("payload")).toString(), DefaultRejection);
    QCOMPARE(out.at(0).params.value(QLatin1String("voice")).toString(), QStringLiteral("female"));
    QCOMPARE(out.at(0).params.value(QLatin1String("language")).toString(), QStringLiteral("en-US"));
    QCOMPARE(m.state(), QStringLiteral("rejecting"));

    QVERIFY(m.onWebhook(QStringLiteral("call.speak.started"), leg(LegA)).isEmpty());
    out = m.onWebhook(QStringLiteral("call.speak.ended"), speakEnded());
    QCOMPARE(steps(out), QStringList{QStringLiteral("hangup")});
    QCOMPARE(out.at(0).name, QStringLiteral("hangup"));
    QCOMPARE(out.at(0).callControlId, LegA);
    QCOMPARE(m.state(), QStringLiteral("ending"));
    QVERIFY(!m.ended());

    QVERIFY(m.onWebhook(QStringLiteral("call.hangup"),
                        hangupOf(LegA, QStringLiteral("normal_clearing")))
                .isEmpty());
    QCOMPARE(m.state(), QStringLiteral("ended"));
    QVERIFY(m.ended());
    QCOMPARE(m.endCause(), QStringLiteral("normal_clearing"));
    QCOMPARE(m.issuedSteps(),
             (QStringList{QStringLiteral("answer"), QStringLiteral("speak_rejection"),
                          QStringLiteral("hangup")}));
}

void TestCallStateMachine::forward()
{
    CallStateMachine m(config());
    const QList<Input> in = forwardFlow();
    QStringList all;
    for (qsizetype i = 0; i < in.size(); ++i) {
        const CallActions out = apply(m, in.at(i));
        all += steps(out);
        if (const CallAction *t = findStep(out, QStringLiteral("transfer"))) {
            QCOMPARE(t->name, QStringLiteral("transfer"));
            QCOMPARE(t->callControlId, LegA);
            QCOMPARE(t->params.value(QLatin1String("to")).toString(), OwnerPhone);
            QCOMPARE(t->params.value(QLatin1String("from_display_name")).toString(),
                     QStringLiteral("alice.x"));
            QCOMPARE(t->params.value(QLatin1String("timeout_secs")).toInt(), 30);
            QCOMPARE(m.state(), QStringLiteral("forwarding"));
        }
        if (in.at(i).event == QLatin1String("call.bridged"))
            QCOMPARE(m.state(), QStringLiteral("forwarded"));
    }
    QCOMPARE(all, (QStringList{QStringLiteral("answer"), QStringLiteral("transfer")}));
    QCOMPARE(m.legB(), LegB);
    QCOMPARE(m.state(), QStringLiteral("ended"));
    QCOMPARE(m.endCause(), QStringLiteral("normal_clearing"));
}

void TestCallStateMachine::displayNameFallbacks()
{
    auto transferName = [](const Decision &d, const QString &rawFrom) {
        CallStateMachine m(config());
        CallPayload a = leg(LegA, QStringLiteral("incoming"));
        a.from = rawFrom;
        m.onWebhook(QStringLiteral("call.initiated"), a);
        m.onDecision(d);
        const CallActions out = m.onWebhook(QStringLiteral("call.answered"), leg(LegA));
        const CallAction *t = findStep(out, QStringLiteral("transfer"));
        return t ? t->params.value(QLatin1String("from_display_name")).toString()
                 : QStringLiteral("<no transfer>");
    };
    QCOMPARE(transferName(decision(Decision::AnswerAndForward, QStringLiteral("bob.x")), Caller),
             QStringLiteral("bob.x"));
    QCOMPARE(transferName(decision(Decision::AnswerAndForward), Caller), Caller);
    QCOMPARE(
        transferName(decision(Decision::AnswerAndForward, QString(), QStringLiteral("anonymous")),
                     QStringLiteral("anonymous")),
        QStringLiteral("kevan-tel"));
}

void TestCallStateMachine::blocked()
{
    CallStateMachine m(config());
    CallActions all = applyAll(m, opening(decision(Decision::RejectCall)));
    QCOMPARE(steps(all), QStringList{QStringLiteral("reject")});
    QCOMPARE(all.at(0).name, QStringLiteral("reject"));
    QCOMPARE(all.at(0).params.value(QLatin1String("cause")).toString(),
             QStringLiteral("CALL_REJECTED"));
    QCOMPARE(m.state(), QStringLiteral("rejecting"));
    all +=
        m.onWebhook(QStringLiteral("call.hangup"), hangupOf(LegA, QStringLiteral("call_rejected")));
    QCOMPARE(m.state(), QStringLiteral("ended"));
    QCOMPARE(m.endCause(), QStringLiteral("call_rejected"));
    QVERIFY(!steps(all).contains(QStringLiteral("answer")));
}

void TestCallStateMachine::askOwnerAccepts()
{
    CallStateMachine m(config());
    CallActions out = applyAll(m, opening(decision(Decision::Ring)));
    QCOMPARE(steps(out), QStringList{QStringLiteral("start_ask_timer:20")});
    QCOMPARE(m.state(), QStringLiteral("asking"));
    QVERIFY(m.askPending());

    out = m.onOwnerDecision(true);
    QCOMPARE(steps(out),
             (QStringList{QStringLiteral("cancel_ask_timer"), QStringLiteral("answer")}));
    QCOMPARE(m.decision()->reason, QStringLiteral("owner_accepted"));
    QCOMPARE(m.decision()->decisionName(), QStringLiteral("allowlisted"));
    QVERIFY(!m.askPending());
    QVERIFY2(m.onAskTimeout().isEmpty(), "a late timeout changes nothing");
    QVERIFY(m.onOwnerDecision(false).isEmpty());
    QCOMPARE(m.decision()->reason, QStringLiteral("owner_accepted"));

    out = m.onWebhook(QStringLiteral("call.answered"), leg(LegA));
    QCOMPARE(steps(out), QStringList{QStringLiteral("transfer")});
    QCOMPARE(out.at(0).params.value(QLatin1String("from_display_name")).toString(), Caller);
}

void TestCallStateMachine::askOwnerRejects()
{
    CallStateMachine m(config());
    applyAll(m, opening(decision(Decision::Ring)));
    CallActions out = m.onOwnerDecision(false);
    QCOMPARE(steps(out),
             (QStringList{QStringLiteral("cancel_ask_timer"), QStringLiteral("answer")}));
    QCOMPARE(m.decision()->reason, QStringLiteral("owner_rejected"));
    out = m.onWebhook(QStringLiteral("call.answered"), leg(LegA));
    QCOMPARE(steps(out), QStringList{QStringLiteral("speak_rejection")});
}

void TestCallStateMachine::askTimeout()
{
    CallStateMachine m(config());
    applyAll(m, opening(decision(Decision::Ring)));
    CallActions out = m.onAskTimeout();
    QCOMPARE(steps(out), QStringList{QStringLiteral("answer")});
    QCOMPARE(m.decision()->reason, QStringLiteral("ask_timeout"));
    QCOMPARE(m.decision()->decisionName(), QStringLiteral("rejected"));
    QVERIFY2(m.onOwnerDecision(true).isEmpty(), "a late owner decision is ignored");
    QCOMPARE(m.decision()->reason, QStringLiteral("ask_timeout"));
    QVERIFY(m.onAskTimeout().isEmpty());
    out = m.onWebhook(QStringLiteral("call.answered"), leg(LegA));
    QCOMPARE(steps(out), QStringList{QStringLiteral("speak_rejection")});
    out = m.onWebhook(QStringLiteral("call.speak.ended"), speakEnded());
    QCOMPARE(steps(out), QStringList{QStringLiteral("hangup")});
}

void TestCallStateMachine::askTimeoutWithRejectPolicy()
{
    CallConfig c = config();
    c.askFallbackPolicy = QStringLiteral("reject");
    c.askTimeoutSecs = 45;
    CallStateMachine m(c);
    QCOMPARE(steps(applyAll(m, opening(decision(Decision::Ring)))),
             QStringList{QStringLiteral("start_ask_timer:45")});
    QCOMPARE(steps(m.onAskTimeout()), QStringList{QStringLiteral("reject")});
    QCOMPARE(m.state(), QStringLiteral("rejecting"));
}

void TestCallStateMachine::transferTimeoutFallsBack()
{
    CallStateMachine m(config());
    applyAll(m, opening(decision(Decision::AnswerAndForward, QStringLiteral("alice.x"))));
    QCOMPARE(steps(m.onWebhook(QStringLiteral("call.answered"), leg(LegA))),
             QStringList{QStringLiteral("transfer")});
    QVERIFY(m.onWebhook(QStringLiteral("call.initiated"), leg(LegB, QStringLiteral("outgoing")))
                .isEmpty());
    QCOMPARE(m.legB(), LegB);
    QCOMPARE(m.state(), QStringLiteral("forwarding"));

    CallActions out =
        m.onWebhook(QStringLiteral("call.hangup"), hangupOf(LegB, QStringLiteral("timeout")));
    QCOMPARE(steps(out), QStringList{QStringLiteral("speak_unavailable")});
    QCOMPARE(out.at(0).name, QStringLiteral("speak"));
    QCOMPARE(out.at(0).callControlId, LegA);
    QCOMPARE(out.at(0).params.value(QLatin1String("payload")).toString(), DefaultUnavailable);
    QCOMPARE(m.state(), QStringLiteral("fallback"));
    QVERIFY(m.notes().contains(QStringLiteral("leg_b:timeout")));

    out = m.onWebhook(QStringLiteral("call.speak.ended"), speakEnded());
    QCOMPARE(steps(out), QStringList{QStringLiteral("hangup_after_fallback")});
    QCOMPARE(out.at(0).name, QStringLiteral("hangup"));
    QCOMPARE(out.at(0).callControlId, LegA);
    QCOMPARE(m.state(), QStringLiteral("ending"));
    m.onWebhook(QStringLiteral("call.hangup"), hangupOf(LegA, QStringLiteral("normal_clearing")));
    QVERIFY(m.ended());
}

void TestCallStateMachine::noForwardToSpeaksUnavailable()
{
    CallConfig c = config();
    c.forwardTo.clear();
    CallStateMachine m(c);
    QCOMPARE(steps(applyAll(m, opening(decision(Decision::AnswerAndForward)))),
             QStringList{QStringLiteral("answer")});
    const CallActions out = m.onWebhook(QStringLiteral("call.answered"), leg(LegA));
    QCOMPARE(steps(out), QStringList{QStringLiteral("speak_unavailable")});
    QCOMPARE(m.state(), QStringLiteral("fallback"));
    QVERIFY(m.notes().contains(QStringLiteral("no_forward_to")));
    QCOMPARE(steps(m.onWebhook(QStringLiteral("call.speak.ended"), speakEnded())),
             QStringList{QStringLiteral("hangup_after_fallback")});
}

void TestCallStateMachine::callerHangsUpWhileRinging()
{
    CallStateMachine m(config());
    m.onWebhook(QStringLiteral("call.initiated"), leg(LegA, QStringLiteral("incoming")));
    QVERIFY(m.onWebhook(QStringLiteral("call.hangup"),
                        hangupOf(LegA, QStringLiteral("originator_cancel")))
                .isEmpty());
    QVERIFY(m.ended());
    QCOMPARE(m.endCause(), QStringLiteral("originator_cancel"));
    // The decision still arrives (the engine records it), but nothing is sent.
    QVERIFY(m.onDecision(decision(Decision::AnswerAndForward)).isEmpty());
    QVERIFY(m.onWebhook(QStringLiteral("call.answered"), leg(LegA)).isEmpty());
    QVERIFY(m.onCommandResult(QStringLiteral("answer"), false, false).isEmpty());
    QVERIFY(m.issuedSteps().isEmpty());
    QCOMPARE(m.state(), QStringLiteral("ended"));
}

void TestCallStateMachine::callerHangsUpWhileAsking()
{
    CallStateMachine m(config());
    applyAll(m, opening(decision(Decision::Ring)));
    const CallActions out = m.onWebhook(QStringLiteral("call.hangup"),
                                        hangupOf(LegA, QStringLiteral("originator_cancel")));
    QCOMPARE(steps(out), QStringList{QStringLiteral("cancel_ask_timer")});
    QVERIFY(m.onOwnerDecision(true).isEmpty());
    QVERIFY(m.onAskTimeout().isEmpty());
    QCOMPARE(m.decision()->reason, QStringLiteral("ask_owner"));
    QVERIFY(m.issuedSteps().isEmpty());
}

void TestCallStateMachine::hangupBeforeAnswered()
{
    CallStateMachine m(config());
    applyAll(m, opening(decision(Decision::AnswerAndSpeakRejection)));
    m.onWebhook(QStringLiteral("call.hangup"), hangupOf(LegA, QStringLiteral("originator_cancel")));
    QVERIFY(m.ended());
    QVERIFY(m.onWebhook(QStringLiteral("call.answered"), leg(LegA)).isEmpty());
    QVERIFY(m.onWebhook(QStringLiteral("call.speak.ended"), speakEnded()).isEmpty());
    QCOMPARE(m.issuedSteps(), QStringList{QStringLiteral("answer")});
    QCOMPARE(m.endCause(), QStringLiteral("originator_cancel"));
}

void TestCallStateMachine::answeredBeforeDecision()
{
    {
        CallStateMachine m(config());
        m.onWebhook(QStringLiteral("call.initiated"), leg(LegA, QStringLiteral("incoming")));
        m.onWebhook(QStringLiteral("call.answered"), leg(LegA));
        QCOMPARE(steps(m.onDecision(decision(Decision::AnswerAndForward))),
                 QStringList{QStringLiteral("transfer")});
    }
    {
        CallStateMachine m(config());
        m.onWebhook(QStringLiteral("call.initiated"), leg(LegA, QStringLiteral("incoming")));
        m.onWebhook(QStringLiteral("call.answered"), leg(LegA));
        QCOMPARE(steps(m.onDecision(decision(Decision::RejectCall))),
                 QStringList{QStringLiteral("speak_rejection")});
    }
    {
        // Events before call.initiated: the first incoming leg is leg A.
        CallStateMachine m(config());
        QVERIFY(m.onDecision(decision(Decision::AnswerAndSpeakRejection)).isEmpty());
        QCOMPARE(steps(m.onWebhook(QStringLiteral("call.initiated"),
                                   leg(LegA, QStringLiteral("incoming")))),
                 QStringList{QStringLiteral("answer")});
    }
}

void TestCallStateMachine::duplicatesEmitNothingNew_data()
{
    QTest::addColumn<int>("flow");
    QTest::newRow("forward") << 0;
    QTest::newRow("fallback") << 1;
    QTest::newRow("ask") << 2;
}

void TestCallStateMachine::duplicatesEmitNothingNew()
{
    QFETCH(int, flow);
    const QList<Input> in = flow == 0 ? forwardFlow() : flow == 1 ? fallbackFlow() : askFlow();
    CallStateMachine once(config());
    const CallActions expected = applyAll(once, in);

    QList<Input> doubled;
    for (const Input &i : in)
        doubled << i << i;
    CallStateMachine twice(config());
    const CallActions got = applyAll(twice, doubled);
    QCOMPARE(steps(got), steps(expected));
    QCOMPARE(got, expected);
    QCOMPARE(twice.state(), once.state());
    QCOMPARE(twice.issuedSteps(), once.issuedSteps());
}

void TestCallStateMachine::permutationsConverge_data()
{
    QTest::addColumn<int>("scenario");
    QTest::newRow("transfer answered") << 0;
    QTest::newRow("transfer timed out") << 1;
    QTest::newRow("rejection speak") << 2;
}

void TestCallStateMachine::permutationsConverge()
{
    // Webhooks that can be in flight at the same time, delivered in every order (each one also
    // duplicated); the end state and the commands must not depend on the order.
    QFETCH(int, scenario);
    QList<Input> prefix;
    QList<Input> concurrent;
    if (scenario == 0 || scenario == 1) {
        prefix = opening(decision(Decision::AnswerAndForward, QStringLiteral("alice.x")));
        prefix << hook(QStringLiteral("call.answered"), leg(LegA));
        concurrent << hook(QStringLiteral("call.initiated"), leg(LegB, QStringLiteral("outgoing")));
        if (scenario == 0) {
            concurrent << hook(QStringLiteral("call.answered"), leg(LegB))
                       << hook(QStringLiteral("call.bridged"), leg(LegA))
                       << hook(QStringLiteral("call.bridged"), leg(LegB))
                       << result(QStringLiteral("transfer"), true);
        } else {
            concurrent << hook(QStringLiteral("call.hangup"),
                               hangupOf(LegB, QStringLiteral("timeout")))
                       << result(QStringLiteral("transfer"), true)
                       << hook(QStringLiteral("call.dtmf.received"), leg(LegA));
        }
    } else {
        prefix = opening(decision(Decision::AnswerAndSpeakRejection));
        prefix << hook(QStringLiteral("call.answered"), leg(LegA));
        concurrent << hook(QStringLiteral("call.speak.started"), leg(LegA))
                   << hook(QStringLiteral("call.speak.ended"), speakEnded())
                   << hook(QStringLiteral("call.answered"), leg(LegA))
                   << result(QStringLiteral("answer"), true)
                   << result(QStringLiteral("speak_rejection"), true);
    }

    std::vector<int> order(concurrent.size());
    for (size_t i = 0; i < order.size(); ++i)
        order[i] = int(i);
    std::optional<QJsonObject> firstState;
    std::optional<QStringList> firstSteps;
    int permutations = 0;
    do {
        for (int dup = 0; dup < 2; ++dup) {
            CallStateMachine m(config());
            QList<Input> in = prefix;
            for (int i : order) {
                in << concurrent.at(i);
                if (dup)
                    in << concurrent.at(i);
            }
            const QStringList s = steps(applyAll(m, in));
            QCOMPARE(s.size(), QSet<QString>(s.begin(), s.end()).size());
            QJsonObject state = m.toJson();
            state.remove(QStringLiteral("notes")); // observations may be recorded in any order
            if (!firstState) {
                firstState = state;
                firstSteps = s;
            }
            QCOMPARE(s, *firstSteps);
            QCOMPARE(state, *firstState);
        }
        ++permutations;
    } while (std::next_permutation(order.begin(), order.end()));
    QVERIFY(permutations >= 6);
    if (scenario == 0)
        QCOMPARE(firstState->value(QLatin1String("state")).toString(), QStringLiteral("forwarded"));
    else if (scenario == 1)
        QCOMPARE(firstState->value(QLatin1String("state")).toString(), QStringLiteral("fallback"));
    else
        QCOMPARE(firstState->value(QLatin1String("state")).toString(), QStringLiteral("ending"));
}

void TestCallStateMachine::speakEndedTwiceOneHangup()
{
    CallStateMachine m(config());
    applyAll(m, opening(decision(Decision::AnswerAndSpeakRejection)));
    m.onWebhook(QStringLiteral("call.answered"), leg(LegA));
    QCOMPARE(steps(m.onWebhook(QStringLiteral("call.speak.ended"), speakEnded())),
             QStringList{QStringLiteral("hangup")});
    QVERIFY(m.onWebhook(QStringLiteral("call.speak.ended"), speakEnded()).isEmpty());
    QVERIFY(m.onWebhook(QStringLiteral("call.answered"), leg(LegA)).isEmpty());
}

void TestCallStateMachine::speakEndedByHangup()
{
    CallStateMachine m(config());
    applyAll(m, opening(decision(Decision::AnswerAndSpeakRejection)));
    m.onWebhook(QStringLiteral("call.answered"), leg(LegA));
    QVERIFY(
        m.onWebhook(QStringLiteral("call.speak.ended"), speakEnded(QStringLiteral("call_hangup")))
            .isEmpty());
    QCOMPARE(m.state(), QStringLiteral("ending"));
    m.onWebhook(QStringLiteral("call.hangup"), hangupOf(LegA, QStringLiteral("normal_clearing")));
    QVERIFY(m.ended());
    QVERIFY(!m.issuedSteps().contains(QStringLiteral("hangup")));
}

void TestCallStateMachine::commandResults()
{
    {
        // The call ended under a command: no more commands; wait for call.hangup.
        CallStateMachine m(config());
        applyAll(m, opening(decision(Decision::AnswerAndForward)));
        QVERIFY(m.onCommandResult(QStringLiteral("answer"), false, true).isEmpty());
        QCOMPARE(m.state(), QStringLiteral("ending"));
        QVERIFY(m.onWebhook(QStringLiteral("call.answered"), leg(LegA)).isEmpty());
        QVERIFY(m.notes().contains(QStringLiteral("call_ended:answer")));
        m.onWebhook(QStringLiteral("call.hangup"),
                    hangupOf(LegA, QStringLiteral("normal_clearing")));
        QVERIFY(m.ended());
    }
    {
        // A failed transfer falls back to the unavailable message.
        CallStateMachine m(config());
        applyAll(m, opening(decision(Decision::AnswerAndForward)));
        m.onWebhook(QStringLiteral("call.answered"), leg(LegA));
        QCOMPARE(steps(m.onCommandResult(QStringLiteral("transfer"), false, false)),
                 QStringList{QStringLiteral("speak_unavailable")});
        QVERIFY(m.notes().contains(QStringLiteral("transfer_failed")));
    }
    {
        // A failed speak hangs up at once (no speak.ended will come).
        CallStateMachine m(config());
        applyAll(m, opening(decision(Decision::AnswerAndSpeakRejection)));
        m.onWebhook(QStringLiteral("call.answered"), leg(LegA));
        QCOMPARE(steps(m.onCommandResult(QStringLiteral("speak_rejection"), false, false)),
                 QStringList{QStringLiteral("hangup")});
    }
    {
        // A failed hangup: failed, nothing more.
        CallStateMachine m(config());
        applyAll(m, opening(decision(Decision::AnswerAndSpeakRejection)));
        m.onWebhook(QStringLiteral("call.answered"), leg(LegA));
        m.onWebhook(QStringLiteral("call.speak.ended"), speakEnded());
        QVERIFY(m.onCommandResult(QStringLiteral("hangup"), false, false).isEmpty());
        QCOMPARE(m.state(), QStringLiteral("failed"));
        m.onWebhook(QStringLiteral("call.hangup"),
                    hangupOf(LegA, QStringLiteral("normal_clearing")));
        QCOMPARE(m.state(), QStringLiteral("ended"));
    }
    {
        // Results for steps never issued, and successes, change nothing.
        CallStateMachine m(config());
        applyAll(m, opening(decision(Decision::AnswerAndSpeakRejection)));
        const QJsonObject before = m.toJson();
        QVERIFY(m.onCommandResult(QStringLiteral("transfer"), false, false).isEmpty());
        QVERIFY(m.onCommandResult(QStringLiteral("answer"), true, false).isEmpty());
        QCOMPARE(m.toJson(), before);
    }
    // A success never asks for an action, nor changes the machine, at any point of any path.
    for (const Decision::Action action :
         {Decision::RejectCall, Decision::AnswerAndForward, Decision::AnswerAndSpeakRejection}) {
        CallStateMachine m(config());
        const QList<QList<Input>> phases{
            opening(decision(action)),
            {hook(QStringLiteral("call.answered"), leg(LegA))},
            {hook(QStringLiteral("call.speak.ended"), speakEnded())},
        };
        int successes = 0;
        for (const QList<Input> &phase : phases) {
            for (const CallAction &issued : applyAll(m, phase)) {
                if (issued.step.isEmpty())
                    continue;
                CallStateMachine copy = m;
                const QJsonObject before = copy.toJson();
                QVERIFY2(copy.onCommandResult(issued.step, true, false).isEmpty(),
                         qPrintable(issued.step));
                QCOMPARE(copy.toJson(), before);
                ++successes;
            }
        }
        QVERIFY2(successes >= 1, qPrintable(QString::number(action)));
    }
}

void TestCallStateMachine::answerFailureRejectsOnce()
{
    CallStateMachine m(config());
    applyAll(m, opening(decision(Decision::AnswerAndForward)));
    const CallActions out = m.onCommandResult(QStringLiteral("answer"), false, false);
    QCOMPARE(steps(out), QStringList{QStringLiteral("reject")});
    QCOMPARE(out.at(0).params.value(QLatin1String("cause")).toString(),
             QStringLiteral("CALL_REJECTED"));
    QCOMPARE(m.state(), QStringLiteral("failed"));
    QVERIFY(m.onCommandResult(QStringLiteral("reject"), false, false).isEmpty());
    QVERIFY(m.onWebhook(QStringLiteral("call.answered"), leg(LegA)).isEmpty());
    QCOMPARE(m.state(), QStringLiteral("failed"));
}

void TestCallStateMachine::unexpectedLegIgnored()
{
    CallStateMachine m(config());
    applyAll(m, opening(decision(Decision::AnswerAndSpeakRejection)));
    // No transfer was issued: another leg's hangup must not end or divert the call.
    QVERIFY(m.onWebhook(QStringLiteral("call.hangup"), hangupOf(LegB, QStringLiteral("timeout")))
                .isEmpty());
    QVERIFY(!m.ended());
    QVERIFY(m.notes().contains(QStringLiteral("unexpected_leg")));
    QVERIFY(m.legB().isEmpty());
    QCOMPARE(steps(m.onWebhook(QStringLiteral("call.answered"), leg(LegA))),
             QStringList{QStringLiteral("speak_rejection")});
}

void TestCallStateMachine::decisionOnlyOnce()
{
    CallStateMachine m(config());
    applyAll(m, opening(decision(Decision::AnswerAndSpeakRejection)));
    QVERIFY(m.onDecision(decision(Decision::RejectCall)).isEmpty());
    QCOMPARE(m.decision()->action, Decision::AnswerAndSpeakRejection);
    QVERIFY(m.notes().contains(QStringLiteral("decision_ignored")));
}

void TestCallStateMachine::noStepTwiceUnderRandomInput()
{
    const QList<Input> pool = {
        hook(QStringLiteral("call.initiated"), leg(LegA, QStringLiteral("incoming"))),
        hook(QStringLiteral("call.answered"), leg(LegA)),
        hook(QStringLiteral("call.bridged"), leg(LegA)),
        hook(QStringLiteral("call.speak.ended"), speakEnded()),
        hook(QStringLiteral("call.initiated"), leg(LegB, QStringLiteral("outgoing"))),
        hook(QStringLiteral("call.answered"), leg(LegB)),
        hook(QStringLiteral("call.bridged"), leg(LegB)),
        hook(QStringLiteral("call.hangup"), hangupOf(LegB, QStringLiteral("timeout"))),
        hook(QStringLiteral("call.hangup"), hangupOf(LegA, QStringLiteral("normal_clearing"))),
        owner(true),
        owner(false),
        timeout(),
        result(QStringLiteral("answer"), false),
        result(QStringLiteral("transfer"), false),
        result(QStringLiteral("speak_rejection"), false),
        result(QStringLiteral("speak_unavailable"), true),
        result(QStringLiteral("hangup"), false, true),
    };
    const QList<Decision> decisions = {
        decision(Decision::RejectCall), decision(Decision::AnswerAndForward),
        decision(Decision::AnswerAndSpeakRejection), decision(Decision::Ring)};
    QRandomGenerator rng(20260301); // fixed seed: the run is reproducible
    for (int run = 0; run < 2000; ++run) {
        CallStateMachine m(config());
        QStringList seen;
        bool endedSeen = false;
        const int length = 1 + int(rng.bounded(25));
        for (int k = 0; k < length; ++k) {
            Input in = rng.bounded(6) == 0
                           ? decide(decisions.at(int(rng.bounded(qint64(decisions.size())))))
                           : pool.at(int(rng.bounded(qint64(pool.size()))));
            const CallActions out = apply(m, in);
            for (const CallAction &a : out) {
                if (!a.isCommand())
                    continue;
                QVERIFY2(!endedSeen, "a command after the call ended");
                QVERIFY2(
                    !seen.contains(a.step),
                    qPrintable(QStringLiteral("step %1 twice in run %2").arg(a.step).arg(run)));
                QCOMPARE(a.callControlId, m.legA());
                seen << a.step;
            }
            if (m.ended())
                endedSeen = true;
        }
        QCOMPARE(m.issuedSteps(), seen);
        // And the snapshot of whatever state this reached restores to an equal machine.
        const auto back = CallStateMachine::fromJson(m.toJson());
        QVERIFY(back);
        QCOMPARE(back->toJson(), m.toJson());
    }
}

void TestCallStateMachine::snapshotRoundTrip_data()
{
    QTest::addColumn<int>("flow");
    QTest::newRow("forward") << 0;
    QTest::newRow("fallback") << 1;
    QTest::newRow("ask") << 2;
}

void TestCallStateMachine::snapshotRoundTrip()
{
    // For every split point: run k inputs, snapshot, restore into a new machine, run the rest.
    // The outputs and the final state must equal an uninterrupted run.
    QFETCH(int, flow);
    const QList<Input> in = flow == 0 ? forwardFlow() : flow == 1 ? fallbackFlow() : askFlow();
    CallStateMachine straight(config());
    const CallActions expected = applyAll(straight, in);
    for (qsizetype k = 0; k <= in.size(); ++k) {
        CallStateMachine first(config());
        CallActions got = applyAll(first, in.mid(0, k));
        const QJsonObject snapshot = first.toJson();
        const QByteArray bytes = QJsonDocument(snapshot).toJson(QJsonDocument::Compact);
        QString error;
        auto restored = CallStateMachine::fromJson(QJsonDocument::fromJson(bytes).object(), &error);
        QVERIFY2(restored, qPrintable(error));
        QCOMPARE(restored->toJson(), snapshot);
        QCOMPARE(restored->state(), first.state());
        got += applyAll(*restored, in.mid(k));
        QCOMPARE(steps(got), steps(expected));
        QCOMPARE(got, expected);
        QCOMPARE(restored->toJson(), straight.toJson());
    }
}

void TestCallStateMachine::deterministicReplay()
{
    QList<Input> in = fallbackFlow();
    CallStateMachine a(config());
    CallStateMachine b(config());
    const CallActions outA = applyAll(a, in);
    const CallActions outB = applyAll(b, in);
    QCOMPARE(outA, outB);
    QCOMPARE(a.toJson(), b.toJson());
    QVERIFY(a == b);
    QCOMPARE(steps(outA), (QStringList{QStringLiteral("answer"), QStringLiteral("transfer"),
                                       QStringLiteral("speak_unavailable"),
                                       QStringLiteral("hangup_after_fallback")}));
}

void TestCallStateMachine::commandIds()
{
    CallStateMachine m(config());
    CallActions out = applyAll(m, forwardFlow());
    QCOMPARE(out.size(), 2);
    QVERIFY(!out.at(0).commandId.isEmpty());
    QVERIFY(out.at(0).commandId != out.at(1).commandId);
    QVERIFY(!QUuid::fromString(out.at(0).commandId).isNull());
    // Stable: another machine for the same call derives the same ids.
    CallStateMachine again(config());
    const CallActions out2 = applyAll(again, forwardFlow());
    QCOMPARE(out2.at(0).commandId, out.at(0).commandId);
    // Another call gets other ids.
    CallStateMachine other(config());
    CallPayload p = leg(LegA, QStringLiteral("incoming"));
    p.callSessionId = QStringLiteral("another-session");
    other.onWebhook(QStringLiteral("call.initiated"), p);
    const CallActions out3 = other.onDecision(decision(Decision::AnswerAndForward));
    QCOMPARE(out3.size(), 1);
    QVERIFY(out3.at(0).commandId != out.at(0).commandId);
    QCOMPARE(out.at(0).toJson().value(QLatin1String("command_id")).toString(), out.at(0).commandId);
}

void TestCallStateMachine::snapshotRejectsGarbage()
{
    QString error;
    QVERIFY(!CallStateMachine::fromJson(QJsonObject(), &error));
    QVERIFY(!error.isEmpty());
    QJsonObject bad = CallStateMachine(config()).toJson();
    bad.insert(QStringLiteral("decision"), QJsonObject{{QStringLiteral("decision"), 5}});
    QVERIFY(!CallStateMachine::fromJson(bad, &error));
}

void TestCallStateMachine::pinRight()
{
    CallStateMachine m(config());
    CallActions out =
        applyAll(m, opening(decision(Decision::AnswerAndChallenge, QStringLiteral("alice.x"))));
    QCOMPARE(steps(out), QStringList{QStringLiteral("answer")});
    QCOMPARE(m.state(), QStringLiteral("answering"));
    out = m.onWebhook(QStringLiteral("call.answered"), leg(LegA));
    QCOMPARE(steps(out), QStringList{QStringLiteral("gather_pin_1")});
    const CallAction &g = out.at(0);
    QCOMPARE(g.name, QStringLiteral("gather_using_speak"));
    QCOMPARE(g.callControlId, LegA);
    QCOMPARE(g.params.value(QLatin1String("payload")).toString(),
             QStringLiteral("Please enter your PIN followed by the pound key."));
    QCOMPARE(g.params.value(QLatin1String("voice")).toString(), QStringLiteral("female"));
    QCOMPARE(g.params.value(QLatin1String("language")).toString(), QStringLiteral("en-US"));
    QCOMPARE(g.params.value(QLatin1String("minimum_digits")).toInt(), 4);
    QCOMPARE(g.params.value(QLatin1String("maximum_digits")).toInt(), 8);
    QCOMPARE(g.params.value(QLatin1String("terminating_digit")).toString(), QStringLiteral("#"));
    QCOMPARE(g.params.value(QLatin1String("valid_digits")).toString(),
             QStringLiteral("0123456789"));
    QCOMPARE(g.params.value(QLatin1String("maximum_tries")).toInt(), 1);
    QCOMPARE(g.params.value(QLatin1String("timeout_millis")).toInt(), 20000);
    QCOMPARE(g.params.value(QLatin1String("client_state")).toString(), pinState(1));
    QCOMPARE(m.state(), QStringLiteral("challenging"));

    // call.dtmf.received per digit changes nothing.
    CallPayload dtmf = leg(LegA);
    dtmf.digit = QStringLiteral("1");
    QVERIFY(m.onWebhook(QStringLiteral("call.dtmf.received"), dtmf).isEmpty());

    out = m.onWebhook(GatherEnded, gatherEnded(1, QStringLiteral("valid"), QStringLiteral("2468")));
    QCOMPARE(steps(out), QStringList{QStringLiteral("pin_try:1:valid")});
    QCOMPARE(out.at(0).digits, QStringLiteral("2468"));
    QCOMPARE(m.pinAwaiting(), 1);
    out = m.onPinResult(1, CallStateMachine::PinResult::Right);
    QCOMPARE(steps(out), QStringList{QStringLiteral("transfer")});
    QCOMPARE(out.at(0).params.value(QLatin1String("from_display_name")).toString(),
             QStringLiteral("alice.x"));
    QCOMPARE(m.decision()->decisionName(), QStringLiteral("authenticated"));
    QCOMPARE(m.decision()->reason, QStringLiteral("registry_pin"));
    QCOMPARE(m.decision()->proof, QStringLiteral("pin"));
    QCOMPARE(m.state(), QStringLiteral("forwarding"));
    QCOMPARE(m.pinAwaiting(), 0);
    // A second verdict changes nothing.
    QVERIFY(m.onPinResult(1, CallStateMachine::PinResult::Wrong).isEmpty());
}

void TestCallStateMachine::pinWrongThenRight()
{
    CallStateMachine m = challenged();
    m.onWebhook(GatherEnded, gatherEnded(1, QStringLiteral("valid"), QStringLiteral("1111")));
    CallActions out = m.onPinResult(1, CallStateMachine::PinResult::Wrong);
    QCOMPARE(steps(out), QStringList{QStringLiteral("gather_pin_2")});
    QCOMPARE(out.at(0).params.value(QLatin1String("payload")).toString(),
             CallConfig().pinRetryPrompt);
    QCOMPARE(out.at(0).params.value(QLatin1String("client_state")).toString(), pinState(2));
    QCOMPARE(m.pinFailures(), 1);
    out = m.onWebhook(GatherEnded, gatherEnded(2, QStringLiteral("valid"), QStringLiteral("2468")));
    QCOMPARE(steps(out), QStringList{QStringLiteral("pin_try:2:valid")});
    out = m.onPinResult(2, CallStateMachine::PinResult::Right);
    QCOMPARE(steps(out), QStringList{QStringLiteral("transfer")});
    QCOMPARE(m.decision()->reason, QStringLiteral("registry_pin"));
}

void TestCallStateMachine::pinThreeWrongFails()
{
    CallStateMachine m = challenged();
    QStringList all;
    for (int pinTry = 1; pinTry <= 3; ++pinTry) {
        all += steps(m.onWebhook(
            GatherEnded, gatherEnded(pinTry, QStringLiteral("valid"), QStringLiteral("0000"))));
        all += steps(m.onPinResult(pinTry, CallStateMachine::PinResult::Wrong));
    }
    QCOMPARE(all,
             (QStringList{QStringLiteral("pin_try:1:valid"), QStringLiteral("gather_pin_2"),
                          QStringLiteral("pin_try:2:valid"), QStringLiteral("gather_pin_3"),
                          QStringLiteral("pin_try:3:valid"), QStringLiteral("speak_rejection")}));
    QCOMPARE(m.decision()->decisionName(), QStringLiteral("rejected"));
    QCOMPARE(m.decision()->reason, QStringLiteral("pin_failed"));
    QCOMPARE(m.decision()->claimedNamespace, QStringLiteral("alice.x"));
    QCOMPARE(m.state(), QStringLiteral("rejecting"));
    QCOMPARE(steps(m.onWebhook(QStringLiteral("call.speak.ended"), speakEnded())),
             QStringList{QStringLiteral("hangup")});
    // A fourth gather result (none was asked for) does nothing.
    QVERIFY(m.onWebhook(GatherEnded, gatherEnded(4, QStringLiteral("valid"), QStringLiteral("1")))
                .isEmpty());
}

void TestCallStateMachine::pinTimeoutsAndInvalidCountAsTries()
{
    CallStateMachine m = challenged();
    QCOMPARE(steps(m.onWebhook(GatherEnded, gatherEnded(1, QStringLiteral("timeout")))),
             (QStringList{QStringLiteral("pin_try:1:timeout"), QStringLiteral("gather_pin_2")}));
    QCOMPARE(steps(m.onWebhook(GatherEnded,
                               gatherEnded(2, QStringLiteral("invalid"), QStringLiteral("12")))),
             (QStringList{QStringLiteral("pin_try:2:invalid"), QStringLiteral("gather_pin_3")}));
    // Without client_state the result belongs to the current try.
    QCOMPARE(steps(m.onWebhook(GatherEnded, gatherEnded(0, QStringLiteral("timeout")))),
             (QStringList{QStringLiteral("pin_try:3:timeout"), QStringLiteral("speak_rejection")}));
    QCOMPARE(m.decision()->reason, QStringLiteral("pin_failed"));
}

void TestCallStateMachine::pinHangupMidGather()
{
    CallStateMachine m = challenged();
    QVERIFY(m.onWebhook(GatherEnded, gatherEnded(1, QStringLiteral("call_hangup"))).isEmpty());
    QCOMPARE(m.pinFailures(), 0);
    QVERIFY(m.onWebhook(QStringLiteral("call.hangup"),
                        hangupOf(LegA, QStringLiteral("normal_clearing")))
                .isEmpty());
    QVERIFY(m.ended());
    QVERIFY(m.onPinResult(1, CallStateMachine::PinResult::Right).isEmpty());
    QVERIFY(
        m.onWebhook(GatherEnded, gatherEnded(1, QStringLiteral("valid"), QStringLiteral("2468")))
            .isEmpty());
    QCOMPARE(m.issuedSteps(),
             (QStringList{QStringLiteral("answer"), QStringLiteral("gather_pin_1")}));
}

void TestCallStateMachine::pinDuplicateAndLateGatherEnded()
{
    CallStateMachine m = challenged();
    const CallPayload first = gatherEnded(1, QStringLiteral("valid"), QStringLiteral("1111"));
    QCOMPARE(steps(m.onWebhook(GatherEnded, first)),
             QStringList{QStringLiteral("pin_try:1:valid")});
    // The same result again while its verdict is pending: nothing (one verification).
    QVERIFY(m.onWebhook(GatherEnded, first).isEmpty());
    QCOMPARE(steps(m.onPinResult(1, CallStateMachine::PinResult::Wrong)),
             QStringList{QStringLiteral("gather_pin_2")});
    // ... and after it: try 1 is settled.
    QVERIFY(m.onWebhook(GatherEnded, first).isEmpty());
    QVERIFY(m.notes().contains(QStringLiteral("stale_gather")));
    // A verdict for a try that is not waiting is ignored.
    QVERIFY(m.onPinResult(1, CallStateMachine::PinResult::Right).isEmpty());
    QVERIFY(m.onPinResult(2, CallStateMachine::PinResult::Right).isEmpty());
    QCOMPARE(m.decision()->outcome, Decision::Challenge);
    QCOMPARE(m.pinFailures(), 1);
    // A result from a later try than asked for is ignored too.
    QVERIFY(m.onWebhook(GatherEnded, gatherEnded(3, QStringLiteral("valid"), QStringLiteral("1")))
                .isEmpty());
    // Duplicates of every webhook of a whole challenge emit each step once.
    CallStateMachine d = challenged();
    QStringList all;
    for (int round = 0; round < 2; ++round)
        all += steps(d.onWebhook(GatherEnded, gatherEnded(1, QStringLiteral("timeout"))));
    QCOMPARE(all,
             (QStringList{QStringLiteral("pin_try:1:timeout"), QStringLiteral("gather_pin_2")}));
}

void TestCallStateMachine::pinLocked()
{
    CallStateMachine m = challenged();
    m.onWebhook(GatherEnded, gatherEnded(1, QStringLiteral("valid"), QStringLiteral("1111")));
    QCOMPARE(steps(m.onPinResult(1, CallStateMachine::PinResult::Locked)),
             QStringList{QStringLiteral("speak_rejection")});
    QCOMPARE(m.decision()->reason, QStringLiteral("pin_locked"));
    QCOMPARE(m.decision()->decisionName(), QStringLiteral("rejected"));
}

void TestCallStateMachine::pinGatherCommandFails()
{
    CallStateMachine m = challenged();
    QCOMPARE(steps(m.onCommandResult(QStringLiteral("gather_pin_1"), false, false)),
             QStringList{QStringLiteral("gather_pin_2")});
    QCOMPARE(steps(m.onCommandResult(QStringLiteral("gather_pin_2"), false, false)),
             QStringList{QStringLiteral("gather_pin_3")});
    QCOMPARE(steps(m.onCommandResult(QStringLiteral("gather_pin_3"), false, false)),
             QStringList{QStringLiteral("speak_rejection")});
    QCOMPARE(m.decision()->reason, QStringLiteral("pin_failed"));
    // The call ended under the gather: no more commands.
    CallStateMachine e = challenged();
    QVERIFY(e.onCommandResult(QStringLiteral("gather_pin_1"), false, true).isEmpty());
    QVERIFY(e.finished());
}

void TestCallStateMachine::pinSnapshotMidChallenge()
{
    CallStateMachine m = challenged();
    m.onWebhook(GatherEnded, gatherEnded(1, QStringLiteral("valid"), QStringLiteral("1111")));
    m.onPinResult(1, CallStateMachine::PinResult::Wrong);
    m.onWebhook(GatherEnded, gatherEnded(2, QStringLiteral("valid"), QStringLiteral("2468")));
    const auto restored = CallStateMachine::fromJson(m.toJson());
    QVERIFY(restored);
    QCOMPARE(*restored, m);
    CallStateMachine r = *restored;
    QCOMPARE(r.pinAwaiting(), 2);
    QCOMPARE(r.state(), QStringLiteral("challenging"));
    const CallActions a = m.onPinResult(2, CallStateMachine::PinResult::Right);
    const CallActions b = r.onPinResult(2, CallStateMachine::PinResult::Right);
    QCOMPARE(a, b);
    QCOMPARE(steps(b), QStringList{QStringLiteral("transfer")});
    // A verdict lost with a restart: the try counts as failed and the caller is asked again.
    CallStateMachine lost = challenged();
    lost.onWebhook(GatherEnded,
                   gatherEnded(1, QStringLiteral("valid"), QStringLiteral("[redacted]")));
    QCOMPARE(steps(lost.onPinResult(1, CallStateMachine::PinResult::Unverifiable)),
             QStringList{QStringLiteral("gather_pin_2")});
}

void TestCallStateMachine::pinTryNeverSerialisesDigits()
{
    const CallAction a =
        CallAction::pinTried(2, QStringLiteral("valid"), QStringLiteral("24681357"));
    const QByteArray json = QJsonDocument(a.toJson()).toJson(QJsonDocument::Compact);
    QVERIFY2(!json.contains("24681357"), json.constData());
    QCOMPARE(a.toJson().value(QLatin1String("try")).toInt(), 2);
    CallStateMachine m = challenged();
    m.onWebhook(GatherEnded, gatherEnded(1, QStringLiteral("valid"), QStringLiteral("24681357")));
    const QByteArray snapshot = QJsonDocument(m.toJson()).toJson(QJsonDocument::Compact);
    QVERIFY2(!snapshot.contains("24681357"), snapshot.constData());
}

// Self-registration's call-in: the PIN challenge's gather, for the 6-digit code, ending in a
// spoken confirmation (or failure) and a hangup instead of a transfer.
void TestCallStateMachine::callInCodeRight()
{
    CallStateMachine m(config());
    CallActions out = applyAll(m, opening(decision(Decision::AnswerAndCollectCode)));
    QCOMPARE(steps(out), QStringList{QStringLiteral("answer")});
    out = m.onWebhook(QStringLiteral("call.answered"), leg(LegA));
    QCOMPARE(steps(out), QStringList{QStringLiteral("gather_code_1")});
    const CallAction &g = out.at(0);
    QCOMPARE(g.name, QStringLiteral("gather_using_speak"));
    QCOMPARE(g.params.value(QLatin1String("payload")).toString(), CallConfig().callInPrompt);
    QCOMPARE(g.params.value(QLatin1String("minimum_digits")).toInt(), 6);
    QCOMPARE(g.params.value(QLatin1String("maximum_digits")).toInt(), 6);
    const QString codeState = QString::fromLatin1(QByteArray("code:1").toBase64());
    QCOMPARE(g.params.value(QLatin1String("client_state")).toString(), codeState);
    QCOMPARE(m.state(), QStringLiteral("challenging"));

    CallPayload ended = gatherEnded(0, QStringLiteral("valid"), QStringLiteral("482913"));
    ended.clientState = codeState;
    out = m.onWebhook(GatherEnded, ended);
    QCOMPARE(steps(out), QStringList{QStringLiteral("pin_try:1:valid")});
    QCOMPARE(out.at(0).digits, QStringLiteral("482913"));
    QVERIFY(!QJsonDocument(out.at(0).toJson()).toJson().contains("482913"));
    out = m.onPinResult(1, CallStateMachine::PinResult::Right);
    QCOMPARE(steps(out), QStringList{QStringLiteral("speak_registration")});
    QCOMPARE(out.at(0).params.value(QLatin1String("payload")).toString(),
             CallConfig().callInConfirmedMessage);
    QCOMPARE(m.decision()->decisionName(), QStringLiteral("challenge"));
    QCOMPARE(m.decision()->reason, QStringLiteral("registration_phone_proven"));
    QCOMPARE(steps(m.onWebhook(QStringLiteral("call.speak.ended"), speakEnded())),
             QStringList{QStringLiteral("hangup")});
    // The snapshot carries on exactly.
    const auto copy = CallStateMachine::fromJson(m.toJson());
    QVERIFY(copy);
    QCOMPARE(*copy, m);
}

void TestCallStateMachine::callInCodeFailsThreeTimes()
{
    CallStateMachine m(config());
    applyAll(m, opening(decision(Decision::AnswerAndCollectCode)));
    m.onWebhook(QStringLiteral("call.answered"), leg(LegA));
    QStringList all;
    all += steps(m.onWebhook(GatherEnded,
                             gatherEnded(0, QStringLiteral("valid"), QStringLiteral("000000"))));
    all += steps(m.onPinResult(1, CallStateMachine::PinResult::Wrong));
    all += steps(m.onWebhook(GatherEnded, gatherEnded(0, QStringLiteral("timeout"))));
    all += steps(m.onWebhook(GatherEnded,
                             gatherEnded(0, QStringLiteral("valid"), QStringLiteral("111111"))));
    all += steps(m.onPinResult(3, CallStateMachine::PinResult::Wrong));
    QCOMPARE(all, (QStringList{QStringLiteral("pin_try:1:valid"), QStringLiteral("gather_code_2"),
                               QStringLiteral("pin_try:2:timeout"), QStringLiteral("gather_code_3"),
                               QStringLiteral("pin_try:3:valid"),
                               QStringLiteral("speak_registration")}));
    QCOMPARE(m.decision()->decisionName(), QStringLiteral("rejected"));
    QCOMPARE(m.decision()->reason, QStringLiteral("registration_code_failed"));
    QCOMPARE(m.state(), QStringLiteral("rejecting"));
    QCOMPARE(steps(m.onWebhook(QStringLiteral("call.speak.ended"), speakEnded())),
             QStringList{QStringLiteral("hangup")});
}

// --- voicemail ------------------------------------------------------------------------------

namespace {
const QString RecordingSaved = QStringLiteral("call.recording.saved");

QList<Input> voicemailOpeningForward()
{
    QList<Input> in = opening(decision(Decision::AnswerAndForward, QStringLiteral("alice.x")));
    in << hook(QStringLiteral("call.answered"), leg(LegA));
    return in;
}

QList<Input> voicemailOpening()
{
    QList<Input> in = opening(decision(Decision::AnswerAndVoicemail));
    in << hook(QStringLiteral("call.answered"), leg(LegA));
    return in;
}
} // namespace

void TestCallStateMachine::voicemailSequence()
{
    CallConfig c = config();
    c.voicemailGreeting = QStringLiteral("Leave a message.");
    c.voicemailMaxLengthSecs = 90;
    CallStateMachine m(c);
    CallActions out = applyAll(m, opening(decision(Decision::AnswerAndVoicemail)));
    QCOMPARE(steps(out), QStringList{"answer"});
    QCOMPARE(m.state(), QStringLiteral("answering"));
    out = m.onWebhook(QStringLiteral("call.answered"), leg(LegA));
    QCOMPARE(steps(out), QStringList{"speak_greeting"});
    QCOMPARE(out.first().name, QStringLiteral("speak"));
    QCOMPARE(out.first().params.value("payload").toString(), c.voicemailGreeting);
    QCOMPARE(m.state(), QStringLiteral("voicemail"));
    out = m.onWebhook(QStringLiteral("call.speak.ended"), speakEnded());
    QCOMPARE(steps(out), QStringList{"record_start"});
    const QJsonObject p = out.first().params;
    QCOMPARE(out.first().name, QStringLiteral("record_start"));
    QCOMPARE(p.value("format").toString(), QStringLiteral("wav"));
    QCOMPARE(p.value("channels").toString(), QStringLiteral("single"));
    QCOMPARE(p.value("play_beep").toBool(), true);
    QCOMPARE(p.value("max_length").toInt(), 90);
    QCOMPARE(p.value("transcription").toBool(), true);
    QVERIFY(!out.first().commandId.isEmpty());
    QVERIFY(!m.finished());
    // Duplicates emit nothing new; the caller hangs up and that is the end.
    QVERIFY(m.onWebhook(QStringLiteral("call.speak.ended"), speakEnded()).isEmpty());
    QVERIFY(m.onWebhook(QStringLiteral("call.answered"), leg(LegA)).isEmpty());
    QVERIFY(m.onWebhook(QStringLiteral("call.hangup"),
                        hangupOf(LegA, QStringLiteral("normal_clearing")))
                .isEmpty());
    QCOMPARE(m.state(), QStringLiteral("ended"));
    // A recording webhook after the hangup changes nothing for the call.
    QVERIFY(m.onWebhook(RecordingSaved, leg(LegA)).isEmpty());
    QCOMPARE(m.issuedSteps(), (QStringList{"answer", "speak_greeting", "record_start"}));
}

void TestCallStateMachine::voicemailMaxLengthHangsUp()
{
    CallStateMachine m(config());
    applyAll(m, voicemailOpening());
    // A recording webhook before record_start (none can exist) is ignored.
    QVERIFY(steps(m.onWebhook(RecordingSaved, leg(LegA))).isEmpty());
    QCOMPARE(steps(m.onWebhook(QStringLiteral("call.speak.ended"), speakEnded())),
             QStringList{"record_start"});
    // max_length passed: the message is saved while the caller is still there.
    QCOMPARE(steps(m.onWebhook(RecordingSaved, leg(LegA))), QStringList{"hangup_after_voicemail"});
    QVERIFY(m.finished());
    QCOMPARE(m.state(), QStringLiteral("ending"));
    QVERIFY(m.onWebhook(RecordingSaved, leg(LegA)).isEmpty());
    m.onWebhook(QStringLiteral("call.hangup"), hangupOf(LegA, QStringLiteral("normal_clearing")));
    QCOMPARE(m.state(), QStringLiteral("ended"));
}

void TestCallStateMachine::voicemailGreetingOrRecordFails()
{
    {
        // The greeting cannot play: record anyway (the beep tells the caller when).
        CallStateMachine m(config());
        applyAll(m, voicemailOpening());
        QCOMPARE(steps(m.onCommandResult(QStringLiteral("speak_greeting"), false, false)),
                 QStringList{"record_start"});
    }
    {
        // record_start refused: hang up rather than leave the line silent.
        CallStateMachine m(config());
        applyAll(m, voicemailOpening());
        m.onWebhook(QStringLiteral("call.speak.ended"), speakEnded());
        QCOMPARE(steps(m.onCommandResult(QStringLiteral("record_start"), false, false)),
                 QStringList{"hangup_after_voicemail"});
        QVERIFY(m.notes().contains(QStringLiteral("command_failed:record_start")));
    }
}

void TestCallStateMachine::voicemailCallerHangsUpDuringGreeting()
{
    CallStateMachine m(config());
    applyAll(m, voicemailOpening());
    QVERIFY(
        m.onWebhook(QStringLiteral("call.speak.ended"), speakEnded(QStringLiteral("call_hangup")))
            .isEmpty());
    QVERIFY(m.finished());
    QVERIFY(!m.issuedSteps().contains(QStringLiteral("record_start")));
}

void TestCallStateMachine::voicemailInsteadOfUnavailable()
{
    // Off (the default): the unavailable message.
    {
        CallStateMachine m(config());
        const CallActions out = applyAll(m, fallbackFlow());
        QVERIFY(steps(out).contains(QStringLiteral("speak_unavailable")));
    }
    // On: the caller the owner did not answer can leave a message; the decision is kept.
    CallConfig c = config();
    c.voicemailOnNoAnswer = true;
    CallStateMachine m(c);
    QList<Input> in = opening(decision(Decision::AnswerAndForward, QStringLiteral("alice.x")));
    in << hook(QStringLiteral("call.answered"), leg(LegA))
       << hook(QStringLiteral("call.initiated"), leg(LegB, QStringLiteral("outgoing")))
       << hook(QStringLiteral("call.hangup"), hangupOf(LegB, QStringLiteral("timeout")))
       << hook(QStringLiteral("call.speak.ended"), speakEnded());
    const CallActions out = applyAll(m, in);
    QCOMPARE(steps(out), (QStringList{"answer", "transfer", "speak_greeting", "record_start"}));
    QCOMPARE(m.decision()->reason, QStringLiteral("registry"));
    QCOMPARE(m.state(), QStringLiteral("voicemail"));
    // No forward-to number: straight to the message after the answer.
    CallConfig none = c;
    none.forwardTo.clear();
    CallStateMachine n(none);
    QCOMPARE(steps(applyAll(n, voicemailOpeningForward())),
             (QStringList{"answer", "speak_greeting"}));
}

void TestCallStateMachine::ownerSendsToVoicemail()
{
    CallStateMachine m(config());
    applyAll(m, opening(decision(Decision::Ring)));
    QVERIFY(m.askPending());
    const CallActions out = m.onOwnerVoicemail();
    QCOMPARE(steps(out), (QStringList{"cancel_ask_timer", "answer"}));
    QCOMPARE(m.decision()->decisionName(), QStringLiteral("voicemail"));
    QCOMPARE(m.decision()->reason, QStringLiteral("owner_voicemail"));
    QCOMPARE(m.decision()->action, Decision::AnswerAndVoicemail);
    // Decided once: neither a second choice nor the timer changes it.
    QVERIFY(m.onOwnerDecision(true).isEmpty());
    QVERIFY(m.onOwnerVoicemail().isEmpty());
    QVERIFY(m.onAskTimeout().isEmpty());
    QCOMPARE(steps(m.onWebhook(QStringLiteral("call.answered"), leg(LegA))),
             QStringList{"speak_greeting"});
}

void TestCallStateMachine::askTimeoutFallsBackToVoicemail()
{
    CallConfig c = config();
    c.askFallbackPolicy = QStringLiteral("voicemail");
    CallStateMachine m(c);
    applyAll(m, opening(decision(Decision::Ring)));
    QCOMPARE(steps(m.onAskTimeout()), QStringList{"answer"});
    QCOMPARE(m.decision()->decisionName(), QStringLiteral("voicemail"));
    QCOMPARE(m.decision()->reason, QStringLiteral("ask_timeout"));
    // The owner's Reject still rejects (it is not a timeout).
    CallStateMachine r(c);
    applyAll(r, opening(decision(Decision::Ring)));
    r.onOwnerDecision(false);
    QCOMPARE(r.decision()->decisionName(), QStringLiteral("rejected"));
}

void TestCallStateMachine::voicemailSnapshotMidRecording()
{
    CallConfig c = config();
    c.voicemailOnNoAnswer = true;
    c.voicemailMaxLengthSecs = 30;
    CallStateMachine m(c);
    applyAll(m, voicemailOpening());
    m.onWebhook(QStringLiteral("call.speak.ended"), speakEnded());
    const auto copy = CallStateMachine::fromJson(m.toJson());
    QVERIFY(copy);
    QCOMPARE(copy->toJson(), m.toJson());
    QCOMPARE(copy->config().voicemailMaxLengthSecs, 30);
    QVERIFY(copy->config().voicemailOnNoAnswer);
    CallStateMachine restored = *copy;
    QCOMPARE(steps(restored.onWebhook(RecordingSaved, leg(LegA))),
             QStringList{"hangup_after_voicemail"});
}

QTEST_GUILESS_MAIN(TestCallStateMachine)
#include "tst_callstatemachine.moc"
