// SPDX-License-Identifier: GPL-3.0-or-later
// Every vector of signature_vectors.json: valid ones verify, invalid ones fail (FACTS §2).
#include "telnyx/ed25519.h"
#include "telnyx/webhooksignature.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using kt::WebhookVerifier;

namespace {
QJsonObject vectors()
{
    QFile f(QStringLiteral(KEVANTEL_FIXTURES_DIR "/signature_vectors.json"));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read signature_vectors.json");
    return QJsonDocument::fromJson(f.readAll()).object();
}

QByteArray b64(const QJsonValue &v)
{
    return QByteArray::fromBase64(v.toString().toLatin1());
}
} // namespace

class TstWebhookSignature : public QObject
{
    Q_OBJECT
private slots:
    void fixtureVectors_data();
    void fixtureVectors();
    void rfc8032Test1();
    void signerMatchesFixtures();
    void timestampWindow();
    void malformedInputs();
    void publicKeyDecoding();
};

void TstWebhookSignature::fixtureVectors_data()
{
    QTest::addColumn<QByteArray>("publicKey");
    QTest::addColumn<QByteArray>("timestamp");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("signature");
    QTest::addColumn<bool>("expectValid");
    const QJsonObject all = vectors();
    int valid = 0, invalid = 0;
    for (const char *group : {"valid", "invalid"}) {
        for (const QJsonValue &v : all.value(QLatin1String(group)).toArray()) {
            const QJsonObject o = v.toObject();
            const bool expect = o.value(QLatin1String("expect_valid")).toBool();
            (expect ? valid : invalid)++;
            QTest::newRow(o.value(QLatin1String("name")).toString().toUtf8().constData())
                << b64(o.value(QLatin1String("public_key_b64")))
                << o.value(QLatin1String("telnyx_timestamp")).toString().toLatin1()
                << o.value(QLatin1String("body")).toString().toUtf8()
                << o.value(QLatin1String("telnyx_signature_ed25519")).toString().toLatin1()
                << expect;
        }
    }
    QVERIFY2(valid >= 2 && invalid >= 5, "the fixture should hold valid and invalid vectors");
}

void TstWebhookSignature::fixtureVectors()
{
    QFETCH(QByteArray, publicKey);
    QFETCH(QByteArray, timestamp);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, signature);
    QFETCH(bool, expectValid);
    const WebhookVerifier verifier(publicKey);
    // Inject "now" as the vector's own timestamp so the fixed values fall in the window.
    const qint64 now = timestamp.toLongLong();
    const auto result = verifier.verify(timestamp, signature, body, now);
    QCOMPARE(result == WebhookVerifier::Result::Valid, expectValid);
}

void TstWebhookSignature::rfc8032Test1()
{
    const QJsonObject rfc = vectors().value(QLatin1String("rfc8032")).toObject();
    QVERIFY(!rfc.isEmpty());
    const QByteArray seed =
        QByteArray::fromHex(rfc.value(QLatin1String("secret_key_hex")).toString().toLatin1());
    const QByteArray pub =
        QByteArray::fromHex(rfc.value(QLatin1String("public_key_hex")).toString().toLatin1());
    const QByteArray sig =
        QByteArray::fromHex(rfc.value(QLatin1String("signature_hex")).toString().toLatin1());
    QCOMPARE(kt::Ed25519::publicKeyOf(seed), pub);
    QCOMPARE(kt::Ed25519::sign(seed, QByteArray()), sig);
    QVERIFY(kt::Ed25519::verify(pub, QByteArray(), sig));
}

void TstWebhookSignature::signerMatchesFixtures()
{
    const QJsonObject v = vectors().value(QLatin1String("valid")).toArray().first().toObject();
    const kt::WebhookSigner signer(b64(v.value(QLatin1String("private_key_seed_b64"))));
    QCOMPARE(signer.publicKey(), b64(v.value(QLatin1String("public_key_b64"))));
    QCOMPARE(signer.sign(v.value(QLatin1String("telnyx_timestamp")).toString().toLatin1(),
                         v.value(QLatin1String("body")).toString().toUtf8()),
             v.value(QLatin1String("telnyx_signature_ed25519")).toString().toLatin1());
}

