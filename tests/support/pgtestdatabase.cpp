// SPDX-License-Identifier: GPL-3.0-or-later
#include "pgtestdatabase.h"

#include "store/databaseurl.h"

#include <QAtomicInt>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

namespace kt::test {

QString pgServerUrl()
{
    return qEnvironmentVariable("KEVANTEL_TEST_PG_URL");
}

QString pgSkipReason()
{
    return QStringLiteral("PostgreSQL cases need a server: set KEVANTEL_TEST_PG_URL and "
                          "PGPASSWORD (tests/support/pg-test-cluster.sh start DIR; source "
                          "DIR/env), as installer/build-and-test.sh does");
}

bool PgTestDatabase::adminExec(const QString &sql, QString *error)
{
    static QAtomicInt counter;
    QString why;
    const auto url = DatabaseUrl::parse(pgServerUrl(), &why);
    if (!url) {
        if (error)
            *error = QStringLiteral("KEVANTEL_TEST_PG_URL: %1").arg(why);
        return false;
    }
    const QString name = QStringLiteral("pg-test-admin-%1").arg(counter.fetchAndAddRelaxed(1));
    bool ok = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
        db.setHostName(url->host);
        db.setPort(url->port);
        db.setDatabaseName(url->databaseName);
        db.setUserName(url->user);
        db.setConnectOptions(url->connectOptions());
        if (!db.open()) {
            if (error)
                *error = db.lastError().text();
        } else {
            QSqlQuery q(db);
            ok = q.exec(sql);
            if (!ok && error)
                *error = q.lastError().text();
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

bool PgTestDatabase::create(QString *error)
{
    QString why;
    auto url = DatabaseUrl::parse(pgServerUrl(), &why);
    if (!url) {
        if (error)
            *error = pgServerUrl().isEmpty() ? pgSkipReason()
                                             : QStringLiteral("KEVANTEL_TEST_PG_URL: %1").arg(why);
        return false;
    }
    const QString name = QStringLiteral("kt_%1").arg(QRandomGenerator::system()->generate64(), 16,
                                                     16, QLatin1Char('0'));
    if (!adminExec(QStringLiteral("CREATE DATABASE %1").arg(name), error))
        return false;
    m_name = name;
    url->databaseName = name;
    m_url = url->toString();
    return true;
}

PgTestDatabase::~PgTestDatabase()
{
    if (m_name.isEmpty())
        return;
    QString error;
    if (!adminExec(QStringLiteral("DROP DATABASE IF EXISTS %1 WITH (FORCE)").arg(m_name), &error))
        qWarning("cannot drop test database %s: %s", qPrintable(m_name), qPrintable(error));
}

} // namespace kt::test
