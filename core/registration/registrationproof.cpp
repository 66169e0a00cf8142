// SPDX-License-Identifier: GPL-3.0-or-later
#include "registrationproof.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/x509.h>

#include <memory>

namespace kt {

namespace {
struct PkeyFree
{
    void operator()(EVP_PKEY *k) const { EVP_PKEY_free(k); }
};
struct MdCtxFree
{
    void operator()(EVP_MD_CTX *c) const { EVP_MD_CTX_free(c); }
};
struct SigFree
{
    void operator()(ECDSA_SIG *s) const { ECDSA_SIG_free(s); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

PkeyPtr publicKey(const Certificate &certificate)
{
    if (certificate.isNull())
        return nullptr;
    return PkeyPtr(X509_get_pubkey(certificate.x509())); // a new reference
}

bool verifyWith(EVP_PKEY *key, const EVP_MD *md, const QByteArray &message,
                const QByteArray &signature)
{
    std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key) != 1)
        return false;
    return EVP_DigestVerify(ctx.get(),
                            reinterpret_cast<const unsigned char *>(signature.constData()),
                            size_t(signature.size()),
                            reinterpret_cast<const unsigned char *>(message.constData()),
                            size_t(message.size())) == 1;
}
} // namespace

QByteArray RegistrationProof::message(const QString &challenge, const QString &phoneE164,
                                      const QString &nameSpace)
{
    return QByteArrayLiteral("kevan-tel registration v1\n") + challenge.toUtf8() + '\n' +
           phoneE164.toUtf8() + '\n' + nameSpace.toUtf8();
}

RegistrationProof::KeyType RegistrationProof::keyType(const Certificate &certificate)
{
    const PkeyPtr key = publicKey(certificate);
    if (!key)
        return KeyType::Unsupported;
    if (EVP_PKEY_is_a(key.get(), "ED25519"))
        return KeyType::Ed25519;
    if (EVP_PKEY_is_a(key.get(), "EC")) {
        char group[64] = {};
        size_t length = 0;
        if (EVP_PKEY_get_utf8_string_param(key.get(), "group", group, sizeof group, &length) == 1 &&
            (qstrcmp(group, "prime256v1") == 0 || qstrcmp(group, "P-256") == 0))
            return KeyType::EcdsaP256;
    }
    return KeyType::Unsupported;
}

QString RegistrationProof::keyTypeName(KeyType type)
{
    switch (type) {
    case KeyType::Ed25519:
        return QStringLiteral("ed25519");
    case KeyType::EcdsaP256:
        return QStringLiteral("ecdsa-p256");
    case KeyType::Unsupported:
        break;
    }
    return QStringLiteral("unsupported");
}

QByteArray RegistrationProof::p1363ToDer(const QByteArray &raw)
{
    if (raw.size() != 64)
        return {};
    const auto *bytes = reinterpret_cast<const unsigned char *>(raw.constData());
    std::unique_ptr<ECDSA_SIG, SigFree> sig(ECDSA_SIG_new());
    BIGNUM *r = BN_bin2bn(bytes, 32, nullptr);
    BIGNUM *s = BN_bin2bn(bytes + 32, 32, nullptr);
    if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
        BN_free(r);
        BN_free(s);
        return {};
    }
    unsigned char *der = nullptr;
    const int length = i2d_ECDSA_SIG(sig.get(), &der);
    if (length <= 0)
        return {};
    QByteArray out(reinterpret_cast<const char *>(der), length);
    OPENSSL_free(der);
    return out;
}

bool RegistrationProof::verify(const Certificate &certificate, const QByteArray &message,
                               const QByteArray &signature)
{
    const PkeyPtr key = publicKey(certificate);
    if (!key || signature.isEmpty())
        return false;
    switch (keyType(certificate)) {
    case KeyType::Ed25519:
        return signature.size() == 64 && verifyWith(key.get(), nullptr, message, signature);
    case KeyType::EcdsaP256: {
        // The r||s form is exactly 64 bytes; a DER signature of P-256 is at most 72 bytes and
        // may, rarely, also be 64 long: then both readings are tried.
        if (signature.size() == 64 &&
            verifyWith(key.get(), EVP_sha256(), message, p1363ToDer(signature)))
            return true;
        return signature.size() <= 72 && verifyWith(key.get(), EVP_sha256(), message, signature);
    }
    case KeyType::Unsupported:
        break;
    }
    return false;
}

} // namespace kt
