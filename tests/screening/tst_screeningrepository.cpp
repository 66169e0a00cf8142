// SPDX-License-Identifier: GPL-3.0-or-later
#include "pgtestdatabase.h"
#include "screening/certificateauthority.h"
#include "screening/pinhash.h"
#include "screening/screeningevents.h"
#include "screening/screeningrepository.h"
#include "secretscan.h"
#include "store/eventstore.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

using namespace kt;

namespace {

const QDateTime kNow = QDateTime(QDate(2025, 6, 1), QTime(12, 0), Qt::UTC);

// ECDSA P-256 certificates made with OpenSSL directly (CertificateAuthority uses Ed25519, whose
// signatures have one encoding only): a root, a namespace certificate it signs, and that
// certificate re-encoded with the signature (r, n - s), which verifies as well and has another
// DER encoding and fingerprint.
struct EcdsaChain
{
    Certificate root;
    Certificate leaf;
    Certificate reencoded;
};

X509 *makeCertificate(const QString &subject, const QString &dnsName, bool ca, EVP_PKEY *key,
                      X509 *issuer, EVP_PKEY *issuerKey, long serial)
{
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
    X509_NAME *name = X509_NAME_new();
    X509_NAME_add_entry_by_txt(
        name, "CN", MBSTRING_UTF8,
        reinterpret_cast<const unsigned char *>(subject.toUtf8().constData()), -1, -1, 0);
    X509_set_subject_name(x, name);
    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
    X509_NAME_free(name);
    ASN1_TIME_set(X509_getm_notBefore(x), time_t(kNow.addDays(-1).toSecsSinceEpoch()));
    ASN1_TIME_set(X509_getm_notAfter(x), time_t(kNow.addDays(30).toSecsSinceEpoch()));
    X509_set_pubkey(x, key);
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer ? issuer : x, x, nullptr, nullptr, 0);
    auto add = [&](int nid, const char *value) {
        X509_EXTENSION *e = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
        X509_add_ext(x, e, -1);
        X509_EXTENSION_free(e);
    };
    add(NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
    add(NID_key_usage, ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
    if (!dnsName.isEmpty())
        add(NID_subject_alt_name, qPrintable(QStringLiteral("DNS:") + dnsName));
    X509_sign(x, issuerKey ? issuerKey : key, EVP_sha256());
    return x;
}

EcdsaChain makeEcdsaChain()
{
    EcdsaChain chain;
    EVP_PKEY *rootKey = EVP_EC_gen("P-256");
    EVP_PKEY *leafKey = EVP_EC_gen("P-256");
    X509 *root = makeCertificate(QStringLiteral("ecdsa test root"), QString(), true, rootKey,
                                 nullptr, nullptr, 1);
    X509 *leaf = makeCertificate(QStringLiteral("alice.x"), QStringLiteral("alice.x"), false,
                                 leafKey, root, rootKey, 4242);
    chain.root = Certificate::fromX509(root);
    chain.leaf = Certificate::fromX509(leaf);

    // (r, s) -> (r, n - s) in the signature, the TBSCertificate untouched.
    const ASN1_BIT_STRING *signature = nullptr;
    X509_get0_signature(&signature, nullptr, leaf);
    const unsigned char *p = signature->data;
    ECDSA_SIG *sig = d2i_ECDSA_SIG(nullptr, &p, signature->length);
    EC_GROUP *group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    BIGNUM *flipped = BN_new();
    BN_sub(flipped, EC_GROUP_get0_order(group), ECDSA_SIG_get0_s(sig));
    ECDSA_SIG_set0(sig, BN_dup(ECDSA_SIG_get0_r(sig)), flipped);
    unsigned char *der = nullptr;
    const int length = i2d_ECDSA_SIG(sig, &der);
    X509 *copy = X509_dup(leaf);
    const ASN1_BIT_STRING *copySignature = nullptr;
    X509_get0_signature(&copySignature, nullptr, copy);
    ASN1_BIT_STRING *writable = const_cast<ASN1_BIT_STRING *>(copySignature);
    ASN1_BIT_STRING_set(writable, der, length);
    writable->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07);
    writable->flags |= ASN1_STRING_FLAG_BITS_LEFT;
    unsigned char *whole = nullptr;
    const int wholeLength = i2d_X509(copy, &whole);
    chain.reencoded =
        Certificate::fromDer(QByteArray(reinterpret_cast<const char *>(whole), wholeLength))
            .value_or(Certificate());
    OPENSSL_free(whole);
    OPENSSL_free(der);
    X509_free(copy);
    EC_GROUP_free(group);
    ECDSA_SIG_free(sig);
    X509_free(leaf);
    X509_free(root);
    EVP_PKEY_free(leafKey);
    EVP_PKEY_free(rootKey);
    return chain;
}

QString tableCount(EventStore &store, const QString &table, const QString &where = QString())
{
    QSqlQuery q(QSqlDatabase::database(store.connectionName()));
    if (!q.exec(QStringLiteral("SELECT count(*) FROM %1 %2").arg(table, where)) || !q.next())
        return QStringLiteral("error: ") + q.lastError().text();
    return q.value(0).toString();
}

bool execSql(EventStore &store, const QString &sql)
{
    QSqlQuery q(QSqlDatabase::database(store.connectionName()));
    if (!q.exec(sql)) {
        qWarning() << sql << q.lastError().text();
        return false;
    }
    return true;
}

} // namespace

class TestScreeningRepository : public QObject
{
    Q_OBJECT

private:
    CertificateAuthority m_root;
    CertificateAuthority m_otherRoot;
    Certificate m_alice;       // alice.x, valid kNow - 1 day .. kNow + 30 days
    Certificate m_aliceLater;  // alice.x, valid kNow - 1 day .. kNow + 90 days
    Certificate m_bob;         // bob.x
    Certificate m_expired;     // carol.x, expired before kNow
    Certificate m_untrusted;   // alice.x from m_otherRoot
    Certificate m_noNamespace; // alice.com

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<EventStore> m_store;
    std::unique_ptr<ScreeningRepository> m_repo;
    QDateTime m_clock;

    // Every test runs on SQLite and on PostgreSQL (initTestCase_data), there in a database of
    // its own.
    bool m_pg = false;
    std::unique_ptr<test::PgTestDatabase> m_pgDatabase;
    QString dbPath() const
    {
        return m_pg ? m_pgDatabase->url() : m_dir->filePath(QStringLiteral("kevan-tel.db"));
    }
    // What makes the INSERTs into `table` fail with `message`, and what undoes it.
    QStringList refuseInserts(const QString &name, const QString &table,
                              const QString &message) const
    {
        if (!m_pg)
            return {QStringLiteral("CREATE TRIGGER %1 BEFORE INSERT ON %2 BEGIN SELECT"
                                   " RAISE(ABORT, '%3'); END")
                        .arg(name, table, message)};
        return {QStringLiteral("CREATE FUNCTION %1() RETURNS trigger LANGUAGE plpgsql AS $$"
                               " BEGIN RAISE EXCEPTION '%2'; END $$")
                    .arg(name, message),
                QStringLiteral("CREATE TRIGGER %1 BEFORE INSERT ON %2 FOR EACH ROW EXECUTE"
                               " FUNCTION %1()")
                    .arg(name, table)};
    }
    QString dropTrigger(const QString &name, const QString &table) const
    {
        return m_pg ? QStringLiteral("DROP TRIGGER %1 ON %2").arg(name, table)
                    : QStringLiteral("DROP TRIGGER %1").arg(name);
    }

    std::unique_ptr<EventStore> openStore(const QString &connection,
                                          EventStore::Mode mode = EventStore::Mode::ReadWrite)
    {
        auto store = std::make_unique<EventStore>();
        store->setSynchronous(EventStore::Synchronous::Normal);
        if (!store->open(dbPath(), connection, mode)) {
            qWarning() << store->errorString();
            return nullptr;
        }
        return store;
    }

    qint64 events() { return m_store->eventCount(); }
    StoredEvent lastEvent()
    {
        const auto e = m_store->event(m_store->lastSeq());
        return e ? *e : StoredEvent();
    }

