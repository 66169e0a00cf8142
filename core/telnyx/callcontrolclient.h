// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "commandresult.h"
#include "retrypolicy.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QNetworkProxy>
#include <QObject>
#include <QSslConfiguration>
#include <QString>
#include <QUrl>

#include <map>
#include <memory>

QT_BEGIN_NAMESPACE
class QNetworkAccessManager;
class QNetworkReply;
QT_END_NAMESPACE

namespace kt {

struct ApiResponse;

// Options every Call Control command accepts.
struct CommandOptions
{
    QString clientState; // already base64 (Telnyx requires it); omitted when empty
    QString commandId;   // omitted: a new UUID v4 is generated; kept across retries either way
};

enum class RejectCause { CallRejected, UserBusy };

struct TransferParams
{
    QString to;                   // E.164 or SIP URI (required)
    QString from;                 // omitted when empty (Telnyx uses the call's `to`)
    QString fromDisplayName;      // omitted when empty
    int timeoutSecs = 0;          // omitted when 0 (Telnyx default 30)
    QString targetLegClientState; // base64; omitted when empty
};

struct GatherParams
{
    QString payload; // required
    QString voice;   // required
    QString language;
    int minimumDigits = 0; // each numeric field is omitted when 0
    int maximumDigits = 0;
    int timeoutMillis = 0;
    int interDigitTimeoutMillis = 0;
    QString validDigits;
    QString terminatingDigit;
};

// The Telnyx Call Control v2 REST client (see the README, "How it runs"). Non-blocking: every
// call returns a handle at once and the outcome arrives as a signal. Each logical command gets
// one command_id (UUID v4) that every request for it repeats. Requests go over a
// QNetworkAccessManager made in the client's thread (HTTP/2 where the server offers it, TLS
// verified, proxies from the environment or the system: ProxyFactory). RetryPolicy decides the
// rest: an attempt unanswered 500 ms after its request was sent is hedged with an identical
// request; 5xx, 408, network errors and attempts without any answer are retried after a
// back-off, and 429 after the delay the server asks for, until the total budget is spent; 422 /
// 90018 sets CommandResult::callEnded. A plain http:// base URL is refused unless it is loopback
// (the key would travel in clear). The API key never appears in a log line or an error text.
// Lives in one thread; not thread-safe.
class CallControlClient : public QObject
{
    Q_OBJECT
public:
    static constexpr const char *DefaultBaseUrl = "https://api.telnyx.com/v2";

    explicit CallControlClient(QObject *parent = nullptr);
    ~CallControlClient() override;

    void setBaseUrl(const QUrl &baseUrl); // e.g. http://127.0.0.1:PORT/v2
    QUrl baseUrl() const { return m_baseUrl; }
    // Why `url` cannot be the API's base URL (not http(s), no host, or http:// to a host that is
    // not loopback), in one line; empty when it can.
    static QString baseUrlProblem(const QUrl &url);
    void setApiKey(const QString &apiKey);
    bool hasApiKey() const { return !m_apiKey.isEmpty(); }
    void setRetryPolicy(const RetryPolicy &policy) { m_policy = policy; }
    const RetryPolicy &retryPolicy() const { return m_policy; }
    // TLS settings for every request (e.g. a test's own CA); verification stays on.
    void setSslConfiguration(const QSslConfiguration &configuration);
    // One proxy for every request, instead of the environment's or the system's.
    void setProxy(const QNetworkProxy &proxy);
    // Loopback hosts through the environment's or system's proxy too (they go direct by default).
    void setProxyLoopback(bool on);
    // The manager the requests go through (made on first use, in the client's thread).
    QNetworkAccessManager *networkAccessManager();

    // Commands: POST {base}/calls/{id}/actions/{name}; each emits finished() once.
    quint64 answer(const QString &callControlId, const CommandOptions &options = {});
    quint64 reject(const QString &callControlId, RejectCause cause,
                   const CommandOptions &options = {});
    quint64 hangup(const QString &callControlId, const CommandOptions &options = {});
    quint64 speak(const QString &callControlId, const QString &payload, const QString &voice,
                  const QString &language = {}, const CommandOptions &options = {});
    quint64 transfer(const QString &callControlId, const TransferParams &params,
                     const CommandOptions &options = {});
    quint64 bridge(const QString &callControlId, const QString &otherCallControlId,
                   const CommandOptions &options = {});
    quint64 gatherUsingSpeak(const QString &callControlId, const GatherParams &params,
                             const CommandOptions &options = {});
    // Any other command; `body` gets command_id and client_state added.
    quint64 sendCommand(const QString &callControlId, const QString &command, QJsonObject body,
                        const CommandOptions &options = {});

