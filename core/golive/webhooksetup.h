// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "telnyx/retrypolicy.h"

#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QObject>
#include <QString>
#include <QUrl>

namespace kt {

class CallControlClient;
struct CommandResult;

// The outcome of WebhookSetup::start().
struct WebhookSetupResult
{
    bool ok = false;
    // One line for the owner: "401 10009 Authentication failed" / "no Call Control
    // Application ...". Never holds the API key.
    QString error;
    int httpStatus = 0;    // of the failed request; 0 when no response (or not an HTTP error)
    QString errorCode;     // Telnyx code, e.g. "10009"
    QString errorTitle;    // Telnyx title, e.g. "Authentication failed"
    QString applicationId; // the application that was (or would have been) changed
    QString applicationName;
    QString webhookUrl;        // its webhook_event_url after the PATCH
    QString failoverUrl;       // its webhook_event_failover_url after the PATCH ("" = none)
    QString webhookApiVersion; // its webhook_api_version after the PATCH ("2")
};

// Points the account's Call Control Application at a public URL (docs/telnyx-api.md §5.2): finds
// the application when no id is given (GET /call_control_applications; the one whose id is the
// connection_id of the account's numbers, or the only one), GETs it, then PATCHes it with its own
// application_name, the URL, webhook_api_version "2" and, when one is given, the failover URL
// (where Telnyx delivers a webhook the first URL did not take: a second instance on the same
// database). One run at a time; the outcome arrives as finished(). Lives in one thread; does not
// touch the event store.
class WebhookSetup : public QObject
{
    Q_OBJECT
public:
    static constexpr const char *WebhookPath = "/webhooks/telnyx";

    explicit WebhookSetup(QObject *parent = nullptr);
    ~WebhookSetup() override;

    void setBaseUrl(const QUrl &baseUrl); // e.g. https://api.telnyx.com/v2
    void setApiKey(const QString &apiKey);
    // Empty: found from the account (see above).
    void setApplicationId(const QString &applicationId) { m_applicationId = applicationId; }
    QString applicationId() const { return m_applicationId; }
    // The public URL of a second instance for webhook_event_failover_url, checked and completed
    // as the webhook URL is. Empty: the PATCH leaves the application's failover URL as it is.
    void setFailoverUrl(const QString &publicUrl) { m_failoverPublicUrl = publicUrl; }
    QString failoverUrl() const { return m_failoverPublicUrl; }
    // Default: 3 attempts, 15 s per response.
    void setRetryPolicy(const RetryPolicy &policy);
    CallControlClient &client() { return *m_client; }

    // The webhook URL for a public URL the owner typed: https (http only to 127.0.0.1 /
    // localhost / ::1, for tests), a host, no user info, query or fragment; the path
    // /webhooks/telnyx appended unless it already ends with it. Empty with `error` when invalid.
    static QUrl webhookUrlFor(const QString &publicUrl, QString *error);
    // The same for the failover URL; `error` says "invalid failover URL".
    static QUrl failoverUrlFor(const QString &publicUrl, QString *error);

    // The application to change among `applications` (GET /call_control_applications), given the
    // account's `numbers` (GET /phone_numbers): the only application whose id is a number's
    // connection_id, else the only application. Empty with `error` when there is none or it is
    // ambiguous.
    static QString chooseApplication(const QList<QJsonObject> &applications,
                                     const QList<QJsonObject> &numbers, QString *error);

    bool isRunning() const { return m_running; }

public slots:
    // Starts a run for `publicUrl`. False (and finished() is not emitted) when it or the failover
    // URL is invalid, both are the same, there is no API key or a run is under way; `error` says
    // why.
    bool start(const QString &publicUrl, QString *error = nullptr);
    // Stops a run under way; finished() is emitted with "cancelled".
    void cancel();

signals:
    // What the run is doing: "finding the application", "reading application X", ...
    void progress(const QString &step);
    void finished(const kt::WebhookSetupResult &result);

private:
    void onApplicationsListed(const CommandResult &result, const QList<QJsonObject> &records);
    void onNumbersListed(bool ok, const QList<QJsonObject> &records, const QString &error);
    void onFetched(const CommandResult &result);
    void onPatched(const CommandResult &result);
    void fetch(const QString &applicationId);
    void fail(const CommandResult &result, const QString &what);
    void fail(const QString &error);
    void finish(WebhookSetupResult result);
    static QUrl checkedUrl(const QString &publicUrl, const QString &what, QString *error);

    CallControlClient *m_client = nullptr;
    QString m_applicationId;
    bool m_running = false;
    QString m_failoverPublicUrl;
    QString m_url;                     // of the run under way
    QString m_failoverUrl;             // of the run under way; empty: not changed
    QList<QJsonObject> m_applications; // listed by the run under way
    WebhookSetupResult m_result;
};

} // namespace kt

Q_DECLARE_METATYPE(kt::WebhookSetupResult)
