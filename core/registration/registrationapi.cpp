// SPDX-License-Identifier: GPL-3.0-or-later
#include "registrationapi.h"

#include "registrationservice.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>

#include <cmath>

namespace kt {

namespace {
const QByteArray Json = QByteArrayLiteral("application/json");

using Error = RegistrationService::Error;

RegistrationApi::Reply jsonReply(int status, const QJsonObject &object)
{
    RegistrationApi::Reply reply;
    reply.status = status;
    reply.contentType = Json;
    reply.body = QJsonDocument(object).toJson(QJsonDocument::Compact);
    reply.headers = RegistrationApi::securityHeaders();
    return reply;
}

RegistrationApi::Reply errorReply(int status, const QString &code, const QString &message)
{
    return jsonReply(
        status, QJsonObject{{QStringLiteral("error"), code}, {QStringLiteral("message"), message}});
}

RegistrationApi::Reply serviceError(Error error)
{
    int status = 400;
    switch (error) {
    case Error::TooLarge:
        status = 413;
        break;
    case Error::ChallengeInvalid:
    case Error::CertificateInvalid:
    case Error::CertificateUntrusted:
    case Error::CertificateExpired:
    case Error::CertificateRevoked:
    case Error::CertificateWrongNamespace:
    case Error::KeyUnsupported:
    case Error::SignatureInvalid:
        status = 403;
        break;
    case Error::Busy:
    case Error::Unavailable:
        status = 503;
        break;
    default:
        break;
    }
    return errorReply(status, RegistrationService::code(error),
                      RegistrationService::message(error));
}

RegistrationApi::Reply methodNotAllowed(const QByteArray &allow)
{
    RegistrationApi::Reply reply = errorReply(405, QStringLiteral("method_not_allowed"),
                                              QStringLiteral("Method not allowed."));
    reply.headers.append({QByteArrayLiteral("Allow"), allow});
    return reply;
}

RegistrationApi::Reply rateLimited(RateLimiter &limiter, const QString &key)
{
    RegistrationApi::Reply reply = errorReply(429, QStringLiteral("rate_limited"),
                                              QStringLiteral("Too many requests. Wait a moment."));
    const qint64 ms = limiter.retryAfterMs(key);
    const qint64 secs = ms < 0 ? 60 : qMax<qint64>(1, (ms + 999) / 1000);
    reply.headers.append({QByteArrayLiteral("Retry-After"), QByteArray::number(secs)});
    return reply;
}

// The request's JSON object with only string fields read; nullopt for anything else.
std::optional<QJsonObject> readJson(const RegistrationApi::Headers &headers, const QByteArray &body,
                                    RegistrationApi::Reply *error)
{
    QByteArray contentType;
    for (const auto &h : headers) {
        if (h.first.compare("content-type", Qt::CaseInsensitive) == 0)
            contentType = h.second;
    }
    const QByteArray mediaType = contentType.split(';').first().trimmed().toLower();
    if (mediaType != Json) {
        *error = errorReply(415, QStringLiteral("unsupported_media_type"),
                            QStringLiteral("Send application/json."));
        return std::nullopt;
    }
    if (body.size() > RegistrationApi::MaxBody) {
        *error = serviceError(Error::TooLarge);
        return std::nullopt;
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        *error = serviceError(Error::InvalidRequest);
        return std::nullopt;
    }
    return document.object();
}

// A string field, or nullopt when present with another type.
std::optional<QString> field(const QJsonObject &object, const char *name)
{
    const QJsonValue value = object.value(QLatin1String(name));
    if (value.isUndefined() || value.isNull())
        return QString();
    if (!value.isString())
        return std::nullopt;
    return value.toString();
}

qint64 secondsUntil(const QDateTime &from, const QDateTime &to)
{
    return qMax<qint64>(0, from.secsTo(to));
}
} // namespace

RegistrationApi::RegistrationApi(RegistrationService &service) : RegistrationApi(service, Limits())
{}

RegistrationApi::RegistrationApi(RegistrationService &service, Limits limits)
    : m_service(service), m_page(limits.page), m_status(limits.status), m_api(limits.api)
{}

void RegistrationApi::setLimits(const Limits &limits)
{
    m_page.setConfig(limits.page);
    m_status.setConfig(limits.status);
    m_api.setConfig(limits.api);
}

void RegistrationApi::setRateClock(RateLimiter::Clock clock)
{
    m_page.setClock(clock);
    m_status.setClock(clock);
    m_api.setClock(std::move(clock));
}

bool RegistrationApi::handles(const QByteArray &path)
{
    const QByteArray p = path.left(path.indexOf('?') < 0 ? path.size() : path.indexOf('?'));
    return p == "/register" || p.startsWith("/register/");
}

QByteArray RegistrationApi::contentSecurityPolicy()
{
    return QByteArrayLiteral("default-src 'none'; script-src 'self'; style-src 'self'; "
                             "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
                             "frame-ancestors 'none'; base-uri 'none'");
}

RegistrationApi::Headers RegistrationApi::securityHeaders()
{
    return {
        {QByteArrayLiteral("Content-Security-Policy"), contentSecurityPolicy()},
        {QByteArrayLiteral("X-Content-Type-Options"), QByteArrayLiteral("nosniff")},
        {QByteArrayLiteral("Referrer-Policy"), QByteArrayLiteral("no-referrer")},
        {QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("no-store")},
        {QByteArrayLiteral("X-Frame-Options"), QByteArrayLiteral("DENY")},
        {QByteArrayLiteral("Cross-Origin-Opener-Policy"), QByteArrayLiteral("same-origin")},
        {QByteArrayLiteral("Cross-Origin-Resource-Policy"), QByteArrayLiteral("same-origin")},
    };
}

RegistrationApi::Reply RegistrationApi::asset(const QString &name, const QByteArray &contentType)
{
    QFile file(QStringLiteral(":/kevantel/register/") + name);
    if (!file.open(QIODevice::ReadOnly))
        return errorReply(404, QStringLiteral("not_found"), QStringLiteral("Not found."));
    Reply reply;
    reply.status = 200;
    reply.contentType = contentType;
    reply.body = file.readAll();
    reply.headers = securityHeaders();
    return reply;
}

RegistrationApi::Reply RegistrationApi::handle(const QByteArray &method, const QByteArray &rawPath,
                                               const Headers &headers, const QByteArray &body,
                                               const QString &clientKey)
{
    const int query = rawPath.indexOf('?');
    const QByteArray path = query < 0 ? rawPath : rawPath.left(query);
    const bool get = method == "GET";
    const bool post = method == "POST";

    struct Asset
    {
        const char *path;
        const char *file;
        const char *type;
    };
    static const Asset assets[] = {
        {"/register", "index.html", "text/html; charset=utf-8"},
        {"/register/", "index.html", "text/html; charset=utf-8"},
        {"/register/register.js", "register.js", "text/javascript; charset=utf-8"},
        {"/register/register.css", "register.css", "text/css; charset=utf-8"},
    };
    for (const Asset &a : assets) {
        if (path != a.path)
            continue;
        if (!get)
            return methodNotAllowed("GET");
        if (!m_page.tryAcquire(clientKey))
            return rateLimited(m_page, clientKey);
        return asset(QString::fromLatin1(a.file), a.type);
    }

    if (path == "/register/challenge" || path == "/register/submit") {
        if (!post)
            return methodNotAllowed("POST");
        if (!m_api.tryAcquire(clientKey))
            return rateLimited(m_api, clientKey);
        return path == "/register/challenge" ? challenge(headers, body) : submit(headers, body);
    }
    if (path.startsWith("/register/status/")) {
        if (!get)
            return methodNotAllowed("GET");
        if (!m_status.tryAcquire(clientKey))
            return rateLimited(m_status, clientKey);
        return status(path.mid(int(qstrlen("/register/status/"))));
    }
    if (!m_page.tryAcquire(clientKey))
        return rateLimited(m_page, clientKey);
    return errorReply(404, QStringLiteral("not_found"), QStringLiteral("Not found."));
}

RegistrationApi::Reply RegistrationApi::challenge(const Headers &headers, const QByteArray &body)
{
    Reply error;
    const auto object = readJson(headers, body, &error);
    if (!object)
        return error;
    const auto nameSpace = field(*object, "namespace");
    const auto phone = field(*object, "phone");
    if (!nameSpace || !phone)
        return serviceError(Error::InvalidRequest);
    const RegistrationService::ChallengeResult result = m_service.challenge(*nameSpace, *phone);
    if (result.error != Error::None)
        return serviceError(result.error);
    return jsonReply(
        200, QJsonObject{
                 {QStringLiteral("challenge"), result.challenge},
                 {QStringLiteral("namespace"), result.nameSpace},
                 {QStringLiteral("phone"), result.phone},
                 {QStringLiteral("message"), QString::fromUtf8(result.message)},
                 {QStringLiteral("expires_in"), secondsUntil(m_service.now(), result.expiresAt)},
             });
}

RegistrationApi::Reply RegistrationApi::submit(const Headers &headers, const QByteArray &body)
{
    Reply error;
    const auto object = readJson(headers, body, &error);
    if (!object)
        return error;
    const auto challenge = field(*object, "challenge");
    const auto certificate = field(*object, "certificate");
    const auto signature = field(*object, "signature");
    const auto pin = field(*object, "pin");
    if (!challenge || !certificate || !signature || !pin)
        return serviceError(Error::InvalidRequest);
    RegistrationService::Submission submission;
    submission.challenge = *challenge;
    submission.certificatePem = certificate->toUtf8();
    submission.signature = *signature;
    submission.pin = *pin;
    const RegistrationService::SubmitResult result = m_service.submit(submission);
    if (result.error != Error::None)
        return serviceError(result.error);
    return jsonReply(200, QJsonObject{
                              {QStringLiteral("status_token"), result.statusToken},
                              {QStringLiteral("code"), result.callInCode},
                              {QStringLiteral("number"), result.callInNumber},
                              {QStringLiteral("code_expires_in"),
                               secondsUntil(m_service.now(), result.codeExpiresAt)},
                          });
}

RegistrationApi::Reply RegistrationApi::status(const QByteArray &token)
{
    const auto found = m_service.byStatusToken(QString::fromLatin1(token));
    if (!found)
        return errorReply(404, QStringLiteral("not_found"), QStringLiteral("Not found."));
    const QDateTime now = m_service.now();
    const PendingRegistration::State state = found->effectiveState(now);
    QJsonObject o{{QStringLiteral("state"), PendingRegistration::stateName(state)}};
    if (state == PendingRegistration::State::AwaitingCall) {
        o.insert(QStringLiteral("number"), found->callInNumber);
        o.insert(QStringLiteral("code"), found->callInCode);
        o.insert(QStringLiteral("code_expires_in"), secondsUntil(now, found->codeExpiresAt));
    }
    return jsonReply(200, o);
}

} // namespace kt
