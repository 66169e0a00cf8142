// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

namespace kt {

// One step of the schema history. `version` is the PRAGMA user_version the database has after
// the step; `statements` run in order (one SQL statement each) inside one BEGIN IMMEDIATE
// transaction together with the user_version update, so a step applies completely or not at all.
struct Migration
{
    int version = 0;
    QString description;
    QStringList statements;
};

// Versioned schema of the store (PRAGMA user_version). See schema.cpp for how to add a step.
class Schema
{
public:
    // The ordered migration steps; versions are 1, 2, 3, ...
    static const QList<Migration> &migrations();
    static int latestVersion();

    // PRAGMA user_version; -1 (and *error set) when it cannot be read.
    static int userVersion(QSqlDatabase &db, QString *error = nullptr);

    // Applies every step newer than the database's user_version. Refuses (false, *error set)
    // a database whose version is newer than the newest step. *applied = steps applied now.
    static bool migrate(QSqlDatabase &db, QString *error, int *applied = nullptr);
    // The same with an explicit list (tests).
    static bool migrate(QSqlDatabase &db, const QList<Migration> &steps, QString *error,
                        int *applied = nullptr);
};

} // namespace kt
