// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include <memory>

namespace kt {

class EventStore;
class ScreeningRepository;

// A read-only view of the database for one dashboard model, in the UI thread: its own
// EventStore connection (EventStore::Mode::ReadOnly, a unique connection name per instance, so
// the engine's writer is never shared; WAL lets both work at once) and the ScreeningRepository
// over it. The dashboard's queries on calls (paged and filtered history, counts per day and per
// number) are the store's CallProjection.
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
    // A connection that broke (a PostgreSQL server restarted, the network gone: its queries
    // fail) or that did not open is opened again with the same path and purpose. True when it
    // is open afterwards; false when it was never opened.
    bool reopenIfBroken();
    QString errorString() const { return m_error; }
    QString path() const { return m_path; }

    EventStore &store() { return *m_store; }
    ScreeningRepository &repository() { return *m_repository; }

    // "ui-<purpose>-<n>", unique in the process.
    static QString uniqueConnectionName(const QString &purpose);

private:
    std::unique_ptr<EventStore> m_store;
    std::unique_ptr<ScreeningRepository> m_repository;
    QString m_path;
    QString m_purpose;
    QString m_error;
};

} // namespace kt
