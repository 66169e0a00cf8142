// SPDX-License-Identifier: GPL-3.0-or-later
#include "webhookmix.h"

#include "simulator/webhooksender.h"

#include <QDateTime>
#include <QJsonArray>
#include <QUrl>
#include <QUuid>

#include <chrono>

namespace kt::bench {
namespace {
const char *const kTypes[WebhookMix::EventsPerCall] = {
    "call.initiated", "call.answered", "call.speak.started", "call.speak.ended", "call.hangup"};

QString sipUri(const QString &number)
{
    QString digits = number;
    digits.remove(QLatin1Char('+'));
    return QStringLiteral("sip:%1@sip.telnyx.com").arg(digits);
}
} // namespace

WebhookMix::WebhookMix(QByteArray signingSeed, QString host, quint16 port)
    : m_signer(signingSeed),
      m_hostHeader((port ? QStringLiteral("%1:%2").arg(host).arg(port) : host).toLatin1())
{}

QString WebhookMix::telnyxTime()
{
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    return QDateTime::fromMSecsSinceEpoch(us / 1000, Qt::UTC)
               .toString(QStringLiteral("yyyy-MM-dd'T'HH:mm:ss")) +
           QStringLiteral(".%1Z").arg(int(us % 1000000), 6, 10, QLatin1Char('0'));
}

QJsonObject WebhookMix::payload(const MixCall &call, int index, QString *eventType)
{
    *eventType = QString::fromLatin1(kTypes[index]);
    QJsonObject p{{QStringLiteral("call_control_id"), call.callControlId},
                  {QStringLiteral("call_leg_id"), call.callLegId},
                  {QStringLiteral("call_session_id"), call.callSessionId},
                  {QStringLiteral("client_state"), QJsonValue(QJsonValue::Null)},
                  {QStringLiteral("connection_id"), call.connectionId}};
    const QString now = telnyxTime();
    switch (index) {
    case 0:
        p.insert(QStringLiteral("caller_id_name"), call.from);
        p.insert(QStringLiteral("calling_party_type"), QStringLiteral("pstn"));
        p.insert(QStringLiteral("connection_codecs"),
                 QStringLiteral("G722,PCMU,PCMA,G729,OPUS,VP8,H264"));
        p.insert(QStringLiteral("custom_headers"), QJsonArray());
        p.insert(QStringLiteral("direction"), QStringLiteral("incoming"));
        p.insert(QStringLiteral("from"), call.from);
        p.insert(QStringLiteral("from_sip_uri"), sipUri(call.from));
        p.insert(QStringLiteral("offered_codecs"), QStringLiteral("PCMU,PCMA,G722"));
        p.insert(QStringLiteral("shaken_stir_attestation"), QStringLiteral("B"));
        p.insert(QStringLiteral("shaken_stir_validated"), true);
        p.insert(QStringLiteral("sip_headers"), QJsonArray());
        p.insert(QStringLiteral("start_time"), now);
        p.insert(QStringLiteral("state"), QStringLiteral("parked"));
        p.insert(QStringLiteral("tags"), QJsonArray());
        p.insert(QStringLiteral("to"), call.to);
        p.insert(QStringLiteral("to_sip_uri"), sipUri(call.to));
        break;
    case 1:
        p.insert(QStringLiteral("calling_party_type"), QStringLiteral("pstn"));
        p.insert(QStringLiteral("codec"), QStringLiteral("PCMU"));
        p.insert(QStringLiteral("custom_headers"), QJsonArray());
        p.insert(QStringLiteral("from"), call.from);
        p.insert(QStringLiteral("sampling_rate"), 8000);
        p.insert(QStringLiteral("sip_headers"), QJsonArray());
        p.insert(QStringLiteral("start_time"), now);
        p.insert(QStringLiteral("tags"), QJsonArray());
        p.insert(QStringLiteral("to"), call.to);
        break;
    case 2:
        p.insert(QStringLiteral("speak_id"), QUuid::createUuid().toString(QUuid::WithoutBraces));
        break;
    case 3:
        p.insert(QStringLiteral("speak_id"), QUuid::createUuid().toString(QUuid::WithoutBraces));
        p.insert(QStringLiteral("status"), QStringLiteral("completed"));
        break;
    default:
        p.insert(QStringLiteral("call_quality_stats"), QJsonValue(QJsonValue::Null));
        p.insert(QStringLiteral("calling_party_type"), QStringLiteral("pstn"));
        p.insert(QStringLiteral("custom_headers"), QJsonArray());
        p.insert(QStringLiteral("end_time"), now);
        p.insert(QStringLiteral("from"), call.from);
        p.insert(QStringLiteral("hangup_cause"), QStringLiteral("normal_clearing"));
        p.insert(QStringLiteral("hangup_source"), QStringLiteral("callee"));
        p.insert(QStringLiteral("sip_hangup_cause"), QStringLiteral("200"));
        p.insert(QStringLiteral("sip_headers"), QJsonArray());
        p.insert(QStringLiteral("start_time"), now);
        p.insert(QStringLiteral("state"), QStringLiteral("hangup"));
        p.insert(QStringLiteral("tags"), QJsonArray());
        p.insert(QStringLiteral("telnyx_error"), QJsonValue(QJsonValue::Null));
        p.insert(QStringLiteral("to"), call.to);
        break;
    }
    return p;
}

Outgoing WebhookMix::signedRequest(const QByteArray &body, const QString &callControlId,
                                   bool initiated) const
{
    const QByteArray timestamp = QByteArray::number(QDateTime::currentSecsSinceEpoch());
    const QByteArray signature = m_signer.sign(timestamp, body);
    Outgoing o;
    o.bytes.reserve(body.size() + 400);
    o.bytes += "POST /webhooks/telnyx HTTP/1.1\r\nHost: ";
    o.bytes += m_hostHeader;
    o.bytes += "\r\nContent-Type: application/json\r\nUser-Agent: telnyx-webhooks\r\n"
               "telnyx-signature-ed25519: ";
    o.bytes += signature;
    o.bytes += "\r\ntelnyx-timestamp: ";
    o.bytes += timestamp;
    o.bytes += "\r\nContent-Length: ";
    o.bytes += QByteArray::number(body.size());
    o.bytes += "\r\n\r\n";
    o.bytes += body;
    o.callControlId = callControlId;
    o.initiated = initiated;
    return o;
}

Outgoing WebhookMix::request(const QString &eventType, const QJsonObject &payload,
                             const QString &callControlId) const
{
    const QJsonObject data{
        {QStringLiteral("event_type"), eventType},
        {QStringLiteral("id"), QUuid::createUuid().toString(QUuid::WithoutBraces)},
        {QStringLiteral("occurred_at"), telnyxTime()},
        {QStringLiteral("payload"), payload},
        {QStringLiteral("record_type"), QStringLiteral("event")}};
    const QByteArray body = WebhookSender::envelope(
        data, 1,
        QUrl(QStringLiteral("http://%1/webhooks/telnyx").arg(QString::fromLatin1(m_hostHeader))));
    return signedRequest(body, callControlId, eventType == QLatin1String("call.initiated"));
}

std::vector<Outgoing> WebhookMix::build(const QList<MixCall> &calls, int window) const
{
    // Calls run in windows of `window`: the first events of all of them, then the second ones...
    std::vector<Outgoing> out;
    out.reserve(size_t(calls.size()) * EventsPerCall);
    window = std::max(window, 1);
    for (qsizetype first = 0; first < calls.size(); first += window) {
        const qsizetype last = std::min<qsizetype>(first + window, calls.size());
        for (int index = 0; index < EventsPerCall; ++index) {
            for (qsizetype i = first; i < last; ++i) {
                QString type;
                const QJsonObject p = payload(calls.at(i), index, &type);
                out.push_back(request(type, p, calls.at(i).callControlId));
            }
        }
    }
    return out;
}

} // namespace kt::bench
