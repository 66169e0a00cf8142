// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "rule.h"
#include "screeningrecords.h"

#include <QSqlQuery>

#include <optional>

namespace kt {

struct ScreeningTables;

// The allow and block rules (the rules table): matching a number, adding, removing, and
// consuming a single-use rule.
class RuleRepository
{
public:
    explicit RuleRepository(ScreeningTables &tables);

    std::optional<Rule> matchRule(Rule::Kind kind, const QString &e164, const QDateTime &now) const;
    QList<RuleInfo> rules(const QDateTime &at, bool includeRemoved) const;
    std::optional<RuleInfo> rule(qint64 id, const QDateTime &at) const;

    ScreeningResult addRule(const QString &kind, const QString &pattern, const QString &note,
                            const QString &until, bool singleUse, const QString &actor);
    ScreeningResult removeRule(qint64 id, const QString &actor);
    ScreeningResult consumeRule(qint64 id, const QString &callId, const QString &actor);

private:
    std::optional<RuleInfo> readRuleInfo(qint64 id, const QDateTime &when, bool *removed) const;

    ScreeningTables &m_tables;
    mutable std::optional<QSqlQuery> m_matchRule; // hot path, prepared once
};

} // namespace kt
