// SPDX-License-Identifier: GPL-3.0-or-later
// Engine: start-up wiring. The store, the Telnyx client, the webhook server and its limits, the
// registration service and the voicemail fetcher are made and connected here; start() opens and
// recovers, stop() winds down. The call flow itself is in engine.cpp.
#include "engine.h"

#include "enginedetail.h"
#include "registration/registrationapi.h"
#include "registration/registrationservice.h"
#include "registration/registryapproval.h"
#include "screening/screeningrepository.h"
#include "server/metrics.h"
#include "server/webhookserver.h"
#include "store/databaseurl.h"
#include "store/eventstore.h"
#include "store/lognotifier.h"
#include "store/privatefiles.h"
#include "telnyx/callcontrolthread.h"
#include "voicemail/recordingfetcher.h"
#include "voicemail/voicemailfiles.h"
#include "voicemail/voicemailrepository.h"

#include <QCoreApplication>
#include <QFileInfo>

namespace kt {
using namespace enginedetail;
namespace {
constexpr int RetentionIntervalMs = 6 * 3600 * 1000;
} // namespace

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
    m_decisionPoll.setInterval(DecisionPollMs);
    connect(&m_decisionPoll, &QTimer::timeout, this, &Engine::pollOwnerDecisions);
    connect(&m_leaseTimer, &QTimer::timeout, this, &Engine::onLeaseTimer);
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
    if (!DatabaseUrl::isUrl(path) && !PrivateFiles::makePath(info.absolutePath())) {
        *error = QStringLiteral("cannot create the folder of the database %1").arg(path);
        return false;
    }
    m_store->setBusyTimeout(StoreBusyTimeoutMs);
    m_store->setSynchronous(m_config.synchronous == QLatin1String("NORMAL")
                                ? EventStore::Synchronous::Normal
                                : EventStore::Synchronous::Full);
    m_store->setBackgroundCheckpoints(true);
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
    // PostgreSQL tells the writer's connection when another process appended (`calls decide`,
    // a dashboard elsewhere): the requests are read then, and the poll is only a fallback.
    m_logNotifier = std::make_unique<LogNotifier>();
    if (m_logNotifier->listen(*m_store)) {
        m_decisionPoll.setInterval(DecisionFallbackPollMs);
        connect(m_logNotifier.get(), &LogNotifier::appended, this, &Engine::pollOwnerDecisions);
    } else {
        m_logNotifier.reset();
    }
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
    noteWebhookReceived(m_store->lastWebhookAt());
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
    startInstance();
    recoverCalls();
    if (m_shared)
        takeOverExpired();
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
    m_logNotifier.reset();
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
    stopInstance();
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

void Engine::setDryRun(bool on)
{
    m_config.dryRun = on;
}

} // namespace kt
