// SPDX-License-Identifier: GPL-3.0-or-later
// `kevan-tel rules …`: allow and block rules on the caller's number.
#include "admincommands.h"

#include "output.h"
#include "screening/screeningrepository.h"
#include "screeningcli.h"
#include "store/eventstore.h"

namespace kt {
namespace {

const QString kUsage = QStringLiteral(
    "usage: kevan-tel rules add allow|block PATTERN [--note TEXT] [--until ISO8601] [--once] | "
    "rules list [--json] | rules remove ID");

int listRules(const CommandLine &cl, ScreeningRepository &repo)
{
    const QList<RuleInfo> rules = repo.rules();
    if (cl.json) {
        QJsonArray rows;
        for (const RuleInfo &r : rules) {
            QJsonObject o = r.rule.toJson();
            o.insert(QStringLiteral("state"), r.state());
            o.insert(QStringLiteral("active"), r.active);
            o.insert(QStringLiteral("expired"), r.expired);
            o.insert(QStringLiteral("used_by_call"),
                     r.usedByCall.isEmpty() ? QJsonValue() : QJsonValue(r.usedByCall));
            rows.append(o);
        }
        Output::json(rows);
        return 0;
    }
    QList<QStringList> rows;
    for (const RuleInfo &r : rules) {
        rows.append({QString::number(r.rule.id), Rule::kindName(r.rule.kind), r.rule.pattern,
                     r.state(), screeningcli::isoTime(r.rule.until),
                     r.rule.singleUse ? QStringLiteral("yes") : QStringLiteral("no"), r.rule.note});
    }
    Output::table({QStringLiteral("ID"), QStringLiteral("KIND"), QStringLiteral("PATTERN"),
                   QStringLiteral("STATE"), QStringLiteral("UNTIL"), QStringLiteral("ONCE"),
                   QStringLiteral("NOTE")},
                  rows);
    return 0;
}

} // namespace

int rulesCommand(const CommandLine &cl, EventStore &store)
{
    const QStringList &w = cl.words;
    const QString sub = w.value(1);
    ScreeningRepository repo(store);
    if (sub == QLatin1String("list") && w.size() == 2)
        return listRules(cl, repo);
    if (sub == QLatin1String("add") && w.size() == 4) {
        if (w.at(2) != QLatin1String("allow") && w.at(2) != QLatin1String("block"))
            return usageError(kUsage);
        const ScreeningResult result =
            repo.addRule(w.at(2), w.at(3), cl.note, cl.until, cl.singleUse, screeningcli::actor());
        return screeningcli::report(result, cl.json, {{QStringLiteral("id"), result.ruleId}});
    }
    if (sub == QLatin1String("remove") && w.size() == 3) {
        bool ok = false;
        const qint64 id = w.at(2).toLongLong(&ok);
        if (!ok || id < 1)
            return usageError(QStringLiteral("invalid rule id \"%1\": expected a number from "
                                             "rules list")
                                  .arg(w.at(2)));
        const ScreeningResult result = repo.removeRule(id, screeningcli::actor());
        return screeningcli::report(result, cl.json, {{QStringLiteral("id"), result.ruleId}});
    }
    return usageError(kUsage);
}

} // namespace kt
