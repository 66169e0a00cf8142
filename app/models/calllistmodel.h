// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/callrecord.h"

#include <QAbstractListModel>
#include <QtQml/qqmlregistration.h>

namespace kt {

// Recent calls, newest first, for the dashboard's live view. Fed by the engine's queued
// callChanged() signal (upsert by call id) and seeded from a read-only history query.
class CallListModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("provided by the application")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
public:
    enum Role {
        CallIdRole = Qt::UserRole + 1,
        FromRole,
        ToRole,
        CallerNameRole,
        DecisionRole,
        ReasonRole,
        NamespaceRole,
        StateRole,
        StartedAtRole,
        EndedAtRole,
        ActiveRole,
    };
    Q_ENUM(Role)

    explicit CallListModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    void reset(const QList<CallRecord> &calls);
    int maxRows() const { return m_maxRows; }

public slots:
    void upsert(const kt::CallRecord &call);

signals:
    void countChanged();

private:
    QList<CallRecord> m_calls;
    int m_maxRows = 500;
};

} // namespace kt
