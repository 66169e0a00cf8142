// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/config.h"
#include "screening/callstatemachine.h"
#include "server/webhookhandler.h"
#include "store/callrecord.h"
#include "store/storedevent.h"
#include "telnyx/commandresult.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QTimer>

#include <memory>

namespace kt {

class CallControlThread;
class EventStore;
class LogNotifier;
class RegistrationApi;
class RegistrationService;
struct PendingRegistration;
class RecordingFetcher;
class VoicemailRepository;
class ScreeningRepository;
class WebhookServer;
struct Decision;
struct WebhookEvent;
class ScreenTranscript;

// The engine: the webhook server, the event store's single writer, the screening decisions,
// one call state machine per call and the Telnyx client, all in the one thread that constructs
// it (README "How it runs"). Webhooks are stored before they are answered; decisions and commands
// happen after the answer (process()). Every decision, command and outcome is an event in the
// log, and calls in flight are rebuilt from the log when the engine starts.
class Engine : public QObject, public WebhookHandler
{
    Q_OBJECT
public:
    explicit Engine(const Config &config, QObject *parent = nullptr);
    ~Engine() override;

    // How long a write waits for another process's write lock (an administration command)
    // before it fails: a webhook is answered, 503 if need be, well within the 2 s Telnyx is
    // best answered in. Administration commands wait longer (EventStore's default).
    static constexpr int StoreBusyTimeoutMs = 1000;
    // While a call asks, how often the log is read for `calls decide` requests from other
    // processes: SQLite cannot announce them; on PostgreSQL the notification (LogNotifier) brings
    // them at once and the slow read only makes up for a broken connection.
    static constexpr int DecisionPollMs = 250;
    static constexpr int DecisionFallbackPollMs = 15000;

    // Opens the store, seeds the default number map on first run, recovers calls in flight and
    // starts listening. False with one clear line in `error` on failure.
    bool start(QString *error);
    void stop();

    QString url() const; // http://ADDR:PORT, the webhook port
    quint16 port() const;
    QString adminUrl() const; // http://127.0.0.1:PORT: /metrics and the detailed /health
    quint16 adminPort() const;
    const Config &config() const { return m_config; }
    EventStore &eventStore() { return *m_store; }
    ScreeningRepository &repository() { return *m_repository; }
    // Voicemail: the messages (voicemail_messages) and their downloads, on the engine's store.
    VoicemailRepository &voicemail() { return *m_voicemail; }
    RecordingFetcher &recordingFetcher() { return *m_fetcher; }
    WebhookServer &server() { return *m_server; }
    // Self-registration (README "Self-registration"), on the engine's store: pending
    // registrations, the owner's approve / deny (which write the caller registry). Exists once
    // started, whether or not `self-registration` is on (which serves the page and takes the
    // call-ins).
    RegistrationService *registrationService() { return m_registration.get(); }
    int activeCallCount() const;
    // This engine's instance id (README "Two instances on one database"): recorded in the
    // events it appends when the store is shared (PostgreSQL); empty before start().
    QString instanceId() const { return m_instanceId; }
    // Whether other instances may share the store (PostgreSQL): the engine then brings each
    // call up to date from the log before a step, leases its commands and takes over those of
    // instances that died.
    bool sharesStore() const { return m_shared; }
    // When the last verified webhook was stored (UTC; null before the first one).
    QDateTime lastWebhookAt() const { return m_lastWebhookAt; }

    // WebhookHandler
    StoreOutcome store(const WebhookEvent &event, const QByteArray &rawBody) override;
    void process(const WebhookEvent &event) override;
    Health health() override;
    // Group commit: the webhooks of one turn of the event loop and their processing are one
    // transaction (one fsync under synchronous=FULL, however many webhooks). If its commit
    // fails, the calls it touched are put back as they were before it.
    bool groupsStores() const override { return true; }
    bool beginStores(QString *error) override;
    bool endStores(QString *error) override;
    void processStored(const QList<WebhookEvent> &events) override;

    // The app's event type for a decision: "tel.call_rejected", "tel.call_authenticated", ...
    static QString decisionEventType(const QString &decisionName);
    // The rejection message with `{register_url}` replaced by the registration page's public
    // address without its scheme (PUBLIC-URL/register, e.g. "abc.example.com/register", which
    // a voice reads out well), or by nothing when self-registration is off or no public URL is
    // known (the spaces around it collapsed).
    static QString rejectionMessageFor(const Config &config);

