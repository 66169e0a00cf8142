// SPDX-License-Identifier: GPL-3.0-or-later
#include "enginefixture.h"

#include "store/eventstore.h"

#include <QSet>
#include <QtDebug>

namespace kt::test {

bool EngineFixture::setUp()
{
    if (!SimulatorFixture::setUp())
        return false;
    m_telnyx->setDeliveryRetryDelayMs(100);
    return true;
}

void EngineFixture::tearDown()
{
    m_engine.reset();
    SimulatorFixture::tearDown();
}

bool EngineFixture::startEngine(const Config &config)
{
    m_engine = std::make_unique<Engine>(config);
    QString error;
    if (!m_engine->start(&error)) {
        qWarning() << "engine did not start:" << error;
        return false;
    }
    m_telnyx->setWebhookUrl(QUrl(m_engine->url() + QStringLiteral("/webhooks/telnyx")));
    return true;
}

QString EngineFixture::callIdOf(const QString &ccid) const
{
    const SimulatedCall *call = m_telnyx->call(ccid);
    return call ? call->callSessionId : QString();
}

std::optional<CallRecord> EngineFixture::record(const QString &ccid) const
{
    return m_engine ? m_engine->eventStore().call(callIdOf(ccid)) : std::nullopt;
}

QString EngineFixture::stateOf(const QString &ccid) const
{
    const auto r = record(ccid);
    return r ? r->state : QString();
}

QList<ReceivedRequest> EngineFixture::distinctCommands(const QString &ccid) const
{
    QList<ReceivedRequest> out;
    QSet<QString> seen;
    for (const ReceivedRequest &r : m_telnyx->commands()) {
        if ((!ccid.isEmpty() && r.callControlId != ccid) || seen.contains(r.commandId))
            continue;
        seen.insert(r.commandId);
        out.append(r);
    }
    return out;
}

QStringList EngineFixture::steps(const QString &ccid) const
{
    QStringList names;
    for (const ReceivedRequest &r : distinctCommands(ccid))
        names.append(r.command);
    return names;
}

} // namespace kt::test
