// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <memory>

struct evp_pkey_st; // OpenSSL's EVP_PKEY

namespace kt {

// Raw Ed25519 over OpenSSL libcrypto: 32-byte public keys and seeds, 64-byte signatures.
namespace Ed25519 {
constexpr int PublicKeySize = 32;
constexpr int SeedSize = 32;
constexpr int SignatureSize = 64;

// A public key parsed once. Building OpenSSL's key object is a fair part of a verification's
// cost, so a verifier keeps one. Copies share the key; verify() may run on many threads at once
// (OpenSSL keys are safe to share for operations that do not change them).
class PublicKey
{
public:
    PublicKey() = default;
    explicit PublicKey(QByteArrayView raw); // invalid unless 32 bytes
    bool isValid() const { return bool(m_key); }
    QByteArray raw() const { return m_raw; }
    // True when `signature` is a valid signature of `message`; false for an invalid key.
    bool verify(QByteArrayView message, QByteArrayView signature) const;

private:
    std::shared_ptr<evp_pkey_st> m_key;
    QByteArray m_raw;
};

// A private key made once from its seed. Making it derives the public key, which costs as much
// as a signature, so a signer that signs many messages keeps one. Shareable like PublicKey.
class SigningKey
{
public:
    SigningKey() = default;
    explicit SigningKey(QByteArrayView seed); // invalid unless 32 bytes
    bool isValid() const { return bool(m_key); }
    QByteArray seed() const { return m_seed; }
    QByteArray publicKey() const;                  // raw 32 bytes; empty for an invalid key
    QByteArray sign(QByteArrayView message) const; // 64 bytes; empty for an invalid key

private:
    std::shared_ptr<evp_pkey_st> m_key;
    QByteArray m_seed;
};

// One-off forms of the above.
// True when `signature` is a valid signature of `message` under the raw 32-byte `publicKey`.
bool verify(QByteArrayView publicKey, QByteArrayView message, QByteArrayView signature);

// Signs `message` with the raw 32-byte private `seed`; empty on bad input.
QByteArray sign(QByteArrayView seed, QByteArrayView message);

// The raw 32-byte public key of a seed; empty on bad input.
QByteArray publicKeyOf(QByteArrayView seed);

// A new random 32-byte seed.
QByteArray generateSeed();
} // namespace Ed25519

} // namespace kt
