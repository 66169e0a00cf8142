// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QString>

namespace kt {

// Per-call settings, fixed when the call starts (and kept in the snapshot).
struct CallConfig
{
    QString forwardTo; // the owner's phone, E.164; empty = nowhere to forward (see below)
    QString rejectionMessage =
        QStringLiteral("This number only accepts calls from verified namespace holders. "
                       "Visit kevan dot x to register.");
    QString unavailableMessage =
        QStringLiteral("The person you are calling is not available. Please try again later.");
    QString voice = QStringLiteral("female");
    QString language = QStringLiteral("en-US");
    int transferTimeoutSecs = 30; // transfer timeout_secs (Telnyx: 5..600)
    int askTimeoutSecs = 20;      // StartAskTimer secs
    // What an unanswered ask (and an owner's reject) falls back to: "reject" -> reject the call,
    // anything else -> answer and speak the rejection (Decider::rejectionAction).
    QString askFallbackPolicy = QStringLiteral("reject_with_message");
    // transfer from_display_name when the decision has no namespace and the caller ID is not a
    // valid number.
    QString defaultDisplayName = QStringLiteral("kevan-tel");
    // The PIN challenge (gather_using_speak): what the caller hears first and after a wrong PIN,
    // how many tries a call gets, and how long Telnyx waits for the digits.
    QString pinPrompt = QStringLiteral("Please enter your PIN followed by the pound key.");
    QString pinRetryPrompt =
        QStringLiteral("That was not right. Please enter your PIN followed by the pound key.");
    int pinMaxTries = 3;
    int pinTimeoutSecs = 20;   // timeout_millis: the whole entry
    int pinInterDigitSecs = 5; // inter_digit_timeout_millis
    // Self-registration's call-in (Decision::AnswerAndCollectCode): the 6-digit code is asked
    // for the same way (the same tries and timeouts), then the confirmation or the failure is
    // spoken instead of the rejection message.
    QString callInPrompt =
        QStringLiteral("Please enter the six digit code shown on the registration page.");
    QString callInRetryPrompt =
        QStringLiteral("That code was not right. Please enter the six digit code again.");
    QString callInConfirmedMessage =
        QStringLiteral("Thank you. Your phone is confirmed. The owner will review your "
                       "registration. Goodbye.");
    QString callInFailedMessage =
        QStringLiteral("Sorry, that code was not right. Please start again on the "
                       "registration page. Goodbye.");
    // Voicemail: what the caller hears before the beep, the longest message (record_start
    // max_length, seconds), Telnyx's post-call transcription, and whether a transfer the owner
    // does not answer (or no forward-to number, or a failed transfer) takes a message instead of
    // speaking the unavailable message.
    QString voicemailGreeting =
        QStringLiteral("The person you are calling cannot take your call. Please leave a "
                       "message after the tone.");
    int voicemailMaxLengthSecs = 120;
    bool voicemailTranscription = true;
    bool voicemailOnNoAnswer = false;
    // Screening (Decision::AnswerAndScreen, README "Screening a caller"): what the caller hears
    // after the answer, and once more when they say nothing for screenSilenceSecs after it;
    // how the caller is heard ("google" or "deepgram": transcription_start with interim
    // results; "ai": gather_using_ai for caller_name and reason); how long the owner has
    // (from the decision) and what an undecided screen becomes ("reject_with_message",
    // "reject" -- spoken too, the call is answered -- or "voicemail"); deepfake detection on
    // the answer.
    QString screenGreeting =
        QStringLiteral("Hi, you've reached kevan.tel.x. This call is being screened. Please "
                       "say your name and why you're calling.");
    QString screenReprompt = QStringLiteral("Sorry, I did not hear you. Please say your name "
                                            "and why you're calling.");
    QString screenEngine = QStringLiteral("google");
    int screenTimeoutSecs = 45;
    int screenSilenceSecs = 6;
    QString screenFallback = QStringLiteral("reject_with_message");
    bool screenDeepfake = true;

    QJsonObject toJson() const;
    static CallConfig fromJson(const QJsonObject &json); // missing keys keep the defaults
    bool operator==(const CallConfig &o) const { return toJson() == o.toJson(); }
};

} // namespace kt
