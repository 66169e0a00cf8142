// SPDX-License-Identifier: GPL-3.0-or-later
#include "ed25519.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

namespace kt::Ed25519 {
namespace {
using MdCtx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

const unsigned char *bytes(QByteArrayView v)
{
    return reinterpret_cast<const unsigned char *>(v.data());
}

std::shared_ptr<EVP_PKEY> shared(EVP_PKEY *key)
{
    if (!key)
        return {};
    return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free);
}
} // namespace

PublicKey::PublicKey(QByteArrayView raw)
{
    if (raw.size() != PublicKeySize)
        return;
    m_key = shared(
        EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes(raw), size_t(raw.size())));
    if (m_key)
        m_raw = raw.toByteArray();
}

bool PublicKey::verify(QByteArrayView message, QByteArrayView signature) const
{
    if (!m_key || signature.size() != SignatureSize)
        return false;
    MdCtx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, m_key.get()) != 1)
        return false;
    return EVP_DigestVerify(ctx.get(), bytes(signature), size_t(signature.size()), bytes(message),
                            size_t(message.size())) == 1;
}

SigningKey::SigningKey(QByteArrayView seed)
{
    if (seed.size() != SeedSize)
        return;
    m_key = shared(
        EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, bytes(seed), size_t(seed.size())));
    if (m_key)
        m_seed = seed.toByteArray();
}

QByteArray SigningKey::publicKey() const
{
    if (!m_key)
        return {};
    QByteArray publicKey(PublicKeySize, Qt::Uninitialized);
    size_t length = size_t(publicKey.size());
    if (EVP_PKEY_get_raw_public_key(
            m_key.get(), reinterpret_cast<unsigned char *>(publicKey.data()), &length) != 1 ||
        length != PublicKeySize)
        return {};
    return publicKey;
}

QByteArray SigningKey::sign(QByteArrayView message) const
{
    if (!m_key)
        return {};
    MdCtx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, m_key.get()) != 1)
        return {};
    QByteArray signature(SignatureSize, Qt::Uninitialized);
    size_t length = size_t(signature.size());
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char *>(signature.data()), &length,
                       bytes(message), size_t(message.size())) != 1 ||
        length != SignatureSize)
        return {};
    return signature;
}

bool verify(QByteArrayView publicKey, QByteArrayView message, QByteArrayView signature)
{
    return PublicKey(publicKey).verify(message, signature);
}

QByteArray sign(QByteArrayView seed, QByteArrayView message)
{
    return SigningKey(seed).sign(message);
}

QByteArray publicKeyOf(QByteArrayView seed)
{
    return SigningKey(seed).publicKey();
}

QByteArray generateSeed()
{
    QByteArray seed(SeedSize, Qt::Uninitialized);
    if (RAND_bytes(reinterpret_cast<unsigned char *>(seed.data()), SeedSize) != 1)
        return {};
    return seed;
}

} // namespace kt::Ed25519
