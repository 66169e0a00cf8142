// SPDX-License-Identifier: GPL-3.0-or-later
#include "httpreply.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace kt {

QByteArray HttpReply::reasonPhrase(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 413:
        return "Payload Too Large";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    default:
        return "Status";
    }
}

QByteArray HttpReply::errorBody(const QString &code, const QString &message)
{
    QJsonObject o;
    o.insert(QStringLiteral("error"), code);
    o.insert(QStringLiteral("message"), message);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QByteArray HttpReply::build(int status, const QByteArray &contentType, const QByteArray &body,
                            const Headers &headers, bool close)
{
    QByteArray out;
    out.reserve(160 + body.size());
    out += "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    out += "Content-Type: " + contentType + "\r\n";
    out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    out += "Cache-Control: no-store\r\n";
    for (const auto &h : headers)
        out += h.first + ": " + h.second + "\r\n";
    if (close)
        out += "Connection: close\r\n";
    out += "\r\n";
    out += body;
    return out;
}

QByteArray HttpReply::error(int status, const QString &code, const QString &message,
                            const Headers &headers, bool close)
{
    return build(status, "application/json", errorBody(code, message), headers, close);
}

} // namespace kt
