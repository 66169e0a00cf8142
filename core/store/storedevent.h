// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QString>

namespace kt {

// An event to append. Empty strings in the nullable fields are stored as NULL.
struct NewEvent
{
    QString telnyxId;   // Telnyx `data.id`; empty for app-generated events (stored as NULL)
    QString type;       // required, e.g. "call.initiated", "call.decided"
    QString callId;     // the call it belongs to (call_control_id or session id); empty = none
    QString occurredAt; // ISO-8601; stored as UTC with 6 fractional digits, NULL if empty/invalid
    QString actor;      // required: "telnyx", "engine", "owner", "cli", ...
    QJsonObject payload;
    // When set, the payload exactly as received (the text of a JSON object, e.g. a webhook's
    // signed body): stored and hashed as is instead of `payload` serialised again.
    QByteArray rawPayload;
};

// One row of the events table. Nullable columns read as a null QString when NULL.
struct StoredEvent
{
    qint64 seq = 0;
    QString telnyxId;
    QString type;
    QString callId;
    QString occurredAt; // "2025-11-23T03:30:00.076316Z" or null
    QString recordedAt; // "2025-11-23T03:30:00.123Z"
    QString actor;
    QJsonObject payload;
    QString prevHash;
    QString hash;
    QString instance; // the engine instance that appended it; null when none was recorded

    // Keys: seq, telnyx_id, type, call_id, occurred_at, recorded_at, actor, payload, prev_hash,
    // hash (NULL columns as JSON null), and instance when one was recorded. This is the `kevan-tel
    // events --json` element format.
    QJsonObject toJson() const;
};

struct AppendResult
{
    enum class Status { Stored, Duplicate, Error };
    Status status = Status::Error;
    qint64 seq = 0; // Stored: the new seq; Duplicate: the seq of the event already stored
    QString hash;   // likewise
    QString error;  // Error only

    // Stored or Duplicate: the event is durably in the log (a webhook may be answered 200).
    bool ok() const { return status != Status::Error; }
};

// Filters for EventStore::events(). Results are newest first.
struct EventQuery
{
    QString type;         // exact event type; empty = any
    QString callId;       // exact call id; empty = any
    int limit = 100;      // <= 0: no limit
    qint64 beforeSeq = 0; // > 0: only seq < beforeSeq (paging backwards)
    qint64 afterSeq = 0;  // > 0: only seq > afterSeq (polling for new events)
};

struct VerifyResult
{
    bool ok = false;
    qint64 rowsChecked = 0;    // rows found intact before the first broken one
    qint64 firstBrokenSeq = 0; // 0 when ok, or when the log could not be read at all
    QString
        message; // "hash chain intact: 42 events" / "event 42: hash does not match its contents"
};

} // namespace kt
