// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "screening/certificate.h"
#include "screening/certificateauthority.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>

namespace kt::test {

// Namespace certificates and signatures for the self-registration tests: Ed25519 certificates
// come from CertificateAuthority; ECDSA P-256 ones are made here with OpenSSL, signed by the
// same CA key.
struct IssuedKey
{
    Certificate certificate;
    QByteArray privateKeyPem; // PKCS#8
};

IssuedKey issueEd25519(const CertificateAuthority &ca, const QString &nameSpace,
                       const QDateTime &notBefore, const QDateTime &notAfter);
IssuedKey issueP256(const CertificateAuthority &ca, const QString &nameSpace,
                    const QDateTime &notBefore, const QDateTime &notAfter);
// Signs `message` with a PKCS#8 key: Ed25519 raw, P-256 as DER (or r||s with p1363).
QByteArray sign(const QByteArray &privateKeyPem, const QByteArray &message, bool p1363 = false);

} // namespace kt::test
