// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>

namespace kt {

// A registration's PIN: 4 to 8 digits, stored only as a salted scrypt hash (OpenSSL
// EVP_PBE_scrypt) and compared in constant time (CRYPTO_memcmp). The stored text carries its own
// parameters, "scrypt$N$r$p$SALT$HASH" (salt and hash in base64), so stronger parameters can be
// introduced later without breaking the PINs already stored. A PIN is a secret: nothing here
// logs it, and callers must not either.
class PinHash
{
public:
    static constexpr int MinDigits = 4;
    static constexpr int MaxDigits = 8;
    // scrypt cost: N = 2^14, r = 8, p = 1 (16 MiB of memory; slow on purpose).
    static constexpr quint64 DefaultN = quint64(1) << 14;
    static constexpr int DefaultR = 8;
    static constexpr int DefaultP = 1;

    // True when `pin` is 4 to 8 ASCII digits and nothing else.
    static bool isValidPin(const QString &pin);
    // The stored form of `pin` with a fresh 16-byte random salt; empty when the PIN is not
    // valid or OpenSSL fails. `n` (a power of two), `r` and `p` are the scrypt parameters.
    static QString hash(const QString &pin, quint64 n = DefaultN, int r = DefaultR,
                        int p = DefaultP);
    // True when `pin` hashes to `stored` (constant-time comparison of the hashes). False for
    // an invalid PIN or a stored text that is not one hash() wrote.
    static bool verify(const QString &pin, const QString &stored);
    // True when `stored` has the form hash() writes, with parameters within bounds.
    static bool isStoredForm(const QString &stored);
};

} // namespace kt
