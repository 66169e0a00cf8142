// SPDX-License-Identifier: GPL-3.0-or-later
#include "displaytext.h"

#include "screening/phonenumber.h"

namespace kt {

QString DisplayText::plain(const QString &text, int maxLength)
{
    QString out;
    out.reserve(qMin(text.size(), maxLength + 1));
    bool pendingSpace = false;
    int length = 0;
    bool cut = false;
    for (const char32_t c : text.toUcs4()) {
        switch (QChar::category(c)) {
        case QChar::Other_Control:
        case QChar::Other_Format:
        case QChar::Other_Surrogate:
        case QChar::Other_PrivateUse:
        case QChar::Other_NotAssigned:
            if (c == U'\t' || c == U'\n' || c == U'\r')
                pendingSpace = !out.isEmpty();
            continue;
        case QChar::Separator_Space:
        case QChar::Separator_Line:
        case QChar::Separator_Paragraph:
            pendingSpace = !out.isEmpty();
            continue;
        default:
            break;
        }
        if (length >= maxLength) {
            cut = true;
            break;
        }
        if (pendingSpace) {
            out += QLatin1Char(' ');
            ++length;
            pendingSpace = false;
            if (length >= maxLength) {
                cut = true;
                break;
            }
        }
        out += QString::fromUcs4(&c, 1);
        ++length;
    }
    if (cut)
        out = out.trimmed() + QChar(0x2026);
    return out;
}

QString DisplayText::number(const QString &e164OrRaw)
{
    if (e164OrRaw.startsWith(QLatin1Char('+'))) {
        const QString formatted = PhoneNumber::formatNational(e164OrRaw);
        if (formatted != e164OrRaw) {
            // formatNational gives "(770) 230-0635" for the owner's own country (+1); show the
            // international form for others so that a foreign caller is not mistaken for a
            // local one.
            if (PhoneNumber::countryCode(e164OrRaw) == 1)
                return plain(formatted);
            return plain(PhoneNumber::formatInternational(e164OrRaw));
        }
    }
    return plain(e164OrRaw);
}

QDateTime DisplayText::parseTime(const QString &iso)
{
    if (iso.isEmpty())
        return {};
    QDateTime t = QDateTime::fromString(iso, Qt::ISODateWithMs);
    if (!t.isValid())
        t = QDateTime::fromString(iso, Qt::ISODate);
    return t;
}

qint64 DisplayText::epochMs(const QString &iso)
{
    const QDateTime t = parseTime(iso);
    return t.isValid() ? t.toMSecsSinceEpoch() : 0;
}

QString DisplayText::time(const QString &iso, const QDateTime &now)
{
    const QDateTime t = parseTime(iso);
    if (!t.isValid())
        return {};
    const QDateTime local = t.toLocalTime();
    const QDate today = now.toLocalTime().date();
    if (local.date() == today)
        return local.toString(QStringLiteral("HH:mm:ss"));
    if (local.date() > today.addDays(-7) && local.date() < today)
        return local.toString(QStringLiteral("ddd HH:mm"));
    return local.toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

QString DisplayText::duration(const QString &startIso, const QString &endIso)
{
    const QDateTime start = parseTime(startIso);
    const QDateTime end = parseTime(endIso);
    if (!start.isValid() || !end.isValid() || end < start)
        return {};
    const qint64 secs = start.secsTo(end);
    const qint64 h = secs / 3600, m = (secs / 60) % 60, s = secs % 60;
    if (h > 0)
        return QStringLiteral("%1:%2:%3")
            .arg(h)
            .arg(m, 2, 10, QLatin1Char('0'))
            .arg(s, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(m).arg(s, 2, 10, QLatin1Char('0'));
}

} // namespace kt
