// SPDX-License-Identifier: GPL-3.0-or-later
#include "callcontrolclient.h"

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

// What one request brought back (status 0: no answer; see error).
struct ApiResponse
{
    int status = 0;
    QString reason;
    QByteArray body;
    QString error;
    QNetworkReply *reply = nullptr; // for its headers; null when none came

    QByteArray header(const char *name) const
    {
        return reply ? reply->rawHeader(name).trimmed() : QByteArray();
    }
};

struct CallControlClient::Pending
{
    Kind kind = Kind::Command;
    QByteArray method;
    QString path;    // below the base URL, already percent-encoded
    QByteArray body; // null for GET
    CommandResult result;
    // The attempt's request and, once hedged, its identical twin; null when not in flight.
    std::array<QNetworkReply *, 2> replies{nullptr, nullptr};
    bool hedged = false; // this attempt's twin went out
    // The client's timer ids (0: not running), by TimerRole.
    std::array<int, 4> timers{0, 0, 0, 0};
    QString lostError; // a network error of one of the two while the other was in flight
    int tries = 0;     // attempts of the current HTTP exchange (a listing resets it per page)
    bool waitingRetry = false;
    QElapsedTimer clock; // since the request started: the budget
    // Listing phone numbers.
    int pageSize = 0;
    int pageNumber = 1;
    QList<QJsonObject> records;

    bool inFlight() const { return replies[0] || replies[1]; }
};

