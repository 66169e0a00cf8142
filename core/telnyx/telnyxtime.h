// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDateTime>
#include <QString>

namespace kt {

// Telnyx timestamps, read by one parser. Telnyx writes ISO-8601 UTC with 0 to 6 fractional
// digits ("2025-11-23T03:30:00.076316Z").

// Telnyx's syntax only: 'T', 0 to 6 fractional digits, 'Z' or an offset. Returns an invalid
// QDateTime for anything else. Microseconds below the millisecond are kept in `micros` when
// asked for, since QDateTime only holds milliseconds.
QDateTime parseTelnyxTime(const QString &text, int *micros = nullptr);

// The same format with 6 fractional digits, as Telnyx writes it.
QString formatTelnyxTime(const QDateTime &time, int micros = -1);

// Any ISO-8601 date and time (a space for the 'T', a comma for the point, any number of
// fractional digits, 'Z', an offset or none for UTC, spaces around) in Telnyx's form: UTC with
// 6 fractional digits (digits beyond the sixth dropped). A null QString if it does not parse.
// The event log stores every timestamp in this form, so that they compare as text.
QString normalizeTelnyxTime(const QString &text);

} // namespace kt
