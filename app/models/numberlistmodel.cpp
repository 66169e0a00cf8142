// SPDX-License-Identifier: GPL-3.0-or-later
#include "numberlistmodel.h"

#include "displaytext.h"
#include "screening/keypad.h"
#include "screening/numbermap.h"
#include "screening/screeningrepository.h"
#include "store/eventstore.h"

namespace kt {

NumberListModel::NumberListModel(QObject *parent)
    : SnapshotListModel({"e164", "written", "raw", "label", "labelCheck", "keypadDigits",
                         "nameSpace", "policy", "effectivePolicy", "callsToday", "callsWeek"},
                        QStringLiteral("numbers"), parent)
{}

QStringList NumberListModel::policies()
{
    return NumberMap::policies();
}

QHash<QString, QString> NumberListModel::labels() const
{
    QHash<QString, QString> labels;
    for (int i = 0; i < count(); ++i) {
        const QString label = value(i, QStringLiteral("label")).toString();
        if (!label.isEmpty())
            labels.insert(value(i, QStringLiteral("e164")).toString(), label);
    }
    return labels;
}

QList<SnapshotListModel::Row> NumberListModel::load(ReadOnlyDatabase &database, QString *error)
{
    ScreeningRepository &repository = database.repository();
    const QList<NumberEntry> numbers = repository.numbers();
    if (numbers.isEmpty() && !repository.errorString().isEmpty()) {
        *error = repository.errorString();
        return {};
    }

    // Calls per number since local midnight and in the last 7 days.
    const QDateTime now = m_clock ? m_clock() : QDateTime::currentDateTime();
    const QDateTime midnight(now.toLocalTime().date(), QTime(0, 0));
    QString countError;
    const QHash<QString, CallProjection::RecentCount> counts =
        database.store().callProjection().callsPerCalledNumber(midnight, midnight.addDays(-6),
                                                               &countError);
    if (!countError.isEmpty()) {
        *error = QStringLiteral("cannot count calls: %1").arg(countError);
        return {};
    }

    QList<Row> rows;
    rows.reserve(numbers.size());
    for (const NumberEntry &n : numbers) {
        Row row = emptyRow();
        row[at(E164Role)] = n.e164;
        row[at(WrittenRole)] = DisplayText::number(n.e164);
        row[at(RawRole)] = n.raw;
        row[at(LabelRole)] = n.label;
        row[at(LabelCheckRole)] = Keypad::code(n.labelCheck);
        row[at(KeypadDigitsRole)] =
            n.labelCheck == Keypad::Result::NotVanity ? QString() : Keypad::toDigits(n.label);
        row[at(NamespaceRole)] = n.nameSpace;
        row[at(PolicyRole)] = n.policy;
        row[at(EffectivePolicyRole)] = n.policy.isEmpty() ? m_defaultPolicy : n.policy;
        const auto c = counts.value(n.e164);
        row[at(CallsTodayRole)] = c.recent;
        row[at(CallsWeekRole)] = c.total;
        rows.append(row);
    }
    return rows;
}

} // namespace kt
