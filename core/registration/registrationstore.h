// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "pendingregistration.h"

#include <QList>
#include <QString>

#include <optional>

namespace kt {

class EventStore;
struct NewEvent;

// The pending_registrations table in the event store's database. Every change of a
// registration's state is written together with its event, in one transaction (either both are
// stored or neither); bookkeeping that is not an event (a wrong call-in code counted) is written
// on its own. Works on the store's connection, in its thread.
class RegistrationStore
{
public:
    explicit RegistrationStore(EventStore &store);

    // Inserts a new registration and appends `event`. An error message, or empty on success.
    QString insert(const PendingRegistration &registration, const NewEvent &event);
    // Writes the registration's state, timestamps and decision, but only if the stored state is
    // still `expected` (so two deciders cannot both win), and appends `event`.
    QString transition(const PendingRegistration &registration, PendingRegistration::State expected,
                       const NewEvent &event);
    // Writes call_in_failures and state, no event.
    QString updateCallIn(const PendingRegistration &registration);

    std::optional<PendingRegistration> byId(const QString &id) const;
    std::optional<PendingRegistration> byStatusTokenHash(const QString &hash) const;
    // awaiting_call registrations of this phone whose window is still open at `now`.
    QList<PendingRegistration> awaitingCall(const QString &phone, const QDateTime &now) const;
    // awaiting_owner, and awaiting_call still open at `now`; oldest first.
    QList<PendingRegistration> open(const QDateTime &now) const;
    int countOpen(const QDateTime &now) const;

    QString errorString() const { return m_error; }

    static QString formatTime(const QDateTime &time);
    static QDateTime parseTime(const QString &text);

private:
    QList<PendingRegistration> select(const QString &where, const QVariantList &values) const;

    EventStore &m_store;
    mutable QString m_error;
};

} // namespace kt
