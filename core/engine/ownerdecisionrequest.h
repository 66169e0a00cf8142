// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/storedevent.h"

#include <QString>

namespace kt {

class EventStore;

// The owner's decision asked of the engine that holds the call, from another process or another
// machine (`kevan-tel calls decide`, a desktop watching a server): a tel.owner_decision_requested
// event in the log, which that engine reads (announced by PostgreSQL, or polled) and carries out,
// recording tel.owner_decision itself.
class OwnerDecisionRequest
{
public:
    // `choice`: accept, reject or voicemail; anything else is refused (Error) before the store
    // is touched. The call must exist and be asking or screening (Error with a line for people
    // otherwise). The call's id is returned in *callId (the call may be named by its
    // call_control_id among the recent calls).
    static AppendResult append(EventStore &store, const QString &callOrControlId,
                               const QString &choice, const QString &actor,
                               QString *callId = nullptr, QString *fromNumber = nullptr);
};

} // namespace kt
