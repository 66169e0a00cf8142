// SPDX-License-Identifier: GPL-3.0-or-later
#include "lognotifier.h"

#include "eventstore.h"
#include "sqldialect.h"

#include <QSqlDriver>
#include <QSqlError>

namespace kt {

LogNotifier::LogNotifier(QObject *parent) : QObject(parent) {}

LogNotifier::~LogNotifier()
{
    stop();
}

bool LogNotifier::listen(EventStore &store)
{
    stop();
    m_error.clear();
    QSqlDriver *driver = store.driver();
    if (!driver || !store.isPostgreSQL() || !driver->hasFeature(QSqlDriver::EventNotifications)) {
        m_error = QStringLiteral("the event store cannot notify");
        return false;
    }
    const QString channel = SqlDialect::appendChannel();
    if (!driver->subscribedToNotifications().contains(channel) &&
        !driver->subscribeToNotification(channel)) {
        const QSqlError e = driver->lastError();
        m_error = QStringLiteral("cannot listen for appends: %1")
                      .arg(e.databaseText().isEmpty() ? e.text() : e.databaseText());
        return false;
    }
    m_driver = driver;
    m_connection = connect(
        driver, &QSqlDriver::notification, this,
        [this](const QString &name, QSqlDriver::NotificationSource source, const QVariant &) {
            if (name == SqlDialect::appendChannel() && source != QSqlDriver::SelfSource)
                emit appended();
        });
    return true;
}

void LogNotifier::stop()
{
    disconnect(m_connection);
    // Closing the connection ends the subscription with it; an open one stops listening here.
    if (m_driver && m_driver->isOpen())
        m_driver->unsubscribeFromNotification(SqlDialect::appendChannel());
    m_driver.clear();
}

} // namespace kt
