// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "callrecord.h"
#include "sqldialect.h"

#include <QDate>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>

#include <memory>
#include <optional>

namespace kt {

// The `calls` projection: one row per call, written by EventStore::append() in the transaction
// of the event that changed it, and the queries asked of it (one call, the newest calls, calls
// with a number, counts per day). It works on the store's connection and thread; the store
// gives it its connection when it opens and takes it back when it closes.
class CallProjection
{
public:
    struct DayCount
    {
        QDate day;
        int calls = 0;
    };

    void setDatabase(const QSqlDatabase &db);
    void reset(); // drops the prepared statements and the connection

    // Inside the append's transaction: writes the columns `call` sets (and updated_seq = `seq`),
    // leaving the others as they are. Empty on success, else why not.
    QString apply(const CallUpdate &call, qint64 seq);

    // Each read returns nothing with `error` set when the query failed.
    std::optional<CallRecord> call(const QString &callId, QString *error);
    QList<CallRecord> calls(const CallQuery &query, QString *error);
    QList<CallRecord> callsWithNumber(const QString &number, int limit, int offset, QString *error);
    QList<DayCount> callsPerDay(const QDateTime &from, const QDateTime &to, int utcOffsetSecs,
                                QString *error);

    // The history's filters; each one set must match. `number`: its digits (or, with none, the
    // text) anywhere in the caller's or the called number; `nameSpace`: anywhere in the
    // namespace; `decision`: exactly; `text`: anywhere in any of the call's text columns.
    struct Filter
    {
        QString number;
        QString nameSpace;
        QString decision;
        QString text;
    };
    // The ids of the calls that match, newest first, `limit` (all when <= 0) from `offset`.
    QStringList callIds(const Filter &filter, int limit, int offset, QString *error);
    bool matches(const QString &callId, const Filter &filter);

    // Calls started between `from` (inclusive) and `to` (exclusive) per calendar day (in the
    // time zone `utcOffsetSecs` east of UTC) and decision ("" when undecided).
    struct DayDecisionCount
    {
        QDate day;
        QString decision;
        int calls = 0;
    };
    QList<DayDecisionCount> callsPerDayAndDecision(const QDateTime &from, const QDateTime &to,
                                                   int utcOffsetSecs, QString *error);
    // The `limit` numbers called most between `from` and `to`, most first: their calls and how
    // many of them were turned away (blocked or rejected).
    struct NumberCount
    {
        QString number;
        int calls = 0;
        int turnedAway = 0;
    };
    QList<NumberCount> mostCalledNumbers(const QDateTime &from, const QDateTime &to, int limit,
                                         QString *error);
    // Per called number: the calls started since `since`, and how many of them since `recent`.
    struct RecentCount
    {
        int recent = 0;
        int total = 0;
    };
    QHash<QString, RecentCount> callsPerCalledNumber(const QDateTime &recent,
                                                     const QDateTime &since, QString *error);

private:
    QSqlQuery *upsertFor(quint32 mask, QString *error);

    QString newestFirst() const;

    QSqlDatabase m_db;
    SqlDialect m_dialect = SqlDialect::sqlite();
    // The calls upsert for each set of columns a CallUpdate sets (bit i: the i-th column after
    // call_id), and the read of one call: prepared once, reused.
    QHash<quint32, std::shared_ptr<QSqlQuery>> m_upserts;
    std::optional<QSqlQuery> m_findCall;
};

} // namespace kt
