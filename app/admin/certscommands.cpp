// SPDX-License-Identifier: GPL-3.0-or-later
// `kevan-tel certs …`: trusted roots, namespace certificates and revocations.
#include "admincommands.h"

#include "output.h"
#include "screening/screeningrepository.h"
#include "screeningcli.h"
#include "store/eventstore.h"

namespace kt {
namespace {

const QString kUsage = QStringLiteral(
    "usage: kevan-tel certs trust ROOT.pem | certs add CERT.pem | certs list [--json] | "
    "certs revoke FINGERPRINT [--note TEXT]");

QString rootStatus(const TrustedRootInfo &r, const QDateTime &now)
{
    if (r.revoked)
        return QStringLiteral("revoked");
    if (r.notAfter.isValid() && !(now < r.notAfter))
        return QStringLiteral("expired");
    return QStringLiteral("trusted");
}

int listCertificates(const CommandLine &cl, ScreeningRepository &repo)
{
    const QDateTime now = repo.now();
    const QList<TrustedRootInfo> roots = repo.roots();
    const QList<CertificateInfo> certs = repo.certificates(now);
    if (cl.json) {
        QJsonArray rows;
        for (const TrustedRootInfo &r : roots) {
            rows.append(QJsonObject{
                {QStringLiteral("kind"), QStringLiteral("root")},
                {QStringLiteral("fingerprint"), r.fingerprint},
                {QStringLiteral("subject"), r.subject},
                {QStringLiteral("not_before"),
                 screeningcli::isoTimeJson(r.certificate.notBefore())},
                {QStringLiteral("not_after"), screeningcli::isoTimeJson(r.notAfter)},
                {QStringLiteral("added_at"), screeningcli::isoTimeJson(r.addedAt)},
                {QStringLiteral("revoked"), r.revoked},
                {QStringLiteral("status"), rootStatus(r, now)},
            });
        }
        for (const CertificateInfo &c : certs) {
            rows.append(QJsonObject{
                {QStringLiteral("kind"), QStringLiteral("certificate")},
                {QStringLiteral("namespace"), c.nameSpace},
                {QStringLiteral("namespaces"), QJsonArray::fromStringList(c.namespaces)},
                {QStringLiteral("fingerprint"), c.fingerprint},
                {QStringLiteral("subject"), c.subject},
                {QStringLiteral("issuer"), c.issuer},
                {QStringLiteral("not_before"), screeningcli::isoTimeJson(c.notBefore)},
                {QStringLiteral("not_after"), screeningcli::isoTimeJson(c.notAfter)},
                {QStringLiteral("added_at"), screeningcli::isoTimeJson(c.addedAt)},
                {QStringLiteral("valid"), c.status.valid},
                {QStringLiteral("status"), c.status.code},
                {QStringLiteral("reason"), c.status.reason},
            });
        }
        Output::json(rows);
        return 0;
    }
    QList<QStringList> rows;
    for (const TrustedRootInfo &r : roots) {
        rows.append({QStringLiteral("root"), r.subject, rootStatus(r, now),
                     screeningcli::isoTime(r.certificate.notBefore()),
                     screeningcli::isoTime(r.notAfter), r.fingerprint});
    }
    for (const CertificateInfo &c : certs) {
        rows.append({QStringLiteral("certificate"), c.namespaces.join(QLatin1Char(',')),
                     c.status.code, screeningcli::isoTime(c.notBefore),
                     screeningcli::isoTime(c.notAfter), c.fingerprint});
    }
    // The fingerprint comes last: the table never cuts the last column.
    Output::table({QStringLiteral("KIND"), QStringLiteral("NAMESPACE / SUBJECT"),
                   QStringLiteral("STATUS"), QStringLiteral("VALID FROM"),
                   QStringLiteral("VALID UNTIL"), QStringLiteral("SHA-256")},
                  rows);
    return 0;
}

} // namespace

int certsCommand(const CommandLine &cl, EventStore &store)
{
    const QStringList &w = cl.words;
    const QString sub = w.value(1);
    ScreeningRepository repo(store);
    if (sub == QLatin1String("list") && w.size() == 2)
        return listCertificates(cl, repo);
    if ((sub == QLatin1String("trust") || sub == QLatin1String("add")) && w.size() == 3) {
        const auto pem = screeningcli::readFile(w.at(2));
        if (!pem)
            return 1;
        const ScreeningResult result = sub == QLatin1String("trust")
                                           ? repo.trustRoot(*pem, screeningcli::actor())
                                           : repo.addCertificate(*pem, screeningcli::actor());
        return screeningcli::report(result, cl.json,
                                    {{QStringLiteral("fingerprint"), result.fingerprint}});
    }
    if (sub == QLatin1String("revoke") && w.size() == 3) {
        const ScreeningResult result =
            repo.revokeCertificate(w.at(2), cl.note, screeningcli::actor());
        return screeningcli::report(result, cl.json,
                                    {{QStringLiteral("fingerprint"), result.fingerprint}});
    }
    return usageError(kUsage);
}

} // namespace kt
