// SPDX-License-Identifier: GPL-3.0-or-later
#include "schema.h"
#include "sqldialect.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace kt {

// ---------------------------------------------------------------------------------------------
// How to add a migration
//
// Append a new entry at the END of the list below with the next version number (2, 3, ...).
// Never edit or reorder an entry that has shipped: databases in the field already ran it.
// Each statement is one SQL statement (QtSql runs only the first statement of a string).
// The step runs in its own write transaction together with the version update (SQLite: PRAGMA
// user_version = N; PostgreSQL: the kevantel_schema table).
// The same text serves SQLite and PostgreSQL: write an integer column as {integer}, a key the
// database numbers as {rowid}; SqlDialect spells them for each (and the few other differences,
// such as {without_rowid} and the append-only triggers). ON CONFLICT, RETURNING, partial
// indexes, CHECK and ALTER TABLE ... ADD COLUMN work on both.
// Don't touch the events table's contents or its triggers: the log is append-only and
// hash-chained. Adding tables, indexes and columns to other tables is fine. Example:
//
//     {2,
//      QStringLiteral("screening rules"),
//      {QStringLiteral("CREATE TABLE rules (id {rowid}, kind TEXT NOT NULL, ...)"),
//       QStringLiteral("CREATE INDEX rules_kind ON rules(kind)")}},
// ---------------------------------------------------------------------------------------------
namespace {

QList<Migration> migrationText()
{
    return {
        {1,
         QStringLiteral("event log and calls projection"),
         {
             QStringLiteral("CREATE TABLE events ("
                            " seq {integer} PRIMARY KEY,"
                            " telnyx_id TEXT UNIQUE,"
                            " type TEXT NOT NULL,"
                            " call_id TEXT,"
                            " occurred_at TEXT,"
                            " recorded_at TEXT NOT NULL,"
                            " actor TEXT NOT NULL,"
                            " payload TEXT NOT NULL,"
                            " prev_hash TEXT NOT NULL,"
                            " hash TEXT NOT NULL)"),
             QStringLiteral("CREATE INDEX events_call_id ON events(call_id)"),
             QStringLiteral("CREATE INDEX events_type ON events(type)"),
             QStringLiteral("CREATE INDEX events_recorded_at ON events(recorded_at)"),
             // Append-only: no UPDATE, no DELETE; INSERT only at the end of the chain.
             QStringLiteral("{append_only_triggers}"),
             QStringLiteral("CREATE TABLE calls ("
                            " call_id TEXT PRIMARY KEY,"
                            " call_control_id TEXT,"
                            " from_number TEXT,"
                            " to_number TEXT,"
                            " caller_name TEXT,"
                            " direction TEXT,"
                            " decision TEXT,"
                            " reason TEXT,"
                            " namespace TEXT,"
                            " state TEXT,"
                            " started_at TEXT,"
                            " decided_at TEXT,"
                            " ended_at TEXT,"
                            " hangup_cause TEXT,"
                            " flags TEXT,"
                            " updated_seq {integer})"),
             QStringLiteral("CREATE INDEX calls_started_at ON calls(started_at)"),
             QStringLiteral("CREATE INDEX calls_updated_seq ON calls(updated_seq)"),
         }},
        {2,
         QStringLiteral("screening data: numbers, roots, certificates, revocations, registry,"
                        " rules"),
         {
             // The owner's number map (NumberMap); position keeps the map's order.
             QStringLiteral("CREATE TABLE numbers ("
                            " e164 TEXT PRIMARY KEY,"
                            " raw TEXT NOT NULL,"
                            " label TEXT NOT NULL DEFAULT '',"
                            " namespace TEXT NOT NULL,"
                            " policy TEXT NOT NULL DEFAULT '',"
                            " telnyx_id TEXT,"
                            " connection_id TEXT,"
                            " tags TEXT NOT NULL DEFAULT '[]',"
                            " position {integer} NOT NULL,"
                            " updated_at TEXT NOT NULL)"),
             QStringLiteral("CREATE TABLE trusted_roots ("
                            " fingerprint TEXT PRIMARY KEY,"
                            " pem TEXT NOT NULL,"
                            " subject TEXT NOT NULL,"
                            " not_after TEXT,"
                            " added_at TEXT NOT NULL)"),
             QStringLiteral("CREATE TABLE certificates ("
                            " fingerprint TEXT PRIMARY KEY,"
                            " namespace TEXT NOT NULL,"
                            " pem TEXT NOT NULL,"
                            " subject TEXT NOT NULL,"
                            " issuer TEXT NOT NULL,"
                            " not_before TEXT,"
                            " not_after TEXT,"
                            " added_at TEXT NOT NULL)"),
             // Every namespace a certificate names (a certificate may name several).
             QStringLiteral("CREATE TABLE certificate_namespaces ("
                            " namespace TEXT NOT NULL,"
                            " fingerprint TEXT NOT NULL REFERENCES certificates(fingerprint),"
                            " PRIMARY KEY (namespace, fingerprint)){without_rowid}"),
             QStringLiteral("CREATE TABLE revocations ("
                            " fingerprint TEXT PRIMARY KEY,"
                            " revoked_at TEXT NOT NULL,"
                            " note TEXT NOT NULL DEFAULT '')"),
             QStringLiteral("CREATE TABLE registry ("
                            " phone TEXT PRIMARY KEY,"
                            " namespace TEXT NOT NULL,"
                            " verified_at TEXT NOT NULL,"
                            " certificate_fingerprint TEXT NOT NULL)"),
             QStringLiteral("CREATE INDEX registry_namespace ON registry(namespace)"),
             // Removed rules stay (removed_at set), so ids are never reused.
             QStringLiteral("CREATE TABLE rules ("
                            " id {rowid},"
                            " kind TEXT NOT NULL CHECK (kind IN ('allow', 'block')),"
                            " pattern TEXT NOT NULL,"
                            " note TEXT NOT NULL DEFAULT '',"
                            " until TEXT,"
                            " single_use {integer} NOT NULL DEFAULT 0,"
                            " created_at TEXT NOT NULL,"
                            " used_at TEXT,"
                            " used_by_call TEXT,"
                            " removed_at TEXT)"),
             // matchRule: pattern IN (the number, its prefixes) AND kind = ? AND not removed.
             QStringLiteral("CREATE INDEX rules_pattern ON rules(pattern, kind)"
                            " WHERE removed_at IS NULL"),
         }},
        {3,
         QStringLiteral("calls: indexes for the number search"),
         {
             // Searching calls by a part of a number scans every call, newest first: from this
             // index (the numbers are in it) rather than the table, at a third of the cost.
             // It starts with started_at, so it also serves everything calls_started_at did.
             QStringLiteral("CREATE INDEX calls_started_numbers ON calls(started_at, from_number,"
                            " to_number)"),
             QStringLiteral("DROP INDEX calls_started_at"),
             // A whole number is looked up.
             QStringLiteral("CREATE INDEX calls_from_number ON calls(from_number)"),
             QStringLiteral("CREATE INDEX calls_to_number ON calls(to_number)"),
         }},
        {4,
         QStringLiteral("self-registration: pending registrations"),
         {
             // A caller's self-registration until the owner decides (RegistrationStore). The
             // PIN is only ever stored as a salted slow hash; the status token only as SHA-256.
             QStringLiteral("CREATE TABLE pending_registrations ("
                            " id TEXT PRIMARY KEY,"
                            " status_token_hash TEXT NOT NULL UNIQUE,"
                            " namespace TEXT NOT NULL,"
                            " phone TEXT NOT NULL,"
                            " certificate_fingerprint TEXT NOT NULL,"
                            " certificate_pem TEXT NOT NULL,"
                            " key_type TEXT NOT NULL,"
                            " pin_hash TEXT NOT NULL,"
                            " call_in_code TEXT NOT NULL,"
                            " call_in_number TEXT NOT NULL,"
                            " state TEXT NOT NULL CHECK (state IN ('awaiting_call',"
                            " 'awaiting_owner', 'approved', 'denied', 'expired')),"
                            " call_in_failures {integer} NOT NULL DEFAULT 0,"
                            " created_at TEXT NOT NULL,"
                            " code_expires_at TEXT NOT NULL,"
                            " phone_proven_at TEXT,"
                            " decided_at TEXT,"
                            " decided_by TEXT)"),
             QStringLiteral("CREATE INDEX pending_registrations_phone ON"
                            " pending_registrations(phone, state)"),
             QStringLiteral("CREATE INDEX pending_registrations_state ON"
                            " pending_registrations(state, code_expires_at)"),
         }},
        {5,
         QStringLiteral("registry PINs and their lockout; revocation by issuer and serial"),
         {
             // A registration's PIN, only as a salted scrypt hash (PinHash), and the wrong PINs
             // counted across calls: pin_failures within the window that began at
             // pin_window_start; past the limit no PIN is taken until pin_locked_until.
             QStringLiteral("ALTER TABLE registry ADD COLUMN pin_hash TEXT"),
             QStringLiteral("ALTER TABLE registry ADD COLUMN pin_failures {integer} NOT NULL"
                            " DEFAULT 0"),
             QStringLiteral("ALTER TABLE registry ADD COLUMN pin_window_start TEXT"),
             QStringLiteral("ALTER TABLE registry ADD COLUMN pin_locked_until TEXT"),
             // Certificate::issuerSerial() of a revoked certificate: every encoding of it is
             // revoked, whatever its fingerprint.
             QStringLiteral("ALTER TABLE revocations ADD COLUMN issuer_serial TEXT"),
             QStringLiteral("CREATE INDEX revocations_issuer_serial ON"
                            " revocations(issuer_serial) WHERE issuer_serial IS NOT NULL"),
         }},
        {6,
         QStringLiteral("voicemail: messages"),
         {
             // One caller's message (VoicemailRepository). The audio is a file named by its
             // SHA-256 in the voicemail folder beside the database; the row keeps the links
             // still to download (download_state 'pending') so a restart resumes them.
             // dedupe_key is the recording id, or the call and start time when there is none,
             // so a repeated call.recording.saved stores one message.
             QStringLiteral("CREATE TABLE voicemail_messages ("
                            " id {rowid},"
                            " dedupe_key TEXT NOT NULL UNIQUE,"
                            " recording_id TEXT,"
                            " call_id TEXT NOT NULL DEFAULT '',"
                            " call_leg_id TEXT NOT NULL DEFAULT '',"
                            " call_session_id TEXT NOT NULL DEFAULT '',"
                            " from_number TEXT NOT NULL DEFAULT '',"
                            " to_number TEXT NOT NULL DEFAULT '',"
                            " received_at TEXT NOT NULL,"
                            " duration_ms {integer},"
                            " format TEXT NOT NULL DEFAULT '',"
                            " url_wav TEXT NOT NULL DEFAULT '',"
                            " url_mp3 TEXT NOT NULL DEFAULT '',"
                            " transcript TEXT,"
                            " file_sha256 TEXT,"
                            " file_path TEXT,"
                            " file_bytes {integer},"
                            " heard_at TEXT,"
                            " deleted_at TEXT,"
                            " download_state TEXT NOT NULL CHECK (download_state IN"
                            " ('awaiting_recording', 'pending', 'downloaded', 'failed',"
                            " 'deleted')),"
                            " download_attempts {integer} NOT NULL DEFAULT 0,"
                            " error TEXT NOT NULL DEFAULT '',"
                            " updated_at TEXT NOT NULL)"),
             QStringLiteral("CREATE INDEX voicemail_messages_recording ON"
                            " voicemail_messages(recording_id)"),
             QStringLiteral("CREATE INDEX voicemail_messages_state ON"
                            " voicemail_messages(download_state)"),
             QStringLiteral("CREATE INDEX voicemail_messages_received ON"
                            " voicemail_messages(received_at)"),
         }},
        {7,
         QStringLiteral("fewer indexes to write per event"),
         {
             // Every append paid for these (a B-tree insert, and for calls_updated_seq a move
             // on each call update, with their pages in the write-ahead log) and no query uses
             // them: events are read by seq, call_id and type; calls by started_at and the
             // numbers, updated_seq only breaking ties of started_at (a sort the index cannot
             // serve).
             QStringLiteral("DROP INDEX IF EXISTS events_recorded_at"),
             QStringLiteral("DROP INDEX IF EXISTS calls_updated_seq"),
         }},
        {8,
         QStringLiteral("instances on one database: who appended each event, and their leases"),
         {
             // The engine instance that appended the event (NULL: a single instance, or an
             // administration command). Hashed when set (HashChain), so rows before it verify
             // as they always did.
             QStringLiteral("ALTER TABLE events ADD COLUMN instance TEXT"),
             // Each running engine instance on the database, seen_at renewed while it lives:
             // the commands it sent are leased to it until seen_at + its lease, and taken over
             // by another instance after that (README "Two instances on one database").
             QStringLiteral("CREATE TABLE instances ("
                            " id TEXT PRIMARY KEY,"
                            " started_at TEXT NOT NULL,"
                            " seen_at TEXT NOT NULL,"
                            " lease_secs {integer} NOT NULL,"
                            " stopped_at TEXT)"),
         }},
        // Append new steps here (version 8, 9, ...).
    };
}

// The steps in `dialect`'s words.
QList<Migration> spell(const QList<Migration> &steps, const SqlDialect &dialect)
{
    QList<Migration> out;
    for (Migration step : steps) {
        QStringList statements;
        for (const QString &sql : std::as_const(step.statements)) {
            if (sql == QLatin1String("{append_only_triggers}")) {
                statements << dialect.appendOnlyTriggers();
                continue;
            }
            QString spelled = sql;
            spelled.replace(QLatin1String("{integer}"), dialect.integer());
            spelled.replace(QLatin1String("{rowid}"), dialect.rowIdKey());
            spelled.replace(QLatin1String("{without_rowid}"), dialect.withoutRowId());
            statements << spelled;
        }
        step.statements = statements;
        out << step;
    }
    return out;
}

QString sqlError(const QSqlQuery &q)
{
    const QSqlError e = q.lastError();
    return e.databaseText().isEmpty() ? e.text() : e.databaseText();
}

} // namespace

