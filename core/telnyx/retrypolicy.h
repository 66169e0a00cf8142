// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QDateTime>

#include <functional>
#include <optional>

namespace kt {

// When and how soon the Call Control client sends a request again (see the README, "How it
// runs"). Network errors, no answer within `responseTimeoutMs`, 408, 429 and 5xx are retried;
// other statuses are final. An attempt that has had no answer `hedgeAfterMs` after its request
// was sent (connecting, TLS included, does not count) is hedged: the identical request goes once
// more while the first stays in flight, and the first answer of the two counts. Delays between
// attempts grow exponentially from `baseDelayMs`, capped at `maxDelayMs`, with +/- `jitter` (a
// fraction) drawn from `random`; a 429 waits as long as the server asks, capped at
// `maxRateLimitDelayMs`. The client gives up when `totalBudgetMs` (counted from the request's
// start) has passed or `maxAttempts` were made, whichever comes first; 0 turns either off.
class RetryPolicy
{
public:
    int maxAttempts = 0;          // attempts in all, including the first; 0: the budget decides
    int hedgeAfterMs = 500;       // "no HTTP response within 500ms -> send an identical command"
    int responseTimeoutMs = 5000; // an attempt without any answer this long after sending fails
    int totalBudgetMs = 12000;    // no attempt after this, and one in flight is abandoned
    int baseDelayMs = 200;        // delay before the first retry
    int maxDelayMs = 3000;        // cap of the exponential backoff
    int maxRateLimitDelayMs = 60000;
    double jitter = 0.2;            // each delay is scaled by a factor in [1 - jitter, 1 + jitter]
    std::function<double()> random; // uniform in [0, 1); QRandomGenerator when empty

    // The delay before retry number `retry` (1 for the first retry).
    int backoffDelayMs(int retry) const;

    // The delay a 429 (or 503) response asks for, from `retry-after-ms` (milliseconds),
    // `retry-after` (seconds or an HTTP date) or `x-ratelimit-reset` (seconds), in that order,
    // capped at maxRateLimitDelayMs; nullopt when none is usable.
    std::optional<int> serverDelayMs(const QByteArray &retryAfterMs, const QByteArray &retryAfter,
                                     const QByteArray &rateLimitReset,
                                     const QDateTime &now = QDateTime::currentDateTimeUtc()) const;

    // Whether a response with this status (0: no response) may be sent again.
    static bool isRetryableStatus(int httpStatus);
};

} // namespace kt
