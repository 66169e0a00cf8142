// SPDX-License-Identifier: GPL-3.0-or-later
#include "registrationtestkit.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace kt::test {

namespace {
EVP_PKEY *readKey(const QByteArray &pem)
{
    BIO *bio = BIO_new_mem_buf(pem.constData(), int(pem.size()));
    EVP_PKEY *key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    return key;
}

QByteArray keyPem(EVP_PKEY *key)
{
    BIO *bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PKCS8PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    QByteArray out(data, int(size));
    BIO_free(bio);
    return out;
}

bool addExt(X509 *cert, X509V3_CTX *ctx, int nid, const char *value)
{
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(nullptr, ctx, nid, value);
    if (!ext)
        return false;
    const bool ok = X509_add_ext(cert, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    return ok;
}
} // namespace

IssuedKey issueEd25519(const CertificateAuthority &ca, const QString &nameSpace,
                       const QDateTime &notBefore, const QDateTime &notAfter)
{
    IssuedKey out;
    out.certificate = ca.issue(nameSpace, notBefore, notAfter, false, &out.privateKeyPem);
    return out;
}

IssuedKey issueP256(const CertificateAuthority &ca, const QString &nameSpace,
                    const QDateTime &notBefore, const QDateTime &notAfter)
{
    IssuedKey out;
    EVP_PKEY *key = EVP_EC_gen("P-256");
    EVP_PKEY *caKey = readKey(ca.privateKeyPem());
    X509 *cert = X509_new();
    X509 *caCert = ca.certificate().x509();
    bool ok = key && caKey && cert;
    if (ok) {
        X509_set_version(cert, 2);
        BIGNUM *serial = BN_new();
        BN_rand(serial, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY);
        BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert));
        BN_free(serial);
        ASN1_TIME_set(X509_getm_notBefore(cert), time_t(notBefore.toSecsSinceEpoch()));
        ASN1_TIME_set(X509_getm_notAfter(cert), time_t(notAfter.toSecsSinceEpoch()));
        X509_NAME *name = X509_NAME_new();
        const QByteArray cn = nameSpace.toUtf8();
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char *>(cn.constData()), -1, -1,
                                   0);
        X509_set_subject_name(cert, name);
        X509_NAME_free(name);
        X509_set_issuer_name(cert, X509_get_subject_name(caCert));
        X509_set_pubkey(cert, key);
        X509V3_CTX ctx;
        X509V3_set_ctx(&ctx, caCert, cert, nullptr, nullptr, 0);
        const QByteArray san = "DNS:" + cn;
        ok = addExt(cert, &ctx, NID_basic_constraints, "critical,CA:FALSE") &&
             addExt(cert, &ctx, NID_key_usage, "critical,digitalSignature") &&
             addExt(cert, &ctx, NID_subject_alt_name, san.constData()) &&
             addExt(cert, &ctx, NID_subject_key_identifier, "hash") &&
             addExt(cert, &ctx, NID_authority_key_identifier, "keyid:always") &&
             X509_sign(cert, caKey, nullptr) > 0;
    }
    if (ok) {
        out.certificate = Certificate::fromX509(cert);
        out.privateKeyPem = keyPem(key);
    }
    X509_free(cert);
    EVP_PKEY_free(caKey);
    EVP_PKEY_free(key);
    return out;
}

QByteArray sign(const QByteArray &privateKeyPem, const QByteArray &message, bool p1363)
{
    EVP_PKEY *key = readKey(privateKeyPem);
    if (!key)
        return {};
    const bool ed = EVP_PKEY_is_a(key, "ED25519");
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    QByteArray out;
    size_t length = 0;
    if (EVP_DigestSignInit(ctx, nullptr, ed ? nullptr : EVP_sha256(), nullptr, key) == 1 &&
        EVP_DigestSign(ctx, nullptr, &length,
                       reinterpret_cast<const unsigned char *>(message.constData()),
                       size_t(message.size())) == 1) {
        out.resize(int(length));
        if (EVP_DigestSign(ctx, reinterpret_cast<unsigned char *>(out.data()), &length,
                           reinterpret_cast<const unsigned char *>(message.constData()),
                           size_t(message.size())) == 1)
            out.resize(int(length));
        else
            out.clear();
    }
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);
    if (!ed && p1363 && !out.isEmpty()) {
        const unsigned char *p = reinterpret_cast<const unsigned char *>(out.constData());
        ECDSA_SIG *sig = d2i_ECDSA_SIG(nullptr, &p, long(out.size()));
        QByteArray raw(64, '\0');
        BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char *>(raw.data()), 32);
        BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char *>(raw.data()) + 32, 32);
        ECDSA_SIG_free(sig);
        out = raw;
    }
    return out;
}

} // namespace kt::test
