// SPDX-License-Identifier: GPL-3.0-or-later
#include "enginecontroller.h"

#include "certificateinspector.h"
#include "data/readonlydatabase.h"
#include "engine/engine.h"
#include "engine/ownerdecisionrequest.h"
#include "registration/registrationservice.h"
#include "screening/phonenumber.h"
#include "screening/screeningrepository.h"
#include "store/eventstore.h"
#include "voicemail/recordingsapi.h"
#include "voicemail/voicemailfiles.h"
#include "voicemail/voicemailrepository.h"

#include <QDeadlineTimer>
#include <QMetaObject>
#include <QMutex>
#include <QNetworkAccessManager>
#include <QThread>
#include <QTimer>

namespace kt {
namespace {
const QString Actor = QStringLiteral("owner");
} // namespace

// A change of the screening tables, as the reply the view gets.
EngineController::Reply EngineController::screeningReply(const ScreeningResult &r)
{
    return r.ok ? Reply{true, r.message, r.changed()} : Reply{false, r.error, false};
}

// Replies from other threads go through the mailbox: the controller's destructor clears it
// under the mutex, so a reply is posted to a live controller or not at all (and Qt drops the
// events still queued for a controller that is deleted).
struct EngineController::Mailbox
{
    QMutex mutex;
    EngineController *controller = nullptr;

