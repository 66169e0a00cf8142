// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>
#include <QtQml/qqmlregistration.h>

#include <functional>
#include <memory>

class QThread;

namespace kt {

class Engine;
struct ScreeningResult;

// The dashboard's actions, in the UI thread. The engine lives in its own thread (EngineHost):
// every action is sent there with a queued QMetaObject::invokeMethod, runs on the engine's own
// objects (Engine::decide, the engine's ScreeningRepository, so the store keeps one writer) and
// comes back as a queued actionFinished(requestId, action, ok, message), which the UI shows.
// Every action returns its request id at once.
//
// verifyChain() recomputes the whole hash chain on a worker thread with its own read-only
// connection, reporting verifyProgress and, at the end, verifyOk / verifyMessage.
//
// Lifetime: the engine must outlive the controller's use of it: stop the engine thread (or
// call detachEngine()) before the engine is destroyed. Replies that arrive after the controller
// is gone are dropped.
class EngineController : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("the app creates it")
    Q_PROPERTY(bool engineAttached READ engineAttached NOTIFY engineAttachedChanged)
    Q_PROPERTY(int pendingActions READ pendingActions NOTIFY pendingActionsChanged)
    Q_PROPERTY(bool dryRun READ dryRun NOTIFY dryRunChanged)
    Q_PROPERTY(bool telnyxFailing READ telnyxFailing NOTIFY healthChanged)
    Q_PROPERTY(QString healthMessage READ healthMessage NOTIFY healthChanged)
    Q_PROPERTY(bool verifying READ verifying NOTIFY verifyChanged)
    Q_PROPERTY(double verifyProgress READ verifyProgress NOTIFY verifyChanged)
    Q_PROPERTY(bool verifyDone READ verifyDone NOTIFY verifyChanged)
    Q_PROPERTY(bool verifyOk READ verifyOk NOTIFY verifyChanged)
    Q_PROPERTY(QString verifyMessage READ verifyMessage NOTIFY verifyChanged)
    Q_PROPERTY(bool watching READ watching CONSTANT)
public:
    // `engine` may be null (no engine: every action fails with a message).
    EngineController(Engine *engine, const QString &databasePath, bool dryRun = false,
                     QObject *parent = nullptr);
    ~EngineController() override;

    bool engineAttached() const { return m_engine != nullptr; }
    // Watch mode (README "Watching a server"): no engine here; accept(), reject() and
    // sendToVoicemail() append a request event (OwnerDecisionRequest) for the engine that
    // holds the call, and allowAlways() / block() also add their rule to the shared database,
    // on a connection of their own. Set before the QML loads.
    bool watching() const { return m_watching; }
    void setWatching(bool watching) { m_watching = watching; }
    int pendingActions() const { return m_pending; }
    bool dryRun() const { return m_dryRun; }
    bool telnyxFailing() const { return m_telnyxFailing; }
    QString healthMessage() const { return m_healthMessage; }
    bool verifying() const { return m_verifying; }
    double verifyProgress() const { return m_verifyProgress; }
    bool verifyDone() const { return m_verifyDone; }
    bool verifyOk() const { return m_verifyOk; }
    QString verifyMessage() const { return m_verifyMessage; }

