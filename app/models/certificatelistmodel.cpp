// SPDX-License-Identifier: GPL-3.0-or-later
#include "certificatelistmodel.h"

#include "certificateinspector.h"
#include "displaytext.h"
#include "screening/screeningrepository.h"

namespace kt {

CertificateListModel::CertificateListModel(QObject *parent)
    : SnapshotListModel({"fingerprint", "fingerprintShort", "kind", "nameSpace", "subject",
                         "issuer", "notAfterText", "valid", "statusCode", "statusReason"},
                        QStringLiteral("certificates"), parent)
{}

QVariantMap CertificateListModel::inspectFile(const QString &pathOrUrl, bool asRoot)
{
    QString error;
    const QByteArray pem = CertificateInspector::readFile(pathOrUrl, &error);
    if (pem.isEmpty())
        return {{QStringLiteral("ok"), false},
                {QStringLiteral("canAdd"), false},
                {QStringLiteral("message"), error}};
    if (!isOpen())
        return {{QStringLiteral("ok"), false},
                {QStringLiteral("canAdd"), false},
                {QStringLiteral("message"), tr("the certificate list is not open")}};
    refresh(); // the trust store and the list as they are now
    QSet<QString> stored;
    for (int i = 0; i < count(); ++i)
        stored.insert(value(i, QStringLiteral("fingerprint")).toString());
    ScreeningRepository &repository = database().repository();
    return CertificateInspector::inspect(pem, asRoot, repository.trustStore(), stored,
                                         repository.now());
}

QList<SnapshotListModel::Row> CertificateListModel::load(ReadOnlyDatabase &database, QString *error)
{
    ScreeningRepository &repository = database.repository();
    const QDateTime now = repository.now();
    const QList<TrustedRootInfo> roots = repository.roots();
    QString failure = repository.errorString();
    const QList<CertificateInfo> certificates = repository.certificates(now);
    if (failure.isEmpty())
        failure = repository.errorString();
    if (roots.isEmpty() && certificates.isEmpty() && !failure.isEmpty()) {
        *error = failure;
        return {};
    }
    QList<Row> rows;
    for (const TrustedRootInfo &root : roots) {
        Row row = emptyRow();
        row[at(FingerprintRole)] = root.fingerprint;
        row[at(FingerprintShortRole)] = root.fingerprint.left(16);
        row[at(KindRole)] = QStringLiteral("root");
        row[at(NamespaceRole)] = QString();
        row[at(SubjectRole)] = DisplayText::plain(root.subject, 200);
        row[at(IssuerRole)] = DisplayText::plain(root.subject, 200);
        row[at(NotAfterTextRole)] =
            DisplayText::time(ScreeningRepository::formatTime(root.notAfter));
        const bool expired = root.notAfter.isValid() && root.notAfter < now;
        row[at(ValidRole)] = !root.revoked && !expired;
        row[at(StatusCodeRole)] = root.revoked ? QStringLiteral("revoked")
                                  : expired    ? QStringLiteral("expired")
                                               : QStringLiteral("valid");
        row[at(StatusReasonRole)] = root.revoked ? QStringLiteral("this root was revoked")
                                    : expired
                                        ? QStringLiteral("this root expired")
                                        : QStringLiteral("trusted for namespace certificates");
        rows.append(row);
    }
    for (const CertificateInfo &cert : certificates) {
        Row row = emptyRow();
        row[at(FingerprintRole)] = cert.fingerprint;
        row[at(FingerprintShortRole)] = cert.fingerprint.left(16);
        row[at(KindRole)] = QStringLiteral("namespace");
        row[at(NamespaceRole)] =
            DisplayText::plain(cert.namespaces.join(QStringLiteral(", ")), 200);
        row[at(SubjectRole)] = DisplayText::plain(cert.subject, 200);
        row[at(IssuerRole)] = DisplayText::plain(cert.issuer, 200);
        row[at(NotAfterTextRole)] =
            DisplayText::time(ScreeningRepository::formatTime(cert.notAfter));
        row[at(ValidRole)] = cert.status.valid;
        row[at(StatusCodeRole)] = cert.status.code;
        row[at(StatusReasonRole)] = DisplayText::plain(cert.status.reason, 200);
        rows.append(row);
    }
    return rows;
}

} // namespace kt
