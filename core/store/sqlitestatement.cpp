// SPDX-License-Identifier: GPL-3.0-or-later
#include "sqlitestatement.h"

#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlQuery>
#include <QVariant>

#include <sqlite3.h>

namespace kt {

sqlite3 *SqliteStatement::handleOf(const QSqlDatabase &db, QString *why)
{
    auto refuse = [why](const QString &reason) -> sqlite3 * {
        if (why)
            *why = reason;
        return nullptr;
    };
    if (!db.isOpen() || !db.driver())
        return refuse(QStringLiteral("the database is not open"));
    const QVariant handle = db.driver()->handle();
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3*") != 0)
        return refuse(QStringLiteral("the Qt SQL driver is not SQLite"));
    sqlite3 *raw = *static_cast<sqlite3 *const *>(handle.constData());
    if (!raw)
        return refuse(QStringLiteral("the Qt SQLite driver has no connection"));
    // Both sides must be the same SQLite build: ask the driver's copy which one it is.
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("SELECT sqlite_source_id()")) || !q.next())
        return refuse(QStringLiteral("cannot ask the Qt SQLite driver for its SQLite version"));
    const QString theirs = q.value(0).toString();
    const QString ours = QString::fromLatin1(sqlite3_sourceid());
    if (theirs != ours)
        return refuse(QStringLiteral("the Qt SQLite driver runs SQLite %1, kevan-tel is built "
                                     "with %2; rebuild against the same SQLite")
                          .arg(theirs, ours));
    return raw;
}

SqliteStatement::~SqliteStatement()
{
    finalize();
}

bool SqliteStatement::prepare(sqlite3 *db, const QString &sql, QString *err)
{
    finalize();
    m_db = db;
    const QByteArray text = sql.toUtf8();
    if (sqlite3_prepare_v3(db, text.constData(), int(text.size()), SQLITE_PREPARE_PERSISTENT,
                           &m_stmt, nullptr) == SQLITE_OK &&
        m_stmt)
        return true;
    if (err)
        *err = QString::fromUtf8(sqlite3_errmsg(db));
    finalize();
    return false;
}

void SqliteStatement::finalize()
{
    if (m_stmt)
        sqlite3_finalize(m_stmt);
    m_stmt = nullptr;
}

void SqliteStatement::bindNull(int index)
{
    sqlite3_bind_null(m_stmt, index);
}

void SqliteStatement::bind(int index, qint64 value)
{
    sqlite3_bind_int64(m_stmt, index, sqlite3_int64(value));
}

void SqliteStatement::bind(int index, const QString &text)
{
    bindUtf8(index, text.toUtf8());
}

void SqliteStatement::bindUtf8(int index, const QByteArray &utf8)
{
    // constData() of an empty QByteArray is "", never null: an empty string stays a string.
    sqlite3_bind_text64(m_stmt, index, utf8.constData(), sqlite3_uint64(utf8.size()),
                        SQLITE_TRANSIENT, SQLITE_UTF8);
}

void SqliteStatement::bind(int index, const std::optional<QString> &text)
{
    if (text)
        bind(index, *text);
    else
        bindNull(index);
}

SqliteStatement::Step SqliteStatement::step()
{
    switch (sqlite3_step(m_stmt)) {
    case SQLITE_ROW:
        return Step::Row;
    case SQLITE_DONE:
        return Step::Done;
    default:
        return Step::Error;
    }
}

bool SqliteStatement::run(QString *err)
{
    Step s = Step::Row;
    while (s == Step::Row)
        s = step();
    if (s == Step::Error && err)
        *err = errorText();
    reset();
    return s == Step::Done;
}

void SqliteStatement::reset()
{
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
}

qint64 SqliteStatement::columnInt64(int column) const
{
    return qint64(sqlite3_column_int64(m_stmt, column));
}

bool SqliteStatement::columnIsNull(int column) const
{
    return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

QString SqliteStatement::columnText(int column) const
{
    const auto *text = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, column));
    if (!text)
        return QString();
    return QString::fromUtf8(text, sqlite3_column_bytes(m_stmt, column));
}

QString SqliteStatement::errorText() const
{
    return QString::fromUtf8(sqlite3_errmsg(m_db));
}

} // namespace kt
