// SPDX-License-Identifier: GPL-3.0-or-later
#include "ownerdecisionrequest.h"

#include "store/eventstore.h"

namespace kt {

AppendResult OwnerDecisionRequest::append(EventStore &store, const QString &callOrControlId,
                                          const QString &choice, const QString &actor,
                                          QString *callId, QString *fromNumber)
{
    AppendResult refused;
    refused.status = AppendResult::Status::Error;
    if (choice != QLatin1String("accept") && choice != QLatin1String("reject") &&
        choice != QLatin1String("voicemail")) {
        refused.error = QStringLiteral("the decision is accept, reject or voicemail");
        return refused;
    }
    std::optional<CallRecord> call = store.call(callOrControlId);
    if (!call) {
        // The call_control_id of a recent call names it too.
        CallQuery recent;
        recent.limit = 500;
        for (const CallRecord &c : store.calls(recent)) {
            if (c.callControlId == callOrControlId)
                call = c;
        }
    }
    if (!call) {
        refused.error =
            store.errorString().isEmpty()
                ? QStringLiteral("no call %1 (see kevan-tel calls)").arg(callOrControlId)
                : store.errorString();
        return refused;
    }
    if (callId)
        *callId = call->callId;
    if (fromNumber)
        *fromNumber = call->fromNumber;
    if (call->state != QLatin1String("asking") && call->state != QLatin1String("screening")) {
        refused.error =
            QStringLiteral("call %1 is not waiting for a decision (it is %2)")
                .arg(call->callId, call->state.isEmpty() ? QStringLiteral("unknown") : call->state);
        return refused;
    }
    NewEvent e;
    e.type = QStringLiteral("tel.owner_decision_requested");
    e.callId = call->callId;
    e.actor = actor;
    e.payload = {{QStringLiteral("accept"), choice == QLatin1String("accept")},
                 {QStringLiteral("choice"), choice}};
    return store.append(e);
}

} // namespace kt
