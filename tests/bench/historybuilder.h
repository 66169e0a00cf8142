// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDateTime>
#include <QString>

#include <functional>

namespace kt {
class EventStore;
}

namespace kt::bench {

// Fills an event store with a realistic call history through EventStore::append (so the hash
// chain and the calls projection are exactly what the engine writes), in batches of one
// transaction each. Every call is 8 events as the engine records them: call.initiated,
// tel.call_inbound, the decision, tel.command_sent, tel.command_ok, then call.answered or
// tel.call_state or tel.call_forwarded, call.hangup and tel.call_ended. Decisions: 70 %
// rejected, 10 % blocked, 10 % authenticated, 10 % allowlisted. Callers: 30 % of the calls come
// from 100 frequent callers, the rest from 20,000 others; the called numbers are the owner's 26.
// Calls are spread evenly over `days` days up to `end`; recorded_at follows the simulated time.
class HistoryBuilder
{
public:
    static constexpr int EventsPerCall = 8;
    static constexpr int FrequentCallers = 100;
    static constexpr int OtherCallers = 20000;

    struct Options
    {
        qint64 events = 1'000'000;
        int days = 365;
        int batch = 4000; // appends per transaction
        QDateTime end = QDateTime::currentDateTimeUtc();
        quint32 seed = 1;
    };
    using Progress = std::function<void(qint64 done, qint64 total)>;

    // Appends whole calls until at least options.events events were added. False with `error`.
    static bool build(EventStore &store, const Options &options, const Progress &progress,
                      QString *error);

    // The caller numbers: frequent ones (index < FrequentCallers) call ~1,000 times a year at
    // 1M events, the others a handful of times.
    static QString callerNumber(int index);
};

} // namespace kt::bench
