// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "certificate.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>

#include <openssl/types.h>

#include <optional>

namespace kt {

// A small certificate authority with an Ed25519 key: makes the demo root and namespace
// certificates for --demo mode and the tests. A value type (the key is reference counted).
//
// Roots and intermediates get basicConstraints critical CA:TRUE, keyUsage critical
// keyCertSign+cRLSign and a subject key identifier; issued certificates get basicConstraints
// critical CA:FALSE, keyUsage critical digitalSignature, subjectAltName DNS:<name>, and both key
// identifiers. Serial numbers are 128 random bits. Validity times are rounded down to the second.
class CertificateAuthority
{
public:
    CertificateAuthority() = default;
    CertificateAuthority(const CertificateAuthority &other);
    CertificateAuthority(CertificateAuthority &&other) noexcept;
    CertificateAuthority &operator=(const CertificateAuthority &other);
    CertificateAuthority &operator=(CertificateAuthority &&other) noexcept;
    ~CertificateAuthority();

    // A new self-signed root "CN=<commonName>" with a fresh key. Null (isNull()) when the times are
    // invalid or OpenSSL fails.
    static CertificateAuthority createRoot(const QString &commonName, const QDateTime &notBefore,
                                           const QDateTime &notAfter);
    // A CA restored from its certificate and unencrypted private key (what toPem/privateKeyPem
    // wrote). Refuses a certificate that is not a CA or a key that does not match it.
    static std::optional<CertificateAuthority> fromPem(const QByteArray &certificatePem,
                                                       const QByteArray &privateKeyPem,
                                                       QString *error = nullptr);

    bool isNull() const { return m_key == nullptr || m_certificate.isNull(); }
    Certificate certificate() const { return m_certificate; }
    // PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"), unencrypted.
    QByteArray privateKeyPem() const;

    // A certificate "CN=<dnsName>" with subjectAltName DNS:<dnsName> (none when dnsName is empty),
    // for a fresh Ed25519 key, signed by this CA. The name is written as given (so tests can make
    // "alice.com" or "Alice.X"). With isCa the certificate says CA:TRUE (keyCertSign) instead.
    // The new key is returned in *privateKeyPem when asked for. Null on failure.
    Certificate issue(const QString &dnsName, const QDateTime &notBefore, const QDateTime &notAfter,
                      bool isCa = false, QByteArray *privateKeyPem = nullptr) const;
    // An intermediate CA "CN=<commonName>" signed by this CA, able to issue in turn.
    CertificateAuthority issueIntermediate(const QString &commonName, const QDateTime &notBefore,
                                           const QDateTime &notAfter) const;

private:
    EVP_PKEY *m_key = nullptr; // one reference owned
    Certificate m_certificate;
};

} // namespace kt
