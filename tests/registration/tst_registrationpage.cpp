// SPDX-License-Identifier: GPL-3.0-or-later
// The registration page in a real browser: Debian's Chromium, headless, driven over the DevTools
// protocol, against RegistrationApi served on loopback, and once against the running engine's
// webhook port, with the call-in through the fake Telnyx. Skipped (with the reason) only when no
// Chromium is installed. Screenshots at a phone-sized and a desktop viewport go to the build
// directory (registration-*.png).
#include "devtoolssession.h"
#include "engine/config.h"
#include "engine/engine.h"
#include "registration/pendingregistration.h"
#include "registration/registrationapi.h"
#include "registration/registrationservice.h"
#include "registrationtestkit.h"
#include "screening/screeningrepository.h"
#include "simulator/loopbackhttpserver.h"
#include "simulator/telnyxsimulator.h"
#include "store/eventstore.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QHttpServerRequest>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using namespace kt;

namespace {
const QString OwnerNumber = QStringLiteral("+17702300635");
const QString Phone = QStringLiteral("+18124040851");
} // namespace

class TestRegistrationPage : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<EventStore> m_store;
    std::unique_ptr<RegistrationService> m_service;
    std::unique_ptr<RegistrationApi> m_api;
    std::unique_ptr<LoopbackHttpServer> m_server;
    std::unique_ptr<test::DevToolsSession> m_browser;
    CertificateAuthority m_root;
    CertificateAuthority m_otherRoot;
    TrustStore m_trust;
    QDateTime m_now;
    QByteArray m_requests; // every request body the server received
    QString m_base;

    QString writeFile(const QString &name, const QByteArray &bytes)
    {
        const QString path = m_dir.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size())
            return {};
        return path;
    }

    QString outputPath(const QString &name) const
    {
        return QDir(QCoreApplication::applicationDirPath()).filePath(name);
    }

    QString text(const QString &id)
    {
        return m_browser
            ->evaluate(QStringLiteral("document.getElementById('%1').textContent").arg(id))
            .toString();
    }

    bool visible(const QString &id)
    {
        return m_browser->evaluate(QStringLiteral("!document.getElementById('%1').hidden").arg(id))
            .toBool();
    }

    // Step 1 of the page: fill in and continue, up to the challenge.
    void enterDetails(const QString &ns, const QString &phone, const QString &pin)
    {
        QVERIFY(m_browser->navigate(m_base + QStringLiteral("/register")));
        const QString script = QStringLiteral(
            "(() => { const set = (id, v) => { document.getElementById(id).value = v; };"
            " set('namespace', %1); set('phone', %2); set('pin', %3);"
            " document.getElementById('details-submit').click(); return true; })()");
        auto quote = [](const QString &s) {
            return QString::fromUtf8(QJsonDocument(QJsonArray{s}).toJson(QJsonDocument::Compact))
                .mid(1)
                .chopped(1);
        };
        m_browser->evaluate(script.arg(quote(ns), quote(phone), quote(pin)));
        QVERIFY2(m_browser->waitFor(
                     QStringLiteral("!document.getElementById('step-proof').hidden &&"
                                    " document.getElementById('message').textContent.length > 0")),
                 qPrintable(text(QStringLiteral("error"))));
    }

    // Waits for step 3 or an error; returns the error text (empty on success).
    QString waitForOutcome()
    {
        const bool done =
            m_browser->waitFor(QStringLiteral("!document.getElementById('step-call').hidden ||"
                                              " !document.getElementById('error').hidden"));
        if (!done)
            return QStringLiteral("<no outcome>");
        return visible(QStringLiteral("error")) ? text(QStringLiteral("error")) : QString();
    }

    void signInBrowser(const test::IssuedKey &key, const QByteArray &privateKeyPem)
    {
        const QString cert = writeFile(QStringLiteral("cert.pem"), key.certificate.toPem());
        const QString pkey = writeFile(QStringLiteral("key.pem"), privateKeyPem);
        QVERIFY(m_browser->setFiles(QStringLiteral("#cert-file"), {cert}));
        QVERIFY(m_browser->setFiles(QStringLiteral("#key-file"), {pkey}));
        m_browser->evaluate(QStringLiteral("document.getElementById('sign-browser').click()"));
    }

    void callInAndApprove(const QString &shotPrefix)
    {
        const QString code = text(QStringLiteral("call-code"));
        QVERIFY(QRegularExpression(QStringLiteral("^[0-9]{6}$")).match(code).hasMatch());
        QCOMPARE(text(QStringLiteral("call-number")), OwnerNumber);
        QCOMPARE(text(QStringLiteral("call-from")), Phone);
        QCOMPARE(
            m_browser->evaluate(QStringLiteral("document.getElementById('status').dataset.state"))
                .toString(),
            QStringLiteral("awaiting_call"));
        if (!shotPrefix.isEmpty())
            QVERIFY(m_browser->screenshot(outputPath(shotPrefix + QStringLiteral("-3-call.png"))));
        // The PIN field is cleared once submitted.
        QCOMPARE(
            m_browser->evaluate(QStringLiteral("document.getElementById('pin').value")).toString(),
            QString());
        QVERIFY(m_service->completeCallIn(Phone, code));
        QVERIFY(m_browser->waitFor(
            QStringLiteral("document.getElementById('status').dataset.state === 'awaiting_owner'"),
            10000));
        const QList<PendingRegistration> open = m_service->open();
        QCOMPARE(open.size(), 1);
        QCOMPARE(m_browser->evaluate(QStringLiteral("document.getElementById('call-number').href"))
                     .toString(),
                 QStringLiteral("tel:") + OwnerNumber);
        QVERIFY(m_service->approve(open.first().id).ok);
        QVERIFY(m_browser->waitFor(
            QStringLiteral("document.getElementById('status').dataset.state === 'approved'"),
            10000));
        if (!shotPrefix.isEmpty())
            QVERIFY(
                m_browser->screenshot(outputPath(shotPrefix + QStringLiteral("-4-approved.png"))));
    }

