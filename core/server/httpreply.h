// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

namespace kt {

// Raw HTTP/1.1 answers, written straight to the socket (by the connection guard, which answers
// before QHttpServer sees a request, and by the routes, for uniform headers).
class HttpReply
{
public:
    using Headers = QList<QPair<QByteArray, QByteArray>>;

    static QByteArray reasonPhrase(int status);
    // {"error":code,"message":message}, compact.
    static QByteArray errorBody(const QString &code, const QString &message);
    // Status line, Content-Type, Content-Length, Cache-Control: no-store, `headers`,
    // Connection: close when `close`, then the body.
    static QByteArray build(int status, const QByteArray &contentType, const QByteArray &body,
                            const Headers &headers = {}, bool close = false);
    static QByteArray error(int status, const QString &code, const QString &message,
                            const Headers &headers = {}, bool close = false);
};

} // namespace kt
