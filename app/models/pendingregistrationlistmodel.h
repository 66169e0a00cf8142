// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "snapshotlistmodel.h"

#include <QtQml/qqmlregistration.h>

namespace kt {

// Callers' self-registrations still open (waiting for the call from their phone, or for the
// owner), oldest first: the namespace, the certificate's state now, the phone and both proofs,
// for the Registry page's Approve / Deny (EngineController::approveRegistration).
class PendingRegistrationListModel : public kt::SnapshotListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("the app creates it")
public:
    enum Role {
        IdRole = FirstRole,   // 32 hex digits (the key)
        NamespaceRole,        // "alice.x"
        PhoneRole,            // E.164
        PhoneTextRole,        // "(812) 404-0851"
        StateRole,            // awaiting_call | awaiting_owner
        StateKindRole,        // the same as a RegistrationState::Value (an int), for the QML
        StateTextRole,        // "Waiting for you" ...
        CertificateValidRole, // the certificate verifies now against the trusted roots
        CertificateTextRole,  // "valid · Ed25519 · 3f2a…"
        NamespaceProofRole,   // one sentence: the certificate and the signature
        PhoneProofRole,       // one sentence: the call-in, done or awaited
        SubmittedTextRole,    // when the page's form was submitted, local time
        CanApproveRole,       // both proofs passed
    };
    Q_ENUM(Role)

    explicit PendingRegistrationListModel(QObject *parent = nullptr);

protected:
    QList<Row> load(ReadOnlyDatabase &database, QString *error) override;
};

} // namespace kt
