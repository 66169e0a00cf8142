// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "callaction.h"
#include "callconfig.h"
#include "decision.h"
#include "screentranscript.h"
#include "telnyx/webhookevent.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

namespace kt {

// The life of one inbound call (keyed by the engine on call_session_id), as a pure state machine:
// inputs are method calls, outputs are CallActions for the engine to execute. No I/O, no timers,
// no clock, no randomness: the same inputs in the same order give the same state and actions.
//
// Flow (README "What a call gets", docs/telnyx-api.md §4.3, §7.12):
//   call.initiated (incoming)  -> ringing; leg A remembered. The engine then calls onDecision().
//   RejectCall                 -> reject {cause: CALL_REJECTED}                       (rejecting)
//   AnswerAndSpeakRejection    -> answer (answering); on call.answered(A) speak the rejection
//                                 message (rejecting); on call.speak.ended(A) hangup (ending)
//   AnswerAndForward           -> answer (answering); on call.answered(A) transfer {to: forwardTo,
//                                 from_display_name, timeout_secs} (forwarding); call.bridged
//                                 (either leg) -> forwarded. Leg B hung up before any bridge/answer
//                                 of B (timeout, busy, ...) or the transfer command failed ->
//                                 fallback: speak the unavailable message on A (fallback), on
//                                 call.speak.ended hangup A (step hangup_after_fallback, ending).
//                                 No forwardTo configured: the same fallback right after answer
//                                 (note "no_forward_to").
//   Ring                       -> StartAskTimer{askTimeoutSecs} (asking). onOwnerDecision() or
//                                 onAskTimeout() -- whichever comes first, once -- turns the
//                                 decision into Decider::ownerDecided()/askTimedOut() and proceeds
//                                 as above; an owner decision also emits CancelAskTimer.
//   AnswerAndChallenge         -> answer (answering); on call.answered(A) gather_using_speak
//                                 (step gather_pin_N, challenging) for 4-8 digits ending in #,
//                                 client_state base64("pin:N") to tie the result to the try.
//                                 call.gather.ended(A) of the current try: status valid ->
//                                 CallAction PinTry{N, valid, digits}; the engine verifies them
//                                 and calls onPinResult(N, ...). Any other status (invalid,
//                                 timeout, cancelled) -> the try failed, PinTry{N, status};
//                                 call_hangup -> nothing (call.hangup follows). Right -> the
//                                 decision becomes Decider::pinAccepted() (transfer); wrong or
//                                 failed -> the next try (gather_pin_N+1 with the retry prompt)
//                                 until pinMaxTries, then Decider::pinRejected() (speak the
//                                 rejection, hangup); locked -> pinRejected(locked).
//                                 A gather.ended of another try, or of a try already settled, is
//                                 ignored (note "stale_gather").
//   AnswerAndCollectCode       -> the same as AnswerAndChallenge, for a self-registration's
//                                 6-digit call-in code: steps gather_code_N, client_state
//                                 base64("code:N"), the same PinTry / onPinResult(). Right ->
//                                 Decider::callInProven(), out of tries -> callInFailed(); both
//                                 speak (step speak_registration) the call-in confirmation or
//                                 failure, then hangup.
//   AnswerAndVoicemail         -> answer (answering); on call.answered(A) speak the voicemail
//                                 greeting (step speak_greeting, voicemail); on call.speak.ended
//                                 (or the speak failing) record_start {format wav, channels
//                                 single, play_beep, max_length, transcription} (step
//                                 record_start); call.recording.saved of leg A while the call is
//                                 up (max_length reached) or record_start failing -> hangup
//                                 (step hangup_after_voicemail, ending). The caller hanging up
//                                 ends the recording (call.hangup). The same path replaces the
//                                 unavailable message of AnswerAndForward's fallback when
//                                 voicemailOnNoAnswer is set (the decision is kept).
//   AnswerAndScreen            -> StartAskTimer{screenTimeoutSecs} (screening, an ask that is
//                                 answered); answer {deepfake_detection} (step answer); on
//                                 call.answered(A): engine google/deepgram -> transcription_start
//                                 (inbound, interim results) and speak the screen greeting (the
//                                 first speak.ended events are the screen's); its speak.ended with
//                                 no words heard -> StartSilenceTimer{screenSilenceSecs};
//                                 onScreenSilence() with still no words -> speak the re-prompt
//                                 once. Engine ai -> gather_using_ai (greeting, caller_name and
//                                 reason); if it fails, the transcription path. call.transcription
//                                 (A) adds words to transcript() (interim replaced by the final of
//                                 the same utterance; duplicates and stale interims ignored,
//                                 words after the ask is resolved ignored: note
//                                 "late_transcription"); call.ai_gather.* adds the caller's
//                                 turns and fields; call.deepfake_detection.result is kept as a
//                                 hint. onOwnerDecision()/onOwnerVoicemail()/onAskTimeout() resolve
//                                 it as for Ring (the timeout with screenFallback); then
//                                 transcription_stop (or gather_stop) and the decision's path on
//                                 the answered call: transfer, the rejection spoken then hangup,
//                                 or voicemail.
//   call.hangup(A), any time   -> ended, endCause = hangup_cause ("unspecified" when empty);
//                                 CancelAskTimer when the ask was pending. After ended, no input
//                                 emits anything.
//   Leg B hangs up after bridge/answer: Telnyx hangs up A too; ending, wait for call.hangup(A).
//
// from_display_name: the decision's namespace, else the caller's E.164 number, else
// defaultDisplayName; at most 128 characters.
//
// Robustness:
//  - Every command step is emitted at most once per call (the issued steps are kept), so duplicate
//    webhooks emit nothing new. Commands follow from the accumulated facts (answered, bridged, leg
//    B ended, speak ended), not from the last event, so reordered webhooks converge.
//  - Leg A is the first call.initiated that is not direction "outgoing" (or the first event at all
//    when call.initiated comes late); any other call_control_id of the session after the transfer
//    was issued is leg B; other legs are ignored (note "unexpected_leg").
//  - call.answered(A) before the decision: the answer step is skipped; RejectCall on an answered
//    call takes the speak-rejection path instead (a reject needs an unanswered call).
//  - call.speak.ended with status call_hangup: no hangup (the caller is gone); ending.
//  - onCommandResult(step, ok, callEnded):
//      callEnded (e.g. 422 90018)     -> ending: no more commands, wait for call.hangup(A);
//      answer failed                  -> reject once (if never answered), then failed;
//      transfer failed                -> fallback (speak unavailable, hangup);
//      speak failed                   -> the following hangup at once (no speak.ended will come);
//      reject / hangup failed         -> failed (no more commands).
//    The engine reports a failure only after its own retries (same command_id).
//  - The first onDecision() counts; later ones are ignored.
//
// States: ringing, asking, answering, challenging, forwarding, forwarded, rejecting, fallback,
// voicemail, screening, ending, ended, failed.
//
// The class is spread over files by concern: callstatemachine.cpp (the call flow),
// callstatemachinescreen.cpp (listening to a screened caller), callstatemachinepin.cpp (the PIN
// and call-in code challenge) and callstatemachinesnapshot.cpp (toJson/fromJson).
class CallStateMachine
{
public:
    enum class State {
        Ringing,
        Asking,
        Answering,
        Challenging,
        Forwarding,
        Forwarded,
        Rejecting,
        Fallback,
        Voicemail,
        Screening,
        Ending,
        Ended,
        Failed
    };

