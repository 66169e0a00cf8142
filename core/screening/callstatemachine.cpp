// SPDX-License-Identifier: GPL-3.0-or-later
#include "callstatemachine.h"

#include "callsteps.h"
#include "decider.h"

#include <QUuid>

namespace kt {

using namespace callsteps;

namespace {

bool looksE164(const QString &s)
{
    if (s.size() < 3 || s.size() > 16 || !s.startsWith(QLatin1Char('+')))
        return false;
    for (qsizetype i = 1; i < s.size(); ++i) {
        if (!s.at(i).isDigit() || s.at(i).unicode() > 127)
            return false;
    }
    return true;
}

} // namespace

CallStateMachine::CallStateMachine(CallConfig config) : m_config(std::move(config)) {}

QString CallStateMachine::stateName(State state)
{
    switch (state) {
    case State::Ringing:
        return QStringLiteral("ringing");
    case State::Asking:
        return QStringLiteral("asking");
    case State::Answering:
        return QStringLiteral("answering");
    case State::Challenging:
        return QStringLiteral("challenging");
    case State::Forwarding:
        return QStringLiteral("forwarding");
    case State::Forwarded:
        return QStringLiteral("forwarded");
    case State::Rejecting:
        return QStringLiteral("rejecting");
    case State::Fallback:
        return QStringLiteral("fallback");
    case State::Voicemail:
        return QStringLiteral("voicemail");
    case State::Screening:
        return QStringLiteral("screening");
    case State::Ending:
        return QStringLiteral("ending");
    case State::Ended:
        return QStringLiteral("ended");
    case State::Failed:
        return QStringLiteral("failed");
    }
    return QString();
}

bool CallStateMachine::finished() const
{
    return m_ended || m_failed || m_ending || issued(StepHangup) ||
           issued(StepHangupAfterFallback) || issued(StepHangupAfterVoicemail);
}

bool CallStateMachine::askPending() const
{
    return !m_ended && m_decision &&
           (m_decision->action == Decision::Ring ||
            m_decision->action == Decision::AnswerAndScreen) &&
           !m_askResolved;
}

void CallStateMachine::note(const QString &text)
{
    if (!m_notes.contains(text))
        m_notes.append(text);
}

QString CallStateMachine::commandIdFor(const QString &step) const
{
    const QString key = (m_sessionId.isEmpty() ? m_legA : m_sessionId) + QLatin1Char('/') + step;
    return QUuid::createUuidV5(CommandIdNamespace, key).toString(QUuid::WithoutBraces);
}

QString CallStateMachine::displayName() const
{
    QString name;
    if (m_decision && !m_decision->nameSpace.isEmpty())
        name = m_decision->nameSpace;
    else if (m_decision && looksE164(m_decision->caller))
        name = m_decision->caller;
    else if (looksE164(m_callerFrom))
        name = m_callerFrom;
    else
        name = m_config.defaultDisplayName;
    return name.left(MaxDisplayName);
}

void CallStateMachine::issue(CallActions &out, const QString &step, const QString &name,
                             const QJsonObject &params)
{
    if (issued(step))
        return;
    m_issued.append(step);
    out.append(CallAction::command(step, name, m_legA, params, commandIdFor(step)));
}

void CallStateMachine::speakOrHangup(CallActions &out, const QString &speakStep,
                                     const QString &message, const QString &hangupStep)
{
    if (!issued(speakStep)) {
        QJsonObject params;
        params.insert(QStringLiteral("payload"), message.left(MaxSpeakPayload));
        params.insert(QStringLiteral("voice"), m_config.voice);
        if (!m_config.language.isEmpty())
            params.insert(QStringLiteral("language"), m_config.language);
        issue(out, speakStep, QStringLiteral("speak"), params);
        return;
    }
    if (m_speakEnded || m_speakFailed)
        issue(out, hangupStep, QStringLiteral("hangup"), QJsonObject());
}

void CallStateMachine::takeMessage(CallActions &out)
{
    m_voicemail = true;
    if (!issued(StepSpeakGreeting)) {
        QJsonObject params;
        params.insert(QStringLiteral("payload"), m_config.voicemailGreeting.left(MaxSpeakPayload));
        params.insert(QStringLiteral("voice"), m_config.voice);
        if (!m_config.language.isEmpty())
            params.insert(QStringLiteral("language"), m_config.language);
        issue(out, StepSpeakGreeting, QStringLiteral("speak"), params);
        return;
    }
    if (!m_speakEnded && !m_speakFailed)
        return; // the greeting plays
    if (!issued(StepRecordStart)) {
        // Telnyx requires format and channels; max_length in seconds (0 would be no limit,
        // which a caller who never hangs up would keep open, so it is always set).
        QJsonObject params;
        params.insert(QStringLiteral("format"), QStringLiteral("wav"));
        params.insert(QStringLiteral("channels"), QStringLiteral("single"));
        params.insert(QStringLiteral("play_beep"), true);
        params.insert(QStringLiteral("max_length"),
                      qBound(1, m_config.voicemailMaxLengthSecs, 14400));
        params.insert(QStringLiteral("transcription"), m_config.voicemailTranscription);
        issue(out, StepRecordStart, QStringLiteral("record_start"), params);
        return;
    }
    if (m_recordingSaved || m_recordFailed)
        issue(out, StepHangupAfterVoicemail, QStringLiteral("hangup"), QJsonObject());
}

CallActions CallStateMachine::pump()
{
    CallActions out;
    if (m_ended || m_failed || m_ending || m_legA.isEmpty() || !m_decision) {
        updateState();
        return out;
    }
    const Decision &d = *m_decision;
    if (m_screened && m_askResolved)
        stopListening(out);
    switch (d.action) {
    case Decision::AnswerAndScreen:
        if (!m_askResolved && !m_askTimerStarted) {
            m_askTimerStarted = true;
            out.append(CallAction::startAskTimer(m_config.screenTimeoutSecs));
        }
        if (!m_answered) {
            QJsonObject params;
            if (m_config.screenDeepfake)
                params.insert(QStringLiteral("deepfake_detection"),
                              QJsonObject{{QStringLiteral("enabled"), true}});
            issue(out, StepAnswer, QStringLiteral("answer"), params);
        } else {
            listen(out);
        }
        break;
    case Decision::Ring:
        if (!m_askResolved && !m_askTimerStarted) {
            m_askTimerStarted = true;
            out.append(CallAction::startAskTimer(m_config.askTimeoutSecs));
        }
        break;
    case Decision::RejectCall:
        if (!m_answered) {
            QJsonObject params;
            params.insert(QStringLiteral("cause"), QStringLiteral("CALL_REJECTED"));
            issue(out, StepReject, QStringLiteral("reject"), params);
        } else if (!issued(StepReject)) {
            // Answered before the decision: a reject is no longer possible.
            speakOrHangup(out, closingSpeakStep(), closingMessage(), StepHangup);
        }
        break;
    case Decision::AnswerAndSpeakRejection:
        if (!m_answered)
            issue(out, StepAnswer, QStringLiteral("answer"), QJsonObject());
        else
            speakOrHangup(out, closingSpeakStep(), closingMessage(), StepHangup);
        break;
    case Decision::AnswerAndVoicemail:
        if (!m_answered)
            issue(out, StepAnswer, QStringLiteral("answer"), QJsonObject());
        else
            takeMessage(out);
        break;
    case Decision::AnswerAndChallenge:
    case Decision::AnswerAndCollectCode:
        if (!m_answered)
            issue(out, StepAnswer, QStringLiteral("answer"), QJsonObject());
        else
            askForDigits(out); // the next try, when the last one failed
        break;
    case Decision::AnswerAndForward: {
        if (!m_answered) {
            issue(out, StepAnswer, QStringLiteral("answer"), QJsonObject());
            break;
        }
        if (m_config.forwardTo.isEmpty())
            note(QStringLiteral("no_forward_to"));
        const bool legBGone = m_legBEnded && !m_bridged && !m_legBAnswered;
        if (m_voicemail || ((m_config.forwardTo.isEmpty() || m_transferFailed || legBGone) &&
                            m_config.voicemailOnNoAnswer && !issued(StepSpeakUnavailable))) {
            takeMessage(out); // the owner did not answer: the caller can leave a message
        } else if (m_config.forwardTo.isEmpty() || m_transferFailed || legBGone ||
                   issued(StepSpeakUnavailable)) {
            speakOrHangup(out, StepSpeakUnavailable, m_config.unavailableMessage,
                          StepHangupAfterFallback);
        } else {
            QJsonObject params;
            params.insert(QStringLiteral("to"), m_config.forwardTo);
            params.insert(QStringLiteral("from_display_name"), displayName());
            params.insert(QStringLiteral("timeout_secs"), m_config.transferTimeoutSecs);
            issue(out, StepTransfer, QStringLiteral("transfer"), params);
        }
        break;
    }
    }
    updateState();
    return out;
}

void CallStateMachine::updateState()
{
    if (m_ended) {
        m_state = State::Ended;
        return;
    }
    if (m_failed) {
        m_state = State::Failed;
        return;
    }
    if (m_ending || issued(StepHangup) || issued(StepHangupAfterFallback) ||
        issued(StepHangupAfterVoicemail)) {
        m_state = State::Ending;
        return;
    }
    if (m_legA.isEmpty() || !m_decision) {
        m_state = State::Ringing;
        return;
    }
    if (screening()) {
        m_state = State::Screening;
        return;
    }
    if (issued(StepSpeakUnavailable)) {
        m_state = State::Fallback;
        return;
    }
    if (issued(StepSpeakGreeting)) {
        m_state = State::Voicemail;
        return;
    }
    if (issued(StepReject) || issued(StepSpeakRejection) || issued(StepSpeakRegistration)) {
        m_state = State::Rejecting;
        return;
    }
    if (issued(StepTransfer)) {
        m_state = m_bridged ? State::Forwarded : State::Forwarding;
        return;
    }
    if (collectingDigits() && m_pinTries > 0) {
        m_state = State::Challenging;
        return;
    }
    if (issued(StepAnswer)) {
        m_state = State::Answering;
        return;
    }
    m_state = askPending() ? State::Asking : State::Ringing;
}

CallActions CallStateMachine::onWebhook(const QString &eventType, const CallPayload &p)
{
    CallActions out;
    if (m_ended)
        return out;
    if (m_sessionId.isEmpty())
        m_sessionId = p.callSessionId;

    const bool outgoing = p.direction == QLatin1String("outgoing");
    if (m_legA.isEmpty()) {
        if (outgoing || p.callControlId.isEmpty())
            return out; // not our caller's leg; nothing can be done before leg A is known
        m_legA = p.callControlId;
    }

    if (p.callControlId == m_legA) {
        if (eventType == EvInitiated) {
            if (m_callerFrom.isEmpty())
                m_callerFrom = p.from;
        } else if (eventType == EvAnswered) {
            m_answered = true;
        } else if (eventType == EvBridged) {
            m_bridged = true;
        } else if (eventType == EvSpeakEnded && m_screenSpeaksEnded < screenSpeaksIssued()) {
            // Speaks play in the order they were asked for, and the screen's greeting and
            // re-prompt are asked for before any message that follows the owner's decision: the
            // first speak.ended events are theirs. (client_state cannot tell them apart: a
            // command's client_state stays on every later webhook of the leg.)
            ++m_screenSpeaksEnded;
            if (p.status == QLatin1String("call_hangup"))
                m_ending = true; // the caller is gone; call.hangup follows
            else
                m_screenSpeakEnded = true;
        } else if (eventType == EvTranscription || eventType == EvDeepfake ||
                   (eventType.startsWith(EvAiGather) && issued(StepGatherAi))) {
            if (m_screened)
                onScreenWebhook(eventType, p);
        } else if (eventType == EvSpeakEnded) {
            if (issued(StepSpeakRejection) || issued(StepSpeakUnavailable) ||
                issued(StepSpeakRegistration) || issued(StepSpeakGreeting)) {
                if (p.status == QLatin1String("call_hangup"))
                    m_ending = true; // the caller is gone; call.hangup follows
                else
                    m_speakEnded = true;
            }
        } else if (eventType == EvGatherEnded) {
            onGatherEnded(out, p);
        } else if (eventType == EvRecordingSaved) {
            // The message is complete while the caller is still on the line: max_length.
            if (issued(StepRecordStart))
                m_recordingSaved = true;
        } else if (eventType == EvHangup) {
            const bool cancelTimer = m_askTimerStarted && askPending();
            m_ended = true;
            m_endCause = p.hangupCause.isEmpty() ? QStringLiteral("unspecified") : p.hangupCause;
            if (cancelTimer)
                out.append(CallAction::cancelAskTimer());
            updateState();
            return out;
        }
    } else {
        // Another leg of the session: the transfer's leg B.
        if (!issued(StepTransfer) || (!m_legB.isEmpty() && p.callControlId != m_legB) ||
            p.callControlId.isEmpty()) {
            note(QStringLiteral("unexpected_leg"));
            updateState();
            return out;
        }
        if (m_legB.isEmpty())
            m_legB = p.callControlId;
        if (eventType == EvAnswered) {
            m_legBAnswered = true;
        } else if (eventType == EvBridged) {
            m_bridged = true;
        } else if (eventType == EvHangup) {
            if (!m_legBEnded) {
                m_legBEnded = true;
                note(QStringLiteral("leg_b:%1")
                         .arg(p.hangupCause.isEmpty() ? QStringLiteral("unspecified")
                                                      : p.hangupCause));
            }
            // After a bridge Telnyx hangs up leg A too: wait for its call.hangup.
            if (m_bridged || m_legBAnswered)
                m_ending = true;
        }
    }
    out.append(pump());
    return out;
}

QString CallStateMachine::closingMessage() const
{
    const QString reason = m_decision ? m_decision->reason : QString();
    if (reason == QLatin1String("registration_phone_proven"))
        return m_config.callInConfirmedMessage;
    if (reason == QLatin1String("registration_code_failed"))
        return m_config.callInFailedMessage;
    return m_config.rejectionMessage;
}

QString CallStateMachine::closingSpeakStep() const
{
    const QString reason = m_decision ? m_decision->reason : QString();
    return reason.startsWith(QLatin1String("registration_")) ? StepSpeakRegistration
                                                             : StepSpeakRejection;
}

CallActions CallStateMachine::onDecision(const Decision &decision)
{
    if (m_decision) {
        note(QStringLiteral("decision_ignored"));
        return CallActions();
    }
    m_decision = decision;
    m_screened = decision.action == Decision::AnswerAndScreen;
    return pump();
}

void CallStateMachine::resolveAsk(CallActions &out, const Decision &decision)
{
    m_askResolved = true;
    m_decision = decision;
    if (m_askTimerStarted)
        out.append(CallAction::cancelAskTimer());
    out.append(pump());
}

CallActions CallStateMachine::onOwnerDecision(bool accept)
{
    CallActions out;
    if (!askPending() || finished())
        return out;
    // A screened call is answered: the owner's reject speaks the rejection message.
    resolveAsk(out, Decider::ownerDecided(accept, *m_decision,
                                          m_screened ? QStringLiteral("reject_with_message")
                                                     : m_config.askFallbackPolicy));
    return out;
}

CallActions CallStateMachine::onOwnerVoicemail()
{
    CallActions out;
    if (!askPending() || finished())
        return out;
    resolveAsk(out, Decider::ownerSentToVoicemail(*m_decision));
    return out;
}

CallActions CallStateMachine::onAskTimeout()
{
    if (!askPending() || finished())
        return CallActions();
    m_askResolved = true;
    // A screened call is answered: its fallback is spoken (or voicemail), never a reject.
    const QString fallback = !m_screened ? m_config.askFallbackPolicy
                                         : (m_config.screenFallback == QLatin1String("voicemail")
                                                ? m_config.screenFallback
                                                : QStringLiteral("reject_with_message"));
    m_decision = Decider::askTimedOut(fallback, *m_decision);
    return pump();
}

CallActions CallStateMachine::onCommandResult(const QString &step, bool ok, bool callEnded)
{
    CallActions out;
    if (m_ended || !issued(step))
        return out;
    if (callEnded) {
        note(QStringLiteral("call_ended:%1").arg(step));
        const bool cancelTimer = m_askTimerStarted && askPending();
        m_ending = true;
        if (cancelTimer)
            out.append(CallAction::cancelAskTimer());
        updateState();
        return out;
    }
    if (ok)
        return out;
    note(QStringLiteral("command_failed:%1").arg(step));
    if (m_failed || m_ending)
        return out;
    if (step == StepAnswer) {
        if (!m_answered && !issued(StepReject)) {
            QJsonObject params;
            params.insert(QStringLiteral("cause"), QStringLiteral("CALL_REJECTED"));
            issue(out, StepReject, QStringLiteral("reject"), params);
        }
        m_failed = true;
        updateState();
        return out;
    }
    if (step == StepTransfer) {
        m_transferFailed = true;
        note(QStringLiteral("transfer_failed"));
        return pump();
    }
    if (step.startsWith(StepGatherPin) || step.startsWith(StepGatherCode)) {
        // The gather did not start: no gather.ended will come. That try fails; the next one is
        // asked for (a wrong prompt or voice fails every try the same way, up to pinMaxTries).
        const QString current =
            (collectingCode() ? StepGatherCode : StepGatherPin) + QString::number(m_pinTries);
        if (step == current && m_pinAwaiting == 0 && m_pinFailures < m_pinTries &&
            collectingDigits())
            failPinTry();
        return pump();
    }
    if (step == StepSpeakRejection || step == StepSpeakUnavailable ||
        step == StepSpeakRegistration || step == StepSpeakGreeting) {
        // A greeting that cannot play: record anyway (the beep says when).
        m_speakFailed = true;
        return pump();
    }
    if (step == StepRecordStart) {
        m_recordFailed = true;
        return pump();
    }
    if (step == StepSpeakScreenGreeting || step == StepSpeakScreenReprompt) {
        m_screenSpeakEnded = true; // no speak.ended will come: the silence timer runs now
        return pump();
    }
    if (step == StepGatherAi) {
        m_aiFailed = true; // listen the other way: transcription and a spoken greeting
        return pump();
    }
    if (step == StepTranscriptionStart || step == StepTranscriptionStop || step == StepGatherStop) {
        // No words (the owner can still decide, the timeout still applies), or words that go
        // on arriving and are ignored: neither ends the call.
        return out;
    }
    // reject, hangup, hangup_after_fallback
    m_failed = true;
    updateState();
    return out;
}

} // namespace kt
