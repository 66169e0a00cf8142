// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QString>

#include <optional>

namespace kt {

// A change to the `calls` projection, applied together with an event (EventStore::append).
// Only the fields that are set are written; a field set to a null or empty QString is cleared
// to NULL. Timestamps (started_at, decided_at, ended_at) are normalised to UTC ISO-8601 with six
// fractional digits when they parse, otherwise stored as given. `flags` replaces the whole
// JSON object. updated_seq is always set to the seq of the event appended with it.
struct CallUpdate
{
    QString callId; // required
    std::optional<QString> callControlId;
    std::optional<QString> fromNumber;
    std::optional<QString> toNumber;
    std::optional<QString> callerName;
    std::optional<QString> direction;
    std::optional<QString> decision;
    std::optional<QString> reason;
    std::optional<QString> namespaceName; // column `namespace`
    std::optional<QString> state;
    std::optional<QString> startedAt;
    std::optional<QString> decidedAt;
    std::optional<QString> endedAt;
    std::optional<QString> hangupCause;
    std::optional<QJsonObject> flags;
};

// One row of the `calls` projection (derived state). NULL columns read as null QStrings.
struct CallRecord
{
    QString callId;
    QString callControlId;
    QString fromNumber;
    QString toNumber;
    QString callerName;
    QString direction;
    QString decision;
    QString reason;
    QString namespaceName;
    QString state;
    QString startedAt;
    QString decidedAt;
    QString endedAt;
    QString hangupCause;
    QJsonObject flags;
    qint64 updatedSeq = 0;

    // Keys are the column names: call_id, call_control_id, from_number, to_number, caller_name,
    // direction, decision, reason, namespace, state, started_at, decided_at, ended_at,
    // hangup_cause, flags (object), updated_seq; NULL columns as JSON null.
    QJsonObject toJson() const;
};

struct CallQuery
{
    int limit = 100; // <= 0: no limit
};

} // namespace kt
