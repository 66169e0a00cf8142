// SPDX-License-Identifier: GPL-3.0-or-later
#include "hashchain.h"

#include <QCryptographicHash>
#include <QtEndian>

#include <openssl/evp.h>

namespace kt {

namespace {

void addField(QByteArray &out, const QByteArray &utf8)
{
    out.append(char(1));
    char len[8];
    qToBigEndian<quint64>(quint64(utf8.size()), len);
    out.append(len, sizeof len);
    out.append(utf8);
}

void addField(QByteArray &out, const std::optional<QString> &value)
{
    if (!value) {
        out.append(char(0));
        return;
    }
    addField(out, value->toUtf8());
}

} // namespace

QString HashChain::genesisHash()
{
    return QString(64, QLatin1Char('0'));
}

QByteArray HashChain::encode(const QString &prevHash, const Row &row)
{
    QByteArray out;
    out.reserve(128 + row.payload.size() * 2);
    out.append("kevan-tel/event/v1");
    addField(out, prevHash.toUtf8());
    addField(out, QByteArray::number(row.seq));
    addField(out, row.telnyxId);
    addField(out, row.type.toUtf8());
    addField(out, row.callId);
    addField(out, row.occurredAt);
    addField(out, row.recordedAt.toUtf8());
    addField(out, row.actor.toUtf8());
    addField(out, row.payload.toUtf8());
    if (row.instance)
        addField(out, row.instance->toUtf8());
    return out;
}

QString HashChain::hash(const QString &prevHash, const Row &row)
{
    // OpenSSL's SHA-256 (with the CPU's SHA instructions where there are some) is faster than
    // QCryptographicHash's; every append and every verified row hashes.
    const QByteArray data = encode(prevHash, row);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(data.constData(), size_t(data.size()), digest, &length, EVP_sha256(), nullptr) !=
        1)
        return QString::fromLatin1(
            QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex());
    return QString::fromLatin1(
        QByteArray::fromRawData(reinterpret_cast<const char *>(digest), int(length)).toHex());
}

} // namespace kt
