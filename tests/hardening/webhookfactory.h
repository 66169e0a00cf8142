// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "telnyx/webhooksignature.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>

namespace kt {

// Telnyx-shaped webhooks made by hand, for requests the Telnyx simulator would never send:
// bodies with chosen bytes, signed with the simulator's key (or another one), with any timestamp.
class WebhookFactory
{
public:
    using Headers = QList<QPair<QByteArray, QByteArray>>;

    // Signs with `seed` (raw 32 bytes); default: the simulator's seed.
    explicit WebhookFactory(const QByteArray &seed = simulatorSeed());

    static QByteArray simulatorSeed();
    static QByteArray otherSeed(); // a valid Ed25519 key that is not the account's
    static QString newId();        // a fresh data.id (UUID)

    // The envelope {"data":{event_type,id,occurred_at,payload,record_type},"meta":{...}},
    // compact, as the simulator and Telnyx send it.
    static QByteArray body(const QString &eventType, const QString &id, const QJsonObject &payload);
    // An incoming call.initiated payload for a call the simulator does not know.
    static QJsonObject inboundPayload(const QString &callControlId, const QString &from,
                                      const QString &to, const QString &callerIdName);

    // telnyx-timestamp and telnyx-signature-ed25519 for `body`; `timestamp` 0: now.
    Headers headers(const QByteArray &body, qint64 timestamp = 0) const;
    // The whole POST /webhooks/telnyx request, signed.
    QByteArray request(const QByteArray &body, qint64 timestamp = 0) const;
    // The same request with any headers (forgeries).
    static QByteArray requestWith(const QByteArray &body, const Headers &headers);

private:
    WebhookSigner m_signer;
};

} // namespace kt
