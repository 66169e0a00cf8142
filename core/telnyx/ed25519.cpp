// SPDX-License-Identifier: GPL-3.0-or-later
#include "ed25519.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>

namespace kt::Ed25519 {
namespace {
using PKey = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

const unsigned char *bytes(QByteArrayView v)
{
    return reinterpret_cast<const unsigned char *>(v.data());
}

PKey privateKey(QByteArrayView seed)
{
    if (seed.size() != SeedSize)
        return {nullptr, EVP_PKEY_free};
    return {EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, bytes(seed), seed.size()),
            EVP_PKEY_free};
}
} // namespace

bool verify(QByteArrayView publicKey, QByteArrayView message, QByteArrayView signature)
{
    if (publicKey.size() != PublicKeySize || signature.size() != SignatureSize)
        return false;
    PKey key(
        EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes(publicKey), publicKey.size()),
        EVP_PKEY_free);
    MdCtx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    if (!key || !ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1)
        return false;
    return EVP_DigestVerify(ctx.get(), bytes(signature), signature.size(), bytes(message),
                            message.size()) == 1;
}

QByteArray sign(QByteArrayView seed, QByteArrayView message)
{
    PKey key = privateKey(seed);
    MdCtx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    if (!key || !ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1)
        return {};
    QByteArray signature(SignatureSize, Qt::Uninitialized);
    size_t length = signature.size();
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char *>(signature.data()), &length,
                       bytes(message), message.size()) != 1 ||
        length != SignatureSize)
        return {};
    return signature;
}

QByteArray publicKeyOf(QByteArrayView seed)
{
    PKey key = privateKey(seed);
    if (!key)
        return {};
    QByteArray publicKey(PublicKeySize, Qt::Uninitialized);
    size_t length = publicKey.size();
    if (EVP_PKEY_get_raw_public_key(key.get(), reinterpret_cast<unsigned char *>(publicKey.data()),
                                    &length) != 1 ||
        length != PublicKeySize)
        return {};
    return publicKey;
}

QByteArray generateSeed()
{
    QByteArray seed(SeedSize, Qt::Uninitialized);
    if (RAND_bytes(reinterpret_cast<unsigned char *>(seed.data()), SeedSize) != 1)
        return {};
    return seed;
}

} // namespace kt::Ed25519
