// SPDX-License-Identifier: GPL-3.0-or-later
#include "telnyxerror.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QStringList>

namespace kt {

namespace {
QString codeText(const QJsonValue &value)
{
    // Codes are strings on the wire; accept a number too.
    if (value.isDouble())
        return QString::number(value.toInteger());
    return value.toString();
}
} // namespace

QList<TelnyxError> TelnyxError::parseList(const QByteArray &body)
{
    QList<TelnyxError> result;
    const QJsonDocument doc = QJsonDocument::fromJson(body);
    const QJsonArray errors = doc.object().value(QLatin1String("errors")).toArray();
    for (const QJsonValue &value : errors) {
        const QJsonObject o = value.toObject();
        TelnyxError e;
        e.code = codeText(o.value(QLatin1String("code")));
        e.title = o.value(QLatin1String("title")).toString();
        e.detail = o.value(QLatin1String("detail")).toString();
        e.pointer =
            o.value(QLatin1String("source")).toObject().value(QLatin1String("pointer")).toString();
        e.metaUrl =
            o.value(QLatin1String("meta")).toObject().value(QLatin1String("url")).toString();
        result.append(e);
    }
    return result;
}

QJsonObject TelnyxError::toJson() const
{
    QJsonObject o{{QStringLiteral("code"), code}, {QStringLiteral("title"), title}};
    if (!detail.isEmpty())
        o.insert(QStringLiteral("detail"), detail);
    if (!pointer.isEmpty())
        o.insert(QStringLiteral("source"), QJsonObject{{QStringLiteral("pointer"), pointer}});
    if (!metaUrl.isEmpty())
        o.insert(QStringLiteral("meta"), QJsonObject{{QStringLiteral("url"), metaUrl}});
    return o;
}

QByteArray TelnyxError::body(const QList<TelnyxError> &errors)
{
    // Written by hand to keep the key order Telnyx uses (code, title, detail, source, meta);
    // QJsonDocument would sort the keys.
    const auto quoted = [](const QString &text) {
        return QJsonDocument(QJsonArray{text}).toJson(QJsonDocument::Compact).chopped(1).mid(1);
    };
    QByteArray out = "{\"errors\":[";
    for (qsizetype i = 0; i < errors.size(); ++i) {
        const TelnyxError &e = errors.at(i);
        if (i > 0)
            out += ',';
        out += "{\"code\":" + quoted(e.code) + ",\"title\":" + quoted(e.title);
        if (!e.detail.isEmpty())
            out += ",\"detail\":" + quoted(e.detail);
        if (!e.pointer.isEmpty())
            out += ",\"source\":{\"pointer\":" + quoted(e.pointer) + '}';
        if (!e.metaUrl.isEmpty())
            out += ",\"meta\":{\"url\":" + quoted(e.metaUrl) + '}';
        out += '}';
    }
    out += "]}";
    return out;
}

TelnyxError TelnyxError::callEnded()
{
    return {QString::fromLatin1(CallEnded),
            QStringLiteral("Call has already ended"),
            QStringLiteral("This call is no longer active and can't receive commands."),
            {},
            {}};
}

TelnyxError TelnyxError::transcriptionStartedTwice()
{
    // docs/telnyx-conversation.md §2
    return {QString::fromLatin1(TranscriptionStartedTwice),
            QStringLiteral("Call transcription can not be started more than once"),
            QStringLiteral("Call transcription can not be started more than once."),
            {},
            {}};
}

TelnyxError TelnyxError::callNotAnswered()
{
    return {QString::fromLatin1(CallNotAnswered),
            QStringLiteral("Call not answered yet"),
            QStringLiteral("This call can't receive this command because it has not been answered "
                           "yet."),
            {},
            {}};
}

TelnyxError TelnyxError::invalidCallControlId()
{
    return {QString::fromLatin1(InvalidCallControlId),
            QStringLiteral("Invalid Call Control ID"),
            QStringLiteral("The call_control_id provided was not valid."),
            QStringLiteral("/call_control_id"),
            {}};
}

TelnyxError TelnyxError::missingParameter(const QString &field)
{
    return {QStringLiteral("10004"),
            QStringLiteral("Missing required parameter"),
            QStringLiteral("The '%1' parameter is required and cannot be blank.").arg(field),
            QLatin1Char('/') + field,
            {}};
}

TelnyxError TelnyxError::invalidEnum(const QString &field, const QStringList &values)
{
    return {QStringLiteral("10032"),
            QStringLiteral("Invalid enumerated value"),
            QStringLiteral("The value must be one of: %1.").arg(values.join(QStringLiteral(", "))),
            QLatin1Char('/') + field,
            {}};
}

TelnyxError TelnyxError::notE164(const QString &field)
{
    return {QStringLiteral("10016"),
            QStringLiteral("Phone number must be in +E164 format"),
            QStringLiteral("The '%1' parameter must be in E164 format.").arg(field),
            QLatin1Char('/') + field,
            {}};
}

TelnyxError TelnyxError::outOfRange(const QString &field, qint64 min, qint64 max)
{
    return {QStringLiteral("10033"),
            QStringLiteral("Value outside of range"),
            QStringLiteral("The value is outside of allowed range %1 to %2").arg(min).arg(max),
            QLatin1Char('/') + field,
            {}};
}

TelnyxError TelnyxError::authenticationFailed()
{
    return {QString::fromLatin1(AuthenticationFailed),
            QStringLiteral("Authentication failed"),
            QStringLiteral("The required authentication headers were either invalid or not "
                           "included in the request."),
            {},
            QStringLiteral("https://developers.telnyx.com/docs/overview/errors/10009")};
}

TelnyxError TelnyxError::tooManyRequests()
{
    return {QString::fromLatin1(TooManyRequests),
            QStringLiteral("Too many requests"),
            QStringLiteral("You have exceeded the maximum number of allowed requests."),
            {},
            {}};
}

TelnyxError TelnyxError::notFound()
{
    return {QStringLiteral("10005"),
            QStringLiteral("Resource not found"),
            QStringLiteral("The requested resource or URL could not be found."),
            QStringLiteral("/"),
            {}};
}

} // namespace kt
