// SPDX-License-Identifier: GPL-3.0-or-later
#include "truststore.h"

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <memory>

namespace kt {
namespace {
using Store = std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)>;
using StoreCtx = std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)>;
using Stack = std::unique_ptr<STACK_OF(X509), void (*)(STACK_OF(X509) *)>;

void freeStackOnly(STACK_OF(X509) * stack)
{
    sk_X509_free(stack); // the certificates belong to their kt::Certificate owners
}

struct CodeName
{
    CertStatus::Code code;
    const char *name;
};

constexpr CodeName codeNames[] = {
    {CertStatus::Code::Valid, "valid"},
    {CertStatus::Code::Malformed, "malformed"},
    {CertStatus::Code::Untrusted, "untrusted"},
    {CertStatus::Code::Expired, "expired"},
    {CertStatus::Code::NotYetValid, "not_yet_valid"},
    {CertStatus::Code::Revoked, "revoked"},
    {CertStatus::Code::WrongNamespace, "wrong_namespace"},
    {CertStatus::Code::FingerprintMismatch, "fingerprint_mismatch"},
};

// What X509_verify_cert reported through the callback.
struct VerifyState
{
    // The first error that stopped verification.
    int fatalError = X509_V_OK;
    int fatalDepth = -1;
    // The lowest-depth validity-period error (verification goes on past these).
    int timeError = X509_V_OK;
    int timeDepth = -1;
    Certificate timeCertificate;
};

int verifyCallback(int ok, X509_STORE_CTX *ctx)
{
    if (ok)
        return 1;
    auto *state = static_cast<VerifyState *>(X509_STORE_CTX_get_app_data(ctx));
    const int error = X509_STORE_CTX_get_error(ctx);
    const int depth = X509_STORE_CTX_get_error_depth(ctx);
    if (error == X509_V_ERR_CERT_HAS_EXPIRED || error == X509_V_ERR_CERT_NOT_YET_VALID) {
        if (state->timeDepth < 0 || depth < state->timeDepth) {
            state->timeError = error;
            state->timeDepth = depth;
            state->timeCertificate = Certificate::fromX509(X509_STORE_CTX_get_current_cert(ctx));
        }
        return 1;
    }
    if (state->fatalError == X509_V_OK) {
        state->fatalError = error;
        state->fatalDepth = depth;
    }
    return 0;
}

QString day(const QDateTime &time)
{
    return time.isValid() ? time.toUTC().date().toString(Qt::ISODate) : QStringLiteral("?");
}

// "alice.x" for messages: the expected namespace when the certificate names it, otherwise what
// the certificate names itself.
QString nameOf(const Certificate &certificate, const QString &expectedNamespace)
{
    const QStringList namespaces = certificate.namespaces();
    if (!expectedNamespace.isEmpty() && namespaces.contains(expectedNamespace))
        return expectedNamespace;
    if (!namespaces.isEmpty())
        return namespaces.join(QLatin1String(", "));
    const QStringList dnsNames = certificate.dnsNames();
    if (!dnsNames.isEmpty())
        return dnsNames.join(QLatin1String(", "));
    const QString commonName = certificate.commonName();
    return commonName.isEmpty() ? certificate.subject() : commonName;
}

QString caName(const Certificate &certificate)
{
    const QString commonName = certificate.commonName();
    return QLatin1Char('"') + (commonName.isEmpty() ? certificate.subject() : commonName) +
           QLatin1Char('"');
}

CertStatus status(CertStatus::Code code, const QString &reason)
{
    return CertStatus{code, reason};
}
} // namespace

QString CertStatus::codeString(Code code)
{
    for (const CodeName &entry : codeNames) {
        if (entry.code == code)
            return QString::fromLatin1(entry.name);
    }
    return QStringLiteral("malformed");
}

std::optional<CertStatus::Code> CertStatus::codeFromString(const QString &code)
{
    for (const CodeName &entry : codeNames) {
        if (code == QLatin1String(entry.name))
            return entry.code;
    }
    return std::nullopt;
}

