// SPDX-License-Identifier: GPL-3.0-or-later
#include "certificateauthority.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <utility>

namespace kt {
namespace {
using PKey = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using X509Ptr = std::unique_ptr<X509, decltype(&X509_free)>;
using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;
using Name = std::unique_ptr<X509_NAME, decltype(&X509_NAME_free)>;
using BigNum = std::unique_ptr<BIGNUM, decltype(&BN_free)>;

int noPassphrase(char *, int, int, void *)
{
    return -1;
}

PKey generateKey()
{
    return {EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"), EVP_PKEY_free};
}

QByteArray keyToPem(EVP_PKEY *key)
{
    Bio bio(BIO_new(BIO_s_mem()), BIO_free);
    if (!key || !bio ||
        PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
        ERR_clear_error();
        return {};
    }
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return size > 0 ? QByteArray(data, int(size)) : QByteArray();
}

// Ed25519/Ed448 sign the whole message (no separate digest); anything else restored through
// fromPem (RSA, EC) signs with SHA-256.
const EVP_MD *signatureDigest(EVP_PKEY *key)
{
    if (EVP_PKEY_is_a(key, "ED25519") || EVP_PKEY_is_a(key, "ED448"))
        return nullptr;
    return EVP_sha256();
}

bool setTime(ASN1_TIME *field, const QDateTime &time)
{
    return ASN1_TIME_set(field, time_t(time.toSecsSinceEpoch())) != nullptr;
}

bool setRandomSerial(X509 *certificate)
{
    unsigned char bytes[16];
    if (RAND_bytes(bytes, sizeof bytes) != 1)
        return false;
    bytes[0] = (bytes[0] & 0x7f) | 0x40; // positive, non-zero, always 16 bytes
    BigNum number(BN_bin2bn(bytes, sizeof bytes, nullptr), BN_free);
    return number && BN_to_ASN1_INTEGER(number.get(), X509_get_serialNumber(certificate));
}

bool addExtension(X509 *certificate, X509V3_CTX *ctx, int nid, const char *value)
{
    X509_EXTENSION *extension = X509V3_EXT_conf_nid(nullptr, ctx, nid, value);
    if (!extension)
        return false;
    const bool ok = X509_add_ext(certificate, extension, -1) == 1;
    X509_EXTENSION_free(extension);
    return ok;
}

// Built from a GENERAL_NAME rather than a "DNS:..." config string, so no name can smuggle in
// another entry.
bool addDnsName(X509 *certificate, const QString &dnsName)
{
    const QByteArray bytes = dnsName.toUtf8();
    GENERAL_NAMES *names = sk_GENERAL_NAME_new_null();
    GENERAL_NAME *name = GENERAL_NAME_new();
    ASN1_IA5STRING *value = ASN1_IA5STRING_new();
    bool ok =
        names && name && value && ASN1_STRING_set(value, bytes.constData(), int(bytes.size())) == 1;
    if (ok) {
        GENERAL_NAME_set0_value(name, GEN_DNS, value);
        value = nullptr;
        ok = sk_GENERAL_NAME_push(names, name) > 0;
        if (ok)
            name = nullptr;
    }
    ok = ok &&
         X509_add1_ext_i2d(certificate, NID_subject_alt_name, names, 0, X509V3_ADD_DEFAULT) == 1;
    ASN1_IA5STRING_free(value);
    GENERAL_NAME_free(name);
    GENERAL_NAMES_free(names);
    return ok;
}

// Makes and signs one certificate. `issuer` null means self-signed by `subjectKey`.
Certificate makeCertificate(const QString &commonName, EVP_PKEY *subjectKey, X509 *issuer,
                            EVP_PKEY *issuerKey, const QDateTime &notBefore,
                            const QDateTime &notAfter, bool isCa, const QString &dnsName)
{
    if (!subjectKey || !issuerKey || !notBefore.isValid() || !notAfter.isValid())
        return {};
    X509Ptr certificate(X509_new(), X509_free);
    Name subject(X509_NAME_new(), X509_NAME_free);
    const QByteArray cn = commonName.toUtf8();
    bool ok = certificate && subject && X509_set_version(certificate.get(), X509_VERSION_3) &&
              setRandomSerial(certificate.get()) &&
              setTime(X509_getm_notBefore(certificate.get()), notBefore) &&
              setTime(X509_getm_notAfter(certificate.get()), notAfter) &&
              (cn.isEmpty() ||
               X509_NAME_add_entry_by_NID(subject.get(), NID_commonName, MBSTRING_UTF8,
                                          reinterpret_cast<const unsigned char *>(cn.constData()),
                                          int(cn.size()), -1, 0) == 1) &&
              X509_set_subject_name(certificate.get(), subject.get()) == 1 &&
              X509_set_issuer_name(certificate.get(),
                                   issuer ? X509_get_subject_name(issuer) : subject.get()) == 1 &&
              X509_set_pubkey(certificate.get(), subjectKey) == 1;
    if (ok) {
        X509V3_CTX ctx;
        X509V3_set_ctx_nodb(&ctx);
        X509V3_set_ctx(&ctx, issuer ? issuer : certificate.get(), certificate.get(), nullptr,
                       nullptr, 0);
        ok = addExtension(certificate.get(), &ctx, NID_basic_constraints,
                          isCa ? "critical,CA:TRUE" : "critical,CA:FALSE") &&
             addExtension(certificate.get(), &ctx, NID_key_usage,
                          isCa ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature") &&
             addExtension(certificate.get(), &ctx, NID_subject_key_identifier, "hash") &&
             addExtension(certificate.get(), &ctx, NID_authority_key_identifier, "keyid:always") &&
             (dnsName.isEmpty() || addDnsName(certificate.get(), dnsName)) &&
             X509_sign(certificate.get(), issuerKey, signatureDigest(issuerKey)) > 0;
    }
    ERR_clear_error();
    if (!ok)
        return {};
    // Re-read from DER so the result carries exactly what was signed (and fresh caches).
    unsigned char *der = nullptr;
    const int size = i2d_X509(certificate.get(), &der);
    std::optional<Certificate> result =
        size > 0 ? Certificate::fromDer(QByteArray(reinterpret_cast<const char *>(der), size))
                 : std::nullopt;
    OPENSSL_free(der);
    ERR_clear_error();
    return result.value_or(Certificate());
}

QString nameForErrors(const Certificate &certificate)
{
    const QString cn = certificate.commonName();
    return cn.isEmpty() ? certificate.subject() : cn;
}
} // namespace

CertificateAuthority::CertificateAuthority(const CertificateAuthority &other)
    : m_key(other.m_key), m_certificate(other.m_certificate)
{
    if (m_key)
        EVP_PKEY_up_ref(m_key);
}

CertificateAuthority::CertificateAuthority(CertificateAuthority &&other) noexcept
    : m_key(std::exchange(other.m_key, nullptr)), m_certificate(std::move(other.m_certificate))
{}

CertificateAuthority &CertificateAuthority::operator=(const CertificateAuthority &other)
{
    if (this != &other) {
        CertificateAuthority copy(other);
        *this = std::move(copy);
    }
    return *this;
}

CertificateAuthority &CertificateAuthority::operator=(CertificateAuthority &&other) noexcept
{
    std::swap(m_key, other.m_key);
    std::swap(m_certificate, other.m_certificate);
    return *this;
}

CertificateAuthority::~CertificateAuthority()
{
    EVP_PKEY_free(m_key);
}

CertificateAuthority CertificateAuthority::createRoot(const QString &commonName,
                                                      const QDateTime &notBefore,
                                                      const QDateTime &notAfter)
{
    PKey key = generateKey();
    CertificateAuthority ca;
    ca.m_certificate =
        makeCertificate(commonName, key.get(), nullptr, key.get(), notBefore, notAfter, true, {});
    if (ca.m_certificate.isNull())
        return {};
    ca.m_key = key.release();
    return ca;
}

std::optional<CertificateAuthority> CertificateAuthority::fromPem(const QByteArray &certificatePem,
                                                                  const QByteArray &privateKeyPem,
                                                                  QString *error)
{
    auto fail = [error](const QString &message) -> std::optional<CertificateAuthority> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    std::optional<Certificate> certificate = Certificate::fromPem(certificatePem, error);
    if (!certificate)
        return std::nullopt;
    if (!certificate->isCa())
        return fail(QStringLiteral("certificate \"%1\" is not a certificate authority")
                        .arg(nameForErrors(*certificate)));
    Bio bio(BIO_new_mem_buf(privateKeyPem.constData(), int(privateKeyPem.size())), BIO_free);
    PKey key(bio && !privateKeyPem.isEmpty()
                 ? PEM_read_bio_PrivateKey(bio.get(), nullptr, noPassphrase, nullptr)
                 : nullptr,
             EVP_PKEY_free);
    ERR_clear_error();
    if (!key)
        return fail(QStringLiteral("not an unencrypted PEM private key"));
    const bool matches = X509_check_private_key(certificate->x509(), key.get()) == 1;
    ERR_clear_error();
    if (!matches)
        return fail(QStringLiteral("the private key does not belong to certificate \"%1\"")
                        .arg(nameForErrors(*certificate)));
    CertificateAuthority ca;
    ca.m_certificate = *certificate;
    ca.m_key = key.release();
    return ca;
}

QByteArray CertificateAuthority::privateKeyPem() const
{
    return keyToPem(m_key);
}

Certificate CertificateAuthority::issue(const QString &dnsName, const QDateTime &notBefore,
                                        const QDateTime &notAfter, bool isCa,
                                        QByteArray *privateKeyPem) const
{
    if (isNull())
        return {};
    PKey key = generateKey();
    Certificate certificate = makeCertificate(dnsName, key.get(), m_certificate.x509(), m_key,
                                              notBefore, notAfter, isCa, dnsName);
    if (privateKeyPem)
        *privateKeyPem = certificate.isNull() ? QByteArray() : keyToPem(key.get());
    return certificate;
}

CertificateAuthority CertificateAuthority::issueIntermediate(const QString &commonName,
                                                             const QDateTime &notBefore,
                                                             const QDateTime &notAfter) const
{
    if (isNull())
        return {};
    PKey key = generateKey();
    CertificateAuthority ca;
    ca.m_certificate = makeCertificate(commonName, key.get(), m_certificate.x509(), m_key,
                                       notBefore, notAfter, true, {});
    if (ca.m_certificate.isNull())
        return {};
    ca.m_key = key.release();
    return ca;
}

} // namespace kt
