// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The webhook event types and command step names the call state machine works with, shared by
// the files it is split into (the call flow, the screen, the digit challenge). Internal to
// core/screening: nothing outside the state machine includes this.

#include <QString>
#include <QUuid>

namespace kt::callsteps {

inline const QString EvInitiated = QStringLiteral("call.initiated");
inline const QString EvAnswered = QStringLiteral("call.answered");
inline const QString EvBridged = QStringLiteral("call.bridged");
inline const QString EvHangup = QStringLiteral("call.hangup");
inline const QString EvSpeakEnded = QStringLiteral("call.speak.ended");
inline const QString EvGatherEnded = QStringLiteral("call.gather.ended");
inline const QString EvRecordingSaved = QStringLiteral("call.recording.saved");
inline const QString EvTranscription = QStringLiteral("call.transcription");
inline const QString EvDeepfake = QStringLiteral("call.deepfake_detection.result");
inline const QString EvAiGather =
    QStringLiteral("call.ai_gather.");                              // .partial_results, .ended, ...
inline const QString StepGatherPin = QStringLiteral("gather_pin_"); // + the try, from 1
inline const QString StepGatherCode = QStringLiteral("gather_code_"); // + the try, from 1

inline const QString StepAnswer = QStringLiteral("answer");
inline const QString StepReject = QStringLiteral("reject");
inline const QString StepTransfer = QStringLiteral("transfer");
inline const QString StepSpeakRejection = QStringLiteral("speak_rejection");
inline const QString StepHangup = QStringLiteral("hangup");
inline const QString StepSpeakUnavailable = QStringLiteral("speak_unavailable");
inline const QString StepHangupAfterFallback = QStringLiteral("hangup_after_fallback");
inline const QString StepSpeakRegistration = QStringLiteral("speak_registration");
inline const QString StepSpeakGreeting = QStringLiteral("speak_greeting");
inline const QString StepRecordStart = QStringLiteral("record_start");
inline const QString StepHangupAfterVoicemail = QStringLiteral("hangup_after_voicemail");
inline const QString StepTranscriptionStart = QStringLiteral("transcription_start");
inline const QString StepTranscriptionStop = QStringLiteral("transcription_stop");
inline const QString StepSpeakScreenGreeting = QStringLiteral("speak_screen_greeting");
inline const QString StepSpeakScreenReprompt = QStringLiteral("speak_screen_reprompt");
inline const QString StepGatherAi = QStringLiteral("gather_ai");
inline const QString StepGatherStop = QStringLiteral("gather_stop");

// The namespace of the command_id UUIDv5s.
inline const QUuid CommandIdNamespace(QStringLiteral("{1b7f3ca5-f24b-461a-a004-0fd0177d70dc}"));

constexpr int MaxSpeakPayload = 3000; // docs/telnyx-api.md §4.3 speak
constexpr int MaxDisplayName = 128;   // docs/telnyx-api.md §4.3 transfer

} // namespace kt::callsteps
