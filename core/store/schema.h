// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

namespace kt {

class SqlDialect;

// One step of the schema history. `version` is the schema version the database has after the
// step (SQLite: PRAGMA user_version; PostgreSQL: the kevantel_schema table); `statements` run in
// order (one SQL statement each) inside one write transaction together with the version update,
// so a step applies completely or not at all (PostgreSQL's DDL is transactional too).
struct Migration
{
    int version = 0;
    QString description;
    QStringList statements;
};

// Versioned schema of the store, one text for SQLite and PostgreSQL (SqlDialect spells the
// differences). See schema.cpp for how to add a step.
class Schema
{
public:
    // The ordered migration steps; versions are 1, 2, 3, ... In SQLite's words, or `dialect`'s.
    static const QList<Migration> &migrations();
    static const QList<Migration> &migrations(const SqlDialect &dialect);
    static int latestVersion();

    // The schema version (0 for a new database); -1 (and *error set) when it cannot be read.
    static int userVersion(QSqlDatabase &db, QString *error = nullptr);

    // Applies every step newer than the database's version, in the connection's dialect. Refuses
    // (false, *error set) a database whose version is newer than the newest step. *applied = steps
    // applied now.
    static bool migrate(QSqlDatabase &db, QString *error, int *applied = nullptr);
    // The same with an explicit list (tests).
    static bool migrate(QSqlDatabase &db, const QList<Migration> &steps, QString *error,
                        int *applied = nullptr);
};

} // namespace kt
