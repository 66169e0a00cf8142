// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "certificate.h"

#include <QDateTime>
#include <QList>
#include <QSet>
#include <QString>

#include <optional>

namespace kt {

// The outcome of checking a namespace certificate.
struct CertStatus
{
    enum class Code {
        Valid,
        Malformed,      // null certificate, or unreadable fields
        Untrusted,      // does not chain to a trusted root (or a bad signature/CA in the chain)
        Expired,        // the leaf or a certificate in its chain has expired at the given time
        NotYetValid,    // the leaf or a certificate in its chain is not valid yet
        Revoked,        // the leaf's or a chain certificate's fingerprint is revoked
        WrongNamespace, // the expected namespace is not a .x name among its DNS SANs
        FingerprintMismatch, // not the certificate that was registered
    };

    Code code = Code::Malformed;
    QString reason; // one human sentence, e.g. "certificate for alice.x expired on 2026-01-02"

    bool isValid() const { return code == Code::Valid; }
    // The stable reason code: "valid", "malformed", "untrusted", "expired", "not_yet_valid",
    // "revoked", "wrong_namespace", "fingerprint_mismatch".
    QString codeString() const { return codeString(code); }
    static QString codeString(Code code);
    static std::optional<Code> codeFromString(const QString &code);
};

// The roots the owner trusts for namespace certificates, and the fingerprints they revoked.
// A plain value; verify() is const and may run on several threads at once.
class TrustStore
{
public:
    // Adds a trust anchor. Refuses (false, *error set) a null certificate or one that is not a CA
    // (no basicConstraints CA:TRUE, or a keyUsage without keyCertSign). Adding a root already
    // present succeeds without duplicating it. A trusted CA does not have to be self-signed: every
    // trusted certificate is an anchor (OpenSSL's X509_V_FLAG_PARTIAL_CHAIN).
    bool addRoot(const Certificate &root, QString *error = nullptr);
    // Removes the trusted root with this fingerprint (any form normalizeFingerprint accepts).
    bool removeRoot(const QString &fingerprint);
    QList<Certificate> roots() const { return m_roots; }
    bool isTrustedRoot(const QString &fingerprint) const;

    // Revokes a certificate by SHA-256 fingerprint (any form normalizeFingerprint accepts).
    // False when the fingerprint is not 64 hex digits.
    bool revoke(const QString &fingerprint);
    bool unrevoke(const QString &fingerprint);
    bool isRevoked(const QString &fingerprint) const;
    QSet<QString> revoked() const { return m_revoked; } // normalised lower-case hex
    // Revokes a certificate by Certificate::issuerSerial(): every encoding of it, whatever its
    // fingerprint. False for an empty key.
    bool revokeIssuerSerial(const QString &issuerSerial);
    // Revoked by fingerprint or by issuer and serial number.
    bool isRevoked(const Certificate &certificate) const;

    // Checks `leaf` at time `at` (the current time when `at` is invalid; any time spec; OpenSSL
    // counts a certificate valid from notBefore up to, not including, notAfter), using
    // `intermediates` as untrusted chain material. The first failing check wins, in this order:
    //   Malformed (null leaf or intermediate) -> Revoked (leaf) -> Revoked (any certificate in
    //   the built chain, roots included) -> Untrusted -> NotYetValid / Expired (the leaf's own
    //   validity is reported before a CA's) -> WrongNamespace -> FingerprintMismatch.
    // expectedNamespace: compared case-insensitively and exactly (no wildcards, no parent names)
    // with namespaces(); when empty, the certificate only has to name some namespace.
    // expectedFingerprint: skipped when empty; otherwise must equal fingerprint() after
    // normalizeFingerprint().
    CertStatus verify(const Certificate &leaf, const QList<Certificate> &intermediates,
                      const QString &expectedNamespace, const QString &expectedFingerprint,
                      const QDateTime &at = QDateTime()) const;

private:
    QList<Certificate> m_roots;
    QSet<QString> m_revoked;
    QSet<QString> m_revokedIssuerSerials;
};

} // namespace kt
