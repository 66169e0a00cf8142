// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "callroles.h"
#include "data/readonlydatabase.h"
#include "store/callprojection.h"
#include "store/callrecord.h"

#include <QAbstractListModel>
#include <QHash>
#include <QtQml/qqmlregistration.h>

namespace kt {

// Every call in the database, newest first, read lazily in pages of PageSize from the model's
// own read-only connection (canFetchMore/fetchMore, or loadMore() from QML). Roles: CallRoles.
//
// The filters are applied in SQL, not by a proxy: a proxy would only see the pages loaded so
// far. Setting a filter reloads the first page. numberFilter matches the digits of the caller's
// or the called number anywhere ("770 230" finds +17702300635); nameSpaceFilter a part of the
// namespace; decisionFilter one decision exactly; textFilter a part of any text column (numbers,
// caller name, decision, reason, namespace, state, call id, hangup cause). All are
// case-insensitive for ASCII and combine with AND.
//
// Calls that change while the model is open arrive through onCallChanged() (queued from the
// engine): a loaded row is updated, a new call that matches the filters is inserted on top.
class HistoryModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("the app creates it")
    Q_PROPERTY(int count READ count NOTIFY countChanged)
    Q_PROPERTY(bool hasMore READ hasMore NOTIFY hasMoreChanged)
    Q_PROPERTY(QString errorString READ errorString NOTIFY errorStringChanged)
    Q_PROPERTY(QString numberFilter READ numberFilter WRITE setNumberFilter NOTIFY filtersChanged)
    Q_PROPERTY(
        QString nameSpaceFilter READ nameSpaceFilter WRITE setNameSpaceFilter NOTIFY filtersChanged)
    Q_PROPERTY(
        QString decisionFilter READ decisionFilter WRITE setDecisionFilter NOTIFY filtersChanged)
    Q_PROPERTY(QString textFilter READ textFilter WRITE setTextFilter NOTIFY filtersChanged)
public:
    static constexpr int PageSize = 100;

    explicit HistoryModel(QObject *parent = nullptr);

    // Opens the database read-only and loads the first page. False with errorString().
    bool open(const QString &path);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

    int count() const { return int(m_calls.size()); }
    bool hasMore() const { return m_hasMore; }
    QString errorString() const { return m_error; }
    const CallRecord &callAt(int row) const { return m_calls.at(row); }

    QString numberFilter() const { return m_numberFilter; }
    void setNumberFilter(const QString &filter);
    QString nameSpaceFilter() const { return m_nameSpaceFilter; }
    void setNameSpaceFilter(const QString &filter);
    QString decisionFilter() const { return m_decisionFilter; }
    void setDecisionFilter(const QString &filter);
    QString textFilter() const { return m_textFilter; }
    void setTextFilter(const QString &filter);

    void setAskTimeoutSecs(int secs) { m_context.askTimeoutSecs = secs; }
    void setScreenTimeoutSecs(int secs) { m_context.screenTimeoutSecs = secs; }
    void setNumberLabels(const QHash<QString, QString> &labels);

    Q_INVOKABLE void loadMore();
    // Drops what is loaded and reads the first page again.
    Q_INVOKABLE void reload();
    Q_INVOKABLE void clearFilters();

public slots:
    void onCallChanged(const kt::CallRecord &call);

signals:
    void countChanged();
    void hasMoreChanged();
    void errorStringChanged();
    void filtersChanged();

private:
    CallProjection::Filter filter() const;
    void setFilter(QString &member, const QString &value);
    void setHasMore(bool more);
    void setError(const QString &error);
    bool matchesFilters(const QString &callId);

    ReadOnlyDatabase m_database;
    QList<CallRecord> m_calls;
    QHash<QString, int> m_rowOf; // callId -> row
    CallRoles::Context m_context;
    QString m_numberFilter;
    QString m_nameSpaceFilter;
    QString m_decisionFilter;
    QString m_textFilter;
    bool m_hasMore = false;
    bool m_fetching = false; // fetchMore() is not re-entered from the signals it emits
    QString m_error;
};

} // namespace kt
