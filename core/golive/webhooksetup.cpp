// SPDX-License-Identifier: GPL-3.0-or-later
#include "webhooksetup.h"

#include "telnyx/callcontrolclient.h"
#include "telnyx/commandresult.h"

#include <QHostAddress>
#include <QRegularExpression>
#include <QSet>

namespace kt {

namespace {
const QString Id = QStringLiteral("id");
const QString Name = QStringLiteral("application_name");

bool isLoopbackHost(const QString &host)
{
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

QString describeApplication(const QJsonObject &app)
{
    const QString name = app.value(Name).toString();
    return name.isEmpty() ? app.value(Id).toString()
                          : QStringLiteral("%1 (%2)").arg(app.value(Id).toString(), name);
}

QStringList describeAll(const QList<QJsonObject> &apps)
{
    QStringList out;
    for (const QJsonObject &app : apps)
        out << describeApplication(app);
    return out;
}
} // namespace

WebhookSetup::WebhookSetup(QObject *parent) : QObject(parent), m_client(new CallControlClient(this))
{
    qRegisterMetaType<kt::WebhookSetupResult>("kt::WebhookSetupResult");
    RetryPolicy policy;
    // Administration requests, not the call path: no hedge, time for a slow answer.
    policy.maxAttempts = 3;
    policy.hedgeAfterMs = 0;
    policy.responseTimeoutMs = 15000;
    policy.totalBudgetMs = 60000;
    m_client->setRetryPolicy(policy);
    connect(m_client, &CallControlClient::applicationsListed, this,
            &WebhookSetup::onApplicationsListed);
    connect(m_client, &CallControlClient::phoneNumbersListed, this, &WebhookSetup::onNumbersListed);
    connect(m_client, &CallControlClient::applicationFetched, this, &WebhookSetup::onFetched);
    connect(m_client, &CallControlClient::applicationPatched, this, &WebhookSetup::onPatched);
}

WebhookSetup::~WebhookSetup()
{
    m_running = false; // cancelAll() in the client's destructor reports nothing to us
    disconnect(m_client, nullptr, this, nullptr);
}

void WebhookSetup::setBaseUrl(const QUrl &baseUrl)
{
    m_client->setBaseUrl(baseUrl);
}

void WebhookSetup::setApiKey(const QString &apiKey)
{
    m_client->setApiKey(apiKey);
}

void WebhookSetup::setRetryPolicy(const RetryPolicy &policy)
{
    m_client->setRetryPolicy(policy);
}

QUrl WebhookSetup::webhookUrlFor(const QString &publicUrl, QString *error)
{
    return checkedUrl(publicUrl, QStringLiteral("public URL"), error);
}

QUrl WebhookSetup::failoverUrlFor(const QString &publicUrl, QString *error)
{
    return checkedUrl(publicUrl, QStringLiteral("failover URL"), error);
}

QUrl WebhookSetup::checkedUrl(const QString &publicUrl, const QString &what, QString *error)
{
    auto bad = [error, &publicUrl, &what](const QString &why) {
        if (error) {
            // A password typed into the URL is not repeated.
            const QUrl typed(publicUrl.trimmed());
            const QString shown = typed.userInfo().isEmpty() ? publicUrl.trimmed()
                                                             : typed.toString(QUrl::RemoveUserInfo);
            *error = QStringLiteral("invalid %1 \"%2\": %3").arg(what, shown, why);
        }
        return QUrl();
    };
    const QString text = publicUrl.trimmed();
    if (text.isEmpty())
        return bad(QStringLiteral("empty"));
    QUrl url(text, QUrl::StrictMode);
    if (!url.isValid())
        return bad(url.errorString());
    const QString scheme = url.scheme().toLower();
    if (scheme.isEmpty() || url.host().isEmpty())
        return bad(QStringLiteral("expected https://HOST[/PATH]"));
    if (scheme == QLatin1String("http")) {
        if (!isLoopbackHost(url.host()))
            return bad(QStringLiteral("Telnyx needs https (http only for 127.0.0.1 in tests)"));
    } else if (scheme != QLatin1String("https")) {
        return bad(QStringLiteral("expected an https URL"));
    }
    if (!url.userInfo().isEmpty())
        return bad(QStringLiteral("no user name or password in the URL"));
    if (url.hasQuery() || url.hasFragment())
        return bad(QStringLiteral("no query or fragment"));
    url.setScheme(scheme);
    QString path = url.path();
    while (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    if (!path.endsWith(QLatin1String(WebhookPath)))
        path += QLatin1String(WebhookPath);
    url.setPath(path);
    if (error)
        error->clear();
    return url;
}

QString WebhookSetup::chooseApplication(const QList<QJsonObject> &applications,
                                        const QList<QJsonObject> &numbers, QString *error)
{
    if (applications.isEmpty()) {
        if (error)
            *error = QStringLiteral("no Call Control Application on this Telnyx account: create "
                                    "one in the Mission Control Portal");
        return {};
    }
    QSet<QString> connections;
    for (const QJsonObject &number : numbers) {
        const QString connection = number.value(QLatin1String("connection_id")).toString();
        if (!connection.isEmpty())
            connections.insert(connection);
    }
    QList<QJsonObject> linked;
    for (const QJsonObject &app : applications) {
        if (connections.contains(app.value(Id).toString()))
            linked.append(app);
    }
    if (linked.size() == 1)
        return linked.constFirst().value(Id).toString();
    if (linked.isEmpty() && applications.size() == 1)
        return applications.constFirst().value(Id).toString();
    if (error) {
        const QList<QJsonObject> &candidates = linked.isEmpty() ? applications : linked;
        *error = QStringLiteral("%1 Call Control Applications %2: %3; set application-id to the "
                                "one to use")
                     .arg(candidates.size())
                     .arg(linked.isEmpty() ? QStringLiteral("and none has your numbers")
                                           : QStringLiteral("have your numbers"),
                          describeAll(candidates).join(QStringLiteral(", ")));
    }
    return {};
}

bool WebhookSetup::start(const QString &publicUrl, QString *error)
{
    QString why;
    auto refuse = [error](const QString &text) {
        if (error)
            *error = text;
        return false;
    };
    if (m_running)
        return refuse(QStringLiteral("a webhook setup is already under way"));
    const QUrl url = webhookUrlFor(publicUrl, &why);
    if (url.isEmpty())
        return refuse(why);
    QUrl failover;
    if (!m_failoverPublicUrl.trimmed().isEmpty()) {
        failover = failoverUrlFor(m_failoverPublicUrl, &why);
        if (failover.isEmpty())
            return refuse(why);
        // Telnyx tries the failover after the first URL failed: the same address helps nothing.
        if (failover == url)
            return refuse(QStringLiteral("invalid failover URL: it is the webhook URL; give "
                                         "the address of a second instance"));
    }
    if (!m_client->hasApiKey())
        return refuse(QStringLiteral("no Telnyx API key: set TELNYX_API_KEY (or api-key in the "
                                     "config file)"));
    m_running = true;
    m_url = url.toString(QUrl::FullyEncoded);
    m_failoverUrl = failover.isEmpty() ? QString() : failover.toString(QUrl::FullyEncoded);
    m_applications.clear();
    m_result = WebhookSetupResult();
    if (m_applicationId.isEmpty()) {
        emit progress(QStringLiteral("finding the Call Control Application"));
        m_client->listApplications();
    } else {
        fetch(m_applicationId);
    }
    return true;
}

void WebhookSetup::cancel()
{
    if (!m_running)
        return;
    m_running = false; // the cancelled results below are not ours any more
    m_client->cancelAll();
    m_running = true;
    fail(QStringLiteral("cancelled"));
}

void WebhookSetup::onApplicationsListed(const CommandResult &result,
                                        const QList<QJsonObject> &records)
{
    if (!m_running)
        return;
    if (!result.ok) {
        fail(result, QStringLiteral("cannot list the Call Control Applications"));
        return;
    }
    m_applications = records;
    if (records.size() <= 1) { // none (an error) or the only one: the numbers cannot change that
        QString error;
        const QString id = chooseApplication(records, {}, &error);
        if (id.isEmpty())
            fail(error);
        else
            fetch(id);
        return;
    }
    emit progress(QStringLiteral("matching %1 applications to your numbers").arg(records.size()));
    m_client->listPhoneNumbers();
}

void WebhookSetup::onNumbersListed(bool ok, const QList<QJsonObject> &records, const QString &error)
{
    if (!m_running)
        return;
    if (!ok) {
        fail(QStringLiteral("cannot list the phone numbers: ") +
             QString(error).remove(QRegularExpression(QStringLiteral("^\\S+ failed: "))));
        return;
    }
    QString why;
    const QString id = chooseApplication(m_applications, records, &why);
    if (id.isEmpty())
        fail(why);
    else
        fetch(id);
}

void WebhookSetup::fetch(const QString &applicationId)
{
    m_result.applicationId = applicationId;
    emit progress(QStringLiteral("reading application %1").arg(applicationId));
    m_client->getApplication(applicationId);
}

void WebhookSetup::onFetched(const CommandResult &result)
{
    if (!m_running)
        return;
    if (!result.ok) {
        fail(result, QStringLiteral("cannot read application %1").arg(m_result.applicationId));
        return;
    }
    // PATCH requires application_name (docs/telnyx-api.md §5.2): echo the application's own.
    m_result.applicationName = result.data.value(Name).toString();
    emit progress(QStringLiteral("setting the webhook %1 of %2")
                      .arg(m_failoverUrl.isEmpty() ? QStringLiteral("URL")
                                                   : QStringLiteral("and failover URLs"),
                           m_result.applicationId));
    m_client->patchApplication(m_result.applicationId, m_result.applicationName, m_url,
                               m_failoverUrl);
}

void WebhookSetup::onPatched(const CommandResult &result)
{
    if (!m_running)
        return;
    if (!result.ok) {
        fail(result, QStringLiteral("cannot update application %1").arg(m_result.applicationId));
        return;
    }
    WebhookSetupResult r = m_result;
    r.ok = true;
    r.applicationName = result.data.value(Name).toString(r.applicationName);
    r.webhookUrl = result.data.value(QLatin1String("webhook_event_url")).toString();
    r.webhookApiVersion = result.data.value(QLatin1String("webhook_api_version")).toString();
    // A string, or null (read as none) when the application never had one.
    r.failoverUrl = result.data.value(QLatin1String("webhook_event_failover_url")).toString();
    finish(r);
}

void WebhookSetup::fail(const CommandResult &result, const QString &what)
{
    WebhookSetupResult r = m_result;
    r.httpStatus = result.httpStatus;
    r.errorCode = result.errorCode;
    r.errorTitle = result.errorTitle;
    // describe() is "<command> failed: 401 10009 Authentication failed"; keep what follows.
    QString detail = result.describe();
    const int colon = detail.indexOf(QLatin1String(" failed: "));
    if (colon >= 0)
        detail = detail.mid(colon + 9);
    QString text = QStringLiteral("%1: %2").arg(what, detail);
    if (result.httpStatus == 401)
        text += QStringLiteral(" (check the Telnyx API key)");
    else if (result.httpStatus == 422 && !result.errorDetail.isEmpty())
        text += QStringLiteral(": ") + result.errorDetail;
    r.error = text;
    finish(r);
}

void WebhookSetup::fail(const QString &error)
{
    WebhookSetupResult r = m_result;
    r.error = error;
    finish(r);
}

void WebhookSetup::finish(WebhookSetupResult result)
{
    m_running = false;
    m_result = result;
    emit finished(result);
}

} // namespace kt