    // What the owner can do with a call that rings for them.
    enum class OwnerChoice { Accept, Reject, Voicemail };
    static QString ownerChoiceName(OwnerChoice choice); // "accept", "reject", "voicemail"

public slots:
    // The owner decided on a call under the `ask` policy (the dashboard, or a `calls decide`
    // event appended by the CLI). Returns false (with `error`) when the call is not asking.
    bool decide(const QString &callId, bool accept, const QString &actor = QStringLiteral("owner"),
                QString *error = nullptr);
    bool decide(const QString &callId, kt::Engine::OwnerChoice choice,
                const QString &actor = QStringLiteral("owner"), QString *error = nullptr);
    // Pause screening (dry run): decisions are still computed and recorded, but every call is
    // forwarded. Applies to calls decided from now on.
    void setDryRun(bool on);
    // The webhook port's public address changed (the desktop's tunnel went live): calls decided
    // from now on use it for `{register_url}`.
    void setPublicUrl(const QString &url);

signals:
    void callChanged(const kt::CallRecord &call);
    // Telnyx commands are failing (true) or work again (false); the message says why.
    void telnyxHealthChanged(bool failing, const QString &message);
    // A verified webhook was stored (not a duplicate) at `at` (UTC): Telnyx reaches us.
    void webhookReceived(const QDateTime &at);
    // Too many wrong PINs: the registration of `phone` (E.164) to `nameSpace` takes no PIN
    // until `until` (UTC); tel.pin_locked records it.
    void pinLocked(const QString &phone, const QString &nameSpace, const QDateTime &until);
    // A caller keyed in the right call-in code: self-registration `id` of `phone` to
    // `nameSpace` now waits for the owner (approved false), or was approved at once
    // (registration-approval automatic).
    void registrationProven(const QString &id, const QString &nameSpace, const QString &phone,
                            bool approved);

private:
    struct ActiveCall
    {
        QString callId;
        std::unique_ptr<CallStateMachine> machine;
        std::unique_ptr<QTimer> askTimer;
        std::unique_ptr<QTimer> silenceTimer; // a screened caller's silence (re-prompt)
        QElapsedTimer sinceInitiated;
        bool latencyRecorded = false;
        QString lastState;
        // The newest of the call's events appended by another instance (or none) that the
        // machine has seen (shared store only).
        qint64 foreignSeq = 0;
    };
    // A call as it was before the group under way touched it (see endStores()).
    struct CallSnapshot
    {
        bool existed = false;
        std::optional<CallStateMachine> machine;
        QString lastState;
        QElapsedTimer sinceInitiated;
        bool latencyRecorded = false;
        bool askActive = false;
        int askRemainingMs = 0;
    };
    void snapshotForGroup(const QString &callId);
    void restoreGroupSnapshots();
    struct InFlight
    {
        QString callId;
        QString step;
        QString name;
    };