const QList<Migration> &Schema::migrations(const SqlDialect &dialect)
{
    static const QList<Migration> sqlite = spell(migrationText(), SqlDialect::sqlite());
    static const QList<Migration> postgresql = spell(migrationText(), SqlDialect::postgresql());
    return dialect.isPostgreSQL() ? postgresql : sqlite;
}

const QList<Migration> &Schema::migrations()
{
    return migrations(SqlDialect::sqlite());
}

int Schema::latestVersion()
{
    const auto &steps = migrations();
    return steps.isEmpty() ? 0 : steps.last().version;
}

int Schema::userVersion(QSqlDatabase &db, QString *error)
{
    const SqlDialect dialect = SqlDialect::of(db);
    QSqlQuery q(db);
    if (dialect.isPostgreSQL()) {
        // No version table yet: a database no migration has run on.
        if (!q.exec(dialect.versionTableExists()) || !q.next()) {
            if (error)
                *error = sqlError(q);
            return -1;
        }
        if (!q.value(0).toBool())
            return 0;
    }
    if (!q.exec(dialect.readVersion()) || !q.next()) {
        if (error)
            *error = sqlError(q);
        return -1;
    }
    return q.value(0).toInt();
}

bool Schema::migrate(QSqlDatabase &db, QString *error, int *applied)
{
    return migrate(db, migrations(SqlDialect::of(db)), error, applied);
}

