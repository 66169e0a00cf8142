// SPDX-License-Identifier: GPL-3.0-or-later
#include "callcontrolclient.h"
#include "callcontrolpending.h"

#include "proxyfactory.h"
#include "telnyxerror.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>
#include <QTimerEvent>
#include <QUuid>

#include <algorithm>
#include <array>
#include <utility>

Q_LOGGING_CATEGORY(lcCallControl, "kt.telnyx.client", QtInfoMsg)

namespace kt {

namespace {

// The id goes into the path raw: keep what the SDK encoders keep (docs/telnyx-api.md §4.1).
QString pathSegment(const QString &segment)
{
    return QString::fromLatin1(
        QUrl::toPercentEncoding(segment, QByteArrayLiteral("!$&'()*+,;=:@")));
}

} // namespace

CallControlClient::CallControlClient(QObject *parent)
    : QObject(parent), m_baseUrl(QString::fromLatin1(DefaultBaseUrl))
{
    qRegisterMetaType<kt::CommandResult>("kt::CommandResult");
    qRegisterMetaType<QList<QJsonObject>>("QList<QJsonObject>");
}

CallControlClient::~CallControlClient()
{
    // The requests in flight end here, without their signals.
    for (auto &entry : m_pending)
        dropReplies(*entry.second);
    m_pending.clear();
}

void CallControlClient::setBaseUrl(const QUrl &baseUrl)
{
    m_baseUrl = baseUrl;
}

QString CallControlClient::baseUrlProblem(const QUrl &url)
{
    const QString scheme = url.scheme().toLower();
    if (!url.isValid() || url.host().isEmpty() ||
        (scheme != QLatin1String("https") && scheme != QLatin1String("http")))
        return QStringLiteral("expected an http(s) URL");
    if (scheme == QLatin1String("http") && !ProxyFactory::isLoopbackHost(url.host()))
        return QStringLiteral("plain http is allowed only to loopback (127.0.0.0/8, ::1, "
                              "localhost): the API key would travel in clear; use https://");
    return {};
}

void CallControlClient::setApiKey(const QString &apiKey)
{
    m_apiKey = apiKey.trimmed();
}

void CallControlClient::setSslConfiguration(const QSslConfiguration &configuration)
{
    m_ssl = configuration;
    m_sslSet = true;
}

void CallControlClient::setProxy(const QNetworkProxy &proxy)
{
    m_proxy = proxy;
    if (m_manager && proxy.type() != QNetworkProxy::DefaultProxy)
        m_manager->setProxy(proxy);
}

void CallControlClient::setProxyLoopback(bool on)
{
    m_proxyLoopback = on;
    if (m_manager && m_proxy.type() == QNetworkProxy::DefaultProxy) {
        auto *factory = new ProxyFactory;
        factory->setProxyLoopback(on);
        m_manager->setProxyFactory(factory);
    }
}

QNetworkAccessManager *CallControlClient::networkAccessManager()
{
    if (!m_manager) {
        m_manager = new QNetworkAccessManager(this);
        if (m_proxy.type() != QNetworkProxy::DefaultProxy) {
            m_manager->setProxy(m_proxy);
        } else {
            auto *factory = new ProxyFactory; // the manager owns it
            factory->setProxyLoopback(m_proxyLoopback);
            m_manager->setProxyFactory(factory);
        }
    }
    return m_manager;
}

QString CallControlClient::encodeClientState(const QByteArray &state)
{
    return QString::fromLatin1(state.toBase64());
}

quint64 CallControlClient::answer(const QString &callControlId, const CommandOptions &options)
{
    return sendCommand(callControlId, QStringLiteral("answer"), {}, options);
}

quint64 CallControlClient::reject(const QString &callControlId, RejectCause cause,
                                  const CommandOptions &options)
{
    const QString text = cause == RejectCause::UserBusy ? QStringLiteral("USER_BUSY")
                                                        : QStringLiteral("CALL_REJECTED");
    return sendCommand(callControlId, QStringLiteral("reject"), {{QStringLiteral("cause"), text}},
                       options);
}

quint64 CallControlClient::hangup(const QString &callControlId, const CommandOptions &options)
{
    return sendCommand(callControlId, QStringLiteral("hangup"), {}, options);
}

quint64 CallControlClient::speak(const QString &callControlId, const QString &payload,
                                 const QString &voice, const QString &language,
                                 const CommandOptions &options)
{
    QJsonObject body{{QStringLiteral("payload"), payload}, {QStringLiteral("voice"), voice}};
    if (!language.isEmpty())
        body.insert(QStringLiteral("language"), language);
    return sendCommand(callControlId, QStringLiteral("speak"), body, options);
}

quint64 CallControlClient::transfer(const QString &callControlId, const TransferParams &params,
                                    const CommandOptions &options)
{
    QJsonObject body{{QStringLiteral("to"), params.to}};
    if (!params.from.isEmpty())
        body.insert(QStringLiteral("from"), params.from);
    if (!params.fromDisplayName.isEmpty())
        body.insert(QStringLiteral("from_display_name"), params.fromDisplayName);
    if (params.timeoutSecs > 0)
        body.insert(QStringLiteral("timeout_secs"), params.timeoutSecs);
    if (!params.targetLegClientState.isEmpty())
        body.insert(QStringLiteral("target_leg_client_state"), params.targetLegClientState);
    return sendCommand(callControlId, QStringLiteral("transfer"), body, options);
}

quint64 CallControlClient::bridge(const QString &callControlId, const QString &otherCallControlId,
                                  const CommandOptions &options)
{
    return sendCommand(callControlId, QStringLiteral("bridge"),
                       {{QStringLiteral("call_control_id"), otherCallControlId}}, options);
}

quint64 CallControlClient::gatherUsingSpeak(const QString &callControlId,
                                            const GatherParams &params,
                                            const CommandOptions &options)
{
    QJsonObject body{{QStringLiteral("payload"), params.payload},
                     {QStringLiteral("voice"), params.voice}};
    const auto optional = [&body](const char *key, const QJsonValue &value, bool present) {
        if (present)
            body.insert(QLatin1String(key), value);
    };
    optional("language", params.language, !params.language.isEmpty());
    optional("minimum_digits", params.minimumDigits, params.minimumDigits > 0);
    optional("maximum_digits", params.maximumDigits, params.maximumDigits > 0);
    optional("timeout_millis", params.timeoutMillis, params.timeoutMillis > 0);
    optional("inter_digit_timeout_millis", params.interDigitTimeoutMillis,
             params.interDigitTimeoutMillis > 0);
    optional("valid_digits", params.validDigits, !params.validDigits.isEmpty());
    optional("terminating_digit", params.terminatingDigit, !params.terminatingDigit.isEmpty());
    return sendCommand(callControlId, QStringLiteral("gather_using_speak"), body, options);
}

quint64 CallControlClient::sendCommand(const QString &callControlId, const QString &command,
                                       QJsonObject body, const CommandOptions &options)
{
    auto pending = std::make_unique<Pending>();
    pending->kind = Kind::Command;
    pending->method = QByteArrayLiteral("POST");
    pending->path = QStringLiteral("/calls/%1/actions/%2")
                        .arg(pathSegment(callControlId), pathSegment(command));
    pending->result.command = command;
    pending->result.callControlId = callControlId;
    pending->result.commandId = options.commandId.isEmpty()
                                    ? QUuid::createUuid().toString(QUuid::WithoutBraces)
                                    : options.commandId;
    if (!options.clientState.isEmpty())
        body.insert(QStringLiteral("client_state"), options.clientState);
    body.insert(QStringLiteral("command_id"), pending->result.commandId);
    pending->body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    return start(std::move(pending));
}

quint64 CallControlClient::listPhoneNumbers(int pageSize)
{
    auto pending = std::make_unique<Pending>();
    pending->kind = Kind::ListNumbers;
    pending->method = QByteArrayLiteral("GET");
    pending->path = QStringLiteral("/phone_numbers");
    pending->pageSize = std::clamp(pageSize, 1, 250);
    pending->result.command = QStringLiteral("list_phone_numbers");
    return start(std::move(pending));
}

quint64 CallControlClient::getApplication(const QString &applicationId)
{
    auto pending = std::make_unique<Pending>();
    pending->kind = Kind::GetApplication;
    pending->method = QByteArrayLiteral("GET");
    pending->path = QStringLiteral("/call_control_applications/") + pathSegment(applicationId);
    pending->result.command = QStringLiteral("get_application");
    return start(std::move(pending));
}

quint64 CallControlClient::listApplications(int pageSize)
{
    auto pending = std::make_unique<Pending>();
    pending->kind = Kind::ListApplications;
    pending->method = QByteArrayLiteral("GET");
    pending->path = QStringLiteral("/call_control_applications");
    pending->pageSize = std::clamp(pageSize, 1, 250);
    pending->result.command = QStringLiteral("list_applications");
    return start(std::move(pending));
}

quint64 CallControlClient::patchApplication(const QString &applicationId,
                                            const QString &applicationName,
                                            const QString &webhookEventUrl,
                                            const QString &webhookEventFailoverUrl)
{
    auto pending = std::make_unique<Pending>();
    pending->kind = Kind::PatchApplication;
    pending->method = QByteArrayLiteral("PATCH");
    pending->path = QStringLiteral("/call_control_applications/") + pathSegment(applicationId);
    QJsonObject body{{QStringLiteral("application_name"), applicationName},
                     {QStringLiteral("webhook_event_url"), webhookEventUrl},
                     {QStringLiteral("webhook_api_version"), QStringLiteral("2")}};
    if (!webhookEventFailoverUrl.isEmpty())
        body.insert(QStringLiteral("webhook_event_failover_url"), webhookEventFailoverUrl);
    pending->body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    pending->result.command = QStringLiteral("patch_application");
    return start(std::move(pending));
}

} // namespace kt
