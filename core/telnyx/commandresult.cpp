// SPDX-License-Identifier: GPL-3.0-or-later
#include "commandresult.h"

#include <QStringList>

namespace kt {

QString CommandResult::describe() const
{
    const QString name = command.isEmpty() ? QStringLiteral("request") : command;
    if (ok)
        return QStringLiteral("%1 ok").arg(name);
    if (cancelled)
        return QStringLiteral("%1 cancelled after %2 attempt(s)").arg(name).arg(attempts);
    QStringList parts;
    if (httpStatus > 0) {
        parts << QString::number(httpStatus);
        if (!errorCode.isEmpty())
            parts << errorCode;
        if (!errorTitle.isEmpty())
            parts << errorTitle;
        if (parts.size() == 1 && !errorDetail.isEmpty())
            parts << errorDetail;
    } else if (attempts == 0 && !errorTitle.isEmpty()) {
        parts << errorTitle; // never sent ("not sent: ...")
    } else {
        if (errorTitle.startsWith(QLatin1String("no response")))
            parts << errorTitle;
        else
            parts << QStringLiteral("no response (%1)")
                         .arg(errorTitle.isEmpty() ? QStringLiteral("network error") : errorTitle);
    }
    QString text = QStringLiteral("%1 failed: %2").arg(name, parts.join(QLatin1Char(' ')));
    if (attempts > 1)
        text += QStringLiteral(" after %1 attempts").arg(attempts);
    return text;
}

} // namespace kt
