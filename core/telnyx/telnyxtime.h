// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDateTime>
#include <QString>

namespace kt {

// Telnyx timestamps: ISO-8601 UTC with 0 to 6 fractional digits ("2025-11-23T03:30:00.076316Z").
// Returns an invalid QDateTime for anything else. Microseconds below the millisecond are kept
// in `micros` when asked for, since QDateTime only holds milliseconds.
QDateTime parseTelnyxTime(const QString &text, int *micros = nullptr);

// The same format with 6 fractional digits, as Telnyx writes it.
QString formatTelnyxTime(const QDateTime &time, int micros = -1);

} // namespace kt