private slots:
    void initTestCase()
    {
        const QString chromium = test::DevToolsSession::findChromium();
        if (chromium.isEmpty())
            QSKIP("Chromium is not installed (apt-get install chromium): the registration page "
                  "cannot be tested in a browser");
        QVERIFY(m_dir.isValid());
        m_now = QDateTime::currentDateTimeUtc();
        m_root = CertificateAuthority::createRoot(QStringLiteral("Owner Root"), m_now.addYears(-1),
                                                  m_now.addYears(5));
        m_otherRoot = CertificateAuthority::createRoot(QStringLiteral("Other Root"),
                                                       m_now.addYears(-1), m_now.addYears(5));
        QVERIFY(m_trust.addRoot(m_root.certificate()));

        m_store = std::make_unique<EventStore>();
        QVERIFY(m_store->open(m_dir.filePath(QStringLiteral("page.db")), QStringLiteral("page")));
        m_service = std::make_unique<RegistrationService>(*m_store);
        m_service->setClock([this] { return m_now; });
        m_service->setTrustStoreSource([this] { return m_trust; });
        m_service->setCallInNumbers([] { return QStringList{OwnerNumber}; });
        RegistrationApi::Limits limits;
        limits.api = {1000, 10, 100};
        m_api = std::make_unique<RegistrationApi>(*m_service, limits);
        m_server = std::make_unique<LoopbackHttpServer>([this](const QHttpServerRequest &request) {
            m_requests += request.body();
            QByteArray method;
            switch (request.method()) {
            case QHttpServerRequest::Method::Get:
                method = "GET";
                break;
            case QHttpServerRequest::Method::Post:
                method = "POST";
                break;
            default:
                method = "OTHER";
                break;
            }
            QByteArray path = request.url().path(QUrl::FullyEncoded).toUtf8();
            if (request.url().hasQuery())
                path += '?' + request.url().query(QUrl::FullyEncoded).toUtf8();
            const RegistrationApi::Reply reply =
                m_api->handle(method, path, request.headers(), request.body(),
                              request.remoteAddress().toString());
            HttpReply out;
            out.status = reply.status;
            out.body = reply.body;
            out.headers = reply.headers;
            out.headers.append({QByteArrayLiteral("Content-Type"), reply.contentType});
            return std::optional<HttpReply>(out);
        });
        QVERIFY(m_server->start(QHostAddress::LocalHost));
        m_base = QStringLiteral("http://127.0.0.1:%1").arg(m_server->port());

        m_browser = std::make_unique<test::DevToolsSession>();
        QVERIFY2(m_browser->start(chromium), qPrintable(m_browser->error()));
    }

    void init()
    {
        if (m_browser)
            m_browser->setViewport(390, 844, true);
    }

    void ed25519InTheBrowserOnAPhone()
    {
        m_browser->setViewport(390, 844, true);
        QVERIFY(m_browser->navigate(m_base + QStringLiteral("/register")));
        QVERIFY(
            m_browser->screenshot(outputPath(QStringLiteral("registration-phone-1-details.png"))));
        const auto key = test::issueEd25519(m_root, QStringLiteral("alice.x"), m_now.addDays(-1),
                                            m_now.addYears(1));
        enterDetails(QStringLiteral("alice.x"), QStringLiteral("(812) 404-0851"),
                     QStringLiteral("4711"));
        const QString message = text(QStringLiteral("message"));
        QVERIFY(message.startsWith(QStringLiteral("kevan-tel registration v1\n")));
        QVERIFY(message.endsWith(QStringLiteral("\n+18124040851\nalice.x")));
        QVERIFY(
            m_browser->screenshot(outputPath(QStringLiteral("registration-phone-2-proof.png"))));
        signInBrowser(key, key.privateKeyPem);
        QCOMPARE(waitForOutcome(), QString());
        callInAndApprove(QStringLiteral("registration-phone"));
        // The key never left the page.
        QVERIFY(!m_requests.contains("PRIVATE KEY"));
        QVERIFY(!m_requests.contains(key.privateKeyPem.split('\n').at(1)));
    }

    void p256InTheBrowserOnADesktop()
    {
        m_browser->setViewport(1280, 800, false);
        const auto key =
            test::issueP256(m_root, QStringLiteral("bob.x"), m_now.addDays(-1), m_now.addYears(1));
        QVERIFY(!key.certificate.isNull());
        enterDetails(QStringLiteral("bob.x"), Phone, QStringLiteral("12345678"));
        QVERIFY(
            m_browser->screenshot(outputPath(QStringLiteral("registration-desktop-2-proof.png"))));
        signInBrowser(key, key.privateKeyPem);
        QCOMPARE(waitForOutcome(), QString());
        const auto registration = m_service->open().first();
        QCOMPARE(registration.keyType, QStringLiteral("ecdsa-p256"));
        callInAndApprove(QStringLiteral("registration-desktop"));
        QVERIFY(!m_requests.contains(key.privateKeyPem.split('\n').at(1)));
    }

    void opensslSignaturePasted()
    {
        const auto key = test::issueP256(m_root, QStringLiteral("carol.x"), m_now.addDays(-1),
                                         m_now.addYears(1));
        enterDetails(QStringLiteral("carol.x"), Phone, QStringLiteral("2468"));
        // The commands shown: the message file, and the two signing commands.
        const QString challenge =
            m_browser
                ->evaluate(QStringLiteral("document.getElementById('message').textContent"
                                          ".split('\\n')[1]"))
                .toString();
        QCOMPARE(text(QStringLiteral("cmd-message")),
                 QStringLiteral("printf 'kevan-tel registration v1\\n%s\\n%s\\n%s' '%1' "
                                "'+18124040851' 'carol.x' > message.txt")
                     .arg(challenge));
        QVERIFY(
            text(QStringLiteral("cmd-p256")).startsWith(QStringLiteral("openssl dgst -sha256")));
        const QByteArray signature =
            test::sign(key.privateKeyPem, text(QStringLiteral("message")).toUtf8()).toBase64();
        QVERIFY(
            m_browser->setFiles(QStringLiteral("#cert-file"),
                                {writeFile(QStringLiteral("carol.pem"), key.certificate.toPem())}));
        m_browser->evaluate(QStringLiteral("document.getElementById('signature').value = '%1';"
                                           " document.getElementById('submit-pasted').click()")
                                .arg(QString::fromLatin1(signature)));
        QCOMPARE(waitForOutcome(), QString());
        callInAndApprove(QString());
    }

    void wrongSignature()
    {
        const auto key = test::issueEd25519(m_root, QStringLiteral("alice.x"), m_now.addDays(-1),
                                            m_now.addYears(1));
        const auto other = test::issueEd25519(m_root, QStringLiteral("alice.x"), m_now.addDays(-1),
                                              m_now.addYears(1));
        enterDetails(QStringLiteral("alice.x"), Phone, QStringLiteral("4711"));
        signInBrowser(key, other.privateKeyPem); // the key of another certificate
        const QString first = text(QStringLiteral("message"));
        QVERIFY(waitForOutcome().startsWith(
            RegistrationService::message(RegistrationService::Error::SignatureInvalid)));
        // The challenge was spent: the page shows a new message to sign.
        QVERIFY(m_browser->waitFor(
            QStringLiteral("document.getElementById('error').textContent.indexOf('new message')"
                           " > 0")));
        QVERIFY(text(QStringLiteral("message")) != first);
        QVERIFY(visible(QStringLiteral("step-proof")));
        QVERIFY(m_browser->screenshot(outputPath(QStringLiteral("registration-phone-error.png"))));
        // A pasted signature that is not one.
        enterDetails(QStringLiteral("alice.x"), Phone, QStringLiteral("4711"));
        QVERIFY(
            m_browser->setFiles(QStringLiteral("#cert-file"),
                                {writeFile(QStringLiteral("cert.pem"), key.certificate.toPem())}));
        m_browser->evaluate(QStringLiteral("document.getElementById('signature').value = '%1';"
                                           " document.getElementById('submit-pasted').click()")
                                .arg(QString(88, u'A')));
        QVERIFY(waitForOutcome().startsWith(
            RegistrationService::message(RegistrationService::Error::SignatureInvalid)));
        QVERIFY(m_service->open().isEmpty());
    }

    void expiredChallenge()
    {
        const auto key = test::issueEd25519(m_root, QStringLiteral("alice.x"), m_now.addDays(-1),
                                            m_now.addYears(1));
        enterDetails(QStringLiteral("alice.x"), Phone, QStringLiteral("4711"));
        m_now = m_now.addSecs(601);
        signInBrowser(key, key.privateKeyPem);
        const QString expired = text(QStringLiteral("message"));
        QVERIFY(waitForOutcome().startsWith(
            RegistrationService::message(RegistrationService::Error::ChallengeInvalid)));
        // The page asks for a new challenge; signing that one works.
        QVERIFY(m_browser->waitFor(
            QStringLiteral("document.getElementById('error').textContent.indexOf('new message')"
                           " > 0")));
        QVERIFY(text(QStringLiteral("message")) != expired);
        QVERIFY(m_service->open().isEmpty());
        m_browser->evaluate(QStringLiteral("document.getElementById('sign-browser').click()"));
        QVERIFY(m_browser->waitFor(QStringLiteral("!document.getElementById('step-call').hidden")));
        QCOMPARE(m_service->open().size(), 1);
        QVERIFY(m_service->deny(m_service->open().first().id).ok);
    }

    void certificateFromAnotherRoot()
    {
        const auto key = test::issueEd25519(m_otherRoot, QStringLiteral("alice.x"),
                                            m_now.addDays(-1), m_now.addYears(1));
        enterDetails(QStringLiteral("alice.x"), Phone, QStringLiteral("4711"));
        signInBrowser(key, key.privateKeyPem);
        QVERIFY(waitForOutcome().startsWith(
            RegistrationService::message(RegistrationService::Error::CertificateUntrusted)));
        QVERIFY(m_service->open().isEmpty());
    }

    void invalidDetailsAreRefused()
    {
        QVERIFY(m_browser->navigate(m_base + QStringLiteral("/register")));
        m_browser->evaluate(QStringLiteral(
            "document.getElementById('namespace').value = '<img src=x onerror=alert(1)>.x';"
            " document.getElementById('phone').value = '+18124040851';"
            " document.getElementById('pin').value = '1234';"
            " document.getElementById('details-submit').click()"));
        QVERIFY(m_browser->waitFor(QStringLiteral("!document.getElementById('error').hidden")));
        QCOMPARE(text(QStringLiteral("error")),
                 RegistrationService::message(RegistrationService::Error::NamespaceInvalid));
        QCOMPARE(
            m_browser->evaluate(QStringLiteral("document.querySelectorAll('img').length")).toInt(),
            0);
        // A PIN that is not 4 to 8 digits never leaves the page.
        const QByteArray before = m_requests;
        m_browser->evaluate(QStringLiteral("document.getElementById('namespace').value = 'alice.x';"
                                           " document.getElementById('pin').value = '12a';"
                                           " document.getElementById('details-submit').click()"));
        QVERIFY(m_browser->waitFor(
            QStringLiteral("document.getElementById('error').textContent.indexOf('PIN') >= 0")));
        QCOMPARE(m_requests, before);
    }

    void contentSecurityPolicyBlocksInlineScript()
    {
        QVERIFY(m_browser->navigate(m_base + QStringLiteral("/register")));
        m_browser->evaluate(
            QStringLiteral("window.__violations = [];"
                           " document.addEventListener('securitypolicyviolation',"
                           "   (e) => window.__violations.push(e.violatedDirective));"
                           " const s = document.createElement('script');"
                           " s.textContent = 'window.__injected = true';"
                           " document.body.appendChild(s);"
                           " const d = document.createElement('div');"
                           " d.innerHTML = '<img src=x onerror=\"window.__injected2 = true\">';"
                           " document.body.appendChild(d); true"));
        QVERIFY(m_browser->waitFor(QStringLiteral("window.__violations.length >= 1")));
        QCOMPARE(m_browser->evaluate(QStringLiteral("window.__injected === undefined")).toBool(),
                 true);
        QCOMPARE(m_browser->evaluate(QStringLiteral("window.__injected2 === undefined")).toBool(),
                 true);
        QVERIFY(m_browser->evaluate(QStringLiteral("window.__violations.join(' ')"))
                    .toString()
                    .contains(QStringLiteral("script-src")));
        // And the page's own script and style did load.
        QCOMPARE(m_browser
                     ->evaluate(QStringLiteral("getComputedStyle(document.querySelector('.card'))"
                                               ".borderTopLeftRadius"))
                     .toString(),
                 QStringLiteral("10px"));
    }

    // The whole way, as a caller does it: the page served by the engine's webhook port
    // (self-registration on), the key read in the browser, then the call-in from the phone
    // through the fake Telnyx with the code the page shows, which the page follows to "waiting
    // for the owner" and, after the owner's approval, "approved".
    void callInThroughTheFakeTelnyx_data()
    {
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("height");
        QTest::addColumn<bool>("mobile");
        QTest::addColumn<bool>("p256");
        QTest::addColumn<QString>("phone");
        QTest::newRow("phone") << 390 << 844 << true << false << QStringLiteral("+18124040861");
        QTest::newRow("desktop") << 1280 << 800 << false << true << QStringLiteral("+18124040862");
    }

    void callInThroughTheFakeTelnyx()
    {
        QFETCH(int, width);
        QFETCH(int, height);
        QFETCH(bool, mobile);
        QFETCH(bool, p256);
        QFETCH(QString, phone);
        const QString shot = QStringLiteral("registration-engine-%1-")
                                 .arg(QString::fromLatin1(QTest::currentDataTag()));
        QTemporaryDir dir;
        TelnyxSimulator telnyx;
        QVERIFY(telnyx.start());
        telnyx.setSpeakDurationMs(50);
        Config config;
        config.databasePath = dir.filePath(QStringLiteral("engine.db"));
        config.port = 0;
        config.adminPort = 0;
        config.telnyxApiUrl = telnyx.baseUrl().toString();
        config.apiKey = telnyx.apiKey();
        config.publicKey = telnyx.publicKey();
        config.synchronous = QStringLiteral("NORMAL");
        config.selfRegistration = true;
        Engine engine(config);
        QString error;
        QVERIFY2(engine.start(&error), qPrintable(error));
        telnyx.setWebhookUrl(QUrl(engine.url() + QStringLiteral("/webhooks/telnyx")));
        QVERIFY(engine.repository().trustRoot(m_root.certificate().toPem(), "test").ok);

        m_browser->setViewport(width, height, mobile);
        const QString base = std::exchange(m_base, engine.url());
        auto restore = qScopeGuard([this, base] { m_base = base; });
        const QString nameSpace = p256 ? QStringLiteral("dora.x") : QStringLiteral("dave.x");
        const auto key =
            p256 ? test::issueP256(m_root, nameSpace, m_now.addDays(-1), m_now.addYears(1))
                 : test::issueEd25519(m_root, nameSpace, m_now.addDays(-1), m_now.addYears(1));
        enterDetails(nameSpace, phone, QStringLiteral("5791"));
        signInBrowser(key, key.privateKeyPem);
        QCOMPARE(waitForOutcome(), QString());
        const QString code = text(QStringLiteral("call-code"));
        const QString number = text(QStringLiteral("call-number"));
        QVERIFY(QRegularExpression(QStringLiteral("^[0-9]{6}$")).match(code).hasMatch());
        QVERIFY(engine.repository().number(number));
        QVERIFY(m_browser->screenshot(outputPath(shot + QStringLiteral("1-call.png"))));

        // The caller rings the number the page shows, from the phone, and keys in the code.
        QSignalSpy proven(&engine, &Engine::registrationProven);
        InboundCallOptions options;
        options.gatherScript = {code};
        const QString ccid = telnyx.startInboundCall(phone, number, options);
        QTRY_COMPARE_WITH_TIMEOUT(proven.size(), 1, 20000);
        QVERIFY(m_browser->waitFor(
            QStringLiteral("document.getElementById('status').dataset.state === 'awaiting_owner'"),
            20000));
        QVERIFY(m_browser->screenshot(outputPath(shot + QStringLiteral("2-owner.png"))));
        QStringList commands;
        for (const ReceivedRequest &r : telnyx.commands()) {
            if (r.callControlId == ccid && !commands.contains(r.command))
                commands.append(r.command);
        }
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                commands.clear();
                for (const ReceivedRequest &r : telnyx.commands()) {
                    if (r.callControlId == ccid && !commands.contains(r.command))
                        commands.append(r.command);
                }
                return commands.contains(QStringLiteral("hangup"));
            }(),
            20000);
        QCOMPARE(commands, (QStringList{"answer", "gather_using_speak", "speak", "hangup"}));

        QVERIFY(engine.registrationService()->approve(proven.first().at(0).toString()).ok);
        QVERIFY(m_browser->waitFor(
            QStringLiteral("document.getElementById('status').dataset.state === 'approved'"),
            20000));
        QVERIFY(m_browser->screenshot(outputPath(shot + QStringLiteral("3-approved.png"))));
        QCOMPARE(engine.repository().registration(phone)->nameSpace, nameSpace);
        engine.stop();
    }

    void cleanupTestCase()
    {
        m_browser.reset();
        m_server.reset();
        m_api.reset();
        m_service.reset();
        m_store.reset();
    }
};

QTEST_MAIN(TestRegistrationPage)
#include "tst_registrationpage.moc"
