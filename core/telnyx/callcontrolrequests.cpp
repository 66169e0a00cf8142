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

namespace kt {

namespace {

bool hasCallEnded(const QList<TelnyxError> &errors)
{
    return std::any_of(errors.begin(), errors.end(), [](const TelnyxError &e) {
        return e.code == QLatin1String(TelnyxError::CallEnded);
    });
}

} // namespace

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
