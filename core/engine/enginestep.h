// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine.h"
#include "enginedetail.h"
#include "store/eventstore.h"

namespace kt {

// One processing step: a webhook's processing, a command's outcome, a timeout, an owner's
// decision, the recovery at start. The events it appends go into one transaction, so a step
// costs one commit (one fsync under synchronous=FULL) instead of one per event; the commands it
// asks for (commands, cancellations) are handed to the Telnyx client once it is committed, so a
// command never leaves before the event that records it is durable. The calls it changed are
// announced (callChanged) once it is committed, so that readers on other connections find in
// the database what the signal says. Steps nest; the outermost commits.
class Engine::Step
{
public:
    explicit Step(Engine &engine) : m_engine(engine)
    {
        if (m_engine.m_stepDepth++ == 0 && !m_engine.m_store->beginBatch())
            qCWarning(lcEngine).noquote() // each event is then committed on its own
                << "cannot start a transaction:" << m_engine.m_store->errorString();
    }
    ~Step()
    {
        if (--m_engine.m_stepDepth > 0)
            return;
        if (m_engine.m_store->inBatch() && !m_engine.m_store->commitBatch()) {
            qCWarning(lcEngine).noquote()
                << "could not record the events of a step:" << m_engine.m_store->errorString();
            m_engine.noteWrite(false, m_engine.m_store->errorString());
        }
        // Even when the commit failed (the failure is reported on /health): a call must not be
        // left waiting for a command that was decided but never sent.
        m_engine.dispatchOutbox();
        m_engine.announceChangedCalls();
    }
    Step(const Step &) = delete;
    Step &operator=(const Step &) = delete;

private:
    Engine &m_engine;
};

} // namespace kt
