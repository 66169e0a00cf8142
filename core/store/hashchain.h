// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

namespace kt {

// The hash chain of the event log.
//
//   hash = lower-case hex SHA-256 of encode(prev_hash, row)
//
// encode() is the ASCII tag "kevan-tel/event/v1" followed by these fields in order:
// prev_hash, seq (decimal ASCII), telnyx_id, type, call_id, occurred_at, recorded_at, actor,
// payload, and instance only when it is set (rows without one encode as they always did). Each
// field is one byte 0x00 when SQL NULL, or one byte 0x01, its length as an
// unsigned 64-bit big-endian integer, and its UTF-8 bytes. So no two different rows (NULL vs
// empty string included) encode the same. The first event's prev_hash is 64 '0' characters.
class HashChain
{
public:
    struct Row
    {
        qint64 seq = 0;
        std::optional<QString> telnyxId;
        QString type;
        std::optional<QString> callId;
        std::optional<QString> occurredAt;
        QString recordedAt;
        QString actor;
        QString payload;                 // exactly as stored (compact JSON text)
        std::optional<QString> instance; // the engine instance that appended it, if any
    };

    static QString genesisHash();
    static QByteArray encode(const QString &prevHash, const Row &row);
    static QString hash(const QString &prevHash, const Row &row);
};

} // namespace kt
