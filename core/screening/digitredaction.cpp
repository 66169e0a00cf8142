// SPDX-License-Identifier: GPL-3.0-or-later
#include "digitredaction.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace kt {

bool DigitRedaction::applies(const QString &eventType)
{
    return eventType == QLatin1String("call.gather.ended") ||
           eventType == QLatin1String("call.dtmf.received");
}

QByteArray DigitRedaction::redact(const QByteArray &body)
{
    QJsonParseError error;
    QJsonDocument doc = QJsonDocument::fromJson(body, &error);
    QJsonObject root = doc.object();
    QJsonObject data = root.value(QLatin1String("data")).toObject();
    if (error.error != QJsonParseError::NoError || !doc.isObject() ||
        !data.value(QLatin1String("payload")).isObject())
        return QByteArrayLiteral("{\"redacted_unparseable\":true}");
    QJsonObject payload = data.value(QLatin1String("payload")).toObject();
    const QString marker = QString::fromLatin1(Marker);
    for (const char *key : {"digits", "digit"}) {
        if (payload.contains(QLatin1String(key)))
            payload.insert(QLatin1String(key), marker);
    }
    data.insert(QStringLiteral("payload"), payload);
    root.insert(QStringLiteral("data"), data);
    return QJsonDocument(root).toJson(QJsonDocument::Compact);
}

} // namespace kt
