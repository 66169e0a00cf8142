// SPDX-License-Identifier: GPL-3.0-or-later
// Every vector of signature_vectors.json: valid ones verify, invalid ones fail (docs/telnyx-api.md
// §2).
#include "telnyx/ed25519.h"
#include "telnyx/webhooksignature.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <atomic>
#include <thread>
#include <vector>

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

// RFC 8032 §7.1 test 1: the empty message.
struct Rfc8032
{
    QByteArray seed, publicKey, signature;
};

Rfc8032 rfc8032()
{
    const QJsonObject rfc = vectors().value(QLatin1String("rfc8032")).toObject();
    const auto hex = [&](const char *key) {
        return QByteArray::fromHex(rfc.value(QLatin1String(key)).toString().toLatin1());
    };
    return {hex("secret_key_hex"), hex("public_key_hex"), hex("signature_hex")};
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
    void keysMadeOnce();
    void sharedKeyAcrossThreads();
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
    const Rfc8032 rfc = rfc8032();
    QCOMPARE(rfc.seed.size(), 32);
    QCOMPARE(kt::Ed25519::publicKeyOf(rfc.seed), rfc.publicKey);
    QCOMPARE(kt::Ed25519::sign(rfc.seed, QByteArray()), rfc.signature);
    QVERIFY(kt::Ed25519::verify(rfc.publicKey, QByteArray(), rfc.signature));
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

// The kept key objects give the RFC 8032 results, and refuse bad sizes plainly.
void TstWebhookSignature::keysMadeOnce()
{
    const Rfc8032 rfc = rfc8032();
    const QByteArray &seed = rfc.seed, &pub = rfc.publicKey, &sig = rfc.signature;
    const kt::Ed25519::SigningKey signing(seed);
    QVERIFY(signing.isValid());
    QCOMPARE(signing.seed(), seed);
    QCOMPARE(signing.publicKey(), pub);
    QCOMPARE(signing.sign(QByteArray()), sig);
    QCOMPARE(signing.sign(QByteArray()), sig); // the key is reused, not consumed
    const kt::Ed25519::PublicKey key(pub);
    QVERIFY(key.isValid());
    QCOMPARE(key.raw(), pub);
    QVERIFY(key.verify(QByteArray(), sig));
    QVERIFY(key.verify(QByteArray(), sig));
    QVERIFY(!key.verify("x", sig));
    QVERIFY(!key.verify(QByteArray(), sig.left(63)));

    for (int size : {0, 31, 33}) {
        const QByteArray bytes(size, 'k');
        QVERIFY(!kt::Ed25519::PublicKey(bytes).isValid());
        QVERIFY(!kt::Ed25519::PublicKey(bytes).verify(QByteArray(), sig));
        QVERIFY(kt::Ed25519::PublicKey(bytes).raw().isEmpty());
        QVERIFY(!kt::Ed25519::SigningKey(bytes).isValid());
        QVERIFY(kt::Ed25519::SigningKey(bytes).sign("x").isEmpty());
        QVERIFY(kt::Ed25519::SigningKey(bytes).publicKey().isEmpty());
        QVERIFY(!WebhookVerifier(bytes).hasKey());
        QVERIFY(kt::WebhookSigner(bytes).sign("1", "x").isEmpty());
    }
    QVERIFY(!kt::Ed25519::PublicKey().isValid());
    QVERIFY(kt::WebhookSigner().sign("1", "x").isEmpty());
}

// The webhook server checks signatures on several threads with one verifier (one key object).
void TstWebhookSignature::sharedKeyAcrossThreads()
{
    const kt::WebhookSigner signer(kt::Ed25519::generateSeed());
    const WebhookVerifier verifier(signer.publicKey());
    const WebhookVerifier copy = verifier; // copies share the key
    const qint64 now = 1800000000;
    const QByteArray t = QByteArray::number(now);
    std::vector<QByteArray> bodies, signatures;
    for (int i = 0; i < 40; ++i) {
        bodies.push_back(QByteArray("{\"n\":") + QByteArray::number(i) + '}');
        signatures.push_back(signer.sign(t, bodies.back()));
    }
    std::atomic<int> valid{0}, rejected{0};
    std::vector<std::thread> threads;
    for (int k = 0; k < 4; ++k) {
        threads.emplace_back([&, k] {
            const WebhookVerifier &v = k % 2 ? copy : verifier;
            for (size_t i = 0; i < bodies.size(); ++i) {
                if (v.verify(t, signatures[i], bodies[i], now) == WebhookVerifier::Result::Valid)
                    ++valid;
                // and each signature fails for its neighbour's body
                if (v.verify(t, signatures[i], bodies[(i + 1) % bodies.size()], now) ==
                    WebhookVerifier::Result::BadSignature)
                    ++rejected;
            }
        });
    }
    for (std::thread &th : threads)
        th.join();
    QCOMPARE(valid.load(), 4 * 40);
    QCOMPARE(rejected.load(), 4 * 40);
}

QTEST_GUILESS_MAIN(TstWebhookSignature)
#include "tst_webhooksignature.moc"
