// SPDX-License-Identifier: GPL-3.0-or-later
// `kevan-tel registry …`: callers' phones registered to namespaces.
#include "admincommands.h"

#include "output.h"
#include "screening/phonenumber.h"
#include "screening/screeningrepository.h"
#include "screeningcli.h"
#include "store/eventstore.h"

namespace kt {
namespace {

const QString kUsage = QStringLiteral("usage: kevan-tel registry add PHONE NAMESPACE | "
                                      "registry list [--json] | registry remove PHONE");

int listRegistry(const CommandLine &cl, ScreeningRepository &repo)
{
    const QList<RegistrationInfo> registrations = repo.registrations();
    if (cl.json) {
        QJsonArray rows;
        for (const RegistrationInfo &r : registrations) {
            rows.append(QJsonObject{
                {QStringLiteral("phone"), r.registration.phone},
                {QStringLiteral("written"), PhoneNumber::formatNational(r.registration.phone)},
                {QStringLiteral("namespace"), r.registration.nameSpace},
                {QStringLiteral("certificate_fingerprint"), r.registration.certificateFingerprint},
                {QStringLiteral("verified_at"),
                 screeningcli::isoTimeJson(r.registration.verifiedAt)},
                {QStringLiteral("valid"), r.status.valid},
                {QStringLiteral("status"), r.status.code},
                {QStringLiteral("reason"), r.status.reason},
            });
        }
        Output::json(rows);
        return 0;
    }
    QList<QStringList> rows;
    for (const RegistrationInfo &r : registrations) {
        rows.append({r.registration.phone, PhoneNumber::formatInternational(r.registration.phone),
                     r.registration.nameSpace, r.status.code,
                     screeningcli::isoTime(r.registration.verifiedAt),
                     r.registration.certificateFingerprint});
    }
    Output::table({QStringLiteral("PHONE"), QStringLiteral("WRITTEN"), QStringLiteral("NAMESPACE"),
                   QStringLiteral("CERTIFICATE"), QStringLiteral("REGISTERED"),
                   QStringLiteral("SHA-256")},
                  rows);
    return 0;
}

} // namespace

int registryCommand(const CommandLine &cl, EventStore &store)
{
    const QStringList &w = cl.words;
    const QString sub = w.value(1);
    if (sub == QLatin1String("pending") || sub == QLatin1String("approve") ||
        sub == QLatin1String("deny"))
        return pendingRegistrationCommand(cl, store);
    ScreeningRepository repo(store);
    if (sub == QLatin1String("list") && w.size() == 2)
        return listRegistry(cl, repo);
    if (sub == QLatin1String("add") && w.size() == 4) {
        const ScreeningResult result = repo.registerPhone(w.at(2), w.at(3), screeningcli::actor());
        return screeningcli::report(
            result, cl.json,
            {{QStringLiteral("phone"), result.e164},
             {QStringLiteral("certificate_fingerprint"), result.fingerprint}});
    }
    if (sub == QLatin1String("remove") && w.size() == 3) {
        const ScreeningResult result = repo.unregister(w.at(2), screeningcli::actor());
        return screeningcli::report(result, cl.json, {{QStringLiteral("phone"), result.e164}});
    }
    return usageError(kUsage);
}

} // namespace kt