    // GET {base}/phone_numbers, every page (page[size] clamped to 1..250); emits
    // phoneNumbersListed() once.
    quint64 listPhoneNumbers(int pageSize = 250);
    // GET / PATCH {base}/call_control_applications/{id} (docs/telnyx-api.md §5.2); PATCH sends
    // application_name, webhook_event_url and webhook_api_version "2", and
    // webhook_event_failover_url when `webhookEventFailoverUrl` is not empty (empty: the
    // application keeps its own). Emit applicationFetched() / applicationPatched(); the record is
    // in CommandResult::data.
    quint64 getApplication(const QString &applicationId);
    // GET {base}/call_control_applications, every page; emits applicationsListed() once.
    quint64 listApplications(int pageSize = 250);
    quint64 patchApplication(const QString &applicationId, const QString &applicationName,
                             const QString &webhookEventUrl,
                             const QString &webhookEventFailoverUrl = QString());

    // Requests not yet finished (in flight or waiting to be retried).
    int pendingCount() const { return int(m_pending.size()); }
    // Stops every pending request for this call (in flight or waiting for a retry); each emits
    // finished() with cancelled = true. Returns how many were stopped.
    int cancelForCall(const QString &callControlId);
    // Stops everything; finished() (or the listing's signal) is emitted for each.
    void cancelAll();

    // The base64 that Telnyx expects in client_state.
    static QString encodeClientState(const QByteArray &state);

signals:
    void finished(const kt::CommandResult &result);
    // One failed attempt (httpStatus 0: no response). For metrics and health.
    void attemptFailed(quint64 handle, int httpStatus, const QString &code, const QString &title,
                       bool willRetry);
    void phoneNumbersListed(bool ok, const QList<QJsonObject> &records, const QString &error);
    void applicationFetched(const kt::CommandResult &result);
    void applicationPatched(const kt::CommandResult &result);
    // `result` carries the outcome (errorCode / errorTitle on failure), `records` every page's.
    void applicationsListed(const kt::CommandResult &result, const QList<QJsonObject> &records);

private:
    enum class Kind { Command, ListNumbers, GetApplication, PatchApplication, ListApplications };
    struct Pending;

    quint64 start(std::unique_ptr<Pending> pending);
    void send(quint64 handle);
    QNetworkReply *issue(const Pending &p);
    void watch(quint64 handle, QNetworkReply *reply, bool hedge);
    void armTimers(quint64 handle);
    void onHedgeDue(quint64 handle);
    void onResponseTimeout(quint64 handle);
    void onBudgetSpent(quint64 handle);
    void onReplyFinished(quint64 handle, QNetworkReply *reply);
    void onResponse(quint64 handle, const ApiResponse &response);
    void dropReplies(Pending &p);
    void complete(quint64 handle);
    QUrl urlFor(const QString &path, const QString &query = {}) const;
    QString scrub(QString text) const;

    // The client's timers: each pending request's (budget, hedge, response, retry) is one
    // QObject timer of this client, killed when it no longer matters. Fired, it is dispatched
    // from timerEvent() through m_timers.
    enum class TimerRole { Budget, Hedge, Response, Retry };
    void startRequestTimer(quint64 handle, Pending &p, TimerRole role, int ms);
    void stopRequestTimer(Pending &p, TimerRole role);
    void stopRequestTimers(Pending &p);
    void timerEvent(QTimerEvent *event) override;
    struct TimerTarget
    {
        quint64 handle = 0;
        TimerRole role = TimerRole::Budget;
    };
    QHash<int, TimerTarget> m_timers;

    QUrl m_baseUrl;
    QString m_apiKey;
    RetryPolicy m_policy;
    QSslConfiguration m_ssl;
    bool m_sslSet = false;
    QNetworkProxy m_proxy{QNetworkProxy::DefaultProxy};
    bool m_proxyLoopback = false;
    QNetworkAccessManager *m_manager = nullptr; // a child
    quint64 m_nextHandle = 1;
    std::map<quint64, std::unique_ptr<Pending>> m_pending;
};

} // namespace kt
