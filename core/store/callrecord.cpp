// SPDX-License-Identifier: GPL-3.0-or-later
#include "callrecord.h"

#include <QJsonValue>

namespace kt {

namespace {
QJsonValue orNull(const QString &s)
{
    return s.isNull() ? QJsonValue(QJsonValue::Null) : QJsonValue(s);
}
} // namespace

QJsonObject CallRecord::toJson() const
{
    return QJsonObject{
        {QStringLiteral("call_id"), callId},
        {QStringLiteral("call_control_id"), orNull(callControlId)},
        {QStringLiteral("from_number"), orNull(fromNumber)},
        {QStringLiteral("to_number"), orNull(toNumber)},
        {QStringLiteral("caller_name"), orNull(callerName)},
        {QStringLiteral("direction"), orNull(direction)},
        {QStringLiteral("decision"), orNull(decision)},
        {QStringLiteral("reason"), orNull(reason)},
        {QStringLiteral("namespace"), orNull(namespaceName)},
        {QStringLiteral("state"), orNull(state)},
        {QStringLiteral("started_at"), orNull(startedAt)},
        {QStringLiteral("decided_at"), orNull(decidedAt)},
        {QStringLiteral("ended_at"), orNull(endedAt)},
        {QStringLiteral("hangup_cause"), orNull(hangupCause)},
        {QStringLiteral("flags"), flags},
        {QStringLiteral("updated_seq"), updatedSeq},
    };
}

} // namespace kt
