// SPDX-License-Identifier: GPL-3.0-or-later
#include "calllistmodel.h"

namespace kt {

CallListModel::CallListModel(QObject *parent) : QAbstractListModel(parent) {}

int CallListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_calls.size());
}

QVariant CallListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    return CallRoles::data(m_calls.at(index.row()), role, m_context);
}

QHash<int, QByteArray> CallListModel::roleNames() const
{
    return CallRoles::roleNames();
}

int CallListModel::activeCount() const
{
    return int(std::count_if(m_calls.cbegin(), m_calls.cend(), CallRoles::isActive));
}

void CallListModel::noteActiveCount()
{
    const int n = activeCount();
    if (n != m_lastActiveCount) {
        m_lastActiveCount = n;
        emit activeCountChanged();
    }
}

void CallListModel::setNumberLabels(const QHash<QString, QString> &labels)
{
    if (labels == m_context.numberLabels)
        return;
    m_context.numberLabels = labels;
    if (!m_calls.isEmpty())
        emit dataChanged(index(0), index(int(m_calls.size()) - 1), {CallRoles::ToLabelRole});
}

void CallListModel::reset(const QList<CallRecord> &calls)
{
    beginResetModel();
    m_calls = calls.mid(0, m_maxRows);
    endResetModel();
    emit countChanged();
    noteActiveCount();
}

void CallListModel::upsert(const CallRecord &call)
{
    for (int i = 0; i < m_calls.size(); ++i) {
        if (m_calls.at(i).callId == call.callId) {
            m_calls[i] = call;
            emit dataChanged(index(i), index(i));
            noteActiveCount();
            return;
        }
    }
    beginInsertRows({}, 0, 0);
    m_calls.prepend(call);
    endInsertRows();
    if (m_calls.size() > m_maxRows) {
        beginRemoveRows({}, int(m_calls.size()) - 1, int(m_calls.size()) - 1);
        m_calls.removeLast();
        endRemoveRows();
    }
    emit countChanged();
    noteActiveCount();
}

} // namespace kt
