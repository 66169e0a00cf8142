// SPDX-License-Identifier: GPL-3.0-or-later
#include "rule.h"

#include <QJsonValue>

namespace kt {

namespace {

bool allDigits(QStringView s)
{
    for (const QChar c : s) {
        if (c < QLatin1Char('0') || c > QLatin1Char('9'))
            return false;
    }
    return true;
}

QJsonValue dateToJson(const QDateTime &dt)
{
    if (!dt.isValid())
        return QJsonValue(QJsonValue::Null);
    return dt.toUTC().toString(Qt::ISODateWithMs);
}

// Parses an optional date-time: null, absent and "" are an invalid QDateTime (true); a string
// that is not ISO-8601 is an error (false).
bool dateFromJson(const QJsonObject &json, const char *key, QDateTime *out, QString *error)
{
    const QJsonValue v = json.value(QLatin1String(key));
    *out = QDateTime();
    if (v.isUndefined() || v.isNull())
        return true;
    if (!v.isString()) {
        if (error)
            *error = QStringLiteral("rule \"%1\" is not a string").arg(QLatin1String(key));
        return false;
    }
    const QString s = v.toString();
    if (s.isEmpty())
        return true;
    const QDateTime dt = QDateTime::fromString(s, Qt::ISODateWithMs);
    if (!dt.isValid()) {
        if (error)
            *error = QStringLiteral("rule \"%1\" is not an ISO-8601 date-time: %2")
                         .arg(QLatin1String(key), s);
        return false;
    }
    *out = dt.toUTC();
    return true;
}

// True when a is preferred over b (more specific, then lower id).
bool preferred(const Rule &a, const Rule &b)
{
    if (a.specificity() != b.specificity())
        return a.specificity() > b.specificity();
    return a.id < b.id;
}

} // namespace

bool Rule::matches(const QString &e164) const
{
    if (e164.isEmpty() || pattern.isEmpty())
        return false;
    if (isPrefix()) {
        const QString p = prefix();
        // "*" and "+*" would match everyone: not a rule the owner can mean by accident.
        if (p.size() < 2)
            return false;
        return e164.startsWith(p);
    }
    return e164 == pattern;
}

int Rule::specificity() const
{
    // E.164 numbers have at most 16 characters, so 1000 beats any prefix length.
    return isPrefix() ? int(prefix().size()) : 1000;
}

bool Rule::isValidPattern(const QString &pattern)
{
    if (!pattern.startsWith(QLatin1Char('+')))
        return false;
    if (pattern.endsWith(QLatin1Char('*'))) {
        const QStringView digits = QStringView(pattern).mid(1, pattern.size() - 2);
        return !digits.isEmpty() && digits.size() <= 15 && allDigits(digits);
    }
    const QStringView digits = QStringView(pattern).mid(1);
    return digits.size() >= 2 && digits.size() <= 15 && allDigits(digits) &&
           digits.front() != QLatin1Char('0');
}

QString Rule::kindName(Kind kind)
{
    return kind == Allow ? QStringLiteral("allow") : QStringLiteral("block");
}

std::optional<Rule::Kind> Rule::kindFromName(const QString &name)
{
    if (name == QLatin1String("allow"))
        return Allow;
    if (name == QLatin1String("block"))
        return Block;
    return std::nullopt;
}

QJsonObject Rule::toJson() const
{
    QJsonObject o;
    o.insert(QStringLiteral("id"), id);
    o.insert(QStringLiteral("kind"), kindName(kind));
    o.insert(QStringLiteral("pattern"), pattern);
    o.insert(QStringLiteral("note"), note);
    o.insert(QStringLiteral("until"), dateToJson(until));
    o.insert(QStringLiteral("single_use"), singleUse);
    o.insert(QStringLiteral("created_at"), dateToJson(createdAt));
    o.insert(QStringLiteral("used_at"), dateToJson(usedAt));
    return o;
}

std::optional<Rule> Rule::fromJson(const QJsonObject &json, QString *error)
{
    Rule r;
    const auto kind = kindFromName(json.value(QLatin1String("kind")).toString());
    if (!kind) {
        if (error)
            *error = QStringLiteral("rule \"kind\" must be \"allow\" or \"block\"");
        return std::nullopt;
    }
    r.kind = *kind;
    r.pattern = json.value(QLatin1String("pattern")).toString();
    if (!isValidPattern(r.pattern)) {
        if (error)
            *error = QStringLiteral("rule pattern \"%1\" is neither an E.164 number nor a prefix "
                                    "ending in *")
                         .arg(r.pattern);
        return std::nullopt;
    }
    const QJsonValue id = json.value(QLatin1String("id"));
    if (!id.isUndefined() && !id.isNull() && !id.isDouble()) {
        if (error)
            *error = QStringLiteral("rule \"id\" is not a number");
        return std::nullopt;
    }
    r.id = id.toInteger();
    r.note = json.value(QLatin1String("note")).toString();
    r.singleUse = json.value(QLatin1String("single_use")).toBool(false);
    if (!dateFromJson(json, "until", &r.until, error) ||
        !dateFromJson(json, "created_at", &r.createdAt, error) ||
        !dateFromJson(json, "used_at", &r.usedAt, error))
        return std::nullopt;
    return r;
}

bool Rule::operator==(const Rule &o) const
{
    return id == o.id && kind == o.kind && pattern == o.pattern && note == o.note &&
           until == o.until && singleUse == o.singleUse && createdAt == o.createdAt &&
           usedAt == o.usedAt;
}

void RuleSet::add(const Rule &rule)
{
    if (rule.id != 0) {
        for (Rule &r : m_rules) {
            if (r.id == rule.id) {
                r = rule;
                return;
            }
        }
    }
    m_rules.append(rule);
}

bool RuleSet::remove(qint64 id)
{
    for (qsizetype i = 0; i < m_rules.size(); ++i) {
        if (m_rules.at(i).id == id) {
            m_rules.removeAt(i);
            return true;
        }
    }
    return false;
}

std::optional<Rule> RuleSet::find(qint64 id) const
{
    for (const Rule &r : m_rules) {
        if (r.id == id)
            return r;
    }
    return std::nullopt;
}

std::optional<Rule> RuleSet::match(Rule::Kind kind, const QString &e164, const QDateTime &now) const
{
    const Rule *best = nullptr;
    for (const Rule &r : m_rules) {
        if (r.kind != kind || !r.isActive(now) || !r.matches(e164))
            continue;
        if (!best || preferred(r, *best))
            best = &r;
    }
    if (!best)
        return std::nullopt;
    return *best;
}

bool RuleSet::markUsed(qint64 id, const QDateTime &now)
{
    for (Rule &r : m_rules) {
        if (r.id == id) {
            if (!r.singleUse || r.usedAt.isValid())
                return false;
            r.usedAt = now;
            return true;
        }
    }
    return false;
}

QJsonArray RuleSet::toJson() const
{
    QJsonArray a;
    for (const Rule &r : m_rules)
        a.append(r.toJson());
    return a;
}

std::optional<RuleSet> RuleSet::fromJson(const QJsonArray &json, QString *error)
{
    RuleSet set;
    for (qsizetype i = 0; i < json.size(); ++i) {
        QString why;
        const auto r = Rule::fromJson(json.at(i).toObject(), &why);
        if (!r) {
            if (error)
                *error = QStringLiteral("rules[%1]: %2").arg(i).arg(why);
            return std::nullopt;
        }
        set.m_rules.append(*r);
    }
    return set;
}

} // namespace kt
