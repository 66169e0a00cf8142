// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QSqlDatabase>
#include <QString>

#include <memory>

namespace kt {

class EventStore;
class ScreeningRepository;

// A read-only view of the database for one dashboard model, in the UI thread: its own
// EventStore connection (EventStore::Mode::ReadOnly, a unique connection name per instance, so
// the engine's writer is never shared; WAL lets both work at once), the ScreeningRepository over
// it, and the connection for the few queries the dashboard needs that the store does not offer
// (paged and filtered history, call counts per number).
class ReadOnlyDatabase
{
public:
    ReadOnlyDatabase();
    ~ReadOnlyDatabase();
    ReadOnlyDatabase(const ReadOnlyDatabase &) = delete;
    ReadOnlyDatabase &operator=(const ReadOnlyDatabase &) = delete;

    // Opens `path` read-only under a connection name "ui-<purpose>-<n>". False with
    // errorString() on failure (e.g. no database yet, or a schema newer than this build).
    bool open(const QString &path, const QString &purpose);
    void close();
    bool isOpen() const;
    QString errorString() const { return m_error; }
    QString path() const { return m_path; }

    EventStore &store() { return *m_store; }
    ScreeningRepository &repository() { return *m_repository; }
    // The store's connection (same thread): for SELECTs only.
    QSqlDatabase sql() const;

    // "ui-<purpose>-<n>", unique in the process.
    static QString uniqueConnectionName(const QString &purpose);
    // `text` as a LIKE pattern matching it anywhere, with % _ and \ escaped (use ESCAPE '\').
    static QString likeAnywhere(const QString &text);

private:
    std::unique_ptr<EventStore> m_store;
    std::unique_ptr<ScreeningRepository> m_repository;
    QString m_path;
    QString m_error;
};

} // namespace kt
