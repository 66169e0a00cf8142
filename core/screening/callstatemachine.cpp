// SPDX-License-Identifier: GPL-3.0-or-later
#include "callstatemachine.h"

#include "decider.h"

#include <QJsonArray>
#include <QUuid>

namespace kt {

namespace {

const QString EvInitiated = QStringLiteral("call.initiated");
const QString EvAnswered = QStringLiteral("call.answered");
const QString EvBridged = QStringLiteral("call.bridged");
const QString EvHangup = QStringLiteral("call.hangup");
const QString EvSpeakEnded = QStringLiteral("call.speak.ended");
const QString EvGatherEnded = QStringLiteral("call.gather.ended");
const QString EvRecordingSaved = QStringLiteral("call.recording.saved");
const QString EvTranscription = QStringLiteral("call.transcription");
const QString EvDeepfake = QStringLiteral("call.deepfake_detection.result");
const QString EvAiGather = QStringLiteral("call.ai_gather.");  // .partial_results, .ended, ...
const QString StepGatherPin = QStringLiteral("gather_pin_");   // + the try, from 1
const QString StepGatherCode = QStringLiteral("gather_code_"); // + the try, from 1

const QString StepAnswer = QStringLiteral("answer");
const QString StepReject = QStringLiteral("reject");
const QString StepTransfer = QStringLiteral("transfer");
const QString StepSpeakRejection = QStringLiteral("speak_rejection");
const QString StepHangup = QStringLiteral("hangup");
const QString StepSpeakUnavailable = QStringLiteral("speak_unavailable");
const QString StepHangupAfterFallback = QStringLiteral("hangup_after_fallback");
const QString StepSpeakRegistration = QStringLiteral("speak_registration");
const QString StepSpeakGreeting = QStringLiteral("speak_greeting");
const QString StepRecordStart = QStringLiteral("record_start");
const QString StepHangupAfterVoicemail = QStringLiteral("hangup_after_voicemail");
const QString StepTranscriptionStart = QStringLiteral("transcription_start");
const QString StepTranscriptionStop = QStringLiteral("transcription_stop");
const QString StepSpeakScreenGreeting = QStringLiteral("speak_screen_greeting");
const QString StepSpeakScreenReprompt = QStringLiteral("speak_screen_reprompt");
const QString StepGatherAi = QStringLiteral("gather_ai");
const QString StepGatherStop = QStringLiteral("gather_stop");

// The namespace of the command_id UUIDv5s.
const QUuid CommandIdNamespace(QStringLiteral("{1b7f3ca5-f24b-461a-a004-0fd0177d70dc}"));

constexpr int MaxSpeakPayload = 3000; // docs/telnyx-api.md §4.3 speak
constexpr int MaxDisplayName = 128;   // docs/telnyx-api.md §4.3 transfer

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

// client_state of the digit gathers: base64 of "pin:N" (a PIN) or "code:N" (a call-in code).
QString pinClientState(const QByteArray &kind, int pinTry)
{
    return QString::fromLatin1(
        QByteArray(kind).append(':').append(QByteArray::number(pinTry)).toBase64());
}

// The try a gather.ended names in its client_state; 0 when it names none.
int pinTryOf(const QString &clientState)
{
    const QByteArray raw = QByteArray::fromBase64(clientState.left(64).toLatin1());
    const int colon = raw.indexOf(':');
    if (colon < 0 || (raw.left(colon) != "pin" && raw.left(colon) != "code"))
        return 0;
    bool ok = false;
    const int n = raw.mid(colon + 1).toInt(&ok);
    return ok && n > 0 ? n : 0;
}

QJsonArray toArray(const QStringList &list)
{
    return QJsonArray::fromStringList(list);
}

QStringList fromArray(const QJsonValue &v)
{
    QStringList out;
    for (const QJsonValue &x : v.toArray())
        out.append(x.toString());
    return out;
}

} // namespace

QJsonObject CallConfig::toJson() const
{
    QJsonObject o;
    o.insert(QStringLiteral("forward_to"), forwardTo);
    o.insert(QStringLiteral("rejection_message"), rejectionMessage);
    o.insert(QStringLiteral("unavailable_message"), unavailableMessage);
    o.insert(QStringLiteral("voice"), voice);
    o.insert(QStringLiteral("language"), language);
    o.insert(QStringLiteral("transfer_timeout_secs"), transferTimeoutSecs);
    o.insert(QStringLiteral("ask_timeout_secs"), askTimeoutSecs);
    o.insert(QStringLiteral("ask_fallback_policy"), askFallbackPolicy);
    o.insert(QStringLiteral("default_display_name"), defaultDisplayName);
    o.insert(QStringLiteral("pin_prompt"), pinPrompt);
    o.insert(QStringLiteral("pin_retry_prompt"), pinRetryPrompt);
    o.insert(QStringLiteral("pin_max_tries"), pinMaxTries);
    o.insert(QStringLiteral("pin_timeout_secs"), pinTimeoutSecs);
    o.insert(QStringLiteral("pin_inter_digit_secs"), pinInterDigitSecs);
    o.insert(QStringLiteral("call_in_prompt"), callInPrompt);
    o.insert(QStringLiteral("call_in_retry_prompt"), callInRetryPrompt);
    o.insert(QStringLiteral("call_in_confirmed_message"), callInConfirmedMessage);
    o.insert(QStringLiteral("call_in_failed_message"), callInFailedMessage);
    o.insert(QStringLiteral("voicemail_greeting"), voicemailGreeting);
    o.insert(QStringLiteral("voicemail_max_length_secs"), voicemailMaxLengthSecs);
    o.insert(QStringLiteral("voicemail_transcription"), voicemailTranscription);
    o.insert(QStringLiteral("voicemail_on_no_answer"), voicemailOnNoAnswer);
    o.insert(QStringLiteral("screen_greeting"), screenGreeting);
    o.insert(QStringLiteral("screen_reprompt"), screenReprompt);
    o.insert(QStringLiteral("screen_engine"), screenEngine);
    o.insert(QStringLiteral("screen_timeout_secs"), screenTimeoutSecs);
    o.insert(QStringLiteral("screen_silence_secs"), screenSilenceSecs);
    o.insert(QStringLiteral("screen_fallback"), screenFallback);
    o.insert(QStringLiteral("screen_deepfake"), screenDeepfake);
    return o;
}

CallConfig CallConfig::fromJson(const QJsonObject &json)
{
    CallConfig c;
    auto str = [&json](const char *key, QString &out) {
        const QJsonValue v = json.value(QLatin1String(key));
        if (v.isString())
            out = v.toString();
    };
    auto num = [&json](const char *key, int &out) {
        const QJsonValue v = json.value(QLatin1String(key));
        if (v.isDouble())
            out = v.toInt();
    };
    str("forward_to", c.forwardTo);
    str("rejection_message", c.rejectionMessage);
    str("unavailable_message", c.unavailableMessage);
    str("voice", c.voice);
    str("language", c.language);
    num("transfer_timeout_secs", c.transferTimeoutSecs);
    num("ask_timeout_secs", c.askTimeoutSecs);
    str("ask_fallback_policy", c.askFallbackPolicy);
    str("default_display_name", c.defaultDisplayName);
    str("pin_prompt", c.pinPrompt);
    str("pin_retry_prompt", c.pinRetryPrompt);
    num("pin_max_tries", c.pinMaxTries);
    num("pin_timeout_secs", c.pinTimeoutSecs);
    num("pin_inter_digit_secs", c.pinInterDigitSecs);
    str("call_in_prompt", c.callInPrompt);
    str("call_in_retry_prompt", c.callInRetryPrompt);
    str("call_in_confirmed_message", c.callInConfirmedMessage);
    str("call_in_failed_message", c.callInFailedMessage);
    str("voicemail_greeting", c.voicemailGreeting);
    num("voicemail_max_length_secs", c.voicemailMaxLengthSecs);
    auto flag = [&json](const char *key, bool &out) {
        const QJsonValue v = json.value(QLatin1String(key));
        if (v.isBool())
            out = v.toBool();
    };
    flag("voicemail_transcription", c.voicemailTranscription);
    flag("voicemail_on_no_answer", c.voicemailOnNoAnswer);
    str("screen_greeting", c.screenGreeting);
    str("screen_reprompt", c.screenReprompt);
    str("screen_engine", c.screenEngine);
    num("screen_timeout_secs", c.screenTimeoutSecs);
    num("screen_silence_secs", c.screenSilenceSecs);
    str("screen_fallback", c.screenFallback);
    flag("screen_deepfake", c.screenDeepfake);
    return c;
}

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

bool CallStateMachine::screening() const
{
    return askPending() && m_decision->action == Decision::AnswerAndScreen;
}

int CallStateMachine::askTimerSecs() const
{
    return m_screened ? m_config.screenTimeoutSecs : m_config.askTimeoutSecs;
}

bool CallStateMachine::silenceTimerWanted() const
{
    return screening() && !finished() && m_screenSpeakEnded && m_transcript.isEmpty() &&
           !issued(StepSpeakScreenReprompt) && m_screenEngineUsed != QLatin1String("ai");
}

QJsonObject CallStateMachine::screenSpeak(const QString &message) const
{
    QJsonObject params;
    params.insert(QStringLiteral("payload"), message.left(MaxSpeakPayload));
    params.insert(QStringLiteral("voice"), m_config.voice);
    if (!m_config.language.isEmpty())
        params.insert(QStringLiteral("language"), m_config.language);
    return params;
}

int CallStateMachine::screenSpeaksIssued() const
{
    return int(issued(StepSpeakScreenGreeting)) + int(issued(StepSpeakScreenReprompt));
}

void CallStateMachine::listen(CallActions &out)
{
    if (m_config.screenEngine == QLatin1String("ai") && !m_aiFailed) {
        // One AI gather asks, listens and re-asks by itself (user_response_timeout_ms); its
        // result is the caller's name and reason (docs/telnyx-conversation.md §3).
        m_screenEngineUsed = QStringLiteral("ai");
        const QJsonObject string{{QStringLiteral("type"), QStringLiteral("string")}};
        QJsonObject name = string;
        name.insert(QStringLiteral("description"), QStringLiteral("The caller's name"));
        QJsonObject reason = string;
        reason.insert(QStringLiteral("description"), QStringLiteral("Why they are calling"));
        QJsonObject params;
        params.insert(QStringLiteral("greeting"), m_config.screenGreeting.left(MaxSpeakPayload));
        params.insert(
            QStringLiteral("parameters"),
            QJsonObject{
                {QStringLiteral("type"), QStringLiteral("object")},
                {QStringLiteral("properties"), QJsonObject{{QStringLiteral("caller_name"), name},
                                                           {QStringLiteral("reason"), reason}}},
                {QStringLiteral("required"),
                 QJsonArray{QStringLiteral("caller_name"), QStringLiteral("reason")}}});
        if (!m_config.language.isEmpty())
            params.insert(QStringLiteral("language"), m_config.language);
        params.insert(QStringLiteral("send_partial_results"), true);
        params.insert(QStringLiteral("send_message_history_updates"), true);
        params.insert(QStringLiteral("user_response_timeout_ms"),
                      qBound(1, m_config.screenSilenceSecs, 60) * 1000);
        issue(out, StepGatherAi, QStringLiteral("gather_using_ai"), params);
        return;
    }
    if (!issued(StepTranscriptionStart)) {
        // Nested engine settings (docs/telnyx-conversation.md §2); interim results so that the
        // owner reads the words as they are spoken; only the caller's side (inbound).
        const bool deepgram = m_config.screenEngine == QLatin1String("deepgram");
        m_screenEngineUsed = deepgram ? QStringLiteral("deepgram") : QStringLiteral("google");
        QJsonObject engine{{QStringLiteral("interim_results"), true}};
        if (!m_config.language.isEmpty())
            engine.insert(QStringLiteral("language"), m_config.language);
        if (deepgram)
            engine.insert(QStringLiteral("transcription_model"), QStringLiteral("deepgram/nova-3"));
        else
            engine.insert(QStringLiteral("model"), QStringLiteral("phone_call"));
        QJsonObject params;
        params.insert(QStringLiteral("transcription_engine"),
                      deepgram ? QStringLiteral("Deepgram") : QStringLiteral("Google"));
        params.insert(QStringLiteral("transcription_engine_config"), engine);
        params.insert(QStringLiteral("transcription_tracks"), QStringLiteral("inbound"));
        issue(out, StepTranscriptionStart, QStringLiteral("transcription_start"), params);
    }
    if (!issued(StepSpeakScreenGreeting)) {
        issue(out, StepSpeakScreenGreeting, QStringLiteral("speak"),
              screenSpeak(m_config.screenGreeting));
        return;
    }
    if (!m_screenSpeakEnded || !m_transcript.isEmpty() || issued(StepSpeakScreenReprompt))
        return;
    if (!m_silenceTimerStarted) {
        m_silenceTimerStarted = true;
        out.append(CallAction::startSilenceTimer(qBound(1, m_config.screenSilenceSecs, 60)));
    } else if (m_silenceElapsed) {
        issue(out, StepSpeakScreenReprompt, QStringLiteral("speak"),
              screenSpeak(m_config.screenReprompt));
    }
}

void CallStateMachine::stopListening(CallActions &out)
{
    // The owner has decided: the caller's words are no longer wanted.
    if (issued(StepTranscriptionStart))
        issue(out, StepTranscriptionStop, QStringLiteral("transcription_stop"), QJsonObject());
    if (issued(StepGatherAi))
        issue(out, StepGatherStop, QStringLiteral("gather_stop"), QJsonObject());
}

void CallStateMachine::onScreenWebhook(const QString &eventType, const CallPayload &p)
{
    if (eventType == EvDeepfake) {
        // A hint for the owner, never a decision by itself (docs/telnyx-conversation.md §6).
        m_deepfakeResult = ScreenTranscript::clean(p.result, 32);
        m_deepfakeScore = p.score >= 0 && p.score <= 1 ? p.score : -1;
        return;
    }
    if (!screening()) {
        note(QStringLiteral("late_transcription"));
        return;
    }
    if (eventType == EvTranscription) {
        switch (m_transcript.add(p.transcript, p.transcriptFinal)) {
        case ScreenTranscript::Change::Duplicate:
            note(QStringLiteral("duplicate_transcription"));
            break;
        case ScreenTranscript::Change::Stale:
            note(QStringLiteral("stale_transcription"));
            break;
        case ScreenTranscript::Change::Full:
            note(QStringLiteral("transcript_full"));
            break;
        default:
            break;
        }
        return;
    }
    // call.ai_gather.*: the caller's turns so far (each a final utterance), and the fields.
    for (qsizetype i = m_transcript.utterances().size(); i < p.userMessages.size(); ++i)
        m_transcript.add(p.userMessages.at(i), true);
    m_transcript.setFields(p.resultObject.value(QLatin1String("caller_name")).toString(),
                           p.resultObject.value(QLatin1String("reason")).toString());
    if (eventType == QLatin1String("call.ai_gather.ended"))
        m_screenSpeakEnded = true;
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
        if (!m_answered) {
            issue(out, StepAnswer, QStringLiteral("answer"), QJsonObject());
        } else if (m_pinAwaiting == 0 && m_pinTries == m_pinFailures &&
                   m_pinTries < m_config.pinMaxTries) {
            const bool code = d.action == Decision::AnswerAndCollectCode;
            const int next = m_pinTries + 1;
            const QString prompt =
                code ? (next == 1 ? m_config.callInPrompt : m_config.callInRetryPrompt)
                     : (next == 1 ? m_config.pinPrompt : m_config.pinRetryPrompt);
            QJsonObject params;
            params.insert(QStringLiteral("payload"), prompt.left(MaxSpeakPayload));
            params.insert(QStringLiteral("voice"), m_config.voice);
            if (!m_config.language.isEmpty())
                params.insert(QStringLiteral("language"), m_config.language);
            params.insert(QStringLiteral("minimum_digits"), code ? 6 : 4);
            params.insert(QStringLiteral("maximum_digits"), code ? 6 : 8);
            params.insert(QStringLiteral("valid_digits"), QStringLiteral("0123456789"));
            params.insert(QStringLiteral("terminating_digit"), QStringLiteral("#"));
            params.insert(QStringLiteral("timeout_millis"), m_config.pinTimeoutSecs * 1000);
            params.insert(QStringLiteral("inter_digit_timeout_millis"),
                          m_config.pinInterDigitSecs * 1000);
            // One try per gather: the machine counts the tries, not Telnyx.
            params.insert(QStringLiteral("maximum_tries"), 1);
            params.insert(
                QStringLiteral("client_state"),
                pinClientState(code ? QByteArrayLiteral("code") : QByteArrayLiteral("pin"), next));
            m_pinTries = next;
            issue(out, (code ? StepGatherCode : StepGatherPin) + QString::number(next),
                  QStringLiteral("gather_using_speak"), params);
        }
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

void CallStateMachine::onGatherEnded(CallActions &out, const CallPayload &p)
{
    if (!collectingDigits() || m_pinTries == 0)
        return;
    // Telnyx echoes the last client_state; without one the result is the current try's.
    const int named = pinTryOf(p.clientState);
    const int pinTry = named > 0 ? named : m_pinTries;
    if (pinTry != m_pinTries || m_pinAwaiting == pinTry || m_pinFailures >= pinTry) {
        note(QStringLiteral("stale_gather"));
        return;
    }
    if (p.status == QLatin1String("call_hangup"))
        return; // the caller is gone; call.hangup follows
    // The terminating # is not part of the PIN (whether or not Telnyx reports it).
    QString digits = p.digits.left(32);
    if (digits.endsWith(QLatin1Char('#')))
        digits.chop(1);
    if (p.status == QLatin1String("valid") && !digits.isEmpty()) {
        m_pinAwaiting = pinTry;
        out.append(CallAction::pinTried(pinTry, p.status, digits));
        return;
    }
    out.append(CallAction::pinTried(
        pinTry, p.status.isEmpty() ? QStringLiteral("unspecified") : p.status.left(32), QString()));
    failPinTry();
}

void CallStateMachine::failPinTry()
{
    ++m_pinFailures;
    if (m_pinFailures >= m_config.pinMaxTries)
        m_decision = collectingCode() ? Decider::callInFailed(*m_decision)
                                      : Decider::pinRejected(*m_decision, false);
}

bool CallStateMachine::collectingDigits() const
{
    return m_decision && (m_decision->action == Decision::AnswerAndChallenge ||
                          m_decision->action == Decision::AnswerAndCollectCode);
}

bool CallStateMachine::collectingCode() const
{
    return m_decision && m_decision->action == Decision::AnswerAndCollectCode;
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

QString CallStateMachine::pinResultName(PinResult result)
{
    switch (result) {
    case PinResult::Right:
        return QStringLiteral("right");
    case PinResult::Wrong:
        return QStringLiteral("wrong");
    case PinResult::Locked:
        return QStringLiteral("locked");
    case PinResult::Unverifiable:
        return QStringLiteral("unverifiable");
    }
    return QString();
}

std::optional<CallStateMachine::PinResult> CallStateMachine::pinResultFromName(const QString &name)
{
    for (const PinResult r :
         {PinResult::Right, PinResult::Wrong, PinResult::Locked, PinResult::Unverifiable}) {
        if (pinResultName(r) == name)
            return r;
    }
    return std::nullopt;
}

CallActions CallStateMachine::onPinResult(int pinTry, PinResult result)
{
    if (m_ended || pinTry <= 0 || pinTry != m_pinAwaiting || !collectingDigits())
        return CallActions();
    m_pinAwaiting = 0;
    const bool code = collectingCode();
    switch (result) {
    case PinResult::Right:
        m_decision = code ? Decider::callInProven(*m_decision) : Decider::pinAccepted(*m_decision);
        break;
    case PinResult::Locked:
        ++m_pinFailures;
        m_decision =
            code ? Decider::callInFailed(*m_decision) : Decider::pinRejected(*m_decision, true);
        break;
    case PinResult::Wrong:
    case PinResult::Unverifiable:
        failPinTry();
        break;
    }
    return pump();
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

CallActions CallStateMachine::onScreenSilence()
{
    if (!silenceTimerWanted() || !m_silenceTimerStarted)
        return CallActions();
    m_silenceElapsed = true;
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

QJsonObject CallStateMachine::toJson() const
{
    QJsonObject o;
    o.insert(QStringLiteral("version"), 1);
    o.insert(QStringLiteral("config"), m_config.toJson());
    o.insert(QStringLiteral("state"), state());
    o.insert(QStringLiteral("session_id"), m_sessionId);
    o.insert(QStringLiteral("leg_a"), m_legA);
    o.insert(QStringLiteral("leg_b"), m_legB);
    o.insert(QStringLiteral("caller_from"), m_callerFrom);
    o.insert(QStringLiteral("decision"),
             m_decision ? QJsonValue(m_decision->toJson()) : QJsonValue(QJsonValue::Null));
    o.insert(QStringLiteral("ask_timer_started"), m_askTimerStarted);
    o.insert(QStringLiteral("ask_resolved"), m_askResolved);
    o.insert(QStringLiteral("answered"), m_answered);
    o.insert(QStringLiteral("bridged"), m_bridged);
    o.insert(QStringLiteral("leg_b_answered"), m_legBAnswered);
    o.insert(QStringLiteral("leg_b_ended"), m_legBEnded);
    o.insert(QStringLiteral("transfer_failed"), m_transferFailed);
    o.insert(QStringLiteral("speak_ended"), m_speakEnded);
    o.insert(QStringLiteral("speak_failed"), m_speakFailed);
    o.insert(QStringLiteral("voicemail"), m_voicemail);
    o.insert(QStringLiteral("recording_saved"), m_recordingSaved);
    o.insert(QStringLiteral("record_failed"), m_recordFailed);
    o.insert(QStringLiteral("ending"), m_ending);
    o.insert(QStringLiteral("failed"), m_failed);
    o.insert(QStringLiteral("ended"), m_ended);
    o.insert(QStringLiteral("end_cause"), m_endCause);
    o.insert(QStringLiteral("pin_tries"), m_pinTries);
    o.insert(QStringLiteral("pin_failures"), m_pinFailures);
    o.insert(QStringLiteral("pin_awaiting"), m_pinAwaiting);
    if (m_screened) {
        QJsonObject screen{{QStringLiteral("speak_ended"), m_screenSpeakEnded},
                           {QStringLiteral("speaks_ended"), m_screenSpeaksEnded},
                           {QStringLiteral("silence_timer_started"), m_silenceTimerStarted},
                           {QStringLiteral("silence_elapsed"), m_silenceElapsed},
                           {QStringLiteral("ai_failed"), m_aiFailed},
                           {QStringLiteral("engine"), m_screenEngineUsed},
                           {QStringLiteral("transcript"), m_transcript.toJson()},
                           {QStringLiteral("deepfake_result"), m_deepfakeResult},
                           {QStringLiteral("deepfake_score"), m_deepfakeScore}};
        o.insert(QStringLiteral("screen"), screen);
    }
    o.insert(QStringLiteral("issued"), toArray(m_issued));
    o.insert(QStringLiteral("notes"), toArray(m_notes));
    return o;
}

std::optional<CallStateMachine> CallStateMachine::fromJson(const QJsonObject &json, QString *error)
{
    if (json.value(QLatin1String("version")).toInt() != 1) {
        if (error)
            *error = QStringLiteral("call state snapshot: unknown version");
        return std::nullopt;
    }
    CallStateMachine m(CallConfig::fromJson(json.value(QLatin1String("config")).toObject()));
    m.m_sessionId = json.value(QLatin1String("session_id")).toString();
    m.m_legA = json.value(QLatin1String("leg_a")).toString();
    m.m_legB = json.value(QLatin1String("leg_b")).toString();
    m.m_callerFrom = json.value(QLatin1String("caller_from")).toString();
    const QJsonValue d = json.value(QLatin1String("decision"));
    if (d.isObject()) {
        QString why;
        const auto decision = Decision::fromJson(d.toObject(), &why);
        if (!decision) {
            if (error)
                *error = QStringLiteral("call state snapshot: ") + why;
            return std::nullopt;
        }
        m.m_decision = decision;
    }
    auto flag = [&json](const char *key) { return json.value(QLatin1String(key)).toBool(); };
    m.m_askTimerStarted = flag("ask_timer_started");
    m.m_askResolved = flag("ask_resolved");
    m.m_answered = flag("answered");
    m.m_bridged = flag("bridged");
    m.m_legBAnswered = flag("leg_b_answered");
    m.m_legBEnded = flag("leg_b_ended");
    m.m_transferFailed = flag("transfer_failed");
    m.m_speakEnded = flag("speak_ended");
    m.m_speakFailed = flag("speak_failed");
    m.m_voicemail = flag("voicemail");
    m.m_recordingSaved = flag("recording_saved");
    m.m_recordFailed = flag("record_failed");
    m.m_ending = flag("ending");
    m.m_failed = flag("failed");
    m.m_ended = flag("ended");
    m.m_endCause = json.value(QLatin1String("end_cause")).toString();
    m.m_pinTries = json.value(QLatin1String("pin_tries")).toInt();
    m.m_pinFailures = json.value(QLatin1String("pin_failures")).toInt();
    m.m_pinAwaiting = json.value(QLatin1String("pin_awaiting")).toInt();
    if (json.value(QLatin1String("screen")).isObject()) {
        const QJsonObject screen = json.value(QLatin1String("screen")).toObject();
        m.m_screened = true;
        m.m_screenSpeakEnded = screen.value(QLatin1String("speak_ended")).toBool();
        m.m_screenSpeaksEnded = screen.value(QLatin1String("speaks_ended")).toInt();
        m.m_silenceTimerStarted = screen.value(QLatin1String("silence_timer_started")).toBool();
        m.m_silenceElapsed = screen.value(QLatin1String("silence_elapsed")).toBool();
        m.m_aiFailed = screen.value(QLatin1String("ai_failed")).toBool();
        m.m_screenEngineUsed = screen.value(QLatin1String("engine")).toString();
        m.m_transcript =
            ScreenTranscript::fromJson(screen.value(QLatin1String("transcript")).toObject());
        m.m_deepfakeResult = screen.value(QLatin1String("deepfake_result")).toString();
        m.m_deepfakeScore = screen.value(QLatin1String("deepfake_score")).toDouble(-1);
    }
    m.m_issued = fromArray(json.value(QLatin1String("issued")));
    m.m_notes = fromArray(json.value(QLatin1String("notes")));
    m.updateState();
    return m;
}

} // namespace kt
