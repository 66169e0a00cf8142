// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "screeningrecords.h"

#include <QJsonObject>
#include <QSqlQuery>

#include <optional>

namespace kt {

struct ScreeningTables;
struct CallUpdate;
class CertificateRepository;

// The caller registry (the registry table): registered phones, their PINs and the count of
// wrong PINs. A registration needs a valid certificate of its namespace (CertificateRepository).
class RegistryRepository
{
public:
    // Wrong PINs are counted per registration across calls: PinFailureLimit wrong PINs within
    // PinFailureWindowSecs lock the registration's PIN for PinLockSecs.
    static constexpr int PinFailureLimit = 5;
    static constexpr int PinFailureWindowSecs = 3600;
    static constexpr int PinLockSecs = 3600;

    RegistryRepository(ScreeningTables &tables, const CertificateRepository &certificates);

    std::optional<Registration> registration(const QString &e164) const;
    QList<RegistrationInfo> registrations(const QDateTime &at) const;

    ScreeningResult registerPhone(const QString &phone, const QString &nameSpace,
                                  const QString &actor, const QString &pin);
    ScreeningResult unregister(const QString &phone, const QString &actor);
    ScreeningResult setPin(const QString &phone, const QString &pin, const QString &actor);
    ScreeningResult setPinHash(const QString &phone, const QString &storedHash,
                               const QString &actor);
    ScreeningResult clearPin(const QString &phone, const QString &actor);

    PinCheck checkPin(const QString &e164, const QString &digits) const;
    ScreeningResult recordPinAttempt(const PinCheck &check, int pinTry, const QString &callId,
                                     const QJsonObject &extra, const QString &actor,
                                     const CallUpdate *update);

private:
    ScreeningTables &m_tables;
    const CertificateRepository &m_certificates;
    mutable std::optional<QSqlQuery> m_registration; // hot path, prepared once
};

} // namespace kt
