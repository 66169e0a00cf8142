// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "data/readonlydatabase.h"

#include <QAbstractListModel>
#include <QTimer>
#include <QVariantList>
#include <QtQml/qqmlregistration.h>

namespace kt {

// Base of the small dashboard lists (numbers, rules, registrations, certificates): each reads
// its rows as a whole from its own read-only database connection (ReadOnlyDatabase) and
// refresh() reloads them. Rows are compared with the previous snapshot: when the keys (the
// first role) are the same in the same order only the rows that changed emit dataChanged, so
// delegates (and an open ComboBox) survive a refresh; otherwise the model is reset.
class SnapshotListModel : public QAbstractListModel
{
    Q_OBJECT
    // The base of the lists the QML uses: qmllint then knows their count. Subclasses name it
    // kt::SnapshotListModel: Qt 6.4's type registrar finds a base class only by its full name.
    QML_ANONYMOUS
    Q_PROPERTY(int count READ count NOTIFY countChanged)
    Q_PROPERTY(QString errorString READ errorString NOTIFY errorStringChanged)
public:
    static constexpr int FirstRole = Qt::UserRole + 1;
    using Row = QVariantList; // one value per role, in role order

    // Opens the database read-only and loads the rows. False (with errorString()) on failure.
    bool open(const QString &path);
    bool isOpen() const { return m_database.isOpen(); }

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    int count() const { return int(m_rows.size()); }
    QString errorString() const { return m_error; }
    // The value of a role by name (tests, and C++ users that do not want to look roles up).
    Q_INVOKABLE QVariant value(int row, const QString &roleName) const;
    // The row whose key (the first role) is `key`, or -1.
    int rowOfKey(const QVariant &key) const;

public slots:
    void refresh();
    // refresh() soon, once for any number of calls (e.g. on a burst of call updates).
    void scheduleRefresh();

signals:
    void countChanged();
    void errorStringChanged();
    void refreshed();

protected:
    SnapshotListModel(QList<QByteArray> roles, QString purpose, QObject *parent);
    // The rows now; each has roles().size() values. Set `error` and return {} on failure.
    virtual QList<Row> load(ReadOnlyDatabase &database, QString *error) = 0;
    Row emptyRow() const { return Row(m_roles.size()); }
    static int at(int role) { return role - FirstRole; }
    ReadOnlyDatabase &database() { return m_database; }

private:
    void setRows(QList<Row> rows);
    void setError(const QString &error);

    QList<QByteArray> m_roles;
    QString m_purpose;
    ReadOnlyDatabase m_database;
    QList<Row> m_rows;
    QString m_error;
    QTimer m_refreshTimer;
};

} // namespace kt
