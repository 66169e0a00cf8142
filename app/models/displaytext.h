// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDateTime>
#include <QString>

namespace kt {

// Text for the dashboard. Caller ID and caller name come from the network and are hostile: the
// views show them as plain text, and plain() also drops what plain text still lets through
// (control characters, bidi overrides and other invisible format characters that could reorder
// or hide what the owner reads) and caps the length.
class DisplayText
{
public:
    static constexpr int MaxLength = 64;

    // Control (Cc), format (Cf: bidi overrides, zero-width characters), unassigned, surrogate
    // and private-use characters removed; runs of white space made one space; trimmed; at most
    // `maxLength` characters (an ellipsis ends a longer text).
    static QString plain(const QString &text, int maxLength = MaxLength);

    // "+17702300635" -> "(770) 230-0635" (PhoneNumber::formatNational); anything that is not an
    // E.164 number goes through plain().
    static QString number(const QString &e164OrRaw);

    // A stored ISO-8601 UTC time ("2025-11-23T03:30:00.076316Z") as a QDateTime (invalid when it
    // does not parse).
    static QDateTime parseTime(const QString &iso);
    // Milliseconds since the epoch, 0 for an empty or invalid time.
    static qint64 epochMs(const QString &iso);
    // Local time: "14:03:27" today, "Mon 14:03" within the week, "2025-11-23 14:03" otherwise.
    static QString time(const QString &iso, const QDateTime &now = QDateTime::currentDateTime());
    // "0:42", "12:05", "1:02:03"; empty when start is invalid or end is before start.
    static QString duration(const QString &startIso, const QString &endIso);
};

} // namespace kt
