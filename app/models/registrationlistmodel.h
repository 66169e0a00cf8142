// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "snapshotlistmodel.h"

#include <QtQml/qqmlregistration.h>

namespace kt {

// The caller registry (ScreeningRepository::registrations(), by phone): which phone belongs to
// which namespace, and whether that namespace's certificate is valid now.
class RegistrationListModel : public kt::SnapshotListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("the app creates it")
public:
    enum Role {
        PhoneRole = FirstRole, // E.164 (the key)
        PhoneTextRole,         // "(415) 555-0132"
        NamespaceRole,         // "alice.x"
        FingerprintRole,       // SHA-256 of the certificate registered with it
        FingerprintShortRole,  // its first 16 hex digits
        VerifiedTextRole,      // when it was registered, local time
        CertificateValidRole,  // the certificate verifies now
        CertificateCodeRole,   // CertCheck::code: valid, expired, revoked, ...
        CertificateReasonRole, // one sentence
    };
    Q_ENUM(Role)

    explicit RegistrationListModel(QObject *parent = nullptr);

protected:
    QList<Row> load(ReadOnlyDatabase &database, QString *error) override;
};

} // namespace kt
