// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/config.h"
#include "simulator/telnyxsimulator.h"
#include "webhookcollector.h"

#include <QTemporaryDir>

#include <memory>

namespace kt::test {

// What every suite against the fake Telnyx starts from: a fresh temporary folder and a started
// Telnyx simulator that speaks quickly. A suite derives from it, calls setUp() in init() and
// tearDown() in cleanup() (after stopping what uses the simulator), and reaches them through
// m_dir and m_telnyx.
class SimulatorFixture
{
protected:
    // False (with a warning) when the folder or the simulator could not be had.
    bool setUp();
    void tearDown();
    // An engine against the simulator: its key, API and a database in m_dir, ports chosen by
    // the system, synchronous=NORMAL, calls forwarded to `forwardTo`.
    Config engineConfig(const QString &forwardTo) const;

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<TelnyxSimulator> m_telnyx;
};

// A started simulator whose webhooks go, at once (1 ms apart), to `collector`, which is started
// too; null (with a warning) when either did not start. For the suites that look at the
// webhooks themselves rather than at an engine.
std::unique_ptr<TelnyxSimulator> startSimulatorInto(WebhookCollector &collector);

} // namespace kt::test