    void trustAndAddAlice()
    {
        QVERIFY(m_repo->trustRoot(m_root.certificate().toPem(), QStringLiteral("cli")).ok);
        const ScreeningResult r = m_repo->addCertificate(m_alice.toPem(), QStringLiteral("cli"));
        QVERIFY2(r.ok, qPrintable(r.error));
    }

private slots:
    void initTestCase()
    {
        const QDateTime from = kNow.addYears(-1);
        const QDateTime until = kNow.addYears(10);
        m_root =
            CertificateAuthority::createRoot(QStringLiteral("kevan-tel test root"), from, until);
        m_otherRoot = CertificateAuthority::createRoot(QStringLiteral("other root"), from, until);
        QVERIFY(!m_root.isNull() && !m_otherRoot.isNull());
        m_alice = m_root.issue(QStringLiteral("alice.x"), kNow.addDays(-1), kNow.addDays(30));
        m_aliceLater = m_root.issue(QStringLiteral("alice.x"), kNow.addDays(-1), kNow.addDays(90));
        m_bob = m_root.issue(QStringLiteral("bob.x"), kNow.addDays(-1), kNow.addDays(30));
        m_expired = m_root.issue(QStringLiteral("carol.x"), kNow.addDays(-60), kNow.addDays(-1));
        m_untrusted =
            m_otherRoot.issue(QStringLiteral("alice.x"), kNow.addDays(-1), kNow.addDays(30));
        m_noNamespace =
            m_root.issue(QStringLiteral("alice.com"), kNow.addDays(-1), kNow.addDays(30));
        QVERIFY(!m_alice.isNull() && !m_aliceLater.isNull() && !m_bob.isNull() &&
                !m_expired.isNull() && !m_untrusted.isNull() && !m_noNamespace.isNull());
    }

    void initTestCase_data()
    {
        QTest::addColumn<QString>("backend");
        QTest::newRow("sqlite") << QStringLiteral("sqlite");
        QTest::newRow("postgresql") << QStringLiteral("postgresql");
    }

    void init()
    {
        QFETCH_GLOBAL(QString, backend);
        m_pg = backend == QLatin1String("postgresql");
        if (m_pg) {
            if (test::pgServerUrl().isEmpty())
                QSKIP(qPrintable(test::pgSkipReason()));
            m_pgDatabase = std::make_unique<test::PgTestDatabase>();
            QString error;
            QVERIFY2(m_pgDatabase->create(&error), qPrintable(error));
        }
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_store = openStore(QStringLiteral("main"));
        QVERIFY(m_store);
        m_clock = kNow;
        m_repo = std::make_unique<ScreeningRepository>(*m_store);
        m_repo->setClock([this] { return m_clock; });
    }

    void cleanup()
    {
        m_repo.reset();
        m_store.reset();
        m_dir.reset();
        m_pgDatabase.reset();
        QVERIFY2(QSqlDatabase::connectionNames().isEmpty(),
                 qPrintable(QSqlDatabase::connectionNames().join(QLatin1Char(','))));
    }

    void tablesExist()
    {
        for (const char *table : {"numbers", "trusted_roots", "certificates", "revocations",
                                  "registry", "rules", "certificate_namespaces"})
            QCOMPARE(tableCount(*m_store, QLatin1String(table)), QStringLiteral("0"));
    }

    // ---- certificates ---------------------------------------------------------------------

    void trustRoot()
    {
        const ScreeningResult r =
            m_repo->trustRoot(m_root.certificate().toPem(), QStringLiteral("cli"));
        QVERIFY2(r.ok, qPrintable(r.error));
        QVERIFY(r.seq > 0);
        QCOMPARE(r.fingerprint, m_root.certificate().fingerprint());
        QCOMPARE(tableCount(*m_store, QStringLiteral("trusted_roots")), QStringLiteral("1"));
        const StoredEvent e = lastEvent();
        QCOMPARE(e.seq, r.seq);
        QCOMPARE(e.type, QStringLiteral("tel.root_trusted"));
        QCOMPARE(e.actor, QStringLiteral("cli"));
        QCOMPARE(e.payload.value(QStringLiteral("fingerprint")).toString(), r.fingerprint);
        QVERIFY(e.payload.value(QStringLiteral("pem"))
                    .toString()
                    .contains(QStringLiteral("BEGIN CERTIFICATE")));

        const QList<TrustedRootInfo> roots = m_repo->roots();
        QCOMPARE(roots.size(), 1);
        QCOMPARE(roots.first().fingerprint, r.fingerprint);
        QCOMPARE(roots.first().certificate, m_root.certificate());
        QVERIFY(!roots.first().revoked);

        // Again: nothing changes, no event.
        const qint64 before = events();
        const ScreeningResult again =
            m_repo->trustRoot(m_root.certificate().toPem(), QStringLiteral("cli"));
        QVERIFY(again.ok);
        QCOMPARE(again.seq, 0);
        QVERIFY(again.message.contains(QStringLiteral("already trusted")));
        QCOMPARE(events(), before);
    }

    void trustRootRefusals()
    {
        const ScreeningResult leaf = m_repo->trustRoot(m_alice.toPem(), QStringLiteral("cli"));
        QVERIFY(!leaf.ok);
        QVERIFY2(leaf.error.contains(QStringLiteral("not a certificate authority")),
                 qPrintable(leaf.error));
        const ScreeningResult junk = m_repo->trustRoot("hello", QStringLiteral("cli"));
        QVERIFY(!junk.ok);
        QVERIFY2(junk.error.contains(QStringLiteral("not a PEM certificate")),
                 qPrintable(junk.error));
        QCOMPARE(events(), 0);
        QCOMPARE(tableCount(*m_store, QStringLiteral("trusted_roots")), QStringLiteral("0"));
    }

    void addCertificate()
    {
        QVERIFY(m_repo->trustRoot(m_root.certificate().toPem(), QStringLiteral("cli")).ok);
        const ScreeningResult r = m_repo->addCertificate(m_alice.toPem(), QStringLiteral("cli"));
        QVERIFY2(r.ok, qPrintable(r.error));
        QVERIFY(r.seq > 0);
        QCOMPARE(r.fingerprint, m_alice.fingerprint());
        const StoredEvent e = lastEvent();
        QCOMPARE(e.type, QStringLiteral("tel.certificate_added"));
        QCOMPARE(e.payload.value(QStringLiteral("namespace")).toString(),
                 QStringLiteral("alice.x"));
        QCOMPARE(e.payload.value(QStringLiteral("fingerprint")).toString(), r.fingerprint);

        const QList<CertificateInfo> certs = m_repo->certificates();
        QCOMPARE(certs.size(), 1);
        QCOMPARE(certs.first().nameSpace, QStringLiteral("alice.x"));
        QCOMPARE(certs.first().fingerprint, m_alice.fingerprint());
        QCOMPARE(certs.first().notAfter, m_alice.notAfter());
        QVERIFY(certs.first().status.valid);
        QCOMPARE(certs.first().status.code, QStringLiteral("valid"));

        const qint64 before = events();
        const ScreeningResult again =
            m_repo->addCertificate(m_alice.toPem(), QStringLiteral("cli"));
        QVERIFY(again.ok);
        QCOMPARE(again.seq, 0);
        QCOMPARE(events(), before);
    }

    void addCertificateRefusals_data()
    {
        QTest::addColumn<int>("which");
        QTest::addColumn<QString>("expected");
        QTest::newRow("untrusted") << 0 << QStringLiteral("does not chain to a trusted root");
        QTest::newRow("expired") << 1 << QStringLiteral("expired on");
        QTest::newRow("no namespace") << 2 << QStringLiteral("names no namespace");
        QTest::newRow("a CA") << 3 << QStringLiteral("certificate authority");
        QTest::newRow("not PEM") << 4 << QStringLiteral("not a PEM certificate");
    }
    void addCertificateRefusals()
    {
        QFETCH(int, which);
        QFETCH(QString, expected);
        QVERIFY(m_repo->trustRoot(m_root.certificate().toPem(), QStringLiteral("cli")).ok);
        const qint64 before = events();
        const QByteArray pem[] = {m_untrusted.toPem(), m_expired.toPem(), m_noNamespace.toPem(),
                                  m_otherRoot.certificate().toPem(), QByteArray("garbage")};
        const ScreeningResult r = m_repo->addCertificate(pem[which], QStringLiteral("cli"));
        QVERIFY(!r.ok);
        QVERIFY2(r.error.contains(expected), qPrintable(r.error));
        QVERIFY(!r.error.contains(QLatin1Char('\n')));
        QCOMPARE(r.seq, 0);
        QCOMPARE(events(), before);
        QCOMPARE(tableCount(*m_store, QStringLiteral("certificates")), QStringLiteral("0"));
        QCOMPARE(tableCount(*m_store, QStringLiteral("certificate_namespaces")),
                 QStringLiteral("0"));
    }

