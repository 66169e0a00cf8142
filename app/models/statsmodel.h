// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "data/readonlydatabase.h"

#include <QAbstractListModel>
#include <QDate>
#include <QDateTime>
#include <QTimer>
#include <QVariantList>

#include <QtQml/qqmlregistration.h>
#include <functional>

namespace kt {

// The Stats page: calls per day by decision over the last `days` days (one row per day, oldest
// first, days without calls included), the rejection rate, and the numbers called most. Read
// with two GROUP BY queries on the calls table over the model's own read-only connection.
// Days are calendar days in the local time zone (its offset now).
class StatsModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("the app creates it")
    Q_PROPERTY(int count READ count NOTIFY refreshed)
    Q_PROPERTY(int totalCalls READ totalCalls NOTIFY refreshed)
    Q_PROPERTY(int turnedAway READ turnedAway NOTIFY refreshed)
    Q_PROPERTY(double rejectionRate READ rejectionRate NOTIFY refreshed)
    Q_PROPERTY(int maxDayTotal READ maxDayTotal NOTIFY refreshed)
    Q_PROPERTY(QVariantList decisionTotals READ decisionTotals NOTIFY refreshed)
    Q_PROPERTY(QVariantList topNumbers READ topNumbers NOTIFY refreshed)
    Q_PROPERTY(int maxNumberCalls READ maxNumberCalls NOTIFY refreshed)
    Q_PROPERTY(QStringList decisions READ decisions CONSTANT)
    Q_PROPERTY(QString errorString READ errorString NOTIFY refreshed)
public:
    static constexpr int DefaultDays = 30;
    static constexpr int TopNumbers = 8;

    enum Role {
        DayRole = Qt::UserRole + 1, // ISO date "2025-11-23"
        DayTextRole,                // "Sun 23 Nov"
        DayOfMonthRole,             // "23"
        WeekdayRole,                // 1 = Monday … 7 = Sunday
        IsTodayRole,
        TotalRole,
        AuthenticatedRole,
        AllowlistedRole,
        BlockedRole,
        RejectedRole,
        AskRole,
        VoicemailRole,
        OtherRole,      // not decided (yet), or a decision this build does not know
        TurnedAwayRole, // blocked + rejected
    };
    Q_ENUM(Role)

    explicit StatsModel(QObject *parent = nullptr);

    bool open(const QString &path);
    bool isOpen() const { return m_database.isOpen(); }
    // "Now" (default: the current local time) and how many days end today.
    void setClock(std::function<QDateTime()> clock) { m_clock = std::move(clock); }
    void setDays(int days) { m_days = qMax(1, days); }

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    int count() const { return int(m_rows.size()); }
    int totalCalls() const { return m_total; }
    int turnedAway() const { return m_turnedAway; }
    // turnedAway / totalCalls; 0 without calls.
    double rejectionRate() const { return m_total > 0 ? double(m_turnedAway) / m_total : 0.0; }
    int maxDayTotal() const { return m_maxDay; }
    // [{decision, kind, label, count}] for every decision, in decisions() order, then "other"
    // (kind: the CallDecision, as an int; CallDecision::Unknown for "other").
    QVariantList decisionTotals() const { return m_decisionTotals; }
    // [{e164, written, label, calls, turnedAway}], most calls first, at most TopNumbers.
    QVariantList topNumbers() const { return m_topNumbers; }
    int maxNumberCalls() const { return m_maxNumber; }
    // The decisions stacked in each bar, bottom first.
    static QStringList decisions();
    QString errorString() const { return m_error; }
    // A role by name, for tests.
    Q_INVOKABLE QVariant value(int row, const QString &roleName) const;

public slots:
    void refresh();
    void scheduleRefresh();

signals:
    void refreshed();

private:
    struct Day
    {
        QDate day;
        QHash<QString, int> byDecision; // decision (or "other") -> calls
        int total = 0;
    };

    ReadOnlyDatabase m_database;
    std::function<QDateTime()> m_clock;
    int m_days = DefaultDays;
    QList<Day> m_rows;
    QDate m_today;
    int m_total = 0;
    int m_turnedAway = 0;
    int m_maxDay = 0;
    int m_maxNumber = 0;
    QVariantList m_decisionTotals;
    QVariantList m_topNumbers;
    QString m_error;
    QTimer m_refreshTimer;
};

} // namespace kt
