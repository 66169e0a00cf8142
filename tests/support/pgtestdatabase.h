// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace kt::test {

// The PostgreSQL server the tests may use: KEVANTEL_TEST_PG_URL
// (postgresql://kt@127.0.0.1:PORT/kt, its password in PGPASSWORD), as
// tests/support/pg-test-cluster.sh starts one and installer/build-and-test.sh exports it. Empty
// when it is not set: a PostgreSQL test case then skips with pgSkipReason().
QString pgServerUrl();
QString pgSkipReason();

// A fresh database on that server for one test case: CREATE DATABASE kt_<random> when made,
// DROP DATABASE (closing any connection left) when destroyed, so test cases and suites running
// in parallel never share one.
class PgTestDatabase
{
public:
    PgTestDatabase() = default;
    ~PgTestDatabase();
    PgTestDatabase(const PgTestDatabase &) = delete;
    PgTestDatabase &operator=(const PgTestDatabase &) = delete;

    // False with *error set when the server is not configured or refuses.
    bool create(QString *error);
    // postgresql://kt@127.0.0.1:PORT/kt_<random>
    QString url() const { return m_url; }
    QString name() const { return m_name; }

    // Runs `sql` on the server's own database (not this one), e.g. to look at pg_stat_activity.
    static bool adminExec(const QString &sql, QString *error);

private:
    QString m_name;
    QString m_url;
};

} // namespace kt::test
