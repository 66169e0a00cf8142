// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace kt {

// An allow or block rule on the caller's number. Pure value; no I/O.
//
// pattern: an E.164 number ("+17702300635", matched exactly) or a prefix ending in '*'
// ("+1888*", matches every number that starts with "+1888"). Patterns arrive normalised (the
// command line and the UI parse the owner's input with PhoneNumber); isValidPattern() only
// checks the shape. A bare "*" or "+*" is not a valid pattern and matches nothing.
//
// Time semantics:
//   - until: the rule expires at `until` (exclusive: active while now < until); invalid = never.
//   - singleUse: the rule is consumed once `usedAt` is valid (the engine sets usedAt when the rule
//     decided a call, see RuleSet::markUsed). A consumed or expired rule is inactive.
struct Rule
{
    enum Kind { Allow, Block };

    qint64 id = 0;
    Kind kind = Block;
    QString pattern;
    QString note;
    QDateTime until; // invalid = no expiry
    bool singleUse = false;
    QDateTime createdAt;
    QDateTime usedAt; // single-use rules are consumed when this is valid

    bool isPrefix() const { return pattern.endsWith(QLatin1Char('*')); }
    // The pattern without its trailing '*' (the pattern itself for an exact rule).
    QString prefix() const { return isPrefix() ? pattern.chopped(1) : pattern; }

    bool isExpired(const QDateTime &now) const { return until.isValid() && !(now < until); }
    bool isConsumed() const { return singleUse && usedAt.isValid(); }
    bool isActive(const QDateTime &now) const { return !isExpired(now) && !isConsumed(); }

    // Exact equality, or for a prefix rule e164.startsWith(prefix()). An empty e164 (anonymous
    // caller) never matches. Ignores activity (see isActive).
    bool matches(const QString &e164) const;

    // Ordering key for "most specific first": an exact rule beats every prefix rule, a longer
    // prefix beats a shorter one.
    int specificity() const;

    // "+" and 2..15 digits (first digit 1-9) for an exact rule; "+" and 1..15 digits then "*" for
    // a prefix.
    static bool isValidPattern(const QString &pattern);

    static QString kindName(Kind kind); // "allow" | "block"
    static std::optional<Kind> kindFromName(const QString &name);

    // {"id", "kind": "allow"|"block", "pattern", "note", "until": ISO-8601 UTC with ms or null,
    //  "single_use", "created_at", "used_at"}.
    QJsonObject toJson() const;
    // Requires "kind" and a valid "pattern"; the rest is optional. Date-times are ISO-8601
    // (null/absent/"" = invalid). nullopt + *error for anything else.
    static std::optional<Rule> fromJson(const QJsonObject &json, QString *error = nullptr);

    bool operator==(const Rule &o) const;
    bool operator!=(const Rule &o) const { return !(*this == o); }
};

// A plain list of rules with the matching order the screening uses.
class RuleSet
{
public:
    RuleSet() = default;
    explicit RuleSet(QList<Rule> rules) : m_rules(std::move(rules)) {}

    const QList<Rule> &rules() const { return m_rules; }
    bool isEmpty() const { return m_rules.isEmpty(); }
    qsizetype size() const { return m_rules.size(); }

    // Adds a rule, replacing a rule with the same non-zero id.
    void add(const Rule &rule);
    bool remove(qint64 id);
    std::optional<Rule> find(qint64 id) const;

    // The most specific active rule of `kind` matching `e164` at `now`: exact beats prefix,
    // longer prefix beats shorter; on a tie the lower id (the older rule) wins. Expired and
    // consumed single-use rules are ignored.
    std::optional<Rule> match(Rule::Kind kind, const QString &e164, const QDateTime &now) const;

    // Consumes a single-use rule (sets usedAt = now). False when there is no such rule, it is not
    // single-use, or it was already consumed.
    bool markUsed(qint64 id, const QDateTime &now);

    QJsonArray toJson() const;
    static std::optional<RuleSet> fromJson(const QJsonArray &json, QString *error = nullptr);

private:
    QList<Rule> m_rules;
};

} // namespace kt
