// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace kt {

// How a registration's PIN is stored: a salted, slow hash, never the PIN. RegistrationService
// only needs these two operations, so the PIN hash the caller registry uses can be put behind
// this interface; Pbkdf2PinHasher is the implementation kept here.
class PinHasher
{
public:
    virtual ~PinHasher() = default;
    // True when `pin` is 4 to 8 ASCII digits and nothing else.
    static bool isValidPin(const QString &pin);
    // The stored form of a valid PIN with a fresh salt; empty on failure or an invalid PIN.
    virtual QString hash(const QString &pin) const = 0;
    // True when `pin` matches `stored` (compared in constant time).
    virtual bool verify(const QString &pin, const QString &stored) const = 0;
};

// PBKDF2-HMAC-SHA256 (OpenSSL PKCS5_PBKDF2_HMAC) with a 16-byte random salt and a 32-byte
// output, stored as "pbkdf2-sha256$ITERATIONS$SALT$HASH" (base64), so that the cost can be
// raised later without breaking the hashes already stored.
class Pbkdf2PinHasher : public PinHasher
{
public:
    static constexpr int DefaultIterations = 300000;
    explicit Pbkdf2PinHasher(int iterations = DefaultIterations) : m_iterations(iterations) {}
    QString hash(const QString &pin) const override;
    bool verify(const QString &pin, const QString &stored) const override;

private:
    int m_iterations;
};

} // namespace kt
