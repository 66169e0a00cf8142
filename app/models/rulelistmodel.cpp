// SPDX-License-Identifier: GPL-3.0-or-later
#include "rulelistmodel.h"

#include "codeenums.h"
#include "displaytext.h"
#include "screening/screeningrepository.h"

namespace kt {

RuleListModel::RuleListModel(QObject *parent)
    : SnapshotListModel({"ruleId", "kind", "pattern", "patternText", "note", "until", "untilText",
                         "singleUse", "ruleState", "ruleStateKind", "createdText", "usedByCall"},
                        QStringLiteral("rules"), parent)
{}

QList<SnapshotListModel::Row> RuleListModel::load(ReadOnlyDatabase &database, QString *error)
{
    ScreeningRepository &repository = database.repository();
    const QList<RuleInfo> rules = repository.rules();
    if (rules.isEmpty() && !repository.errorString().isEmpty()) {
        *error = repository.errorString();
        return {};
    }
    QList<Row> rows;
    for (const RuleInfo &info : rules) {
        const Rule &r = info.rule;
        Row row = emptyRow();
        row[at(RuleIdRole)] = r.id;
        row[at(KindRole)] = Rule::kindName(r.kind);
        row[at(PatternRole)] = r.pattern;
        row[at(PatternTextRole)] = r.isPrefix() ? r.pattern : DisplayText::number(r.pattern);
        row[at(NoteRole)] = DisplayText::plain(r.note, 500);
        const QString until = ScreeningRepository::formatTime(r.until);
        row[at(UntilRole)] = until;
        row[at(UntilTextRole)] = DisplayText::time(until);
        row[at(SingleUseRole)] = r.singleUse;
        row[at(StateRole)] = info.state();
        row[at(StateKindRole)] = int(RuleState::of(info));
        row[at(CreatedTextRole)] = DisplayText::time(ScreeningRepository::formatTime(r.createdAt));
        row[at(UsedByCallRole)] = info.usedByCall;
        rows.append(row);
    }
    return rows;
}

} // namespace kt
