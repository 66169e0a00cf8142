// SPDX-License-Identifier: GPL-3.0-or-later
#include "storedtime.h"

#include "eventstore.h"

namespace kt::storedtime {

QString formatTime(const QDateTime &time)
{
    return time.isValid() ? EventStore::formatRecordedAt(time) : QString();
}

QDateTime parseTime(const QString &text)
{
    if (text.isEmpty())
        return QDateTime();
    const QDateTime t = QDateTime::fromString(text, Qt::ISODateWithMs);
    return t.isValid() ? t.toUTC() : QDateTime();
}

} // namespace kt::storedtime
