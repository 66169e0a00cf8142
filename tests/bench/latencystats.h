// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QtGlobal>

#include <vector>

namespace kt::bench {

// Latency samples in nanoseconds and their percentiles.
class LatencyStats
{
public:
    void add(qint64 nanoseconds) { m_samples.push_back(nanoseconds); }
    void merge(const LatencyStats &other);
    void clear() { m_samples.clear(); }
    qint64 count() const { return qint64(m_samples.size()); }

    // The nearest-rank percentile (0 < p <= 100) in milliseconds; 0 without samples.
    double percentileMs(double p) const;
    double maxMs() const;
    double meanMs() const;

    // "p50 1.23 ms, p99 4.56 ms, max 7.89 ms (n=1000)"
    QString summary() const;

private:
    mutable std::vector<qint64> m_samples;
    mutable bool m_sorted = false;
    void sort() const;
};

// A monotonic clock shared by every thread of a benchmark, in nanoseconds.
qint64 nowNs();

} // namespace kt::bench
