// SPDX-License-Identifier: GPL-3.0-or-later
#include "sqlitestatement.h"

#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlQuery>
#include <QStringList>
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
    // The handle must come from the very copy of SQLite we are linked with. First ask the
    // driver's copy, through SQL, which build it is: only the same source and options can read
    // the handle at all.
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("SELECT sqlite_source_id(), (SELECT group_concat(compile_options, "
                               "' ') FROM pragma_compile_options)")) ||
        !q.next())
        return refuse(QStringLiteral("cannot ask the Qt SQLite driver which SQLite it runs"));
    const QString theirs = q.value(0).toString();
    const QString ours = QString::fromLatin1(sqlite3_sourceid());
    const QString mismatch =
        QStringLiteral("the Qt SQLite driver runs SQLite %1, not the library kevan-tel is "
                       "linked with (%2); build Qt's SQLite driver against the system SQLite");
    if (theirs != ours)
        return refuse(mismatch.arg(theirs, ours));
    QStringList options;
    for (int i = 0; const char *option = sqlite3_compileoption_get(i); ++i)
        options << QString::fromLatin1(option);
    if (q.value(1).toString() != options.join(QLatin1Char(' ')))
        return refuse(mismatch.arg(theirs + QStringLiteral(" (other options)"), ours));
    // Then that it is the same instance, not a second copy of that build (a statically linked
    // one): the connection's VFS must be one our copy has registered.
    sqlite3_vfs *vfs = nullptr;
    if (sqlite3_file_control(raw, "main", SQLITE_FCNTL_VFS_POINTER, &vfs) != SQLITE_OK || !vfs ||
        sqlite3_vfs_find(vfs->zName) != vfs)
        return refuse(mismatch.arg(theirs + QStringLiteral(" (a copy of its own)"), ours));
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
