// SPDX-License-Identifier: GPL-3.0-or-later
#include "callcontrolclient.h"

#include "http/httpclient.h"
#include "telnyxerror.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QTimer>
#include <QUuid>

#include <algorithm>
#include <utility>

Q_LOGGING_CATEGORY(lcCallControl, "kt.telnyx.client", QtInfoMsg)

namespace kt {

struct CallControlClient::Pending
{
    Kind kind = Kind::Command;
    QByteArray method;
    QString path;    // below the base URL, already percent-encoded
    QByteArray body; // null for GET
    CommandResult result;
    quint64 exchange = 0; // the HttpClient request in flight, 0 when none
    int tries = 0;        // attempts of the current HTTP exchange (a listing resets it per page)
    bool waitingRetry = false;
    // Listing phone numbers.
    int pageSize = 0;
    int pageNumber = 1;
    QList<QJsonObject> records;
};

namespace {

// The id goes into the path raw: keep what the SDK encoders keep (FACTS §4.1).
QString pathSegment(const QString &segment)
{
    return QString::fromLatin1(
        QUrl::toPercentEncoding(segment, QByteArrayLiteral("!$&'()*+,;=:@")));
}

bool hasCallEnded(const QList<TelnyxError> &errors)
{
    return std::any_of(errors.begin(), errors.end(), [](const TelnyxError &e) {
        return e.code == QLatin1String(TelnyxError::CallEnded);
    });
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
    // The requests in flight end with the HTTP client (a child), without their callbacks.
    m_pending.clear();
}

void CallControlClient::setBaseUrl(const QUrl &baseUrl)
{
    m_baseUrl = baseUrl;
}

void CallControlClient::setApiKey(const QString &apiKey)
{
    m_apiKey = apiKey.trimmed();
}

HttpClient *CallControlClient::httpClient()
{
    if (!m_http) {
        m_http = new HttpClient(this);
        m_http->setMaxConnectionsPerOrigin(MaxConnections);
    }
    return m_http;
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
                                            const QString &webhookEventUrl)
{
    auto pending = std::make_unique<Pending>();
    pending->kind = Kind::PatchApplication;
    pending->method = QByteArrayLiteral("PATCH");
    pending->path = QStringLiteral("/call_control_applications/") + pathSegment(applicationId);
    pending->body =
        QJsonDocument(QJsonObject{{QStringLiteral("application_name"), applicationName},
                                  {QStringLiteral("webhook_event_url"), webhookEventUrl},
                                  {QStringLiteral("webhook_api_version"), QStringLiteral("2")}})
            .toJson(QJsonDocument::Compact);
    pending->result.command = QStringLiteral("patch_application");
    return start(std::move(pending));
}

quint64 CallControlClient::start(std::unique_ptr<Pending> pending)
{
    const quint64 handle = m_nextHandle++;
    pending->result.handle = handle;
    m_pending.emplace(handle, std::move(pending));
    send(handle);
    return handle;
}

QUrl CallControlClient::urlFor(const QString &path, const QString &query) const
{
    QByteArray text = m_baseUrl.toEncoded(QUrl::StripTrailingSlash) + path.toUtf8();
    if (!query.isEmpty())
        text += '?' + query.toUtf8();
    return QUrl::fromEncoded(text);
}

void CallControlClient::send(quint64 handle)
{
    const auto it = m_pending.find(handle);
    if (it == m_pending.end())
        return;
    Pending &p = *it->second;
    p.waitingRetry = false;
    ++p.tries;
    ++p.result.attempts;

    HttpRequest request;
    request.method = p.method;
    request.url =
        p.kind == Kind::ListNumbers || p.kind == Kind::ListApplications
            ? urlFor(
                  p.path,
                  QStringLiteral("page[number]=%1&page[size]=%2").arg(p.pageNumber).arg(p.pageSize))
            : urlFor(p.path);
    request.headers = {{QByteArrayLiteral("Authorization"), "Bearer " + m_apiKey.toUtf8()},
                       {QByteArrayLiteral("Accept"), QByteArrayLiteral("application/json")},
                       {QByteArrayLiteral("User-Agent"), QByteArrayLiteral("kevan-tel")}};
    if (!p.body.isNull()) {
        request.headers.append(
            {QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")});
        request.body = p.body;
    }

    qCDebug(lcCallControl).noquote()
        << p.method << p.path << "attempt" << p.result.attempts << p.result.commandId;
    // The response never comes before send() returns, so p.exchange is set in time.
    p.exchange = httpClient()->send(
        std::move(request), [this, handle](const HttpResponse &r) { onResponse(handle, r); });
    if (m_policy.responseTimeoutMs > 0) {
        QTimer::singleShot(
            m_policy.responseTimeoutMs, this,
            [this, handle, attempt = p.result.attempts] { onResponseTimeout(handle, attempt); });
    }
}

void CallControlClient::onResponseTimeout(quint64 handle, int attempt)
{
    const auto it = m_pending.find(handle);
    if (it == m_pending.end())
        return;
    Pending &p = *it->second;
    if (p.exchange == 0 || p.result.attempts != attempt)
        return;
    // The identical request goes again (after the back-off) like any other lost attempt.
    httpClient()->abort(std::exchange(p.exchange, 0));
    HttpResponse none;
    none.error = QStringLiteral("no response within %1 ms").arg(m_policy.responseTimeoutMs);
    onResponse(handle, none);
}

void CallControlClient::onResponse(quint64 handle, const HttpResponse &response)
{
    auto it = m_pending.find(handle);
    if (it == m_pending.end())
        return;
    Pending &p = *it->second;
    p.exchange = 0;

    const int status = response.status;
    const QByteArray &body = response.body;
    p.result.httpStatus = status;

    if (status >= 200 && status < 300) {
        const QJsonObject root = QJsonDocument::fromJson(body).object();
        if (p.kind == Kind::ListNumbers || p.kind == Kind::ListApplications) {
            const QJsonArray data = root.value(QLatin1String("data")).toArray();
            for (const QJsonValue &record : data)
                p.records.append(record.toObject());
            const int totalPages = root.value(QLatin1String("meta"))
                                       .toObject()
                                       .value(QLatin1String("total_pages"))
                                       .toInt();
            if (p.pageNumber < totalPages && !data.isEmpty()) {
                ++p.pageNumber;
                p.tries = 0;
                send(handle);
                return;
            }
        }
        p.result.ok = true;
        p.result.errorCode.clear();
        p.result.errorTitle.clear();
        p.result.errorDetail.clear();
        p.result.data = root.value(QLatin1String("data")).toObject();
        complete(handle);
        return;
    }

    QString code;
    QString title;
    QString detail;
    p.result.callEnded = false;
    if (status == 0) {
        title = scrub(response.error);
    } else {
        const QList<TelnyxError> errors = TelnyxError::parseList(body);
        if (!errors.isEmpty()) {
            code = scrub(errors.first().code);
            title = scrub(errors.first().title);
            detail = scrub(errors.first().detail);
        } else {
            title = scrub(QString::fromUtf8(response.reason));
        }
        p.result.callEnded = status == 422 && hasCallEnded(errors);
        if (p.result.callEnded)
            code = QString::fromLatin1(TelnyxError::CallEnded);
    }
    p.result.errorCode = code;
    p.result.errorTitle = title;
    p.result.errorDetail = detail;

    bool retryable = RetryPolicy::isRetryableStatus(status);
    const QByteArray shouldRetry = response.header("x-should-retry").toLower();
    if (status != 0 && shouldRetry == "true")
        retryable = true;
    else if (status != 0 && shouldRetry == "false")
        retryable = false;
    const bool willRetry = retryable && p.tries < m_policy.maxAttempts;

    int delay = m_policy.backoffDelayMs(p.tries);
    if (status == 429 || status == 503) {
        if (const auto asked = m_policy.serverDelayMs(response.header("retry-after-ms"),
                                                      response.header("retry-after"),
                                                      response.header("x-ratelimit-reset")))
            delay = *asked;
    }
    qCDebug(lcCallControl).noquote()
        << p.result.command << "attempt" << p.result.attempts << "failed:" << status << code
        << title
        << (willRetry ? QStringLiteral("retry in %1 ms").arg(delay) : QStringLiteral("final"));
    const int attempt = p.result.attempts;
    emit attemptFailed(handle, status, code, title, willRetry);

    // A slot may have cancelled the request.
    it = m_pending.find(handle);
    if (it == m_pending.end())
        return;
    if (!willRetry) {
        complete(handle);
        return;
    }
    it->second->waitingRetry = true;
    QTimer::singleShot(delay, this, [this, handle, attempt] {
        const auto found = m_pending.find(handle);
        if (found != m_pending.end() && found->second->waitingRetry &&
            found->second->result.attempts == attempt)
            send(handle);
    });
}

void CallControlClient::complete(quint64 handle)
{
    const auto it = m_pending.find(handle);
    if (it == m_pending.end())
        return;
    std::unique_ptr<Pending> p = std::move(it->second);
    m_pending.erase(it);
    if (p->exchange != 0)
        httpClient()->abort(p->exchange);
    switch (p->kind) {
    case Kind::Command:
        emit finished(p->result);
        break;
    case Kind::ListNumbers:
        if (p->result.ok)
            emit phoneNumbersListed(true, p->records, {});
        else
            emit phoneNumbersListed(false, {}, p->result.describe());
        break;
    case Kind::GetApplication:
        emit applicationFetched(p->result);
        break;
    case Kind::PatchApplication:
        emit applicationPatched(p->result);
        break;
    case Kind::ListApplications:
        emit applicationsListed(p->result, p->result.ok ? p->records : QList<QJsonObject>());
        break;
    }
}

int CallControlClient::cancelForCall(const QString &callControlId)
{
    QList<quint64> handles;
    for (const auto &[handle, pending] : m_pending) {
        if (pending->kind == Kind::Command && pending->result.callControlId == callControlId)
            handles.append(handle);
    }
    for (quint64 handle : handles) {
        const auto it = m_pending.find(handle);
        if (it == m_pending.end())
            continue;
        it->second->result.ok = false;
        it->second->result.cancelled = true;
        complete(handle);
    }
    return int(handles.size());
}

void CallControlClient::cancelAll()
{
    QList<quint64> handles;
    for (const auto &entry : m_pending)
        handles.append(entry.first);
    for (quint64 handle : handles) {
        const auto it = m_pending.find(handle);
        if (it == m_pending.end())
            continue;
        it->second->result.ok = false;
        it->second->result.cancelled = true;
        complete(handle);
    }
}

QString CallControlClient::scrub(QString text) const
{
    if (!m_apiKey.isEmpty())
        text.replace(m_apiKey, QStringLiteral("[redacted]"));
    return text;
}

} // namespace kt