    template <typename F> void post(F &&function)
    {
        QMutexLocker lock(&mutex);
        if (controller)
            QMetaObject::invokeMethod(controller, std::forward<F>(function), Qt::QueuedConnection);
    }
};

EngineController::EngineController(Engine *engine, const QString &databasePath, bool dryRun,
                                   QObject *parent)
    : QObject(parent), m_engine(engine), m_databasePath(databasePath),
      m_mailbox(std::make_shared<Mailbox>()), m_dryRun(dryRun)
{
    m_mailbox->controller = this;
}

EngineController::~EngineController()
{
    {
        QMutexLocker lock(&m_mailbox->mutex);
        m_mailbox->controller = nullptr;
    }
    if (m_verifyThread) {
        m_verifyThread->wait(); // EventStore::verify cannot be interrupted; it ends on its own
        delete m_verifyThread;
    }
}

void EngineController::detachEngine()
{
    if (!m_engine)
        return;
    m_engine = nullptr;
    emit engineAttachedChanged();
}

int EngineController::fail(const QString &action, const QString &message)
{
    const int id = ++m_nextRequest;
    ++m_pending;
    emit pendingActionsChanged();
    // Asynchronous like every other reply, so the caller can connect after calling.
    QTimer::singleShot(0, this, [this, id, action, message] {
        finish(id, action, Reply{false, message, false});
    });
    return id;
}

int EngineController::succeed(const QString &action, const QString &message)
{
    const int id = ++m_nextRequest;
    ++m_pending;
    emit pendingActionsChanged();
    QTimer::singleShot(0, this, [this, id, action, message] {
        finish(id, action, Reply{true, message, false});
    });
    return id;
}

int EngineController::requestDecision(const QString &action, const QString &callId,
                                      const QString &choice, const QString &done)
{
    // One short write on a connection of its own (this thread has only read-only ones): the
    // engine that holds the call is told by the database (or finds it when it polls).
    EventStore store;
    if (!store.open(m_databasePath,
                    ReadOnlyDatabase::uniqueConnectionName(QStringLiteral("decide")),
                    EventStore::Mode::ReadWrite))
        return fail(action, store.errorString());
    const AppendResult r = OwnerDecisionRequest::append(store, callId, choice, Actor);
    if (!r.ok())
        return fail(action, r.error);
    return succeed(action, done);
}

int EngineController::run(const QString &action, Job job)
{
    if (!m_engine)
        return fail(action, tr("the engine is not running"));
    const int id = ++m_nextRequest;
    ++m_pending;
    emit pendingActionsChanged();
    Engine *engine = m_engine;
    std::shared_ptr<Mailbox> mailbox = m_mailbox;
    QMetaObject::invokeMethod(
        engine,
        [engine, mailbox, job = std::move(job), id, action] {
            const Reply reply = job(*engine);
            mailbox->post([mailbox, id, action, reply] {
                // Runs in the UI thread, only while the controller exists.
                mailbox->controller->finish(id, action, reply);
            });
        },
        Qt::QueuedConnection);
    return id;
}

void EngineController::finish(int requestId, const QString &action, const Reply &reply)
{
    --m_pending;
    emit pendingActionsChanged();
    emit actionFinished(requestId, action, reply.ok, reply.message);
    if (reply.ok && reply.screeningChanged)
        emit screeningChanged();
    if (reply.ok && reply.voicemailChanged)
        emit voicemailChanged();
}

int EngineController::accept(const QString &callId)
{
    if (!m_engine && m_watching)
        return requestDecision(QStringLiteral("accept"), callId, QStringLiteral("accept"),
                               tr("Sent to the server: accept the call"));
    return run(QStringLiteral("accept"), [callId](Engine &engine) {
        QString error;
        if (!engine.decide(callId, true, Actor, &error))
            return Reply{false, error, false};
        return Reply{true, tr("Accepted: the call is forwarded to you"), false};
    });
}

int EngineController::reject(const QString &callId)
{
    if (!m_engine && m_watching)
        return requestDecision(QStringLiteral("reject"), callId, QStringLiteral("reject"),
                               tr("Sent to the server: reject the call"));
    return run(QStringLiteral("reject"), [callId](Engine &engine) {
        QString error;
        if (!engine.decide(callId, false, Actor, &error))
            return Reply{false, error, false};
        return Reply{true, tr("Rejected: the caller is turned away"), false};
    });
}

int EngineController::sendToVoicemail(const QString &callId)
{
    if (!m_engine && m_watching)
        return requestDecision(QStringLiteral("voicemail"), callId, QStringLiteral("voicemail"),
                               tr("Sent to the server: send the call to voicemail"));
    return run(QStringLiteral("voicemail"), [callId](Engine &engine) {
        QString error;
        if (!engine.decide(callId, Engine::OwnerChoice::Voicemail, Actor, &error))
            return Reply{false, error, false};
        return Reply{true, tr("Sent to voicemail: the caller can leave a message"), false};
    });
}

namespace {
// An allow or block rule for one number, unless an active rule of that kind and pattern exists.
ScreeningResult addNumberRule(ScreeningRepository &repository, const QString &kind,
                              const QString &number, const QString &note)
{
    const auto parsed = PhoneNumber::parse(number);
    if (!parsed.ok) {
        ScreeningResult r;
        r.error = QStringLiteral("cannot %1 %2: %3")
                      .arg(kind == QLatin1String("allow") ? QStringLiteral("allow")
                                                          : QStringLiteral("block"),
                           number.left(40), parsed.error);
        return r;
    }
    for (const RuleInfo &info : repository.rules()) {
        if (info.active && Rule::kindName(info.rule.kind) == kind &&
            info.rule.pattern == parsed.e164) {
            ScreeningResult r;
            r.ok = true;
            r.ruleId = info.rule.id;
            r.message =
                QStringLiteral("%1 is already %2 by rule #%3")
                    .arg(parsed.e164, kind == QLatin1String("allow") ? QStringLiteral("allowed")
                                                                     : QStringLiteral("blocked"))
                    .arg(info.rule.id);
            return r;
        }
    }
    return repository.addRule(kind, parsed.e164, note, QString(), false, Actor);
}
} // namespace

int EngineController::numberRuleHere(const QString &kind, const QString &number,
                                     const QString &callId)
{
    // Watch mode: the rule goes into the shared database (the engine reads the rules from it on
    // each call) and the call's decision to the engine as a request, on a connection of its own.
    const bool allow = kind == QLatin1String("allow");
    const QString action = allow ? QStringLiteral("allowAlways") : QStringLiteral("block");
    EventStore store;
    if (!store.open(m_databasePath, ReadOnlyDatabase::uniqueConnectionName(QStringLiteral("rule")),
                    EventStore::Mode::ReadWrite))
        return fail(action, store.errorString());
    ScreeningRepository repository(store);
    const ScreeningResult r = addNumberRule(repository, kind, number,
                                            allow ? QStringLiteral("allowed from the dashboard")
                                                  : QStringLiteral("blocked from the dashboard"));
    if (!r.ok)
        return fail(action, r.error);
    QString message = r.message;
    if (!callId.isEmpty() &&
        OwnerDecisionRequest::append(
            store, callId, allow ? QStringLiteral("accept") : QStringLiteral("reject"), Actor)
            .ok())
        message += allow ? tr("; sent to the server: accept the call")
                         : tr("; sent to the server: reject the call");
    const int id = succeed(action, message);
    if (r.changed())
        QTimer::singleShot(0, this, &EngineController::screeningChanged);
    return id;
}

int EngineController::allowAlways(const QString &number, const QString &callId)
{
    if (!m_engine && m_watching)
        return numberRuleHere(QStringLiteral("allow"), number, callId);
    return run(QStringLiteral("allowAlways"), [number, callId](Engine &engine) {
        const ScreeningResult r =
            addNumberRule(engine.repository(), QStringLiteral("allow"), number,
                          QStringLiteral("allowed from the dashboard"));
        if (!r.ok)
            return Reply{false, r.error, false};
        QString message = r.message;
        if (!callId.isEmpty() && engine.decide(callId, true, Actor))
            message += QStringLiteral("; the call is forwarded to you");
        return Reply{true, message, r.changed()};
    });
}

int EngineController::block(const QString &number, const QString &callId)
{
    if (!m_engine && m_watching)
        return numberRuleHere(QStringLiteral("block"), number, callId);
    return run(QStringLiteral("block"), [number, callId](Engine &engine) {
        const ScreeningResult r =
            addNumberRule(engine.repository(), QStringLiteral("block"), number,
                          QStringLiteral("blocked from the dashboard"));
        if (!r.ok)
            return Reply{false, r.error, false};
        QString message = r.message;
        if (!callId.isEmpty() && engine.decide(callId, false, Actor))
            message += QStringLiteral("; the call is turned away");
        return Reply{true, message, r.changed()};
    });
}

int EngineController::addRule(const QString &kind, const QString &pattern, const QString &note,
                              const QString &until, bool singleUse)
{
    return run(QStringLiteral("addRule"), [kind, pattern, note, until, singleUse](Engine &engine) {
        const ScreeningResult r =
            engine.repository().addRule(kind, pattern, note, until, singleUse, Actor);
        return screeningReply(r);
    });
}

int EngineController::removeRule(qint64 ruleId)
{
    return run(QStringLiteral("removeRule"), [ruleId](Engine &engine) {
        const ScreeningResult r = engine.repository().removeRule(ruleId, Actor);
        return screeningReply(r);
    });
}

int EngineController::registerPhone(const QString &phone, const QString &nameSpace)
{
    return run(QStringLiteral("registerPhone"), [phone, nameSpace](Engine &engine) {
        const ScreeningResult r = engine.repository().registerPhone(phone, nameSpace, Actor);
        return screeningReply(r);
    });
}

int EngineController::approveRegistration(const QString &id)
{
    return run(QStringLiteral("approveRegistration"), [id](Engine &engine) {
        RegistrationService *service = engine.registrationService();
        if (!service)
            return Reply{false, tr("The engine is not running"), false};
        const auto r = service->approve(id, Actor);
        if (!r.ok)
            return Reply{false, r.error, false};
        return Reply{
            true,
            tr("%1 is registered to %2").arg(r.registration->phone, r.registration->nameSpace),
            true};
    });
}

int EngineController::denyRegistration(const QString &id)
{
    return run(QStringLiteral("denyRegistration"), [id](Engine &engine) {
        RegistrationService *service = engine.registrationService();
        if (!service)
            return Reply{false, tr("The engine is not running"), false};
        const auto r = service->deny(id, Actor);
        if (!r.ok)
            return Reply{false, r.error, false};
        return Reply{true,
                     tr("Denied the registration of %1 to %2")
                         .arg(r.registration->phone, r.registration->nameSpace),
                     true};
    });
}

int EngineController::unregisterPhone(const QString &phone)
{
    return run(QStringLiteral("unregisterPhone"), [phone](Engine &engine) {
        const ScreeningResult r = engine.repository().unregister(phone, Actor);
        return screeningReply(r);
    });
}

int EngineController::setNumberPolicy(const QString &e164, const QString &policy)
{
    return run(QStringLiteral("setNumberPolicy"), [e164, policy](Engine &engine) {
        const ScreeningResult r = engine.repository().setNumberPolicy(e164, policy, Actor);
        return screeningReply(r);
    });
}

int EngineController::addCertificateFile(const QString &pathOrUrl)
{
    const QString action = QStringLiteral("addCertificate");
    QString error;
    const QByteArray pem = CertificateInspector::readFile(pathOrUrl, &error);
    if (pem.isEmpty())
        return fail(action, error);
    return run(action, [pem](Engine &engine) {
        const ScreeningResult r = engine.repository().addCertificate(pem, Actor);
        return screeningReply(r);
    });
}

int EngineController::trustRootFile(const QString &pathOrUrl)
{
    const QString action = QStringLiteral("trustRoot");
    QString error;
    const QByteArray pem = CertificateInspector::readFile(pathOrUrl, &error);
    if (pem.isEmpty())
        return fail(action, error);
    return run(action, [pem](Engine &engine) {
        const ScreeningResult r = engine.repository().trustRoot(pem, Actor);
        return screeningReply(r);
    });
}

int EngineController::syncNumbers(const QList<QJsonObject> &records)
{
    return run(QStringLiteral("syncNumbers"), [records](Engine &engine) {
        QList<NumberEntry> entries;
        entries.reserve(records.size());
        for (const QJsonObject &record : records)
            entries.append(ScreeningRepository::numberFromTelnyx(record));
        const ScreeningResult r = engine.repository().syncNumbers(entries, Actor);
        if (!r.ok)
            return Reply{false, r.error, false};
        QString message = tr("Number map synced: %1 added, %2 updated, %3 unchanged")
                              .arg(r.merge.added)
                              .arg(r.merge.updated)
                              .arg(r.merge.unchanged);
        if (r.merge.invalid > 0)
            message += tr(", %1 skipped (no valid number)").arg(r.merge.invalid);
        return Reply{true, message, r.changed()};
    });
}

int EngineController::markVoicemailHeard(qint64 id)
{
    return run(QStringLiteral("markVoicemailHeard"), [id](Engine &engine) {
        VoicemailRepository repository(engine.eventStore());
        const VoicemailRepository::Result r = repository.markHeard(id, Actor);
        if (!r.ok)
            return Reply{false, r.error, false};
        return Reply{true, tr("Voicemail marked heard"), false, !r.duplicate};
    });
}

bool EngineController::canDeleteOnTelnyx() const
{
    return m_engine && m_engine->config().hasAccount();
}

int EngineController::deleteVoicemail(qint64 id, bool onTelnyx)
{
    const QString action = QStringLiteral("deleteVoicemail");
    auto deleteHere = [id](Engine &engine, bool remote) {
        VoicemailRepository repository(engine.eventStore());
        const QString error =
            VoicemailFiles::deleteMessage(repository, id, QStringLiteral("owner"), remote, Actor);
        if (!error.isEmpty())
            return Reply{false, error, false};
        return Reply{true,
                     remote ? tr("Voicemail deleted here and on Telnyx")
                            : tr("Voicemail deleted: its audio and transcript are gone"),
                     false, true};
    };
    if (!onTelnyx)
        return run(action, [deleteHere](Engine &engine) { return deleteHere(engine, false); });
    if (!m_engine)
        return fail(action, tr("the engine is not running"));

    // Telnyx answers asynchronously: the reply is posted from the request's callback, in the
    // engine thread, on a network manager that lives (at most) as long as the engine.
    const int requestId = ++m_nextRequest;
    ++m_pending;
    emit pendingActionsChanged();
    Engine *engine = m_engine;
    std::shared_ptr<Mailbox> mailbox = m_mailbox;
    QMetaObject::invokeMethod(
        engine,
        [engine, mailbox, id, requestId, action, deleteHere] {
            auto reply = [mailbox, requestId, action](const Reply &r) {
                mailbox->post([mailbox, requestId, action, r] {
                    mailbox->controller->finish(requestId, action, r);
                });
            };
            const auto message = VoicemailRepository(engine->eventStore()).byId(id);
            if (!message)
                return reply(Reply{false, tr("no voicemail %1").arg(id), false});
            if (message->recordingId.isEmpty())
                return reply(
                    Reply{false, tr("voicemail %1 has no Telnyx recording id").arg(id), false});
            const Config &config = engine->config();
            if (!config.hasAccount())
                return reply(
                    Reply{false, tr("deleting on Telnyx needs the Telnyx API key"), false});
            auto *network = new QNetworkAccessManager(engine);
            auto *api = new RecordingsApi(network, config.telnyxApiUrl, config.apiKey, network);
            api->remove(message->recordingId, [engine, network, reply,
                                               deleteHere](bool ok, int, const QString &why) {
                network->deleteLater();
                if (!ok)
                    return reply(
                        Reply{false,
                              tr("Telnyx did not delete the recording (nothing was deleted): %1")
                                  .arg(why),
                              false});
                reply(deleteHere(*engine, true));
            });
        },
        Qt::QueuedConnection);
    return requestId;
}

int EngineController::setDryRun(bool on)
{
    const int id = run(QStringLiteral("setDryRun"), [on](Engine &engine) {
        engine.setDryRun(on);
        return Reply{true,
                     on ? tr("Screening paused: every call is forwarded (decisions are still "
                             "recorded)")
                        : tr("Screening resumed"),
                     false};
    });
    if (m_engine && on != m_dryRun) {
        // The engine applies it before any later call is decided (queued in order).
        m_dryRun = on;
        emit dryRunChanged();
    }
    return id;
}

void EngineController::onTelnyxHealthChanged(bool failing, const QString &message)
{
    if (failing == m_telnyxFailing && message == m_healthMessage)
        return;
    m_telnyxFailing = failing;
    m_healthMessage = message;
    emit healthChanged();
}

bool EngineController::verifyChain()
{
    if (m_verifying)
        return false;
    if (m_verifyThread) {
        m_verifyThread->wait();
        delete m_verifyThread;
        m_verifyThread = nullptr;
    }
    m_verifying = true;
    m_verifyDone = false;
    m_verifyOk = false;
    m_verifyProgress = 0;
    m_verifyMessage = tr("Verifying the hash chain…");
    emit verifyChanged();

    std::shared_ptr<Mailbox> mailbox = m_mailbox;
    const QString path = m_databasePath;
    m_verifyThread = QThread::create([mailbox, path] {
        EventStore store;
        if (!store.open(path, ReadOnlyDatabase::uniqueConnectionName(QStringLiteral("verify")),
                        EventStore::Mode::ReadOnly)) {
            const QString error = store.errorString();
            mailbox->post(
                [mailbox, error] { mailbox->controller->finishVerification(false, error); });
            return;
        }
        int lastPermille = -1;
        const VerifyResult result = store.verify([&](qint64 done, qint64 total) {
            const int permille = total > 0 ? int(done * 1000 / total) : 1000;
            if (permille == lastPermille)
                return;
            lastPermille = permille;
            mailbox->post(
                [mailbox, permille] { mailbox->controller->setVerifyProgress(permille / 1000.0); });
        });
        mailbox->post([mailbox, result] {
            mailbox->controller->finishVerification(result.ok, result.message);
        });
    });
    m_verifyThread->setObjectName(QStringLiteral("verify"));
    m_verifyThread->start();
    return true;
}

bool EngineController::waitForVerification(int timeoutMs)
{
    return !m_verifyThread || m_verifyThread->wait(QDeadlineTimer(timeoutMs));
}

void EngineController::setVerifyProgress(double progress)
{
    if (!m_verifying || progress <= m_verifyProgress)
        return;
    m_verifyProgress = progress;
    emit verifyChanged();
}

void EngineController::finishVerification(bool ok, const QString &message)
{
    m_verifying = false;
    m_verifyDone = true;
    m_verifyOk = ok;
    m_verifyProgress = 1.0;
    m_verifyMessage = message;
    emit verifyChanged();
}

} // namespace kt
