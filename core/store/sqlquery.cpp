// SPDX-License-Identifier: GPL-3.0-or-later
#include "sqlquery.h"

#include <QSqlError>
#include <QSqlQuery>

namespace kt::sql {

QString errorText(const QSqlQuery &query)
{
    const QSqlError e = query.lastError();
    return e.databaseText().isEmpty() ? e.text() : e.databaseText();
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
