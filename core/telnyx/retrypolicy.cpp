// SPDX-License-Identifier: GPL-3.0-or-later
#include "retrypolicy.h"

#include <QLocale>
#include <QRandomGenerator>

#include <algorithm>
#include <cmath>

namespace kt {

int RetryPolicy::backoffDelayMs(int retry) const
{
    const int exponent = std::clamp(retry - 1, 0, 30);
    const double raw = std::min<double>(double(std::max(baseDelayMs, 0)) * std::pow(2.0, exponent),
                                        double(std::max(maxDelayMs, 0)));
    const double r = random ? random() : QRandomGenerator::global()->generateDouble();
    const double j = std::clamp(jitter, 0.0, 1.0);
    const double factor = 1.0 - j + 2.0 * j * std::clamp(r, 0.0, 1.0);
    return int(std::lround(std::min(raw * factor, double(std::max(maxDelayMs, 0)))));
}

std::optional<int> RetryPolicy::serverDelayMs(const QByteArray &retryAfterMs,
                                              const QByteArray &retryAfter,
                                              const QByteArray &rateLimitReset,
                                              const QDateTime &now) const
{
    const auto capped = [this](double ms) {
        return int(std::clamp(ms, 0.0, double(std::max(maxRateLimitDelayMs, 0))));
    };
    bool ok = false;
    const double ms = retryAfterMs.trimmed().toDouble(&ok);
    if (ok && ms >= 0)
        return capped(ms);
    const double secs = retryAfter.trimmed().toDouble(&ok);
    if (ok && secs >= 0)
        return capped(secs * 1000.0);
    if (!retryAfter.trimmed().isEmpty()) {
        // An HTTP date: "Wed, 21 Oct 2015 07:28:00 GMT".
        QString text = QString::fromLatin1(retryAfter.trimmed());
        text.remove(QLatin1String(" GMT"));
        const QDateTime when =
            QLocale::c().toDateTime(text, QStringLiteral("ddd, dd MMM yyyy HH:mm:ss"));
        if (when.isValid()) {
            QDateTime utc = when;
            utc.setTimeSpec(Qt::UTC);
            return capped(double(now.msecsTo(utc)));
        }
    }
    const double reset = rateLimitReset.trimmed().toDouble(&ok);
    if (ok && reset >= 0)
        return capped(reset * 1000.0);
    return std::nullopt;
}

bool RetryPolicy::isRetryableStatus(int httpStatus)
{
    return httpStatus == 0 || httpStatus == 408 || httpStatus == 429 || httpStatus >= 500;
}

} // namespace kt
