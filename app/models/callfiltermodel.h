// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QSortFilterProxyModel>
#include <QtQml/qqmlregistration.h>

namespace kt {

// A view of a call model (CallRoles) by call state, for the live view: the calls that ring for
// the owner, the calls in progress, the calls that ended.
class CallFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("the app creates it")
    Q_PROPERTY(Filter filter READ filter WRITE setFilter NOTIFY filterChanged)
    Q_PROPERTY(int count READ count NOTIFY countChanged)
public:
    enum Filter {
        All,
        Active,     // not ended and not failed
        Asking,     // waiting for the owner's decision
        InProgress, // active, but not asking
        Finished,   // ended or failed
    };
    Q_ENUM(Filter)

    explicit CallFilterModel(QObject *parent = nullptr);
    CallFilterModel(Filter filter, QAbstractItemModel *source, QObject *parent = nullptr);

    Filter filter() const { return m_filter; }
    void setFilter(Filter filter);
    int count() const { return rowCount(); }

signals:
    void filterChanged();
    void countChanged();

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    Filter m_filter = All;
};

} // namespace kt
