// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace kt {

// Raw Ed25519 over OpenSSL libcrypto: 32-byte public keys and seeds, 64-byte signatures.
namespace Ed25519 {
constexpr int PublicKeySize = 32;
constexpr int SeedSize = 32;
constexpr int SignatureSize = 64;

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