    void certificateStatusChanges()
    {
        trustAndAddAlice();
        const QString fp = m_alice.fingerprint();
        CertCheck c = m_repo->checkCertificate(QStringLiteral("alice.x"), fp, kNow);
        QVERIFY2(c.valid, qPrintable(c.reason));
        QCOMPARE(c.code, QStringLiteral("valid"));

        // Expiry, through the injected time.
        c = m_repo->checkCertificate(QStringLiteral("alice.x"), fp, kNow.addDays(31));
        QVERIFY(!c.valid);
        QCOMPARE(c.code, QStringLiteral("expired"));
        QVERIFY2(c.reason.contains(QStringLiteral("expired on")), qPrintable(c.reason));
        QCOMPARE(m_repo->certificates(kNow.addDays(31)).first().status.code,
                 QStringLiteral("expired"));

        // Not the namespace it names, not stored, and the namespace's best certificate.
        QCOMPARE(m_repo->checkCertificate(QStringLiteral("bob.x"), fp, kNow).code,
                 QStringLiteral("wrong_namespace"));
        QCOMPARE(
            m_repo->checkCertificate(QStringLiteral("alice.x"), m_bob.fingerprint(), kNow).code,
            QStringLiteral("missing"));
        QCOMPARE(m_repo->checkCertificate(QStringLiteral("alice.x"), QString(), kNow).code,
                 QStringLiteral("valid"));
        QCOMPARE(m_repo->checkCertificate(QStringLiteral("bob.x"), QString(), kNow).code,
                 QStringLiteral("missing"));
        // A fingerprint in another written form is the same fingerprint.
        QString colons;
        for (int i = 0; i < fp.size(); i += 2)
            colons += (i ? QStringLiteral(":") : QString()) + fp.mid(i, 2).toUpper();
        QVERIFY(m_repo->checkCertificate(QStringLiteral("alice.x"), colons, kNow).valid);

        // Revocation, by a fingerprint written with colons.
        const ScreeningResult r =
            m_repo->revokeCertificate(colons, QStringLiteral("key lost"), QStringLiteral("cli"));
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(r.fingerprint, fp);
        QCOMPARE(lastEvent().type, QStringLiteral("tel.certificate_revoked"));
        QCOMPARE(lastEvent().payload.value(QStringLiteral("what")).toString(),
                 QStringLiteral("certificate"));
        QCOMPARE(lastEvent().payload.value(QStringLiteral("note")).toString(),
                 QStringLiteral("key lost"));
        c = m_repo->checkCertificate(QStringLiteral("alice.x"), fp, kNow);
        QCOMPARE(c.code, QStringLiteral("revoked"));
        QCOMPARE(m_repo->certificates().first().status.code, QStringLiteral("revoked"));
        QCOMPARE(m_repo->revocations().size(), 1);
        QCOMPARE(m_repo->revocations().first().note, QStringLiteral("key lost"));

        const qint64 before = events();
        const ScreeningResult again =
            m_repo->revokeCertificate(fp, QString(), QStringLiteral("cli"));
        QVERIFY(again.ok);
        QCOMPARE(again.seq, 0);
        QCOMPARE(events(), before);
    }

    void revokingTheRootRevokesItsCertificates()
    {
        trustAndAddAlice();
        QVERIFY(m_repo
                    ->registerPhone(QStringLiteral("+1 770 230 0635"), QStringLiteral("alice.x"),
                                    QStringLiteral("cli"))
                    .ok);
        const ScreeningResult r = m_repo->revokeCertificate(m_root.certificate().fingerprint(),
                                                            QString(), QStringLiteral("owner"));
        QVERIFY2(r.ok, qPrintable(r.error));
        const StoredEvent e = lastEvent();
        QCOMPARE(e.payload.value(QStringLiteral("what")).toString(),
                 QStringLiteral("trusted_root"));
        QCOMPARE(e.payload.value(QStringLiteral("affected_registrations")).toArray(),
                 QJsonArray{QStringLiteral("+17702300635")});
        QCOMPARE(
            m_repo->checkCertificate(QStringLiteral("alice.x"), m_alice.fingerprint(), kNow).code,
            QStringLiteral("revoked"));
        QVERIFY(m_repo->roots().first().revoked);
        QCOMPARE(m_repo->registrations().first().status.code, QStringLiteral("revoked"));
    }

    void revokeUnknownAndInvalidFingerprints()
    {
        const QString unknown(64, QLatin1Char('a'));
        const ScreeningResult r =
            m_repo->revokeCertificate(unknown, QString(), QStringLiteral("cli"));
        QVERIFY2(r.ok, qPrintable(r.error));
        QVERIFY(r.seq > 0);
        QCOMPARE(lastEvent().payload.value(QStringLiteral("what")).toString(),
                 QStringLiteral("unknown"));
        QVERIFY(m_repo->trustStore().isRevoked(unknown));

        const qint64 before = events();
        const ScreeningResult bad =
            m_repo->revokeCertificate(QStringLiteral("abc"), QString(), QStringLiteral("cli"));
        QVERIFY(!bad.ok);
        QVERIFY2(bad.error.contains(QStringLiteral("not a SHA-256 fingerprint")),
                 qPrintable(bad.error));
        QCOMPARE(events(), before);
    }

    // ---- registry -------------------------------------------------------------------------

    void registrationRefusedWithoutValidCertificate()
    {
        // No certificate at all.
        ScreeningResult r = m_repo->registerPhone(QStringLiteral("(770) 230-0635"),
                                                  QStringLiteral("alice.x"), QStringLiteral("cli"));
        QVERIFY(!r.ok);
        QVERIFY2(r.error.startsWith(
                     QStringLiteral("cannot register +17702300635: no valid certificate for "
                                    "alice.x (")),
                 qPrintable(r.error));
        // A certificate that has expired since it was added.
        trustAndAddAlice();
        m_clock = kNow.addDays(45);
        r = m_repo->registerPhone(QStringLiteral("(770) 230-0635"), QStringLiteral("alice.x"),
                                  QStringLiteral("cli"));
        QVERIFY(!r.ok);
        QVERIFY2(r.error.startsWith(QStringLiteral("cannot register +17702300635: no valid "
                                                   "certificate for alice.x (certificate for "
                                                   "alice.x expired on ")),
                 qPrintable(r.error));
        // Not a namespace; not a phone number.
        m_clock = kNow;
        r = m_repo->registerPhone(QStringLiteral("7702300635"), QStringLiteral("alice.com"),
                                  QStringLiteral("cli"));
        QVERIFY(!r.ok);
        QVERIFY2(r.error.contains(QStringLiteral("not a namespace")), qPrintable(r.error));
        r = m_repo->registerPhone(QStringLiteral("12"), QStringLiteral("alice.x"),
                                  QStringLiteral("cli"));
        QVERIFY(!r.ok);
        QVERIFY2(r.error.contains(QStringLiteral("\"12\"")), qPrintable(r.error));
        QCOMPARE(tableCount(*m_store, QStringLiteral("registry")), QStringLiteral("0"));
        QCOMPARE(events(), 2); // the root and the certificate
    }

    void registerAndUnregister()
    {
        trustAndAddAlice();
        const ScreeningResult r = m_repo->registerPhone(
            QStringLiteral("+1-770-230-0635"), QStringLiteral(" Alice.X "), QStringLiteral("cli"));
        QVERIFY2(r.ok, qPrintable(r.error));
        QVERIFY(r.seq > 0);
        QCOMPARE(r.e164, QStringLiteral("+17702300635"));
        QCOMPARE(r.fingerprint, m_alice.fingerprint());
        const StoredEvent e = lastEvent();
        QCOMPARE(e.type, QStringLiteral("tel.registry_added"));
        QCOMPARE(e.payload.value(QStringLiteral("phone")).toString(), r.e164);
        QCOMPARE(e.payload.value(QStringLiteral("namespace")).toString(),
                 QStringLiteral("alice.x"));

        const auto reg = m_repo->registration(QStringLiteral("+17702300635"));
        QVERIFY(reg);
        QCOMPARE(reg->nameSpace, QStringLiteral("alice.x"));
        QCOMPARE(reg->certificateFingerprint, m_alice.fingerprint());
        QCOMPARE(reg->verifiedAt, kNow);
        QVERIFY(!m_repo->registration(QStringLiteral("+17702300636")));
        QVERIFY(m_repo->checkCertificate(reg->nameSpace, reg->certificateFingerprint, kNow).valid);

        const QList<RegistrationInfo> list = m_repo->registrations();
        QCOMPARE(list.size(), 1);
        QVERIFY(list.first().status.valid);
        QCOMPARE(m_repo->registrations(kNow.addDays(31)).first().status.code,
                 QStringLiteral("expired"));

        // The same again: no change. A newer certificate: registering again records it.
        const qint64 before = events();
        QCOMPARE(m_repo
                     ->registerPhone(QStringLiteral("7702300635"), QStringLiteral("alice.x"),
                                     QStringLiteral("cli"))
                     .seq,
                 0);
        QCOMPARE(events(), before);
        QVERIFY(m_repo->addCertificate(m_aliceLater.toPem(), QStringLiteral("cli")).ok);
        const ScreeningResult renewed = m_repo->registerPhone(
            QStringLiteral("7702300635"), QStringLiteral("alice.x"), QStringLiteral("cli"));
        QVERIFY(renewed.seq > 0);
        QCOMPARE(renewed.fingerprint, m_aliceLater.fingerprint());
        QVERIFY(lastEvent().payload.contains(QStringLiteral("previous")));
        QCOMPARE(m_repo->registration(QStringLiteral("+17702300635"))->certificateFingerprint,
                 m_aliceLater.fingerprint());

        const ScreeningResult removed =
            m_repo->unregister(QStringLiteral("770.230.0635"), QStringLiteral("cli"));
        QVERIFY2(removed.ok, qPrintable(removed.error));
        QCOMPARE(lastEvent().type, QStringLiteral("tel.registry_removed"));
        QVERIFY(!m_repo->registration(QStringLiteral("+17702300635")));
        const ScreeningResult twice =
            m_repo->unregister(QStringLiteral("770.230.0635"), QStringLiteral("cli"));
        QVERIFY(!twice.ok);
        QCOMPARE(twice.error, QStringLiteral("+17702300635 is not registered"));
    }

