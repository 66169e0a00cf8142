// SPDX-License-Identifier: GPL-3.0-or-later
#include "callprojection.h"

#include "eventstore.h"
#include "sqldialect.h"
#include "sqlquery.h"
#include "storedtext.h"

#include <QRegularExpression>
#include <QVariant>

namespace kt {
using namespace storedtext;

namespace {

// The calls columns after call_id, in CallUpdate / CallRecord order.
const QStringList kCallColumns{
    QStringLiteral("call_control_id"), QStringLiteral("from_number"), QStringLiteral("to_number"),
    QStringLiteral("caller_name"),     QStringLiteral("direction"),   QStringLiteral("decision"),
    QStringLiteral("reason"),          QStringLiteral("namespace"),   QStringLiteral("state"),
    QStringLiteral("started_at"),      QStringLiteral("decided_at"),  QStringLiteral("ended_at"),
    QStringLiteral("hangup_cause"),    QStringLiteral("flags"),
};

CallRecord readCall(const QSqlQuery &q)
{
    CallRecord c;
    c.callId = column(q, 0);
    c.callControlId = column(q, 1);
    c.fromNumber = column(q, 2);
    c.toNumber = column(q, 3);
    c.callerName = column(q, 4);
    c.direction = column(q, 5);
    c.decision = column(q, 6);
    c.reason = column(q, 7);
    c.namespaceName = column(q, 8);
    c.state = column(q, 9);
    c.startedAt = column(q, 10);
    c.decidedAt = column(q, 11);
    c.endedAt = column(q, 12);
    c.hangupCause = column(q, 13);
    c.flags = parseObject(column(q, 14));
    c.updatedSeq = q.value(15).toLongLong();
    return c;
}

// started_at is UTC ISO-8601 with 6 fractional digits, so bounds compare as text.
QString bound(const QDateTime &t)
{
    return t.toUTC().toString(QStringLiteral("yyyy-MM-dd'T'HH:mm:ss.zzz'000Z'"));
}

// `text` as a LIKE pattern matching it anywhere, with % _ and \ escaped (used with Escape).
QString likeAnywhere(const QString &text)
{
    QString escaped = text;
    escaped.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
    escaped.replace(QLatin1Char('%'), QLatin1String("\\%"));
    escaped.replace(QLatin1Char('_'), QLatin1String("\\_"));
    return QLatin1Char('%') + escaped + QLatin1Char('%');
}

const QString Escape = QStringLiteral(" ESCAPE '\\'");

QString digitsOf(const QString &text)
{
    QString digits;
    for (const QChar c : text) {
        if (c.isDigit())
            digits += c;
    }
    return digits;
}

// The WHERE clause of `filter` (" WHERE ..." or empty) and its values.
struct Where
{
    QString sql;
    QVariantList values;
};

Where whereOf(const CallProjection::Filter &filter, const SqlDialect &dialect)
{
    // SQLite's LIKE ignores the case of ASCII letters; PostgreSQL's ILIKE does the same.
    const QString like = QLatin1Char(' ') + dialect.likeAnyCase() + QStringLiteral(" ?");
    QStringList clauses;
    Where w;
    if (!filter.number.isEmpty()) {
        const QString digits = digitsOf(filter.number);
        const QString pattern = likeAnywhere(digits.isEmpty() ? filter.number : digits);
        clauses << QStringLiteral("(from_number%1%2 OR to_number%1%2)").arg(like, Escape);
        w.values << pattern << pattern;
    }
    if (!filter.nameSpace.isEmpty()) {
        clauses << QStringLiteral("namespace") + like + Escape;
        w.values << likeAnywhere(filter.nameSpace);
    }
    if (!filter.decision.isEmpty()) {
        clauses << QStringLiteral("decision = ?");
        w.values << filter.decision;
    }
    if (!filter.text.isEmpty()) {
        static const QStringList columns{QStringLiteral("from_number"), QStringLiteral("to_number"),
                                         QStringLiteral("caller_name"), QStringLiteral("decision"),
                                         QStringLiteral("reason"),      QStringLiteral("namespace"),
                                         QStringLiteral("state"),       QStringLiteral("call_id"),
                                         QStringLiteral("hangup_cause")};
        QStringList any;
        const QString pattern = likeAnywhere(filter.text);
        for (const QString &column : columns) {
            any << column + like + Escape;
            w.values << pattern;
        }
        clauses << QLatin1Char('(') + any.join(QStringLiteral(" OR ")) + QLatin1Char(')');
    }
    if (!clauses.isEmpty())
        w.sql = QStringLiteral(" WHERE ") + clauses.join(QStringLiteral(" AND "));
    return w;
}

} // namespace

// Newest call first; a call without started_at last on both back ends (SQLite sorts NULL last
// in DESC by itself, PostgreSQL first).
QString CallProjection::newestFirst() const
{
    return QStringLiteral(" ORDER BY started_at DESC") + m_dialect.nullsLast() +
           QStringLiteral(", updated_seq DESC");
}

void CallProjection::setDatabase(const QSqlDatabase &db)
{
    reset();
    m_db = db;
    m_dialect = SqlDialect::of(db);
}

void CallProjection::reset()
{
    m_upserts.clear();
    m_findCall.reset();
    m_db = QSqlDatabase();
}

// The upsert that writes the columns in `mask` (and updated_seq), leaving the others as they
// are; its parameters: call_id, the columns in kCallColumns order, updated_seq.
QSqlQuery *CallProjection::upsertFor(quint32 mask, QString *error)
{
    if (const auto it = m_upserts.constFind(mask); it != m_upserts.cend())
        return it->get();
    QStringList columns{QStringLiteral("call_id")}, placeholders{QStringLiteral("?")}, updates;
    for (int i = 0; i < kCallColumns.size(); ++i) {
        if (!(mask & (1u << i)))
            continue;
        columns << kCallColumns.at(i);
        placeholders << QStringLiteral("?");
        updates << QStringLiteral("%1 = excluded.%1").arg(kCallColumns.at(i));
    }
    columns << QStringLiteral("updated_seq");
    placeholders << QStringLiteral("?");
    updates << QStringLiteral("updated_seq = excluded.updated_seq");
    auto q = std::make_shared<QSqlQuery>(m_db);
    q->setForwardOnly(true);
    if (!q->prepare(QStringLiteral("INSERT INTO calls (%1) VALUES (%2)"
                                   " ON CONFLICT(call_id) DO UPDATE SET %3")
                        .arg(columns.join(QStringLiteral(", ")),
                             placeholders.join(QStringLiteral(", ")),
                             updates.join(QStringLiteral(", "))))) {
        *error = QStringLiteral("cannot prepare statement: %1").arg(sql::errorText(*q));
        return nullptr;
    }
    m_upserts.insert(mask, q);
    return q.get();
}

QString CallProjection::apply(const CallUpdate &call, qint64 seq)
{
    const bool pg = m_dialect.isPostgreSQL(); // its text has no U+0000
    auto text = [pg](const std::optional<QString> &v, bool timestamp) -> QVariant {
        if (!v || v->isEmpty())
            return QVariant(QMetaType::fromType<QString>());
        if (timestamp) {
            const QString normalized = EventStore::normalizeTimestamp(*v);
            if (!normalized.isNull())
                return normalized;
        }
        return clean(*v, pg);
    };
    const std::optional<QString> *fields[] = {
        &call.callControlId, &call.fromNumber, &call.toNumber,  &call.callerName,
        &call.direction,     &call.decision,   &call.reason,    &call.namespaceName,
        &call.state,         &call.startedAt,  &call.decidedAt, &call.endedAt,
        &call.hangupCause,
    };
    constexpr int kTextFields = int(sizeof fields / sizeof fields[0]);
    quint32 mask = call.flags ? 1u << kTextFields : 0;
    for (int f = 0; f < kTextFields; ++f)
        mask |= fields[f]->has_value() ? 1u << f : 0;
    QString why;
    QSqlQuery *upsert = upsertFor(mask, &why);
    if (!upsert)
        return why;
    int i = 0;
    upsert->bindValue(i++, clean(call.callId, pg));
    for (int f = 0; f < kTextFields; ++f) {
        if (fields[f]->has_value())
            upsert->bindValue(i++, text(*fields[f], f >= 9 && f <= 11));
    }
    if (call.flags)
        upsert->bindValue(i++, compactJson(*call.flags));
    upsert->bindValue(i++, seq);
    if (!upsert->exec()) {
        why = sql::errorText(*upsert);
        upsert->finish();
        return why;
    }
    upsert->finish();
    return QString();
}

QList<CallProjection::DayCount> CallProjection::callsPerDay(const QDateTime &from,
                                                            const QDateTime &to, int utcOffsetSecs,
                                                            QString *error)
{
    QList<DayCount> out;
    // started_at is UTC ISO-8601 with 6 fractional digits, so the bounds compare as text and
    // the calls_started_numbers index serves both the range and the rows (no table access).
    auto bound = [](const QDateTime &t) {
        return t.toUTC().toString(QStringLiteral("yyyy-MM-dd'T'HH:mm:ss.zzz'000Z'"));
    };
    const QString day = m_dialect.dayOf(QStringLiteral("started_at"), utcOffsetSecs);
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT %1 AS day, count(*) FROM calls"
                             " WHERE started_at >= ? AND started_at < ? GROUP BY day ORDER BY day")
                  .arg(day));
    q.addBindValue(bound(from));
    q.addBindValue(bound(to));
    if (!q.exec()) {
        *error = QStringLiteral("cannot count calls per day: %1").arg(sql::errorText(q));
        return out;
    }
    while (q.next())
        out.append({QDate::fromString(q.value(0).toString(), Qt::ISODate), q.value(1).toInt()});
    return out;
}

