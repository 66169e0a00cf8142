// SPDX-License-Identifier: GPL-3.0-or-later
// `kevan-tel registry pending|approve|deny`: callers' self-registrations waiting for the owner.
#include "admincommands.h"

#include "output.h"
#include "registration/registrationservice.h"
#include "registration/registryapproval.h"
#include "screening/certificate.h"
#include "screening/phonenumber.h"
#include "screening/screeningrepository.h"
#include "screeningcli.h"
#include "store/eventstore.h"

namespace kt {
namespace {

const QString kPendingUsage = QStringLiteral(
    "usage: kevan-tel registry pending [--json] | registry approve ID | registry deny ID");

QString certificateState(const PendingRegistration &r, const TrustStore &trust,
                         const QDateTime &now)
{
    const auto certificate = Certificate::fromPem(r.certificatePem);
    if (!certificate)
        return CertStatus::codeString(CertStatus::Code::Malformed);
    return trust.verify(*certificate, {}, r.nameSpace, r.certificateFingerprint, now).codeString();
}

int listPending(const CommandLine &cl, const RegistrationService &service,
                const ScreeningRepository &repo)
{
    const QDateTime now = service.now();
    const TrustStore trust = repo.trustStore();
    const QList<PendingRegistration> open = service.open();
    if (cl.json) {
        QJsonArray rows;
        for (const PendingRegistration &r : open) {
            QJsonObject o = r.toPublicJson(now);
            o.insert(QStringLiteral("certificate"), certificateState(r, trust, now));
            o.insert(QStringLiteral("namespace_proven"), true);
            o.insert(QStringLiteral("phone_proven"), r.phoneProvenAt.isValid());
            rows.append(o);
        }
        Output::json(rows);
        return 0;
    }
    QList<QStringList> rows;
    for (const PendingRegistration &r : open) {
        rows.append({r.id, r.nameSpace, PhoneNumber::formatInternational(r.phone),
                     PendingRegistration::stateName(r.effectiveState(now)),
                     certificateState(r, trust, now), screeningcli::isoTime(r.createdAt),
                     r.certificateFingerprint});
    }
    Output::table({QStringLiteral("ID"), QStringLiteral("NAMESPACE"), QStringLiteral("PHONE"),
                   QStringLiteral("STATE"), QStringLiteral("CERTIFICATE"),
                   QStringLiteral("SUBMITTED"), QStringLiteral("SHA-256")},
                  rows);
    return 0;
}

int reportDecision(const RegistrationService::DecisionResult &result, bool approved, bool json)
{
    if (!result.ok) {
        Output::error(result.error);
        return 1;
    }
    const PendingRegistration &r = *result.registration;
    const QString message =
        QStringLiteral("%1 registration %2: %3 for %4")
            .arg(approved ? QStringLiteral("approved") : QStringLiteral("denied"), r.id, r.phone,
                 r.nameSpace);
    if (json) {
        QJsonObject o = r.toPublicJson(r.decidedAt);
        o.insert(QStringLiteral("ok"), true);
        o.insert(QStringLiteral("message"), message);
        Output::json(QJsonArray{o});
    } else {
        Output::line(message);
    }
    return 0;
}

} // namespace

// Approving registers the phone in the caller registry: the caller's certificate is added
// (it must still be valid against the trusted roots), the phone registered to the namespace
// with the PIN the caller chose, before the registration is marked approved.
int pendingRegistrationCommand(const CommandLine &cl, EventStore &store)
{
    const QStringList &w = cl.words;
    const QString sub = w.value(1);
    ScreeningRepository repo(store);
    RegistrationService service(store);
    service.setTrustStoreSource([&repo] { return repo.trustStore(); });
    service.setApprovalSink(RegistryApproval::sink(repo, screeningcli::actor()));
    if (sub == QLatin1String("pending") && w.size() == 2)
        return listPending(cl, service, repo);
    if (sub == QLatin1String("approve") && w.size() == 3)
        return reportDecision(service.approve(w.at(2), screeningcli::actor()), true, cl.json);
    if (sub == QLatin1String("deny") && w.size() == 3)
        return reportDecision(service.deny(w.at(2), screeningcli::actor()), false, cl.json);
    return usageError(kPendingUsage);
}

} // namespace kt
