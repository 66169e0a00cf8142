// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/engine.h"
#include "simulatorfixture.h"
#include "store/callrecord.h"

#include <QStringList>

#include <memory>
#include <optional>

namespace kt::test {

// The engine in process, as the end-to-end suites drive it: kt::Engine on a temporary database
// and free loopback ports, and the Telnyx simulator (signed webhooks in, Call Control commands
// out) pointed at it. A suite derives from it, calls setUp() in init() and tearDown() in
// cleanup(), and reaches the parts through m_dir, m_telnyx and m_engine.
class EngineFixture : public SimulatorFixture
{
protected:
    // SimulatorFixture's, with a simulator that redelivers quickly too.
    bool setUp();
    void tearDown();

    // Starts an engine on `config` and sends the simulator's webhooks to it.
    bool startEngine(const Config &config);

    // The call session of leg `ccid`, and its row in the calls projection.
    QString callIdOf(const QString &ccid) const;
    std::optional<CallRecord> record(const QString &ccid) const;
    QString stateOf(const QString &ccid) const;
    // The commands Telnyx received for leg `ccid` (every leg when empty), one per command_id,
    // in order; and their names.
    QList<ReceivedRequest> distinctCommands(const QString &ccid = {}) const;
    QStringList steps(const QString &ccid = {}) const;

    std::unique_ptr<Engine> m_engine;
};

} // namespace kt::test
