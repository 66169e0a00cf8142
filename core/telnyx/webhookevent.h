// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

namespace kt {

// The fields of a Call Control event payload (docs/telnyx-api.md §1.2). Every field is optional and
// nullable on the wire: absent, null or mistyped values read as empty here; unknown keys are
// kept only in the raw payload.
struct CallPayload
{
    QString callControlId;
    QString callLegId;
    QString callSessionId;
    QString connectionId;
    QString clientState; // as sent: empty when null or ""
    QString direction;   // incoming | outgoing
    QString from;
    QString to;
    QString callerIdName;
    QString state;
    QString startTime;
    QString endTime;
    QString hangupCause;
    QString hangupSource;
    QString sipHangupCause;
    QString speakId;
    QString status;
    QString digit;
    QString digits;
    QString result;
    QString shakenStirAttestation;
    std::optional<bool> shakenStirValidated;
    QString callScreeningResult;
    QString callingPartyType; // calling_party_type: "pstn", "sip", ...
    QStringList tags;
    // call.transcription (docs/telnyx-conversation.md §2): transcription_data.transcript and
    // is_final (absent = final).
    QString transcript;
    bool transcriptFinal = true;
    // call.deepfake_detection.result (§6): `result` above, and score 0..1 (-1 when absent).
    double score = -1;
    // call.ai_gather.* (§3): `result` (ended) or `partial_results` as an object, and the
    // caller's (role "user") turns of message_history, in order. Caller-controlled text.
    QJsonObject resultObject;
    QStringList userMessages;

    static CallPayload fromJson(const QJsonObject &payload);
    // client_state decoded from base64; empty when absent or not base64.
    QByteArray decodedClientState() const;
};

// One webhook delivery: the envelope `{"data":{...},"meta":{...}}` (docs/telnyx-api.md §1.1).
struct WebhookEvent
{
    QString eventType;
    QString id;
    QString occurredAtText;
    QDateTime occurredAt; // invalid when absent or unparseable
    QString recordType;
    int attempt = 0;
    QString deliveredTo;
    QJsonObject payloadJson;
    CallPayload payload;

    // Parses a raw body. Fails (with a short reason) only when the body is not a JSON object
    // whose `data` holds non-empty string `event_type` and `id`; everything else is optional.
    static std::optional<WebhookEvent> parse(const QByteArray &body, QString *error = nullptr);

    bool isCallEvent() const { return eventType.startsWith(QLatin1String("call.")); }
};

} // namespace kt
