// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include <openssl/types.h>

#include <optional>

namespace kt {

// An X.509 certificate over OpenSSL libcrypto. A value type: copies share one reference-counted
// X509 (X509_up_ref / X509_free), so they are cheap; the X509 is never modified after
// construction, so copies may be read from several threads.
//
// A namespace certificate names its namespace (e.g. `alice.x`) in a DNS subject alternative name.
class Certificate
{
public:
    Certificate() = default;
    Certificate(const Certificate &other);
    Certificate(Certificate &&other) noexcept;
    Certificate &operator=(const Certificate &other);
    Certificate &operator=(Certificate &&other) noexcept;
    ~Certificate();

    // Exactly one certificate from PEM text. Other PEM blocks (e.g. a private key) are skipped.
    // Errors: "not a PEM certificate", "more than one certificate",
    // "malformed certificate: <detail>".
    static std::optional<Certificate> fromPem(const QByteArray &pem, QString *error = nullptr);
    // Every certificate in a PEM bundle, in order. Empty (with *error set) when there is none or
    // one of them is malformed.
    static QList<Certificate> allFromPem(const QByteArray &pem, QString *error = nullptr);
    // One DER-encoded certificate (trailing bytes are refused).
    static std::optional<Certificate> fromDer(const QByteArray &der, QString *error = nullptr);
    // Shares `x509` (takes a new reference; the caller keeps its own). Null for nullptr.
    static Certificate fromX509(X509 *x509);

    bool isNull() const { return m_x509 == nullptr; }
    // The underlying X509, still owned by this object (do not free). nullptr when null.
    X509 *x509() const { return m_x509; }

    QByteArray toPem() const;
    QByteArray der() const;
    // Lower-case hex SHA-256 of the DER encoding (64 characters); empty when null.
    QString fingerprint() const;

    // All DNS subject alternative names, lower-cased, in certificate order.
    QStringList dnsNames() const;
    // The DNS subject alternative names that are namespaces: lower-cased, ending in ".x", at least
    // one label before it, labels of [a-z0-9-] not starting or ending with '-' (no wildcards).
    QStringList namespaces() const;

    // One-line distinguished names, e.g. "CN = alice.x, O = Example".
    QString subject() const;
    QString issuer() const;
    // The subject's commonName (the first one), empty when absent.
    QString commonName() const;
    // The serial number as lower-case hex, two digits per byte (BN_bn2hex; "0" for zero).
    QString serialNumber() const;
    // The certificate's identity as its issuer assigned it: lower-case hex SHA-256 of the
    // issuer name's DER encoding, ':' and serialNumber(). Unlike fingerprint() it is the same for
    // every encoding of the certificate (an ECDSA signature (r, s) has a second valid form
    // (r, n - s), which changes the DER and the fingerprint but not this). Empty when null.
    QString issuerSerial() const;
    // Validity bounds in UTC; invalid QDateTime when null or unparseable.
    QDateTime notBefore() const;
    QDateTime notAfter() const;
    // True when basicConstraints says CA:TRUE.
    bool isCa() const;
    // True when subject == issuer and the certificate's own key verifies its signature.
    bool isSelfSigned() const;

    // Certificates are equal when their DER encodings are equal (two nulls are equal).
    bool operator==(const Certificate &other) const;
    bool operator!=(const Certificate &other) const { return !(*this == other); }

    // Normalises a fingerprint written as hex, in any case, with optional ':' or whitespace
    // separators (e.g. "AB:CD:..."). Empty when the result is not 64 hex digits.
    static QString normalizeFingerprint(const QString &fingerprint);
    // True when `name` is a well-formed namespace by the rules of namespaces() (after
    // lower-casing).
    static bool isNamespace(const QString &name);

private:
    explicit Certificate(X509 *adopted); // takes ownership of one reference

    X509 *m_x509 = nullptr;
};

} // namespace kt
