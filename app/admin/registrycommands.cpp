// SPDX-License-Identifier: GPL-3.0-or-later
// `kevan-tel registry …`: callers' phones registered to namespaces.
#include "admincommands.h"

#include "output.h"
#include "screening/phonenumber.h"
#include "screening/screeningrepository.h"
#include "screeningcli.h"
#include "store/eventstore.h"

#include <QFile>

namespace kt {
namespace {

const QString kUsage = QStringLiteral(
    "usage: kevan-tel registry add PHONE NAMESPACE [--pin DIGITS|-] | registry pin PHONE "
    "DIGITS|- | registry pin PHONE --clear | registry list [--json] | registry remove PHONE");

// The PIN given on the command line, or read from stdin for "-" (one line, so that it need not
// appear in `ps`). Never echoed: an invalid one is refused without repeating it.
bool readPin(const QString &given, QString *pin, QString *error)
{
    if (given != QLatin1String("-")) {
        *pin = given;
        return true;
    }
    QFile in;
    if (!in.open(stdin, QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read the PIN from stdin");
        return false;
    }
    const QByteArray line = in.readLine(64);
    *pin = QString::fromLatin1(line).trimmed();
    if (pin->isEmpty()) {
        *error = QStringLiteral("no PIN on stdin");
        return false;
    }
    return true;
}

int pinError(const QString &error)
{
    Output::error(error);
    return 1;
}

QString lockText(const RegistrationInfo &r, const QDateTime &now)
{
    if (!r.registration.pinLockedAt(now))
        return QString();
    return screeningcli::isoTime(r.registration.pinLockedUntil);
}

int listRegistry(const CommandLine &cl, ScreeningRepository &repo)
{
    const QList<RegistrationInfo> registrations = repo.registrations();
    const QDateTime now = repo.now();
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
                {QStringLiteral("pin"), r.registration.pinSet},
                {QStringLiteral("pin_failures"), r.pinFailures},
                {QStringLiteral("pin_locked_until"),
                 r.registration.pinLockedAt(now)
                     ? screeningcli::isoTimeJson(r.registration.pinLockedUntil)
                     : QJsonValue(QJsonValue::Null)},
            });
        }
        Output::json(rows);
        return 0;
    }
    QList<QStringList> rows;
    for (const RegistrationInfo &r : registrations) {
        rows.append({r.registration.phone, PhoneNumber::formatInternational(r.registration.phone),
                     r.registration.nameSpace, r.status.code,
                     r.registration.pinSet ? QStringLiteral("set") : QStringLiteral("none"),
                     lockText(r, now), screeningcli::isoTime(r.registration.verifiedAt),
                     r.registration.certificateFingerprint});
    }
    Output::table({QStringLiteral("PHONE"), QStringLiteral("WRITTEN"), QStringLiteral("NAMESPACE"),
                   QStringLiteral("CERTIFICATE"), QStringLiteral("PIN"),
                   QStringLiteral("PIN LOCKED UNTIL"), QStringLiteral("REGISTERED"),
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
        QString pin;
        QString error;
        if (!cl.pin.isEmpty() && !readPin(cl.pin, &pin, &error))
            return pinError(error);
        const ScreeningResult result =
            repo.registerPhone(w.at(2), w.at(3), screeningcli::actor(), pin);
        return screeningcli::report(
            result, cl.json,
            {{QStringLiteral("phone"), result.e164},
             {QStringLiteral("certificate_fingerprint"), result.fingerprint}});
    }
    if (sub == QLatin1String("pin") && w.size() == 3 && cl.clear && cl.pin.isEmpty()) {
        const ScreeningResult result = repo.clearPin(w.at(2), screeningcli::actor());
        return screeningcli::report(result, cl.json, {{QStringLiteral("phone"), result.e164}});
    }
    if (sub == QLatin1String("pin") && !cl.clear &&
        ((w.size() == 4 && cl.pin.isEmpty()) || (w.size() == 3 && !cl.pin.isEmpty()))) {
        QString pin;
        QString error;
        if (!readPin(w.size() == 4 ? w.at(3) : cl.pin, &pin, &error))
            return pinError(error);
        const ScreeningResult result = repo.setPin(w.at(2), pin, screeningcli::actor());
        return screeningcli::report(result, cl.json, {{QStringLiteral("phone"), result.e164}});
    }
    if (sub == QLatin1String("remove") && w.size() == 3) {
        const ScreeningResult result = repo.unregister(w.at(2), screeningcli::actor());
        return screeningcli::report(result, cl.json, {{QStringLiteral("phone"), result.e164}});
    }
    return usageError(kUsage);
}

} // namespace kt
