// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// What the files of WebhookServer share (webhookserver.cpp: listening, connections, answers;
// webhookserverintake.cpp: Telnyx's webhooks; webhookserverroutes.cpp: health, metrics and the
// other paths). Internal to core/server.

#include <QByteArray>
#include <QByteArrayView>
#include <QHttpServerRequest>
#include <QList>
#include <QLoggingCategory>
#include <QPair>

Q_DECLARE_LOGGING_CATEGORY(lcWebhookServer)

namespace kt::webhookserverdetail {

using Headers = QList<QPair<QByteArray, QByteArray>>;

// The first value of a header, name compared case-insensitively.
QByteArray headerValue(const QHttpServerRequest &request, QByteArrayView name);
// Every value of a header joined with ",".
QByteArray headerValues(const QHttpServerRequest &request, QByteArrayView name);

} // namespace kt::webhookserverdetail
