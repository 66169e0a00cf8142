// SPDX-License-Identifier: GPL-3.0-or-later
#include "webhookfactory.h"

#include "rawhttpclient.h"
#include "simulator/telnyxsimulator.h"
#include "simulator/webhooksender.h"

#include <QDateTime>
#include <QUrl>
#include <QUuid>

namespace kt {

WebhookFactory::WebhookFactory(const QByteArray &seed) : m_signer(seed) {}

QByteArray WebhookFactory::simulatorSeed()
{
    return QByteArray::fromBase64(TelnyxSimulator::DefaultSeedBase64);
}

QByteArray WebhookFactory::otherSeed()
{
    return QByteArray(32, '\x5a');
}

QString WebhookFactory::newId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

QByteArray WebhookFactory::body(const QString &eventType, const QString &id,
                                const QJsonObject &payload)
{
    const QJsonObject data{
        {QStringLiteral("event_type"), eventType},
        {QStringLiteral("id"), id},
        {QStringLiteral("occurred_at"),
         QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzz000Z"))},
        {QStringLiteral("payload"), payload},
        {QStringLiteral("record_type"), QStringLiteral("event")}};
    return WebhookSender::envelope(data, 1,
                                   QUrl(QStringLiteral("http://127.0.0.1/webhooks/telnyx")));
}

QJsonObject WebhookFactory::inboundPayload(const QString &callControlId, const QString &from,
                                           const QString &to, const QString &callerIdName)
{
    return {{QStringLiteral("call_control_id"), callControlId},
            {QStringLiteral("call_leg_id"), newId()},
            {QStringLiteral("call_session_id"), newId()},
            {QStringLiteral("client_state"), QJsonValue(QJsonValue::Null)},
            {QStringLiteral("connection_id"), QStringLiteral("2811212257810187875")},
            {QStringLiteral("caller_id_name"), callerIdName},
            {QStringLiteral("direction"), QStringLiteral("incoming")},
            {QStringLiteral("from"), from},
            {QStringLiteral("to"), to},
            {QStringLiteral("state"), QStringLiteral("parked")}};
}

WebhookFactory::Headers WebhookFactory::headers(const QByteArray &body, qint64 timestamp) const
{
    const QByteArray ts =
        QByteArray::number(timestamp > 0 ? timestamp : QDateTime::currentSecsSinceEpoch());
    return {{"telnyx-timestamp", ts}, {"telnyx-signature-ed25519", m_signer.sign(ts, body)}};
}

QByteArray WebhookFactory::request(const QByteArray &body, qint64 timestamp) const
{
    return requestWith(body, headers(body, timestamp));
}

QByteArray WebhookFactory::requestWith(const QByteArray &body, const Headers &headers)
{
    return RawHttpClient::request("POST", "/webhooks/telnyx", body, headers);
}

} // namespace kt
