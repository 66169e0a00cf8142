// SPDX-License-Identifier: GPL-3.0-or-later
#include "searchfiltermodel.h"

namespace kt {
namespace {
QString digitsOf(const QString &text)
{
    QString digits;
    for (const QChar c : text) {
        if (c.isDigit())
            digits += c;
    }
    return digits;
}
} // namespace

SearchFilterModel::SearchFilterModel(QObject *parent) : QSortFilterProxyModel(parent)
{
    setDynamicSortFilter(true);
    for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        connect(this, signal, this, &SearchFilterModel::countChanged);
    connect(this, &QAbstractItemModel::modelReset, this, &SearchFilterModel::countChanged);
    connect(this, &QAbstractItemModel::layoutChanged, this, &SearchFilterModel::countChanged);
    connect(this, &QSortFilterProxyModel::sourceModelChanged, this,
            &SearchFilterModel::resolveRoles);
    connect(this, &QAbstractItemModel::modelReset, this, &SearchFilterModel::resolveRoles);
}

SearchFilterModel::SearchFilterModel(QAbstractItemModel *source, const QStringList &searchRoles,
                                     QObject *parent)
    : SearchFilterModel(parent)
{
    m_searchRoleNames = searchRoles;
    setSourceModel(source);
}

void SearchFilterModel::setQuery(const QString &query)
{
    const QString trimmed = query.trimmed();
    if (trimmed == m_query)
        return;
    m_query = trimmed;
    m_queryDigits = digitsOf(trimmed);
    invalidateRowsFilter();
    emit queryChanged();
    emit countChanged();
}

void SearchFilterModel::setSearchRoles(const QStringList &roles)
{
    if (roles == m_searchRoleNames)
        return;
    m_searchRoleNames = roles;
    resolveRoles();
    emit searchRolesChanged();
}

void SearchFilterModel::resolveRoles()
{
    QList<int> roles;
    if (sourceModel()) {
        const auto names = sourceModel()->roleNames();
        for (const QString &name : m_searchRoleNames) {
            const int role = names.key(name.toUtf8(), -1);
            if (role >= 0)
                roles.append(role);
        }
    }
    if (roles != m_roles) {
        m_roles = roles;
        invalidateRowsFilter();
        emit countChanged();
    }
}

bool SearchFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_query.isEmpty())
        return true;
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    // Only digits (and the usual separators) in the query: match on digits alone.
    const bool digitsOnly =
        !m_queryDigits.isEmpty() && std::all_of(m_query.cbegin(), m_query.cend(), [](QChar c) {
            return c.isDigit() || c.isSpace() || QStringLiteral("+-().").contains(c);
        });
    for (const int role : m_roles) {
        const QString value = index.data(role).toString();
        if (value.contains(m_query, Qt::CaseInsensitive))
            return true;
        if (digitsOnly && digitsOf(value).contains(m_queryDigits))
            return true;
    }
    return false;
}

} // namespace kt
