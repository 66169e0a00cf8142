// SPDX-License-Identifier: GPL-3.0-or-later
#include "pendingregistrationlistmodel.h"

#include "codeenums.h"
#include "data/readonlydatabase.h"
#include "displaytext.h"
#include "registration/registrationstore.h"
#include "screening/certificate.h"
#include "screening/screeningrepository.h"

namespace kt {

PendingRegistrationListModel::PendingRegistrationListModel(QObject *parent)
    : SnapshotListModel({"registrationId", "nameSpace", "phone", "phoneText", "state", "stateKind",
                         "stateText", "certificateValid", "certificateText", "namespaceProof",
                         "phoneProof", "submittedText", "canApprove"},
                        QStringLiteral("pending registrations"), parent)
{}

QList<SnapshotListModel::Row> PendingRegistrationListModel::load(ReadOnlyDatabase &database,
                                                                 QString *error)
{
    RegistrationStore store(database.store());
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QList<PendingRegistration> open = store.open(now);
    if (open.isEmpty() && !store.errorString().isEmpty()) {
        *error = store.errorString();
        return {};
    }
    const TrustStore trust = database.repository().trustStore();
    QList<Row> rows;
    for (const PendingRegistration &r : open) {
        const QList<Certificate> chain = Certificate::allFromPem(r.certificatePem);
        const CertStatus status =
            chain.isEmpty() ? CertStatus{}
                            : trust.verify(chain.first(), chain.mid(1), r.nameSpace, {}, now);
        const bool valid = !chain.isEmpty() && status.code == CertStatus::Code::Valid;
        const bool proven = r.state == PendingRegistration::State::AwaitingOwner;
        const QString keyType =
            r.keyType == QLatin1String("ecdsa-p256") ? tr("ECDSA P-256") : tr("Ed25519");
        Row row = emptyRow();
        row[at(IdRole)] = r.id;
        row[at(NamespaceRole)] = DisplayText::plain(r.nameSpace);
        row[at(PhoneRole)] = r.phone;
        row[at(PhoneTextRole)] = DisplayText::number(r.phone);
        row[at(StateRole)] = PendingRegistration::stateName(r.state);
        row[at(StateKindRole)] = int(RegistrationState::fromCore(r.state));
        row[at(StateTextRole)] = proven ? tr("Waiting for you") : tr("Waiting for the call");
        row[at(CertificateValidRole)] = valid;
        row[at(CertificateTextRole)] =
            tr("%1 · %2 · %3")
                .arg(valid ? tr("certificate valid")
                           : tr("certificate %1")
                                 .arg(chain.isEmpty() ? QStringLiteral("unreadable")
                                                      : status.codeString()),
                     keyType, r.certificateFingerprint.left(16));
        row[at(NamespaceProofRole)] =
            tr("Signed a fresh challenge with the key of a certificate for %1")
                .arg(DisplayText::plain(r.nameSpace));
        row[at(PhoneProofRole)] =
            proven ? tr("Called %1 and keyed in the code, %2")
                         .arg(DisplayText::number(r.callInNumber),
                              DisplayText::time(RegistrationStore::formatTime(r.phoneProvenAt)))
                   : tr("Not yet: must call %1 from this phone by %2")
                         .arg(DisplayText::number(r.callInNumber),
                              r.codeExpiresAt.toLocalTime().toString(QStringLiteral("HH:mm")));
        row[at(SubmittedTextRole)] = DisplayText::time(RegistrationStore::formatTime(r.createdAt));
        row[at(CanApproveRole)] = proven && valid;
        rows.append(row);
    }
    return rows;
}

} // namespace kt