QList<CallRecord> CallProjection::calls(const CallQuery &query, QString *error)
{
    QList<CallRecord> out;
    QString sql = QStringLiteral("SELECT call_id, %1, updated_seq FROM calls%2")
                      .arg(kCallColumns.join(QStringLiteral(", ")), newestFirst());
    if (query.limit > 0)
        sql += QStringLiteral(" LIMIT %1").arg(query.limit);
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    if (!q.exec(sql)) {
        *error = QStringLiteral("cannot read calls: %1").arg(sql::errorText(q));
        return out;
    }
    while (q.next())
        out.append(readCall(q));
    return out;
}

QList<CallRecord> CallProjection::callsWithNumber(const QString &number, int limit, int offset,
                                                  QString *error)
{
    QList<CallRecord> out;
    static const QRegularExpression e164(QStringLiteral("^\\+[1-9][0-9]{6,14}$"));
    const QString text = number.trimmed();
    const bool whole = e164.match(text).hasMatch();
    QString needle;
    if (whole) {
        needle = text;
    } else {
        for (const QChar c : text) {
            if (c.isDigit())
                needle += c;
        }
        if (needle.isEmpty())
            return out;
    }
    // instr() rather than LIKE: the same match for digits, without LIKE's pattern machinery.
    const QString where = whole ? QStringLiteral("from_number = ? OR to_number = ?")
                                : m_dialect.containsBound(QStringLiteral("from_number")) +
                                      QStringLiteral(" OR ") +
                                      m_dialect.containsBound(QStringLiteral("to_number"));
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT call_id, %1, updated_seq FROM calls WHERE %2%3%4")
                  .arg(kCallColumns.join(QStringLiteral(", ")), where, newestFirst(),
                       m_dialect.limitOffset(limit, offset)));
    q.addBindValue(needle);
    q.addBindValue(needle);
    if (!q.exec()) {
        *error = QStringLiteral("cannot search calls: %1").arg(sql::errorText(q));
        return out;
    }
    while (q.next())
        out.append(readCall(q));
    return out;
}

