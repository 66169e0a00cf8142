// SPDX-License-Identifier: GPL-3.0-or-later
#include "sqlquery.h"

#include <QSqlError>
#include <QSqlQuery>

namespace kt::sql {

QString errorText(const QSqlQuery &query)
{
    return errorText(query.lastError());
}

QString errorText(const QSqlError &error)
{
    const QString text = error.databaseText().isEmpty() ? error.text() : error.databaseText();
    return text.simplified();
}

QString exec(QSqlQuery &query, const QString &statement, const QVariantList &values)
{
    if (!query.prepare(statement))
        return errorText(query);
    for (const QVariant &v : values)
        query.addBindValue(v);
    return query.exec() ? QString() : errorText(query);
}

} // namespace kt::sql
