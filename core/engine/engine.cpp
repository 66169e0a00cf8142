// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine.h"

#include "golive/webhookliveness.h"
#include "registration/registrationapi.h"
#include "registration/registrationevents.h"
#include "registration/registrationservice.h"
#include "registration/registryapproval.h"
#include "screening/decider.h"
#include "screening/digitredaction.h"
#include "screening/phonenumber.h"
#include "screening/screeningevents.h"
#include "screening/screeningrepository.h"
#include "server/metrics.h"
#include "server/webhookserver.h"
#include "store/eventstore.h"
#include "store/privatefiles.h"
#include "telnyx/callcontrolthread.h"
#include "telnyx/commandresult.h"
#include "telnyx/webhookevent.h"
#include "voicemail/recordingfetcher.h"
#include "voicemail/recordingpayload.h"
#include "voicemail/voicemailfiles.h"
#include "voicemail/voicemailrepository.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QMetaMethod>

#include <utility>

Q_LOGGING_CATEGORY(lcEngine, "kevantel.engine")

namespace kt {
namespace {
const QString Actor = QStringLiteral("engine");

QString nowIso()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

// The calls row's flags: the decision's flags, dry_run, and how the caller was proven (proof)
// or whom they claim to be (claimed_namespace) as text.
QJsonObject flagsOf(const Decision &decision)
{
    QJsonObject flags;
    for (const QString &f : decision.flags)
        flags.insert(f, true);
    if (decision.dryRun)
        flags.insert(QStringLiteral("dry_run"), true);
    if (!decision.proof.isEmpty())
        flags.insert(QStringLiteral("proof"), decision.proof);
    if (!decision.claimedNamespace.isEmpty())
        flags.insert(QStringLiteral("claimed_namespace"), decision.claimedNamespace);
    return flags;
}

// The calls row after a decision changed (pin, owner, timeout).
void applyDecision(CallUpdate &update, const Decision &d)
{
    update.decision = d.decisionName();
    update.reason = d.reason;
    update.namespaceName = d.nameSpace;
    update.flags = flagsOf(d);
}

bool isTerminal(const QString &state)
{
    return state == QLatin1String("ended") || state == QLatin1String("failed");
}

bool isRecordingEvent(const QString &type)
{
    return type.startsWith(QLatin1String("call.recording."));
}

// The owner's choice as tel.owner_decision(_requested) records it: "choice", else "accept".
Engine::OwnerChoice choiceOf(const QJsonObject &payload)
{
    const QString choice = payload.value(QStringLiteral("choice")).toString();
    if (choice == QLatin1String("voicemail"))
        return Engine::OwnerChoice::Voicemail;
    if (choice == QLatin1String("reject"))
        return Engine::OwnerChoice::Reject;
    if (choice == QLatin1String("accept"))
        return Engine::OwnerChoice::Accept;
    return payload.value(QStringLiteral("accept")).toBool() ? Engine::OwnerChoice::Accept
                                                            : Engine::OwnerChoice::Reject;
}

constexpr int RetentionIntervalMs = 6 * 3600 * 1000;
} // namespace

// One processing step: a webhook's processing, a command's outcome, a timeout, an owner's
// decision, the recovery at start. The events it appends go into one transaction, so a step
// costs one commit (one fsync under synchronous=FULL) instead of one per event; the commands it
// asks for (commands, cancellations) are handed to the Telnyx client once it is committed, so a
// command never leaves before the event that records it is durable. The calls it changed are
// announced (callChanged) once it is committed, so that readers on other connections find in
// the database what the signal says. Steps nest; the outermost commits.
class Engine::Step
{
public:
    explicit Step(Engine &engine) : m_engine(engine)
    {
        if (m_engine.m_stepDepth++ == 0 && !m_engine.m_store->beginBatch())
            qCWarning(lcEngine).noquote() // each event is then committed on its own
                << "cannot start a transaction:" << m_engine.m_store->errorString();
    }
    ~Step()
    {
        if (--m_engine.m_stepDepth > 0)
            return;
        if (m_engine.m_store->inBatch() && !m_engine.m_store->commitBatch()) {
            qCWarning(lcEngine).noquote()
                << "could not record the events of a step:" << m_engine.m_store->errorString();
            m_engine.noteWrite(false, m_engine.m_store->errorString());
        }
        // Even when the commit failed (the failure is reported on /health): a call must not be
        // left waiting for a command that was decided but never sent.
        m_engine.dispatchOutbox();
        m_engine.announceChangedCalls();
    }
    Step(const Step &) = delete;
    Step &operator=(const Step &) = delete;

private:
    Engine &m_engine;
};

Engine::Engine(const Config &config, QObject *parent)
    : QObject(parent), m_config(config), m_store(std::make_unique<EventStore>()),
      m_client(std::make_unique<CallControlThread>())
{
    qRegisterMetaType<kt::CallRecord>();
    m_client->setBaseUrl(QUrl(m_config.telnyxApiUrl));
    m_client->setApiKey(m_config.apiKey);
    connect(m_client.get(), &CallControlThread::finished, this, [this](const CommandResult &r) {
        // The outcomes that arrive in one turn of the event loop are one step (one commit).
        m_finishedCommands.append(r);
        if (m_finishedCommands.size() == 1)
            QMetaObject::invokeMethod(this, &Engine::processFinishedCommands, Qt::QueuedConnection);
    });
    connect(m_client.get(), &CallControlThread::attemptFailed, this,
            [this](quint64, int status, const QString &code, const QString &title, bool willRetry) {
                if (willRetry)
                    noteTelnyxResult(false, QStringLiteral("Telnyx answered %1 %2 %3; retrying")
                                                .arg(status)
                                                .arg(code, title));
            });
    m_decisionPoll.setInterval(250);
    connect(&m_decisionPoll, &QTimer::timeout, this, &Engine::pollOwnerDecisions);
    m_retentionTimer.setInterval(RetentionIntervalMs);
    connect(&m_retentionTimer, &QTimer::timeout, this, &Engine::applyVoicemailRetention);
}

Engine::~Engine()
{
    stop();
}

bool Engine::start(QString *error)
{
    const QString path = m_config.databasePath;
    const QFileInfo info(path);
    if (!PrivateFiles::makePath(info.absolutePath())) {
        *error = QStringLiteral("cannot create the folder of the database %1").arg(path);
        return false;
    }
    m_store->setBusyTimeout(StoreBusyTimeoutMs);
    m_store->setSynchronous(m_config.synchronous == QLatin1String("NORMAL")
                                ? EventStore::Synchronous::Normal
                                : EventStore::Synchronous::Full);
    if (!m_store->open(path, QStringLiteral("engine-writer"), EventStore::Mode::ReadWrite)) {
        *error = m_store->errorString();
        return false;
    }
    m_client->start();
    m_repository = std::make_unique<ScreeningRepository>(*m_store);
    const auto seeded = m_repository->ensureDefaultNumbers(Actor);
    if (!seeded.ok) {
        *error = seeded.error;
        return false;
    }
    m_lastPolledSeq = m_store->lastSeq();
    // Voicemail downloads run on this thread's event loop (asynchronous network I/O; the audio
    // is written and hashed a chunk at a time as it arrives), so they never hold up a webhook.
    m_voicemail = std::make_unique<VoicemailRepository>(*m_store);
    RecordingFetcher::Settings fetch;
    fetch.apiBaseUrl = m_config.telnyxApiUrl;
    fetch.apiKey = m_config.apiKey;
    fetch.actor = Actor;
    m_fetcher =
        std::make_unique<RecordingFetcher>(*m_voicemail, VoicemailFiles::folderFor(path), fetch);

    m_server = std::make_unique<WebhookServer>(this);
    if (!m_config.publicKey.isEmpty())
        m_server->setVerifier(WebhookVerifier(m_config.publicKey));
    ServerLimits limits;
    for (const QString &proxy : m_config.trustedProxies)
        limits.trustedProxies.append(QHostAddress::parseSubnet(
            proxy.contains(QLatin1Char('/'))
                ? proxy
                : proxy + (proxy.contains(QLatin1Char(':')) ? QStringLiteral("/128")
                                                            : QStringLiteral("/32"))));
    m_server->setLimits(limits);
    m_server->metrics().describe(
        QStringLiteral("kevantel_last_webhook_timestamp_seconds"), Metrics::Type::Gauge,
        QStringLiteral("Unix time when the last verified webhook was stored (0: none yet)."));
    noteWebhookReceived(WebhookLiveness::lastWebhookIn(*m_store));
    setUpRegistration();
    if (!m_server->listen(m_config.listenAddress, m_config.port, error) ||
        !m_server->listenAdmin(m_config.adminPort, error)) {
        m_server->close();
        return false;
    }
    if (m_config.publicKey.isEmpty())
        qCWarning(lcEngine) << "no webhook public key configured (TELNYX_PUBLIC_KEY): every "
                               "webhook will be refused with 401";
    if (!m_config.isLoopbackOnly())
        qCWarning(lcEngine).noquote()
            << "WARNING: the webhook server listens on" << m_config.listenText
            << "- it is reachable from other machines, not only through your tunnel";
    recoverCalls();
    // Old audio goes first (retention), then the downloads a stop cut off continue.
    applyVoicemailRetention();
    m_retentionTimer.start();
    if (const int resumed = m_fetcher->resumePending(); resumed > 0)
        qCInfo(lcEngine) << "continuing" << resumed << "voicemail downloads";
    return true;
}

void Engine::setUpRegistration()
{
    RegistrationService::Config rc;
    rc.approval = RegistrationService::approvalFromString(m_config.registrationApproval)
                      .value_or(RegistrationService::Approval::Owner);
    m_registration = std::make_unique<RegistrationService>(*m_store, rc);
    ScreeningRepository *repository = m_repository.get();
    m_registration->setTrustStoreSource([repository] { return repository->trustStore(); });
    // The caller rings one of the owner's numbers that are screened by this app.
    m_registration->setCallInNumbers([repository] {
        QStringList numbers;
        for (const NumberEntry &n : repository->numbers())
            numbers.append(n.e164);
        return numbers;
    });
    m_registration->setApprovalSink(RegistryApproval::sink(*repository, Actor));
    if (!m_config.selfRegistration)
        return; // the page answers 404 like any unknown path; no call is a call-in
    m_registrationApi = std::make_unique<RegistrationApi>(*m_registration);
    RegistrationApi *api = m_registrationApi.get();
    m_server->setPageHandler([api](const PageRequest &request) -> std::optional<PageReply> {
        if (!RegistrationApi::handles(request.path))
            return std::nullopt;
        const RegistrationApi::Reply r = api->handle(request.method, request.path, request.headers,
                                                     request.body, request.clientKey);
        return PageReply{r.status, r.contentType, r.body, r.headers};
    });
}

QString Engine::rejectionMessageFor(const Config &config)
{
    static const QString Placeholder = QStringLiteral("{register_url}");
    if (!config.rejectionMessage.contains(Placeholder))
        return config.rejectionMessage;
    QString address;
    if (config.selfRegistration && !config.publicUrl.isEmpty()) {
        const QUrl url(config.publicUrl);
        address = url.host() +
                  (url.port() > 0 ? QStringLiteral(":%1").arg(url.port()) : QString()) +
                  url.path() + QStringLiteral("/register");
    }
    QString message = config.rejectionMessage;
    message.replace(Placeholder, address);
    return address.isEmpty() ? message.simplified() : message;
}

void Engine::setPublicUrl(const QString &url)
{
    Config probe = m_config;
    QString error;
    if (!ConfigLoader::apply(probe, {{QStringLiteral("public-url"), url}}, &error)) {
        qCWarning(lcEngine).noquote() << error;
        return;
    }
    m_config.publicUrl = probe.publicUrl;
}

void Engine::stop()
{
    m_decisionPoll.stop();
    m_retentionTimer.stop();
    // Transfers stop; their partial files stay for resumePending() at the next start.
    m_fetcher.reset();
    for (const auto &c : std::as_const(m_calls)) {
        if (c->askTimer)
            c->askTimer->stop();
    }
    if (m_server)
        m_server->close();
    if (m_client && m_client->isRunning()) {
        dispatchOutbox();
        m_client->cancelAll();
        // Their outcomes are queued to this thread: record them now, not in a later turn.
        QCoreApplication::sendPostedEvents(this, QEvent::MetaCall);
        processFinishedCommands();
        m_client->stop();
    }
}

QString Engine::url() const
{
    QString host = m_config.listenText;
    if (host.contains(QLatin1Char(':')))
        host = QLatin1Char('[') + host + QLatin1Char(']');
    return QStringLiteral("http://%1:%2").arg(host).arg(port());
}

quint16 Engine::port() const
{
    return m_server ? m_server->serverPort() : 0;
}

QString Engine::adminUrl() const
{
    return QStringLiteral("http://127.0.0.1:%1").arg(adminPort());
}

quint16 Engine::adminPort() const
{
    return m_server ? m_server->adminPort() : 0;
}

int Engine::activeCallCount() const
{
    int n = 0;
    for (const auto &c : m_calls) {
        if (!c->machine->finished())
            ++n;
    }
    return n;
}

QString Engine::decisionEventType(const QString &decisionName)
{
    return QStringLiteral("tel.call_") + decisionName;
}

QString Engine::callIdOf(const WebhookEvent &event)
{
    return event.payload.callSessionId.isEmpty() ? event.payload.callControlId
                                                 : event.payload.callSessionId;
}

// --- webhooks -------------------------------------------------------------------------------

StoreOutcome Engine::store(const WebhookEvent &event, const QByteArray &rawBody)
{
    NewEvent e;
    e.telnyxId = event.id;
    e.type = event.eventType;
    e.callId = callIdOf(event);
    e.occurredAt = event.occurredAtText;
    e.actor = QStringLiteral("telnyx");
    // As signed and received: never parsed and serialised again -- except the keys a caller
    // pressed, which may be a PIN and are never stored in clear.
    e.rawPayload =
        DigitRedaction::applies(event.eventType) ? DigitRedaction::redact(rawBody) : rawBody;

    CallUpdate update;
    CallUpdate *call = nullptr;
    const CallPayload &p = event.payload;
    if (event.eventType == QLatin1String("call.initiated") && !e.callId.isEmpty() &&
        p.direction != QLatin1String("outgoing")) {
        update.callId = e.callId;
        update.callControlId = p.callControlId;
        const auto from = PhoneNumber::parseCaller(p.from);
        update.fromNumber = from.ok ? from.e164 : p.from;
        const auto to = PhoneNumber::parse(p.to);
        update.toNumber = to.ok ? to.e164 : p.to;
        update.callerName = p.callerIdName;
        update.direction = p.direction.isEmpty() ? QStringLiteral("incoming") : p.direction;
        update.startedAt = event.occurredAtText.isEmpty() ? nowIso() : event.occurredAtText;
        update.state = QStringLiteral("ringing");
        call = &update;
    }
    const AppendResult result = m_store->append(e, call);
    switch (result.status) {
    case AppendResult::Status::Stored:
        noteWrite(true);
        if (m_inGroup)
            m_groupWebhookAt = QDateTime::currentDateTimeUtc(); // once committed
        else
            noteWebhookReceived(QDateTime::currentDateTimeUtc());
        return StoreOutcome::stored();
    case AppendResult::Status::Duplicate:
        return StoreOutcome::duplicate();
    case AppendResult::Status::Error:
        qCWarning(lcEngine).noquote()
            << "could not store webhook" << event.id << ":" << result.error;
        noteWrite(false, result.error);
        return StoreOutcome::failed(result.error);
    }
    return StoreOutcome::failed(QStringLiteral("unknown store result"));
}

void Engine::process(const WebhookEvent &event)
{
    if (!event.isCallEvent())
        return;
    const QString callId = callIdOf(event);
    if (callId.isEmpty())
        return;
    const Step step(*this);
    if (m_inGroup)
        snapshotForGroup(callId);
    const bool recording = isRecordingEvent(event.eventType);
    if (recording)
        handleRecordingEvent(event); // whether or not the call is still up
    // A recording webhook matters to the call only while it is held (max_length reached).
    ActiveCall *call = activeCall(callId, !recording);
    if (!call)
        return; // a late event for a call that has ended and been forgotten
    const QString before = call->machine->state();
    const bool hadDecision = call->machine->decision().has_value();
    const CallActions actions = call->machine->onWebhook(event.eventType, event.payload);
    if (event.eventType == QLatin1String("call.initiated") && !hadDecision &&
        call->machine->legA() == event.payload.callControlId && !call->machine->finished()) {
        call->sinceInitiated.start();
        execute(*call, actions);
        decideCall(*call, event);
        return;
    }
    execute(*call, actions);
    if (call->machine->state() != before || call->machine->ended())
        afterTransition(*call, event.eventType, &event);
}

bool Engine::beginStores(QString *error)
{
    if (m_stepDepth != 0)
        return false;
    if (!m_store->beginBatch()) {
        // The transaction could not start (another process holds the write lock past the busy
        // timeout, or the disk fails): a store of its own would fail the same way, after
        // waiting as long again.
        *error = m_store->errorString();
        noteWrite(false, *error);
        return false;
    }
    // The group is the outermost step: its processing commits with it, and its commands wait
    // for that commit.
    ++m_stepDepth;
    m_inGroup = true;
    m_groupSnapshots.clear();
    m_groupWebhookAt = QDateTime();
    m_groupDecisions.clear();
    return true;
}

bool Engine::endStores(QString *error)
{
    m_inGroup = false;
    --m_stepDepth;
    const QStringList decisions = std::exchange(m_groupDecisions, {});
    if (m_store->commitBatch()) {
        m_groupSnapshots.clear();
        if (m_server) {
            for (const QString &decision : decisions)
                m_server->metrics().countCall(decision);
        }
        if (m_groupWebhookAt.isValid())
            noteWebhookReceived(m_groupWebhookAt);
        dispatchOutbox();
        announceChangedCalls();
        return true;
    }
    *error = m_store->errorString();
    qCWarning(lcEngine).noquote() << "could not store webhooks:" << *error;
    noteWrite(false, *error);
    // Nothing of the group is in the log, so nothing of it may stay: its commands are not
    // sent, and its calls are put back as they were. Telnyx delivers its webhooks again.
    m_outbox.clear();
    m_changedCalls.clear();
    restoreGroupSnapshots();
    return false;
}

void Engine::snapshotForGroup(const QString &callId)
{
    if (m_groupSnapshots.contains(callId))
        return;
    CallSnapshot s;
    if (const auto it = m_calls.constFind(callId); it != m_calls.cend()) {
        const ActiveCall &call = **it;
        s.existed = true;
        s.machine = *call.machine;
        s.lastState = call.lastState;
        s.sinceInitiated = call.sinceInitiated;
        s.latencyRecorded = call.latencyRecorded;
        s.askActive = call.askTimer && call.askTimer->isActive();
        s.askRemainingMs = s.askActive ? call.askTimer->remainingTime() : 0;
    }
    m_groupSnapshots.insert(callId, s);
}

void Engine::restoreGroupSnapshots()
{
    const QHash<QString, CallSnapshot> snapshots = std::exchange(m_groupSnapshots, {});
    for (auto it = snapshots.cbegin(); it != snapshots.cend(); ++it) {
        const CallSnapshot &s = it.value();
        if (!s.existed) {
            m_calls.remove(it.key());
            continue;
        }
        ActiveCall *call = activeCall(it.key(), false);
        if (!call)
            continue;
        *call->machine = *s.machine;
        call->lastState = s.lastState;
        call->sinceInitiated = s.sinceInitiated;
        call->latencyRecorded = s.latencyRecorded;
        if (call->askTimer) {
            if (s.askActive)
                call->askTimer->start(qMax(1, s.askRemainingMs));
            else
                call->askTimer->stop();
        }
    }
}

void Engine::processStored(const QList<WebhookEvent> &events)
{
    const Step step(*this);
    for (const WebhookEvent &event : events)
        process(event);
}

Health Engine::health()
{
    Health h;
    QString reason;
    h.ok = m_store->healthCheck(&reason);
    h.reason = reason;
    // A failed write counts for a minute (Telnyx redelivers well within that), so that a fault
    // that went away with no webhook since does not keep /health failing for ever.
    if (h.ok && !m_writeError.isEmpty() && m_writeErrorAge.elapsed() < 60000) {
        h.ok = false;
        h.reason = QStringLiteral("the last write to the event store failed: %1").arg(m_writeError);
    }
    h.details.insert(QStringLiteral("events"), m_store->lastSeq());
    h.details.insert(QStringLiteral("active_calls"), activeCallCount());
    h.details.insert(QStringLiteral("telnyx"),
                     m_telnyxFailing ? QStringLiteral("failing") : QStringLiteral("ok"));
    h.details.insert(QStringLiteral("demo"), m_config.demo);
    h.details.insert(QStringLiteral("last_webhook_at"),
                     m_lastWebhookAt.isValid()
                         ? QJsonValue(m_lastWebhookAt.toString(Qt::ISODateWithMs))
                         : QJsonValue(QJsonValue::Null));
    return h;
}

// --- calls ----------------------------------------------------------------------------------

Engine::ActiveCall *Engine::activeCall(const QString &callId, bool create)
{
    if (auto it = m_calls.find(callId); it != m_calls.end())
        return it->get();
    if (!create)
        return nullptr;
    // A call the engine does not hold: new, or one that ended before a restart.
    if (const auto record = m_store->call(callId); record && isTerminal(record->state))
        return nullptr;
    auto call = std::make_shared<ActiveCall>();
    call->callId = callId;
    call->machine = std::make_unique<CallStateMachine>(callConfig());
    m_calls.insert(callId, call);
    // Forget ended calls beyond a bounded number so memory stays flat.
    if (m_calls.size() > 2000) {
        for (auto it = m_calls.begin(); it != m_calls.end();) {
            if ((*it)->machine->finished() && (*it)->callId != callId)
                it = m_calls.erase(it);
            else
                ++it;
        }
    }
    return call.get();
}

CallConfig Engine::callConfig() const
{
    CallConfig c;
    const auto forward = PhoneNumber::parse(m_config.forwardTo);
    c.forwardTo = forward.ok ? forward.e164 : QString();
    c.rejectionMessage = rejectionMessageFor(m_config);
    if (m_config.registrationApproval == QLatin1String("automatic"))
        c.callInConfirmedMessage = QStringLiteral("Thank you. Your phone is confirmed and "
                                                  "registered. Goodbye.");
    c.unavailableMessage = m_config.unavailableMessage;
    c.voice = m_config.voice;
    c.language = m_config.language;
    c.transferTimeoutSecs = m_config.transferTimeoutSecs;
    c.askTimeoutSecs = m_config.askTimeoutSecs;
    if (!m_config.askFallback.isEmpty())
        c.askFallbackPolicy = m_config.askFallback;
    else
        c.askFallbackPolicy = m_config.unknownPolicy == QLatin1String("ask")
                                  ? QStringLiteral("reject_with_message")
                                  : m_config.unknownPolicy;
    c.voicemailGreeting = m_config.voicemailGreeting;
    c.voicemailMaxLengthSecs = m_config.voicemailMaxLengthSecs;
    c.voicemailTranscription = m_config.voicemailTranscription;
    c.voicemailOnNoAnswer = m_config.voicemailOnNoAnswer;
    return c;
}

void Engine::decideCall(ActiveCall &call, const WebhookEvent &event)
{
    const CallPayload &p = event.payload;
    CallFacts facts;
    const auto from = PhoneNumber::parseCaller(p.from);
    facts.from = from.ok ? from.e164 : QString();
    facts.rawFrom = p.from;
    const auto to = PhoneNumber::parse(p.to);
    facts.to = to.ok ? to.e164 : p.to;
    facts.callerIdName = p.callerIdName;
    facts.attestation = p.shakenStirAttestation;
    facts.shakenStirValidated = p.shakenStirValidated;
    facts.screeningResult = p.callScreeningResult;
    facts.callingPartyType = p.callingPartyType;

    Policy policy;
    policy.unknownPolicy = m_config.unknownPolicy;
    policy.requireShakenStir = m_config.requireShakenStir;
    policy.callerIdTrust = m_config.callerIdTrust;
    policy.rejectSpamLikely = m_config.rejectSpamLikely;
    policy.dryRun = m_config.dryRun;
    const auto number = m_repository->number(facts.to);
    policy.toNumberKnown = number.has_value();
    if (number)
        policy.numberPolicy = number->policy;

    const QDateTime now = QDateTime::currentDateTimeUtc();
    // What the app made of the caller, before deciding: the numbers as E.164 and the facts the
    // decision rests on (the raw webhook is stored beside it).
    QJsonObject inbound{{QStringLiteral("from"), facts.from},
                        {QStringLiteral("raw_from"), facts.rawFrom},
                        {QStringLiteral("to"), facts.to},
                        {QStringLiteral("to_known"), policy.toNumberKnown},
                        {QStringLiteral("number_policy"), policy.numberPolicy},
                        {QStringLiteral("caller_id_name"), facts.callerIdName},
                        {QStringLiteral("shaken_stir_attestation"), facts.attestation},
                        {QStringLiteral("call_screening_result"), facts.screeningResult},
                        {QStringLiteral("calling_party_type"), facts.callingPartyType}};
    if (facts.shakenStirValidated)
        inbound.insert(QStringLiteral("shaken_stir_validated"), *facts.shakenStirValidated);
    appendEngineEvent(&call, QStringLiteral("tel.call_inbound"), inbound);

    Decision decision = Decider::decide(facts, policy, *m_repository, now);
    // A phone whose self-registration waits for its call, on the number the page showed, is
    // asked for the call-in code instead, unless a block rule turned it away.
    if (m_config.selfRegistration && m_registration && decision.outcome != Decision::Blocked &&
        !facts.from.isEmpty() && m_registration->awaitsCallIn(facts.from, facts.to))
        decision = Decider::registrationCallIn(decision, policy.dryRun);

    QJsonObject payload;
    payload.insert(QStringLiteral("decision"), decision.toJson());
    payload.insert(QStringLiteral("call_config"), call.machine->config().toJson());
    payload.insert(QStringLiteral("from"), facts.from.isEmpty() ? facts.rawFrom : facts.from);
    payload.insert(QStringLiteral("to"), facts.to);
    if (number && !number->label.isEmpty())
        payload.insert(QStringLiteral("to_label"), number->label);
    CallUpdate update;
    update.decision = decision.decisionName();
    update.reason = decision.reason;
    update.namespaceName = decision.nameSpace;
    update.decidedAt = nowIso();
    update.flags = flagsOf(decision);
    // The state the decision puts the call in is recorded with it: "asking" in particular is
    // recorded nowhere else (no command follows), and `calls decide` relies on it. The commands
    // the decision asks for are sent after it is logged.
    const CallActions actions = call.machine->onDecision(decision);
    update.state = call.machine->state();
    call.lastState = call.machine->state();
    appendEngineEvent(&call, decisionEventType(decision.decisionName()), payload, Actor, &update);
    // In a group, the decision counts once the group is committed: if the commit fails, the
    // decision is undone and made again when Telnyx delivers the webhook again.
    if (m_inGroup)
        m_groupDecisions.append(decision.decisionName());
    else if (m_server)
        m_server->metrics().countCall(decision.decisionName());
    if (decision.ruleSingleUse && decision.ruleId > 0)
        m_repository->consumeRule(decision.ruleId, call.callId, Actor);
    if (decision.action == Decision::Ring)
        m_decisionPoll.start();

    execute(call, actions);
}

void Engine::execute(ActiveCall &call, const CallActions &actions)
{
    for (const CallAction &action : actions) {
        switch (action.type) {
        case CallAction::Command:
            sendCommand(call, action, false);
            break;
        case CallAction::StartAskTimer: {
            if (!call.askTimer) {
                call.askTimer = std::make_unique<QTimer>();
                call.askTimer->setSingleShot(true);
                const QString id = call.callId;
                connect(call.askTimer.get(), &QTimer::timeout, this,
                        [this, id] { onAskTimeout(id); });
            }
            call.askTimer->start(action.secs * 1000);
            break;
        }
        case CallAction::CancelAskTimer:
            if (call.askTimer)
                call.askTimer->stop();
            break;
        case CallAction::PinTry:
            handlePinTry(call, action);
            break;
        }
    }
}

void Engine::sendCommand(ActiveCall &call, const CallAction &action, bool resend)
{
    QJsonObject payload = action.toJson();
    if (resend)
        payload.insert(QStringLiteral("resend"), true);
    CallUpdate update;
    update.state = call.machine->state();
    appendEngineEvent(&call, QStringLiteral("tel.command_sent"), payload, Actor, &update);
    Outgoing out;
    out.callId = call.callId;
    out.action = action;
    if (m_stepDepth > 0)
        m_outbox.append(out);
    else
        dispatch(out);
}

void Engine::cancelForCall(const QString &callControlId)
{
    Outgoing out;
    out.kind = Outgoing::CancelForCall;
    out.callControlId = callControlId;
    if (m_stepDepth > 0)
        m_outbox.append(out);
    else
        dispatch(out);
}

void Engine::dispatchOutbox()
{
    const QList<Outgoing> outbox = std::exchange(m_outbox, {});
    for (const Outgoing &out : outbox)
        dispatch(out);
}

void Engine::dispatch(const Outgoing &out)
{
    if (out.kind == Outgoing::CancelForCall) {
        m_client->cancelForCall(out.callControlId);
        return;
    }
    if (out.kind == Outgoing::FetchRecording) {
        if (m_fetcher)
            m_fetcher->fetch(out.voicemailId);
        return;
    }
    const CallAction &action = out.action;
    CommandOptions options;
    options.commandId = action.commandId;
    const quint64 handle =
        m_client->sendCommand(action.callControlId, action.name, action.params, options);
    m_inFlight.insert(handle, {out.callId, action.step, action.name});
    ActiveCall *call = activeCall(out.callId, false);
    if (call && !call->latencyRecorded && call->sinceInitiated.isValid()) {
        call->latencyRecorded = true;
        if (m_server)
            m_server->metrics().observeDecisionLatency(call->sinceInitiated.nsecsElapsed() / 1e9);
    }
}

void Engine::processFinishedCommands()
{
    const QList<CommandResult> results = std::exchange(m_finishedCommands, {});
    if (results.isEmpty())
        return;
    const Step step(*this);
    for (const CommandResult &result : results)
        onCommandFinished(result);
}

void Engine::onCommandFinished(const CommandResult &result)
{
    const auto flight = m_inFlight.take(result.handle);
    if (flight.callId.isEmpty())
        return;
    const Step step(*this);
    if (m_server)
        m_server->metrics().countCommand(
            flight.name, result.ok
                             ? QStringLiteral("ok")
                             : (result.callEnded ? QStringLiteral("call_ended")
                                                 : (result.cancelled ? QStringLiteral("cancelled")
                                                                     : QStringLiteral("failed"))));
    if (!result.cancelled)
        noteTelnyxResult(result.ok || result.callEnded ||
                             (result.httpStatus >= 400 && result.httpStatus < 500 &&
                              result.httpStatus != 429 && result.httpStatus != 401),
                         result.describe());
    ActiveCall *call = activeCall(flight.callId, false);
    QJsonObject payload{{QStringLiteral("step"), flight.step},
                        {QStringLiteral("command"), flight.name},
                        {QStringLiteral("call_control_id"), result.callControlId},
                        {QStringLiteral("command_id"), result.commandId},
                        {QStringLiteral("http_status"), result.httpStatus},
                        {QStringLiteral("attempts"), result.attempts}};
    if (!result.ok) {
        payload.insert(QStringLiteral("error_code"), result.errorCode);
        payload.insert(QStringLiteral("error_title"), result.errorTitle);
        payload.insert(QStringLiteral("error"), result.describe());
        payload.insert(QStringLiteral("call_ended"), result.callEnded);
        payload.insert(QStringLiteral("cancelled"), result.cancelled);
    }
    const QString type =
        result.ok ? QStringLiteral("tel.command_ok") : QStringLiteral("tel.command_failed");
    if (!call || result.cancelled) {
        // Cancelled: the engine stopped it (it is shutting down, or the call ended), so the
        // outcome is unknown rather than a failure. It is recorded (a restart sends it again with
        // its command_id, see replay()) but not fed to the machine, which would otherwise take
        // the failure path (a failed answer -> reject and state "failed") while stopping.
        appendEngineEvent(call, type, payload);
        return;
    }
    const QString before = call->machine->state();
    const CallActions actions =
        call->machine->onCommandResult(flight.step, result.ok, result.callEnded);
    CallUpdate update;
    update.state = call->machine->state();
    appendEngineEvent(call, type, payload, Actor, &update);
    execute(*call, actions);
    if (call->machine->state() != before)
        afterTransition(*call, type, nullptr);
}

void Engine::onAskTimeout(const QString &callId)
{
    ActiveCall *call = activeCall(callId, false);
    if (!call || !call->machine->askPending())
        return;
    const Step step(*this);
    const CallActions actions = call->machine->onAskTimeout();
    CallUpdate update;
    if (const auto d = call->machine->decision()) {
        update.decision = d->decisionName();
        update.reason = d->reason;
    }
    update.state = call->machine->state();
    appendEngineEvent(
        call, QStringLiteral("tel.ask_timeout"),
        {{QStringLiteral("decision"),
          call->machine->decision() ? call->machine->decision()->toJson() : QJsonObject()}},
        Actor, &update);
    execute(*call, actions);
}

void Engine::handleCallInTry(ActiveCall &call, const CallAction &action)
{
    const auto before = call.machine->decision();
    const QString phone = before->caller;
    const int maxTries = call.machine->config().pinMaxTries;
    QJsonObject payload{{QStringLiteral("phone"), phone},
                        {QStringLiteral("try"), action.pinTry},
                        {QStringLiteral("outcome"), action.pinStatus}};
    CallActions actions;
    PendingRegistration proven;
    bool right = false;
    if (action.pinStatus == QLatin1String("valid")) {
        // The digits go to the registration and nowhere else: neither logged nor recorded.
        right = m_registration && m_registration->completeCallIn(phone, action.digits, &proven);
        const auto result =
            right ? CallStateMachine::PinResult::Right : CallStateMachine::PinResult::Wrong;
        actions = call.machine->onPinResult(action.pinTry, result);
        payload.insert(QStringLiteral("result"), CallStateMachine::pinResultName(result));
        if (right)
            payload.insert(QStringLiteral("registration"), proven.id);
    }
    const auto after = call.machine->decision();
    payload.insert(QStringLiteral("tries_left"), qMax(0, maxTries - call.machine->pinFailures()));
    payload.insert(QStringLiteral("decision"), after->toJson());
    CallUpdate update;
    applyDecision(update, *after);
    update.state = call.machine->state();
    appendEngineEvent(&call, QString::fromLatin1(RegistrationEvents::CallInTried), payload, Actor,
                      &update);
    if (right) {
        // Announced once this step is committed (a later turn), so that readers on other
        // connections find the registration's new state.
        const bool approved = proven.state == PendingRegistration::State::Approved;
        QMetaObject::invokeMethod(
            this,
            [this, proven, approved] {
                emit registrationProven(proven.id, proven.nameSpace, proven.phone, approved);
            },
            Qt::QueuedConnection);
    }
    execute(call, actions);
}

void Engine::handlePinTry(ActiveCall &call, const CallAction &action)
{
    const auto before = call.machine->decision();
    if (!before)
        return;
    if (before->action == Decision::AnswerAndCollectCode ||
        before->reason.startsWith(QLatin1String("registration_"))) {
        handleCallInTry(call, action);
        return;
    }
    const QString phone = before->caller;
    const int maxTries = call.machine->config().pinMaxTries;
    if (action.pinStatus != QLatin1String("valid")) {
        // No digits to check (timeout, invalid, ...): the machine counted the try already.
        CallUpdate update;
        if (const auto d = call.machine->decision())
            applyDecision(update, *d);
        update.state = call.machine->state();
        appendEngineEvent(
            &call, QString::fromLatin1(ScreeningEvents::PinFailed),
            {{QStringLiteral("phone"), phone},
             {QStringLiteral("namespace"), before->claimedNamespace},
             {QStringLiteral("try"), action.pinTry},
             {QStringLiteral("outcome"), action.pinStatus},
             {QStringLiteral("tries_left"), qMax(0, maxTries - call.machine->pinFailures())},
             {QStringLiteral("decision"), call.machine->decision()->toJson()}},
            Actor, &update);
        return;
    }
    const PinCheck check = m_repository->checkPin(phone, action.digits);
    using R = CallStateMachine::PinResult;
    R result = R::Wrong; // no PIN or no registration any more: it cannot be right
    if (check.outcome == PinCheck::Outcome::Right)
        result = R::Right;
    else if (check.outcome == PinCheck::Outcome::Locked || check.lockStarted)
        result = R::Locked;
    const CallActions actions = call.machine->onPinResult(action.pinTry, result);
    CallUpdate update;
    const auto after = call.machine->decision();
    applyDecision(update, *after);
    update.state = call.machine->state();
    update.callId = call.callId;
    const QJsonObject extra{
        {QStringLiteral("result"), CallStateMachine::pinResultName(result)},
        {QStringLiteral("tries_left"), qMax(0, maxTries - call.machine->pinFailures())},
        {QStringLiteral("decision"), after->toJson()}};
    const ScreeningResult recorded =
        m_repository->recordPinAttempt(check, action.pinTry, call.callId, extra, Actor, &update);
    if (!recorded.ok) {
        qCWarning(lcEngine).noquote() << "could not record a PIN attempt:" << recorded.error;
        noteWrite(false, recorded.error);
    } else {
        noteWrite(true);
        if (m_stepDepth > 0 && !m_changedCalls.contains(call.callId))
            m_changedCalls.append(call.callId);
        if (check.lockStarted)
            emit pinLocked(check.phone, check.nameSpace, check.lockedUntil);
    }
    execute(call, actions);
}

QString Engine::ownerChoiceName(OwnerChoice choice)
{
    switch (choice) {
    case OwnerChoice::Accept:
        return QStringLiteral("accept");
    case OwnerChoice::Reject:
        return QStringLiteral("reject");
    case OwnerChoice::Voicemail:
        return QStringLiteral("voicemail");
    }
    return QString();
}

bool Engine::decide(const QString &callId, bool accept, const QString &actor, QString *error)
{
    return decide(callId, accept ? OwnerChoice::Accept : OwnerChoice::Reject, actor, error);
}

bool Engine::decide(const QString &callId, OwnerChoice choice, const QString &actor, QString *error)
{
    ActiveCall *call = activeCall(callId, false);
    if (!call || !call->machine->askPending()) {
        if (error)
            *error = QStringLiteral("call %1 is not waiting for a decision").arg(callId);
        return false;
    }
    const Step step(*this);
    const CallActions actions = choice == OwnerChoice::Voicemail
                                    ? call->machine->onOwnerVoicemail()
                                    : call->machine->onOwnerDecision(choice == OwnerChoice::Accept);
    CallUpdate update;
    if (const auto d = call->machine->decision()) {
        update.decision = d->decisionName();
        update.reason = d->reason;
    }
    update.state = call->machine->state();
    appendEngineEvent(
        call, QStringLiteral("tel.owner_decision"),
        {{QStringLiteral("accept"), choice == OwnerChoice::Accept},
         {QStringLiteral("choice"), ownerChoiceName(choice)},
         {QStringLiteral("decision"),
          call->machine->decision() ? call->machine->decision()->toJson() : QJsonObject()}},
        actor, &update);
    execute(*call, actions);
    return true;
}

void Engine::setDryRun(bool on)
{
    m_config.dryRun = on;
}

void Engine::pollOwnerDecisions()
{
    // `kevan-tel calls decide` runs in another process: it appends a request event, which the
    // engine carries out here.
    bool asking = false;
    for (const auto &c : m_calls)
        asking = asking || c->machine->askPending();
    EventQuery q;
    q.type = QStringLiteral("tel.owner_decision_requested");
    q.afterSeq = m_lastPolledSeq;
    q.limit = 100;
    // The last seq read before the query: a request appended between the query and reading
    // lastSeq() afterwards would otherwise be skipped for ever.
    const qint64 upTo = m_store->lastSeq();
    const QList<StoredEvent> requests = m_store->events(q);
    m_lastPolledSeq = qMax(m_lastPolledSeq, upTo);
    for (const StoredEvent &r : requests)
        m_lastPolledSeq = qMax(m_lastPolledSeq, r.seq);
    for (auto it = requests.crbegin(); it != requests.crend(); ++it)
        decide(it->callId, choiceOf(it->payload), it->actor);
    if (!asking && requests.isEmpty())
        m_decisionPoll.stop();
}

void Engine::afterTransition(ActiveCall &call, const QString &eventType,
                             const WebhookEvent *webhook)
{
    const QString state = call.machine->state();
    if (state == call.lastState)
        return;
    call.lastState = state;
    CallUpdate update;
    update.state = state;
    QString type;
    QJsonObject payload{{QStringLiteral("state"), state}, {QStringLiteral("after"), eventType}};
    if (call.machine->ended()) {
        type = QStringLiteral("tel.call_ended");
        update.endedAt =
            webhook && !webhook->occurredAtText.isEmpty() ? webhook->occurredAtText : nowIso();
        update.hangupCause = call.machine->endCause();
        payload.insert(QStringLiteral("cause"), call.machine->endCause());
        if (webhook) {
            payload.insert(QStringLiteral("hangup_source"), webhook->payload.hangupSource);
            payload.insert(QStringLiteral("sip_hangup_cause"), webhook->payload.sipHangupCause);
        }
        if (call.askTimer)
            call.askTimer->stop();
        cancelForCall(call.machine->legA());
        if (!call.machine->legB().isEmpty())
            cancelForCall(call.machine->legB());
    } else if (state == QLatin1String("forwarded")) {
        type = QStringLiteral("tel.call_forwarded");
    } else if (state == QLatin1String("failed")) {
        type = QStringLiteral("tel.call_failed");
        payload.insert(QStringLiteral("notes"), QJsonArray::fromStringList(call.machine->notes()));
    } else {
        type = QStringLiteral("tel.call_state");
    }
    appendEngineEvent(&call, type, payload, Actor, &update);
}

bool Engine::appendEngineEvent(ActiveCall *call, const QString &type, const QJsonObject &payload,
                               const QString &actor, CallUpdate *update)
{
    NewEvent e;
    e.type = type;
    e.callId = call ? call->callId : QString();
    e.actor = actor;
    e.payload = payload;
    if (update && call)
        update->callId = call->callId;
    const AppendResult result = m_store->append(e, update && call ? update : nullptr);
    if (!result.ok()) {
        qCWarning(lcEngine).noquote() << "could not record" << type << ":" << result.error;
        noteWrite(false, result.error);
        return false;
    }
    noteWrite(true);
    if (call && m_stepDepth > 0) {
        if (!m_changedCalls.contains(call->callId))
            m_changedCalls.append(call->callId);
    } else if (call) {
        if (const auto record = m_store->call(call->callId))
            emit callChanged(*record);
    }
    return true;
}

void Engine::announceChangedCalls()
{
    const QStringList changed = std::exchange(m_changedCalls, {});
    // Reading the calls back costs a query each: only for someone listening (the dashboard).
    static const QMetaMethod signal = QMetaMethod::fromSignal(&Engine::callChanged);
    if (!isSignalConnected(signal))
        return;
    for (const QString &callId : changed) {
        if (const auto record = m_store->call(callId))
            emit callChanged(*record);
    }
}

void Engine::noteWebhookReceived(const QDateTime &at)
{
    m_lastWebhookAt = at;
    if (m_server)
        m_server->metrics().setGauge(QStringLiteral("kevantel_last_webhook_timestamp_seconds"),
                                     at.isValid() ? double(at.toMSecsSinceEpoch()) / 1000 : 0);
    if (at.isValid())
        emit webhookReceived(at);
}

void Engine::noteWrite(bool ok, const QString &error)
{
    // In a batch a write is only known to be durable at the commit; a failed commit reports
    // itself after the writes it held.
    if (ok) {
        m_writeError.clear();
    } else {
        m_writeError = error.isEmpty() ? QStringLiteral("unknown error") : error;
        m_writeErrorAge.start();
    }
}

void Engine::noteTelnyxResult(bool ok, const QString &message)
{
    if (ok == !m_telnyxFailing)
        return;
    m_telnyxFailing = !ok;
    if (m_server)
        m_server->metrics().setGauge(QStringLiteral("kevantel_telnyx_failing"),
                                     m_telnyxFailing ? 1 : 0);
    if (m_telnyxFailing)
        qCWarning(lcEngine).noquote() << "Telnyx commands are failing:" << message;
    else
        qCInfo(lcEngine) << "Telnyx commands work again";
    emit telnyxHealthChanged(m_telnyxFailing, message);
}

// --- voicemail ------------------------------------------------------------------------------

void Engine::handleRecordingEvent(const WebhookEvent &event)
{
    if (!m_voicemail || !m_fetcher)
        return;
    const QJsonObject payload = event.payloadJson;
    VoicemailRepository::Result r;
    QString what;
    if (event.eventType == QLatin1String("call.recording.saved")) {
        what = QStringLiteral("a voicemail recording");
        RecordingPayload::Saved saved = RecordingPayload::parseSaved(payload);
        // The webhook has no numbers; the call's row has them (keyed by its session).
        if (const auto call = m_store->call(callIdOf(event))) {
            saved.from = call->fromNumber.left(RecordingPayload::kMaxNumberChars);
            saved.to = call->toNumber.left(RecordingPayload::kMaxNumberChars);
        }
        bool start = false;
        r = m_fetcher->record(saved, &start);
        if (r.ok && start) {
            // Downloaded once the message is committed: a group that fails to commit leaves no
            // message, and Telnyx delivers the webhook again.
            Outgoing out;
            out.kind = Outgoing::FetchRecording;
            out.voicemailId = r.id;
            if (m_stepDepth > 0)
                m_outbox.append(out);
            else
                dispatch(out);
        }
    } else if (event.eventType == QLatin1String("call.recording.transcription.saved")) {
        what = QStringLiteral("a voicemail transcript");
        r = m_voicemail->recordTranscription(RecordingPayload::parseTranscription(payload), Actor);
    } else if (event.eventType == QLatin1String("call.recording.error")) {
        what = QStringLiteral("a recording error");
        r = m_voicemail->recordTelnyxError(RecordingPayload::parseError(payload), Actor);
    } else {
        return;
    }
    // A payload that names no recording and no call is refused here, which is no fault of the
    // store (a failing store fails the step's commit, which /health reports).
    if (!r.ok)
        qCWarning(lcEngine).noquote() << "could not record" << what << ":" << r.error;
}

void Engine::applyVoicemailRetention()
{
    if (!m_voicemail || m_config.voicemailRetentionDays <= 0)
        return;
    QStringList errors;
    const int deleted =
        VoicemailFiles::applyRetention(*m_voicemail, m_config.voicemailRetentionDays,
                                       QDateTime::currentDateTimeUtc(), Actor, &errors);
    if (deleted > 0)
        qCInfo(lcEngine) << "deleted the audio of" << deleted << "voicemail messages older than"
                         << m_config.voicemailRetentionDays << "days";
    for (const QString &e : std::as_const(errors))
        qCWarning(lcEngine).noquote() << "voicemail retention:" << e;
}

// --- restart --------------------------------------------------------------------------------

void Engine::recoverCalls()
{
    const Step step(*this);
    CallQuery q;
    q.limit = 500;
    const QDateTime horizon = QDateTime::currentDateTimeUtc().addSecs(-4 * 3600);
    int recovered = 0;
    for (const CallRecord &record : m_store->calls(q)) {
        if (isTerminal(record.state))
            continue;
        const QDateTime started = QDateTime::fromString(record.startedAt, Qt::ISODateWithMs);
        if (started.isValid() && started < horizon)
            continue; // Telnyx has long since ended it; nothing to carry on
        auto call = std::make_shared<ActiveCall>();
        call->callId = record.callId;
        call->machine = std::make_unique<CallStateMachine>(callConfig());
        m_calls.insert(record.callId, call);
        replay(*call, m_store->eventsForCall(record.callId));
        ++recovered;
    }
    if (recovered > 0)
        qCInfo(lcEngine) << "carried on" << recovered << "calls in flight from the event log";
}

void Engine::replay(ActiveCall &call, const QList<StoredEvent> &events)
{
    // Feed the machine the same inputs in the same order; collect the commands it asked for
    // and the steps whose outcome is known. A command asked for without a known outcome is
    // sent again with its command_id, which Telnyx de-duplicates.
    QList<CallAction> asked;
    QSet<QString> settled;
    auto collect = [&asked](const CallActions &actions) {
        for (const CallAction &a : actions) {
            if (a.isCommand())
                asked.append(a);
        }
    };
    std::optional<WebhookEvent> initiated; // leg A's call.initiated
    // An owner's decision asked for (`calls decide`) and not yet carried out: made while the
    // engine was stopped, it is carried out now rather than lost.
    std::optional<StoredEvent> requested;
    for (const StoredEvent &e : events) {
        if (e.actor == QLatin1String("telnyx")) {
            const auto webhook =
                WebhookEvent::parse(QJsonDocument(e.payload).toJson(QJsonDocument::Compact));
            if (webhook) {
                collect(call.machine->onWebhook(webhook->eventType, webhook->payload));
                if (!initiated && webhook->eventType == QLatin1String("call.initiated") &&
                    webhook->payload.callControlId == call.machine->legA())
                    initiated = webhook;
            }
        } else if (e.type.startsWith(QLatin1String("tel.call_")) &&
                   e.payload.contains(QStringLiteral("decision")) &&
                   e.payload.contains(QStringLiteral("call_config"))) {
            const auto config =
                CallConfig::fromJson(e.payload.value(QStringLiteral("call_config")).toObject());
            if (!call.machine->decision()) {
                // Commands follow the configuration the call started with.
                CallStateMachine fresh(config);
                for (const StoredEvent &w : events) {
                    if (&w == &e)
                        break;
                    if (w.actor != QLatin1String("telnyx"))
                        continue;
                    if (const auto webhook = WebhookEvent::parse(
                            QJsonDocument(w.payload).toJson(QJsonDocument::Compact)))
                        fresh.onWebhook(webhook->eventType, webhook->payload);
                }
                *call.machine = fresh;
            }
            if (const auto d =
                    Decision::fromJson(e.payload.value(QStringLiteral("decision")).toObject()))
                collect(call.machine->onDecision(*d));
        } else if (e.type == QLatin1String("tel.owner_decision_requested")) {
            requested = e;
        } else if (e.type == QLatin1String("tel.owner_decision")) {
            requested.reset();
            const OwnerChoice choice = choiceOf(e.payload);
            collect(choice == OwnerChoice::Voicemail
                        ? call.machine->onOwnerVoicemail()
                        : call.machine->onOwnerDecision(choice == OwnerChoice::Accept));
        } else if (e.type == QLatin1String("tel.ask_timeout")) {
            requested.reset();
            collect(call.machine->onAskTimeout());
        } else if (e.type == QLatin1String(ScreeningEvents::PinVerified) ||
                   e.type == QLatin1String(ScreeningEvents::PinFailed) ||
                   e.type == QLatin1String(RegistrationEvents::CallInTried)) {
            // The verdict on a try's digits (the stored webhook has them redacted); tries
            // without digits (timeout, ...) the machine settled from the webhook itself.
            if (const auto r = CallStateMachine::pinResultFromName(
                    e.payload.value(QStringLiteral("result")).toString()))
                collect(
                    call.machine->onPinResult(e.payload.value(QStringLiteral("try")).toInt(), *r));
        } else if (e.type == QLatin1String("tel.command_ok") ||
                   e.type == QLatin1String("tel.command_failed")) {
            const QString step = e.payload.value(QStringLiteral("step")).toString();
            if (e.payload.value(QStringLiteral("cancelled")).toBool())
                continue; // stopped by the previous run's shutdown: still unsettled
            settled.insert(step);
            collect(call.machine->onCommandResult(
                step, e.type == QLatin1String("tel.command_ok"),
                e.payload.value(QStringLiteral("call_ended")).toBool()));
        }
    }
    call.lastState = call.machine->state();
    if (call.machine->ended() || call.machine->stateCode() == CallStateMachine::State::Failed) {
        // The previous run stored the end but stopped before recording it.
        call.lastState.clear();
        afterTransition(call, QStringLiteral("recovery"), nullptr);
        return;
    }
    if (!call.machine->decision() && initiated && !call.machine->finished()) {
        // The previous run stored the call but stopped before deciding it; Telnyx's redelivery
        // of call.initiated is a duplicate, which is not processed again: decide it now.
        decideCall(call, *initiated);
        return;
    }
    if (const int pinTry = call.machine->pinAwaiting(); pinTry > 0 && !call.machine->finished()) {
        // The previous run stored a try's digits but not their verdict; the stored copy has
        // them redacted, so the try counts as failed (the caller is asked again).
        const CallActions actions =
            call.machine->onPinResult(pinTry, CallStateMachine::PinResult::Unverifiable);
        CallUpdate update;
        if (const auto d = call.machine->decision())
            applyDecision(update, *d);
        update.state = call.machine->state();
        const bool code = call.machine->decision() && call.machine->decision()->reason.startsWith(
                                                          QLatin1String("registration_"));
        appendEngineEvent(&call,
                          QString::fromLatin1(code ? RegistrationEvents::CallInTried
                                                   : ScreeningEvents::PinFailed),
                          {{QStringLiteral("try"), pinTry},
                           {QStringLiteral("outcome"), QStringLiteral("unverifiable")},
                           {QStringLiteral("result"), QStringLiteral("unverifiable")}},
                          Actor, &update);
        for (const CallAction &a : actions) {
            if (a.isCommand())
                asked.append(a);
        }
    }
    // A call that is going away still gets the command that ends it (hangup, reject) when that
    // command's outcome is unknown; whatever else it asked for is moot by now.
    const bool finishing = call.machine->finished();
    for (const CallAction &a : asked) {
        if (settled.contains(a.step))
            continue;
        if (finishing && a.name != QLatin1String("hangup") && a.name != QLatin1String("reject"))
            continue;
        sendCommand(call, a, true);
    }
    if (finishing)
        return;
    if (call.machine->askPending()) {
        execute(call, {CallAction::startAskTimer(call.machine->config().askTimeoutSecs)});
        m_decisionPoll.start();
        if (requested)
            decide(call.callId, choiceOf(requested->payload), requested->actor);
    }
}

} // namespace kt