bool TrustStore::addRoot(const Certificate &root, QString *error)
{
    auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    if (root.isNull())
        return fail(QStringLiteral("no certificate"));
    const uint32_t flags = X509_get_extension_flags(root.x509());
    if (flags & EXFLAG_INVALID)
        return fail(QStringLiteral("certificate %1 has malformed extensions").arg(caName(root)));
    if (!root.isCa())
        return fail(
            QStringLiteral("certificate %1 is not a certificate authority (no basicConstraints "
                           "CA:TRUE)")
                .arg(caName(root)));
    if ((flags & EXFLAG_KUSAGE) && !(X509_get_key_usage(root.x509()) & KU_KEY_CERT_SIGN))
        return fail(QStringLiteral("certificate %1 may not sign certificates (its keyUsage lacks "
                                   "keyCertSign)")
                        .arg(caName(root)));
    if (!m_roots.contains(root))
        m_roots.append(root);
    return true;
}

bool TrustStore::removeRoot(const QString &fingerprint)
{
    const QString wanted = Certificate::normalizeFingerprint(fingerprint);
    if (wanted.isEmpty())
        return false;
    return m_roots.removeIf([&](const Certificate &c) { return c.fingerprint() == wanted; }) > 0;
}

bool TrustStore::isTrustedRoot(const QString &fingerprint) const
{
    const QString wanted = Certificate::normalizeFingerprint(fingerprint);
    if (wanted.isEmpty())
        return false;
    for (const Certificate &root : m_roots) {
        if (root.fingerprint() == wanted)
            return true;
    }
    return false;
}

bool TrustStore::revoke(const QString &fingerprint)
{
    const QString normalized = Certificate::normalizeFingerprint(fingerprint);
    if (normalized.isEmpty())
        return false;
    m_revoked.insert(normalized);
    return true;
}

bool TrustStore::unrevoke(const QString &fingerprint)
{
    return m_revoked.remove(Certificate::normalizeFingerprint(fingerprint));
}

bool TrustStore::revokeIssuerSerial(const QString &issuerSerial)
{
    if (issuerSerial.isEmpty())
        return false;
    m_revokedIssuerSerials.insert(issuerSerial);
    return true;
}

bool TrustStore::isRevoked(const Certificate &certificate) const
{
    if (certificate.isNull())
        return false;
    if (m_revoked.contains(certificate.fingerprint()))
        return true;
    return !m_revokedIssuerSerials.isEmpty() &&
           m_revokedIssuerSerials.contains(certificate.issuerSerial());
}

bool TrustStore::isRevoked(const QString &fingerprint) const
{
    const QString normalized = Certificate::normalizeFingerprint(fingerprint);
    return !normalized.isEmpty() && m_revoked.contains(normalized);
}

