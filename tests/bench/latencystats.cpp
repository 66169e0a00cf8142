// SPDX-License-Identifier: GPL-3.0-or-later
#include "latencystats.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

namespace kt::bench {

qint64 nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

void LatencyStats::merge(const LatencyStats &other)
{
    m_samples.insert(m_samples.end(), other.m_samples.begin(), other.m_samples.end());
    m_sorted = false;
}

void LatencyStats::sort() const
{
    // add() may have appended since the last sort.
    if (!m_sorted || !std::is_sorted(m_samples.begin(), m_samples.end())) {
        std::sort(m_samples.begin(), m_samples.end());
        m_sorted = true;
    }
}

double LatencyStats::percentileMs(double p) const
{
    if (m_samples.empty())
        return 0;
    sort();
    const auto n = m_samples.size();
    auto rank = size_t(std::ceil(p / 100.0 * double(n)));
    rank = std::clamp<size_t>(rank, 1, n);
    return double(m_samples[rank - 1]) / 1e6;
}

double LatencyStats::maxMs() const
{
    if (m_samples.empty())
        return 0;
    return double(*std::max_element(m_samples.begin(), m_samples.end())) / 1e6;
}

double LatencyStats::meanMs() const
{
    if (m_samples.empty())
        return 0;
    const long double sum = std::accumulate(m_samples.begin(), m_samples.end(), 0.0L);
    return double(sum / m_samples.size()) / 1e6;
}

QString LatencyStats::summary() const
{
    return QStringLiteral("p50 %1 ms, p99 %2 ms, max %3 ms (n=%4)")
        .arg(percentileMs(50), 0, 'f', 2)
        .arg(percentileMs(99), 0, 'f', 2)
        .arg(maxMs(), 0, 'f', 2)
        .arg(count());
}

} // namespace kt::bench