    // A call under the `ask` policy: forward it / turn it away (Engine::decide).
    Q_INVOKABLE int accept(const QString &callId);
    Q_INVOKABLE int reject(const QString &callId);
    // The caller can leave a message instead (Engine::decide with OwnerChoice::Voicemail).
    Q_INVOKABLE int sendToVoicemail(const QString &callId);
    // An allow / block rule for the number (any written form); with a call id of a call that is
    // asking, that call is also accepted / rejected.
    Q_INVOKABLE int allowAlways(const QString &number, const QString &callId = QString());
    Q_INVOKABLE int block(const QString &number, const QString &callId = QString());
    // ScreeningRepository::addRule / removeRule.
    Q_INVOKABLE int addRule(const QString &kind, const QString &pattern, const QString &note,
                            const QString &until = QString(), bool singleUse = false);
    Q_INVOKABLE int removeRule(qint64 ruleId);
    // ScreeningRepository::registerPhone / unregister / setNumberPolicy.
    Q_INVOKABLE int registerPhone(const QString &phone, const QString &nameSpace);
    Q_INVOKABLE int unregisterPhone(const QString &phone);
    // A caller's self-registration (RegistrationService::approve / deny, as "owner"): approving
    // adds its certificate and registers the phone with the PIN the caller chose.
    Q_INVOKABLE int approveRegistration(const QString &id);
    Q_INVOKABLE int denyRegistration(const QString &id);
    Q_INVOKABLE int setNumberPolicy(const QString &e164, const QString &policy);
    // ScreeningRepository::addCertificate / trustRoot with the PEM file at `pathOrUrl` (a path
    // or a file: URL; read here, checked and stored in the engine thread).
    Q_INVOKABLE int addCertificateFile(const QString &pathOrUrl);
    Q_INVOKABLE int trustRootFile(const QString &pathOrUrl);
    // ScreeningRepository::syncNumbers with the Telnyx phone_numbers records (numberFromTelnyx);
    // the message tells how many were added, updated and unchanged.
    int syncNumbers(const QList<QJsonObject> &records);
    // A voicemail message heard (VoicemailRepository::markHeard), or its audio and transcript
    // deleted (VoicemailFiles::deleteMessage; the metadata stays). Both are recorded in the log.
    // With `onTelnyx` the recording is first deleted on Telnyx (DELETE /v2/recordings/{id} with
    // the account's key, RecordingsApi); if that fails nothing is deleted here.
    Q_INVOKABLE int markVoicemailHeard(qint64 id);
    Q_INVOKABLE int deleteVoicemail(qint64 id, bool onTelnyx = false);
    // Whether the engine has a Telnyx account to delete recordings with.
    Q_INVOKABLE bool canDeleteOnTelnyx() const;
    // Pause screening: every call is forwarded, decisions are still recorded (Engine::setDryRun).
    Q_INVOKABLE int setDryRun(bool on);
    // Starts verifying the hash chain; false when a verification is already running.
    Q_INVOKABLE bool verifyChain();

    // Waits until the verification (if any) is over; for tests and shutdown.
    bool waitForVerification(int timeoutMs = 30000);

public slots:
    void onTelnyxHealthChanged(bool failing, const QString &message);
    // Forget the engine (it is about to stop); later actions fail with a message.
    void detachEngine();

signals:
    void actionFinished(int requestId, const QString &action, bool ok, const QString &message);
    // A screening mutation succeeded: rules, registry or numbers changed.
    void screeningChanged();
    // A voicemail message was marked heard or deleted.
    void voicemailChanged();
    void engineAttachedChanged();
    void pendingActionsChanged();
    void dryRunChanged();
    void healthChanged();
    void verifyChanged();

private:
    struct Reply
    {
        bool ok = false;
        QString message;
        bool screeningChanged = false;
        bool voicemailChanged = false;
    };
    struct Mailbox;
    using Job = std::function<Reply(Engine &)>;
    static Reply screeningReply(const ScreeningResult &r);

    int run(const QString &action, Job job);
    void finish(int requestId, const QString &action, const Reply &reply);
    int fail(const QString &action, const QString &message);
    int succeed(const QString &action, const QString &message);
    int requestDecision(const QString &action, const QString &callId, const QString &choice,
                        const QString &done);
    int numberRuleHere(const QString &kind, const QString &number, const QString &callId);
    void setVerifyProgress(double progress);
    void finishVerification(bool ok, const QString &message);

    Engine *m_engine = nullptr;
    QString m_databasePath;
    std::shared_ptr<Mailbox> m_mailbox;
    int m_nextRequest = 0;
    int m_pending = 0;
    bool m_dryRun = false;
    bool m_watching = false;
    bool m_telnyxFailing = false;
    QString m_healthMessage;
    bool m_verifying = false;
    double m_verifyProgress = 0;
    bool m_verifyDone = false;
    bool m_verifyOk = false;
    QString m_verifyMessage;
    QThread *m_verifyThread = nullptr;
};

} // namespace kt
