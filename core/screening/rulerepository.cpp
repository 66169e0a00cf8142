// SPDX-License-Identifier: GPL-3.0-or-later
#include "rulerepository.h"

#include "phonenumber.h"
#include "screeningevents.h"
#include "screeningtables.h"
#include "store/sqlquery.h"

namespace kt {
using namespace screeningsql;

namespace {
// "+" and at most 15 digits: the exact number and its prefixes "+1*" ... "+17702300635*".
constexpr int kPatternCandidates = 16;

const QString kRuleColumns = QStringLiteral(
    "id, kind, pattern, note, until, single_use, created_at, used_at, used_by_call, removed_at");

Rule readRule(const QSqlQuery &q, QString *usedByCall = nullptr, bool *removed = nullptr)
{
    Rule r;
    r.id = q.value(0).toLongLong();
    r.kind = Rule::kindFromName(q.value(1).toString()).value_or(Rule::Block);
    r.pattern = q.value(2).toString();
    r.note = q.value(3).toString();
    r.until = parseTime(q.value(4).toString());
    r.singleUse = q.value(5).toInt() != 0;
    r.createdAt = parseTime(q.value(6).toString());
    r.usedAt = parseTime(q.value(7).toString());
    if (usedByCall)
        *usedByCall = q.value(8).toString();
    if (removed)
        *removed = !q.value(9).isNull();
    return r;
}
} // namespace

RuleRepository::RuleRepository(ScreeningTables &tables) : m_tables(tables) {}

std::optional<RuleInfo> RuleRepository::readRuleInfo(qint64 id, const QDateTime &when,
                                                     bool *removed) const
{
    QSqlDatabase database = m_tables.db();
    QSqlQuery q(database);
    if (!m_tables.select(q, QStringLiteral("SELECT %1 FROM rules WHERE id = ?").arg(kRuleColumns),
                         {id}) ||
        !q.next())
        return std::nullopt;
    RuleInfo info;
    info.rule = readRule(q, &info.usedByCall, removed);
    info.expired = info.rule.isExpired(when);
    info.consumed = info.rule.isConsumed();
    info.active = info.rule.isActive(when);
    return info;
}

QString RuleInfo::state() const
{
    if (consumed)
        return QStringLiteral("consumed");
    if (expired)
        return QStringLiteral("expired");
    return QStringLiteral("active");
}

std::optional<Rule> RuleRepository::matchRule(Rule::Kind kind, const QString &e164,
                                              const QDateTime &now) const
{
    if (e164.size() < 2 || !e164.startsWith(QLatin1Char('+')) || e164.size() > kPatternCandidates)
        return std::nullopt;
    QString placeholders;
    for (int i = 0; i < kPatternCandidates; ++i)
        placeholders += i ? QStringLiteral(", ?") : QStringLiteral("?");
    // Served by the partial index rules_pattern (pattern, kind) WHERE removed_at IS NULL.
    if (!m_tables.prepare(m_matchRule,
                          QStringLiteral("SELECT %1 FROM rules WHERE pattern IN (%2) AND kind = ?"
                                         " AND removed_at IS NULL")
                              .arg(kRuleColumns, placeholders)))
        return std::nullopt;
    QSqlQuery &q = *m_matchRule;
    int i = 0;
    q.bindValue(i++, e164);
    for (int length = 2; length <= e164.size(); ++length)
        q.bindValue(i++, e164.left(length) + QLatin1Char('*'));
    while (i < kPatternCandidates)
        q.bindValue(i++, nullText());
    q.bindValue(i, Rule::kindName(kind));
    QList<Rule> candidates;
    if (q.exec()) {
        while (q.next())
            candidates.append(readRule(q));
    } else {
        m_tables.error = sql::errorText(q);
    }
    q.finish();
    if (candidates.isEmpty())
        return std::nullopt;
    return RuleSet(candidates).match(kind, e164, m_tables.at(now));
}

QList<RuleInfo> RuleRepository::rules(const QDateTime &at, bool includeRemoved) const
{
    QList<RuleInfo> out;
    const QDateTime when = m_tables.at(at);
    QSqlDatabase database = m_tables.db();
    QSqlQuery q(database);
    if (!m_tables.select(
            q, QStringLiteral("SELECT %1 FROM rules%2 ORDER BY id")
                   .arg(kRuleColumns,
                        includeRemoved ? QString() : QStringLiteral(" WHERE removed_at IS NULL"))))
        return out;
    while (q.next()) {
        RuleInfo info;
        info.rule = readRule(q, &info.usedByCall);
        info.expired = info.rule.isExpired(when);
        info.consumed = info.rule.isConsumed();
        info.active = info.rule.isActive(when) && q.value(9).isNull();
        out.append(info);
    }
    return out;
}

std::optional<RuleInfo> RuleRepository::rule(qint64 id, const QDateTime &at) const
{
    bool removed = false;
    auto info = readRuleInfo(id, m_tables.at(at), &removed);
    if (info && removed)
        info->active = false;
    return info;
}

ScreeningResult RuleRepository::addRule(const QString &kind, const QString &pattern,
                                        const QString &note, const QString &until, bool singleUse,
                                        const QString &actor)
{
    const auto k = Rule::kindFromName(kind.trimmed().toLower());
    if (!k)
        return m_tables.fail(
            QStringLiteral("unknown rule kind %1 (allow or block)").arg(quoted(kind.trimmed())));
    const PhoneNumber::ParseResult parsed = PhoneNumber::parsePattern(pattern);
    if (!parsed.ok)
        return m_tables.fail(parsed.error);
    const QString text = note.trimmed();
    if (text.size() > MaxNoteLength)
        return m_tables.fail(
            QStringLiteral("the note is too long (at most %1 characters)").arg(MaxNoteLength));
    const QDateTime when = m_tables.now();
    QDateTime expiry;
    if (!until.trimmed().isEmpty()) {
        expiry = QDateTime::fromString(until.trimmed(), Qt::ISODateWithMs);
        if (!expiry.isValid())
            return m_tables.fail(
                QStringLiteral("invalid expiry %1: expected an ISO-8601 date and time,"
                               " e.g. 2026-01-31T18:00:00Z")
                    .arg(quoted(until.trimmed())));
        expiry = expiry.toUTC();
        if (!(when < expiry))
            return m_tables.fail(
                QStringLiteral("expiry %1 is not in the future").arg(expiry.toString(Qt::ISODate)));
    }

    Rule rule;
    rule.kind = *k;
    rule.pattern = parsed.e164;
    rule.note = text;
    rule.until = expiry;
    rule.singleUse = singleUse;
    rule.createdAt = parseTime(formatTime(when)); // millisecond precision, as stored

    // The id is part of the event, so it is chosen before the transaction; should another
    // connection take it meanwhile, the write fails and is retried with the next one.
    for (int attempt = 0; attempt < 5; ++attempt) {
        qint64 id = 0;
        {
            QSqlDatabase database = m_tables.db();
            QSqlQuery q(database);
            if (!m_tables.select(q, QStringLiteral("SELECT coalesce(max(id), 0) + 1 FROM rules")) ||
                !q.next())
                return m_tables.fail(
                    QStringLiteral("cannot read the rules: %1").arg(m_tables.error));
            id = q.value(0).toLongLong();
        }
        rule.id = id;
        ScreeningResult result;
        result.ruleId = id;
        result.message =
            QStringLiteral("added rule #%1: %2 %3%4%5")
                .arg(id)
                .arg(Rule::kindName(rule.kind), rule.pattern,
                     expiry.isValid()
                         ? QStringLiteral(" until %1").arg(expiry.toString(Qt::ISODate))
                         : QString(),
                     singleUse ? QStringLiteral(" (once)") : QString());
        bool taken = false;
        const Rule r = rule;
        result = m_tables.commit(
            result, QString::fromLatin1(ScreeningEvents::RuleAdded), actor, r.toJson(),
            [r, &taken](QSqlDatabase &db) {
                QSqlQuery q(db);
                if (q.exec(QStringLiteral("SELECT 1 FROM rules WHERE id = %1").arg(r.id)) &&
                    q.next()) {
                    taken = true;
                    return QStringLiteral("rule id %1 was taken meanwhile").arg(r.id);
                }
                q.finish();
                const QString e = execSql(
                    db,
                    QStringLiteral("INSERT INTO rules (id, kind, pattern, note, until, single_use,"
                                   " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"),
                    {r.id, Rule::kindName(r.kind), r.pattern, r.note,
                     textOrNull(formatTime(r.until)), r.singleUse ? 1 : 0,
                     formatTime(r.createdAt)});
                return e.isEmpty() ? e : QStringLiteral("cannot store the rule: %1").arg(e);
            });
        if (!taken)
            return result;
    }
    return m_tables.fail(QStringLiteral("cannot add the rule: the rules table keeps changing"));
}

ScreeningResult RuleRepository::removeRule(qint64 id, const QString &actor)
{
    bool removed = false;
    const auto info = readRuleInfo(id, m_tables.now(), &removed);
    if (!info)
        return m_tables.fail(QStringLiteral("no rule #%1").arg(id));
    if (removed)
        return m_tables.fail(QStringLiteral("rule #%1 was already removed").arg(id));
    ScreeningResult result;
    result.ruleId = id;
    result.message = QStringLiteral("removed rule #%1: %2 %3")
                         .arg(id)
                         .arg(Rule::kindName(info->rule.kind), info->rule.pattern);
    const QString removedAt = formatTime(m_tables.now());
    QJsonObject payload = info->rule.toJson();
    payload.insert(QStringLiteral("state"), info->state());
    return m_tables.commit(
        result, QString::fromLatin1(ScreeningEvents::RuleRemoved), actor, payload,
        [id, removedAt](QSqlDatabase &db) {
            int rows = 0;
            const QString e = execSql(db,
                                      QStringLiteral("UPDATE rules SET removed_at = ? WHERE id = ?"
                                                     " AND removed_at IS NULL"),
                                      {removedAt, id}, &rows);
            if (!e.isEmpty())
                return QStringLiteral("cannot remove the rule: %1").arg(e);
            return rows == 1 ? QString() : QStringLiteral("rule #%1 was removed meanwhile").arg(id);
        });
}

ScreeningResult RuleRepository::consumeRule(qint64 id, const QString &callId, const QString &actor)
{
    const QDateTime when = m_tables.now();
    bool removed = false;
    const auto info = readRuleInfo(id, when, &removed);
    if (!info)
        return m_tables.fail(QStringLiteral("no rule #%1").arg(id));
    if (removed)
        return m_tables.fail(QStringLiteral("rule #%1 was removed").arg(id));
    if (!info->rule.singleUse)
        return m_tables.fail(QStringLiteral("rule #%1 is not single-use").arg(id));
    if (info->consumed)
        return m_tables.fail(
            QStringLiteral("rule #%1 was already used (by call %2)").arg(id).arg(info->usedByCall));
    if (info->expired)
        return m_tables.fail(QStringLiteral("rule #%1 expired on %2")
                                 .arg(id)
                                 .arg(info->rule.until.toString(Qt::ISODate)));
    ScreeningResult result;
    result.ruleId = id;
    result.message = QStringLiteral("used single-use rule #%1: %2 %3")
                         .arg(id)
                         .arg(Rule::kindName(info->rule.kind), info->rule.pattern);
    const QString usedAt = formatTime(when);
    const QJsonObject payload{{QStringLiteral("id"), id},
                              {QStringLiteral("kind"), Rule::kindName(info->rule.kind)},
                              {QStringLiteral("pattern"), info->rule.pattern},
                              {QStringLiteral("call_id"), callId},
                              {QStringLiteral("used_at"), usedAt}};
    return m_tables.commit(
        result, QString::fromLatin1(ScreeningEvents::RuleConsumed), actor, payload,
        [id, usedAt, callId](QSqlDatabase &db) {
            int rows = 0;
            const QString e = execSql(
                db,
                QStringLiteral("UPDATE rules SET used_at = ?, used_by_call = ? WHERE id = ?"
                               " AND single_use = 1 AND used_at IS NULL AND removed_at IS NULL"),
                {usedAt, textOrNull(callId), id}, &rows);
            if (!e.isEmpty())
                return QStringLiteral("cannot use the rule: %1").arg(e);
            return rows == 1 ? QString()
                             : QStringLiteral("rule #%1 was used or removed meanwhile").arg(id);
        },
        callId);
}

} // namespace kt
