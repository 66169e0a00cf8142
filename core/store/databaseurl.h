// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include <optional>

namespace kt {

// A PostgreSQL database named by URL: postgresql://[user@]host[:port]/dbname[?sslmode=...].
// The one place such a URL is read. It never carries a password: one in the URL is refused, and
// libpq finds it itself in PGPASSWORD or ~/.pgpass; so the URL (and toString()) holds no secret
// and may be shown and logged.
struct DatabaseUrl
{
    QString user; // empty: libpq's default (PGUSER, else the login name)
    QString host;
    int port = 5432;
    QString databaseName;
    QString sslMode; // empty: libpq's default (PGSSLMODE, else "prefer")

    // Whether `text` names a PostgreSQL database (postgresql:// or postgres://) rather than a
    // SQLite file; says nothing about whether it is valid.
    static bool isUrl(const QString &text);
    // The URL, or nullopt with *error set, e.g. "a password does not belong in the URL; ...".
    // The error names no user and no password.
    static std::optional<DatabaseUrl> parse(const QString &text, QString *error);
    // postgresql://user@host:port/dbname?sslmode=... (no password: it never has one)
    QString toString() const;
    // The options for Qt's PostgreSQL driver (QSqlDatabase::setConnectOptions).
    QString connectOptions() const;
};

} // namespace kt
