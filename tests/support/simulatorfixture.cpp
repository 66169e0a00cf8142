// SPDX-License-Identifier: GPL-3.0-or-later
#include "simulatorfixture.h"

#include <QtDebug>

namespace kt::test {

bool SimulatorFixture::setUp()
{
    m_dir = std::make_unique<QTemporaryDir>();
    if (!m_dir->isValid()) {
        qWarning() << "no temporary folder:" << m_dir->errorString();
        return false;
    }
    m_telnyx = std::make_unique<TelnyxSimulator>();
    if (!m_telnyx->start()) {
        qWarning() << "the Telnyx simulator did not start";
        return false;
    }
    m_telnyx->setSpeakDurationMs(50);
    return true;
}

void SimulatorFixture::tearDown()
{
    m_telnyx.reset();
    m_dir.reset();
}

Config SimulatorFixture::engineConfig(const QString &forwardTo) const
{
    Config c;
    c.databasePath = m_dir->filePath(QStringLiteral("events.db"));
    c.port = 0;
    c.adminPort = 0;
    c.telnyxApiUrl = m_telnyx->baseUrl().toString();
    c.apiKey = m_telnyx->apiKey();
    c.publicKey = m_telnyx->publicKey();
    c.forwardTo = forwardTo;
    c.synchronous = QStringLiteral("NORMAL");
    return c;
}

std::unique_ptr<TelnyxSimulator> startSimulatorInto(WebhookCollector &collector)
{
    if (!collector.start()) {
        qWarning() << "the webhook collector did not start";
        return nullptr;
    }
    auto simulator = std::make_unique<TelnyxSimulator>();
    if (!simulator->start()) {
        qWarning() << "the Telnyx simulator did not start";
        return nullptr;
    }
    simulator->setWebhookUrl(collector.url());
    simulator->setEventDelayMs(1);
    return simulator;
}

} // namespace kt::test