namespace {

// The id goes into the path raw: keep what the SDK encoders keep (docs/telnyx-api.md §4.1).
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

// Stops a reply whose outcome no longer matters; nothing of it reaches us again.
void discard(QNetworkReply *reply, QObject *receiver)
{
    if (!reply)
        return;
    QObject::disconnect(reply, nullptr, receiver, nullptr);
    reply->abort();
    reply->deleteLater();
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
    pending->clock.start();
    const QString problem = baseUrlProblem(m_baseUrl);
    m_pending.emplace(handle, std::move(pending));
    if (!problem.isEmpty()) {
        // Never sent; reported after the caller has its handle, like every outcome.
        QTimer::singleShot(0, this, [this, handle, problem] {
            const auto it = m_pending.find(handle);
            if (it == m_pending.end())
                return;
            it->second->result.errorTitle = QStringLiteral("not sent: ") + problem;
            complete(handle);
        });
        return handle;
    }
    if (m_policy.totalBudgetMs > 0)
        startRequestTimer(handle, *m_pending.at(handle), TimerRole::Budget, m_policy.totalBudgetMs);
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

QNetworkReply *CallControlClient::issue(const Pending &p)
{
    const QUrl url =
        p.kind == Kind::ListNumbers || p.kind == Kind::ListApplications
            ? urlFor(
                  p.path,
                  QStringLiteral("page[number]=%1&page[size]=%2").arg(p.pageNumber).arg(p.pageSize))
            : urlFor(p.path);
    QNetworkRequest request(url);
    request.setRawHeader("Authorization", "Bearer " + m_apiKey.toUtf8());
    request.setRawHeader("Accept", "application/json");
    request.setHeader(QNetworkRequest::UserAgentHeader, QByteArrayLiteral("kevan-tel"));
    if (!p.body.isNull())
        request.setHeader(QNetworkRequest::ContentTypeHeader,
                          QByteArrayLiteral("application/json"));
    // A redirect would be an answer we do not expect from the API; never follow it (with the key).
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, true);
    if (m_sslSet)
        request.setSslConfiguration(m_ssl);

    QNetworkAccessManager *manager = networkAccessManager();
    if (p.method == "GET")
        return manager->get(request);
    if (p.method == "POST")
        return manager->post(request, p.body);
    return manager->sendCustomRequest(request, p.method, p.body);
}

void CallControlClient::send(quint64 handle)
{
    const auto it = m_pending.find(handle);
    if (it == m_pending.end())
        return;
    Pending &p = *it->second;
    p.waitingRetry = false;
    stopRequestTimer(p, TimerRole::Retry);
    p.hedged = false;
    p.lostError.clear();
    ++p.tries;
    ++p.result.attempts;
    qCDebug(lcCallControl).noquote()
        << p.method << p.path << "attempt" << p.result.attempts << p.result.commandId;
    QNetworkReply *reply = issue(p);
    p.replies = {reply, nullptr};
    watch(handle, reply, false);
    // Armed now for a connection already open; re-armed when the request has gone out.
    armTimers(handle);
}

void CallControlClient::watch(quint64 handle, QNetworkReply *reply, bool hedge)
{
    connect(reply, &QNetworkReply::finished, this,
            [this, handle, reply] { onReplyFinished(handle, reply); });
    if (hedge)
        return;
    // The hedge and response clocks run from the moment the request has gone out: connecting
    // (DNS, TCP, a proxy's CONNECT, TLS) does not count against them.
    connect(reply, &QNetworkReply::socketStartedConnecting, this, [this, handle] {
        const auto it = m_pending.find(handle);
        if (it != m_pending.end() && !it->second->hedged) { // disarmed while connecting
            stopRequestTimer(*it->second, TimerRole::Hedge);
            stopRequestTimer(*it->second, TimerRole::Response);
        }
    });
    connect(reply, &QNetworkReply::requestSent, this, [this, handle] { armTimers(handle); });
    // Over HTTP/2 the request follows the handshake at once.
    connect(reply, &QNetworkReply::encrypted, this, [this, handle] { armTimers(handle); });
}

void CallControlClient::armTimers(quint64 handle)
{
    const auto it = m_pending.find(handle);
    if (it == m_pending.end() || it->second->hedged || !it->second->inFlight())
        return;
    // (Re)started: from now on.
    if (m_policy.hedgeAfterMs > 0)
        startRequestTimer(handle, *it->second, TimerRole::Hedge, m_policy.hedgeAfterMs);
    if (m_policy.responseTimeoutMs > 0)
        startRequestTimer(handle, *it->second, TimerRole::Response, m_policy.responseTimeoutMs);
}

void CallControlClient::startRequestTimer(quint64 handle, Pending &p, TimerRole role, int ms)
{
    stopRequestTimer(p, role);
    // As QTimer::singleShot chooses: precise below 2 s, coarse (within 5 %) above.
    const int id = startTimer(ms, ms >= 2000 ? Qt::CoarseTimer : Qt::PreciseTimer);
    if (id == 0)
        return;
    p.timers[size_t(role)] = id;
    m_timers.insert(id, {handle, role});
}

void CallControlClient::stopRequestTimer(Pending &p, TimerRole role)
{
    if (const int id = std::exchange(p.timers[size_t(role)], 0)) {
        killTimer(id);
        m_timers.remove(id);
    }
}

void CallControlClient::stopRequestTimers(Pending &p)
{
    for (TimerRole role :
         {TimerRole::Budget, TimerRole::Hedge, TimerRole::Response, TimerRole::Retry})
        stopRequestTimer(p, role);
}

void CallControlClient::timerEvent(QTimerEvent *event)
{
    const auto target = m_timers.constFind(event->timerId());
    if (target == m_timers.cend()) {
        QObject::timerEvent(event);
        return;
    }
    const TimerTarget t = *target;
    m_timers.erase(target);
    killTimer(event->timerId()); // each fires once
    const auto it = m_pending.find(t.handle);
    if (it == m_pending.end())
        return;
    it->second->timers[size_t(t.role)] = 0;
    switch (t.role) {
    case TimerRole::Budget:
        onBudgetSpent(t.handle);
        break;
    case TimerRole::Hedge:
        onHedgeDue(t.handle);
        break;
    case TimerRole::Response:
        onResponseTimeout(t.handle);
        break;
    case TimerRole::Retry:
        if (it->second->waitingRetry)
            send(t.handle);
        break;
    }
}

void CallControlClient::onHedgeDue(quint64 handle)
{
    const auto it = m_pending.find(handle);
    if (it == m_pending.end())
        return;
    Pending &p = *it->second;
    if (p.hedged || !p.replies[0] || p.replies[1])
        return;
    // The identical request (same body, same command_id) while the first stays in flight.
    p.hedged = true;
    qCDebug(lcCallControl).noquote() << p.method << p.path << "attempt" << p.result.attempts
                                     << "hedged after" << m_policy.hedgeAfterMs << "ms";
    QNetworkReply *twin = issue(p);
    p.replies[1] = twin;
    watch(handle, twin, true);
}

void CallControlClient::onResponseTimeout(quint64 handle)
{
    const auto it = m_pending.find(handle);
    if (it == m_pending.end())
        return;
    Pending &p = *it->second;
    if (!p.inFlight())
        return;
    dropReplies(p);
    ApiResponse none;
    none.error = QStringLiteral("no response within %1 ms").arg(m_policy.responseTimeoutMs);
    onResponse(handle, none);
}

void CallControlClient::onBudgetSpent(quint64 handle)
{
    const auto it = m_pending.find(handle);
    if (it == m_pending.end())
        return;
    Pending &p = *it->second;
    if (!p.inFlight() && !p.waitingRetry)
        return;
    qCDebug(lcCallControl).noquote()
        << p.result.command << "gives up after" << m_policy.totalBudgetMs << "ms";
    if (p.inFlight()) {
        dropReplies(p);
        p.result.httpStatus = 0;
        p.result.errorCode.clear();
        p.result.errorDetail.clear();
        p.result.callEnded = false;
        p.result.errorTitle =
            QStringLiteral("no response within %1 ms").arg(m_policy.totalBudgetMs);
        emit attemptFailed(handle, 0, {}, p.result.errorTitle, false);
    }
    // (Waiting for a retry: the last attempt's outcome stands.)
    complete(handle);
}

void CallControlClient::dropReplies(Pending &p)
{
    stopRequestTimer(p, TimerRole::Hedge);
    stopRequestTimer(p, TimerRole::Response);
    for (QNetworkReply *&reply : p.replies)
        discard(std::exchange(reply, nullptr), this);
}

void CallControlClient::onReplyFinished(quint64 handle, QNetworkReply *reply)
{
    reply->deleteLater();
    const auto it = m_pending.find(handle);
    if (it == m_pending.end())
        return;
    Pending &p = *it->second;
    const auto slot = std::find(p.replies.begin(), p.replies.end(), reply);
    if (slot == p.replies.end())
        return;
    *slot = nullptr;

    const QVariant statusAttribute = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    ApiResponse response;
    response.status = statusAttribute.isValid() ? statusAttribute.toInt() : 0;
    if (response.status == 0) {
        response.error = reply->errorString();
        if (p.inFlight()) {
            // Not an answer: the other request may still bring one.
            p.lostError = response.error;
            return;
        }
        if (reply->error() == QNetworkReply::SslHandshakeFailedError)
            response.status = -1; // final: trying again will not fix a certificate
    } else {
        response.reason = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
        response.body = reply->readAll();
        response.reply = reply;
    }
    // The first answer counts; the other request is stopped and ignored.
    dropReplies(p);
    onResponse(handle, response);
}

void CallControlClient::onResponse(quint64 handle, const ApiResponse &response)
{
    auto it = m_pending.find(handle);
    if (it == m_pending.end())
        return;
    Pending &p = *it->second;

    const bool tlsFailure = response.status < 0;
    const int status = std::max(response.status, 0);
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
            title = scrub(response.reason);
        }
        p.result.callEnded = status == 422 && hasCallEnded(errors);
        if (p.result.callEnded)
            code = QString::fromLatin1(TelnyxError::CallEnded);
    }
    p.result.errorCode = code;
    p.result.errorTitle = title;
    p.result.errorDetail = detail;

    bool retryable = !tlsFailure && RetryPolicy::isRetryableStatus(status);
    const QByteArray shouldRetry = response.header("x-should-retry").toLower();
    if (status != 0 && shouldRetry == "true")
        retryable = true;
    else if (status != 0 && shouldRetry == "false")
        retryable = false;

    int delay = m_policy.backoffDelayMs(p.tries);
    if (status == 429 || status == 503) {
        if (const auto asked = m_policy.serverDelayMs(response.header("retry-after-ms"),
                                                      response.header("retry-after"),
                                                      response.header("x-ratelimit-reset")))
            delay = *asked;
    }
    const bool attemptsLeft = m_policy.maxAttempts <= 0 || p.tries < m_policy.maxAttempts;
    const bool timeLeft =
        m_policy.totalBudgetMs <= 0 || p.clock.elapsed() + delay < m_policy.totalBudgetMs;
    const bool willRetry = retryable && attemptsLeft && timeLeft;
    qCDebug(lcCallControl).noquote()
        << p.result.command << "attempt" << p.result.attempts << "failed:" << status << code
        << title
        << (willRetry ? QStringLiteral("retry in %1 ms").arg(delay) : QStringLiteral("final"));
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
    startRequestTimer(handle, *it->second, TimerRole::Retry, delay);
}

void CallControlClient::complete(quint64 handle)
{
    const auto it = m_pending.find(handle);
    if (it == m_pending.end())
        return;
    std::unique_ptr<Pending> p = std::move(it->second);
    m_pending.erase(it);
    dropReplies(*p);
    stopRequestTimers(*p);
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