    explicit CallStateMachine(CallConfig config = CallConfig());

    CallActions onWebhook(const QString &eventType, const CallPayload &payload);
    CallActions onDecision(const Decision &decision);
    CallActions onOwnerDecision(bool accept); // ignored unless an ask is pending
    CallActions onOwnerVoicemail();           // likewise: the owner sends the caller to voicemail
    CallActions onAskTimeout();               // ignored unless an ask is pending
    // The silence timer of a screened call expired (ignored unless it is screening and the
    // caller has said nothing): the re-prompt.
    CallActions onScreenSilence();
    CallActions onCommandResult(const QString &step, bool ok, bool callEnded);
    // The engine's verdict on the digits of PinTry `pinTry` (ignored unless that try is waiting
    // for one). Unverifiable: the digits are lost (a restart after the webhook was stored but
    // before its verdict was); the try counts as failed.
    enum class PinResult { Right, Wrong, Locked, Unverifiable };
    CallActions onPinResult(int pinTry, PinResult result);
    static QString pinResultName(PinResult result);
    static std::optional<PinResult> pinResultFromName(const QString &name);
    // The try whose digits wait for onPinResult(), 0 when none.
    int pinAwaiting() const { return m_pinAwaiting; }
    int pinTries() const { return m_pinTries; }       // gathers issued
    int pinFailures() const { return m_pinFailures; } // tries that failed

