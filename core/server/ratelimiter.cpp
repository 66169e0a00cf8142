// SPDX-License-Identifier: GPL-3.0-or-later
#include "ratelimiter.h"

#include <QElapsedTimer>

#include <algorithm>
#include <cmath>
#include <vector>

namespace kt {

RateLimiter::RateLimiter() : m_config(Config()) {}

RateLimiter::RateLimiter(Config config, Clock nowMs) : m_config(config), m_clock(std::move(nowMs))
{}

void RateLimiter::setConfig(const Config &config)
{
    m_config = config;
    m_buckets.clear();
}

void RateLimiter::setClock(Clock nowMs)
{
    m_clock = std::move(nowMs);
    m_buckets.clear();
}

qint64 RateLimiter::now() const
{
    if (m_clock)
        return m_clock();
    static QElapsedTimer steady = [] {
        QElapsedTimer t;
        t.start();
        return t;
    }();
    return steady.elapsed();
}

double RateLimiter::refilled(const Bucket &bucket, qint64 nowMs) const
{
    const qint64 elapsed = std::max<qint64>(0, nowMs - bucket.updatedMs);
    const double tokens = bucket.tokens + double(elapsed) * m_config.refillPerSecond / 1000.0;
    return std::min(tokens, m_config.capacity);
}

RateLimiter::Bucket &RateLimiter::bucketFor(const QString &key, qint64 nowMs)
{
    auto it = m_buckets.find(key);
    if (it == m_buckets.end()) {
        if (m_buckets.size() >= std::max(1, m_config.maxKeys))
            evict(nowMs);
        it = m_buckets.insert(key, Bucket{m_config.capacity, nowMs});
    } else {
        it->tokens = refilled(*it, nowMs);
        it->updatedMs = nowMs;
    }
    return *it;
}

void RateLimiter::evict(qint64 nowMs)
{
    // Full buckets carry no information: drop them all.
    for (auto it = m_buckets.begin(); it != m_buckets.end();) {
        if (refilled(*it, nowMs) >= m_config.capacity)
            it = m_buckets.erase(it);
        else
            ++it;
    }
    const int maxKeys = std::max(1, m_config.maxKeys);
    if (m_buckets.size() < maxKeys)
        return;
    // Still full: drop the least recently used eighth (at least one), so that eviction work is
    // amortised over many new keys.
    std::vector<qint64> times;
    times.reserve(m_buckets.size());
    for (const Bucket &b : std::as_const(m_buckets))
        times.push_back(b.updatedMs);
    const size_t drop = std::max<size_t>(1, times.size() / 8);
    std::nth_element(times.begin(), times.begin() + (drop - 1), times.end());
    const qint64 cutoff = times[drop - 1];
    size_t dropped = 0;
    for (auto it = m_buckets.begin(); it != m_buckets.end() && dropped < drop;) {
        if (it->updatedMs <= cutoff) {
            it = m_buckets.erase(it);
            ++dropped;
        } else {
            ++it;
        }
    }
}

bool RateLimiter::hasTokens(const QString &key, double cost)
{
    return tokens(key) >= cost;
}

bool RateLimiter::tryAcquire(const QString &key, double cost)
{
    const qint64 nowMs = now();
    auto it = m_buckets.constFind(key);
    const double available = it == m_buckets.cend() ? m_config.capacity : refilled(*it, nowMs);
    if (available < cost)
        return false;
    Bucket &bucket = bucketFor(key, nowMs);
    bucket.tokens = std::max(0.0, bucket.tokens - cost);
    return true;
}

void RateLimiter::consume(const QString &key, double cost)
{
    Bucket &bucket = bucketFor(key, now());
    bucket.tokens = std::max(0.0, bucket.tokens - cost);
}

double RateLimiter::tokens(const QString &key)
{
    auto it = m_buckets.constFind(key);
    if (it == m_buckets.cend())
        return m_config.capacity;
    return refilled(*it, now());
}

qint64 RateLimiter::retryAfterMs(const QString &key, double cost)
{
    const double missing = cost - tokens(key);
    if (missing <= 0)
        return 0;
    if (m_config.refillPerSecond <= 0 || cost > m_config.capacity)
        return -1;
    return qint64(std::ceil(missing * 1000.0 / m_config.refillPerSecond));
}

} // namespace kt
