// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QMetaType>
#include <QString>

namespace kt {

// The outcome of one logical request of the Call Control client, after all its retries.
struct CommandResult
{
    quint64 handle = 0;
    QString command;       // "answer", "speak", ...; "get_application" / "patch_application"
    QString callControlId; // empty for non-call requests
    QString commandId;     // the command_id sent with every attempt; empty for GET/PATCH
    bool ok = false;
    int httpStatus = 0; // of the last attempt; 0 when no response came
    int attempts = 0;
    QString errorCode;      // Telnyx code of the first error, e.g. "90018"
    QString errorTitle;     // its title, or a transport error ("no response within 500 ms")
    QString errorDetail;    // its detail
    bool callEnded = false; // 422 / 90018: the call is over; nothing to retry
    bool cancelled = false; // stopped by cancelForCall() / cancelAll()
    QJsonObject data;       // the response's "data" object on success

    // "answer ok", "answer failed: 422 90034 Call not answered yet",
    // "speak failed: no response (Connection refused) after 6 attempts",
    // "answer failed: no response within 500 ms after 6 attempts". Never holds the API key.
    QString describe() const;
};

} // namespace kt

Q_DECLARE_METATYPE(kt::CommandResult)
