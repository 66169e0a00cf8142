// SPDX-License-Identifier: GPL-3.0-or-later
#include "screeningtables.h"

#include "store/eventstore.h"
#include "store/sqlquery.h"

#include <QHash>

namespace kt {

namespace {
quint64 &generationFor(const QString &connectionName)
{
    thread_local QHash<QString, quint64> generations;
    return generations[connectionName];
}
} // namespace

QSqlDatabase ScreeningTables::db() const
{
    return QSqlDatabase::database(store.connectionName(), false);
}

QDateTime ScreeningTables::now() const
{
    const QDateTime t = clock ? clock() : QDateTime::currentDateTimeUtc();
    return t.toUTC();
}

bool ScreeningTables::prepare(std::optional<QSqlQuery> &slot, const QString &statement) const
{
    if (slot)
        return true;
    QSqlDatabase database = db();
    if (!database.isOpen()) {
        error = QStringLiteral("event store is not open");
        return false;
    }
    slot.emplace(database);
    slot->setForwardOnly(true);
    if (!slot->prepare(statement)) {
        error = QStringLiteral("cannot prepare a screening query: %1").arg(sql::errorText(*slot));
        slot.reset();
        return false;
    }
    return true;
}

bool ScreeningTables::select(QSqlQuery &q, const QString &statement,
                             const QVariantList &values) const
{
    q.setForwardOnly(true);
    if (const QString e = sql::exec(q, statement, values); !e.isEmpty()) {
        error = e;
        return false;
    }
    return true;
}

ScreeningResult ScreeningTables::fail(const QString &message) const
{
    ScreeningResult r;
    r.error = message;
    return r;
}

ScreeningResult ScreeningTables::noChange(ScreeningResult result, const QString &message) const
{
    result.ok = true;
    result.seq = 0;
    result.message = message;
    return result;
}

ScreeningResult ScreeningTables::commit(ScreeningResult result, const QString &type,
                                        const QString &actor, const QJsonObject &payload,
                                        const std::function<QString(QSqlDatabase &)> &writes,
                                        const QString &callId, const CallUpdate *update)
{
    NewEvent event;
    event.type = type;
    event.actor = actor;
    event.callId = callId;
    event.payload = payload;
    const AppendResult appended = store.append(event, update, writes);
    if (!appended.ok()) {
        result.ok = false;
        result.seq = 0;
        result.error = appended.error;
        return result;
    }
    ++generationFor(store.connectionName());
    result.ok = true;
    result.seq = appended.seq;
    return result;
}

quint64 ScreeningTables::generation() const
{
    return generationFor(store.connectionName());
}

namespace screeningsql {

QVariant nullText()
{
    return QVariant::fromValue(nullptr);
}

QVariant textOrNull(const QString &s)
{
    return s.isEmpty() ? nullText() : QVariant(s);
}

QString quoted(const QString &s)
{
    return QLatin1Char('"') + s + QLatin1Char('"');
}

QString execSql(QSqlDatabase &db, const QString &statement, const QVariantList &values,
                int *rowsAffected)
{
    QVariantList bound = values;
    for (QVariant &v : bound) {
        if (v.metaType() == QMetaType::fromType<QString>() && v.toString().isNull())
            v = QVariant(QStringLiteral(""));
    }
    QSqlQuery q(db);
    const QString error = sql::exec(q, statement, bound);
    if (error.isEmpty() && rowsAffected)
        *rowsAffected = q.numRowsAffected();
    return error;
}

} // namespace screeningsql
} // namespace kt
