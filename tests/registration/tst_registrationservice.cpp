// SPDX-License-Identifier: GPL-3.0-or-later
// RegistrationService and RegistrationApi: the proofs, the limits, what is stored and what the
// answers give away.
#include "pgtestdatabase.h"
#include "registration/pendingregistration.h"
#include "registration/registrationapi.h"
#include "registration/registrationevents.h"
#include "registration/registrationproof.h"
#include "registration/registrationservice.h"
#include "registrationtestkit.h"
#include "screening/pinhash.h"
#include "store/eventstore.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using namespace kt;
using Error = RegistrationService::Error;

namespace {
const QString OwnerNumber = QStringLiteral("+17702300635");
const QString Phone = QStringLiteral("+18124040851");
const QString OtherPhone = QStringLiteral("+442079460958");
const QString Pin = QStringLiteral("73915284");
} // namespace

class TestRegistrationService : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_path; // a SQLite file, or a PostgreSQL database of this test's own
    bool m_pg = false;
    std::unique_ptr<test::PgTestDatabase> m_pgDatabase;
    std::unique_ptr<EventStore> m_store;
    std::unique_ptr<RegistrationService> m_service;
    CertificateAuthority m_root;
    CertificateAuthority m_otherRoot;
    TrustStore m_trust;
    QDateTime m_now;
    int m_connection = 0;
    QList<QString> m_sunk;

    QDateTime start() const { return QDateTime(QDate(2026, 6, 1), QTime(12, 0), Qt::UTC); }

    void openAll(RegistrationService::Config config = {})
    {
        m_store = std::make_unique<EventStore>();
        QVERIFY2(m_store->open(m_path, QStringLiteral("reg-%1").arg(++m_connection)),
                 qPrintable(m_store->errorString()));
        m_store->setClock([this] { return m_now; });
        m_service = std::make_unique<RegistrationService>(*m_store, config);
        m_service->setClock([this] { return m_now; });
        m_service->setTrustStoreSource([this] { return m_trust; });
        m_service->setCallInNumbers([] { return QStringList{OwnerNumber}; });
        m_service->setApprovalSink([this](const PendingRegistration &r) {
            m_sunk.append(r.phone);
            return QString();
        });
    }

    void closeAll()
    {
        m_service.reset();
        m_store.reset();
    }

    test::IssuedKey ed25519(const QString &ns = QStringLiteral("alice.x"))
    {
        return test::issueEd25519(m_root, ns, start().addDays(-1), start().addYears(1));
    }

    // Challenge, sign, submit.
    RegistrationService::SubmitResult registerWith(const test::IssuedKey &key,
                                                   const QString &ns = QStringLiteral("alice.x"),
                                                   const QString &phone = Phone, bool p1363 = false)
    {
        const auto challenge = m_service->challenge(ns, phone);
        if (challenge.error != Error::None)
            return {challenge.error, {}, {}, {}, {}, {}};
        RegistrationService::Submission s;
        s.challenge = challenge.challenge;
        s.certificatePem = key.certificate.toPem();
        s.signature =
            QString::fromLatin1(test::sign(key.privateKeyPem, challenge.message, p1363).toBase64());
        s.pin = Pin;
        return m_service->submit(s);
    }

    QStringList eventTypes()
    {
        QStringList out;
        for (const StoredEvent &e : m_store->events({}))
            out.prepend(e.type);
        return out;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_root = CertificateAuthority::createRoot(QStringLiteral("Owner Root"),
                                                  start().addYears(-1), start().addYears(5));
        m_otherRoot = CertificateAuthority::createRoot(QStringLiteral("Other Root"),
                                                       start().addYears(-1), start().addYears(5));
        QVERIFY(!m_root.isNull() && !m_otherRoot.isNull());
    }

    // Every test runs on SQLite and on PostgreSQL.
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
        static int n = 0;
        m_path = m_dir.filePath(QStringLiteral("reg%1.db").arg(++n));
        if (m_pg) {
            if (test::pgServerUrl().isEmpty())
                QSKIP(qPrintable(test::pgSkipReason()));
            m_pgDatabase = std::make_unique<test::PgTestDatabase>();
            QString error;
            QVERIFY2(m_pgDatabase->create(&error), qPrintable(error));
            m_path = m_pgDatabase->url();
        }
        m_now = start();
        m_trust = TrustStore();
        QVERIFY(m_trust.addRoot(m_root.certificate()));
        m_sunk.clear();
        openAll();
    }

    void cleanup()
    {
        closeAll();
        m_pgDatabase.reset();
    }

    void signedMessageBindsChallengePhoneAndNamespace()
    {
        QCOMPARE(
            RegistrationProof::message(QStringLiteral("abc"), Phone, QStringLiteral("alice.x")),
            QByteArray("kevan-tel registration v1\nabc\n+18124040851\nalice.x"));
        const auto c =
            m_service->challenge(QStringLiteral(" Alice.X "), QStringLiteral("(812) 404-0851"));
        QCOMPARE(c.error, Error::None);
        QCOMPARE(c.challenge.size(), 43);
        QCOMPARE(c.phone, Phone);
        QCOMPARE(c.nameSpace, QStringLiteral("alice.x"));
        QCOMPARE(c.message, RegistrationProof::message(c.challenge, Phone, "alice.x"));
        QCOMPARE(c.expiresAt, start().addSecs(600));
        QVERIFY(m_service->challenge("alice.x", "+1").error == Error::PhoneInvalid);
        QVERIFY(m_service->challenge("alice.com", Phone).error == Error::NamespaceInvalid);
        QVERIFY(m_service->challenge("*.x", Phone).error == Error::NamespaceInvalid);
    }

    void ed25519FullFlow()
    {
        const auto key = ed25519();
        const auto result = registerWith(key);
        QCOMPARE(result.error, Error::None);
        QCOMPARE(result.callInNumber, OwnerNumber);
        QVERIFY(QRegularExpression("^[0-9]{6}$").match(result.callInCode).hasMatch());
        QCOMPARE(result.codeExpiresAt, start().addSecs(600));
        const auto r = m_service->byStatusToken(result.statusToken);
        QVERIFY(r);
        QCOMPARE(r->state, PendingRegistration::State::AwaitingCall);
        QCOMPARE(r->nameSpace, QStringLiteral("alice.x"));
        QCOMPARE(r->phone, Phone);
        QCOMPARE(r->keyType, QStringLiteral("ed25519"));
        QCOMPARE(r->certificateFingerprint, key.certificate.fingerprint());
        QVERIFY(r->pinHash.startsWith("scrypt$"));
        QVERIFY(PinHash::verify(Pin, r->pinHash));
        QVERIFY(!PinHash::verify(QStringLiteral("1234"), r->pinHash));

        // Owner cannot approve before the phone is proven.
        QVERIFY(!m_service->approve(r->id).ok);
        // The call-in: wrong code, another phone, then the right one.
        const QString wrong = result.callInCode == "000000" ? "000001" : "000000";
        QVERIFY(!m_service->completeCallIn(Phone, wrong));
        QVERIFY(!m_service->completeCallIn(OtherPhone, result.callInCode));
        m_now = m_now.addSecs(60);
        QVERIFY(m_service->completeCallIn(Phone, result.callInCode));
        QCOMPARE(m_service->registration(r->id)->state, PendingRegistration::State::AwaitingOwner);
        QVERIFY(!m_service->completeCallIn(Phone, result.callInCode)); // used
        QCOMPARE(m_service->open().size(), 1);

        const auto approved = m_service->approve(r->id, QStringLiteral("cli"));
        QVERIFY2(approved.ok, qPrintable(approved.error));
        QCOMPARE(m_sunk, QList<QString>{Phone});
        QCOMPARE(m_service->byStatusToken(result.statusToken)->state,
                 PendingRegistration::State::Approved);
        QVERIFY(!m_service->deny(r->id).ok);
        QVERIFY(m_service->open().isEmpty());
        QCOMPARE(eventTypes(),
                 (QStringList{RegistrationEvents::Submitted, RegistrationEvents::PhoneProven,
                              RegistrationEvents::Approved}));
        // Events never carry the PIN hash, the code or the status token.
        for (const StoredEvent &e : m_store->events({})) {
            const QByteArray json = QJsonDocument(e.payload).toJson();
            QVERIFY(!json.contains("pin"));
            QVERIFY(!json.contains(result.callInCode.toLatin1()));
            QVERIFY(!json.contains(result.statusToken.toLatin1()));
            QCOMPARE(e.payload.value("namespace").toString(), QStringLiteral("alice.x"));
        }
    }

    void p256DerAndP1363()
    {
        const auto key = test::issueP256(m_root, QStringLiteral("bob.x"), start().addDays(-1),
                                         start().addYears(1));
        QVERIFY(!key.certificate.isNull());
        QCOMPARE(RegistrationProof::keyType(key.certificate),
                 RegistrationProof::KeyType::EcdsaP256);
        const auto der = registerWith(key, QStringLiteral("bob.x"), Phone, false);
        QCOMPARE(der.error, Error::None);
        const auto raw = registerWith(key, QStringLiteral("bob.x"), OtherPhone, true);
        QCOMPARE(raw.error, Error::None);
        QCOMPARE(m_service->byStatusToken(raw.statusToken)->keyType, QStringLiteral("ecdsa-p256"));
    }

    // The commands the page shows, run as shown with the openssl command-line tool.
    void opensslCommandsTheTextShows_data()
    {
        QTest::addColumn<bool>("p256");
        QTest::newRow("ed25519") << false;
        QTest::newRow("p256") << true;
    }

    void opensslCommandsTheTextShows()
    {
        QFETCH(bool, p256);
        const QString openssl = QStandardPaths::findExecutable(QStringLiteral("openssl"));
        if (openssl.isEmpty())
            QSKIP("the openssl command is not installed");
        const auto key =
            p256 ? test::issueP256(m_root, "alice.x", start().addDays(-1), start().addYears(1))
                 : ed25519();
        QTemporaryDir work;
        QFile keyFile(work.filePath("key.pem"));
        QVERIFY(keyFile.open(QIODevice::WriteOnly));
        keyFile.write(key.privateKeyPem);
        keyFile.close();
        const auto c = m_service->challenge("alice.x", Phone);
        const QString script =
            QStringLiteral("printf 'kevan-tel registration v1\\n%s\\n%s\\n%s' '%1' '%2' '%3'"
                           " > message.txt && %4")
                .arg(c.challenge, c.phone, c.nameSpace,
                     p256 ? QStringLiteral("openssl dgst -sha256 -sign key.pem message.txt |"
                                           " openssl base64 -A")
                          : QStringLiteral("openssl pkeyutl -sign -inkey key.pem -rawin -in"
                                           " message.txt | openssl base64 -A"));
        QProcess shell;
        shell.setWorkingDirectory(work.path());
        shell.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), script});
        QVERIFY(shell.waitForFinished(30000));
        QCOMPARE(shell.exitCode(), 0);
        QFile message(work.filePath("message.txt"));
        QVERIFY(message.open(QIODevice::ReadOnly));
        QCOMPARE(message.readAll(), c.message);
        RegistrationService::Submission s{c.challenge, key.certificate.toPem(),
                                          QString::fromLatin1(shell.readAllStandardOutput()), Pin};
        QCOMPARE(m_service->submit(s).error, Error::None);
    }

    void wrongSignature()
    {
        const auto key = ed25519();
        const auto other = ed25519(); // another key, same namespace and root
        const auto c = m_service->challenge("alice.x", Phone);
        RegistrationService::Submission s{c.challenge, key.certificate.toPem(),
                                          test::sign(other.privateKeyPem, c.message).toBase64(),
                                          Pin};
        QCOMPARE(m_service->submit(s).error, Error::SignatureInvalid);
        // Garbage, and a signature of the right key over other bytes.
        for (const QString &sig :
             {QStringLiteral("not base64!"), QString(),
              QString::fromLatin1(test::sign(key.privateKeyPem, "something else").toBase64())}) {
            const auto c2 = m_service->challenge("alice.x", Phone);
            s.challenge = c2.challenge;
            s.signature = sig;
            QCOMPARE(m_service->submit(s).error, Error::SignatureInvalid);
        }
        QVERIFY(m_service->open().isEmpty());
    }

    void signatureForAnotherPhoneIsRefused()
    {
        const auto key = ed25519();
        const auto c = m_service->challenge("alice.x", Phone);
        const QByteArray replay = RegistrationProof::message(c.challenge, OtherPhone, "alice.x");
        RegistrationService::Submission s{c.challenge, key.certificate.toPem(),
                                          test::sign(key.privateKeyPem, replay).toBase64(), Pin};
        QCOMPARE(m_service->submit(s).error, Error::SignatureInvalid);
        // Nor for another namespace the same certificate does not name.
        const auto c2 = m_service->challenge("alice.x", Phone);
        s.challenge = c2.challenge;
        s.signature = test::sign(key.privateKeyPem,
                                 RegistrationProof::message(c2.challenge, Phone, "mallory.x"))
                          .toBase64();
        QCOMPARE(m_service->submit(s).error, Error::SignatureInvalid);
    }

    void expiredAndReusedChallenges()
    {
        const auto key = ed25519();
        auto c = m_service->challenge("alice.x", Phone);
        RegistrationService::Submission s{c.challenge, key.certificate.toPem(),
                                          test::sign(key.privateKeyPem, c.message).toBase64(), Pin};
        m_now = m_now.addSecs(600);
        QCOMPARE(m_service->submit(s).error, Error::ChallengeInvalid);

        c = m_service->challenge("alice.x", Phone);
        s.challenge = c.challenge;
        s.signature = test::sign(key.privateKeyPem, c.message).toBase64();
        QCOMPARE(m_service->submit(s).error, Error::None);
        QCOMPARE(m_service->submit(s).error, Error::ChallengeInvalid);

        // A failed submission spends its challenge too.
        c = m_service->challenge("alice.x", Phone);
        s.challenge = c.challenge;
        s.pin = QStringLiteral("12");
        QCOMPARE(m_service->submit(s).error, Error::PinInvalid);
        s.pin = Pin;
        s.signature = test::sign(key.privateKeyPem, c.message).toBase64();
        QCOMPARE(m_service->submit(s).error, Error::ChallengeInvalid);
        // Unknown and malformed challenges.
        s.challenge = QString(43, u'A');
        QCOMPARE(m_service->submit(s).error, Error::ChallengeInvalid);
        s.challenge = QStringLiteral("short");
        QCOMPARE(m_service->submit(s).error, Error::ChallengeInvalid);
    }

    void certificateChecks()
    {
        // Another root.
        const auto foreign =
            test::issueEd25519(m_otherRoot, "alice.x", start().addDays(-1), start().addYears(1));
        QCOMPARE(registerWith(foreign).error, Error::CertificateUntrusted);
        // Revoked.
        const auto key = ed25519();
        m_trust.revoke(key.certificate.fingerprint());
        QCOMPARE(registerWith(key).error, Error::CertificateRevoked);
        // Expired, and not valid yet.
        const auto old =
            test::issueEd25519(m_root, "alice.x", start().addYears(-1), start().addDays(-1));
        QCOMPARE(registerWith(old).error, Error::CertificateExpired);
        const auto early =
            test::issueEd25519(m_root, "alice.x", start().addDays(1), start().addYears(1));
        QCOMPARE(registerWith(early).error, Error::CertificateExpired);
        // Names another namespace.
        const auto bob = ed25519(QStringLiteral("bob.x"));
        QCOMPARE(registerWith(bob, QStringLiteral("alice.x")).error,
                 Error::CertificateWrongNamespace);
        // Not a certificate.
        const auto c = m_service->challenge("alice.x", Phone);
        RegistrationService::Submission s{c.challenge,
                                          "-----BEGIN CERTIFICATE-----\nAAAA\n"
                                          "-----END CERTIFICATE-----\n",
                                          QStringLiteral("AAAA"), Pin};
        QCOMPARE(m_service->submit(s).error, Error::CertificateInvalid);
        QVERIFY(m_service->open().isEmpty());
    }

    void oversizedFields()
    {
        QCOMPARE(m_service->challenge(QString(300, u'a') + ".x", Phone).error, Error::TooLarge);
        QCOMPARE(m_service->challenge("alice.x", QString(40, u'1')).error, Error::TooLarge);
        const auto c = m_service->challenge("alice.x", Phone);
        RegistrationService::Submission s{c.challenge, QByteArray(9000, 'A'), QStringLiteral("x"),
                                          Pin};
        QCOMPARE(m_service->submit(s).error, Error::TooLarge);
        s.certificatePem = ed25519().certificate.toPem();
        s.signature = QString(201, u'A');
        QCOMPARE(m_service->submit(s).error, Error::TooLarge);
        s.signature = QStringLiteral("AAAA");
        s.pin = QString(100, u'1');
        QCOMPARE(m_service->submit(s).error, Error::TooLarge);

        RegistrationApi api(*m_service);
        const RegistrationApi::Headers json{{"Content-Type", "application/json"}};
        const auto big = api.handle("POST", "/register/challenge", json,
                                    QByteArray(RegistrationApi::MaxBody + 1, ' '), "198.51.100.1");
        QCOMPARE(big.status, 413);
    }

    void rateLimitPerClient()
    {
        RegistrationApi::Limits limits;
        limits.api = {3, 0.001, 100};
        RegistrationApi api(*m_service, limits);
        qint64 ms = 1000;
        api.setRateClock([&ms] { return ms; });
        const RegistrationApi::Headers json{{"Content-Type", "application/json"}};
        const QByteArray body = R"({"namespace":"alice.x","phone":"+18124040851"})";
        for (int i = 0; i < 3; ++i)
            QCOMPARE(api.handle("POST", "/register/challenge", json, body, "198.51.100.7").status,
                     200);
        const auto refused = api.handle("POST", "/register/challenge", json, body, "198.51.100.7");
        QCOMPARE(refused.status, 429);
        bool retryAfter = false;
        for (const auto &h : refused.headers)
            retryAfter |= h.first == "Retry-After" && h.second.toInt() > 0;
        QVERIFY(retryAfter);
        // Submissions share the bucket; another client is not affected.
        QCOMPARE(api.handle("POST", "/register/submit", json, "{}", "198.51.100.7").status, 429);
        QCOMPARE(api.handle("POST", "/register/challenge", json, body, "198.51.100.8").status, 200);
        ms += 1000 * 1000; // a token back after 1000 s
        QCOMPARE(api.handle("POST", "/register/challenge", json, body, "198.51.100.7").status, 200);
    }

    void boundOnOpenRegistrations()
    {
        closeAll();
        RegistrationService::Config config;
        config.maxOpenRegistrations = 2;
        openAll(config);
        const auto key = ed25519();
        const auto first = registerWith(key);
        QCOMPARE(first.error, Error::None);
        QCOMPARE(registerWith(key, "alice.x", OtherPhone).error, Error::None);
        QCOMPARE(registerWith(key).error, Error::Busy);
        // A decision frees a place; so does a call-in window that passed.
        QVERIFY(m_service->deny(m_service->byStatusToken(first.statusToken)->id).ok);
        QCOMPARE(registerWith(key).error, Error::None);
        QCOMPARE(registerWith(key).error, Error::Busy);
        m_now = m_now.addSecs(601);
        QCOMPARE(registerWith(key).error, Error::None);
        // And the challenges are bounded too.
        config.maxChallenges = 2;
        m_service->setConfig(config);
        while (m_service->outstandingChallenges() < 2)
            QCOMPARE(m_service->challenge("alice.x", Phone).error, Error::None);
        QCOMPARE(m_service->challenge("alice.x", Phone).error, Error::Busy);
        m_now = m_now.addSecs(601);
        QCOMPARE(m_service->challenge("alice.x", Phone).error, Error::None);
    }

    void callInFailuresExpireTheRegistration()
    {
        const auto result = registerWith(ed25519());
        QCOMPARE(result.error, Error::None);
        for (int i = 0; i < 5; ++i) {
            const QString wrong = QStringLiteral("%1").arg(
                (result.callInCode.toInt() + 1 + i) % 1000000, 6, 10, QLatin1Char('0'));
            QVERIFY(!m_service->completeCallIn(Phone, wrong));
        }
        QVERIFY(!m_service->completeCallIn(Phone, result.callInCode));
        QCOMPARE(m_service->byStatusToken(result.statusToken)->state,
                 PendingRegistration::State::Expired);
        // And a window that passed.
        const auto late = registerWith(ed25519());
        m_now = m_now.addSecs(600);
        QVERIFY(!m_service->completeCallIn(Phone, late.callInCode));
        QCOMPARE(m_service->byStatusToken(late.statusToken)->effectiveState(m_now),
                 PendingRegistration::State::Expired);
    }

    void automaticApproval()
    {
        closeAll();
        RegistrationService::Config config;
        config.approval = RegistrationService::Approval::Automatic;
        openAll(config);
        QCOMPARE(RegistrationService::approvalFromString("automatic"),
                 RegistrationService::Approval::Automatic);
        QVERIFY(!RegistrationService::approvalFromString("yes"));
        const auto result = registerWith(ed25519());
        QVERIFY(m_service->completeCallIn(Phone, result.callInCode));
        QCOMPARE(m_service->byStatusToken(result.statusToken)->state,
                 PendingRegistration::State::Approved);
        QCOMPARE(m_sunk, QList<QString>{Phone});
        QCOMPARE(eventTypes().last(), QString(RegistrationEvents::Approved));
    }

    void refusedApprovalChangesNothing()
    {
        const auto result = registerWith(ed25519());
        QVERIFY(m_service->completeCallIn(Phone, result.callInCode));
        m_service->setApprovalSink(
            [](const PendingRegistration &) { return QStringLiteral("registry refused"); });
        const QString id = m_service->byStatusToken(result.statusToken)->id;
        const auto refused = m_service->approve(id);
        QVERIFY(!refused.ok);
        QCOMPARE(refused.error, QStringLiteral("registry refused"));
        QCOMPARE(m_service->registration(id)->state, PendingRegistration::State::AwaitingOwner);
        QVERIFY(m_service->deny(id).ok);
        QCOMPARE(eventTypes().last(), QString(RegistrationEvents::Denied));
        QVERIFY(!m_service->approve(QStringLiteral("nope")).ok);
    }

    void answersDoNotRevealRegistrations()
    {
        // alice.x has an approved registration for Phone; carol.x has none.
        const auto alice = ed25519();
        const auto done = registerWith(alice);
        QVERIFY(m_service->completeCallIn(Phone, done.callInCode));
        QVERIFY(m_service->approve(m_service->byStatusToken(done.statusToken)->id).ok);

        RegistrationApi api(*m_service);
        const RegistrationApi::Headers json{{"Content-Type", "application/json"}};
        auto ask = [&](const QString &ns, const QString &phone) {
            return api.handle(
                "POST", "/register/challenge", json,
                QJsonDocument(QJsonObject{{"namespace", ns}, {"phone", phone}}).toJson(),
                "203.0.113.9");
        };
        auto shape = [](const RegistrationApi::Reply &reply) {
            QJsonObject o = QJsonDocument::fromJson(reply.body).object();
            return QStringList(o.keys()).join(',') + QString::number(reply.status);
        };
        const auto a = ask("alice.x", Phone);
        const auto c = ask("carol.x", OtherPhone);
        QCOMPARE(a.status, 200);
        QCOMPARE(shape(a), shape(c));
        QCOMPARE(a.headers, c.headers);
        // The same wrong signature gives byte-identical answers for both.
        auto submitBad = [&](const RegistrationApi::Reply &challenge, const QByteArray &pem) {
            const QJsonObject o = QJsonDocument::fromJson(challenge.body).object();
            return api.handle("POST", "/register/submit", json,
                              QJsonDocument(QJsonObject{{"challenge", o.value("challenge")},
                                                        {"certificate", QString(pem)},
                                                        {"signature", QString(64 * 4 / 3, 'A')},
                                                        {"pin", "1234"}})
                                  .toJson(),
                              "203.0.113.9");
        };
        const auto carol = ed25519(QStringLiteral("carol.x"));
        const auto badA = submitBad(a, alice.certificate.toPem());
        const auto badC = submitBad(c, carol.certificate.toPem());
        QCOMPARE(badA.status, 403);
        QCOMPARE(badA.body, badC.body);
        // Unknown status tokens: one answer.
        const auto s1 = api.handle("GET", "/register/status/" + QByteArray(43, 'A'), {}, {}, "x");
        const auto s2 = api.handle("GET", "/register/status/<script>", {}, {}, "x");
        QCOMPARE(s1.status, 404);
        QCOMPARE(s1.body, s2.body);
        QVERIFY(!s2.body.contains("script"));
    }

    void apiHeadersAndRoutes()
    {
        RegistrationApi api(*m_service);
        const QList<RegistrationApi::Reply> replies{
            api.handle("GET", "/register", {}, {}, "c"),
            api.handle("GET", "/register/?x=1", {}, {}, "c"),
            api.handle("GET", "/register/register.js", {}, {}, "c"),
            api.handle("GET", "/register/register.css", {}, {}, "c"),
            api.handle("GET", "/register/nothing", {}, {}, "c"),
            api.handle("DELETE", "/register", {}, {}, "c"),
            api.handle("GET", "/register/challenge", {}, {}, "c"),
            api.handle("POST", "/register/challenge", {{"Content-Type", "text/plain"}}, "{}", "c"),
            api.handle("POST", "/register/challenge", {{"content-type", "application/json"}}, "[1]",
                       "c"),
        };
        const QList<int> statuses{200, 200, 200, 200, 404, 405, 405, 415, 400};
        for (int i = 0; i < replies.size(); ++i) {
            QCOMPARE(replies[i].status, statuses[i]);
            QVERIFY(replies[i].headers.contains(
                {"Content-Security-Policy", RegistrationApi::contentSecurityPolicy()}));
            QVERIFY(replies[i].headers.contains({"X-Content-Type-Options", "nosniff"}));
            QVERIFY(replies[i].headers.contains({"Referrer-Policy", "no-referrer"}));
            QVERIFY(replies[i].headers.contains({"Cache-Control", "no-store"}));
        }
        QVERIFY(replies[0].contentType.startsWith("text/html"));
        QVERIFY(replies[0].body.contains("<script src=\"/register/register.js\""));
        QVERIFY(!replies[0].body.contains("<script>"));
        QVERIFY(!replies[0].body.contains("style="));
        QVERIFY(replies[2].contentType.startsWith("text/javascript"));
        QVERIFY(replies[3].contentType.startsWith("text/css"));
        QVERIFY(RegistrationApi::handles("/register"));
        QVERIFY(RegistrationApi::handles("/register/status/x?y"));
        QVERIFY(!RegistrationApi::handles("/registered"));
        QVERIFY(!RegistrationApi::handles("/webhooks/telnyx"));
    }

    void pinNeverStoredInClear()
    {
        const auto result = registerWith(ed25519());
        QCOMPARE(result.error, Error::None);
        QVERIFY(m_service->completeCallIn(Phone, result.callInCode));
        QByteArray bytes;
        if (m_pg) {
            // Every row of the tables involved, as text.
            QSqlQuery q(QSqlDatabase::database(m_store->connectionName()));
            for (const char *table : {"pending_registrations", "registry", "events"}) {
                QVERIFY(
                    q.exec(QStringLiteral("SELECT t::text FROM %1 t").arg(QLatin1String(table))));
                while (q.next())
                    bytes += q.value(0).toString().toUtf8();
            }
        }
        closeAll();
        for (const QString &suffix : {QString(), QStringLiteral("-wal")}) {
            QFile f(m_path + suffix);
            if (!m_pg && f.open(QIODevice::ReadOnly))
                bytes += f.readAll();
        }
        QVERIFY(bytes.contains("scrypt$"));
        QVERIFY(!bytes.contains(Pin.toLatin1()));
        QVERIFY(!bytes.contains(result.statusToken.toLatin1()));
        openAll();
    }

    void survivesRestart()
    {
        const auto result = registerWith(ed25519());
        QCOMPARE(result.error, Error::None);
        closeAll();
        openAll();
        const auto r = m_service->byStatusToken(result.statusToken);
        QVERIFY(r);
        QCOMPARE(r->state, PendingRegistration::State::AwaitingCall);
        QCOMPARE(r->codeExpiresAt, start().addSecs(600));
        QCOMPARE(m_service->open().size(), 1);
        QVERIFY(m_service->completeCallIn(Phone, result.callInCode));
        closeAll();
        openAll();
        QCOMPARE(m_service->open().first().state, PendingRegistration::State::AwaitingOwner);
        QVERIFY(m_service->approve(r->id).ok);
        QCOMPARE(m_store->verify().ok, true);
    }
};

QTEST_GUILESS_MAIN(TestRegistrationService)
#include "tst_registrationservice.moc"
