// SPDX-License-Identifier: GPL-3.0-or-later
#include "callconfig.h"

namespace kt {

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

} // namespace kt
