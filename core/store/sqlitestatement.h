// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

struct sqlite3;
struct sqlite3_stmt;
class QSqlDatabase;

namespace kt {

// One prepared statement of SQLite's C API, on the connection an open QSqlDatabase holds.
//
// The event store's write path runs a handful of statements thousands of times a second.
// Through QSqlQuery every bound value goes through a QVariant and a placeholder-name lookup
// (QSqlResult::bindValue alone was a sixth of an append in a perf profile), and every SELECT
// rebuilds its QSqlRecord on each exec. Binding UTF-8 and reading columns directly skips that. The
// statement shares the QSqlDatabase's connection (and so its transaction, busy timeout and
// pragmas).
class SqliteStatement
{
public:
    // The C API handle of an open QSQLITE connection, or nullptr with the reason. Refused unless
    // the Qt driver runs the very SQLite library kevan-tel is linked with (same build, same
    // loaded instance): a handle must not cross between two copies of the library. Linux
    // distributions build Qt's driver against the system SQLite; Qt's own Windows and macOS
    // binaries carry a copy of their own, and are refused.
    static sqlite3 *handleOf(const QSqlDatabase &db, QString *why);

    SqliteStatement() = default;
    ~SqliteStatement();
    SqliteStatement(const SqliteStatement &) = delete;
    SqliteStatement &operator=(const SqliteStatement &) = delete;

    bool prepare(sqlite3 *db, const QString &sql, QString *err);
    void finalize();
    bool isPrepared() const { return m_stmt != nullptr; }

    // Parameters are numbered from 1, as in SQLite. Text is bound as UTF-8 (copied).
    void bindNull(int index);
    void bind(int index, qint64 value);
    void bind(int index, const QString &text);
    void bindUtf8(int index, const QByteArray &utf8);
    void bind(int index, const std::optional<QString> &text); // nullopt: NULL

    enum class Step { Row, Done, Error };
    // The next row; after Error, errorText() says why (read it before reset()).
    Step step();
    // Steps to the end and resets; false (with the reason) on an error.
    bool run(QString *err = nullptr);
    // Ready to run again; bindings are cleared.
    void reset();

    qint64 columnInt64(int column) const;
    bool columnIsNull(int column) const;
    QString columnText(int column) const; // NULL: a null QString

    QString errorText() const;

private:
    sqlite3 *m_db = nullptr;
    sqlite3_stmt *m_stmt = nullptr;
};

} // namespace kt
