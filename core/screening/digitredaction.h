// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>

namespace kt {

// Keys pressed on a call may be a PIN: the stored copy of a `call.gather.ended` (its `digits`)
// and of a `call.dtmf.received` (its `digit`) has them replaced by "[redacted]" before it enters
// the event log. The engine calls this on the webhook body before appending it; what happened is
// kept by the engine's own events (tel.pin_verified, tel.pin_failed, tel.pin_locked).
class DigitRedaction
{
public:
    static constexpr const char Marker[] = "[redacted]";

    // True for the event types whose stored copy is redacted.
    static bool applies(const QString &eventType);
    // The body with data.payload.digits / data.payload.digit replaced (compact JSON, the other
    // fields unchanged). A body that is not a JSON object with data.payload comes back as
    // {"redacted_unparseable": true}: nothing of it is kept rather than a secret by accident.
    static QByteArray redact(const QByteArray &body);
};

} // namespace kt
