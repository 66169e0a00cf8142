// SPDX-License-Identifier: GPL-3.0-or-later
#include "dashboard.h"

#include "engine/engine.h"
#include "store/eventstore.h"

namespace kt {

Dashboard::Dashboard(const Options &options, Engine *engine, QObject *parent)
    : QObject(parent), m_options(options), m_askingCalls(CallFilterModel::Asking, &m_calls),
      m_activeCalls(CallFilterModel::InProgress, &m_calls),
      m_recentCalls(CallFilterModel::Finished, &m_calls),
      m_numberSearch(&m_numbers,
                     {QStringLiteral("e164"), QStringLiteral("written"), QStringLiteral("label"),
                      QStringLiteral("nameSpace"), QStringLiteral("effectivePolicy")}),
      m_controller(engine, options.databasePath, options.dryRun), m_goLive(options.goLive),
      m_firstRun(options.firstRun, options.config.configFile)
{
    m_calls.setAskTimeoutSecs(options.askTimeoutSecs);
    m_history.setAskTimeoutSecs(options.askTimeoutSecs);
    m_numbers.setDefaultPolicy(options.defaultPolicy);
    m_callDetail.setContext({options.askTimeoutSecs, {}});
    connect(&m_numbers, &SnapshotListModel::refreshed, this, &Dashboard::applyNumberLabels);
    connect(&m_controller, &EngineController::screeningChanged, this, [this] {
        refreshLists();
        m_events.fetchNewer();
    });
    // The voicemail list follows the log: a tel.voicemail_* event appended (by the engine, an
    // action here or the command line) re-reads it.
    connect(&m_events, &EventLogModel::logAdvanced, &m_voicemail, &VoicemailModel::onLogAdvanced);
    connect(&m_controller, &EngineController::voicemailChanged, &m_events,
            &EventLogModel::fetchNewer);
    m_player = std::make_unique<VoicemailPlayer>(nullptr, options.audioPlayback);
    // Changes made elsewhere (the command line next to the running app) show up within seconds.
    m_refreshTimer.setInterval(10000);
    connect(&m_refreshTimer, &QTimer::timeout, this, &Dashboard::refreshLists);
    if (engine) {
        connect(engine, &Engine::callChanged, this, &Dashboard::onCallChanged,
                Qt::QueuedConnection);
        // A registration now waits for the owner (or joined the registry).
        connect(engine, &Engine::registrationProven, this, &Dashboard::refreshLists,
                Qt::QueuedConnection);
        connect(engine, &Engine::telnyxHealthChanged, &m_controller,
                &EngineController::onTelnyxHealthChanged, Qt::QueuedConnection);
        m_goLive.attachEngine(engine);
    }
    SecretStore *secrets = options.secrets;
    if (!secrets) {
        m_keychain = std::make_unique<KeychainSecretStore>();
        secrets = m_keychain.get();
    }
    m_settings =
        std::make_unique<SettingsController>(options.config, secrets, options.autostartLocation);
    m_tester = std::make_unique<ConnectionTester>(
        QUrl(options.config.telnyxApiUrl), options.config.demo ? QString() : options.config.apiKey,
        secrets, &m_controller);
}

Dashboard::~Dashboard() = default;

bool Dashboard::open(QString *error)
{
    const QString path = m_options.databasePath;
    {
        // The live list starts with the most recent calls.
        ReadOnlyDatabase seed;
        if (!seed.open(path, QStringLiteral("seed"))) {
            *error = seed.errorString();
            return false;
        }
        CallQuery q;
        q.limit = m_calls.maxRows();
        m_calls.reset(seed.store().calls(q));
    }
    bool ok = m_history.open(path) && m_events.open(path) && m_numbers.open(path) &&
              m_rules.open(path) && m_registrations.open(path) &&
              m_pendingRegistrations.open(path) && m_certificates.open(path) &&
              m_stats.open(path) && m_callDetail.open(path) && m_voicemail.open(path);
    if (!ok) {
        for (const QString &e :
             {m_history.errorString(), m_events.errorString(), m_numbers.errorString(),
              m_rules.errorString(), m_registrations.errorString(),
              m_pendingRegistrations.errorString(), m_certificates.errorString(),
              m_stats.errorString(), m_callDetail.errorString(), m_voicemail.errorString()}) {
            if (!e.isEmpty()) {
                *error = e;
                break;
            }
        }
        return false;
    }
    m_events.setLive(true);
    m_refreshTimer.start();
    return true;
}

QVariantMap Dashboard::properties() const
{
    auto object = [](const QObject *o) { return QVariant::fromValue(const_cast<QObject *>(o)); };
    return {
        {QStringLiteral("calls"), object(&m_calls)},
        {QStringLiteral("askingCalls"), object(&m_askingCalls)},
        {QStringLiteral("activeCalls"), object(&m_activeCalls)},
        {QStringLiteral("recentCalls"), object(&m_recentCalls)},
        {QStringLiteral("history"), object(&m_history)},
        {QStringLiteral("events"), object(&m_events)},
        {QStringLiteral("numbers"), object(&m_numberSearch)},
        {QStringLiteral("policies"), NumberListModel::policies()},
        {QStringLiteral("defaultPolicy"), m_options.defaultPolicy},
        {QStringLiteral("rules"), object(&m_rules)},
        {QStringLiteral("registrations"), object(&m_registrations)},
        {QStringLiteral("pendingRegistrations"), object(&m_pendingRegistrations)},
        {QStringLiteral("certificates"), object(&m_certificates)},
        {QStringLiteral("controller"), object(&m_controller)},
        {QStringLiteral("demo"), m_options.demo},
        {QStringLiteral("serverUrl"), m_options.serverUrl},
        {QStringLiteral("goLive"), object(&m_goLive)},
        {QStringLiteral("stats"), object(&m_stats)},
        {QStringLiteral("callDetail"), object(&m_callDetail)},
        {QStringLiteral("settings"), object(m_settings.get())},
        {QStringLiteral("tester"), object(m_tester.get())},
        {QStringLiteral("firstRun"), object(&m_firstRun)},
        {QStringLiteral("voicemail"), object(&m_voicemail)},
        {QStringLiteral("player"), object(m_player.get())},
    };
}

void Dashboard::refreshLists()
{
    m_numbers.refresh();
    m_rules.refresh();
    m_registrations.refresh();
    m_pendingRegistrations.refresh();
    m_certificates.refresh();
    m_stats.scheduleRefresh();
}

void Dashboard::onCallChanged(const CallRecord &call)
{
    m_calls.upsert(call);
    m_history.onCallChanged(call);
    m_events.fetchNewer();
    m_numbers.scheduleRefresh(); // the call counts
    m_stats.scheduleRefresh();
    if (call.callId == m_callDetail.callId())
        m_callDetail.scheduleReload();
}

void Dashboard::applyNumberLabels()
{
    const auto labels = m_numbers.labels();
    m_calls.setNumberLabels(labels);
    m_history.setNumberLabels(labels);
    m_callDetail.setContext({m_options.askTimeoutSecs, labels});
    m_voicemail.setNumberLabels(labels);
}

} // namespace kt