void TstWebhookSignature::timestampWindow()
{
    const QByteArray seed = kt::Ed25519::generateSeed();
    const kt::WebhookSigner signer(seed);
    const WebhookVerifier verifier(signer.publicKey());
    const QByteArray body = R"({"data":{"event_type":"call.initiated","id":"x"}})";
    const qint64 ts = 1800000000;
    const QByteArray t = QByteArray::number(ts);
    const QByteArray sig = signer.sign(t, body);
    QCOMPARE(verifier.verify(t, sig, body, ts), WebhookVerifier::Result::Valid);
    QCOMPARE(verifier.verify(t, sig, body, ts + 300), WebhookVerifier::Result::Valid);
    QCOMPARE(verifier.verify(t, sig, body, ts - 300), WebhookVerifier::Result::Valid);
    QCOMPARE(verifier.verify(t, sig, body, ts + 301), WebhookVerifier::Result::StaleTimestamp);
    QCOMPARE(verifier.verify(t, sig, body, ts - 301), WebhookVerifier::Result::StaleTimestamp);
    // The signature covers the timestamp: a replay with a fresh timestamp fails.
    const QByteArray t2 = QByteArray::number(ts + 1);
    QCOMPARE(verifier.verify(t2, sig, body, ts), WebhookVerifier::Result::BadSignature);
    // Another key does not verify.
    const WebhookVerifier other(kt::Ed25519::publicKeyOf(kt::Ed25519::generateSeed()));
    QCOMPARE(other.verify(t, sig, body, ts), WebhookVerifier::Result::BadSignature);
}

void TstWebhookSignature::malformedInputs()
{
    const kt::WebhookSigner signer(kt::Ed25519::generateSeed());
    const WebhookVerifier verifier(signer.publicKey());
    const QByteArray body = "{}";
    const QByteArray t = "1800000000";
    const qint64 now = 1800000000;
    QCOMPARE(verifier.verify(t, "", body, now), WebhookVerifier::Result::MissingSignature);
    QCOMPARE(verifier.verify("", signer.sign(t, body), body, now),
             WebhookVerifier::Result::MissingTimestamp);
    QCOMPARE(verifier.verify("18e8", signer.sign(t, body), body, now),
             WebhookVerifier::Result::BadTimestamp);
    QCOMPARE(verifier.verify("99999999999999999999999", signer.sign(t, body), body, now),
             WebhookVerifier::Result::BadTimestamp);
    QCOMPARE(verifier.verify(t, "not base64!!", body, now),
             WebhookVerifier::Result::BadSignatureEncoding);
    QCOMPARE(verifier.verify(t, QByteArray(32, 'a').toBase64(), body, now),
             WebhookVerifier::Result::BadSignatureEncoding);
    QCOMPARE(WebhookVerifier().verify(t, signer.sign(t, body), body, now),
             WebhookVerifier::Result::NoKey);
}

void TstWebhookSignature::publicKeyDecoding()
{
    QString error;
    QVERIFY(WebhookVerifier::decodePublicKey(
        QStringLiteral("jrMBoswHlhhVx2W2Www72WU/xn4UMpjreslD0m2u0qs="), &error));
    QVERIFY(!WebhookVerifier::decodePublicKey(QStringLiteral("abc$"), &error));
    QVERIFY(error.contains(QLatin1String("base64")));
    QVERIFY(!WebhookVerifier::decodePublicKey(QStringLiteral("YWJj"), &error));
    QVERIFY(error.contains(QLatin1String("32 bytes")));
}

QTEST_GUILESS_MAIN(TstWebhookSignature)
#include "tst_webhooksignature.moc"
