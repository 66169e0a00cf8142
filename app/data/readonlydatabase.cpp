// SPDX-License-Identifier: GPL-3.0-or-later
#include "readonlydatabase.h"

#include "screening/screeningrepository.h"
#include "store/eventstore.h"

#include <atomic>

namespace kt {

ReadOnlyDatabase::ReadOnlyDatabase() = default;

ReadOnlyDatabase::~ReadOnlyDatabase()
{
    close();
}

QString ReadOnlyDatabase::uniqueConnectionName(const QString &purpose)
{
    static std::atomic<int> counter{0};
    return QStringLiteral("ui-%1-%2").arg(purpose).arg(++counter);
}

bool ReadOnlyDatabase::open(const QString &path, const QString &purpose)
{
    close();
    m_path = path;
    m_purpose = purpose;
    auto store = std::make_unique<EventStore>();
    if (!store->open(path, uniqueConnectionName(purpose), EventStore::Mode::ReadOnly)) {
        m_error = store->errorString();
        return false;
    }
    m_error.clear();
    m_store = std::move(store);
    m_repository = std::make_unique<ScreeningRepository>(*m_store);
    return true;
}

void ReadOnlyDatabase::close()
{
    m_repository.reset(); // before the store it works on
    m_store.reset();
}

bool ReadOnlyDatabase::isOpen() const
{
    return m_store && m_store->isOpen();
}

bool ReadOnlyDatabase::reopenIfBroken()
{
    if (m_path.isEmpty())
        return false;
    if (isOpen() && m_store->lastSeq() >= 0)
        return true;
    return open(m_path, m_purpose);
}

} // namespace kt