std::optional<CallRecord> CallProjection::call(const QString &callId, QString *error)
{
    if (!m_findCall) {
        m_findCall.emplace(m_db);
        m_findCall->setForwardOnly(true);
        m_findCall->prepare(
            QStringLiteral("SELECT call_id, %1, updated_seq FROM calls WHERE call_id = ?")
                .arg(kCallColumns.join(QStringLiteral(", "))));
    }
    QSqlQuery &q = *m_findCall;
    q.bindValue(0, clean(callId, m_dialect.isPostgreSQL())); // as apply() stored it
    if (!q.exec()) {
        *error = QStringLiteral("cannot read call %1: %2").arg(callId, sql::errorText(q));
        q.finish();
        return std::nullopt;
    }
    std::optional<CallRecord> record;
    if (q.next())
        record = readCall(q);
    q.finish();
    return record;
}

QStringList CallProjection::callIds(const Filter &filter, int limit, int offset, QString *error)
{
    const Where w = whereOf(filter, m_dialect);
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    if (const QString e = sql::exec(q,
                                    QStringLiteral("SELECT call_id FROM calls") + w.sql +
                                        newestFirst() + m_dialect.limitOffset(limit, offset),
                                    w.values);
        !e.isEmpty()) {
        *error = e;
        return {};
    }
    QStringList ids;
    while (q.next())
        ids.append(q.value(0).toString());
    return ids;
}

