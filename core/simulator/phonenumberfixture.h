// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "loopbackhttpserver.h"

#include <QJsonObject>
#include <QList>
#include <QStringList>
#include <QUrlQuery>

namespace kt {

// The account's numbers as GET /v2/phone_numbers serves them (docs/telnyx-api.md §5.1, §7.14):
// records with string ids and record_type "phone_number", pages (page[size] 1..250, default 20,
// else 422), filter[connection_id], filter[tag], filter[phone_number] and filter[status].
class PhoneNumberFixture
{
public:
    // The owner's 26 numbers (resources/numbers/kevan.tel.x.json), linked to `connectionId`.
    explicit PhoneNumberFixture(
        const QString &connectionId = QStringLiteral("2811212257810187875"));

    static QStringList defaultNumbers();

    // Replaces the records with one per E.164 number.
    void setNumbers(const QStringList &e164, const QString &connectionId);
    void setRecords(const QList<QJsonObject> &records) { m_records = records; }
    QList<QJsonObject> records() const { return m_records; }

    static QJsonObject makeRecord(const QString &e164, const QString &id,
                                  const QString &connectionId);

    // The answer to GET /v2/phone_numbers with this query.
    HttpReply list(const QUrlQuery &query) const;

private:
    QList<QJsonObject> m_records;
};

} // namespace kt
