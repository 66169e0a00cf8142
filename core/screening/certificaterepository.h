// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "screeningrecords.h"
#include "truststore.h"

#include <QHash>
#include <QSqlQuery>

#include <optional>
#include <utility>

namespace kt {

struct ScreeningTables;
class RegistryRepository;

// The certificate tables: trusted_roots, certificates (and certificate_namespaces) and
// revocations, and the trust store built from them. The trust store is cached and rebuilt when
// this connection (ScreeningTables::generation) or another one (PRAGMA data_version) committed.
class CertificateRepository
{
public:
    explicit CertificateRepository(ScreeningTables &tables);

    TrustStore trustStore() const;
    CertCheck checkCertificate(const QString &nameSpace, const QString &fingerprint,
                               const QDateTime &now) const;
    // The namespace's certificate to use at `when`: the valid one that expires last, else the
    // invalid one that expires last (for its reason). Null when none is stored.
    std::pair<Certificate, CertStatus> bestCertificate(const QString &nameSpace,
                                                       const QDateTime &when) const;

    ScreeningResult trustRoot(const QByteArray &pem, const QString &actor);
    ScreeningResult addCertificate(const QByteArray &pem, const QString &actor);
    // `registry` tells which registrations the revocation stops from authenticating.
    ScreeningResult revokeCertificate(const QString &fingerprint, const QString &note,
                                      const QString &actor, const RegistryRepository &registry);

    QList<TrustedRootInfo> roots() const;
    QList<CertificateInfo> certificates(const QDateTime &at) const;
    QList<RevocationInfo> revocations() const;

private:
    qint64 readDataVersion() const;
    const TrustStore &cachedTrustStore() const;
    // The stored certificate with this (normalised) fingerprint; null when none.
    Certificate loadCertificate(const QString &fingerprint) const;
    // The certificates naming `nameSpace`.
    QList<Certificate> certificatesFor(const QString &nameSpace) const;
    bool trustedRootExists(const QString &fingerprint) const;

    ScreeningTables &m_tables;
    // Hot-path statements, prepared once.
    mutable std::optional<QSqlQuery> m_dataVersion, m_certificate, m_namespaceCertificates;
    // The trust store as of (m_trustVersion, m_trustGeneration).
    mutable std::optional<TrustStore> m_trust;
    mutable qint64 m_trustVersion = -1;
    mutable quint64 m_trustGeneration = 0;
    // Parsed certificates by fingerprint (a fingerprint names one certificate for ever).
    mutable QHash<QString, Certificate> m_certificateCache;
};

} // namespace kt
