// SPDX-License-Identifier: GPL-3.0-or-later
#include "telnyxtime.h"

#include <QRegularExpression>

#include <optional>

namespace kt {

namespace {

struct Parsed
{
    QDateTime utc; // whole milliseconds
    int micros = 0;
};

// The one parser. `strict`: Telnyx's own syntax only (see parseTelnyxTime).
std::optional<Parsed> parse(const QString &text, bool strict)
{
    static const QRegularExpression pattern(
        QStringLiteral("^(\\d{4})-(\\d{2})-(\\d{2})([Tt ])(\\d{2}):(\\d{2}):(\\d{2})"
                       "(?:([.,])(\\d+))?(?:([Zz])|([+-])(\\d{2}):?(\\d{2}))?$"));
    const QRegularExpressionMatch m = pattern.match(text);
    if (!m.hasMatch())
        return std::nullopt;
    const QString fraction = m.captured(9);
    if (strict && (m.captured(4) != QLatin1String("T") ||
                   (m.hasCaptured(8) && m.captured(8) != QLatin1String(".")) ||
                   fraction.size() > 6 || (!m.hasCaptured(10) && !m.hasCaptured(11)) ||
                   (m.hasCaptured(10) && m.captured(10) != QLatin1String("Z"))))
        return std::nullopt;
    const int us = fraction.left(6).leftJustified(6, QLatin1Char('0')).toInt();
    const QDate date(m.captured(1).toInt(), m.captured(2).toInt(), m.captured(3).toInt());
    const QTime time(m.captured(5).toInt(), m.captured(6).toInt(), m.captured(7).toInt(),
                     us / 1000);
    if (!date.isValid() || !time.isValid())
        return std::nullopt;
    int offset = 0;
    if (m.hasCaptured(11)) {
        const int hours = m.captured(12).toInt();
        const int minutes = m.captured(13).toInt();
        if (hours > 23 || minutes > 59)
            return std::nullopt;
        offset = (hours * 3600 + minutes * 60) * (m.captured(11) == QLatin1String("-") ? -1 : 1);
    }
    const QDateTime utc = QDateTime(date, time, Qt::OffsetFromUTC, offset).toUTC();
    if (!utc.isValid())
        return std::nullopt;
    return Parsed{utc, us};
}

// The value of the `count` ASCII digits at `at`, or -1.
int digits(QStringView text, qsizetype at, int count)
{
    int value = 0;
    for (qsizetype i = at; i < at + count; ++i) {
        const char16_t c = text[i].unicode();
        if (c < u'0' || c > u'9')
            return -1;
        value = value * 10 + (c - u'0');
    }
    return value;
}

// Telnyx's own form, "2025-11-23T03:30:00.076316Z", is already normalized: checked field by
// field it is returned as is, without the general parse (every webhook carries one, and the
// event log normalizes it on each append).
bool isNormalized(QStringView t)
{
    if (t.size() != 27 || t[4] != u'-' || t[7] != u'-' || t[10] != u'T' || t[13] != u':' ||
        t[16] != u':' || t[19] != u'.' || t[26] != u'Z')
        return false;
    const int year = digits(t, 0, 4), month = digits(t, 5, 2), day = digits(t, 8, 2);
    const int hour = digits(t, 11, 2), minute = digits(t, 14, 2), second = digits(t, 17, 2);
    return year >= 0 && QDate::isValid(year, month, day) && hour >= 0 && hour <= 23 &&
           minute >= 0 && minute <= 59 && second >= 0 && second <= 59 && digits(t, 20, 6) >= 0;
}

} // namespace

QDateTime parseTelnyxTime(const QString &text, int *micros)
{
    const auto parsed = parse(text, true);
    if (!parsed)
        return {};
    if (micros)
        *micros = parsed->micros;
    return parsed->utc;
}

QString formatTelnyxTime(const QDateTime &time, int micros)
{
    const QDateTime utc = time.toUTC();
    const int us = micros >= 0 ? micros : utc.time().msec() * 1000;
    return utc.toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss")) + QLatin1Char('.') +
           QStringLiteral("%1").arg(us, 6, 10, QLatin1Char('0')) + QLatin1Char('Z');
}

QString normalizeTelnyxTime(const QString &text)
{
    if (isNormalized(text))
        return text;
    const auto parsed = parse(text.trimmed(), false);
    return parsed ? formatTelnyxTime(parsed->utc, parsed->micros) : QString();
}

} // namespace kt
