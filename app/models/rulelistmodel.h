// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "snapshotlistmodel.h"

#include <QtQml/qqmlregistration.h>

namespace kt {

// The allow and block rules (ScreeningRepository::rules(), by id), active, expired and
// consumed ones; removed rules are not listed.
class RuleListModel : public kt::SnapshotListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("the app creates it")
public:
    enum Role {
        RuleIdRole = FirstRole, // the key
        KindRole,               // "allow" | "block"
        PatternRole,            // "+17702300635" or "+1888*"
        PatternTextRole,        // "(770) 230-0635" or "+1888*"
        NoteRole,
        UntilRole,     // ISO-8601 UTC, empty = never
        UntilTextRole, // local time for people, empty = never
        SingleUseRole,
        StateRole,     // "active" | "expired" | "consumed"
        StateKindRole, // the same as a RuleState::Value (an int), for the QML
        CreatedTextRole,
        UsedByCallRole, // the call that consumed a single-use rule
    };
    Q_ENUM(Role)

    explicit RuleListModel(QObject *parent = nullptr);

protected:
    QList<Row> load(ReadOnlyDatabase &database, QString *error) override;
};

} // namespace kt
