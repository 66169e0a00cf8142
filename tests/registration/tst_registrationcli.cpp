// SPDX-License-Identifier: GPL-3.0-or-later
// `kevan-tel registry pending|approve|deny`, the real binary on a database where callers have
// registered themselves.
#include "cliprocess.h"
#include "registration/registrationservice.h"
#include "registrationtestkit.h"
#include "screening/screeningrepository.h"
#include "secretscan.h"
#include "store/eventstore.h"

#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace kt;

namespace {
const QString Alice = QStringLiteral("+18124040851");
const QString Bob = QStringLiteral("+442079460958");
} // namespace

class TestRegistrationCli : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_aliceId;
    QString m_bobId;
    QString m_aliceFingerprint;

    test::CliRun run(QStringList args)
    {
        args << QStringLiteral("--db") << m_dir.filePath(QStringLiteral("kevan-tel.db"));
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("TELNYX_API_KEY"));
        env.insert(QStringLiteral("HOME"), m_dir.path());
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), m_dir.filePath(QStringLiteral("data")));
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        return test::runCli(QStringLiteral(KEVANTEL_BINARY), args, env);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const QDateTime now = QDateTime::currentDateTimeUtc();
        const CertificateAuthority root = CertificateAuthority::createRoot(
            QStringLiteral("root"), now.addDays(-1), now.addYears(1));
        EventStore store;
        QVERIFY(
            store.open(m_dir.filePath(QStringLiteral("kevan-tel.db")), QStringLiteral("setup")));
        ScreeningRepository repo(store);
        QVERIFY(repo.trustRoot(root.certificate().toPem(), QStringLiteral("test")).ok);
        RegistrationService service(store);
        service.setTrustStoreSource([&repo] { return repo.trustStore(); });
        service.setCallInNumbers([] { return QStringList{QStringLiteral("+17702300635")}; });
        auto submit = [&](const QString &ns, const QString &phone, test::IssuedKey *key) {
            *key = test::issueEd25519(root, ns, now.addDays(-1), now.addDays(30));
            const auto c = service.challenge(ns, phone);
            RegistrationService::Submission s{c.challenge, key->certificate.toPem(),
                                              test::sign(key->privateKeyPem, c.message).toBase64(),
                                              QStringLiteral("4711")};
            return service.submit(s);
        };
        test::IssuedKey alice;
        test::IssuedKey bob;
        const auto a = submit(QStringLiteral("alice.x"), Alice, &alice);
        const auto b = submit(QStringLiteral("bob.x"), Bob, &bob);
        QVERIFY(a.error == RegistrationService::Error::None);
        QVERIFY(b.error == RegistrationService::Error::None);
        QVERIFY(service.completeCallIn(Alice, a.callInCode));
        m_aliceId = a.id;
        m_bobId = b.id;
        m_aliceFingerprint = alice.certificate.fingerprint();
    }

    void pendingListsBothWithoutSecrets()
    {
        const test::CliRun listed =
            run({QStringLiteral("registry"), QStringLiteral("pending"), QStringLiteral("--json")});
        QCOMPARE(listed.exitCode, 0);
        const QJsonArray rows = listed.json();
        QCOMPARE(rows.size(), 2);
        QCOMPARE(rows[0].toObject().value("id").toString(), m_aliceId);
        QCOMPARE(rows[0].toObject().value("state").toString(), QStringLiteral("awaiting_owner"));
        QCOMPARE(rows[0].toObject().value("certificate").toString(), QStringLiteral("valid"));
        QCOMPARE(rows[0].toObject().value("phone_proven").toBool(), true);
        QCOMPARE(rows[1].toObject().value("state").toString(), QStringLiteral("awaiting_call"));
        QCOMPARE(rows[1].toObject().value("phone_proven").toBool(), false);
        QVERIFY(!listed.out.contains("scrypt"));
        QVERIFY(!test::showsSecret(listed.out, QStringLiteral("4711")));
        const test::CliRun table = run({QStringLiteral("registry"), QStringLiteral("pending")});
        QCOMPARE(table.exitCode, 0);
        QVERIFY(table.out.contains(m_bobId.toLatin1()));
        QVERIFY(table.out.contains("alice.x"));
    }

    void approveAndDeny()
    {
        // Not before the phone is proven; not an unknown id; usage errors.
        test::CliRun r = run({QStringLiteral("registry"), QStringLiteral("approve"), m_bobId});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.contains("waiting for the call"));
        QCOMPARE(
            run({QStringLiteral("registry"), QStringLiteral("approve"), QStringLiteral("nope")})
                .exitCode,
            1);
        QCOMPARE(run({QStringLiteral("registry"), QStringLiteral("pending"), QStringLiteral("x")})
                     .exitCode,
                 2);

        r = run({QStringLiteral("registry"), QStringLiteral("approve"), m_aliceId});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("approved registration"));
        // The phone is now in the caller registry, with the caller's certificate.
        const QJsonArray registry =
            run({QStringLiteral("registry"), QStringLiteral("list"), QStringLiteral("--json")})
                .json();
        QCOMPARE(registry.size(), 1);
        QCOMPARE(registry[0].toObject().value("phone").toString(), Alice);
        QCOMPARE(registry[0].toObject().value("namespace").toString(), QStringLiteral("alice.x"));
        QCOMPARE(registry[0].toObject().value("certificate_fingerprint").toString(),
                 m_aliceFingerprint);
        // ... and with the PIN she chose on the page, which the owner never saw in clear.
        QCOMPARE(registry[0].toObject().value("pin").toBool(), true);
        {
            EventStore store;
            QVERIFY(store.open(m_dir.filePath(QStringLiteral("kevan-tel.db")),
                               QStringLiteral("check-pin")));
            ScreeningRepository repo(store);
            QCOMPARE(repo.checkPin(Alice, QStringLiteral("4711")).outcome,
                     PinCheck::Outcome::Right);
            QCOMPARE(repo.checkPin(Alice, QStringLiteral("4712")).outcome,
                     PinCheck::Outcome::Wrong);
        }

        r = run({QStringLiteral("registry"), QStringLiteral("deny"), m_bobId,
                 QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.json()[0].toObject().value("state").toString(), QStringLiteral("denied"));
        QCOMPARE(
            run({QStringLiteral("registry"), QStringLiteral("pending"), QStringLiteral("--json")})
                .json()
                .size(),
            0);
        // A decision is final.
        QCOMPARE(run({QStringLiteral("registry"), QStringLiteral("deny"), m_aliceId}).exitCode, 1);

        const QJsonArray events = run({QStringLiteral("events"), QStringLiteral("--json"),
                                       QStringLiteral("--limit"), QStringLiteral("100")})
                                      .json();
        QStringList types;
        for (const QJsonValue &e : events)
            types.prepend(e.toObject().value("type").toString());
        QVERIFY(types.contains(QStringLiteral("tel.registration_approved")));
        QVERIFY(types.contains(QStringLiteral("tel.registration_denied")));
        QVERIFY(types.indexOf(QStringLiteral("tel.registry_added")) <
                types.indexOf(QStringLiteral("tel.registration_approved")));
        QCOMPARE(run({QStringLiteral("events"), QStringLiteral("verify")}).exitCode, 0);
    }
};

QTEST_GUILESS_MAIN(TestRegistrationCli)
#include "tst_registrationcli.moc"