    // ---- rules ----------------------------------------------------------------------------

    void rulesMatchMostSpecific()
    {
        const ScreeningResult prefix =
            m_repo->addRule(QStringLiteral("block"), QStringLiteral("+1 (888) *"),
                            QStringLiteral("toll free"), QString(), false, QStringLiteral("cli"));
        QVERIFY2(prefix.ok, qPrintable(prefix.error));
        QCOMPARE(prefix.ruleId, 1);
        const StoredEvent e = lastEvent();
        QCOMPARE(e.type, QStringLiteral("tel.rule_added"));
        QCOMPARE(e.payload.value(QStringLiteral("id")).toInteger(), 1);
        QCOMPARE(e.payload.value(QStringLiteral("pattern")).toString(), QStringLiteral("+1888*"));
        QCOMPARE(e.payload.value(QStringLiteral("note")).toString(), QStringLiteral("toll free"));

        const ScreeningResult longer =
            m_repo->addRule(QStringLiteral("block"), QStringLiteral("+1888611*"), QString(),
                            QString(), false, QStringLiteral("cli"));
        QCOMPARE(longer.ruleId, 2);
        const ScreeningResult exact =
            m_repo->addRule(QStringLiteral("allow"), QStringLiteral("(888) 611-5384"), QString(),
                            QString(), false, QStringLiteral("cli"));
        QVERIFY2(exact.ok, qPrintable(exact.error));
        QCOMPARE(exact.ruleId, 3);

        auto m = m_repo->matchRule(Rule::Block, QStringLiteral("+18886115384"), kNow);
        QVERIFY(m);
        QCOMPARE(m->id, 2);
        QCOMPARE(m->pattern, QStringLiteral("+1888611*"));
        m = m_repo->matchRule(Rule::Block, QStringLiteral("+18884748738"), kNow);
        QVERIFY(m);
        QCOMPARE(m->id, 1);
        QCOMPARE(m->note, QStringLiteral("toll free"));
        m = m_repo->matchRule(Rule::Allow, QStringLiteral("+18886115384"), kNow);
        QVERIFY(m);
        QCOMPARE(m->id, 3);
        QVERIFY(!m_repo->matchRule(Rule::Allow, QStringLiteral("+18886115385"), kNow));
        QVERIFY(!m_repo->matchRule(Rule::Block, QStringLiteral("+17702300635"), kNow));
        QVERIFY(!m_repo->matchRule(Rule::Block, QString(), kNow));

        // Removal.
        const ScreeningResult removed = m_repo->removeRule(2, QStringLiteral("cli"));
        QVERIFY2(removed.ok, qPrintable(removed.error));
        QCOMPARE(lastEvent().type, QStringLiteral("tel.rule_removed"));
        QCOMPARE(m_repo->matchRule(Rule::Block, QStringLiteral("+18886115384"), kNow)->id, 1);
        QCOMPARE(m_repo->rules().size(), 2);
        QCOMPARE(m_repo->rules(QDateTime(), true).size(), 3);
        QVERIFY(!m_repo->removeRule(2, QStringLiteral("cli")).ok);
        const ScreeningResult unknown = m_repo->removeRule(42, QStringLiteral("cli"));
        QVERIFY(!unknown.ok);
        QCOMPARE(unknown.error, QStringLiteral("no rule #42"));
        // Ids are never reused.
        QCOMPARE(m_repo
                     ->addRule(QStringLiteral("block"), QStringLiteral("+1999*"), QString(),
                               QString(), false, QStringLiteral("cli"))
                     .ruleId,
                 4);
    }

