// SPDX-License-Identifier: GPL-3.0-or-later
#include "storedevent.h"

#include <QJsonValue>

namespace kt {

namespace {
QJsonValue orNull(const QString &s)
{
    return s.isNull() ? QJsonValue(QJsonValue::Null) : QJsonValue(s);
}
} // namespace

QJsonObject StoredEvent::toJson() const
{
    QJsonObject json{
        {QStringLiteral("seq"), seq},
        {QStringLiteral("telnyx_id"), orNull(telnyxId)},
        {QStringLiteral("type"), type},
        {QStringLiteral("call_id"), orNull(callId)},
        {QStringLiteral("occurred_at"), orNull(occurredAt)},
        {QStringLiteral("recorded_at"), recordedAt},
        {QStringLiteral("actor"), actor},
        {QStringLiteral("payload"), payload},
        {QStringLiteral("prev_hash"), prevHash},
        {QStringLiteral("hash"), hash},
    };
    if (!instance.isNull())
        json.insert(QStringLiteral("instance"), instance);
    return json;
}

} // namespace kt