    State stateCode() const { return m_state; }
    QString state() const { return stateName(m_state); }
    static QString stateName(State state);
    bool ended() const { return m_state == State::Ended; }
    // True once no command will ever be emitted again (ended, ending or failed).
    bool finished() const;
    QString endCause() const { return m_endCause; }
    // The current decision: the engine's, or the owner's / the timeout's after an ask.
    std::optional<Decision> decision() const { return m_decision; }
    // An ask (Ring) or a screen (AnswerAndScreen) waits for the owner.
    bool askPending() const;
    // A screen waits for the owner (the caller is being heard).
    bool screening() const;
    // The seconds of the owner's timer for the pending ask or screen.
    int askTimerSecs() const;
    // A screened call: what the caller said, the engine that heard it ("google", "deepgram",
    // "ai"; empty before listening started), and Telnyx's deepfake verdict ("real", "fake",
    // "silence_timeout"; empty when none) with its score (0..1, -1 when none).
    const ScreenTranscript &transcript() const { return m_transcript; }
    bool screened() const { return m_screened; } // the call was screened (resolved or not)
    QString screenEngineUsed() const { return m_screenEngineUsed; }
    QString deepfakeResult() const { return m_deepfakeResult; }
    double deepfakeScore() const { return m_deepfakeScore; }
    // The screen's greeting ended (or could not play) and the caller has said nothing: the
    // silence timer should run (a restart starts it again).
    bool silenceTimerWanted() const;
    QString sessionId() const { return m_sessionId; }
    QString legA() const { return m_legA; }
    QString legB() const { return m_legB; }
    const CallConfig &config() const { return m_config; }
    QStringList issuedSteps() const { return m_issued; } // in the order they were emitted
    // Things worth showing: no_forward_to, transfer_failed, leg_b:<hangup_cause>,
    // command_failed:<step>, call_ended:<step>, unexpected_leg, decision_ignored.
    QStringList notes() const { return m_notes; }

    // The whole state, issued steps and config included. fromJson(toJson()) continues exactly as
    // the original would.
    QJsonObject toJson() const;
    static std::optional<CallStateMachine> fromJson(const QJsonObject &json,
                                                    QString *error = nullptr);

    bool operator==(const CallStateMachine &o) const { return toJson() == o.toJson(); }
    bool operator!=(const CallStateMachine &o) const { return !(*this == o); }

private:
    CallActions pump();
    void issue(CallActions &out, const QString &step, const QString &name,
               const QJsonObject &params);
    bool issued(const QString &step) const { return m_issued.contains(step); }
    void speakOrHangup(CallActions &out, const QString &speakStep, const QString &message,
                       const QString &hangupStep);
    void takeMessage(CallActions &out); // greeting, record_start, hangup at max_length
    void listen(CallActions &out);      // the screen: transcription or AI gather, greeting
    void stopListening(CallActions &out);
    void askForDigits(CallActions &out); // the next PIN or call-in code try, when one is due
    void onScreenWebhook(const QString &eventType, const CallPayload &payload);
    QJsonObject screenSpeak(const QString &message) const;
    int screenSpeaksIssued() const; // the greeting and the re-prompt, as issued
    void resolveAsk(CallActions &out, const Decision &decision);
    void failPinTry(); // counts a failed try; the last one rejects the call
    // The decision asks for digits: a PIN (AnswerAndChallenge) or a call-in code.
    bool collectingDigits() const;
    bool collectingCode() const;
    // What AnswerAndSpeakRejection speaks, and in which step, for the current decision.
    QString closingMessage() const;
    QString closingSpeakStep() const;
    void onGatherEnded(CallActions &out, const CallPayload &payload);
    void updateState();
    void note(const QString &text);
    QString displayName() const;
    QString commandIdFor(const QString &step) const;

    CallConfig m_config;
    State m_state = State::Ringing;
    QString m_sessionId;
    QString m_legA;
    QString m_legB;
    QString m_callerFrom; // leg A's `from`, as sent
    std::optional<Decision> m_decision;
    bool m_askTimerStarted = false;
    bool m_askResolved = false;
    bool m_answered = false;     // call.answered(A)
    bool m_bridged = false;      // call.bridged (either leg)
    bool m_legBAnswered = false; // call.answered(B)
    bool m_legBEnded = false;    // call.hangup(B)
    bool m_transferFailed = false;
    bool m_speakEnded = false;
    bool m_speakFailed = false;
    bool m_voicemail = false;      // the message path is under way (greeting, recording)
    bool m_recordingSaved = false; // call.recording.saved(A) while the call was up
    bool m_recordFailed = false;   // record_start failed
    bool m_ending = false;         // no more commands: the call is going away
    bool m_failed = false;
    bool m_ended = false;  // call.hangup(A)
    int m_pinTries = 0;    // gather_pin_N issued
    int m_pinFailures = 0; // tries settled as failed
    int m_pinAwaiting = 0; // the try whose digits wait for onPinResult()
    // Screening.
    bool m_screened = false;         // the decision was AnswerAndScreen (kept once resolved)
    bool m_screenSpeakEnded = false; // the greeting (or the AI gather's) ended or failed
    int m_screenSpeaksEnded = 0;     // speak.ended events counted as the screen's
    bool m_silenceTimerStarted = false;
    bool m_silenceElapsed = false;
    bool m_aiFailed = false; // gather_using_ai failed: the transcription path instead
    QString m_screenEngineUsed;
    ScreenTranscript m_transcript;
    QString m_deepfakeResult;
    double m_deepfakeScore = -1;
    QString m_endCause;
    QStringList m_issued;
    QStringList m_notes;
};

} // namespace kt
