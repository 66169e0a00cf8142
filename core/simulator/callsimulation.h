// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "simulatedcall.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>

#include <functional>
#include <map>
#include <memory>
#include <optional>

namespace kt {

struct TelnyxError;

// How the simulated network behaves; all times in milliseconds.
struct CallBehaviour
{
    int eventDelayMs = 10;                        // between a command (or a timer) and its webhooks
    int speakDurationMs = 200;                    // how long one speak (or gather prompt) plays
    bool transferAnswers = true;                  // whether a transfer's leg B answers
    int transferAnswerDelayMs = 300;              // ringing time of leg B before it answers
    int transferTimeoutMs = -1;                   // < 0: the command's timeout_secs (default 30 s)
    QString gatherDigits = QStringLiteral("123"); // what the caller presses on a gather
    QString rejectHangupSource = QStringLiteral("callee");
    int unknownCallStatus = 422;  // 422 (90015) or 404 (10005) for an unknown call_control_id
    int commandIdWindowSecs = 60; // command_id idempotency window
    int maxCalls = 1000;          // finished calls beyond this are forgotten, oldest first
    int maxLengthMs = -1;         // < 0: record_start's max_length (seconds)
};

// A recording that ended (the caller hung up, or max_length passed): what Telnyx then stores and
// reports with call.recording.saved.
struct FinishedRecording
{
    QString callControlId;
    QString callLegId;
    QString callSessionId;
    QString from;
    QString to;
    QString format;
    bool transcription = false;
    QString words; // what the caller said
    QDateTime startedAt;
    QDateTime endedAt;
};

// The HTTP answer to a command.
struct CommandOutcome
{
    int status = 200;
    QByteArray body;
};

// The calls of the Telnyx simulator and the Call Control command semantics (docs/telnyx-api.md
// §4.3, §7.5-9, §7.12-13): validation, state errors, command_id idempotency, client_state, and the
// webhook sequence each command causes. Webhooks come out of eventReady() in order, never for a leg
// after its call.hangup.
class CallSimulation : public QObject
{
    Q_OBJECT
public:
    explicit CallSimulation(QObject *parent = nullptr);
    ~CallSimulation() override;

    CallBehaviour &behaviour() { return m_behaviour; }
    const CallBehaviour &behaviour() const { return m_behaviour; }
    void setDefaultConnectionId(const QString &id) { m_connectionId = id; }

    // A new inbound call: sends call.initiated (incoming, parked). Returns its call_control_id.
    QString startInboundCall(const QString &from, const QString &to,
                             const InboundCallOptions &options = {});
    // The far end of the leg hangs up: the caller of an incoming leg (originator_cancel/487 before
    // answer, normal_clearing/200 after) or the callee of an outgoing leg. False if not active.
    bool remoteHangsUp(const QString &callControlId);

    // POST /calls/{id}/actions/{command}. `body` is the parsed JSON object.
    CommandOutcome handleCommand(const QString &callControlId, const QString &command,
                                 const QJsonObject &body);

    const SimulatedCall *call(const QString &callControlId) const;
    QStringList callIds() const { return m_order; }
    static QString stateName(SimulatedCall::State state);

    // A Telnyx-style call_control_id: "v3:" and base64url.
    static QString newCallControlId();

signals:
    void eventReady(const QString &eventType, const QJsonObject &payload,
                    const QString &occurredAt);
    void callStarted(const QString &callControlId);
    void callEnded(const QString &callControlId);
    // A recording ended; emitted after the leg's call.hangup when the caller hung up.
    void recordingFinished(const kt::FinishedRecording &recording);

private:
    using Handler = CommandOutcome (CallSimulation::*)(SimulatedCall &, const QJsonObject &);

    SimulatedCall *find(const QString &callControlId);
    SimulatedCall &addCall(std::unique_ptr<SimulatedCall> call);
    CommandOutcome accept(SimulatedCall &call, const QJsonObject &body, QJsonObject data = {});

    CommandOutcome answer(SimulatedCall &call, const QJsonObject &body);
    CommandOutcome reject(SimulatedCall &call, const QJsonObject &body);
    CommandOutcome hangup(SimulatedCall &call, const QJsonObject &body);
    CommandOutcome speak(SimulatedCall &call, const QJsonObject &body);
    CommandOutcome gatherUsingSpeak(SimulatedCall &call, const QJsonObject &body);
    CommandOutcome gather(SimulatedCall &call, const QJsonObject &body);
    CommandOutcome transfer(SimulatedCall &call, const QJsonObject &body);
    CommandOutcome bridge(SimulatedCall &call, const QJsonObject &body);
    CommandOutcome playbackStart(SimulatedCall &call, const QJsonObject &body);
    CommandOutcome recordStart(SimulatedCall &call, const QJsonObject &body);
    CommandOutcome clientStateUpdate(SimulatedCall &call, const QJsonObject &body);
    // Screening (callsimulationscreen.cpp).
    CommandOutcome transcriptionStart(SimulatedCall &call, const QJsonObject &body);
    CommandOutcome transcriptionStop(SimulatedCall &call, const QJsonObject &body);
    CommandOutcome gatherUsingAi(SimulatedCall &call, const QJsonObject &body);
    CommandOutcome gatherStop(SimulatedCall &call, const QJsonObject &body);
    // After the answer: deepfake_detection's verdict, when the answer asked for it.
    void detectDeepfake(SimulatedCall &call, const QJsonObject &answerBody);
    // The greeting ended: a caller with words starts saying them (transcription or AI gather).
    void callerHeardGreeting(SimulatedCall &call);

    void hangUp(SimulatedCall &call, const QString &cause, const QString &source,
                const QString &sipCause);
    void startMedia(SimulatedCall &call);
    void stopRecording(SimulatedCall &call);
    void finishMedia(const QString &callControlId, quint64 epoch);
    void answerTransfer(const QString &legB);
    void timeOutTransfer(const QString &legB);
    // Runs `work` after `ms` if the leg is still active (and `epoch` still matches, if given).
    void later(int ms, const QString &callControlId, std::function<void(SimulatedCall &)> work,
               std::optional<quint64> epoch = std::nullopt);

    QJsonObject basePayload(const SimulatedCall &call) const;
    void queueEvent(SimulatedCall &call, const QString &type, const QJsonObject &fields);
    void flushOne();

    struct OutEvent
    {
        QString type;
        QJsonObject payload;
        QString occurredAt;
    };

    CallBehaviour m_behaviour;
    QString m_connectionId = QStringLiteral("2811212257810187875");
    std::map<QString, std::unique_ptr<SimulatedCall>> m_calls;
    QStringList m_order;
    QList<OutEvent> m_outbox;
    static const std::map<QString, Handler> &handlers();
};

} // namespace kt
