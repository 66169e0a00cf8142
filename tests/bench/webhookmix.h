// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "httpload.h"

#include "telnyx/webhooksignature.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <vector>

namespace kt::bench {

// The identity of one simulated call, as the fake Telnyx created it (or made up).
struct MixCall
{
    QString callControlId;
    QString callLegId;
    QString callSessionId;
    QString connectionId;
    QString from;
    QString to;
};

// Signed Telnyx webhooks for the load: a realistic mix of call events (call.initiated,
// call.answered, call.speak.started, call.speak.ended, call.hangup per call, as the fake Telnyx
// sends them), each with a unique data.id, a fresh telnyx-timestamp and an Ed25519 signature
// made with the fake Telnyx's key, so the engine verifies, parses and stores every one.
class WebhookMix
{
public:
    static constexpr int EventsPerCall = 5;

    // `port` 0: a Host header without one (requests sent to more than one receiver).
    WebhookMix(QByteArray signingSeed, QString host, quint16 port);

    // A whole HTTP request for one event: envelope, headers, signature (timestamp: now).
    Outgoing request(const QString &eventType, const QJsonObject &payload,
                     const QString &callControlId) const;
    // The payload of event `index` (0..EventsPerCall-1) of `call`.
    static QJsonObject payload(const MixCall &call, int index, QString *eventType);

    // The events of `calls`, signed now, in an order that keeps each call's events in sequence
    // while `window` calls are under way at once (the way webhooks of concurrent calls interleave).
    std::vector<Outgoing> build(const QList<MixCall> &calls, int window) const;

    // An HTTP request with an already signed body (used for relayed events).
    Outgoing signedRequest(const QByteArray &body, const QString &callControlId,
                           bool initiated) const;

    static QString telnyxTime(); // "2025-11-23T03:30:00.076316Z"

private:
    WebhookSigner m_signer;
    QByteArray m_hostHeader;
};

} // namespace kt::bench
