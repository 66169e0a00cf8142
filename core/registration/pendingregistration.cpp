// SPDX-License-Identifier: GPL-3.0-or-later
#include "pendingregistration.h"

namespace kt {

namespace {
QString isoOrEmpty(const QDateTime &time)
{
    return time.isValid() ? time.toUTC().toString(Qt::ISODateWithMs) : QString();
}
} // namespace

QString PendingRegistration::stateName(State state)
{
    switch (state) {
    case State::AwaitingCall:
        return QStringLiteral("awaiting_call");
    case State::AwaitingOwner:
        return QStringLiteral("awaiting_owner");
    case State::Approved:
        return QStringLiteral("approved");
    case State::Denied:
        return QStringLiteral("denied");
    case State::Expired:
        return QStringLiteral("expired");
    }
    return QStringLiteral("expired");
}

std::optional<PendingRegistration::State> PendingRegistration::stateFromName(const QString &name)
{
    for (State s : {State::AwaitingCall, State::AwaitingOwner, State::Approved, State::Denied,
                    State::Expired}) {
        if (stateName(s) == name)
            return s;
    }
    return std::nullopt;
}

QJsonObject PendingRegistration::toPublicJson(const QDateTime &now) const
{
    QJsonObject o{
        {QStringLiteral("id"), id},
        {QStringLiteral("namespace"), nameSpace},
        {QStringLiteral("phone"), phone},
        {QStringLiteral("certificate_fingerprint"), certificateFingerprint},
        {QStringLiteral("key_type"), keyType},
        {QStringLiteral("state"), stateName(effectiveState(now))},
        {QStringLiteral("call_in_number"), callInNumber},
        {QStringLiteral("created_at"), isoOrEmpty(createdAt)},
        {QStringLiteral("code_expires_at"), isoOrEmpty(codeExpiresAt)},
    };
    if (phoneProvenAt.isValid())
        o.insert(QStringLiteral("phone_proven_at"), isoOrEmpty(phoneProvenAt));
    if (decidedAt.isValid()) {
        o.insert(QStringLiteral("decided_at"), isoOrEmpty(decidedAt));
        o.insert(QStringLiteral("decided_by"), decidedBy);
    }
    return o;
}

} // namespace kt
