// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QUrl>

#include <utility>

namespace kt {

using HttpHeaders = QList<std::pair<QByteArray, QByteArray>>;

// One request for HttpClient. Host and Content-Length are added from `url` and `body`.
struct HttpRequest
{
    QByteArray method = QByteArrayLiteral("GET");
    QUrl url; // http or https
    HttpHeaders headers;
    QByteArray body; // sent with a Content-Length when not null, or when the method is POST,
                     // PUT or PATCH

    // Why this request cannot be sent (a scheme other than http or https, no host, a method or
    // header that would break the framing), or an empty string.
    QString invalidReason() const;
    // The request as it goes on the wire.
    QByteArray serialize() const;
};

// What came back: a status and its headers and body, or no status and why (`error`).
struct HttpResponse
{
    int status = 0; // 0: no response (see error)
    QByteArray reason;
    HttpHeaders headers; // names as received
    QByteArray body;     // chunked transfer coding removed
    QString error;       // set when status is 0

    // The value of the first header of this name (case-insensitive), trimmed; null if none.
    QByteArray header(QByteArrayView name) const;
};

} // namespace kt
