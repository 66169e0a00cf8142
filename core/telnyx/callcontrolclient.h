// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "commandresult.h"
#include "retrypolicy.h"

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>
#include <QUrl>

#include <map>
#include <memory>

namespace kt {

class HttpClient;
struct HttpResponse;

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

// The Telnyx Call Control v2 REST client (FACTS §4). Non-blocking: every call returns a handle at
// once and the outcome arrives as a signal. Each logical command gets one command_id (UUID v4) that
// every retry repeats. Retries follow RetryPolicy: 5xx, 408, network errors and no response within
// responseTimeoutMs (the reply is aborted and an identical request is sent), and 429 (waiting as
// the server asks). 422 / 90018 sets CommandResult::callEnded. The API key never appears in a log
// line or an error text. Requests go over HttpClient's keep-alive connections. Lives in one
// thread; not thread-safe.
class CallControlClient : public QObject
{
    Q_OBJECT
public:
    static constexpr const char *DefaultBaseUrl = "https://api.telnyx.com/v2";
    // Keep-alive connections to the API at most. The commands of many calls can be under way at
    // once, each for a round trip of tens of milliseconds: a browser's 6 would queue them.
    static constexpr int MaxConnections = 16;

    explicit CallControlClient(QObject *parent = nullptr);
    ~CallControlClient() override;

    void setBaseUrl(const QUrl &baseUrl); // e.g. http://127.0.0.1:PORT/v2
    QUrl baseUrl() const { return m_baseUrl; }
    void setApiKey(const QString &apiKey);
    bool hasApiKey() const { return !m_apiKey.isEmpty(); }
    void setRetryPolicy(const RetryPolicy &policy) { m_policy = policy; }
    const RetryPolicy &retryPolicy() const { return m_policy; }
    // The HTTP client the requests go through (made on first use, in the client's thread).
    HttpClient *httpClient();

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
    // GET / PATCH {base}/call_control_applications/{id} (FACTS §5.2); PATCH sends
    // application_name, webhook_event_url and webhook_api_version "2". Emit applicationFetched()
    // / applicationPatched(); the record is in CommandResult::data.
    quint64 getApplication(const QString &applicationId);
    // GET {base}/call_control_applications, every page; emits applicationsListed() once.
    quint64 listApplications(int pageSize = 250);
    quint64 patchApplication(const QString &applicationId, const QString &applicationName,
                             const QString &webhookEventUrl);

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
    void onResponse(quint64 handle, const HttpResponse &response);
    void onResponseTimeout(quint64 handle, int attempt);
    void complete(quint64 handle);
    QUrl urlFor(const QString &path, const QString &query = {}) const;
    QString scrub(QString text) const;

    QUrl m_baseUrl;
    QString m_apiKey;
    RetryPolicy m_policy;
    HttpClient *m_http = nullptr; // a child
    quint64 m_nextHandle = 1;
    std::map<quint64, std::unique_ptr<Pending>> m_pending;
};

} // namespace kt
