// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "codeenums.h"

#include "golive/tunnel.h"
#include "golive/webhookliveness.h"
#include "golive/webhooksetup.h"
#include "store/eventstore.h"

#include <QDateTime>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QVariantList>
#include <QtQml/qqmlregistration.h>

namespace kt {

class Engine;
struct Config;

// The dashboard's "Go live" page, in the UI thread: the cloudflared quick tunnel (Tunnel), the
// PATCH of the Telnyx application's webhook URL (WebhookSetup) and the quiet-webhooks warning
// (WebhookLiveness, fed by Engine::webhookReceived). None of them touches the event store. When
// the tunnel comes up, its URL is set as the webhook URL at once (autoGoLive), since a quick
// tunnel's URL changes on every start.
class GoLiveController : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("the app creates it")
    Q_PROPERTY(QString localUrl READ localUrl CONSTANT)
    Q_PROPERTY(bool canGoLive READ canGoLive CONSTANT)
    Q_PROPERTY(QString unavailableReason READ unavailableReason CONSTANT)
    Q_PROPERTY(bool tunnelAvailable READ tunnelAvailable CONSTANT)
    Q_PROPERTY(QString tunnelState READ tunnelState NOTIFY tunnelChanged)
    Q_PROPERTY(kt::TunnelState::Value tunnelStateKind READ tunnelStateKind NOTIFY tunnelChanged)
    Q_PROPERTY(QString tunnelMessage READ tunnelMessage NOTIFY tunnelChanged)
    Q_PROPERTY(QString tunnelUrl READ tunnelUrl NOTIFY tunnelChanged)
    Q_PROPERTY(bool autoGoLive READ autoGoLive WRITE setAutoGoLive NOTIFY autoGoLiveChanged)
    Q_PROPERTY(bool setupRunning READ setupRunning NOTIFY setupChanged)
    Q_PROPERTY(bool setupDone READ setupDone NOTIFY setupChanged)
    Q_PROPERTY(bool setupOk READ setupOk NOTIFY setupChanged)
    Q_PROPERTY(QString setupMessage READ setupMessage NOTIFY setupChanged)
    Q_PROPERTY(QString webhookUrl READ webhookUrl NOTIFY setupChanged)
    Q_PROPERTY(QString failoverUrl READ failoverUrl NOTIFY setupChanged)
    Q_PROPERTY(QString configuredFailoverUrl READ configuredFailoverUrl CONSTANT)
    Q_PROPERTY(QString lastWebhookText READ lastWebhookText NOTIFY livenessChanged)
    Q_PROPERTY(QVariantList instances READ instances NOTIFY instancesChanged)
    Q_PROPERTY(bool quiet READ quiet NOTIFY livenessChanged)
    Q_PROPERTY(QString quietMessage READ quietMessage NOTIFY livenessChanged)
public:
    struct Settings
    {
        QString serverUrl; // the engine's http://127.0.0.1:PORT
        QString telnyxApiUrl = QStringLiteral("https://api.telnyx.com/v2");
        QString apiKey;
        QString applicationId;
        QString failoverUrl; // a second instance's public URL (failover-url); empty: none
        QString cloudflared; // empty: "cloudflared" on PATH
        int quietWarningMinutes = 1440;
        bool demo = false;

        static Settings fromConfig(const Config &config, const QString &serverUrl);
    };

    explicit GoLiveController(const Settings &settings, QObject *parent = nullptr);
    ~GoLiveController() override;

    // Follows the engine's webhookReceived (queued; the engine may live in another thread) and
    // starts from its lastWebhookAt(). Null: nothing.
    void attachEngine(Engine *engine);

    QString localUrl() const;
    bool canGoLive() const { return unavailableReason().isEmpty(); }
    QString unavailableReason() const; // why "Go live" cannot work (demo, no API key)
    bool tunnelAvailable() const;
    QString tunnelState() const { return m_tunnel.stateName(); }
    TunnelState::Value tunnelStateKind() const { return TunnelState::fromCore(m_tunnel.state()); }
    QString tunnelMessage() const { return m_tunnel.message(); }
    QString tunnelUrl() const { return m_tunnel.publicUrl().toString(); }
    bool autoGoLive() const { return m_autoGoLive; }
    void setAutoGoLive(bool on);
    bool setupRunning() const { return m_setup.isRunning(); }
    bool setupDone() const { return m_setupDone; }
    bool setupOk() const { return m_setupOk; }
    QString setupMessage() const { return m_setupMessage; }
    QString webhookUrl() const { return m_webhookUrl; }
    // The application's failover URL after the last successful run ("" = none).
    QString failoverUrl() const { return m_failoverUrl; }
    QString configuredFailoverUrl() const { return m_settings.failoverUrl; }
    QString lastWebhookText() const;
    // The engine instances that share a PostgreSQL database, each with its last webhook, the
    // most recent first: {"name": "primary@2026-12-05T21:00:00Z", "lastWebhookText": "..."}.
    // Empty with SQLite (one instance, whose last webhook is lastWebhookText).
    QVariantList instances() const { return m_instances; }
    void setInstanceWebhooks(const QList<EventStore::InstanceWebhook> &webhooks);
    bool quiet() const { return m_liveness.isQuiet(); }
    QString quietMessage() const { return m_liveness.message(); }

    Tunnel &tunnel() { return m_tunnel; }
    WebhookSetup &setup() { return m_setup; }
    WebhookLiveness &liveness() { return m_liveness; }

    // PATCHes the application's webhook URL to `publicUrl` (+ /webhooks/telnyx), and its failover
    // URL to `failoverUrl` (+ /webhooks/telnyx) unless that is empty (then the application keeps
    // its own). False (with setupMessage) when it cannot start.
    Q_INVOKABLE bool goLive(const QString &publicUrl, const QString &failoverUrl = QString());
    Q_INVOKABLE bool startTunnel();
    Q_INVOKABLE void stopTunnel();

signals:
    void tunnelChanged();
    void autoGoLiveChanged();
    void setupChanged();
    void livenessChanged();
    void instancesChanged();
    // A go-live run ended (for the toast).
    void goLiveFinished(bool ok, const QString &message);

private:
    void onSetupFinished(const WebhookSetupResult &result);
    void onTunnelState(Tunnel::State state, const QString &message);
    void setSetupMessage(bool done, bool ok, const QString &message);

    Settings m_settings;
    Tunnel m_tunnel;
    WebhookSetup m_setup;
    WebhookLiveness m_liveness;
    bool m_autoGoLive = true;
    bool m_setupDone = false;
    bool m_setupOk = false;
    QString m_setupMessage;
    QString m_webhookUrl;
    QString m_failoverUrl;
    QVariantList m_instances;
    // The running engine, told the public URL once going live succeeded ({register_url}).
    QPointer<Engine> m_engine;
};

} // namespace kt
