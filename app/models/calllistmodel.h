// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "callroles.h"
#include "store/callrecord.h"

#include <QAbstractListModel>
#include <QtQml/qqmlregistration.h>

namespace kt {

// Recent calls, newest first, for the dashboard's live view. Fed by the engine's queued
// callChanged() signal (upsert by call id) and seeded from a read-only history query. Roles:
// CallRoles.
class CallListModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("the app creates it")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
    Q_PROPERTY(int activeCount READ activeCount NOTIFY activeCountChanged)
    Q_PROPERTY(int askTimeoutSecs READ askTimeoutSecs CONSTANT)
public:
    explicit CallListModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    void reset(const QList<CallRecord> &calls);
    int maxRows() const { return m_maxRows; }
    void setMaxRows(int rows) { m_maxRows = qMax(1, rows); }
    int activeCount() const;
    const CallRecord &callAt(int row) const { return m_calls.at(row); }

    int askTimeoutSecs() const { return m_context.askTimeoutSecs; }
    void setAskTimeoutSecs(int secs) { m_context.askTimeoutSecs = secs; }
    void setScreenTimeoutSecs(int secs) { m_context.screenTimeoutSecs = secs; }
    // Labels of the owner's numbers (e164 -> label), shown next to the number called.
    void setNumberLabels(const QHash<QString, QString> &labels);

public slots:
    void upsert(const kt::CallRecord &call);

signals:
    void countChanged();
    void activeCountChanged();

private:
    QList<CallRecord> m_calls;
    CallRoles::Context m_context;
    int m_maxRows = 500;
    int m_lastActiveCount = 0;
    void noteActiveCount();
};

} // namespace kt
