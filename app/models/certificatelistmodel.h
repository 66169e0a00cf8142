// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "snapshotlistmodel.h"

#include <QtQml/qqmlregistration.h>

namespace kt {

// The trusted roots and the namespace certificates (ScreeningRepository::roots() then
// certificates()), each with whether it is valid now.
class CertificateListModel : public kt::SnapshotListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("the app creates it")
public:
    enum Role {
        FingerprintRole = FirstRole, // SHA-256, hex (the key)
        FingerprintShortRole,        // the first 16 hex digits
        KindRole,                    // "root" | "namespace"
        NamespaceRole,               // the namespaces it names, ", "-separated (empty for a root)
        SubjectRole,
        IssuerRole,
        NotAfterTextRole, // expiry, local time
        ValidRole,
        StatusCodeRole,   // valid, expired, revoked, untrusted, ...
        StatusReasonRole, // one sentence
    };
    Q_ENUM(Role)

    explicit CertificateListModel(QObject *parent = nullptr);

    // A certificate file (path or file: URL) checked as a trusted root (`asRoot`) or a namespace
    // certificate against this list's trust store, before it is added
    // (CertificateInspector::inspect; a file that cannot be read gives ok false and the reason).
    Q_INVOKABLE QVariantMap inspectFile(const QString &pathOrUrl, bool asRoot);

protected:
    QList<Row> load(ReadOnlyDatabase &database, QString *error) override;
};

} // namespace kt
