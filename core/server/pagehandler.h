// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

#include <functional>
#include <optional>

namespace kt {

// A request on the webhook port that is neither Telnyx's path nor /health, handed to the
// optional page handler (WebhookServer::setPageHandler), e.g. the self-registration page.
struct PageRequest
{
    QByteArray method; // as sent: "GET", "POST", ...
    QByteArray path;   // percent-encoded, without the query
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    QString clientKey; // the client as the server resolved it (trusted proxies honoured)
};

struct PageReply
{
    int status = 200;
    QByteArray contentType;
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers;
};

// nullopt: not this handler's path (the server answers 404 as for any unknown path).
using PageHandler = std::function<std::optional<PageReply>(const PageRequest &request)>;

} // namespace kt
