// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QSortFilterProxyModel>
#include <QStringList>
#include <QtQml/qqmlregistration.h>

namespace kt {

// Keeps the rows where any of `searchRoles` contains `query` (case-insensitive; for a query
// with digits, the digits of a value also match, so "4748" finds "(888) 474-8738"). An empty
// query keeps every row.
class SearchFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("the app creates it")
    Q_PROPERTY(QString query READ query WRITE setQuery NOTIFY queryChanged)
    Q_PROPERTY(
        QStringList searchRoles READ searchRoles WRITE setSearchRoles NOTIFY searchRolesChanged)
    Q_PROPERTY(int count READ count NOTIFY countChanged)
public:
    explicit SearchFilterModel(QObject *parent = nullptr);
    SearchFilterModel(QAbstractItemModel *source, const QStringList &searchRoles,
                      QObject *parent = nullptr);

    QString query() const { return m_query; }
    void setQuery(const QString &query);
    QStringList searchRoles() const { return m_searchRoleNames; }
    void setSearchRoles(const QStringList &roles);
    int count() const { return rowCount(); }

signals:
    void queryChanged();
    void searchRolesChanged();
    void countChanged();

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    void resolveRoles();

    QString m_query;
    QString m_queryDigits;
    QStringList m_searchRoleNames;
    QList<int> m_roles;
};

} // namespace kt
