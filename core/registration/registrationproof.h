// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "screening/certificate.h"

#include <QByteArray>
#include <QString>

namespace kt {

// The proof that a caller holds the private key of their namespace certificate: a signature over
// a message that binds the server's fresh challenge to the phone being registered and the
// namespace, so that a signature made for one phone cannot be replayed for another:
//
//     "kevan-tel registration v1\n" + challenge + "\n" + phone (E.164) + "\n" + namespace
//
// (no trailing newline). Ed25519 signs the message itself (PureEdDSA); ECDSA P-256 signs its
// SHA-256 digest, and the signature may be DER (what `openssl dgst -sign` writes) or the
// 64-byte r||s form (IEEE P1363, what Web Crypto writes).
class RegistrationProof
{
public:
    enum class KeyType { Unsupported, Ed25519, EcdsaP256 };

    static QByteArray message(const QString &challenge, const QString &phoneE164,
                              const QString &nameSpace);
    // The certificate's key type (Unsupported for a null certificate or any other key).
    static KeyType keyType(const Certificate &certificate);
    static QString keyTypeName(KeyType type); // "ed25519", "ecdsa-p256", "unsupported"
    // True when `signature` over `message` verifies with the certificate's public key.
    static bool verify(const Certificate &certificate, const QByteArray &message,
                       const QByteArray &signature);
    // A 64-byte P1363 r||s signature as DER; empty when `raw` is not 64 bytes.
    static QByteArray p1363ToDer(const QByteArray &raw);
};

} // namespace kt
