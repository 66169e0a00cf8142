// SPDX-License-Identifier: GPL-3.0-or-later
#include "screening/certificate.h"
#include "screening/certificateauthority.h"
#include "screening/truststore.h"

#include <QCryptographicHash>
#include <QtTest>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

using namespace kt;
using Code = CertStatus::Code;

namespace QTest {
template <> char *toString(const CertStatus::Code &code)
{
    return qstrdup(CertStatus::codeString(code).toUtf8().constData());
}
} // namespace QTest

class TestCertificate : public QObject
{
    Q_OBJECT

private:
    static QDateTime utc(int y, int m, int d, int h = 0, int min = 0, int s = 0)
    {
        return QDateTime(QDate(y, m, d), QTime(h, min, s), Qt::UTC);
    }
    // Every check runs at this injected time, never the wall clock.
    const QDateTime m_now = utc(2026, 6, 1, 12);
    const QDateTime m_from = utc(2025, 1, 1);
    const QDateTime m_until = utc(2030, 1, 1);

    CertificateAuthority m_root;
    Certificate m_alice;
    TrustStore m_store;

    CertStatus check(const Certificate &leaf, const QString &ns = QStringLiteral("alice.x"),
                     const QString &fingerprint = QString(),
                     const QList<Certificate> &intermediates = {}) const
    {
        return m_store.verify(leaf, intermediates, ns, fingerprint, m_now);
    }

private slots:
    void initTestCase()
    {
        m_root = CertificateAuthority::createRoot(QStringLiteral("kevan-tel test root"), m_from,
                                                  utc(2035, 1, 1));
        QVERIFY(!m_root.isNull());
        m_alice = m_root.issue(QStringLiteral("alice.x"), m_from, m_until);
        QVERIFY(!m_alice.isNull());
        QString error;
        QVERIFY2(m_store.addRoot(m_root.certificate(), &error), qPrintable(error));
    }

    // --- Certificate ---

    void pemRoundTrip()
    {
        const QByteArray pem = m_alice.toPem();
        QVERIFY(pem.startsWith("-----BEGIN CERTIFICATE-----\n"));
        QString error;
        const std::optional<Certificate> back = Certificate::fromPem(pem, &error);
        QVERIFY2(back, qPrintable(error));
        QCOMPARE(back->der(), m_alice.der());
        QCOMPARE(back->fingerprint(), m_alice.fingerprint());
        QVERIFY(*back == m_alice);
        QVERIFY(*back != m_root.certificate());
        QCOMPARE(back->toPem(), pem);
    }

    void derRoundTrip()
    {
        const std::optional<Certificate> back = Certificate::fromDer(m_alice.der());
        QVERIFY(back);
        QVERIFY(*back == m_alice);
        QString error;
        QVERIFY(!Certificate::fromDer(m_alice.der() + "x", &error));
        QVERIFY(error.startsWith(QLatin1String("malformed certificate")));
        QVERIFY(!Certificate::fromDer(m_alice.der().left(40), &error));
    }

    void garbagePemIsRefused_data()
    {
        QTest::addColumn<QByteArray>("pem");
        QTest::addColumn<QString>("error");
        QTest::newRow("empty") << QByteArray() << "not a PEM certificate";
        QTest::newRow("text") << QByteArray("hello, world\n") << "not a PEM certificate";
        QTest::newRow("key only") << m_root.privateKeyPem() << "not a PEM certificate";
        QTest::newRow("bad base64")
            << QByteArray("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n")
            << "malformed certificate";
        QTest::newRow("not DER") << QByteArray("-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n"
                                               "-----END CERTIFICATE-----\n")
                                 << "malformed certificate";
        QTest::newRow("two certificates")
            << m_alice.toPem() + m_root.certificate().toPem() << "more than one certificate";
    }

    void garbagePemIsRefused()
    {
        QFETCH(QByteArray, pem);
        QFETCH(QString, error);
        QString actual;
        QVERIFY(!Certificate::fromPem(pem, &actual));
        QVERIFY2(actual.startsWith(error), qPrintable(actual));
    }

