// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "server/ratelimiter.h"

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

namespace kt {

class RegistrationService;

// The registration page's HTTP side, as one pure function of a request, so that the webhook
// server can route every path under /register here:
//
//   GET  /register                    the page (also /register/)
//   GET  /register/register.js|.css   its script and style sheet
//   POST /register/challenge          {"namespace","phone"} -> {"challenge","phone","namespace",
//                                      "message","expires_in"}
//   POST /register/submit             {"challenge","certificate","signature","pin"} ->
//                                      {"status_token","code","number","code_expires_in"}
//   GET  /register/status/{token}     {"state","number","code","code_expires_in"}
//
// Every answer carries the same strict headers (Content-Security-Policy without inline script or
// style, nosniff, no referrer, no caching, no framing). Errors are {"error":code,"message":...}
// with fixed texts: nothing the client sent is reflected. Each client (the address the server
// resolved, trusted proxies honoured) has token buckets: one for the page and its assets, one
// for the status polls, and a small one for challenges and submissions.
class RegistrationApi
{
public:
    using Headers = QList<QPair<QByteArray, QByteArray>>;

    struct Reply
    {
        int status = 200;
        QByteArray contentType;
        QByteArray body;
        Headers headers; // the security headers and any extra (Allow, Retry-After)
    };

    struct Limits
    {
        RateLimiter::Config page{60, 1, 4096};
        RateLimiter::Config status{60, 1, 4096};
        RateLimiter::Config api{10, 0.1, 4096}; // challenges and submissions
    };

    static constexpr int MaxBody = 16 * 1024;

    // `service` must outlive the API.
    explicit RegistrationApi(RegistrationService &service);
    RegistrationApi(RegistrationService &service, Limits limits);
    void setLimits(const Limits &limits);
    // Monotonic milliseconds for the rate limits (tests); empty restores the steady clock.
    void setRateClock(RateLimiter::Clock clock);

    // True for "/register" and every path under "/register/" (a query string is ignored).
    static bool handles(const QByteArray &path);

    Reply handle(const QByteArray &method, const QByteArray &path, const Headers &headers,
                 const QByteArray &body, const QString &clientKey);

    // The headers every answer carries.
    static Headers securityHeaders();
    static QByteArray contentSecurityPolicy();

private:
    Reply challenge(const Headers &headers, const QByteArray &body);
    Reply submit(const Headers &headers, const QByteArray &body);
    Reply status(const QByteArray &token);
    static Reply asset(const QString &name, const QByteArray &contentType);

    RegistrationService &m_service;
    RateLimiter m_page;
    RateLimiter m_status;
    RateLimiter m_api;
};

} // namespace kt
