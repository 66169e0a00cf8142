// SPDX-License-Identifier: GPL-3.0-or-later
#include "phonenumberfixture.h"

#include "telnyx/telnyxerror.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>

namespace kt {

namespace {
QByteArray jsonType()
{
    return QByteArrayLiteral("application/json");
}

HttpReply error422(const TelnyxError &error)
{
    return {422, error.body(), {{QByteArrayLiteral("Content-Type"), jsonType()}}};
}

// Brackets may come raw or percent-encoded (docs/telnyx-api.md §5.1): compare decoded keys.
QString param(const QUrlQuery &query, const QString &key)
{
    const auto items = query.queryItems(QUrl::FullyDecoded);
    for (const auto &item : items) {
        if (item.first == key)
            return item.second;
    }
    return {};
}
} // namespace

PhoneNumberFixture::PhoneNumberFixture(const QString &connectionId)
{
    setNumbers(defaultNumbers(), connectionId);
}

QStringList PhoneNumberFixture::defaultNumbers()
{
    return {QStringLiteral("+17702300635"), QStringLiteral("+18886115384"),
            QStringLiteral("+18884748738"), QStringLiteral("+18775709775"),
            QStringLiteral("+18886780645"), QStringLiteral("+18665062265"),
            QStringLiteral("+18887120268"), QStringLiteral("+18886812729"),
            QStringLiteral("+18883442825"), QStringLiteral("+14782424246"),
            QStringLiteral("+13215590559"), QStringLiteral("+19094887663"),
            QStringLiteral("+18889740529"), QStringLiteral("+18887631529"),
            QStringLiteral("+18886762825"), QStringLiteral("+18886532529"),
            QStringLiteral("+18886490529"), QStringLiteral("+18886430529"),
            QStringLiteral("+18885052924"), QStringLiteral("+18557712886"),
            QStringLiteral("+18447252460"), QStringLiteral("+18334452924"),
            QStringLiteral("+15394767663"), QStringLiteral("+18888550209"),
            QStringLiteral("+18447561580"), QStringLiteral("+13214858333")};
}

void PhoneNumberFixture::setNumbers(const QStringList &e164, const QString &connectionId)
{
    m_records.clear();
    for (qsizetype i = 0; i < e164.size(); ++i) {
        const QString id = QString::number(1293384261075731000LL + i * 7919);
        m_records.append(makeRecord(e164.at(i), id, connectionId));
    }
}

QJsonObject PhoneNumberFixture::makeRecord(const QString &e164, const QString &id,
                                           const QString &connectionId)
{
    static const QStringList tollFree{QStringLiteral("+1800"), QStringLiteral("+1833"),
                                      QStringLiteral("+1844"), QStringLiteral("+1855"),
                                      QStringLiteral("+1866"), QStringLiteral("+1877"),
                                      QStringLiteral("+1888")};
    const bool isTollFree = std::any_of(tollFree.begin(), tollFree.end(),
                                        [&](const QString &p) { return e164.startsWith(p); });
    const QString when = QStringLiteral("2024-03-01T12:00:00.000Z");
    return {{QStringLiteral("billing_group_id"), QJsonValue(QJsonValue::Null)},
            {QStringLiteral("call_forwarding_enabled"), true},
            {QStringLiteral("call_recording_enabled"), false},
            {QStringLiteral("caller_id_name_enabled"), true},
            {QStringLiteral("cnam_listing_enabled"), false},
            {QStringLiteral("connection_id"), connectionId},
            {QStringLiteral("connection_name"), QStringLiteral("kevan-tel")},
            {QStringLiteral("country_iso_alpha2"), QStringLiteral("US")},
            {QStringLiteral("created_at"), when},
            {QStringLiteral("customer_reference"), QJsonValue(QJsonValue::Null)},
            {QStringLiteral("deletion_lock_enabled"), false},
            {QStringLiteral("emergency_address_id"), QJsonValue(QJsonValue::Null)},
            {QStringLiteral("emergency_enabled"), false},
            {QStringLiteral("external_pin"), QJsonValue(QJsonValue::Null)},
            {QStringLiteral("hd_voice_enabled"), false},
            {QStringLiteral("id"), id},
            {QStringLiteral("inbound_call_screening"), QStringLiteral("disabled")},
            {QStringLiteral("phone_number"), e164},
            {QStringLiteral("phone_number_type"),
             isTollFree ? QStringLiteral("toll_free") : QStringLiteral("local")},
            {QStringLiteral("purchased_at"), when},
            {QStringLiteral("record_type"), QStringLiteral("phone_number")},
            {QStringLiteral("source_type"), QStringLiteral("number_order")},
            {QStringLiteral("status"), QStringLiteral("active")},
            {QStringLiteral("t38_fax_gateway_enabled"), false},
            {QStringLiteral("tags"), QJsonArray{QStringLiteral("kevan.tel.x")}},
            {QStringLiteral("updated_at"), when}};
}

HttpReply PhoneNumberFixture::list(const QUrlQuery &query) const
{
    int pageNumber = 1;
    int pageSize = 20;
    bool ok = true;
    if (const QString n = param(query, QStringLiteral("page[number]")); !n.isEmpty()) {
        pageNumber = n.toInt(&ok);
        if (!ok || pageNumber < 1)
            return error422(TelnyxError::outOfRange(QStringLiteral("page[number]"), 1, 2147483647));
    }
    if (const QString s = param(query, QStringLiteral("page[size]")); !s.isEmpty()) {
        pageSize = s.toInt(&ok);
        if (!ok || pageSize < 1 || pageSize > 250)
            return error422(TelnyxError::outOfRange(QStringLiteral("page[size]"), 1, 250));
    }
    const QString connection = param(query, QStringLiteral("filter[connection_id]"));
    const QString tag = param(query, QStringLiteral("filter[tag]"));
    const QString number = param(query, QStringLiteral("filter[phone_number]"));
    const QString status = param(query, QStringLiteral("filter[status]"));

    QList<QJsonObject> matching;
    for (const QJsonObject &record : m_records) {
        if (!connection.isEmpty() &&
            record.value(QLatin1String("connection_id")).toString() != connection)
            continue;
        if (!tag.isEmpty() &&
            !record.value(QLatin1String("tags")).toArray().contains(QJsonValue(tag)))
            continue;
        if (!number.isEmpty() &&
            !record.value(QLatin1String("phone_number")).toString().contains(number))
            continue;
        if (!status.isEmpty() && record.value(QLatin1String("status")).toString() != status)
            continue;
        matching.append(record);
    }
    const int total = int(matching.size());
    const int totalPages = (total + pageSize - 1) / pageSize;
    QJsonArray data;
    const qint64 first = qint64(pageNumber - 1) * pageSize;
    for (qint64 i = first; i < total && i < first + pageSize; ++i)
        data.append(matching.at(i));
    const QJsonObject meta{{QStringLiteral("page_number"), pageNumber},
                           {QStringLiteral("page_size"), pageSize},
                           {QStringLiteral("total_pages"), totalPages},
                           {QStringLiteral("total_results"), total}};
    return {
        200,
        QJsonDocument(QJsonObject{{QStringLiteral("data"), data}, {QStringLiteral("meta"), meta}})
            .toJson(QJsonDocument::Compact),
        {{QByteArrayLiteral("Content-Type"), jsonType()},
         {QByteArrayLiteral("Total-Pages"), QByteArray::number(totalPages)}}};
}

} // namespace kt
