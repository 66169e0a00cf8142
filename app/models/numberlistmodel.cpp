// SPDX-License-Identifier: GPL-3.0-or-later
#include "numberlistmodel.h"

#include "displaytext.h"
#include "screening/keypad.h"
#include "screening/numbermap.h"
#include "screening/screeningrepository.h"
#include "store/eventstore.h"

#include <QSqlError>
#include <QSqlQuery>

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

    // Calls per number since local midnight and in the last 7 days. started_at is stored as
    // UTC ISO-8601 with 6 fractional digits, so the bounds compare as text.
    const QDateTime now = m_clock ? m_clock() : QDateTime::currentDateTime();
    const QDateTime midnight(now.toLocalTime().date(), QTime(0, 0));
    auto bound = [](const QDateTime &t) {
        return EventStore::normalizeTimestamp(t.toUTC().toString(Qt::ISODateWithMs));
    };
    QHash<QString, QPair<int, int>> counts; // e164 -> (today, week)
    QSqlQuery q(database.sql());
    q.prepare(QStringLiteral("SELECT to_number, sum(started_at >= ?), count(*) FROM calls"
                             " WHERE started_at >= ? GROUP BY to_number"));
    q.addBindValue(bound(midnight));
    q.addBindValue(bound(midnight.addDays(-6)));
    if (!q.exec()) {
        *error = QStringLiteral("cannot count calls: %1").arg(q.lastError().text());
        return {};
    }
    while (q.next())
        counts.insert(q.value(0).toString(), {q.value(1).toInt(), q.value(2).toInt()});

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
        row[at(CallsTodayRole)] = c.first;
        row[at(CallsWeekRole)] = c.second;
        rows.append(row);
    }
    return rows;
}

} // namespace kt
