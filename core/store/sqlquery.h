// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QVariantList>

class QSqlError;
class QSqlQuery;

namespace kt::sql {

// What a failed query or connection says: the database's own words when it gave any, else
// Qt's, on one line (libpq ends its lines with "\n" and indents the next with "\t").
QString errorText(const QSqlQuery &query);
QString errorText(const QSqlError &error);

// Prepares `statement` on `query`, binds `values` in order and runs it. Empty when it ran, else
// the error (errorText).
QString exec(QSqlQuery &query, const QString &statement, const QVariantList &values = {});

} // namespace kt::sql
