// SPDX-License-Identifier: GPL-3.0-or-later
#include "pinhasher.h"

#include <QByteArray>
#include <QStringList>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

namespace kt {

namespace {
constexpr int SaltBytes = 16;
constexpr int HashBytes = 32;
constexpr int MaxIterations = 10'000'000;

QByteArray derive(const QString &pin, const QByteArray &salt, int iterations)
{
    const QByteArray secret = pin.toLatin1();
    QByteArray out(HashBytes, Qt::Uninitialized);
    if (PKCS5_PBKDF2_HMAC(secret.constData(), int(secret.size()),
                          reinterpret_cast<const unsigned char *>(salt.constData()),
                          int(salt.size()), iterations, EVP_sha256(), HashBytes,
                          reinterpret_cast<unsigned char *>(out.data())) != 1)
        return {};
    return out;
}
} // namespace

bool PinHasher::isValidPin(const QString &pin)
{
    if (pin.size() < 4 || pin.size() > 8)
        return false;
    for (const QChar c : pin) {
        if (c < u'0' || c > u'9')
            return false;
    }
    return true;
}

QString Pbkdf2PinHasher::hash(const QString &pin) const
{
    if (!isValidPin(pin) || m_iterations < 1 || m_iterations > MaxIterations)
        return {};
    QByteArray salt(SaltBytes, Qt::Uninitialized);
    if (RAND_bytes(reinterpret_cast<unsigned char *>(salt.data()), SaltBytes) != 1)
        return {};
    const QByteArray derived = derive(pin, salt, m_iterations);
    if (derived.isEmpty())
        return {};
    return QStringLiteral("pbkdf2-sha256$%1$%2$%3")
        .arg(m_iterations)
        .arg(QString::fromLatin1(salt.toBase64()), QString::fromLatin1(derived.toBase64()));
}

bool Pbkdf2PinHasher::verify(const QString &pin, const QString &stored) const
{
    if (!isValidPin(pin))
        return false;
    const QStringList parts = stored.split(u'$');
    if (parts.size() != 4 || parts[0] != QLatin1String("pbkdf2-sha256"))
        return false;
    bool ok = false;
    const int iterations = parts[1].toInt(&ok);
    if (!ok || iterations < 1 || iterations > MaxIterations)
        return false;
    const auto salt = QByteArray::fromBase64Encoding(parts[2].toLatin1(),
                                                     QByteArray::AbortOnBase64DecodingErrors);
    const auto expected = QByteArray::fromBase64Encoding(parts[3].toLatin1(),
                                                         QByteArray::AbortOnBase64DecodingErrors);
    if (!salt || !expected || salt.decoded.size() != SaltBytes ||
        expected.decoded.size() != HashBytes)
        return false;
    const QByteArray derived = derive(pin, salt.decoded, iterations);
    return derived.size() == HashBytes &&
           CRYPTO_memcmp(derived.constData(), expected.decoded.constData(), HashBytes) == 0;
}

} // namespace kt
