// SPDX-License-Identifier: GPL-3.0-or-later
#include "numberrepository.h"

#include "keypad.h"
#include "phonenumber.h"
#include "screeningevents.h"
#include "screeningtables.h"
#include "store/sqlquery.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlError>

namespace kt {
using namespace screeningsql;

namespace {
NumberEntry readNumber(const QSqlQuery &q)
{
    NumberEntry e;
    e.e164 = q.value(0).toString();
    e.raw = q.value(1).toString();
    e.label = q.value(2).toString();
    e.nameSpace = q.value(3).toString();
    e.policy = q.value(4).toString();
    e.telnyxId = q.value(5).toString();
    e.connectionId = q.value(6).toString();
    const QJsonArray tags = QJsonDocument::fromJson(q.value(7).toString().toUtf8()).array();
    for (const QJsonValue &t : tags)
        e.tags.append(t.toString());
    e.labelCheck = Keypad::spells(e.label, e.e164);
    return e;
}

const QString kNumberColumns =
    QStringLiteral("e164, raw, label, namespace, policy, telnyx_id, connection_id, tags");

QString writeNumber(QSqlDatabase &db, const NumberEntry &e, const QString &updatedAt)
{
    const QString error = execSql(
        db,
        QStringLiteral(
            "INSERT INTO numbers (e164, raw, label, namespace, policy, telnyx_id, connection_id,"
            " tags, position, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?,"
            " (SELECT coalesce(max(position), 0) + 1 FROM numbers), ?)"
            " ON CONFLICT(e164) DO UPDATE SET raw = excluded.raw, label = excluded.label,"
            " namespace = excluded.namespace, policy = excluded.policy,"
            " telnyx_id = excluded.telnyx_id, connection_id = excluded.connection_id,"
            " tags = excluded.tags, updated_at = excluded.updated_at"),
        {e.e164, e.raw.isEmpty() ? e.e164 : e.raw, e.label, e.nameSpace, e.policy,
         textOrNull(e.telnyxId), textOrNull(e.connectionId),
         QString::fromUtf8(
             QJsonDocument(QJsonArray::fromStringList(e.tags)).toJson(QJsonDocument::Compact)),
         updatedAt});
    return error.isEmpty() ? error
                           : QStringLiteral("cannot store number %1: %2").arg(e.e164, error);
}

// Writes `changes`, each stamped `updatedAt`, in the transaction of the event that records them.
auto numbersWriter(const QList<NumberEntry> &changes, const QString &updatedAt)
{
    return [changes, updatedAt](QSqlDatabase &db) {
        for (const NumberEntry &e : changes) {
            const QString error = writeNumber(db, e, updatedAt);
            if (!error.isEmpty())
                return error;
        }
        return QString();
    };
}

QJsonObject numberJson(const NumberEntry &e)
{
    QJsonObject o = NumberMap::entryToJson(e);
    o.insert(QStringLiteral("label_check"), Keypad::code(e.labelCheck));
    return o;
}
} // namespace

NumberRepository::NumberRepository(ScreeningTables &tables) : m_tables(tables) {}

void NumberRepository::setDefaultNameSpace(const QString &nameSpace)
{
    m_defaultNameSpace = nameSpace;
}

std::optional<NumberEntry> NumberRepository::number(const QString &e164) const
{
    if (e164.isEmpty() ||
        !m_tables.prepare(
            m_number, QStringLiteral("SELECT %1 FROM numbers WHERE e164 = ?").arg(kNumberColumns)))
        return std::nullopt;
    QSqlQuery &q = *m_number;
    q.bindValue(0, e164);
    std::optional<NumberEntry> out;
    if (q.exec() && q.next())
        out = readNumber(q);
    else if (q.lastError().isValid())
        m_tables.error = sql::errorText(q);
    q.finish();
    return out;
}

QList<NumberEntry> NumberRepository::numbers() const
{
    QList<NumberEntry> out;
    QSqlDatabase database = m_tables.db();
    QSqlQuery q(database);
    if (!m_tables.select(
            q,
            QStringLiteral("SELECT %1 FROM numbers ORDER BY position, e164").arg(kNumberColumns)))
        return out;
    while (q.next())
        out.append(readNumber(q));
    return out;
}

NumberMap NumberRepository::numberMap() const
{
    NumberMap map(m_defaultNameSpace);
    for (const NumberEntry &e : numbers())
        map.add(e);
    return map;
}

NumberEntry NumberRepository::numberFromTelnyx(const QJsonObject &record)
{
    NumberEntry e;
    e.e164 = record.value(QLatin1String("phone_number")).toString().trimmed();
    e.raw = e.e164;
    const QJsonValue id = record.value(QLatin1String("id"));
    e.telnyxId = id.isDouble() ? QString::number(qint64(id.toDouble())) : id.toString();
    const QJsonValue connection = record.value(QLatin1String("connection_id"));
    e.connectionId = connection.isDouble() ? QString::number(qint64(connection.toDouble()))
                                           : connection.toString();
    for (const QJsonValue &t : record.value(QLatin1String("tags")).toArray()) {
        if (t.isString())
            e.tags.append(t.toString());
    }
    return e;
}

ScreeningResult NumberRepository::importNumbers(const NumberMap &map, const QString &actor,
                                                const QString &source)
{
    const NumberMap current = numberMap();
    ScreeningResult result;
    QList<NumberEntry> changes;
    QJsonArray added, updated;
    for (const NumberEntry &in : map.entries()) {
        const NumberEntry *old = current.find(in.e164);
        NumberEntry next;
        if (!old) {
            next = in;
            if (next.raw.isEmpty())
                next.raw = next.e164;
            if (next.nameSpace.isEmpty())
                next.nameSpace = map.nameSpace().isEmpty() ? m_defaultNameSpace : map.nameSpace();
            next.labelCheck = Keypad::spells(next.label, next.e164);
            ++result.merge.added;
            added.append(numberJson(next));
        } else {
            next = *old;
            if (!in.raw.isEmpty())
                next.raw = in.raw;
            if (!in.nameSpace.isEmpty())
                next.nameSpace = in.nameSpace;
            if (!in.label.isEmpty())
                next.label = in.label;
            if (!in.policy.isEmpty())
                next.policy = in.policy;
            if (!in.telnyxId.isEmpty())
                next.telnyxId = in.telnyxId;
            if (!in.connectionId.isEmpty())
                next.connectionId = in.connectionId;
            if (!in.tags.isEmpty())
                next.tags = in.tags;
            next.labelCheck = Keypad::spells(next.label, next.e164);
            if (next == *old) {
                ++result.merge.unchanged;
                continue;
            }
            ++result.merge.updated;
            updated.append(numberJson(next));
        }
        changes.append(next);
    }
    const QString summary = QStringLiteral("%1 added, %2 updated, %3 unchanged")
                                .arg(result.merge.added)
                                .arg(result.merge.updated)
                                .arg(result.merge.unchanged);
    if (changes.isEmpty())
        return m_tables.noChange(result, QStringLiteral("number map unchanged: %1").arg(summary));
    result.message = QStringLiteral("imported %1 numbers: %2").arg(map.size()).arg(summary);
    const QString updatedAt = formatTime(m_tables.now());
    const QJsonObject payload{{QStringLiteral("source"), source},
                              {QStringLiteral("namespace"), map.nameSpace()},
                              {QStringLiteral("count"), int(map.size())},
                              {QStringLiteral("added"), result.merge.added},
                              {QStringLiteral("updated"), result.merge.updated},
                              {QStringLiteral("unchanged"), result.merge.unchanged},
                              {QStringLiteral("added_numbers"), added},
                              {QStringLiteral("updated_numbers"), updated}};
    return m_tables.commit(result, QString::fromLatin1(ScreeningEvents::NumberImported), actor,
                           payload, numbersWriter(changes, updatedAt));
}

ScreeningResult NumberRepository::syncNumbers(const QList<NumberEntry> &fromTelnyx,
                                              const QString &actor)
{
    const NumberMap before = numberMap();
    NumberMap after = before;
    ScreeningResult result;
    result.merge = after.mergeSync(fromTelnyx);
    QList<NumberEntry> changes;
    QJsonArray added, updated;
    for (const NumberEntry &e : after.entries()) {
        const NumberEntry *old = before.find(e.e164);
        if (!old)
            added.append(numberJson(e));
        else if (*old != e)
            updated.append(numberJson(e));
        else
            continue;
        changes.append(e);
    }
    const QString summary = QStringLiteral("%1 added, %2 updated, %3 unchanged, %4 invalid")
                                .arg(result.merge.added)
                                .arg(result.merge.updated)
                                .arg(result.merge.unchanged)
                                .arg(result.merge.invalid);
    if (changes.isEmpty())
        return m_tables.noChange(result,
                                 QStringLiteral("number map already in sync: %1").arg(summary));
    result.message =
        QStringLiteral("synced %1 numbers from Telnyx: %2").arg(fromTelnyx.size()).arg(summary);
    const QString updatedAt = formatTime(m_tables.now());
    const QJsonObject payload{{QStringLiteral("listed"), int(fromTelnyx.size())},
                              {QStringLiteral("added"), result.merge.added},
                              {QStringLiteral("updated"), result.merge.updated},
                              {QStringLiteral("unchanged"), result.merge.unchanged},
                              {QStringLiteral("invalid"), result.merge.invalid},
                              {QStringLiteral("added_numbers"), added},
                              {QStringLiteral("updated_numbers"), updated}};
    return m_tables.commit(result, QString::fromLatin1(ScreeningEvents::NumbersSynced), actor,
                           payload, numbersWriter(changes, updatedAt));
}

ScreeningResult NumberRepository::setNumberPolicy(const QString &phone, const QString &policy,
                                                  const QString &actor)
{
    const PhoneNumber::ParseResult parsed = PhoneNumber::parse(phone);
    if (!parsed.ok)
        return m_tables.fail(parsed.error);
    const QString p = policy.trimmed();
    if (!p.isEmpty() && !NumberMap::isKnownPolicy(p))
        return m_tables.fail(QStringLiteral("unknown policy %1 (known: %2)")
                                 .arg(quoted(p), NumberMap::policies().join(QStringLiteral(", "))));
    const auto entry = number(parsed.e164);
    if (!entry)
        return m_tables.fail(QStringLiteral("%1 is not in the number map").arg(parsed.e164));
    ScreeningResult result;
    result.e164 = parsed.e164;
    if (entry->policy == p)
        return m_tables.noChange(
            result, QStringLiteral("%1 already has policy %2")
                        .arg(parsed.e164, p.isEmpty() ? QStringLiteral("(default)") : p));
    result.message = QStringLiteral("%1: policy %2")
                         .arg(parsed.e164, p.isEmpty() ? QStringLiteral("(default)") : p);
    const QString e164 = parsed.e164;
    const QString updatedAt = formatTime(m_tables.now());
    const QJsonObject payload{{QStringLiteral("e164"), e164},
                              {QStringLiteral("policy"), p},
                              {QStringLiteral("previous"), entry->policy}};
    return m_tables.commit(
        result, QString::fromLatin1(ScreeningEvents::NumberPolicySet), actor, payload,
        [e164, p, updatedAt](QSqlDatabase &db) {
            int rows = 0;
            const QString error =
                execSql(db,
                        QStringLiteral("UPDATE numbers SET policy = ?, updated_at = ?"
                                       " WHERE e164 = ?"),
                        {p, updatedAt, e164}, &rows);
            if (!error.isEmpty())
                return QStringLiteral("cannot set the policy: %1").arg(error);
            return rows == 1 ? QString() : QStringLiteral("%1 is not in the number map").arg(e164);
        });
}

ScreeningResult NumberRepository::ensureDefaultNumbers(const QString &actor)
{
    QSqlDatabase database = m_tables.db();
    qint64 count = -1;
    {
        QSqlQuery q(database);
        if (m_tables.select(q, QStringLiteral("SELECT count(*) FROM numbers")) && q.next())
            count = q.value(0).toLongLong();
    }
    if (count < 0)
        return m_tables.fail(QStringLiteral("cannot read the number map: %1").arg(m_tables.error));
    if (count > 0)
        return m_tables.noChange(ScreeningResult(),
                                 QStringLiteral("number map has %1 numbers already").arg(count));
    QString error;
    const NumberMap map = NumberMap::defaultMap(&error);
    if (!error.isEmpty())
        return m_tables.fail(QStringLiteral("cannot load the built-in number map: %1").arg(error));
    return importNumbers(map, actor, QString::fromLatin1(NumberMap::DefaultResource));
}

} // namespace kt
