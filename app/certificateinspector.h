// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QSet>
#include <QString>
#include <QVariantMap>

namespace kt {

class TrustStore;

// What the Registry page shows about a certificate file before it is added: parsed with
// Certificate::fromPem and checked against the trust store the way the engine will check it
// (ScreeningRepository::addCertificate / trustRoot), so the owner sees at once whether adding it
// would work and why not.
class CertificateInspector
{
public:
    static constexpr qint64 MaxFileSize = 256 * 1024;

    // The bytes of a PEM file given as a path or a file: URL. Empty with `error` on failure
    // (missing, unreadable, larger than MaxFileSize).
    static QByteArray readFile(const QString &pathOrUrl, QString *error);

    // Keys of the result:
    //   ok           the file holds one certificate (false: `message` says why)
    //   canAdd       adding it would succeed and change something
    //   message      one sentence: the verdict
    //   kind         "root" | "namespace" (what was asked for)
    //   nameSpace    the .x namespaces it names, ", "-separated
    //   subject, issuer, fingerprint (SHA-256 hex), fingerprintShort (16 hex digits),
    //   notAfterText (local time), expired (bool),
    //   statusCode   namespace: CertStatus code ("valid", "untrusted", ...);
    //                root: "ok", "not_ca", "expired", "revoked", "already_trusted"
    //   statusReason one sentence
    //   alreadyStored  the fingerprint is among `stored`
    // `stored`: fingerprints already in the repository (roots and certificates).
    static QVariantMap inspect(const QByteArray &pem, bool asRoot, const TrustStore &trust,
                               const QSet<QString> &stored, const QDateTime &now);
};

} // namespace kt
