// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "screeningrecords.h"
#include "store/storedtime.h"

#include <QDateTime>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QVariant>

#include <functional>
#include <optional>

namespace kt {

class EventStore;
struct CallUpdate;

// What the screening repositories (numbers, certificates, registry, rules) share: the event
// store's connection, the clock, the last read error, and one way to read, to write and to
// append a mutation's event with its rows in one transaction. The SQL itself goes through
// store/sqlquery.h, as the other repositories' does.
struct ScreeningTables
{
    using Clock = std::function<QDateTime()>;

    explicit ScreeningTables(EventStore &s) : store(s) {}

    EventStore &store;
    Clock clock;
    mutable QString error; // the last error of a list or lookup

    QSqlDatabase db() const;
    QDateTime now() const;
    QDateTime at(const QDateTime &t) const { return t.isValid() ? t.toUTC() : now(); }

    // Prepares a hot-path statement once into `slot`; false and `error` set on failure.
    bool prepare(std::optional<QSqlQuery> &slot, const QString &statement) const;
    // Runs a read query (an optional list of values); false and `error` set on failure. The
    // caller reads the rows, then calls finish() (a statement left open would pin a snapshot).
    bool select(QSqlQuery &q, const QString &statement, const QVariantList &values = {}) const;

    ScreeningResult fail(const QString &message) const;
    ScreeningResult noChange(ScreeningResult result, const QString &message) const;
    // Appends the event and runs `writes` in the same transaction; a successful mutation bumps
    // the connection's generation (see generation()).
    ScreeningResult commit(ScreeningResult result, const QString &type, const QString &actor,
                           const QJsonObject &payload,
                           const std::function<QString(QSqlDatabase &)> &writes,
                           const QString &callId = QString(), const CallUpdate *update = nullptr);

    // A per-connection counter that every successful mutation bumps, so that every repository
    // on the connection (same thread: connections are per thread) drops what it cached. Commits
    // by other connections show in PRAGMA data_version instead.
    quint64 generation() const;
};

// The helpers of the screening repositories' statements.
namespace screeningsql {

// At most this many characters in a rule's or a revocation's note.
constexpr int MaxNoteLength = 500;

// SQL NULL. (A null QString would bind as NULL too, so execSql() binds null strings as ''.)
QVariant nullText();
QVariant textOrNull(const QString &s);
QString quoted(const QString &s);
// Runs one statement with positional values; an error line or an empty string.
QString execSql(QSqlDatabase &db, const QString &statement, const QVariantList &values,
                int *rowsAffected = nullptr);
// How the tables store times (store/storedtime.h).
using storedtime::formatTime;
using storedtime::parseTime;

} // namespace screeningsql
} // namespace kt