    void pemWithKeyAndTextIsOneCertificate()
    {
        QByteArray key;
        const Certificate cert =
            m_root.issue(QStringLiteral("carol.x"), m_from, m_until, false, &key);
        QVERIFY(key.startsWith("-----BEGIN PRIVATE KEY-----"));
        const QByteArray pem = "subject=carol.x\n" + key + cert.toPem();
        const std::optional<Certificate> back = Certificate::fromPem(pem);
        QVERIFY(back);
        QVERIFY(*back == cert);
    }

    void allFromPemReadsABundle()
    {
        QString error;
        const QList<Certificate> all =
            Certificate::allFromPem(m_alice.toPem() + m_root.certificate().toPem(), &error);
        QCOMPARE(all.size(), 2);
        QVERIFY(all.at(0) == m_alice);
        QVERIFY(all.at(1) == m_root.certificate());
        QVERIFY(Certificate::allFromPem("nothing here", &error).isEmpty());
        QCOMPARE(error, QStringLiteral("not a PEM certificate"));
    }

    void fingerprintIsSha256OfDer()
    {
        const QString expected = QString::fromLatin1(
            QCryptographicHash::hash(m_alice.der(), QCryptographicHash::Sha256).toHex());
        QCOMPARE(m_alice.fingerprint(), expected);
        QCOMPARE(m_alice.fingerprint().size(), 64);
        QCOMPARE(m_alice.fingerprint(), m_alice.fingerprint().toLower());
        QVERIFY(m_alice.fingerprint() != m_root.certificate().fingerprint());
    }

    void fields()
    {
        const Certificate root = m_root.certificate();
        QCOMPARE(m_alice.namespaces(), QStringList{QStringLiteral("alice.x")});
        QCOMPARE(m_alice.dnsNames(), QStringList{QStringLiteral("alice.x")});
        QCOMPARE(m_alice.commonName(), QStringLiteral("alice.x"));
        QCOMPARE(m_alice.subject(), QStringLiteral("CN = alice.x"));
        QCOMPARE(m_alice.issuer(), QStringLiteral("CN = kevan-tel test root"));
        QCOMPARE(root.subject(), root.issuer());
        QCOMPARE(m_alice.notBefore(), m_from);
        QCOMPARE(m_alice.notAfter(), m_until);
        QCOMPARE(m_alice.notAfter().timeSpec(), Qt::UTC);
        QVERIFY(!m_alice.isCa());
        QVERIFY(root.isCa());
        QVERIFY(root.isSelfSigned());
        QVERIFY(!m_alice.isSelfSigned());
        QCOMPARE(m_alice.serialNumber().size(), 32);
        QVERIFY(m_alice.serialNumber() != m_root.issue("alice.x", m_from, m_until).serialNumber());
        QVERIFY(root.namespaces().isEmpty());
    }

    void namesAreLowerCasedAndFiltered()
    {
        const Certificate mixed = m_root.issue(QStringLiteral("Alice.X"), m_from, m_until);
        QCOMPARE(mixed.namespaces(), QStringList{QStringLiteral("alice.x")});
        const Certificate dotCom = m_root.issue(QStringLiteral("alice.com"), m_from, m_until);
        QCOMPARE(dotCom.dnsNames(), QStringList{QStringLiteral("alice.com")});
        QVERIFY(dotCom.namespaces().isEmpty());
        const Certificate wildcard = m_root.issue(QStringLiteral("*.alice.x"), m_from, m_until);
        QVERIFY(wildcard.namespaces().isEmpty());
    }

