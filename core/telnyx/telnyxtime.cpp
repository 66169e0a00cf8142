// SPDX-License-Identifier: GPL-3.0-or-later
#include "telnyxtime.h"

#include <QRegularExpression>

namespace kt {

QDateTime parseTelnyxTime(const QString &text, int *micros)
{
    static const QRegularExpression pattern(QStringLiteral(
        R"(^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}:?\d{2})$)"));
    const auto m = pattern.match(text);
    if (!m.hasMatch())
        return {};
    const QDate date(m.captured(1).toInt(), m.captured(2).toInt(), m.captured(3).toInt());
    QString fraction = m.captured(7);
    fraction = fraction.leftJustified(6, QLatin1Char('0'));
    const int us = fraction.toInt();
    const QTime time(m.captured(4).toInt(), m.captured(5).toInt(), m.captured(6).toInt(),
                     us / 1000);
    if (!date.isValid() || !time.isValid())
        return {};
    QDateTime result;
    const QString zone = m.captured(8);
    if (zone == QLatin1String("Z")) {
        result = QDateTime(date, time, Qt::UTC);
    } else {
        QString digits = zone.mid(1).remove(QLatin1Char(':'));
        const int offset = (digits.left(2).toInt() * 60 + digits.mid(2).toInt()) * 60;
        result = QDateTime(date, time, Qt::OffsetFromUTC,
                           zone.startsWith(QLatin1Char('-')) ? -offset : offset)
                     .toUTC();
    }
    if (micros)
        *micros = us;
    return result;
}

QString formatTelnyxTime(const QDateTime &time, int micros)
{
    const QDateTime utc = time.toUTC();
    const int us = micros >= 0 ? micros : utc.time().msec() * 1000;
    return utc.toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss")) + QLatin1Char('.') +
           QStringLiteral("%1").arg(us, 6, 10, QLatin1Char('0')) + QLatin1Char('Z');
}

} // namespace kt
