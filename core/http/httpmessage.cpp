// SPDX-License-Identifier: GPL-3.0-or-later
#include "httpmessage.h"

#include "httpsyntax.h"

namespace kt {

namespace {

bool isFieldValue(QByteArrayView text)
{
    for (const char c : text) {
        if (c == '\r' || c == '\n' || c == '\0')
            return false;
    }
    return true;
}

} // namespace

QString HttpRequest::invalidReason() const
{
    const QString scheme = url.scheme();
    if (scheme != QLatin1String("http") && scheme != QLatin1String("https"))
        return QStringLiteral("unsupported URL scheme \"%1\"").arg(scheme);
    if (url.host().isEmpty())
        return QStringLiteral("the URL has no host");
    if (!isHttpToken(method))
        return QStringLiteral("invalid method");
    for (const auto &[name, value] : headers) {
        if (!isHttpToken(name) || !isFieldValue(value))
            return QStringLiteral("invalid header %1").arg(QString::fromLatin1(name.left(64)));
    }
    return {};
}

QByteArray HttpRequest::serialize() const
{
    QByteArray target = url.path(QUrl::FullyEncoded).toLatin1();
    if (target.isEmpty())
        target = QByteArrayLiteral("/");
    if (url.hasQuery())
        target += '?' + url.query(QUrl::FullyEncoded).toLatin1();
    // The authority without user info; an IPv6 literal keeps its brackets.
    const QByteArray host = url.authority(QUrl::RemoveUserInfo | QUrl::FullyEncoded).toLatin1();
    const bool hasBody = !body.isNull() || method == "POST" || method == "PUT" || method == "PATCH";

    QByteArray wire;
    wire.reserve(target.size() + host.size() + body.size() + 64 + 48 * headers.size());
    wire += method + ' ' + target + " HTTP/1.1\r\nHost: " + host + "\r\n";
    for (const auto &[name, value] : headers)
        wire += name + ": " + value + "\r\n";
    if (hasBody)
        wire += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    wire += "\r\n";
    wire += body;
    return wire;
}

QByteArray HttpResponse::header(QByteArrayView name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value.trimmed();
    }
    return {};
}

} // namespace kt
