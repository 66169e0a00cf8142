// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "dashboard.h"
#include "demodata.h"
#include "platform/secretstore.h"

#include <QTemporaryDir>

#include <memory>

namespace kt {
class EngineHost;
}

namespace kt::test {

// The dashboard as the app builds it, on a temporary database seeded with DemoData, with (or
// without) a real engine in its thread, and two calls in flight in the live list (one asking
// the owner). For the QML tests and screenshots.
class DashboardFixture
{
public:
    DashboardFixture();
    ~DashboardFixture();

    // False with `error` when something could not be set up. `callDays`: days of demo calls.
    bool setUp(bool withEngine, QString *error, int callDays = 7);
    // Before setUp(): whether the voicemail player may use Qt Multimedia (default: yes).
    void setAudioPlayback(bool on) { m_audioPlayback = on; }
    // Before setUp(): the engine's Telnyx API (default: a closed port, and no key).
    void setTelnyx(const QString &apiUrl, const QString &apiKey)
    {
        m_telnyxApiUrl = apiUrl;
        m_apiKey = apiKey;
    }
    // After setUp(): the demo voicemail (DemoData::seedVoicemail), written beside the running
    // dashboard; the dashboard sees it through its event log, as it would the engine's.
    bool addVoicemail(QString *error, DemoData::Voicemail *out = nullptr);

    Dashboard &dashboard() { return *m_dashboard; }
    QString databasePath() const { return m_dir.filePath(QStringLiteral("dashboard.db")); }
    // Settings: the config file Save writes, the in-memory keychain and the autostart folder.
    QString configFile() const { return m_dir.filePath(QStringLiteral("kevan-tel.conf")); }
    QString autostartDir() const { return m_dir.filePath(QStringLiteral("autostart")); }
    MemorySecretStore &secrets() { return m_secrets; }
    QString tempPath(const QString &name) const { return m_dir.filePath(name); }
    // The initial properties of a view: the dashboard's, limited to `names`.
    QVariantMap properties(const QStringList &names) const;

private:
    QTemporaryDir m_dir;
    MemorySecretStore m_secrets;
    std::unique_ptr<EngineHost> m_host;
    std::unique_ptr<Dashboard> m_dashboard;
    bool m_audioPlayback = true;
    QString m_telnyxApiUrl = QStringLiteral("http://127.0.0.1:9/v2");
    QString m_apiKey;
};

} // namespace kt::test
