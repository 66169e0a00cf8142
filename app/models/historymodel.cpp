// SPDX-License-Identifier: GPL-3.0-or-later
#include "historymodel.h"

#include "store/eventstore.h"

#include <QScopedValueRollback>

namespace kt {

HistoryModel::HistoryModel(QObject *parent) : QAbstractListModel(parent) {}

bool HistoryModel::open(const QString &path)
{
    if (!m_database.open(path, QStringLiteral("history"))) {
        setError(m_database.errorString());
        return false;
    }
    setError({});
    reload();
    return m_error.isEmpty();
}

int HistoryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_calls.size());
}

QVariant HistoryModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    return CallRoles::data(m_calls.at(index.row()), role, m_context);
}

QHash<int, QByteArray> HistoryModel::roleNames() const
{
    return CallRoles::roleNames();
}

bool HistoryModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && m_hasMore && m_database.isOpen();
}

CallProjection::Filter HistoryModel::filter() const
{
    return {m_numberFilter, m_nameSpaceFilter, m_decisionFilter, m_textFilter};
}

void HistoryModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent) || m_fetching)
        return;
    const QScopedValueRollback<bool> fetching(m_fetching, true);
    // Offset paging: calls only ever join the top of this order (started_at is set once, when
    // the call starts), so rows added meanwhile shift a page down and show up again; they are
    // skipped by call id. Nothing is missed.
    QString error;
    const QStringList ids = m_database.store().callProjection().callIds(
        filter(), PageSize, int(m_calls.size()), &error);
    if (!error.isEmpty()) {
        setError(QStringLiteral("cannot read the call history: %1").arg(error));
        setHasMore(false);
        return;
    }
    QList<CallRecord> page;
    for (const QString &id : std::as_const(ids)) {
        if (m_rowOf.contains(id))
            continue;
        if (const auto call = m_database.store().call(id))
            page.append(*call);
    }
    setError({});
    if (!page.isEmpty()) {
        const int first = int(m_calls.size());
        beginInsertRows({}, first, first + int(page.size()) - 1);
        for (const CallRecord &call : std::as_const(page)) {
            m_rowOf.insert(call.callId, int(m_calls.size()));
            m_calls.append(call);
        }
        endInsertRows();
        emit countChanged();
    }
    setHasMore(ids.size() == PageSize);
}

void HistoryModel::loadMore()
{
    fetchMore({});
}

void HistoryModel::reload()
{
    beginResetModel();
    m_calls.clear();
    m_rowOf.clear();
    m_hasMore = m_database.isOpen();
    endResetModel();
    fetchMore({});
    emit countChanged();
    emit hasMoreChanged();
}

void HistoryModel::setFilter(QString &member, const QString &value)
{
    const QString trimmed = value.trimmed();
    if (trimmed == member)
        return;
    member = trimmed;
    emit filtersChanged();
    reload();
}

void HistoryModel::setNumberFilter(const QString &filter)
{
    setFilter(m_numberFilter, filter);
}

void HistoryModel::setNameSpaceFilter(const QString &filter)
{
    setFilter(m_nameSpaceFilter, filter);
}

void HistoryModel::setDecisionFilter(const QString &filter)
{
    setFilter(m_decisionFilter, filter);
}

void HistoryModel::setTextFilter(const QString &filter)
{
    setFilter(m_textFilter, filter);
}

void HistoryModel::clearFilters()
{
    if (m_numberFilter.isEmpty() && m_nameSpaceFilter.isEmpty() && m_decisionFilter.isEmpty() &&
        m_textFilter.isEmpty())
        return;
    m_numberFilter.clear();
    m_nameSpaceFilter.clear();
    m_decisionFilter.clear();
    m_textFilter.clear();
    emit filtersChanged();
    reload();
}

void HistoryModel::setNumberLabels(const QHash<QString, QString> &labels)
{
    if (labels == m_context.numberLabels)
        return;
    m_context.numberLabels = labels;
    if (!m_calls.isEmpty())
        emit dataChanged(index(0), index(int(m_calls.size()) - 1), {CallRoles::ToLabelRole});
}

bool HistoryModel::matchesFilters(const QString &callId)
{
    return m_database.store().callProjection().matches(callId, filter());
}

void HistoryModel::onCallChanged(const CallRecord &call)
{
    const auto it = m_rowOf.constFind(call.callId);
    if (it != m_rowOf.constEnd()) {
        m_calls[*it] = call;
        emit dataChanged(index(*it), index(*it));
        return;
    }
    if (!m_database.isOpen() || !matchesFilters(call.callId))
        return;
    beginInsertRows({}, 0, 0);
    m_calls.prepend(call);
    for (auto &row : m_rowOf)
        ++row;
    m_rowOf.insert(call.callId, 0);
    endInsertRows();
    emit countChanged();
}

void HistoryModel::setHasMore(bool more)
{
    if (more == m_hasMore)
        return;
    m_hasMore = more;
    emit hasMoreChanged();
}

void HistoryModel::setError(const QString &error)
{
    if (error == m_error)
        return;
    m_error = error;
    emit errorStringChanged();
}

} // namespace kt
