// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace kt {

// A caller's self-registration, from the page's submission to the owner's decision.
//
//   awaiting_call  -> both proofs of the namespace passed; the caller has until codeExpiresAt to
//                     ring callInNumber from `phone` and key in the call-in code
//   awaiting_owner -> the phone is proven too; the owner approves or denies
//   approved, denied
//   expired        -> the call-in window passed, or too many wrong call-in codes
//
// An awaiting_call registration whose window has passed reads as expired (effectiveState()).
struct PendingRegistration
{
    enum class State { AwaitingCall, AwaitingOwner, Approved, Denied, Expired };

    QString id;              // 32 hex digits, for the owner (approve/deny)
    QString statusTokenHash; // SHA-256 (hex) of the caller's status token; the token is not kept
    QString nameSpace;
    QString phone; // E.164
    QString certificateFingerprint;
    QByteArray certificatePem;
    QString keyType;      // "ed25519" | "ecdsa-p256"
    QString pinHash;      // PinHash::hash(); never the PIN
    QString callInCode;   // 6 digits; a short-lived secret, never in the event log
    QString callInNumber; // the owner's number to ring (E.164)
    State state = State::AwaitingCall;
    int callInFailures = 0;
    QDateTime createdAt;
    QDateTime codeExpiresAt;
    QDateTime phoneProvenAt;
    QDateTime decidedAt;
    QString decidedBy;

    State effectiveState(const QDateTime &now) const
    {
        return state == State::AwaitingCall && codeExpiresAt <= now ? State::Expired : state;
    }
    // Both proofs passed and nobody decided yet.
    bool isPendingOwner() const { return state == State::AwaitingOwner; }

    static QString stateName(State state);
    static std::optional<State> stateFromName(const QString &name);
    // What the event log and the owner see: no PIN hash, no code, no token hash.
    QJsonObject toPublicJson(const QDateTime &now) const;
};

} // namespace kt