bool Schema::migrate(QSqlDatabase &db, const QList<Migration> &steps, QString *error, int *applied)
{
    const SqlDialect dialect = SqlDialect::of(db);
    auto fail = [&](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    if (applied)
        *applied = 0;
    const int latest = steps.isEmpty() ? 0 : steps.last().version;

    QString readError;
    const int current = userVersion(db, &readError);
    if (current < 0)
        return fail(readError);
    if (current > latest)
        return fail(QStringLiteral("database schema version %1 is newer than this version of "
                                   "kevan-tel supports (%2); use a newer kevan-tel")
                        .arg(current)
                        .arg(latest));

    for (const Migration &step : steps) {
        if (step.version <= current)
            continue;
        QSqlQuery q(db);
        // SQLite: BEGIN IMMEDIATE holds the write lock. PostgreSQL: the migration lock, and
        // the version table made in the same transaction.
        if (!q.exec(dialect.beginWrite()) ||
            (dialect.isPostgreSQL() &&
             (!q.exec(dialect.migrationLock()) || !q.exec(dialect.createVersionTable())))) {
            const QString message = sqlError(q);
            QSqlQuery(db).exec(QStringLiteral("ROLLBACK"));
            return fail(QStringLiteral("migration %1: cannot start a transaction: %2")
                            .arg(step.version)
                            .arg(message));
        }
        // Another process may have migrated while we waited for the write lock.
        const int now = userVersion(db, &readError);
        if (now < 0 || now >= step.version) {
            q.exec(QStringLiteral("ROLLBACK"));
            if (now < 0)
                return fail(readError);
            continue;
        }
        if (now != step.version - 1) {
            q.exec(QStringLiteral("ROLLBACK"));
            return fail(QStringLiteral("migration %1 expects schema version %2, found %3")
                            .arg(step.version)
                            .arg(step.version - 1)
                            .arg(now));
        }
        for (const QString &sql : step.statements) {
            QSqlQuery s(db);
            if (!s.exec(sql)) {
                const QString message = sqlError(s);
                s.finish();
                q.exec(QStringLiteral("ROLLBACK"));
                return fail(QStringLiteral("migration %1 (%2) failed: %3")
                                .arg(step.version)
                                .arg(step.description, message));
            }
        }
        QSqlQuery v(db);
        bool written = true;
        for (const QString &sql : dialect.writeVersion(step.version))
            written = written && v.exec(sql);
        if (!written || !q.exec(QStringLiteral("COMMIT"))) {
            const QString message = v.lastError().isValid() ? sqlError(v) : sqlError(q);
            QSqlQuery(db).exec(QStringLiteral("ROLLBACK"));
            return fail(QStringLiteral("migration %1 (%2) failed: %3")
                            .arg(step.version)
                            .arg(step.description, message));
        }
        if (applied)
            ++*applied;
    }
    return true;
}

} // namespace kt
