// SPDX-License-Identifier: GPL-3.0-or-later
#include "webhooksignature.h"

#include "ed25519.h"

#include <cstdlib>

namespace kt {
namespace {
std::optional<QByteArray> strictBase64(QByteArrayView text)
{
    auto decoded =
        QByteArray::fromBase64Encoding(text.toByteArray(), QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return std::nullopt;
    return *decoded;
}

QByteArray signedMessage(QByteArrayView timestamp, QByteArrayView body)
{
    QByteArray message;
    message.reserve(timestamp.size() + 1 + body.size());
    message.append(timestamp).append('|').append(body);
    return message;
}
} // namespace

std::optional<QByteArray> WebhookVerifier::decodePublicKey(const QString &base64, QString *error)
{
    auto decoded = strictBase64(base64.trimmed().toLatin1());
    if (!decoded) {
        if (error)
            *error = QStringLiteral("the webhook public key is not valid base64");
        return std::nullopt;
    }
    if (decoded->size() != 32) {
        if (error)
            *error = QStringLiteral("the webhook public key must be 32 bytes, got %1")
                         .arg(decoded->size());
        return std::nullopt;
    }
    return decoded;
}

WebhookVerifier::Result WebhookVerifier::verify(QByteArrayView timestamp,
                                                QByteArrayView signatureBase64, QByteArrayView body,
                                                qint64 nowSecs) const
{
    QByteArray signature;
    const Result cheap = precheck(timestamp, signatureBase64, nowSecs, &signature);
    return cheap == Result::Valid ? checkSignature(timestamp, signature, body) : cheap;
}

WebhookVerifier::Result WebhookVerifier::precheck(QByteArrayView timestamp,
                                                  QByteArrayView signatureBase64, qint64 nowSecs,
                                                  QByteArray *signature) const
{
    if (!hasKey())
        return Result::NoKey;
    if (signatureBase64.trimmed().isEmpty())
        return Result::MissingSignature;
    if (timestamp.trimmed().isEmpty())
        return Result::MissingTimestamp;
    bool ok = false;
    const qint64 sent = timestamp.toByteArray().toLongLong(&ok);
    if (!ok || timestamp.size() > 19)
        return Result::BadTimestamp;
    if (std::llabs(nowSecs - sent) > ToleranceSeconds)
        return Result::StaleTimestamp;
    auto decoded = strictBase64(signatureBase64.trimmed());
    if (!decoded || decoded->size() != Ed25519::SignatureSize)
        return Result::BadSignatureEncoding;
    *signature = std::move(*decoded);
    return Result::Valid;
}

WebhookVerifier::Result WebhookVerifier::checkSignature(QByteArrayView timestamp,
                                                        QByteArrayView signature,
                                                        QByteArrayView body) const
{
    return m_key.verify(signedMessage(timestamp, body), signature) ? Result::Valid
                                                                   : Result::BadSignature;
}

QString WebhookVerifier::code(Result result)
{
    switch (result) {
    case Result::Valid:
        return QStringLiteral("valid");
    case Result::NoKey:
        return QStringLiteral("no_public_key");
    case Result::MissingSignature:
        return QStringLiteral("missing_signature");
    case Result::MissingTimestamp:
        return QStringLiteral("missing_timestamp");
    case Result::BadTimestamp:
        return QStringLiteral("bad_timestamp");
    case Result::StaleTimestamp:
        return QStringLiteral("stale_timestamp");
    case Result::BadSignatureEncoding:
        return QStringLiteral("bad_signature_encoding");
    case Result::BadSignature:
        return QStringLiteral("bad_signature");
    }
    return QStringLiteral("unknown");
}

QByteArray WebhookSigner::sign(QByteArrayView timestamp, QByteArrayView body) const
{
    return m_key.sign(signedMessage(timestamp, body)).toBase64();
}

} // namespace kt
