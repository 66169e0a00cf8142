// SPDX-License-Identifier: GPL-3.0-or-later
#include "statsmodel.h"

#include "codeenums.h"
#include "displaytext.h"
#include "labels.h"
#include "screening/screeningrepository.h"
#include "store/eventstore.h"

#include <QLocale>

namespace kt {
namespace {
const QString Other = QStringLiteral("other");
} // namespace

StatsModel::StatsModel(QObject *parent) : QAbstractListModel(parent)
{
    m_refreshTimer.setSingleShot(true);
    m_refreshTimer.setInterval(500);
    connect(&m_refreshTimer, &QTimer::timeout, this, &StatsModel::refresh);
}

QStringList StatsModel::decisions()
{
    return {QStringLiteral("authenticated"), QStringLiteral("allowlisted"),
            QStringLiteral("ask"),           QStringLiteral("voicemail"),
            QStringLiteral("rejected"),      QStringLiteral("blocked")};
}

bool StatsModel::open(const QString &path)
{
    if (!m_database.open(path, QStringLiteral("stats"))) {
        m_error = m_database.errorString();
        emit refreshed();
        return false;
    }
    m_error.clear();
    refresh();
    return m_error.isEmpty();
}

int StatsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QHash<int, QByteArray> StatsModel::roleNames() const
{
    return {{DayRole, "day"},
            {DayTextRole, "dayText"},
            {DayOfMonthRole, "dayOfMonth"},
            {WeekdayRole, "weekday"},
            {IsTodayRole, "isToday"},
            {TotalRole, "total"},
            {AuthenticatedRole, "authenticated"},
            {AllowlistedRole, "allowlisted"},
            {BlockedRole, "blocked"},
            {RejectedRole, "rejected"},
            {AskRole, "ask"},
            {VoicemailRole, "voicemail"},
            {OtherRole, "other"},
            {TurnedAwayRole, "turnedAway"}};
}

QVariant StatsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Day &d = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case DayRole:
        return d.day.toString(Qt::ISODate);
    case DayTextRole:
        return QLocale().toString(d.day, QStringLiteral("ddd d MMM"));
    case DayOfMonthRole:
        return QString::number(d.day.day());
    case WeekdayRole:
        return d.day.dayOfWeek();
    case IsTodayRole:
        return d.day == m_today;
    case TotalRole:
        return d.total;
    case AuthenticatedRole:
        return d.byDecision.value(QStringLiteral("authenticated"));
    case AllowlistedRole:
        return d.byDecision.value(QStringLiteral("allowlisted"));
    case BlockedRole:
        return d.byDecision.value(QStringLiteral("blocked"));
    case RejectedRole:
        return d.byDecision.value(QStringLiteral("rejected"));
    case AskRole:
        return d.byDecision.value(QStringLiteral("ask"));
    case VoicemailRole:
        return d.byDecision.value(QStringLiteral("voicemail"));
    case OtherRole:
        return d.byDecision.value(Other);
    case TurnedAwayRole:
        return d.byDecision.value(QStringLiteral("blocked")) +
               d.byDecision.value(QStringLiteral("rejected"));
    default:
        return {};
    }
}

QVariant StatsModel::value(int row, const QString &roleName) const
{
    const int role = roleNames().key(roleName.toUtf8(), -1);
    if (role < 0 || row < 0 || row >= m_rows.size())
        return {};
    return data(index(row), role);
}

void StatsModel::scheduleRefresh()
{
    if (!m_refreshTimer.isActive())
        m_refreshTimer.start();
}

void StatsModel::refresh()
{
    m_refreshTimer.stop();
    if (!m_database.isOpen())
        return;
    const QDateTime now = m_clock ? m_clock() : QDateTime::currentDateTime();
    const QDateTime local = now.toLocalTime();
    const QDate today = local.date();
    const QDate first = today.addDays(-(m_days - 1));
    const QDateTime from(first, QTime(0, 0));
    const QDateTime to(today.addDays(1), QTime(0, 0));
    const int offset = local.offsetFromUtc();

    // Calls per local day and decision.
    CallProjection &projection = m_database.store().callProjection();
    QString error;
    const QList<CallProjection::DayDecisionCount> perDay =
        projection.callsPerDayAndDecision(from, to, offset, &error);
    if (!error.isEmpty()) {
        m_error = tr("cannot count calls: %1").arg(error);
        emit refreshed();
        return;
    }
    QList<Day> rows;
    rows.reserve(m_days);
    for (int i = 0; i < m_days; ++i)
        rows.append(Day{first.addDays(i), {}, 0});
    const QStringList known = decisions();
    QHash<QString, int> totals;
    for (const CallProjection::DayDecisionCount &count : perDay) {
        const QDate d = count.day;
        const qint64 i = first.daysTo(d);
        if (!d.isValid() || i < 0 || i >= rows.size())
            continue; // at the window's edge when the offset changed (summer time)
        const QString decision = known.contains(count.decision) ? count.decision : Other;
        const int n = count.calls;
        rows[i].byDecision[decision] += n;
        rows[i].total += n;
        totals[decision] += n;
    }

    // The numbers called most.
    const QList<CallProjection::NumberCount> most =
        projection.mostCalledNumbers(from, to, TopNumbers, &error);
    if (!error.isEmpty()) {
        m_error = tr("cannot count calls per number: %1").arg(error);
        emit refreshed();
        return;
    }
    QHash<QString, QString> labels;
    for (const NumberEntry &entry : m_database.repository().numbers())
        labels.insert(entry.e164, entry.label);
    QVariantList top;
    int maxNumber = 0;
    for (const CallProjection::NumberCount &count : most) {
        const QString e164 = count.number;
        const int calls = count.calls;
        maxNumber = qMax(maxNumber, calls);
        top.append(QVariantMap{{QStringLiteral("e164"), e164},
                               {QStringLiteral("written"), DisplayText::number(e164)},
                               {QStringLiteral("label"), DisplayText::plain(labels.value(e164))},
                               {QStringLiteral("calls"), calls},
                               {QStringLiteral("turnedAway"), count.turnedAway}});
    }

    const bool sameDays =
        rows.size() == m_rows.size() && !rows.isEmpty() && rows.first().day == m_rows.first().day;
    if (sameDays) {
        m_rows = rows;
        m_today = today;
        emit dataChanged(index(0), index(int(m_rows.size()) - 1));
    } else {
        beginResetModel();
        m_rows = rows;
        m_today = today;
        endResetModel();
    }
    m_total = 0;
    m_maxDay = 0;
    for (const Day &d : std::as_const(m_rows)) {
        m_total += d.total;
        m_maxDay = qMax(m_maxDay, d.total);
    }
    m_turnedAway =
        totals.value(QStringLiteral("blocked")) + totals.value(QStringLiteral("rejected"));
    m_decisionTotals.clear();
    for (const QString &decision : known + QStringList{Other}) {
        if (decision == Other && totals.value(Other) == 0)
            continue;
        m_decisionTotals.append(QVariantMap{
            {QStringLiteral("decision"), decision},
            {QStringLiteral("kind"),
             int(decision == Other ? CallDecision::Unknown : CallDecision::fromCode(decision))},
            {QStringLiteral("label"), Labels::tallyText(decision)},
            {QStringLiteral("count"), totals.value(decision)}});
    }
    m_topNumbers = top;
    m_maxNumber = maxNumber;
    m_error.clear();
    emit refreshed();
}

} // namespace kt
