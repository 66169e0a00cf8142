// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "snapshotlistmodel.h"

#include <QDateTime>
#include <QHash>

#include <functional>

namespace kt {

// The owner's number map (ScreeningRepository::numbers(), in map order) with how many calls
// each number had today and in the last 7 days (from the calls table).
class NumberListModel : public kt::SnapshotListModel
{
    Q_OBJECT
    Q_PROPERTY(QString defaultPolicy READ defaultPolicy CONSTANT)
    Q_PROPERTY(QStringList policies READ policies CONSTANT)
public:
    enum Role {
        E164Role = FirstRole, // "+18884748738" (the key)
        WrittenRole,          // "(888) 474-8738"
        RawRole,              // as the owner wrote it in the map
        LabelRole,            // "474-TREE", may be empty
        LabelCheckRole,       // "spells" | "does_not_spell" | "not_vanity"
        KeypadDigitsRole,     // the label's keypad digits ("4748733"), empty when not vanity
        NamespaceRole,        // "kevan.tel.x"
        PolicyRole,           // the number's own policy, empty = the default
        EffectivePolicyRole,  // the policy that applies
        CallsTodayRole,       // calls to this number since local midnight
        CallsWeekRole,        // calls in the last 7 days (today and the 6 days before)
    };
    Q_ENUM(Role)

    explicit NumberListModel(QObject *parent = nullptr);

    QString defaultPolicy() const { return m_defaultPolicy; }
    void setDefaultPolicy(const QString &policy) { m_defaultPolicy = policy; }
    static QStringList policies();
    // "Now" for the call counts (default: the current local time).
    void setClock(std::function<QDateTime()> clock) { m_clock = std::move(clock); }
    // e164 -> label, for the call lists.
    QHash<QString, QString> labels() const;

protected:
    QList<Row> load(ReadOnlyDatabase &database, QString *error) override;

private:
    QString m_defaultPolicy = QStringLiteral("reject_with_message");
    std::function<QDateTime()> m_clock;
};

} // namespace kt
