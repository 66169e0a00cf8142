// SPDX-License-Identifier: GPL-3.0-or-later
#include "callfiltermodel.h"

#include "callroles.h"

namespace kt {

CallFilterModel::CallFilterModel(QObject *parent) : QSortFilterProxyModel(parent)
{
    setDynamicSortFilter(true);
    for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        connect(this, signal, this, &CallFilterModel::countChanged);
    connect(this, &QAbstractItemModel::modelReset, this, &CallFilterModel::countChanged);
    connect(this, &QAbstractItemModel::layoutChanged, this, &CallFilterModel::countChanged);
}

CallFilterModel::CallFilterModel(Filter filter, QAbstractItemModel *source, QObject *parent)
    : CallFilterModel(parent)
{
    m_filter = filter;
    setSourceModel(source);
}

void CallFilterModel::setFilter(Filter filter)
{
    if (filter == m_filter)
        return;
    m_filter = filter;
    invalidateRowsFilter();
    emit filterChanged();
    emit countChanged();
}

bool CallFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_filter == All)
        return true;
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    const bool active = index.data(CallRoles::ActiveRole).toBool();
    const bool asking = index.data(CallRoles::AskingRole).toBool();
    switch (m_filter) {
    case All:
        return true;
    case Active:
        return active;
    case Asking:
        return asking;
    case InProgress:
        return active && !asking;
    case Finished:
        return !active;
    }
    return true;
}

} // namespace kt