    static QString callIdOf(const WebhookEvent &event);
    ActiveCall *activeCall(const QString &callId, bool create);
    CallConfig callConfig() const;
    void decideCall(ActiveCall &call, const WebhookEvent &event);
    void execute(ActiveCall &call, const CallActions &actions);
    void sendCommand(ActiveCall &call, const CallAction &action, bool resend);
    // What a step asks of Telnyx, handed to the client once the step is committed.
    struct Outgoing
    {
        enum Kind { Send, CancelForCall, FetchRecording } kind = Send;
        QString callId;
        CallAction action;      // Send
        QString callControlId;  // CancelForCall
        qint64 voicemailId = 0; // FetchRecording: its download starts once the message is stored
    };
    void dispatch(const Outgoing &out);
    void dispatchOutbox();
    void cancelForCall(const QString &callControlId);
    void processFinishedCommands();
    void onCommandFinished(const CommandResult &result);
    void onAskTimeout(const QString &callId);
    void onSilenceTimeout(const QString &callId);
    void startSilenceTimer(ActiveCall &call, int secs);
    // A screened call's words or deepfake hint changed with a webhook: tel.screen_words /
    // tel.screen_deepfake, and the calls row's flags.screen (README "Screening a caller").
    void recordScreenChange(ActiveCall &call, const ScreenTranscript &before,
                            const QString &deepfakeBefore);
    // A PIN gather ended (CallAction::PinTry): verify the digits (status "valid") and record
    // the try either way; never logs the digits.
    void handlePinTry(ActiveCall &call, const CallAction &action);
    // The same for a self-registration's call-in code (RegistrationService::completeCallIn).
    void handleCallInTry(ActiveCall &call, const CallAction &action);
    void setUpRegistration();
    void afterTransition(ActiveCall &call, const QString &eventType, const WebhookEvent *webhook);
    bool appendEngineEvent(ActiveCall *call, const QString &type, const QJsonObject &payload,
                           const QString &actor = QStringLiteral("engine"),
                           CallUpdate *update = nullptr);
    // call.recording.saved / .transcription.saved / .error: the message, its transcript or its
    // error in the voicemail table, in the webhook's transaction; the download starts after it.
    void handleRecordingEvent(const WebhookEvent &event);
    void applyVoicemailRetention();
    void recoverCalls();
    void replay(ActiveCall &call, const QList<StoredEvent> &events);
    // The call's machine fed its logged events again, without sending or recording anything
    // (enginedetail.h): what it asked for, which steps are settled.
    struct Replayed;
    Replayed rebuild(ActiveCall &call, const QList<StoredEvent> &events);

    // Several instances on one store (engineinstances.cpp).
    void startInstance();
    void stopInstance();
    // Brings the call's machine up to date when another instance appended to the call since
    // it last looked (inside a step, whose transaction holds the chain lock): its events
    // replayed on a fresh machine, but for the webhook being processed (`processingSeq`, 0:
    // none) and those stored and not yet processed.
    void syncCall(ActiveCall &call, qint64 processingSeq = 0);
    // Renews this instance's lease, then takes over the calls of instances whose lease expired.
    void onLeaseTimer();
    void takeOverExpired();
    void pollOwnerDecisions();
    void noteTelnyxResult(bool ok, const QString &message);
    void noteWebhookReceived(const QDateTime &at);

    // One processing step's events in one transaction, its calls announced after (enginestep.h).
    class Step;
    void announceChangedCalls();
    void noteWrite(bool ok, const QString &error = QString());

    Config m_config;
    std::unique_ptr<EventStore> m_store;
    std::unique_ptr<ScreeningRepository> m_repository;
    std::unique_ptr<WebhookServer> m_server;
    std::unique_ptr<RegistrationService> m_registration;
    std::unique_ptr<RegistrationApi> m_registrationApi;
    std::unique_ptr<CallControlThread> m_client;
    std::unique_ptr<VoicemailRepository> m_voicemail;
    std::unique_ptr<RecordingFetcher> m_fetcher;
    QTimer m_retentionTimer;
    QList<Outgoing> m_outbox; // of the step under way
    QHash<QString, std::shared_ptr<ActiveCall>> m_calls;
    QHash<quint64, InFlight> m_inFlight;
    QList<CommandResult> m_finishedCommands; // this turn's, for processFinishedCommands()
    QTimer m_decisionPoll;
    std::unique_ptr<LogNotifier> m_logNotifier; // PostgreSQL: other processes' appends
    qint64 m_lastPolledSeq = 0;
    bool m_telnyxFailing = false;
    // Why the last write to the store failed, until a write succeeds again, and since when (for
    // /health: a full disk passes the store's own probe, which writes nothing).
    QString m_writeError;
    QElapsedTimer m_writeErrorAge;
    QDateTime m_lastWebhookAt;
    bool m_shared = false; // the store may have other instances (PostgreSQL)
    QString m_instanceId;
    QDateTime m_instanceStartedAt;
    QTimer m_leaseTimer;
    QHash<QString, qint64> m_storedSeqs; // telnyx id -> seq of the webhooks stored, until processed
    int m_stepDepth = 0;
    bool m_inGroup = false; // between beginStores() and endStores()
    QHash<QString, CallSnapshot> m_groupSnapshots;
    QDateTime m_groupWebhookAt;   // the group's last stored webhook, noted once it is committed
    QStringList m_groupDecisions; // the group's decisions, counted in /metrics once committed
    QStringList m_changedCalls;   // by the step under way, for callChanged once it is committed
};

} // namespace kt
