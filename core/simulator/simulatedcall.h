// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace kt {

// What a simulated caller brings with an inbound call (docs/telnyx-api.md §1.2, §6, §7.12).
struct InboundCallOptions
{
    QString callerIdName;          // empty: the caller's number, as real Telnyx sends without CNAM
    QString shakenStirAttestation; // "A" / "B" / "C"; omitted from call.initiated when empty
    std::optional<bool> shakenStirValidated; // omitted when unset
    QString callScreeningResult;             // e.g. "spam_likely"; omitted when empty
    QStringList tags;
    QJsonArray customHeaders; // [{name, value}]
    QJsonArray sipHeaders;
    QString connectionId;         // empty: the simulated application's id
    int callerGivesUpAfterMs = 0; // > 0: the caller hangs up if still unanswered by then
    QString callingPartyType = QStringLiteral("pstn"); // omitted from call.initiated when empty
    // What the caller presses on each gather, in order ("2468#": four digits and the pound key;
    // "" lets it time out). Gathers past the end use CallBehaviour::gatherDigits.
    QStringList gatherScript;
    // Voicemail: after record_start the caller speaks for this long, then hangs up (<= 0: never;
    // the recording stops at max_length), and Telnyx's transcript of what they said (empty: a
    // fixed sentence).
    int voicemailSpeaksMs = 1500;
    QString voicemailWords;
    // Screening (docs/telnyx-conversation.md §2, §3, §6): what the caller says once greeted
    // (sentences; empty: silent), each heard as interim results a word at a time then a final
    // result when the transcription asks for interim results; for the AI gather, the name and
    // reason it extracts; and the deepfake verdict an answer with deepfake_detection brings
    // ("real", "fake"; a silent caller gets "silence_timeout").
    QStringList screenWords;
    int screenWordMs = 250;        // between two interim results
    int screenStartsAfterMs = 300; // after the greeting ends
    QString screenName;
    QString screenReason;
    QString deepfakeResult = QStringLiteral("real");
    double deepfakeScore = 0.08;
    int deepfakeAfterMs = 800; // after the answer
};

// One call leg held by the simulator.
struct SimulatedCall
{
    enum class State { Parked, Ringing, Answered, Bridged, HungUp };

    QString callControlId;
    QString callLegId;
    QString callSessionId;
    QString connectionId;
    QString direction; // incoming | outgoing
    QString from;
    QString to;
    QString callerIdName;
    std::optional<QString> clientState; // nullopt: "client_state": null
    State state = State::Parked;
    QString startTime; // formatted, = occurred_at of call.initiated
    bool everAnswered = false;
    QString bridgedWith; // the other leg while bridged
    bool parkAfterUnbridge = false;
    QString transferParent;     // for a transfer's leg B: leg A
    QString pendingTransferLeg; // for leg A: the ringing leg B
    InboundCallOptions options;
    QHash<QString, QDateTime> commandIds; // accepted command_id -> when

    // Queued media (speak, gather_using_speak): one plays at a time.
    struct Media
    {
        bool gather = false;
        QString speakId;
        // Gathers: the digit options of the command.
        int minimumDigits = 1;
        int maximumDigits = 128;
        QString terminatingDigit = QStringLiteral("#");
    };
    int gathersDone = 0; // gathers finished on this leg (the index into gatherScript)
    QList<Media> mediaQueue;
    bool mediaPlaying = false;
    // record_start under way: its format, whether Telnyx transcribes it, since when.
    struct Recording
    {
        bool active = false;
        QString format;
        bool transcription = false;
        QDateTime startedAt;
    };
    Recording recording;
    quint64 epoch = 0; // bumps when queued media is dropped, so stale timers do nothing
    // Screening: transcription_start (at most once per call), its interim results, the AI
    // gather under way, and whether the caller has begun to speak.
    bool transcriptionStarted = false;
    bool transcribing = false;
    bool interimResults = false;
    bool aiGathering = false;
    bool callerSpeaking = false;
    bool greetingHeard = false; // a speak (or the AI's greeting) ended: the caller may talk

    bool isActive() const { return state != State::HungUp; }
    bool isAnswered() const { return state == State::Answered || state == State::Bridged; }
};

} // namespace kt
