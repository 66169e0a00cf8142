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
    const CallRecord &c = m_calls.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case FromRole:
        return c.fromNumber;
    case CallIdRole:
        return c.callId;
    case ToRole:
        return c.toNumber;
    case CallerNameRole:
        return c.callerName;
    case DecisionRole:
        return c.decision;
    case ReasonRole:
        return c.reason;
    case NamespaceRole:
        return c.namespaceName;
    case StateRole:
        return c.state;
    case StartedAtRole:
        return c.startedAt;
    case EndedAtRole:
        return c.endedAt;
    case ActiveRole:
        return c.state != QLatin1String("ended") && c.state != QLatin1String("failed");
    default:
        return {};
    }
}

QHash<int, QByteArray> CallListModel::roleNames() const
{
    return {
        {CallIdRole, "callId"},         {FromRole, "from"},         {ToRole, "to"},
        {CallerNameRole, "callerName"}, {DecisionRole, "decision"}, {ReasonRole, "reason"},
        {NamespaceRole, "nameSpace"},   {StateRole, "callState"},   {StartedAtRole, "startedAt"},
        {EndedAtRole, "endedAt"},       {ActiveRole, "active"}};
}

void CallListModel::reset(const QList<CallRecord> &calls)
{
    beginResetModel();
    m_calls = calls.mid(0, m_maxRows);
    endResetModel();
    emit countChanged();
}

void CallListModel::upsert(const CallRecord &call)
{
    for (int i = 0; i < m_calls.size(); ++i) {
        if (m_calls.at(i).callId == call.callId) {
            m_calls[i] = call;
            emit dataChanged(index(i), index(i));
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
}

} // namespace kt
