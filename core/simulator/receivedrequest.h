// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QPair>
#include <QString>

namespace kt {

// One request the Telnyx simulator received, and how it answered.
struct ReceivedRequest
{
    QByteArray method; // "POST", "GET", ...
    QString rawPath;   // as sent, percent-encoded: "/v2/calls/v3:abc/actions/answer"
    QString path;      // percent-decoded segments joined by '/'
    QString query;     // as sent
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    QJsonObject json;      // body parsed as a JSON object (empty if it is not one)
    QString command;       // for POST /v2/calls/{id}/actions/{command}: "answer", ...
    QString callControlId; // decoded {id}
    QString commandId;     // json.command_id
    int status = 0;        // the HTTP status answered; 0 when deliberately left unanswered
    QDateTime receivedAt;
    // When handling began, in nanoseconds of std::chrono::steady_clock: for latency measurements
    // (what the simulator does with a command, such as signing the webhooks it causes, comes
    // after).
    qint64 receivedNs = 0;

    // A header's value, case-insensitively; empty when absent.
    QByteArray header(const QByteArray &name) const
    {
        for (const auto &h : headers) {
            if (h.first.compare(name, Qt::CaseInsensitive) == 0)
                return h.second;
        }
        return {};
    }
};

using ReceivedCommand = ReceivedRequest;

} // namespace kt

Q_DECLARE_METATYPE(kt::ReceivedRequest)
