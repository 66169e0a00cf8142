// SPDX-License-Identifier: GPL-3.0-or-later
// kt::RateLimiter: token buckets per key with an injected clock and bounded memory.
#include "server/ratelimiter.h"

#include <QtTest>

using kt::RateLimiter;

class TstRateLimiter : public QObject
{
    Q_OBJECT
private slots:
    void burstThenRefuse();
    void refillsOverTime();
    void keysAreIndependent();
    void consumeClampsAtZero();
    void hasTokensTakesNothing();
    void retryAfter();
    void memoryIsBounded();
    void fullBucketsAreEvictedFirst();

private:
    qint64 m_now = 1'000'000;
    RateLimiter::Clock clock()
    {
        return [this] { return m_now; };
    }
};

void TstRateLimiter::burstThenRefuse()
{
    RateLimiter limiter({3, 1, 100}, clock());
    QVERIFY(limiter.tryAcquire(QStringLiteral("a")));
    QVERIFY(limiter.tryAcquire(QStringLiteral("a")));
    QVERIFY(limiter.tryAcquire(QStringLiteral("a")));
    QVERIFY(!limiter.tryAcquire(QStringLiteral("a")));
    QCOMPARE(limiter.tokens(QStringLiteral("a")), 0.0);
}

void TstRateLimiter::refillsOverTime()
{
    RateLimiter limiter({2, 4, 100}, clock()); // 4 tokens per second
    QVERIFY(limiter.tryAcquire(QStringLiteral("a"), 2));
    QVERIFY(!limiter.tryAcquire(QStringLiteral("a")));
    m_now += 249;
    QVERIFY(!limiter.tryAcquire(QStringLiteral("a")));
    m_now += 1;
    QVERIFY(limiter.tryAcquire(QStringLiteral("a")));
    m_now += 60'000; // never above capacity
    QCOMPARE(limiter.tokens(QStringLiteral("a")), 2.0);
}

void TstRateLimiter::keysAreIndependent()
{
    RateLimiter limiter({1, 0, 100}, clock());
    QVERIFY(limiter.tryAcquire(QStringLiteral("a")));
    QVERIFY(!limiter.tryAcquire(QStringLiteral("a")));
    QVERIFY(limiter.tryAcquire(QStringLiteral("b")));
}

void TstRateLimiter::consumeClampsAtZero()
{
    RateLimiter limiter({2, 1, 100}, clock());
    limiter.consume(QStringLiteral("a"), 10);
    QCOMPARE(limiter.tokens(QStringLiteral("a")), 0.0);
    m_now += 1000; // one second refills one token, not -8 + 1
    QCOMPARE(limiter.tokens(QStringLiteral("a")), 1.0);
}

void TstRateLimiter::hasTokensTakesNothing()
{
    RateLimiter limiter({1, 0, 100}, clock());
    for (int i = 0; i < 5; ++i)
        QVERIFY(limiter.hasTokens(QStringLiteral("a")));
    QCOMPARE(limiter.trackedKeys(), 0); // successful checks allocate nothing
    limiter.consume(QStringLiteral("a"));
    QVERIFY(!limiter.hasTokens(QStringLiteral("a")));
    QCOMPARE(limiter.trackedKeys(), 1);
}

void TstRateLimiter::retryAfter()
{
    RateLimiter limiter({5, 2, 100}, clock());
    QCOMPARE(limiter.retryAfterMs(QStringLiteral("a")), 0);
    limiter.consume(QStringLiteral("a"), 5);
    QCOMPARE(limiter.retryAfterMs(QStringLiteral("a")), 500);
    RateLimiter never({5, 0, 100}, clock());
    never.consume(QStringLiteral("a"), 5);
    QCOMPARE(never.retryAfterMs(QStringLiteral("a")), -1);
}

void TstRateLimiter::memoryIsBounded()
{
    RateLimiter limiter({1, 0, 64}, clock());
    for (int i = 0; i < 10'000; ++i) {
        m_now += 1;
        limiter.consume(QStringLiteral("k%1").arg(i));
        QVERIFY(limiter.trackedKeys() <= 64);
    }
    // The most recent key is still limited; long-evicted ones start full again.
    QVERIFY(!limiter.hasTokens(QStringLiteral("k9999")));
    QVERIFY(limiter.hasTokens(QStringLiteral("k0")));
}

void TstRateLimiter::fullBucketsAreEvictedFirst()
{
    RateLimiter limiter({1, 1, 4}, clock());
    limiter.consume(QStringLiteral("old")); // drained first, refills after 1 s
    m_now += 2000;
    limiter.consume(QStringLiteral("a"));
    limiter.consume(QStringLiteral("b"));
    limiter.consume(QStringLiteral("c"));
    QCOMPARE(limiter.trackedKeys(), 4);
    limiter.consume(QStringLiteral("d")); // evicts "old" (full again), not a/b/c
    QCOMPARE(limiter.trackedKeys(), 4);
    QVERIFY(!limiter.hasTokens(QStringLiteral("a")));
    QVERIFY(!limiter.hasTokens(QStringLiteral("b")));
    QVERIFY(!limiter.hasTokens(QStringLiteral("c")));
    QVERIFY(!limiter.hasTokens(QStringLiteral("d")));
}

QTEST_GUILESS_MAIN(TstRateLimiter)
#include "tst_ratelimiter.moc"
