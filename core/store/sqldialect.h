// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QStringList>

class QSqlDatabase;

namespace kt {

// The few places where the store's SQL differs between SQLite and PostgreSQL, all here: column
// types, the append-only triggers, how a write transaction starts and serialises with other
// writers, where the schema version lives, and two expressions. Everything else (tables,
// indexes, INSERT ... ON CONFLICT, RETURNING, savepoints, LIMIT) is written once and runs on
// both.
class SqlDialect
{
public:
    enum class Kind { SQLite, PostgreSQL };

    static SqlDialect sqlite() { return SqlDialect(Kind::SQLite); }
    static SqlDialect postgresql() { return SqlDialect(Kind::PostgreSQL); }
    // By the connection's driver: QPSQL is PostgreSQL, anything else SQLite.
    static SqlDialect of(const QSqlDatabase &db);

    Kind kind() const { return m_kind; }
    bool isPostgreSQL() const { return m_kind == Kind::PostgreSQL; }

    // Column types. An integer column: 64 bits on both (SQLite's INTEGER is 64-bit already).
    QString integer() const;
    // A key the database numbers itself.
    QString rowIdKey() const;
    // SQLite's clustered-table clause (" WITHOUT ROWID"); nothing on PostgreSQL.
    QString withoutRowId() const;
    // The statements that make the events table append-only: no UPDATE, no DELETE (nor
    // TRUNCATE), and an INSERT must add the next seq and a new telnyx_id.
    QStringList appendOnlyTriggers() const;

    // Starts a transaction that will write. SQLite: BEGIN IMMEDIATE takes the database's write
    // lock now. PostgreSQL: a plain BEGIN; writers of the event log then take chainLock().
    QString beginWrite() const;
    // Starts a transaction that reads one consistent snapshot across several statements.
    QString beginSnapshot() const;
    // PostgreSQL: the transaction-scoped advisory lock that serialises the appends of every
    // connection to one database (held until COMMIT or ROLLBACK), taken before the end of the
    // chain is read. Empty on SQLite, where BEGIN IMMEDIATE already serialises writers. It also
    // notifies appendChannel(), which PostgreSQL delivers when the transaction commits.
    QString chainLock() const;
    // The PostgreSQL notification channel of appends to the event log (LogNotifier listens).
    static QString appendChannel();
    // The same for schema migrations.
    QString migrationLock() const;

    // The schema version: SQLite keeps it in PRAGMA user_version, PostgreSQL in a one-row table
    // (created by the first migration's transaction).
    QString createVersionTable() const; // empty on SQLite
    QString versionTableExists() const; // a query of one boolean row; empty on SQLite
    QString readVersion() const;
    QStringList writeVersion(int version) const;

    // The calendar day ("yyyy-MM-dd") of an ISO-8601 UTC timestamp column in the time zone
    // `utcOffsetSecs` east of UTC; NULL when the column does not hold a time.
    QString dayOf(const QString &column, int utcOffsetSecs) const;
    // Whether text column `column` contains the bound value (one `?`), without LIKE patterns.
    QString containsBound(const QString &column) const;
    // LIKE that ignores the case of ASCII letters, as SQLite's LIKE does.
    QString likeAnyCase() const;
    // After "column DESC": NULL last, as SQLite sorts it anyway (PostgreSQL puts it first).
    QString nullsLast() const;
    // " LIMIT n OFFSET m"; no limit when `limit` <= 0.
    QString limitOffset(int limit, int offset) const;

private:
    explicit SqlDialect(Kind kind) : m_kind(kind) {}
    Kind m_kind;
};

} // namespace kt
