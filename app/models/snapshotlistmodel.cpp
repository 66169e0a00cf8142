// SPDX-License-Identifier: GPL-3.0-or-later
#include "snapshotlistmodel.h"

namespace kt {

SnapshotListModel::SnapshotListModel(QList<QByteArray> roles, QString purpose, QObject *parent)
    : QAbstractListModel(parent), m_roles(std::move(roles)), m_purpose(std::move(purpose))
{
    m_refreshTimer.setSingleShot(true);
    m_refreshTimer.setInterval(250);
    connect(&m_refreshTimer, &QTimer::timeout, this, &SnapshotListModel::refresh);
}

bool SnapshotListModel::open(const QString &path)
{
    if (!m_database.open(path, m_purpose)) {
        setError(m_database.errorString());
        return false;
    }
    setError({});
    refresh();
    return m_error.isEmpty();
}

int SnapshotListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant SnapshotListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    if (role == Qt::DisplayRole)
        role = FirstRole;
    const int column = role - FirstRole;
    if (column < 0 || column >= row.size())
        return {};
    return row.at(column);
}

QHash<int, QByteArray> SnapshotListModel::roleNames() const
{
    QHash<int, QByteArray> names;
    for (int i = 0; i < m_roles.size(); ++i)
        names.insert(FirstRole + i, m_roles.at(i));
    return names;
}

QVariant SnapshotListModel::value(int row, const QString &roleName) const
{
    const int column = int(m_roles.indexOf(roleName.toUtf8()));
    if (row < 0 || row >= m_rows.size() || column < 0)
        return {};
    return m_rows.at(row).value(column);
}

int SnapshotListModel::rowOfKey(const QVariant &key) const
{
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).value(0) == key)
            return i;
    }
    return -1;
}

void SnapshotListModel::refresh()
{
    m_refreshTimer.stop();
    if (!m_database.isOpen())
        return;
    QString error;
    QList<Row> rows = load(m_database, &error);
    setError(error);
    if (error.isEmpty())
        setRows(std::move(rows));
    emit refreshed();
}

void SnapshotListModel::scheduleRefresh()
{
    if (!m_refreshTimer.isActive())
        m_refreshTimer.start();
}

void SnapshotListModel::setRows(QList<Row> rows)
{
    bool sameKeys = rows.size() == m_rows.size();
    for (int i = 0; sameKeys && i < rows.size(); ++i)
        sameKeys = rows.at(i).value(0) == m_rows.at(i).value(0);
    if (!sameKeys) {
        const bool countChanges = rows.size() != m_rows.size();
        beginResetModel();
        m_rows = std::move(rows);
        endResetModel();
        if (countChanges)
            emit countChanged();
        return;
    }
    for (int i = 0; i < rows.size(); ++i) {
        if (rows.at(i) == m_rows.at(i))
            continue;
        QList<int> changed;
        for (int c = 0; c < rows.at(i).size(); ++c) {
            if (rows.at(i).at(c) != m_rows.at(i).value(c))
                changed.append(FirstRole + c);
        }
        m_rows[i] = rows.at(i);
        emit dataChanged(index(i), index(i), changed);
    }
}

void SnapshotListModel::setError(const QString &error)
{
    if (error == m_error)
        return;
    m_error = error;
    emit errorStringChanged();
}

} // namespace kt
