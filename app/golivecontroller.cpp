// SPDX-License-Identifier: GPL-3.0-or-later
#include "golivecontroller.h"

#include "server/webhookserver.h"

#include "engine/config.h"
#include "engine/engine.h"

#include <QThread>
#include <QUrl>

namespace kt {

namespace {
// A webhook's time as the Go live page shows it: local, to the second.
QString shownTime(const QDateTime &at)
{
    return at.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}
} // namespace

GoLiveController::Settings GoLiveController::Settings::fromConfig(const Config &config,
                                                                  const QString &serverUrl)
{
    Settings s;
    s.serverUrl = serverUrl;
    s.telnyxApiUrl = config.telnyxApiUrl;
    s.apiKey = config.apiKey;
    s.applicationId = config.applicationId;
    s.failoverUrl = config.failoverUrl;
    s.cloudflared = config.cloudflared;
    s.quietWarningMinutes = config.quietWarningMinutes;
    s.demo = config.demo;
    return s;
}

GoLiveController::GoLiveController(const Settings &settings, QObject *parent)
    : QObject(parent), m_settings(settings)
{
    if (!settings.cloudflared.isEmpty())
        m_tunnel.setProgram(settings.cloudflared);
    m_setup.setBaseUrl(QUrl(settings.telnyxApiUrl));
    m_setup.setApiKey(settings.apiKey);
    m_setup.setApplicationId(settings.applicationId);
    m_liveness.setQuietPeriodSecs(qint64(settings.quietWarningMinutes) * 60);
    // Calls are expected from a real account; the demo's simulator is not watched.
    m_liveness.setExpecting(!settings.demo && !settings.apiKey.isEmpty());

    connect(&m_tunnel, &Tunnel::stateChanged, this, &GoLiveController::onTunnelState);
    connect(&m_setup, &WebhookSetup::finished, this, &GoLiveController::onSetupFinished);
    connect(&m_setup, &WebhookSetup::progress, this, [this](const QString &step) {
        setSetupMessage(false, false, step + QStringLiteral("…"));
    });
    connect(&m_liveness, &WebhookLiveness::lastWebhookAtChanged, this,
            &GoLiveController::livenessChanged);
    connect(&m_liveness, &WebhookLiveness::quietChanged, this, &GoLiveController::livenessChanged);
}

GoLiveController::~GoLiveController() = default; // the tunnel stops with m_tunnel

void GoLiveController::attachEngine(Engine *engine)
{
    if (!engine)
        return;
    m_engine = engine;
    connect(engine, &Engine::webhookReceived, &m_liveness, &WebhookLiveness::noteWebhook,
            Qt::QueuedConnection);
    QDateTime last;
    if (engine->thread() == QThread::currentThread() || !engine->thread()->isRunning())
        last = engine->lastWebhookAt();
    else
        QMetaObject::invokeMethod(
            engine, [engine] { return engine->lastWebhookAt(); }, Qt::BlockingQueuedConnection,
            &last);
    if (last.isValid())
        m_liveness.noteWebhook(last);
}

QString GoLiveController::localUrl() const
{
    return m_settings.serverUrl.isEmpty()
               ? QString()
               : m_settings.serverUrl + QLatin1String(WebhookSetup::WebhookPath);
}

QString GoLiveController::unavailableReason() const
{
    if (m_settings.demo)
        return tr("Demo mode: the simulated Telnyx already delivers here. Set TELNYX_API_KEY to "
                  "go live with your account.");
    if (m_settings.apiKey.isEmpty())
        return tr("No Telnyx API key: set TELNYX_API_KEY (or api-key in the config file).");
    return {};
}

bool GoLiveController::tunnelAvailable() const
{
    return m_tunnel.isAvailable() && QUrl(m_settings.serverUrl).port() > 0;
}

QString GoLiveController::lastWebhookText() const
{
    const QDateTime at = m_liveness.lastWebhookAt();
    if (!at.isValid())
        return tr("none yet");
    return shownTime(at);
}

void GoLiveController::setInstanceWebhooks(const QList<EventStore::InstanceWebhook> &webhooks)
{
    QVariantList instances;
    for (const auto &w : webhooks) {
        instances.append(QVariantMap{{QStringLiteral("name"), w.instance},
                                     {QStringLiteral("lastWebhookText"), shownTime(w.at)}});
    }
    if (instances == m_instances)
        return;
    m_instances = instances;
    emit instancesChanged();
}

void GoLiveController::setAutoGoLive(bool on)
{
    if (on == m_autoGoLive)
        return;
    m_autoGoLive = on;
    emit autoGoLiveChanged();
}

bool GoLiveController::goLive(const QString &publicUrl, const QString &failoverUrl)
{
    if (!canGoLive()) {
        setSetupMessage(true, false, unavailableReason());
        emit goLiveFinished(false, m_setupMessage);
        return false;
    }
    QString error;
    m_setup.setFailoverUrl(failoverUrl);
    if (!m_setup.start(publicUrl, &error)) {
        setSetupMessage(true, false, error);
        emit goLiveFinished(false, error);
        return false;
    }
    setSetupMessage(false, false, tr("Contacting Telnyx…"));
    return true;
}

bool GoLiveController::startTunnel()
{
    const quint16 port = quint16(QUrl(m_settings.serverUrl).port());
    if (port == 0)
        return false;
    const bool started = m_tunnel.start(port);
    emit tunnelChanged();
    return started;
}

void GoLiveController::stopTunnel()
{
    m_tunnel.stop();
    emit tunnelChanged();
}

void GoLiveController::onTunnelState(Tunnel::State state, const QString &message)
{
    Q_UNUSED(message)
    emit tunnelChanged();
    if (state == Tunnel::State::Running && m_autoGoLive && canGoLive() && !m_setup.isRunning())
        goLive(m_tunnel.publicUrl().toString(), m_settings.failoverUrl);
}

void GoLiveController::onSetupFinished(const WebhookSetupResult &result)
{
    if (result.ok) {
        m_webhookUrl = result.webhookUrl;
        m_failoverUrl = result.failoverUrl;
        // The page's public address for {register_url} in the rejection message.
        QString publicUrl = result.webhookUrl;
        if (publicUrl.endsWith(QLatin1String(WebhookServer::WebhookPath)))
            publicUrl.chop(int(qstrlen(WebhookServer::WebhookPath)));
        if (m_engine)
            QMetaObject::invokeMethod(m_engine, "setPublicUrl", Qt::QueuedConnection,
                                      Q_ARG(QString, publicUrl));
        // Webhooks come through the new URL from now on: the quiet period starts again.
        m_liveness.setExpecting(true);
        const QString name =
            result.applicationName.isEmpty() ? result.applicationId : result.applicationName;
        setSetupMessage(true, true,
                        result.failoverUrl.isEmpty()
                            ? tr("%1 now sends webhooks to %2").arg(name, result.webhookUrl)
                            : tr("%1 now sends webhooks to %2, and to %3 when that fails")
                                  .arg(name, result.webhookUrl, result.failoverUrl));
    } else {
        setSetupMessage(true, false, result.error);
    }
    emit goLiveFinished(result.ok, m_setupMessage);
}

void GoLiveController::setSetupMessage(bool done, bool ok, const QString &message)
{
    m_setupDone = done;
    m_setupOk = ok;
    m_setupMessage = message;
    emit setupChanged();
}

} // namespace kt
