// SPDX-License-Identifier: GPL-3.0-or-later
#include "certificaterepository.h"

#include "registryrepository.h"
#include "screeningevents.h"
#include "screeningtables.h"
#include "store/sqldialect.h"
#include "store/sqlquery.h"

#include <QJsonArray>
#include <QSqlError>

namespace kt {
using namespace screeningsql;

namespace {
CertCheck toCheck(const CertStatus &status)
{
    return CertCheck{status.isValid(), status.codeString(), status.reason};
}
} // namespace

CertificateRepository::CertificateRepository(ScreeningTables &tables) : m_tables(tables) {}

qint64 CertificateRepository::readDataVersion() const
{
    // PostgreSQL has no commit counter to ask: -1 keeps no cache, so the trust store is read
    // again each time (telling instances apart by LISTEN/NOTIFY is not there yet).
    if (SqlDialect::of(m_tables.db()).isPostgreSQL())
        return -1;
    if (!m_tables.prepare(m_dataVersion, QStringLiteral("PRAGMA data_version")))
        return -1;
    qint64 v = -1;
    if (m_dataVersion->exec() && m_dataVersion->next())
        v = m_dataVersion->value(0).toLongLong();
    m_dataVersion->finish();
    return v;
}

const TrustStore &CertificateRepository::cachedTrustStore() const
{
    const qint64 version = readDataVersion();
    const quint64 generation = m_tables.generation();
    if (m_trust && version >= 0 && version == m_trustVersion && generation == m_trustGeneration)
        return *m_trust;
    TrustStore t;
    QSqlDatabase database = m_tables.db();
    {
        QSqlQuery q(database);
        if (m_tables.select(q, QStringLiteral("SELECT pem FROM trusted_roots ORDER BY added_at"))) {
            while (q.next()) {
                if (auto c = Certificate::fromPem(q.value(0).toString().toUtf8()))
                    t.addRoot(*c);
            }
        }
    }
    {
        QSqlQuery q(database);
        if (m_tables.select(q,
                            QStringLiteral("SELECT fingerprint, issuer_serial FROM revocations"))) {
            while (q.next()) {
                t.revoke(q.value(0).toString());
                t.revokeIssuerSerial(q.value(1).toString());
            }
        }
    }
    m_trust = t;
    m_trustVersion = version;
    m_trustGeneration = generation;
    return *m_trust;
}

Certificate CertificateRepository::loadCertificate(const QString &fingerprint) const
{
    const auto cached = m_certificateCache.constFind(fingerprint);
    if (cached != m_certificateCache.cend())
        return *cached;
    if (!m_tables.prepare(m_certificate,
                          QStringLiteral("SELECT pem FROM certificates WHERE fingerprint = ?")))
        return Certificate();
    m_certificate->bindValue(0, fingerprint);
    Certificate cert;
    if (m_certificate->exec() && m_certificate->next()) {
        if (auto c = Certificate::fromPem(m_certificate->value(0).toString().toUtf8()))
            cert = *c;
    } else if (m_certificate->lastError().isValid()) {
        m_tables.error = sql::errorText(*m_certificate);
    }
    m_certificate->finish();
    if (!cert.isNull()) {
        if (m_certificateCache.size() > 1000)
            m_certificateCache.clear();
        m_certificateCache.insert(fingerprint, cert);
    }
    return cert;
}

QList<Certificate> CertificateRepository::certificatesFor(const QString &nameSpace) const
{
    QList<Certificate> out;
    if (!m_tables.prepare(m_namespaceCertificates,
                          QStringLiteral("SELECT fingerprint FROM certificate_namespaces"
                                         " WHERE namespace = ?")))
        return out;
    m_namespaceCertificates->bindValue(0, nameSpace);
    QStringList fingerprints;
    if (m_namespaceCertificates->exec()) {
        while (m_namespaceCertificates->next())
            fingerprints.append(m_namespaceCertificates->value(0).toString());
    } else {
        m_tables.error = sql::errorText(*m_namespaceCertificates);
    }
    m_namespaceCertificates->finish();
    for (const QString &fp : fingerprints) {
        const Certificate c = loadCertificate(fp);
        if (!c.isNull())
            out.append(c);
    }
    return out;
}

std::pair<Certificate, CertStatus>
CertificateRepository::bestCertificate(const QString &nameSpace, const QDateTime &when) const
{
    const TrustStore &t = cachedTrustStore();
    Certificate best;
    CertStatus bestStatus;
    for (const Certificate &c : certificatesFor(nameSpace)) {
        const CertStatus s = t.verify(c, {}, nameSpace, c.fingerprint(), when);
        const bool better = best.isNull() || (s.isValid() && !bestStatus.isValid()) ||
                            (s.isValid() == bestStatus.isValid() && c.notAfter() > best.notAfter());
        if (better) {
            best = c;
            bestStatus = s;
        }
    }
    return {best, bestStatus};
}

bool CertificateRepository::trustedRootExists(const QString &fingerprint) const
{
    QSqlDatabase database = m_tables.db();
    QSqlQuery q(database);
    return m_tables.select(q, QStringLiteral("SELECT 1 FROM trusted_roots WHERE fingerprint = ?"),
                           {fingerprint}) &&
           q.next();
}

TrustStore CertificateRepository::trustStore() const
{
    return cachedTrustStore();
}

CertCheck CertificateRepository::checkCertificate(const QString &nameSpace,
                                                  const QString &fingerprint,
                                                  const QDateTime &now) const
{
    const QDateTime when = m_tables.at(now);
    const QString ns = nameSpace.trimmed().toLower();
    if (fingerprint.trimmed().isEmpty()) {
        const auto [cert, status] = bestCertificate(ns, when);
        if (cert.isNull())
            return CertCheck{false, QStringLiteral("missing"),
                             QStringLiteral("no certificate for %1 is stored").arg(ns)};
        return toCheck(status);
    }
    const QString fp = Certificate::normalizeFingerprint(fingerprint);
    const Certificate cert = fp.isEmpty() ? Certificate() : loadCertificate(fp);
    if (cert.isNull())
        return CertCheck{false, QStringLiteral("missing"),
                         QStringLiteral("no certificate for %1 with SHA-256 %2 is stored")
                             .arg(ns, fp.isEmpty() ? fingerprint.trimmed() : fp)};
    return toCheck(cachedTrustStore().verify(cert, {}, ns, fp, when));
}

QList<TrustedRootInfo> CertificateRepository::roots() const
{
    QList<TrustedRootInfo> out;
    const TrustStore &t = cachedTrustStore();
    QSqlDatabase database = m_tables.db();
    QSqlQuery q(database);
    if (!m_tables.select(q, QStringLiteral("SELECT fingerprint, pem, subject, not_after, added_at"
                                           " FROM trusted_roots ORDER BY added_at, fingerprint")))
        return out;
    while (q.next()) {
        TrustedRootInfo r;
        r.fingerprint = q.value(0).toString();
        if (auto c = Certificate::fromPem(q.value(1).toString().toUtf8()))
            r.certificate = *c;
        r.subject = q.value(2).toString();
        r.notAfter = parseTime(q.value(3).toString());
        r.addedAt = parseTime(q.value(4).toString());
        r.revoked =
            r.certificate.isNull() ? t.isRevoked(r.fingerprint) : t.isRevoked(r.certificate);
        out.append(r);
    }
    return out;
}

QList<CertificateInfo> CertificateRepository::certificates(const QDateTime &at) const
{
    QList<CertificateInfo> out;
    const QDateTime when = m_tables.at(at);
    const TrustStore t = cachedTrustStore();
    QSqlDatabase database = m_tables.db();
    QSqlQuery q(database);
    if (!m_tables.select(q, QStringLiteral("SELECT fingerprint, namespace, pem, subject, issuer,"
                                           " not_before, not_after, added_at FROM certificates"
                                           " ORDER BY namespace, not_after, fingerprint")))
        return out;
    while (q.next()) {
        CertificateInfo c;
        c.fingerprint = q.value(0).toString();
        c.nameSpace = q.value(1).toString();
        if (auto cert = Certificate::fromPem(q.value(2).toString().toUtf8()))
            c.certificate = *cert;
        c.namespaces = c.certificate.namespaces();
        c.subject = q.value(3).toString();
        c.issuer = q.value(4).toString();
        c.notBefore = parseTime(q.value(5).toString());
        c.notAfter = parseTime(q.value(6).toString());
        c.addedAt = parseTime(q.value(7).toString());
        c.status = toCheck(t.verify(c.certificate, {}, c.nameSpace, c.fingerprint, when));
        out.append(c);
    }
    return out;
}

QList<RevocationInfo> CertificateRepository::revocations() const
{
    QList<RevocationInfo> out;
    QSqlDatabase database = m_tables.db();
    QSqlQuery q(database);
    if (!m_tables.select(q, QStringLiteral("SELECT fingerprint, revoked_at, note FROM revocations"
                                           " ORDER BY revoked_at, fingerprint")))
        return out;
    while (q.next())
        out.append(
            {q.value(0).toString(), parseTime(q.value(1).toString()), q.value(2).toString()});
    return out;
}

ScreeningResult CertificateRepository::trustRoot(const QByteArray &pem, const QString &actor)
{
    QString error;
    const auto cert = Certificate::fromPem(pem, &error);
    if (!cert)
        return m_tables.fail(QStringLiteral("cannot trust root: %1").arg(error));
    TrustStore probe;
    if (!probe.addRoot(*cert, &error))
        return m_tables.fail(QStringLiteral("cannot trust root: %1").arg(error));
    ScreeningResult result;
    result.fingerprint = cert->fingerprint();
    if (trustedRootExists(result.fingerprint))
        return m_tables.noChange(result, QStringLiteral("root %1 (SHA-256 %2) is already trusted")
                                             .arg(cert->subject(), result.fingerprint));
    result.message =
        QStringLiteral("trusted root %1 (SHA-256 %2)").arg(cert->subject(), result.fingerprint);
    const QDateTime when = m_tables.now();
    if (cert->notAfter().isValid() && !(when < cert->notAfter()))
        result.message += QStringLiteral("; note: it expired on %1")
                              .arg(cert->notAfter().date().toString(Qt::ISODate));
    const QString fp = result.fingerprint;
    const QString pemText = QString::fromLatin1(cert->toPem());
    const QString subject = cert->subject();
    const QString notAfter = formatTime(cert->notAfter());
    const QString addedAt = formatTime(when);
    const QJsonObject payload{{QStringLiteral("fingerprint"), fp},
                              {QStringLiteral("subject"), subject},
                              {QStringLiteral("not_before"), formatTime(cert->notBefore())},
                              {QStringLiteral("not_after"), notAfter},
                              {QStringLiteral("self_signed"), cert->isSelfSigned()},
                              {QStringLiteral("pem"), pemText}};
    return m_tables.commit(
        result, QString::fromLatin1(ScreeningEvents::RootTrusted), actor, payload,
        [=](QSqlDatabase &db) {
            const QString e =
                execSql(db,
                        QStringLiteral("INSERT INTO trusted_roots (fingerprint, pem, subject,"
                                       " not_after, added_at) VALUES (?, ?, ?, ?, ?)"),
                        {fp, pemText, subject, textOrNull(notAfter), addedAt});
            return e.isEmpty() ? e : QStringLiteral("cannot store the root: %1").arg(e);
        });
}

ScreeningResult CertificateRepository::addCertificate(const QByteArray &pem, const QString &actor)
{
    QString error;
    const auto cert = Certificate::fromPem(pem, &error);
    if (!cert)
        return m_tables.fail(QStringLiteral("cannot add certificate: %1").arg(error));
    if (cert->isCa())
        return m_tables.fail(
            QStringLiteral("cannot add certificate %1: it is a certificate authority;"
                           " trust it as a root instead (certs trust)")
                .arg(cert->subject()));
    const QStringList namespaces = cert->namespaces();
    if (namespaces.isEmpty())
        return m_tables.fail(
            QStringLiteral("cannot add certificate %1: it names no namespace (it needs"
                           " a DNS subject alternative name ending in .x, e.g."
                           " alice.x)")
                .arg(cert->subject()));
    ScreeningResult result;
    result.fingerprint = cert->fingerprint();
    const QString ns = namespaces.first();
    if (!loadCertificate(result.fingerprint).isNull())
        return m_tables.noChange(result, QStringLiteral("certificate for %1 (SHA-256 %2) is already"
                                                        " stored")
                                             .arg(ns, result.fingerprint));
    const QDateTime when = m_tables.now();
    const CertStatus status = cachedTrustStore().verify(*cert, {}, ns, QString(), when);
    if (!status.isValid())
        return m_tables.fail(
            QStringLiteral("refused certificate for %1: %2").arg(ns, status.reason));
    result.message = QStringLiteral("added certificate for %1 (SHA-256 %2), valid until %3")
                         .arg(namespaces.join(QStringLiteral(", ")), result.fingerprint,
                              cert->notAfter().toString(Qt::ISODate));
    const QString fp = result.fingerprint;
    const QString pemText = QString::fromLatin1(cert->toPem());
    const QString subject = cert->subject();
    const QString issuer = cert->issuer();
    const QString notBefore = formatTime(cert->notBefore());
    const QString notAfter = formatTime(cert->notAfter());
    const QString addedAt = formatTime(when);
    const QJsonObject payload{
        {QStringLiteral("fingerprint"), fp},
        {QStringLiteral("namespace"), ns},
        {QStringLiteral("namespaces"), QJsonArray::fromStringList(namespaces)},
        {QStringLiteral("subject"), subject},
        {QStringLiteral("issuer"), issuer},
        {QStringLiteral("not_before"), notBefore},
        {QStringLiteral("not_after"), notAfter},
        {QStringLiteral("pem"), pemText}};
    return m_tables.commit(
        result, QString::fromLatin1(ScreeningEvents::CertificateAdded), actor, payload,
        [=](QSqlDatabase &db) {
            QString e = execSql(db,
                                QStringLiteral("INSERT INTO certificates (fingerprint, namespace,"
                                               " pem, subject, issuer, not_before, not_after,"
                                               " added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
                                {fp, ns, pemText, subject, issuer, textOrNull(notBefore),
                                 textOrNull(notAfter), addedAt});
            for (int i = 0; e.isEmpty() && i < namespaces.size(); ++i)
                e = execSql(db,
                            QStringLiteral("INSERT INTO certificate_namespaces"
                                           " (namespace, fingerprint) VALUES (?, ?)"
                                           " ON CONFLICT DO NOTHING"),
                            {namespaces.at(i), fp});
            return e.isEmpty() ? e : QStringLiteral("cannot store the certificate: %1").arg(e);
        });
}

ScreeningResult CertificateRepository::revokeCertificate(const QString &fingerprint,
                                                         const QString &note, const QString &actor,
                                                         const RegistryRepository &registry)
{
    const QString fp = Certificate::normalizeFingerprint(fingerprint);
    if (fp.isEmpty())
        return m_tables.fail(QStringLiteral("%1 is not a SHA-256 fingerprint (64 hex digits, ':'"
                                            " separators allowed)")
                                 .arg(quoted(fingerprint.trimmed())));
    const QString text = note.trimmed();
    if (text.size() > MaxNoteLength)
        return m_tables.fail(
            QStringLiteral("the note is too long (at most %1 characters)").arg(MaxNoteLength));
    ScreeningResult result;
    result.fingerprint = fp;
    const TrustStore before = cachedTrustStore();
    if (before.isRevoked(fp))
        return m_tables.noChange(result, QStringLiteral("SHA-256 %1 is already revoked").arg(fp));

    QString what = QStringLiteral("unknown");
    QString description = QStringLiteral("SHA-256 %1 (not a stored certificate or root)").arg(fp);
    QString nameSpace;
    // Known certificates are revoked by issuer and serial number too, so that another encoding
    // of the same certificate (another fingerprint) is revoked with it.
    QString issuerSerial;
    const Certificate cert = loadCertificate(fp);
    if (!cert.isNull()) {
        what = QStringLiteral("certificate");
        nameSpace = cert.namespaces().value(0);
        description = QStringLiteral("certificate for %1 (SHA-256 %2)").arg(nameSpace, fp);
        issuerSerial = cert.issuerSerial();
    } else if (before.isTrustedRoot(fp)) {
        what = QStringLiteral("trusted_root");
        for (const Certificate &r : before.roots()) {
            if (r.fingerprint() == fp) {
                description = QStringLiteral("trusted root %1 (SHA-256 %2)").arg(r.subject(), fp);
                issuerSerial = r.issuerSerial();
            }
        }
    }
    // Registrations that authenticate now and would not after the revocation.
    TrustStore after = before;
    after.revoke(fp);
    after.revokeIssuerSerial(issuerSerial);
    const QDateTime when = m_tables.now();
    QJsonArray affected;
    for (const RegistrationInfo &r : registry.registrations(when)) {
        if (!r.status.valid)
            continue;
        const Certificate c = loadCertificate(r.registration.certificateFingerprint);
        if (!after
                 .verify(c, {}, r.registration.nameSpace, r.registration.certificateFingerprint,
                         when)
                 .isValid())
            affected.append(r.registration.phone);
    }
    result.message = QStringLiteral("revoked %1").arg(description);
    if (!affected.isEmpty())
        result.message +=
            QStringLiteral("; %1 registered phone(s) no longer authenticate").arg(affected.size());
    const QString revokedAt = formatTime(when);
    QJsonObject payload{{QStringLiteral("fingerprint"), fp},
                        {QStringLiteral("note"), text},
                        {QStringLiteral("what"), what},
                        {QStringLiteral("affected_registrations"), affected}};
    if (!nameSpace.isEmpty())
        payload.insert(QStringLiteral("namespace"), nameSpace);
    if (!issuerSerial.isEmpty())
        payload.insert(QStringLiteral("issuer_serial"), issuerSerial);
    return m_tables.commit(
        result, QString::fromLatin1(ScreeningEvents::CertificateRevoked), actor, payload,
        [=](QSqlDatabase &db) {
            const QString e =
                execSql(db,
                        QStringLiteral("INSERT INTO revocations (fingerprint, revoked_at,"
                                       " note, issuer_serial) VALUES (?, ?, ?, ?)"),
                        {fp, revokedAt, text, textOrNull(issuerSerial)});
            return e.isEmpty() ? e : QStringLiteral("cannot store the revocation: %1").arg(e);
        });
}

} // namespace kt