CertStatus TrustStore::verify(const Certificate &leaf, const QList<Certificate> &intermediates,
                              const QString &expectedNamespace, const QString &expectedFingerprint,
                              const QDateTime &at) const
{
    using Code = CertStatus::Code;
    const QDateTime when = at.isValid() ? at.toUTC() : QDateTime::currentDateTimeUtc();
    const QString expected = expectedNamespace.trimmed().toLower();

    if (leaf.isNull())
        return status(Code::Malformed, QStringLiteral("no certificate"));
    const QString name = nameOf(leaf, expected);
    const QString fingerprint = leaf.fingerprint();
    if (fingerprint.isEmpty() || !leaf.notBefore().isValid() || !leaf.notAfter().isValid())
        return status(Code::Malformed,
                      QStringLiteral("certificate for %1 cannot be read").arg(name));
    for (const Certificate &intermediate : intermediates) {
        if (intermediate.isNull())
            return status(
                Code::Malformed,
                QStringLiteral("an intermediate certificate for %1 is missing").arg(name));
    }
    if (isRevoked(leaf))
        return status(
            Code::Revoked,
            QStringLiteral("certificate for %1 (SHA-256 %2) is revoked").arg(name, fingerprint));

    // Chain, signatures, CA constraints and validity periods: OpenSSL.
    Store store(X509_STORE_new(), X509_STORE_free);
    StoreCtx ctx(X509_STORE_CTX_new(), X509_STORE_CTX_free);
    Stack untrusted(sk_X509_new_null(), freeStackOnly);
    if (!store || !ctx || !untrusted) {
        ERR_clear_error();
        return status(
            Code::Untrusted,
            QStringLiteral("certificate for %1 could not be checked (out of memory)").arg(name));
    }
    for (const Certificate &root : m_roots)
        X509_STORE_add_cert(store.get(), root.x509());
    for (const Certificate &intermediate : intermediates)
        sk_X509_push(untrusted.get(), intermediate.x509());
    VerifyState state;
    int result = -1;
    if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf.x509(), untrusted.get()) == 1) {
        X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx.get());
        X509_VERIFY_PARAM_set_time(param, time_t(when.toSecsSinceEpoch()));
        X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
        X509_STORE_CTX_set_app_data(ctx.get(), &state);
        X509_STORE_CTX_set_verify_cb(ctx.get(), verifyCallback);
        result = X509_verify_cert(ctx.get());
        if (result <= 0 && state.fatalError == X509_V_OK)
            state.fatalError = X509_STORE_CTX_get_error(ctx.get());
    }

    // Revocation of anything in the chain OpenSSL built (the root included).
    if (STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx.get())) {
        for (int i = 1; i < sk_X509_num(chain); ++i) {
            const Certificate ca = Certificate::fromX509(sk_X509_value(chain, i));
            if (isRevoked(ca))
                return status(Code::Revoked,
                              QStringLiteral("the certificate authority %1 behind certificate for "
                                             "%2 is revoked (SHA-256 %3)")
                                  .arg(caName(ca), name, ca.fingerprint()));
        }
    }
    ERR_clear_error();

    if (result != 1 || state.fatalError != X509_V_OK) {
        const int error = state.fatalError == X509_V_OK ? X509_V_ERR_UNSPECIFIED : state.fatalError;
        const QString detail = QString::fromUtf8(X509_verify_cert_error_string(error));
        if (error == X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD ||
            error == X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD)
            return status(Code::Malformed,
                          QStringLiteral("certificate for %1 is malformed (%2)").arg(name, detail));
        return status(Code::Untrusted,
                      QStringLiteral("certificate for %1 does not chain to a trusted root (%2)")
                          .arg(name, detail));
    }

    if (state.timeError != X509_V_OK) {
        const bool expired = state.timeError == X509_V_ERR_CERT_HAS_EXPIRED;
        const Code code = expired ? Code::Expired : Code::NotYetValid;
        const Certificate &which = state.timeCertificate;
        const QString when = expired ? day(which.notAfter()) : day(which.notBefore());
        const QString what = expired ? QStringLiteral("expired on %1").arg(when)
                                     : QStringLiteral("is not valid before %1").arg(when);
        if (state.timeDepth == 0)
            return status(code, QStringLiteral("certificate for %1 %2").arg(name, what));
        return status(code, QStringLiteral("the certificate authority %1 behind certificate for "
                                           "%2 %3")
                                .arg(caName(which), name, what));
    }

    const QStringList namespaces = leaf.namespaces();
    if (expected.isEmpty()) {
        if (namespaces.isEmpty())
            return status(Code::WrongNamespace,
                          QStringLiteral("certificate for %1 names no .x namespace").arg(name));
    } else if (!Certificate::isNamespace(expected)) {
        return status(Code::WrongNamespace,
                      QStringLiteral("%1 is not a .x namespace").arg(expected));
    } else if (!namespaces.contains(expected)) {
        return status(Code::WrongNamespace,
                      QStringLiteral("certificate for %1 does not name %2").arg(name, expected));
    }

    if (!expectedFingerprint.isEmpty()) {
        const QString wanted = Certificate::normalizeFingerprint(expectedFingerprint);
        if (wanted != fingerprint)
            return status(Code::FingerprintMismatch,
                          QStringLiteral("certificate for %1 has SHA-256 %2, not the registered %3")
                              .arg(name, fingerprint, expectedFingerprint.trimmed()));
    }

    return status(
        Code::Valid,
        QStringLiteral("certificate for %1 is valid until %2").arg(name, day(leaf.notAfter())));
}

} // namespace kt
