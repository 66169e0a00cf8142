// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "numbermap.h"
#include "screeningrecords.h"

#include <QJsonObject>
#include <QSqlQuery>

#include <optional>

namespace kt {

struct ScreeningTables;

// The number map (the numbers table): the owner's Telnyx numbers, their labels and policies.
class NumberRepository
{
public:
    explicit NumberRepository(ScreeningTables &tables);

    void setDefaultNameSpace(const QString &nameSpace);

    std::optional<NumberEntry> number(const QString &e164) const;
    QList<NumberEntry> numbers() const;
    NumberMap numberMap() const;

    ScreeningResult importNumbers(const NumberMap &map, const QString &actor,
                                  const QString &source);
    ScreeningResult syncNumbers(const QList<NumberEntry> &fromTelnyx, const QString &actor);
    ScreeningResult setNumberPolicy(const QString &phone, const QString &policy,
                                    const QString &actor);
    ScreeningResult ensureDefaultNumbers(const QString &actor);
    static NumberEntry numberFromTelnyx(const QJsonObject &record);

private:
    ScreeningTables &m_tables;
    QString m_defaultNameSpace = QString::fromLatin1(NumberMap::DefaultNameSpace);
    mutable std::optional<QSqlQuery> m_number; // hot path, prepared once
};

} // namespace kt