    void ruleRefusals_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("pattern");
        QTest::addColumn<QString>("until");
        QTest::addColumn<QString>("expected");
        QTest::newRow("kind") << "deny"
                              << "+1888*"
                              << ""
                              << "unknown rule kind";
        QTest::newRow("pattern") << "block"
                                 << "12"
                                 << ""
                                 << "\"12\"";
        QTest::newRow("bare star") << "block"
                                   << "*"
                                   << ""
                                   << "\"*\"";
        QTest::newRow("until garbage") << "block"
                                       << "+1888*"
                                       << "tomorrow"
                                       << "invalid expiry";
        QTest::newRow("until past") << "allow"
                                    << "+1888*"
                                    << "2025-06-01T11:59:59Z"
                                    << "not in the future";
    }
    void ruleRefusals()
    {
        QFETCH(QString, kind);
        QFETCH(QString, pattern);
        QFETCH(QString, until);
        QFETCH(QString, expected);
        const ScreeningResult r =
            m_repo->addRule(kind, pattern, QString(), until, false, QStringLiteral("cli"));
        QVERIFY(!r.ok);
        QVERIFY2(r.error.contains(expected), qPrintable(r.error));
        QCOMPARE(events(), 0);
        QCOMPARE(tableCount(*m_store, QStringLiteral("rules")), QStringLiteral("0"));
    }

    void ruleExpiry()
    {
        const ScreeningResult r = m_repo->addRule(
            QStringLiteral("allow"), QStringLiteral("+17702300635"), QString(),
            QStringLiteral("2025-06-01T14:00:00+02:00"), false, QStringLiteral("cli"));
        QVERIFY(!r.ok); // 12:00Z: not in the future
        const ScreeningResult ok =
            m_repo->addRule(QStringLiteral("allow"), QStringLiteral("+17702300635"), QString(),
                            QStringLiteral("2025-06-01T18:00:00Z"), false, QStringLiteral("cli"));
        QVERIFY2(ok.ok, qPrintable(ok.error));
        QVERIFY(m_repo->matchRule(Rule::Allow, QStringLiteral("+17702300635"),
                                  kNow.addSecs(6 * 3600 - 1)));
        QVERIFY(!m_repo->matchRule(Rule::Allow, QStringLiteral("+17702300635"),
                                   kNow.addSecs(6 * 3600)));
        const QList<RuleInfo> later = m_repo->rules(kNow.addDays(1));
        QCOMPARE(later.size(), 1);
        QVERIFY(later.first().expired);
        QVERIFY(!later.first().active);
        QCOMPARE(later.first().state(), QStringLiteral("expired"));
        QCOMPARE(later.first().rule.until, QDateTime(QDate(2025, 6, 1), QTime(18, 0), Qt::UTC));
    }

    void singleUseConsumption()
    {
        const ScreeningResult r =
            m_repo->addRule(QStringLiteral("allow"), QStringLiteral("+17702300635"),
                            QStringLiteral("plumber"), QString(), true, QStringLiteral("owner"));
        QVERIFY2(r.ok, qPrintable(r.error));
        const auto m = m_repo->matchRule(Rule::Allow, QStringLiteral("+17702300635"), kNow);
        QVERIFY(m);
        QVERIFY(m->singleUse);

        const ScreeningResult used =
            m_repo->consumeRule(r.ruleId, QStringLiteral("call-1"), QStringLiteral("engine"));
        QVERIFY2(used.ok, qPrintable(used.error));
        const StoredEvent e = lastEvent();
        QCOMPARE(e.type, QStringLiteral("tel.rule_consumed"));
        QCOMPARE(e.callId, QStringLiteral("call-1"));
        QCOMPARE(e.actor, QStringLiteral("engine"));
        QVERIFY(!m_repo->matchRule(Rule::Allow, QStringLiteral("+17702300635"), kNow));
        const auto info = m_repo->rule(r.ruleId);
        QVERIFY(info);
        QVERIFY(info->consumed);
        QCOMPARE(info->usedByCall, QStringLiteral("call-1"));
        QCOMPARE(info->rule.usedAt, kNow);

        const ScreeningResult twice =
            m_repo->consumeRule(r.ruleId, QStringLiteral("call-2"), QStringLiteral("engine"));
        QVERIFY(!twice.ok);
        QVERIFY2(twice.error.contains(QStringLiteral("already used")), qPrintable(twice.error));
        const ScreeningResult notOnce =
            m_repo->addRule(QStringLiteral("block"), QStringLiteral("+1888*"), QString(), QString(),
                            false, QStringLiteral("cli"));
        QVERIFY(
            !m_repo->consumeRule(notOnce.ruleId, QStringLiteral("call-3"), QStringLiteral("engine"))
                 .ok);
        QVERIFY(!m_repo->consumeRule(99, QStringLiteral("call-3"), QStringLiteral("engine")).ok);
    }

    // ---- numbers --------------------------------------------------------------------------

    void importDefaultMap()
    {
        const ScreeningResult r = m_repo->ensureDefaultNumbers(QStringLiteral("engine"));
        QVERIFY2(r.ok, qPrintable(r.error));
        QVERIFY(r.seq > 0);
        QCOMPARE(r.merge.added, 26);
        QCOMPARE(lastEvent().type, QStringLiteral("tel.number_imported"));
        QCOMPARE(lastEvent().payload.value(QStringLiteral("added")).toInt(), 26);

        const QList<NumberEntry> numbers = m_repo->numbers();
        QCOMPARE(numbers.size(), 26);
        QCOMPARE(numbers.first().e164, QStringLiteral("+17702300635"));
        QCOMPARE(numbers.first().label, QStringLiteral("primary"));
        QCOMPARE(numbers.at(1).label, QStringLiteral("611-JEXT"));
        QCOMPARE(numbers.at(1).labelCheck, Keypad::Result::DoesNotSpell);
        QCOMPARE(numbers.at(1).raw, QStringLiteral("+1-888-611-5384"));
        QCOMPARE(m_repo->numberMap().size(), 26);
        for (int i = 0; i < numbers.size(); ++i)
            QCOMPARE(numbers.at(i), NumberMap::defaultMap().entries().at(i));

        // Not empty any more: nothing happens.
        const qint64 before = events();
        const ScreeningResult again = m_repo->ensureDefaultNumbers(QStringLiteral("engine"));
        QVERIFY(again.ok);
        QCOMPARE(again.seq, 0);
        const ScreeningResult same =
            m_repo->importNumbers(NumberMap::defaultMap(), QStringLiteral("cli"));
        QVERIFY(same.ok);
        QCOMPARE(same.seq, 0);
        QCOMPARE(same.merge.unchanged, 26);
        QCOMPARE(events(), before);
        QVERIFY(m_repo->number(QStringLiteral("+18886115384")));
        QVERIFY(!m_repo->number(QStringLiteral("+18886115385")));
    }

    void importMergesByE164()
    {
        QVERIFY(m_repo->ensureDefaultNumbers(QStringLiteral("engine")).ok);
        QString error;
        const auto map = NumberMap::fromJson(
            R"({"namespace": "kevan.tel.x", "numbers": [
                 {"raw": "(888) 611-5384"},
                 {"raw": "+1-888-474-8738", "label": "474-TREE!", "policy": "ask"},
                 {"e164": "+14155550100", "label": "new one"}]})",
            &error);
        QVERIFY2(map, qPrintable(error));
        const ScreeningResult r =
            m_repo->importNumbers(*map, QStringLiteral("cli"), QStringLiteral("mine.json"));
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(r.merge.added, 1);
        QCOMPARE(r.merge.updated, 2); // the raw form of one, the label and policy of the other
        QCOMPARE(lastEvent().payload.value(QStringLiteral("source")).toString(),
                 QStringLiteral("mine.json"));
        const auto jext = m_repo->number(QStringLiteral("+18886115384"));
        QCOMPARE(jext->label, QStringLiteral("611-JEXT")); // kept: the file gives none
        QCOMPARE(jext->raw, QStringLiteral("(888) 611-5384"));
        const auto tree = m_repo->number(QStringLiteral("+18884748738"));
        QCOMPARE(tree->label, QStringLiteral("474-TREE!"));
        QCOMPARE(tree->policy, QStringLiteral("ask"));
        QCOMPARE(m_repo->numbers().size(), 27);
        QCOMPARE(m_repo->numbers().last().e164, QStringLiteral("+14155550100"));
    }

    void syncAndPolicy()
    {
        QVERIFY(m_repo->ensureDefaultNumbers(QStringLiteral("engine")).ok);
        const QJsonObject known{
            {QStringLiteral("id"), QStringLiteral("1293384261075731499")},
            {QStringLiteral("phone_number"), QStringLiteral("+17702300635")},
            {QStringLiteral("connection_id"), QStringLiteral("1684641123236054244")},
            {QStringLiteral("tags"), QJsonArray{QStringLiteral("main")}}};
        const QJsonObject fresh{{QStringLiteral("id"), QStringLiteral("42")},
                                {QStringLiteral("phone_number"), QStringLiteral("+14155550100")},
                                {QStringLiteral("connection_id"), QJsonValue()}};
        const QJsonObject broken{{QStringLiteral("id"), QStringLiteral("43")},
                                 {QStringLiteral("phone_number"), QStringLiteral("+1")}};
        m_repo->setDefaultNameSpace(QStringLiteral("kevan.tel.x"));
        const ScreeningResult r =
            m_repo->syncNumbers({ScreeningRepository::numberFromTelnyx(known),
                                 ScreeningRepository::numberFromTelnyx(fresh),
                                 ScreeningRepository::numberFromTelnyx(broken)},
                                QStringLiteral("cli"));
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(r.merge.added, 1);
        QCOMPARE(r.merge.updated, 1);
        QCOMPARE(r.merge.invalid, 1);
        QCOMPARE(lastEvent().type, QStringLiteral("tel.numbers_synced"));
        const auto primary = m_repo->number(QStringLiteral("+17702300635"));
        QCOMPARE(primary->label, QStringLiteral("primary"));
        QCOMPARE(primary->telnyxId, QStringLiteral("1293384261075731499"));
        QCOMPARE(primary->connectionId, QStringLiteral("1684641123236054244"));
        QCOMPARE(primary->tags, QStringList{QStringLiteral("main")});
        QCOMPARE(m_repo->number(QStringLiteral("+14155550100"))->nameSpace,
                 QStringLiteral("kevan.tel.x"));

        const ScreeningResult p = m_repo->setNumberPolicy(
            QStringLiteral("(770) 230-0635"), QStringLiteral("ask"), QStringLiteral("owner"));
        QVERIFY2(p.ok, qPrintable(p.error));
        QCOMPARE(lastEvent().type, QStringLiteral("tel.number_policy_set"));
        QCOMPARE(m_repo->number(QStringLiteral("+17702300635"))->policy, QStringLiteral("ask"));
        const qint64 before = events();
        QVERIFY(!m_repo
                     ->setNumberPolicy(QStringLiteral("+17702300635"), QStringLiteral("maybe"),
                                       QStringLiteral("owner"))
                     .ok);
        QVERIFY(!m_repo
                     ->setNumberPolicy(QStringLiteral("+12025550123"), QStringLiteral("ask"),
                                       QStringLiteral("owner"))
                     .ok);
        QCOMPARE(events(), before);
    }

    // ---- atomicity, chain, other connections ----------------------------------------------

    void failingTableWriteStoresNoEvent()
    {
        trustAndAddAlice();
        for (const QString &sql :
             refuseInserts(QStringLiteral("no_rules"), QStringLiteral("rules"),
                           QStringLiteral("rules are frozen")) +
                 refuseInserts(QStringLiteral("no_registry"), QStringLiteral("registry"),
                               QStringLiteral("registry frozen")))
            QVERIFY2(execSql(*m_store, sql), qPrintable(sql));
        const qint64 before = events();
        const QString head = m_store->lastHash();
        const ScreeningResult r =
            m_repo->addRule(QStringLiteral("block"), QStringLiteral("+1888*"), QString(), QString(),
                            false, QStringLiteral("cli"));
        QVERIFY(!r.ok);
        QVERIFY2(r.error.contains(QStringLiteral("rules are frozen")), qPrintable(r.error));
        QCOMPARE(r.seq, 0);
        const ScreeningResult g = m_repo->registerPhone(
            QStringLiteral("+17702300635"), QStringLiteral("alice.x"), QStringLiteral("cli"));
        QVERIFY(!g.ok);
        QVERIFY2(g.error.contains(QStringLiteral("registry frozen")), qPrintable(g.error));
        QCOMPARE(events(), before);
        QCOMPARE(m_store->lastHash(), head);
        QCOMPARE(tableCount(*m_store, QStringLiteral("rules")), QStringLiteral("0"));
        QCOMPARE(tableCount(*m_store, QStringLiteral("registry")), QStringLiteral("0"));
        // The store still works, and the chain is intact.
        QVERIFY(
            execSql(*m_store, dropTrigger(QStringLiteral("no_rules"), QStringLiteral("rules"))));
        QVERIFY(m_repo
                    ->addRule(QStringLiteral("block"), QStringLiteral("+1888*"), QString(),
                              QString(), false, QStringLiteral("cli"))
                    .ok);
        QVERIFY(m_store->verify().ok);
    }

    void failingEventWritesNoRows()
    {
        for (const QString &sql :
             refuseInserts(QStringLiteral("no_events"), QStringLiteral("events"),
                           QStringLiteral("log is full")))
            QVERIFY2(execSql(*m_store, sql), qPrintable(sql));
        const ScreeningResult a =
            m_repo->addRule(QStringLiteral("block"), QStringLiteral("+1888*"), QString(), QString(),
                            false, QStringLiteral("cli"));
        QVERIFY(!a.ok);
        QVERIFY2(a.error.contains(QStringLiteral("log is full")), qPrintable(a.error));
        QVERIFY(!m_repo->trustRoot(m_root.certificate().toPem(), QStringLiteral("cli")).ok);
        QVERIFY(!m_repo->ensureDefaultNumbers(QStringLiteral("engine")).ok);
        QCOMPARE(tableCount(*m_store, QStringLiteral("rules")), QStringLiteral("0"));
        QCOMPARE(tableCount(*m_store, QStringLiteral("trusted_roots")), QStringLiteral("0"));
        QCOMPARE(tableCount(*m_store, QStringLiteral("numbers")), QStringLiteral("0"));
        QCOMPARE(events(), 0);
    }

    void chainVerifiesAfterMutations()
    {
        trustAndAddAlice();
        QVERIFY(m_repo->ensureDefaultNumbers(QStringLiteral("engine")).ok);
        QVERIFY(m_repo
                    ->registerPhone(QStringLiteral("7702300635"), QStringLiteral("alice.x"),
                                    QStringLiteral("cli"))
                    .ok);
        const qint64 id = m_repo
                              ->addRule(QStringLiteral("allow"), QStringLiteral("+1415*"),
                                        QString(), QString(), true, QStringLiteral("cli"))
                              .ruleId;
        QVERIFY(m_repo->consumeRule(id, QStringLiteral("c1"), QStringLiteral("engine")).ok);
        QVERIFY(m_repo->removeRule(id, QStringLiteral("cli")).ok);
        QVERIFY(
            m_repo->revokeCertificate(m_alice.fingerprint(), QString(), QStringLiteral("cli")).ok);
        QVERIFY(m_repo->unregister(QStringLiteral("7702300635"), QStringLiteral("cli")).ok);
        QCOMPARE(events(), 9);
        const VerifyResult v = m_store->verify();
        QVERIFY2(v.ok, qPrintable(v.message));
        QCOMPARE(v.rowsChecked, 9);
        QStringList types;
        for (const StoredEvent &e : m_store->events({}))
            types.prepend(e.type);
        QCOMPARE(types,
                 (QStringList{ScreeningEvents::RootTrusted, ScreeningEvents::CertificateAdded,
                              ScreeningEvents::NumberImported, ScreeningEvents::RegistryAdded,
                              ScreeningEvents::RuleAdded, ScreeningEvents::RuleConsumed,
                              ScreeningEvents::RuleRemoved, ScreeningEvents::CertificateRevoked,
                              ScreeningEvents::RegistryRemoved}));
    }

    void secondConnectionSeesChanges()
    {
        trustAndAddAlice();
        auto other = openStore(QStringLiteral("other"));
        QVERIFY(other);
        {
            ScreeningRepository otherRepo(*other);
            otherRepo.setClock([] { return kNow; });
            // Warm both repositories' caches.
            QVERIFY(m_repo->checkCertificate(QStringLiteral("alice.x"), m_alice.fingerprint(), kNow)
                        .valid);
            QVERIFY(
                otherRepo.checkCertificate(QStringLiteral("alice.x"), m_alice.fingerprint(), kNow)
                    .valid);
            QVERIFY(!m_repo->matchRule(Rule::Block, QStringLiteral("+18886115384"), kNow));

            // Changes made through the other connection...
            QVERIFY(otherRepo
                        .addRule(QStringLiteral("block"), QStringLiteral("+1888*"), QString(),
                                 QString(), false, QStringLiteral("cli"))
                        .ok);
            QVERIFY(otherRepo
                        .registerPhone(QStringLiteral("7702300635"), QStringLiteral("alice.x"),
                                       QStringLiteral("cli"))
                        .ok);
            QVERIFY(
                otherRepo.revokeCertificate(m_alice.fingerprint(), QString(), QStringLiteral("cli"))
                    .ok);
            // ...are seen by the first one at once, cached trust store included.
            QCOMPARE(m_repo->matchRule(Rule::Block, QStringLiteral("+18886115384"), kNow)->id, 1);
            QVERIFY(m_repo->registration(QStringLiteral("+17702300635")));
            QCOMPARE(
                m_repo->checkCertificate(QStringLiteral("alice.x"), m_alice.fingerprint(), kNow)
                    .code,
                QStringLiteral("revoked"));

            // And the other way round; both append to one chain.
            QVERIFY(m_repo->removeRule(1, QStringLiteral("cli")).ok);
            QVERIFY(!otherRepo.matchRule(Rule::Block, QStringLiteral("+18886115384"), kNow));
        }
        QVERIFY(m_store->verify().ok);
        QCOMPARE(m_store->eventCount(), 6);
    }

    void readOnlyStoreLists()
    {
        trustAndAddAlice();
        QVERIFY(m_repo
                    ->addRule(QStringLiteral("block"), QStringLiteral("+1888*"), QString(),
                              QString(), false, QStringLiteral("cli"))
                    .ok);
        auto reader = openStore(QStringLiteral("reader"), EventStore::Mode::ReadOnly);
        QVERIFY(reader);
        {
            ScreeningRepository repo(*reader);
            QCOMPARE(repo.rules().size(), 1);
            QCOMPARE(repo.certificates(kNow).size(), 1);
            QVERIFY(repo.matchRule(Rule::Block, QStringLiteral("+18886115384"), kNow));
            const ScreeningResult r =
                repo.addRule(QStringLiteral("block"), QStringLiteral("+1999*"), QString(),
                             QString(), false, QStringLiteral("cli"));
            QVERIFY(!r.ok);
            QVERIFY2(r.error.contains(QStringLiteral("read-only")), qPrintable(r.error));
        }
        QCOMPARE(tableCount(*m_store, QStringLiteral("rules")), QStringLiteral("1"));
    }

    // The Decider calls the lookups on every call: with 20,000 rules and registrations they must
    // cost about what they cost with a handful (an unindexed scan of 20,000 rows would cost
    // hundreds of times more). Both are timed in this run, so the machine's speed, its load and
    // sanitizers cancel out; no absolute time is asserted.
    void lookupsAreCheap()
    {
        trustAndAddAlice();
        QVERIFY(m_repo
                    ->registerPhone(QStringLiteral("7702300635"), QStringLiteral("alice.x"),
                                    QStringLiteral("cli"))
                    .ok);
        QVERIFY(m_repo
                    ->addRule(QStringLiteral("block"), QStringLiteral("+1888*"), QString(),
                              QString(), false, QStringLiteral("cli"))
                    .ok);
        constexpr int kRounds = 300;
        auto lookups = [&] {
            QElapsedTimer timer;
            timer.start();
            for (int i = 0; i < kRounds; ++i) {
                const QString caller = QStringLiteral("+1888%1").arg(6115384 + i);
                if (!m_repo->matchRule(Rule::Block, caller, kNow) ||
                    m_repo->matchRule(Rule::Allow, caller, kNow))
                    return -1.0;
                const auto reg = m_repo->registration(QStringLiteral("+17702300635"));
                if (!reg || m_repo->registration(caller) ||
                    !m_repo->checkCertificate(reg->nameSpace, reg->certificateFingerprint, kNow)
                         .valid)
                    return -1.0;
            }
            return double(timer.nsecsElapsed()) / 1e6 / kRounds;
        };
        lookups(); // warm up: statements prepared, pages cached
        const double few = lookups();
        QVERIFY(few > 0);

        QVERIFY(execSql(*m_store, QStringLiteral("BEGIN")));
        {
            QSqlQuery rule(QSqlDatabase::database(m_store->connectionName()));
            // The next id given, as RuleRepository does (PostgreSQL's identity counter does not
            // know the ids given so far).
            QVERIFY(rule.prepare(QStringLiteral("INSERT INTO rules (id, kind, pattern, note,"
                                                " single_use, created_at) VALUES ((SELECT"
                                                " coalesce(max(id), 0) + 1 FROM rules), ?, ?, '',"
                                                " 0, '2025-01-01T00:00:00.000Z')")));
            QSqlQuery reg(QSqlDatabase::database(m_store->connectionName()));
            QVERIFY(reg.prepare(QStringLiteral("INSERT INTO registry (phone, namespace,"
                                               " verified_at, certificate_fingerprint) VALUES"
                                               " (?, 'bob.x', '2025-01-01T00:00:00.000Z', ?)")));
            for (int i = 0; i < 20000; ++i) {
                rule.bindValue(0, i % 2 ? QStringLiteral("allow") : QStringLiteral("block"));
                rule.bindValue(1, QStringLiteral("+1555%1").arg(1000000 + i));
                QVERIFY(rule.exec());
                reg.bindValue(0, QStringLiteral("+1666%1").arg(1000000 + i));
                reg.bindValue(1, QString(64, QLatin1Char('b')));
                QVERIFY(reg.exec());
            }
        }
        QVERIFY(execSql(*m_store, QStringLiteral("COMMIT")));
        lookups();
        const double many = lookups();
        QVERIFY(many > 0);
        qInfo("matchRule x2 + registration x2 + checkCertificate: %.3f ms per call with a few "
              "rows, %.3f ms with 20,000",
              few, many);
        // The figures above are for reading; what keeps them flat is that the lookups search an
        // index instead of scanning the tables, which the query planner says (SQLite's; the
        // indexes are the same on PostgreSQL).
        if (m_pg)
            return;
        const auto plan = [this](const QString &sql) {
            QSqlQuery q(QSqlDatabase::database(m_store->connectionName()));
            QString details;
            if (q.exec(QStringLiteral("EXPLAIN QUERY PLAN ") + sql)) {
                while (q.next())
                    details += q.value(3).toString() + QLatin1Char('\n');
            }
            return details;
        };
        const QString byPhone =
            plan(QStringLiteral("SELECT namespace FROM registry WHERE phone = '+17702300635'"));
        QVERIFY2(byPhone.contains(QLatin1String("SEARCH")), qPrintable(byPhone));
        QVERIFY2(!byPhone.contains(QLatin1String("SCAN")), qPrintable(byPhone));
        const QString byPattern =
            plan(QStringLiteral("SELECT id FROM rules WHERE pattern IN ('+1888', '+1888*') AND "
                                "kind = 'block' AND removed_at IS NULL"));
        QVERIFY2(byPattern.contains(QLatin1String("rules_pattern")), qPrintable(byPattern));
    }

    void pinHashing()
    {
        const QString a = PinHash::hash(QStringLiteral("2468"));
        const QString b = PinHash::hash(QStringLiteral("2468"));
        QVERIFY(a.startsWith(QLatin1String("scrypt$16384$8$1$")));
        QVERIFY2(a != b, "the same PIN with another salt hashes differently");
        QVERIFY(!a.contains(QLatin1String("2468")));
        QVERIFY(PinHash::verify(QStringLiteral("2468"), a));
        QVERIFY(PinHash::verify(QStringLiteral("2468"), b));
        QVERIFY(!PinHash::verify(QStringLiteral("2469"), a));
        QVERIFY(!PinHash::verify(QStringLiteral("24680"), a));
        QVERIFY(!PinHash::verify(QString(), a));
        // A stored text that is not a hash, or asks for absurd parameters, verifies nothing.
        QVERIFY(!PinHash::verify(QStringLiteral("2468"), QStringLiteral("2468")));
        QString tampered = a;
        tampered.replace(QStringLiteral("scrypt$16384$"), QStringLiteral("scrypt$1073741824$"));
        QVERIFY(!PinHash::verify(QStringLiteral("2468"), tampered));
        QString otherHash = a.left(a.lastIndexOf(QLatin1Char('$')) + 1) +
                            b.mid(b.lastIndexOf(QLatin1Char('$')) + 1);
        QVERIFY(!PinHash::verify(QStringLiteral("2468"), otherHash));
        // 4 to 8 ASCII digits only.
        for (const QString &bad :
             {QStringLiteral("123"), QStringLiteral("123456789"), QStringLiteral("12a4"),
              QStringLiteral("12 34"), QString::fromUtf8("\u0661\u0662\u0663\u0664"),
              QStringLiteral("-1234")}) {
            QVERIFY2(!PinHash::isValidPin(bad), qPrintable(bad));
            QVERIFY(PinHash::hash(bad).isEmpty());
        }
        QVERIFY(PinHash::isValidPin(QStringLiteral("0000")));
        QVERIFY(PinHash::isValidPin(QStringLiteral("12345678")));
    }

    void registrationPins()
    {
        trustAndAddAlice();
        const QString pin = QStringLiteral("97531");
        ScreeningResult r =
            m_repo->registerPhone(QStringLiteral("(770) 230-0635"), QStringLiteral("alice.x"),
                                  QStringLiteral("cli"), pin);
        QVERIFY2(r.ok, qPrintable(r.error));
        QVERIFY(lastEvent().payload.value(QLatin1String("pin_set")).toBool());
        auto reg = m_repo->registration(QStringLiteral("+17702300635"));
        QVERIFY(reg && reg->pinSet && !reg->pinLockedUntil.isValid());
        QCOMPARE(m_repo->checkPin(reg->phone, pin).outcome, PinCheck::Outcome::Right);
        QCOMPARE(m_repo->checkPin(reg->phone, QStringLiteral("97530")).outcome,
                 PinCheck::Outcome::Wrong);
        // Invalid PINs are refused without being repeated.
        r = m_repo->registerPhone(QStringLiteral("+17702300635"), QStringLiteral("alice.x"),
                                  QStringLiteral("cli"), QStringLiteral("12x45"));
        QVERIFY(!r.ok);
        QVERIFY(!r.error.contains(QLatin1String("12x45")));
        r = m_repo->setPin(QStringLiteral("+17702300635"), QStringLiteral("123"),
                           QStringLiteral("cli"));
        QVERIFY(!r.ok);
        QVERIFY(!r.error.contains(QLatin1String("123")));
        QVERIFY(!m_repo
                     ->setPin(QStringLiteral("+14155550100"), QStringLiteral("1234"),
                              QStringLiteral("cli"))
                     .ok); // not registered
        // Registering again to the same namespace keeps the PIN.
        QVERIFY(m_repo
                    ->registerPhone(QStringLiteral("+17702300635"), QStringLiteral("alice.x"),
                                    QStringLiteral("cli"))
                    .ok);
        QVERIFY(m_repo->registration(QStringLiteral("+17702300635"))->pinSet);
        // Change it, then clear it.
        r = m_repo->setPin(QStringLiteral("+17702300635"), QStringLiteral("8642"),
                           QStringLiteral("cli"));
        QVERIFY2(r.ok && r.changed(), qPrintable(r.error));
        QCOMPARE(lastEvent().type, QString::fromLatin1(ScreeningEvents::RegistryPinSet));
        QCOMPARE(m_repo->checkPin(QStringLiteral("+17702300635"), pin).outcome,
                 PinCheck::Outcome::Wrong);
        QCOMPARE(m_repo->checkPin(QStringLiteral("+17702300635"), QStringLiteral("8642")).outcome,
                 PinCheck::Outcome::Right);
        r = m_repo->clearPin(QStringLiteral("+17702300635"), QStringLiteral("cli"));
        QVERIFY(r.ok && r.changed());
        QCOMPARE(lastEvent().type, QString::fromLatin1(ScreeningEvents::RegistryPinCleared));
        QVERIFY(!m_repo->registration(QStringLiteral("+17702300635"))->pinSet);
        QCOMPARE(m_repo->checkPin(QStringLiteral("+17702300635"), QStringLiteral("8642")).outcome,
                 PinCheck::Outcome::NoPin);
        r = m_repo->clearPin(QStringLiteral("+17702300635"), QStringLiteral("cli"));
        QVERIFY(r.ok && !r.changed());
        // No event carries a PIN, and no event carries a hash.
        for (const StoredEvent &e : m_store->events(EventQuery())) {
            const QByteArray text = QJsonDocument(e.payload).toJson(QJsonDocument::Compact);
            QVERIFY2(!test::showsSecret(text, QStringLiteral("97531")) &&
                         !test::showsSecret(text, QStringLiteral("8642")) &&
                         !text.contains("scrypt"),
                     text.constData());
        }
        QCOMPARE(tableCount(*m_store, QStringLiteral("registry"),
                            QStringLiteral("WHERE pin_hash LIKE '%97531%'")),
                 QStringLiteral("0"));
    }

    void pinLockoutAcrossCalls()
    {
        trustAndAddAlice();
        const QString phone = QStringLiteral("+17702300635");
        QVERIFY(m_repo
                    ->registerPhone(phone, QStringLiteral("alice.x"), QStringLiteral("cli"),
                                    QStringLiteral("2468"))
                    .ok);
        auto attempt = [&](const QString &digits, int call) {
            const PinCheck c = m_repo->checkPin(phone, digits);
            const ScreeningResult r = m_repo->recordPinAttempt(
                c, 1, QStringLiteral("call-%1").arg(call), {}, QStringLiteral("engine"));
            [&] { QVERIFY2(r.ok, qPrintable(r.error)); }();
            return c;
        };
        // Four wrong PINs over four calls: counted, not locked.
        for (int i = 1; i <= 4; ++i) {
            const PinCheck c = attempt(QStringLiteral("1111"), i);
            QCOMPARE(c.outcome, PinCheck::Outcome::Wrong);
            QCOMPARE(c.failures, i);
            QVERIFY(!c.lockStarted);
            QCOMPARE(lastEvent().type, QString::fromLatin1(ScreeningEvents::PinFailed));
            QCOMPARE(lastEvent().callId, QStringLiteral("call-%1").arg(i));
        }
        // A right PIN resets the count.
        QCOMPARE(attempt(QStringLiteral("2468"), 5).outcome, PinCheck::Outcome::Right);
        QCOMPARE(lastEvent().type, QString::fromLatin1(ScreeningEvents::PinVerified));
        for (int i = 1; i <= 4; ++i)
            QCOMPARE(attempt(QStringLiteral("1111"), 5 + i).failures, i);
        // The fifth wrong PIN within the hour locks the registration's PIN for an hour.
        m_clock = m_clock.addSecs(30 * 60);
        const PinCheck fifth = attempt(QStringLiteral("1111"), 10);
        QCOMPARE(fifth.outcome, PinCheck::Outcome::Wrong);
        QVERIFY(fifth.lockStarted);
        QCOMPARE(fifth.lockedUntil, m_clock.addSecs(ScreeningRepository::PinLockSecs));
        QCOMPARE(lastEvent().type, QString::fromLatin1(ScreeningEvents::PinLocked));
        QCOMPARE(lastEvent().payload.value(QLatin1String("phone")).toString(), phone);
        auto reg = m_repo->registration(phone);
        QVERIFY(reg->pinLockedAt(m_clock));
        // Locked: even the right PIN is not taken (nor compared).
        QCOMPARE(attempt(QStringLiteral("2468"), 11).outcome, PinCheck::Outcome::Locked);
        m_clock = m_clock.addSecs(ScreeningRepository::PinLockSecs - 1);
        QCOMPARE(attempt(QStringLiteral("2468"), 12).outcome, PinCheck::Outcome::Locked);
        // The lock expires.
        m_clock = m_clock.addSecs(2);
        QVERIFY(!m_repo->registration(phone)->pinLockedAt(m_clock));
        QCOMPARE(attempt(QStringLiteral("2468"), 13).outcome, PinCheck::Outcome::Right);
        // Wrong PINs further apart than the window do not add up.
        for (int i = 0; i < 4; ++i)
            attempt(QStringLiteral("1111"), 20 + i);
        m_clock = m_clock.addSecs(ScreeningRepository::PinFailureWindowSecs + 1);
        const PinCheck late = attempt(QStringLiteral("1111"), 30);
        QCOMPARE(late.failures, 1);
        QVERIFY(!late.lockStarted);
        // The owner setting a new PIN lifts a lock.
        for (int i = 0; i < 5; ++i)
            attempt(QStringLiteral("1111"), 40 + i);
        QVERIFY(m_repo->registration(phone)->pinLockedAt(m_clock));
        QVERIFY(m_repo->setPin(phone, QStringLiteral("1357"), QStringLiteral("cli")).ok);
        QVERIFY(!m_repo->registration(phone)->pinLockedAt(m_clock));
        const auto listed = m_repo->registrations();
        QCOMPARE(listed.size(), 1);
        QCOMPARE(listed.first().pinFailures, 0);
        for (const StoredEvent &e : m_store->events(EventQuery())) {
            const QByteArray text = QJsonDocument(e.payload).toJson(QJsonDocument::Compact);
            QVERIFY2(!test::showsSecret(text, QStringLiteral("1111")) &&
                         !test::showsSecret(text, QStringLiteral("2468")),
                     text.constData());
        }
        QVERIFY(m_store->verify().ok);
    }

    void revocationCoversReencodings()
    {
        const EcdsaChain chain = makeEcdsaChain();
        QVERIFY(!chain.root.isNull() && !chain.leaf.isNull() && !chain.reencoded.isNull());
        QVERIFY(chain.leaf.fingerprint() != chain.reencoded.fingerprint());
        QCOMPARE(chain.leaf.issuerSerial(), chain.reencoded.issuerSerial());
        QVERIFY(chain.leaf.der() != chain.reencoded.der());
        QVERIFY(m_repo->trustRoot(chain.root.toPem(), QStringLiteral("cli")).ok);
        // Both encodings verify before any revocation.
        const TrustStore before = m_repo->trustStore();
        QVERIFY(before.verify(chain.leaf, {}, QStringLiteral("alice.x"), {}, kNow).isValid());
        QVERIFY(before.verify(chain.reencoded, {}, QStringLiteral("alice.x"), {}, kNow).isValid());

        ScreeningResult r = m_repo->addCertificate(chain.leaf.toPem(), QStringLiteral("cli"));
        QVERIFY2(r.ok, qPrintable(r.error));
        QVERIFY(m_repo
                    ->registerPhone(QStringLiteral("+17702300635"), QStringLiteral("alice.x"),
                                    QStringLiteral("cli"))
                    .ok);
        r = m_repo->revokeCertificate(chain.leaf.fingerprint(), QStringLiteral("stolen"),
                                      QStringLiteral("cli"));
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(lastEvent().payload.value(QLatin1String("issuer_serial")).toString(),
                 chain.leaf.issuerSerial());
        // The other encoding is revoked with it and cannot be added back.
        const CertStatus status =
            m_repo->trustStore().verify(chain.reencoded, {}, QStringLiteral("alice.x"), {}, kNow);
        QCOMPARE(status.codeString(), QStringLiteral("revoked"));
        r = m_repo->addCertificate(chain.reencoded.toPem(), QStringLiteral("cli"));
        QVERIFY(!r.ok);
        QVERIFY2(r.error.contains(QLatin1String("revoked")), qPrintable(r.error));
        QCOMPARE(m_repo->registrations().first().status.code, QStringLiteral("revoked"));

        // The same from another connection (the CLI next to a running engine).
        auto other = openStore(QStringLiteral("other"));
        QVERIFY(other);
        {
            ScreeningRepository repo(*other);
            repo.setClock([this] { return m_clock; });
            QVERIFY(!repo.addCertificate(chain.reencoded.toPem(), QStringLiteral("cli")).ok);
        }
        other.reset();
        QSqlDatabase::removeDatabase(QStringLiteral("other"));
    }

    void revokingARootCoversItsReencodings()
    {
        // A stored re-encoding of a certificate is revoked when the original's fingerprint is.
        const EcdsaChain chain = makeEcdsaChain();
        QVERIFY(m_repo->trustRoot(chain.root.toPem(), QStringLiteral("cli")).ok);
        QVERIFY(m_repo->addCertificate(chain.reencoded.toPem(), QStringLiteral("cli")).ok);
        // The original was never stored: revoked by fingerprint only (unknown issuer/serial) ...
        QVERIFY(m_repo->revokeCertificate(chain.leaf.fingerprint(), {}, QStringLiteral("cli")).ok);
        QCOMPARE(m_repo->certificates().first().status.code, QStringLiteral("valid"));
        // ... while revoking the stored one covers every encoding.
        QVERIFY(
            m_repo->revokeCertificate(chain.reencoded.fingerprint(), {}, QStringLiteral("cli")).ok);
        QCOMPARE(m_repo->trustStore()
                     .verify(chain.leaf, {}, QStringLiteral("alice.x"), {}, kNow)
                     .codeString(),
                 QStringLiteral("revoked"));
    }
};

QTEST_GUILESS_MAIN(TestScreeningRepository)
#include "tst_screeningrepository.moc"
