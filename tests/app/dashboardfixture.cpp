// SPDX-License-Identifier: GPL-3.0-or-later
#include "dashboardfixture.h"

#include "demodata.h"
#include "engine/enginehost.h"

namespace kt::test {

DashboardFixture::DashboardFixture() = default;

DashboardFixture::~DashboardFixture()
{
    // The engine thread stops before the dashboard (and its controller) goes.
    if (m_dashboard)
        m_dashboard->controller().detachEngine();
    if (m_host)
        m_host->stopAndWait();
    m_dashboard.reset();
    m_host.reset();
}

bool DashboardFixture::setUp(bool withEngine, QString *error, int callDays)
{
    if (!m_dir.isValid()) {
        *error = QStringLiteral("no temporary directory");
        return false;
    }
    const QDateTime now = QDateTime::currentDateTime();
    if (!DemoData::seed(databasePath(), error, now, callDays))
        return false;

    Dashboard::Options options;
    options.databasePath = databasePath();
    options.demo = true;
    options.config.configFile = configFile();
    options.config.databasePath = databasePath();
    options.config.demo = true;
    options.secrets = &m_secrets;
    options.autostartLocation = autostartDir();
    options.audioPlayback = m_audioPlayback;
    if (withEngine) {
        Config config;
        config.databasePath = databasePath();
        config.port = 0;
        config.adminPort = 0;
        // Never used by default: every call in the database has ended, and no webhook comes.
        config.telnyxApiUrl = m_telnyxApiUrl;
        config.apiKey = m_apiKey;
        m_host = std::make_unique<EngineHost>(config);
        if (!m_host->startAndWait(error))
            return false;
        options.serverUrl = m_host->url();
    }
    m_dashboard = std::make_unique<Dashboard>(options, m_host ? m_host->engine() : nullptr);
    if (!m_dashboard->open(error))
        return false;
    m_dashboard->calls().upsert(DemoData::forwardingCall(now));
    m_dashboard->calls().upsert(DemoData::askingCall(now));
    return true;
}

bool DashboardFixture::addVoicemail(QString *error, DemoData::Voicemail *out)
{
    if (!DemoData::seedVoicemail(databasePath(), error, QDateTime::currentDateTime(), out))
        return false;
    m_dashboard->events().fetchNewer();
    return true;
}

QVariantMap DashboardFixture::properties(const QStringList &names) const
{
    const QVariantMap all = m_dashboard->properties();
    QVariantMap out;
    for (const QString &name : names)
        out.insert(name, all.value(name));
    return out;
}

} // namespace kt::test
