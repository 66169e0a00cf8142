// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// What the files of CallControlClient share: one request in flight and what it brought back.
// callcontrolclient.cpp builds the API calls, callcontrolrequests.cpp sends them and reads the
// answers, callcontroltimers.cpp runs the hedge, the per-attempt timeout and the budget.
// Internal to core/telnyx.

#include "callcontrolclient.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QList>
#include <QLoggingCategory>
#include <QNetworkReply>

#include <array>

Q_DECLARE_LOGGING_CATEGORY(lcCallControl)

namespace kt {

// What one request brought back (status 0: no answer; see error).
struct ApiResponse
{
    int status = 0;
    QString reason;
    QByteArray body;
    QString error;
    QNetworkReply *reply = nullptr; // for its headers; null when none came

    QByteArray header(const char *name) const
    {
        return reply ? reply->rawHeader(name).trimmed() : QByteArray();
    }
};

struct CallControlClient::Pending
{
    Kind kind = Kind::Command;
    QByteArray method;
    QString path;    // below the base URL, already percent-encoded
    QByteArray body; // null for GET
    CommandResult result;
    // The attempt's request and, once hedged, its identical twin; null when not in flight.
    std::array<QNetworkReply *, 2> replies{nullptr, nullptr};
    bool hedged = false; // this attempt's twin went out
    // The client's timer ids (0: not running), by TimerRole.
    std::array<int, 4> timers{0, 0, 0, 0};
    QString lostError; // a network error of one of the two while the other was in flight
    int tries = 0;     // attempts of the current HTTP exchange (a listing resets it per page)
    bool waitingRetry = false;
    QElapsedTimer clock; // since the request started: the budget
    // Listing phone numbers.
    int pageSize = 0;
    int pageNumber = 1;
    QList<QJsonObject> records;

    bool inFlight() const { return replies[0] || replies[1]; }
};

} // namespace kt
