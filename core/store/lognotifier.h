// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QPointer>

class QSqlDriver;

namespace kt {

class EventStore;

// Tells, as soon as it commits, that another connection appended to the event log: on
// PostgreSQL every append and group commit notifies SqlDialect::appendChannel() in its
// transaction (delivered at COMMIT, dropped by a rollback), and listen() subscribes a store's
// connection to it (LISTEN, through Qt's driver, which watches the connection's socket in the
// thread that owns the connection: call listen() there). SQLite has no such thing: listen()
// returns false and the reader keeps polling. The connection's own appends are not reported.
//
// A notification says only "something was appended": the reader reads what it has not seen by
// seq (EventQuery::afterSeq), so notifications folded together or lost with a broken connection
// lose nothing once it reads again.
class LogNotifier : public QObject
{
    Q_OBJECT
public:
    explicit LogNotifier(QObject *parent = nullptr);
    ~LogNotifier() override;

    // Subscribes `store`'s open PostgreSQL connection. False on SQLite, when the store is not
    // open, or when the server refuses (errorString()). Replaces an earlier subscription.
    bool listen(EventStore &store);
    void stop();
    // Subscribed (the connection may have broken since: the reader's fallback poll finds that).
    bool isListening() const { return !m_driver.isNull(); }
    QString errorString() const { return m_error; }

signals:
    // Another connection committed one or more appends.
    void appended();

private:
    QPointer<QSqlDriver> m_driver;
    QMetaObject::Connection m_connection;
    QString m_error;
};

} // namespace kt
