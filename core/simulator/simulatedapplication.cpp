// SPDX-License-Identifier: GPL-3.0-or-later
#include "simulatedapplication.h"

#include "telnyx/telnyxerror.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace kt {

namespace {
HttpReply json(int status, const QJsonObject &object)
{
    return {status, QJsonDocument(object).toJson(QJsonDocument::Compact), {}};
}

HttpReply error(int status, const TelnyxError &e)
{
    return {status, e.body(), {}};
}

// Telnyx's field rule for its URLs: "Must include a scheme, such as 'https'". Its code for a URL
// that breaks it is not documented; the simulator answers 422 with 10015 "Bad Request".
TelnyxError badUrl(const QString &field)
{
    return {QStringLiteral("10015"),
            QStringLiteral("Bad Request"),
            QStringLiteral("Must include a scheme, such as 'https'."),
            QLatin1Char('/') + field,
            {}};
}

bool hasSchemeAndHost(const QString &text)
{
    const QUrl url(text, QUrl::StrictMode);
    return url.isValid() && !url.scheme().isEmpty() && !url.host().isEmpty();
}

QString nowText()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}
} // namespace

SimulatedApplication::SimulatedApplication(const QString &id, QObject *parent) : QObject(parent)
{
    // The shape of spec_call_control_application_response.json; webhook_api_version starts at
    // the SPEC default "1" so that clients must set "2".
    m_record = {
        {QStringLiteral("active"), true},
        {QStringLiteral("anchorsite_override"), QStringLiteral("Latency")},
        {QStringLiteral("application_name"), QStringLiteral("kevan-tel")},
        {QStringLiteral("call_cost_in_webhooks"), false},
        {QStringLiteral("created_at"), nowText()},
        {QStringLiteral("dtmf_type"), QStringLiteral("RFC 2833")},
        {QStringLiteral("first_command_timeout"), false},
        {QStringLiteral("first_command_timeout_secs"), 30},
        {QStringLiteral("id"), id},
        {QStringLiteral("inbound"),
         QJsonObject{
             {QStringLiteral("channel_limit"), 10},
             {QStringLiteral("shaken_stir_enabled"), true},
             {QStringLiteral("sip_subdomain"), QJsonValue(QJsonValue::Null)},
             {QStringLiteral("sip_subdomain_receive_settings"), QStringLiteral("from_anyone")}}},
        {QStringLiteral("outbound"),
         QJsonObject{{QStringLiteral("channel_limit"), 10},
                     {QStringLiteral("outbound_voice_profile_id"), QJsonValue(QJsonValue::Null)}}},
        {QStringLiteral("record_type"), QStringLiteral("call_control_application")},
        {QStringLiteral("redact_dtmf_debug_logging"), false},
        {QStringLiteral("updated_at"), nowText()},
        {QStringLiteral("webhook_api_version"), QStringLiteral("1")},
        {QStringLiteral("webhook_event_failover_url"), QString()},
        {QStringLiteral("webhook_event_url"), QString()},
        {QStringLiteral("webhook_timeout_secs"), QJsonValue(QJsonValue::Null)},
    };
}

QString SimulatedApplication::id() const
{
    return m_record.value(QLatin1String("id")).toString();
}

QUrl SimulatedApplication::webhookUrl() const
{
    return QUrl(m_record.value(QLatin1String("webhook_event_url")).toString());
}

QUrl SimulatedApplication::failoverUrl() const
{
    return QUrl(m_record.value(QLatin1String("webhook_event_failover_url")).toString());
}

int SimulatedApplication::webhookTimeoutSecs() const
{
    return m_record.value(QLatin1String("webhook_timeout_secs")).toInt(0);
}

void SimulatedApplication::setWebhookUrl(const QUrl &url)
{
    m_record.insert(QStringLiteral("webhook_event_url"), url.toString());
    emit changed();
}

void SimulatedApplication::setFailoverUrl(const QUrl &url)
{
    m_record.insert(QStringLiteral("webhook_event_failover_url"), url.toString());
    emit changed();
}

HttpReply SimulatedApplication::get(const QString &id) const
{
    if (id != this->id())
        return error(404, TelnyxError::notFound());
    return json(200, {{QStringLiteral("data"), m_record}});
}

HttpReply SimulatedApplication::list() const
{
    return json(200, {{QStringLiteral("data"), QJsonArray{m_record}},
                      {QStringLiteral("meta"), QJsonObject{{QStringLiteral("page_number"), 1},
                                                           {QStringLiteral("page_size"), 20},
                                                           {QStringLiteral("total_pages"), 1},
                                                           {QStringLiteral("total_results"), 1}}}});
}

HttpReply SimulatedApplication::patch(const QString &id, const QByteArray &body)
{
    if (id != this->id())
        return error(404, TelnyxError::notFound());
    const QJsonObject changes = QJsonDocument::fromJson(body).object();
    for (const char *field : {"application_name", "webhook_event_url"}) {
        const QJsonValue value = changes.value(QLatin1String(field));
        if (!value.isString() || value.toString().trimmed().isEmpty())
            return error(422, TelnyxError::missingParameter(QLatin1String(field)));
    }
    if (!hasSchemeAndHost(changes.value(QLatin1String("webhook_event_url")).toString()))
        return error(422, badUrl(QStringLiteral("webhook_event_url")));
    // The failover URL may be "" or null (none); otherwise a URL like the other.
    const QJsonValue failover = changes.value(QLatin1String("webhook_event_failover_url"));
    if (!failover.isUndefined() && !failover.isNull() &&
        (!failover.isString() ||
         (!failover.toString().isEmpty() && !hasSchemeAndHost(failover.toString()))))
        return error(422, badUrl(QStringLiteral("webhook_event_failover_url")));
    const QJsonValue version = changes.value(QLatin1String("webhook_api_version"));
    if (!version.isUndefined() && version.toString() != QLatin1String("1") &&
        version.toString() != QLatin1String("2"))
        return error(422, TelnyxError::invalidEnum(QStringLiteral("webhook_api_version"),
                                                   {QStringLiteral("1"), QStringLiteral("2")}));
    const QJsonValue timeout = changes.value(QLatin1String("webhook_timeout_secs"));
    if (!timeout.isUndefined() && !timeout.isNull() &&
        (!timeout.isDouble() || timeout.toDouble() < 0 || timeout.toDouble() > 30))
        return error(422, TelnyxError::outOfRange(QStringLiteral("webhook_timeout_secs"), 0, 30));

    for (const char *field : {"application_name", "webhook_event_url", "webhook_event_failover_url",
                              "webhook_api_version", "webhook_timeout_secs", "active",
                              "first_command_timeout", "first_command_timeout_secs"}) {
        // A null failover URL reads back as "", the SPEC default.
        const QJsonValue value = changes.value(QLatin1String(field));
        if (!value.isUndefined())
            m_record.insert(QLatin1String(field),
                            value.isNull() && QByteArrayView(field) == "webhook_event_failover_url"
                                ? QJsonValue(QString())
                                : value);
    }
    m_record.insert(QStringLiteral("updated_at"), nowText());
    emit changed();
    return json(200, {{QStringLiteral("data"), m_record}});
}

} // namespace kt