    void isNamespace_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("ok");
        QTest::newRow("alice.x") << "alice.x" << true;
        QTest::newRow("kevan.tel.x") << "kevan.tel.x" << true;
        QTest::newRow("upper") << "ALICE.X" << true;
        QTest::newRow("digits-hyphen") << "a-1.x" << true;
        QTest::newRow("bare x") << "x" << false;
        QTest::newRow("dot x") << ".x" << false;
        QTest::newRow("dot com") << "alice.com" << false;
        QTest::newRow("trailing dot") << "alice.x." << false;
        QTest::newRow("empty label") << "alice..x" << false;
        QTest::newRow("wildcard") << "*.alice.x" << false;
        QTest::newRow("leading hyphen") << "-alice.x" << false;
        QTest::newRow("underscore") << "al_ice.x" << false;
        QTest::newRow("x suffix only") << "alicex" << false;
        QTest::newRow("long label") << QString(64, u'a') + ".x" << false;
    }

    void isNamespace()
    {
        QFETCH(QString, name);
        QFETCH(bool, ok);
        QCOMPARE(Certificate::isNamespace(name), ok);
    }

    void normalizeFingerprint()
    {
        const QString fp = m_alice.fingerprint();
        QString colons;
        for (int i = 0; i < fp.size(); i += 2)
            colons += (i ? QStringLiteral(":") : QString()) + fp.mid(i, 2).toUpper();
        QCOMPARE(Certificate::normalizeFingerprint(colons), fp);
        QCOMPARE(Certificate::normalizeFingerprint(fp.toUpper()), fp);
        QVERIFY(Certificate::normalizeFingerprint(fp.left(62)).isEmpty());
        QVERIFY(Certificate::normalizeFingerprint(fp.left(63) + "g").isEmpty());
    }

    void copiesShareAndOutliveTheOriginal()
    {
        Certificate copy;
        QVERIFY(copy.isNull());
        QVERIFY(copy.fingerprint().isEmpty());
        {
            const Certificate original = m_root.issue(QStringLiteral("dave.x"), m_from, m_until);
            copy = original;
            QCOMPARE(copy.x509(), original.x509());
            Certificate moved(std::move(copy));
            copy = moved;
        }
        QCOMPARE(copy.namespaces(), QStringList{QStringLiteral("dave.x")});
        const QList<Certificate> many(100, copy);
        QVERIFY(many.last() == copy);
    }

    // --- TrustStore::verify ---

    void validLeaf()
    {
        const CertStatus s = check(m_alice, QStringLiteral("alice.x"), m_alice.fingerprint());
        QCOMPARE(s.code, Code::Valid);
        QVERIFY(s.isValid());
        QCOMPARE(s.codeString(), QStringLiteral("valid"));
        QCOMPARE(s.reason, QStringLiteral("certificate for alice.x is valid until 2030-01-01"));
        // Namespace case and fingerprint formatting do not matter; an empty fingerprint skips it.
        QCOMPARE(check(m_alice, QStringLiteral("Alice.X"), m_alice.fingerprint().toUpper()).code,
                 Code::Valid);
        QCOMPARE(check(m_alice, QString()).code, Code::Valid);
    }

    void expired()
    {
        const Certificate old = m_root.issue(QStringLiteral("alice.x"), m_from, utc(2026, 1, 2));
        const CertStatus s = check(old);
        QCOMPARE(s.code, Code::Expired);
        QCOMPARE(s.codeString(), QStringLiteral("expired"));
        QCOMPARE(s.reason, QStringLiteral("certificate for alice.x expired on 2026-01-02"));
    }

    void notYetValid()
    {
        const Certificate future =
            m_root.issue(QStringLiteral("alice.x"), utc(2026, 7, 1), m_until);
        const CertStatus s = check(future);
        QCOMPARE(s.code, Code::NotYetValid);
        QCOMPARE(s.codeString(), QStringLiteral("not_yet_valid"));
        QCOMPARE(s.reason,
                 QStringLiteral("certificate for alice.x is not valid before 2026-07-01"));
    }

    void injectedTime_data()
    {
        QTest::addColumn<QDateTime>("at");
        QTest::addColumn<Code>("code");
        const QDateTime from = utc(2026, 3, 1, 10);
        const QDateTime until = utc(2026, 4, 1, 10);
        QTest::newRow("long before") << utc(2025, 6, 1) << Code::NotYetValid;
        QTest::newRow("a second before") << from.addSecs(-1) << Code::NotYetValid;
        QTest::newRow("at notBefore") << from << Code::Valid;
        QTest::newRow("inside") << utc(2026, 3, 15) << Code::Valid;
        // OpenSSL's X509_cmp_time counts "equal" as "earlier": valid on [notBefore, notAfter).
        QTest::newRow("a second before notAfter") << until.addSecs(-1) << Code::Valid;
        QTest::newRow("at notAfter") << until << Code::Expired;
        QTest::newRow("years after") << utc(2029, 1, 1) << Code::Expired;
        QTest::newRow("other time spec")
            << until.addSecs(-1).toOffsetFromUtc(-5 * 3600) << Code::Valid;
        QTest::newRow("other time spec, after") << until.toOffsetFromUtc(3600) << Code::Expired;
    }

    void injectedTime()
    {
        QFETCH(QDateTime, at);
        QFETCH(Code, code);
        static const Certificate cert =
            m_root.issue(QStringLiteral("alice.x"), utc(2026, 3, 1, 10), utc(2026, 4, 1, 10));
        QCOMPARE(m_store.verify(cert, {}, QStringLiteral("alice.x"), QString(), at).code, code);
    }

    void untrustedRoot()
    {
        const CertificateAuthority other = CertificateAuthority::createRoot(
            QStringLiteral("someone else"), m_from, utc(2035, 1, 1));
        const Certificate foreign = other.issue(QStringLiteral("alice.x"), m_from, m_until);
        const CertStatus s = check(foreign);
        QCOMPARE(s.code, Code::Untrusted);
        QCOMPARE(s.codeString(), QStringLiteral("untrusted"));
        QVERIFY2(s.reason.startsWith(
                     QLatin1String("certificate for alice.x does not chain to a trusted root")),
                 qPrintable(s.reason));
        // Even when the untrusted certificate is also expired, "untrusted" wins.
        const Certificate foreignOld =
            other.issue(QStringLiteral("alice.x"), m_from, utc(2026, 1, 1));
        QCOMPARE(check(foreignOld).code, Code::Untrusted);
        // Nothing is trusted in an empty store.
        QCOMPARE(TrustStore().verify(m_alice, {}, "alice.x", {}, m_now).code, Code::Untrusted);
    }

    void forgedIssuerNameIsUntrusted()
    {
        // Same subject name as the trusted root, different key: the signature gives it away.
        const CertificateAuthority impostor = CertificateAuthority::createRoot(
            QStringLiteral("kevan-tel test root"), m_from, utc(2035, 1, 1));
        QCOMPARE(impostor.certificate().subject(), m_root.certificate().subject());
        const Certificate forged = impostor.issue(QStringLiteral("alice.x"), m_from, m_until);
        QCOMPARE(check(forged).code, Code::Untrusted);
        // Nor does passing the impostor root along as an "intermediate" help.
        QCOMPARE(check(forged, "alice.x", {}, {impostor.certificate()}).code, Code::Untrusted);
    }

    void revokedLeaf()
    {
        TrustStore store = m_store;
        QVERIFY(store.revoke(m_alice.fingerprint().toUpper()));
        QVERIFY(store.isRevoked(m_alice.fingerprint()));
        const CertStatus s = store.verify(m_alice, {}, "alice.x", m_alice.fingerprint(), m_now);
        QCOMPARE(s.code, Code::Revoked);
        QCOMPARE(s.codeString(), QStringLiteral("revoked"));
        QVERIFY(s.reason.contains(QLatin1String("alice.x")));
        QVERIFY(s.reason.contains(QLatin1String("revoked")));
        // Other certificates are unaffected; unrevoking restores it.
        const Certificate other = m_root.issue(QStringLiteral("alice.x"), m_from, m_until);
        QCOMPARE(store.verify(other, {}, "alice.x", {}, m_now).code, Code::Valid);
        QVERIFY(store.unrevoke(m_alice.fingerprint()));
        QCOMPARE(store.verify(m_alice, {}, "alice.x", {}, m_now).code, Code::Valid);
        QVERIFY(!store.revoke(QStringLiteral("not a fingerprint")));
    }

    void revokedAndExpiredIsRevoked()
    {
        const Certificate old = m_root.issue(QStringLiteral("alice.x"), m_from, utc(2026, 1, 2));
        TrustStore store = m_store;
        store.revoke(old.fingerprint());
        QCOMPARE(store.verify(old, {}, "alice.x", {}, m_now).code, Code::Revoked);
    }

    void revokedRootIsRevoked()
    {
        // A revoked root stays in the store; the chain still builds, and then the root's
        // fingerprint is found revoked: the answer is Revoked, not Untrusted.
        TrustStore store = m_store;
        store.revoke(m_root.certificate().fingerprint());
        const CertStatus s = store.verify(m_alice, {}, "alice.x", {}, m_now);
        QCOMPARE(s.code, Code::Revoked);
        QVERIFY2(s.reason.contains(QLatin1String("kevan-tel test root")), qPrintable(s.reason));
    }

    void intermediateChain()
    {
        const CertificateAuthority intermediate =
            m_root.issueIntermediate(QStringLiteral("kevan-tel intermediate"), m_from, m_until);
        QVERIFY(!intermediate.isNull());
        QVERIFY(intermediate.certificate().isCa());
        QVERIFY(!intermediate.certificate().isSelfSigned());
        const Certificate leaf = intermediate.issue(QStringLiteral("alice.x"), m_from, m_until);
        QCOMPARE(leaf.issuer(), QStringLiteral("CN = kevan-tel intermediate"));

        QCOMPARE(check(leaf, "alice.x", leaf.fingerprint(), {intermediate.certificate()}).code,
                 Code::Valid);
        // Without the intermediate there is no path to the root.
        QCOMPARE(check(leaf).code, Code::Untrusted);
        // Unrelated extra certificates do no harm.
        QCOMPARE(check(leaf, "alice.x", {}, {m_alice, intermediate.certificate()}).code,
                 Code::Valid);

        TrustStore store = m_store;
        store.revoke(intermediate.certificate().fingerprint());
        QCOMPARE(store.verify(leaf, {intermediate.certificate()}, "alice.x", {}, m_now).code,
                 Code::Revoked);
    }

    void expiredIntermediate()
    {
        const CertificateAuthority intermediate =
            m_root.issueIntermediate(QStringLiteral("short-lived CA"), m_from, utc(2026, 2, 1));
        const Certificate leaf = intermediate.issue(QStringLiteral("alice.x"), m_from, m_until);
        const CertStatus s = check(leaf, "alice.x", {}, {intermediate.certificate()});
        QCOMPARE(s.code, Code::Expired);
        QCOMPARE(s.reason, QStringLiteral("the certificate authority \"short-lived CA\" behind "
                                          "certificate for alice.x expired on 2026-02-01"));
    }

    void caLeafKeyCanIssue()
    {
        // issue(..., isCa = true, &key) hands back a usable sub-CA.
        QByteArray key;
        const Certificate sub = m_root.issue(QStringLiteral("sub.x"), m_from, m_until, true, &key);
        const std::optional<CertificateAuthority> subCa =
            CertificateAuthority::fromPem(sub.toPem(), key);
        QVERIFY(subCa);
        const Certificate leaf = subCa->issue(QStringLiteral("alice.x"), m_from, m_until);
        QCOMPARE(check(leaf, "alice.x", {}, {sub}).code, Code::Valid);
    }

    void leafCannotActAsIssuer()
    {
        // A CA:FALSE certificate signing another one (built by hand: the CA class refuses).
        QByteArray key;
        const Certificate bob = m_root.issue(QStringLiteral("bob.x"), m_from, m_until, false, &key);
        BIO *bio = BIO_new_mem_buf(key.constData(), int(key.size()));
        EVP_PKEY *bobKey = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
        BIO_free(bio);
        QVERIFY(bobKey);
        X509 *forged = X509_new();
        X509_set_version(forged, X509_VERSION_3);
        ASN1_INTEGER_set(X509_get_serialNumber(forged), 7);
        ASN1_TIME_set(X509_getm_notBefore(forged), m_from.toSecsSinceEpoch());
        ASN1_TIME_set(X509_getm_notAfter(forged), m_until.toSecsSinceEpoch());
        X509_NAME *name = X509_NAME_new();
        X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char *>("alice.x"), -1, -1, 0);
        X509_set_subject_name(forged, name);
        X509_NAME_free(name);
        X509_set_issuer_name(forged, X509_get_subject_name(bob.x509()));
        X509_set_pubkey(forged, bobKey);
        X509V3_CTX ctx;
        X509V3_set_ctx(&ctx, bob.x509(), forged, nullptr, nullptr, 0);
        X509_EXTENSION *san =
            X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, "DNS:alice.x");
        X509_add_ext(forged, san, -1);
        X509_EXTENSION_free(san);
        QVERIFY(X509_sign(forged, bobKey, nullptr) > 0);
        const Certificate leaf = Certificate::fromX509(forged);
        X509_free(forged);
        EVP_PKEY_free(bobKey);

        QCOMPARE(leaf.namespaces(), QStringList{QStringLiteral("alice.x")});
        QCOMPARE(check(leaf, "alice.x", {}, {bob}).code, Code::Untrusted);
    }

    void wrongNamespace()
    {
        const Certificate bob = m_root.issue(QStringLiteral("bob.x"), m_from, m_until);
        const CertStatus s = check(bob, QStringLiteral("alice.x"));
        QCOMPARE(s.code, Code::WrongNamespace);
        QCOMPARE(s.codeString(), QStringLiteral("wrong_namespace"));
        QCOMPARE(s.reason, QStringLiteral("certificate for bob.x does not name alice.x"));
        QCOMPARE(check(bob, QStringLiteral("bob.x")).code, Code::Valid);
        // No parent/child matching.
        QCOMPARE(check(m_alice, QStringLiteral("sub.alice.x")).code, Code::WrongNamespace);
        QCOMPARE(check(m_alice, QStringLiteral("x")).code, Code::WrongNamespace);
    }

    void sanNotEndingInDotX()
    {
        const Certificate dotCom = m_root.issue(QStringLiteral("alice.com"), m_from, m_until);
        QCOMPARE(check(dotCom, QStringLiteral("alice.x")).code, Code::WrongNamespace);
        const CertStatus s = check(dotCom, QStringLiteral("alice.com"));
        QCOMPARE(s.code, Code::WrongNamespace);
        QCOMPARE(s.reason, QStringLiteral("alice.com is not a .x namespace"));
        QCOMPARE(check(dotCom, QString()).code, Code::WrongNamespace);
        // No SAN at all: the common name does not count.
        const Certificate noSan = m_root.issue(QString(), m_from, m_until);
        QVERIFY(!noSan.isNull());
        QVERIFY(noSan.dnsNames().isEmpty());
        QCOMPARE(check(noSan).code, Code::WrongNamespace);
    }

    void fingerprintMismatch()
    {
        const Certificate other = m_root.issue(QStringLiteral("alice.x"), m_from, m_until);
        const CertStatus s = check(m_alice, QStringLiteral("alice.x"), other.fingerprint());
        QCOMPARE(s.code, Code::FingerprintMismatch);
        QCOMPARE(s.codeString(), QStringLiteral("fingerprint_mismatch"));
        QVERIFY(s.reason.contains(other.fingerprint()));
        QCOMPARE(check(m_alice, QStringLiteral("alice.x"), QStringLiteral("abc")).code,
                 Code::FingerprintMismatch);
    }

    void malformed()
    {
        const CertStatus s = check(Certificate());
        QCOMPARE(s.code, Code::Malformed);
        QCOMPARE(s.codeString(), QStringLiteral("malformed"));
        QCOMPARE(check(m_alice, "alice.x", {}, {Certificate()}).code, Code::Malformed);
    }

    void codeStrings()
    {
        const QList<QPair<Code, QString>> all = {
            {Code::Valid, "valid"},
            {Code::Malformed, "malformed"},
            {Code::Untrusted, "untrusted"},
            {Code::Expired, "expired"},
            {Code::NotYetValid, "not_yet_valid"},
            {Code::Revoked, "revoked"},
            {Code::WrongNamespace, "wrong_namespace"},
            {Code::FingerprintMismatch, "fingerprint_mismatch"},
        };
        for (const auto &[code, name] : all) {
            QCOMPARE(CertStatus::codeString(code), name);
            QCOMPARE(CertStatus::codeFromString(name), std::optional<Code>(code));
        }
        QVERIFY(!CertStatus::codeFromString(QStringLiteral("nope")));
    }

    // --- TrustStore roots ---

    void addRootRefusesNonCa()
    {
        TrustStore store;
        QString error;
        QVERIFY(!store.addRoot(m_alice, &error));
        QVERIFY2(error.contains(QLatin1String("not a certificate authority")), qPrintable(error));
        QVERIFY(!store.addRoot(Certificate(), &error));
        QVERIFY(store.roots().isEmpty());
        // A leaf marked CA:TRUE is a CA, and can be an anchor.
        const Certificate caLeaf = m_root.issue(QStringLiteral("ca.x"), m_from, m_until, true);
        QVERIFY(caLeaf.isCa());
        QVERIFY(store.addRoot(caLeaf, &error));
    }

    void addRootIsIdempotentAndRemovable()
    {
        TrustStore store = m_store;
        QVERIFY(store.addRoot(m_root.certificate()));
        QCOMPARE(store.roots().size(), 1);
        QVERIFY(store.isTrustedRoot(m_root.certificate().fingerprint()));
        QVERIFY(store.removeRoot(m_root.certificate().fingerprint().toUpper()));
        QVERIFY(store.roots().isEmpty());
        QVERIFY(!store.removeRoot(m_root.certificate().fingerprint()));
        QCOMPARE(store.verify(m_alice, {}, "alice.x", {}, m_now).code, Code::Untrusted);
        // The original store is a separate value.
        QCOMPARE(check(m_alice).code, Code::Valid);
    }

    void trustedIntermediateIsAnAnchor()
    {
        const CertificateAuthority intermediate =
            m_root.issueIntermediate(QStringLiteral("anchor CA"), m_from, m_until);
        const Certificate leaf = intermediate.issue(QStringLiteral("alice.x"), m_from, m_until);
        TrustStore store;
        QVERIFY(store.addRoot(intermediate.certificate()));
        QCOMPARE(store.verify(leaf, {}, "alice.x", {}, m_now).code, Code::Valid);
    }

    // --- CertificateAuthority ---

    void persistedCaStillIssues()
    {
        const QByteArray certPem = m_root.certificate().toPem();
        const QByteArray keyPem = m_root.privateKeyPem();
        QVERIFY(keyPem.startsWith("-----BEGIN PRIVATE KEY-----"));
        QString error;
        const std::optional<CertificateAuthority> restored =
            CertificateAuthority::fromPem(certPem, keyPem, &error);
        QVERIFY2(restored, qPrintable(error));
        QVERIFY(restored->certificate() == m_root.certificate());
        const Certificate leaf = restored->issue(QStringLiteral("erin.x"), m_from, m_until);
        QCOMPARE(check(leaf, QStringLiteral("erin.x"), leaf.fingerprint()).code, Code::Valid);
    }

    void caFromPemRefusesBadInput()
    {
        const CertificateAuthority other =
            CertificateAuthority::createRoot(QStringLiteral("other"), m_from, m_until);
        QString error;
        QVERIFY(!CertificateAuthority::fromPem(m_root.certificate().toPem(), other.privateKeyPem(),
                                               &error));
        QVERIFY2(error.contains(QLatin1String("does not belong")), qPrintable(error));
        QVERIFY(!CertificateAuthority::fromPem(m_alice.toPem(), m_root.privateKeyPem(), &error));
        QVERIFY2(error.contains(QLatin1String("not a certificate authority")), qPrintable(error));
        QVERIFY(!CertificateAuthority::fromPem(m_root.certificate().toPem(), "junk", &error));
        QCOMPARE(error, QStringLiteral("not an unencrypted PEM private key"));
        QVERIFY(!CertificateAuthority::fromPem("junk", m_root.privateKeyPem(), &error));
        QCOMPARE(error, QStringLiteral("not a PEM certificate"));
    }

    void rootHasCaExtensions()
    {
        const Certificate root = m_root.certificate();
        QVERIFY(root.isCa());
        QVERIFY(root.isSelfSigned());
        QCOMPARE(root.commonName(), QStringLiteral("kevan-tel test root"));
        QCOMPARE(root.notBefore(), m_from);
        // Milliseconds are dropped, not rounded up.
        const CertificateAuthority ms =
            CertificateAuthority::createRoot(QStringLiteral("ms"), m_from.addMSecs(999), m_until);
        QCOMPARE(ms.certificate().notBefore(), m_from);
        QVERIFY(
            CertificateAuthority::createRoot(QStringLiteral("bad"), QDateTime(), m_until).isNull());
    }
};

QTEST_GUILESS_MAIN(TestCertificate)
#include "tst_certificate.moc"