bool CallProjection::matches(const QString &callId, const Filter &filter)
{
    const Where w = whereOf(filter, m_dialect);
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    QVariantList values = w.values;
    values << callId;
    return sql::exec(
               q,
               QStringLiteral("SELECT 1 FROM calls") +
                   (w.sql.isEmpty() ? QStringLiteral(" WHERE") : w.sql + QStringLiteral(" AND")) +
                   QStringLiteral(" call_id = ?"),
               values)
               .isEmpty() &&
           q.next();
}

QList<CallProjection::DayDecisionCount>
CallProjection::callsPerDayAndDecision(const QDateTime &from, const QDateTime &to,
                                       int utcOffsetSecs, QString *error)
{
    const QString day = m_dialect.dayOf(QStringLiteral("started_at"), utcOffsetSecs);
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    if (const QString e = sql::exec(
            q,
            QStringLiteral("SELECT %1 AS day, coalesce(decision, ''), count(*) FROM calls"
                           " WHERE started_at >= ? AND started_at < ? GROUP BY day, decision")
                .arg(day),
            {bound(from), bound(to)});
        !e.isEmpty()) {
        *error = e;
        return {};
    }
    QList<DayDecisionCount> out;
    while (q.next())
        out.append({QDate::fromString(q.value(0).toString(), Qt::ISODate), q.value(1).toString(),
                    q.value(2).toInt()});
    return out;
}

QList<CallProjection::NumberCount> CallProjection::mostCalledNumbers(const QDateTime &from,
                                                                     const QDateTime &to, int limit,
                                                                     QString *error)
{
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    if (const QString e = sql::exec(
            q,
            QStringLiteral("SELECT to_number, count(*) AS calls,"
                           " count(*) FILTER (WHERE decision IN ('blocked', 'rejected')) FROM calls"
                           " WHERE started_at >= ? AND started_at < ?"
                           " GROUP BY to_number ORDER BY calls DESC, to_number LIMIT ?"),
            {bound(from), bound(to), limit});
        !e.isEmpty()) {
        *error = e;
        return {};
    }
    QList<NumberCount> out;
    while (q.next())
        out.append({q.value(0).toString(), q.value(1).toInt(), q.value(2).toInt()});
    return out;
}

QHash<QString, CallProjection::RecentCount>
CallProjection::callsPerCalledNumber(const QDateTime &recent, const QDateTime &since,
                                     QString *error)
{
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    if (const QString e =
            sql::exec(q,
                      QStringLiteral("SELECT to_number, count(*) FILTER (WHERE started_at >= ?),"
                                     " count(*) FROM calls WHERE started_at >= ?"
                                     " GROUP BY to_number"),
                      {bound(recent), bound(since)});
        !e.isEmpty()) {
        *error = e;
        return {};
    }
    QHash<QString, RecentCount> out;
    while (q.next())
        out.insert(q.value(0).toString(), {q.value(1).toInt(), q.value(2).toInt()});
    return out;
}

} // namespace kt
