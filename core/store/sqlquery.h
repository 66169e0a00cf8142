// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QVariantList>

class QSqlQuery;

namespace kt::sql {

// What a failed query says: the database's own words when it gave any, else Qt's.
QString errorText(const QSqlQuery &query);

// Prepares `statement` on `query`, binds `values` in order and runs it. Empty when it ran, else
// the error (errorText).
QString exec(QSqlQuery &query, const QString &statement, const QVariantList &values = {});

} // namespace kt::sql
