// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QString>

#include <functional>

namespace kt {

// A token bucket per key (a client address). Each bucket holds at most `capacity` tokens and
// refills at `refillPerSecond`; a key with a full bucket needs no memory, so only keys that spent
// tokens are tracked, and at most `maxKeys` of them (full buckets are dropped first, then the
// least recently used). Thread-confined; the clock (monotonic milliseconds) is injectable.
class RateLimiter
{
public:
    struct Config
    {
        double capacity = 30;
        double refillPerSecond = 1;
        int maxKeys = 4096;
    };
    using Clock = std::function<qint64()>;

    RateLimiter();
    explicit RateLimiter(Config config, Clock nowMs = {});

    void setConfig(const Config &config);
    Config config() const { return m_config; }
    // nowMs: monotonic milliseconds; an empty function restores the steady clock.
    void setClock(Clock nowMs);

    // Whether the bucket holds at least `cost` tokens; takes nothing.
    bool hasTokens(const QString &key, double cost = 1);
    // Takes `cost` tokens if the bucket holds them and returns true; otherwise takes nothing.
    bool tryAcquire(const QString &key, double cost = 1);
    // Takes `cost` tokens unconditionally; the bucket does not go below zero.
    void consume(const QString &key, double cost = 1);
    // The tokens in the bucket now (capacity for an unknown key).
    double tokens(const QString &key);
    // Milliseconds until the bucket holds `cost` tokens (0 if it does now; -1 if never).
    qint64 retryAfterMs(const QString &key, double cost = 1);

    int trackedKeys() const { return int(m_buckets.size()); }
    void clear() { m_buckets.clear(); }

private:
    struct Bucket
    {
        double tokens = 0;
        qint64 updatedMs = 0;
    };
    qint64 now() const;
    double refilled(const Bucket &bucket, qint64 nowMs) const;
    Bucket &bucketFor(const QString &key, qint64 nowMs);
    void evict(qint64 nowMs);

    Config m_config;
    Clock m_clock;
    QHash<QString, Bucket> m_buckets;
};

} // namespace kt
