// SPDX-License-Identifier: GPL-3.0-or-later
#include "registrationlistmodel.h"

#include "displaytext.h"
#include "screening/screeningrepository.h"

namespace kt {

RegistrationListModel::RegistrationListModel(QObject *parent)
    : SnapshotListModel({"phone", "phoneText", "nameSpace", "fingerprint", "fingerprintShort",
                         "verifiedText", "certificateValid", "certificateCode",
                         "certificateReason"},
                        QStringLiteral("registry"), parent)
{}

QList<SnapshotListModel::Row> RegistrationListModel::load(ReadOnlyDatabase &database,
                                                          QString *error)
{
    ScreeningRepository &repository = database.repository();
    const QList<RegistrationInfo> registrations = repository.registrations();
    if (registrations.isEmpty() && !repository.errorString().isEmpty()) {
        *error = repository.errorString();
        return {};
    }
    QList<Row> rows;
    for (const RegistrationInfo &info : registrations) {
        const Registration &r = info.registration;
        Row row = emptyRow();
        row[at(PhoneRole)] = r.phone;
        row[at(PhoneTextRole)] = DisplayText::number(r.phone);
        row[at(NamespaceRole)] = DisplayText::plain(r.nameSpace);
        row[at(FingerprintRole)] = r.certificateFingerprint;
        row[at(FingerprintShortRole)] = r.certificateFingerprint.left(16);
        row[at(VerifiedTextRole)] =
            DisplayText::time(ScreeningRepository::formatTime(r.verifiedAt));
        row[at(CertificateValidRole)] = info.status.valid;
        row[at(CertificateCodeRole)] = info.status.code;
        row[at(CertificateReasonRole)] = DisplayText::plain(info.status.reason, 200);
        rows.append(row);
    }
    return rows;
}

} // namespace kt
