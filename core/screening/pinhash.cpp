// SPDX-License-Identifier: GPL-3.0-or-later
#include "pinhash.h"

#include <QStringList>

#include <optional>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

namespace kt {

namespace {

constexpr int SaltBytes = 16;
constexpr int HashBytes = 32;
// Upper bounds of the parameters a stored hash may ask for (a corrupt or hostile row must not
// make a verification take minutes or gigabytes).
constexpr quint64 MaxN = quint64(1) << 20;
constexpr int MaxR = 32;
constexpr int MaxP = 16;

bool derive(const QByteArray &pin, const QByteArray &salt, quint64 n, int r, int p, QByteArray *out)
{
    if (n < 2 || (n & (n - 1)) != 0 || n > MaxN || r < 1 || r > MaxR || p < 1 || p > MaxP)
        return false;
    out->resize(HashBytes);
    // scrypt needs 128 * N * r * p bytes (and a little more); allow that much.
    const quint64 maxMem = 128 * n * quint64(r) * quint64(p) + 1024 * 1024;
    const int ok = EVP_PBE_scrypt(pin.constData(), size_t(pin.size()),
                                  reinterpret_cast<const unsigned char *>(salt.constData()),
                                  size_t(salt.size()), n, quint64(r), quint64(p), maxMem,
                                  reinterpret_cast<unsigned char *>(out->data()), HashBytes);
    if (ok != 1) {
        OPENSSL_cleanse(out->data(), size_t(out->size()));
        out->clear();
        return false;
    }
    return true;
}

// The parts of a stored "scrypt$N$r$p$SALT$HASH", when it is one hash() could have written.
struct Stored
{
    quint64 n = 0;
    int r = 0;
    int p = 0;
    QByteArray salt;
    QByteArray hash;
};

std::optional<Stored> parseStored(const QString &stored)
{
    const QStringList parts = stored.split(QLatin1Char('$'));
    if (parts.size() != 6 || parts.at(0) != QLatin1String("scrypt"))
        return std::nullopt;
    bool okN = false, okR = false, okP = false;
    Stored out;
    out.n = parts.at(1).toULongLong(&okN);
    out.r = parts.at(2).toInt(&okR);
    out.p = parts.at(3).toInt(&okP);
    const auto salt = QByteArray::fromBase64Encoding(parts.at(4).toLatin1(),
                                                     QByteArray::AbortOnBase64DecodingErrors);
    const auto hash = QByteArray::fromBase64Encoding(parts.at(5).toLatin1(),
                                                     QByteArray::AbortOnBase64DecodingErrors);
    if (!okN || !okR || !okP || !salt || !hash || salt.decoded.size() < 8 ||
        hash.decoded.size() != HashBytes || out.n < 2 || (out.n & (out.n - 1)) != 0 ||
        out.n > MaxN || out.r < 1 || out.r > MaxR || out.p < 1 || out.p > MaxP)
        return std::nullopt;
    out.salt = salt.decoded;
    out.hash = hash.decoded;
    return out;
}

} // namespace

bool PinHash::isValidPin(const QString &pin)
{
    if (pin.size() < MinDigits || pin.size() > MaxDigits)
        return false;
    for (const QChar c : pin) {
        if (c.unicode() < '0' || c.unicode() > '9')
            return false;
    }
    return true;
}

QString PinHash::hash(const QString &pin, quint64 n, int r, int p)
{
    if (!isValidPin(pin))
        return QString();
    QByteArray salt(SaltBytes, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char *>(salt.data()), SaltBytes) != 1)
        return QString();
    QByteArray digest;
    QByteArray secret = pin.toLatin1();
    const bool ok = derive(secret, salt, n, r, p, &digest);
    OPENSSL_cleanse(secret.data(), size_t(secret.size()));
    if (!ok)
        return QString();
    const QString stored =
        QStringLiteral("scrypt$%1$%2$%3$%4$%5")
            .arg(n)
            .arg(r)
            .arg(p)
            .arg(QString::fromLatin1(salt.toBase64()), QString::fromLatin1(digest.toBase64()));
    OPENSSL_cleanse(digest.data(), size_t(digest.size()));
    return stored;
}

bool PinHash::isStoredForm(const QString &stored)
{
    return parseStored(stored).has_value();
}

bool PinHash::verify(const QString &pin, const QString &stored)
{
    if (!isValidPin(pin))
        return false;
    const auto parsed = parseStored(stored);
    if (!parsed)
        return false;
    QByteArray digest;
    QByteArray secret = pin.toLatin1();
    const bool derived = derive(secret, parsed->salt, parsed->n, parsed->r, parsed->p, &digest);
    OPENSSL_cleanse(secret.data(), size_t(secret.size()));
    if (!derived)
        return false;
    const bool same =
        CRYPTO_memcmp(digest.constData(), parsed->hash.constData(), size_t(HashBytes)) == 0;
    OPENSSL_cleanse(digest.data(), size_t(digest.size()));
    return same;
}

} // namespace kt
