// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ed25519.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <optional>

namespace kt {

// Telnyx webhook signatures (docs/telnyx-api.md §2): base64 Ed25519 over `timestamp + "|" + raw
// body`, with the timestamp no more than 300 s away from now in either direction.
class WebhookVerifier
{
public:
    static constexpr qint64 ToleranceSeconds = 300;
    static constexpr const char *SignatureHeader = "telnyx-signature-ed25519";
    static constexpr const char *TimestampHeader = "telnyx-timestamp";

    enum class Result {
        Valid,
        NoKey,
        MissingSignature,
        MissingTimestamp,
        BadTimestamp,
        StaleTimestamp,
        BadSignatureEncoding,
        BadSignature,
    };

    WebhookVerifier() = default;
    explicit WebhookVerifier(const QByteArray &rawPublicKey) : m_key(rawPublicKey) {}

    // Decodes the account's public key as shown in the portal: standard base64 of 32 raw bytes.
    static std::optional<QByteArray> decodePublicKey(const QString &base64,
                                                     QString *error = nullptr);

    bool hasKey() const { return m_key.isValid(); }
    QByteArray publicKey() const { return m_key.raw(); }

    // precheck(), then checkSignature().
    Result verify(QByteArrayView timestamp, QByteArrayView signatureBase64, QByteArrayView body,
                  qint64 nowSecs) const;
    // The cheap checks, in order: key, headers, timestamp window, signature encoding. Valid
    // means only the Ed25519 check is left; *signature then holds the 64 decoded bytes.
    Result precheck(QByteArrayView timestamp, QByteArrayView signatureBase64, qint64 nowSecs,
                    QByteArray *signature) const;
    // The Ed25519 check (Valid or BadSignature) of the decoded signature of a request that passed
    // precheck(). Reentrant: the webhook server runs it on worker threads.
    Result checkSignature(QByteArrayView timestamp, QByteArrayView signature,
                          QByteArrayView body) const;

    // A stable, short code for logs and metrics ("bad_signature", ...).
    static QString code(Result result);

private:
    Ed25519::PublicKey m_key; // parsed once
};

// Produces the two headers Telnyx sends; used by the fake Telnyx API and the demo simulator.
class WebhookSigner
{
public:
    WebhookSigner() = default; // signs nothing
    explicit WebhookSigner(const QByteArray &seed) : m_key(seed) {}
    QByteArray seed() const { return m_key.seed(); }
    QByteArray publicKey() const { return m_key.publicKey(); }
    // base64 of the Ed25519 signature of `timestamp|body`.
    QByteArray sign(QByteArrayView timestamp, QByteArrayView body) const;

private:
    Ed25519::SigningKey m_key; // made once: signing many webhooks does not rebuild it
};

} // namespace kt
