// SPDX-License-Identifier: GPL-3.0-or-later
// EngineController against a real engine in its own thread (EngineHost) on a temporary
// database, driven by the Telnyx simulator over loopback: the owner's one-click decisions,
// rules, registry, number policies, pausing, and the hash-chain check.
#include "data/readonlydatabase.h"
#include "demodata.h"
#include "engine/engine.h"
#include "engine/enginehost.h"
#include "enginecontroller.h"
#include "models/calllistmodel.h"
#include "models/pendingregistrationlistmodel.h"
#include "models/registrationlistmodel.h"
#include "registrationtestkit.h"
#include "screening/certificateauthority.h"
#include "screening/screeningrepository.h"
#include "simulator/telnyxsimulator.h"
#include "store/eventstore.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

using namespace kt;
using kt::test::DemoData;

namespace {
struct Finished
{
    int id = 0;
    QString action;
    bool ok = false;
    QString message;
};

// Waits for the reply to request `id`.
Finished waitFor(QSignalSpy &spy, int id)
{
    Finished f;
    auto find = [&] {
        for (const auto &args : std::as_const(spy)) {
            if (args.at(0).toInt() == id) {
                f = {id, args.at(1).toString(), args.at(2).toBool(), args.at(3).toString()};
                return true;
            }
        }
        return false;
    };
    if (!find() && !QTest::qWaitFor(find, 10000))
        qWarning() << "no reply to request" << id;
    return f;
}
} // namespace

class TstEngineController : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();

    void acceptAnAskingCall();
    void rejectAnAskingCall();
    void allowAlwaysAddsARuleAndAcceptsTheCall();
    void decidingACallThatIsNotAskingFails();
    void rulesRegistryAndPolicies();
    void certificatesFromFiles();
    void pauseForwardsEveryCall();
    void verifyChainReportsProgressAndResult();
    void verifyChainFindsATamperedEvent();
    void withoutAnEngineActionsFail();
    void selfRegistrationApprovedFromTheDashboard();

private:
    QString dbPath() const { return m_dir->filePath(QStringLiteral("engine.db")); }
    QString placeAskCall(const QString &from);
    const CallRecord *call(const QString &callId) const;
    QString waitForState(const QString &from, const QString &state);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<TelnyxSimulator> m_telnyx;
    std::unique_ptr<EngineHost> m_host;
    std::unique_ptr<EngineController> m_controller;
    std::unique_ptr<CallListModel> m_calls;
    std::unique_ptr<QSignalSpy> m_finished;
};

void TstEngineController::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    QString error;
    QVERIFY2(DemoData::seed(dbPath(), &error, QDateTime::currentDateTime(), 1), qPrintable(error));

    m_telnyx = std::make_unique<TelnyxSimulator>();
    QVERIFY(m_telnyx->start());
    m_telnyx->setSpeakDurationMs(50);
    m_telnyx->setTransferAnswerDelayMs(50);

    Config config;
    config.databasePath = dbPath();
    config.port = 0;
    config.adminPort = 0;
    config.telnyxApiUrl = m_telnyx->baseUrl().toString();
    config.apiKey = m_telnyx->apiKey();
    config.publicKey = m_telnyx->publicKey();
    config.forwardTo = QStringLiteral("+15125550100");
    config.askTimeoutSecs = 60; // the test decides well before
    config.selfRegistration = true;
    m_host = std::make_unique<EngineHost>(config);
    QVERIFY2(m_host->startAndWait(&error), qPrintable(error));
    m_telnyx->setWebhookUrl(QUrl(m_host->url() + QStringLiteral("/webhooks/telnyx")));

    m_controller = std::make_unique<EngineController>(m_host->engine(), dbPath());
    m_finished =
        std::make_unique<QSignalSpy>(m_controller.get(), &EngineController::actionFinished);
    m_calls = std::make_unique<CallListModel>();
    connect(m_host->engine(), &Engine::callChanged, m_calls.get(), &CallListModel::upsert,
            Qt::QueuedConnection);
}

void TstEngineController::cleanup()
{
    // The engine thread first: nothing may reach the controller once it is gone.
    if (m_controller)
        m_controller->detachEngine();
    if (m_host)
        m_host->stopAndWait();
    m_finished.reset();
    m_controller.reset();
    m_calls.reset();
    m_host.reset();
    m_telnyx.reset();
    m_dir.reset();
}

const CallRecord *TstEngineController::call(const QString &callId) const
{
    for (int i = 0; i < m_calls->rowCount(); ++i) {
        if (m_calls->callAt(i).callId == callId)
            return &m_calls->callAt(i);
    }
    return nullptr;
}

// The call id of the (latest) call from `from` once it is in `state`; empty on timeout.
QString TstEngineController::waitForState(const QString &from, const QString &state)
{
    QString id;
    const bool found = QTest::qWaitFor(
        [&] {
            for (int i = 0; i < m_calls->rowCount(); ++i) {
                const CallRecord &c = m_calls->callAt(i);
                if (c.fromNumber == from) {
                    const bool asking =
                        c.decision == QLatin1String("ask") &&
                        (c.state == QLatin1String("ringing") || c.state == QLatin1String("asking"));
                    if (c.state == state || (state == QLatin1String("asking") && asking))
                        id = c.callId;
                    return !id.isEmpty();
                }
            }
            return false;
        },
        10000);
    return found ? id : QString();
}

QString TstEngineController::placeAskCall(const QString &from)
{
    InboundCallOptions options;
    options.callerIdName = QStringLiteral("BOSTON MA");
    m_telnyx->startInboundCall(from, QString::fromLatin1(DemoData::AskNumber), options);
    const QString id = waitForState(from, QStringLiteral("asking"));
    if (id.isEmpty()) {
        for (int i = 0; i < m_calls->rowCount(); ++i)
            qWarning() << "call" << m_calls->callAt(i).toJson();
    }
    return id;
}

void TstEngineController::acceptAnAskingCall()
{
    const QString from = QStringLiteral("+16175550163");
    const QString callId = placeAskCall(from);
    QVERIFY(!callId.isEmpty());
    QCOMPARE(call(callId)->decision, QStringLiteral("ask"));

    const int id = m_controller->accept(callId);
    QCOMPARE(m_controller->pendingActions(), 1);
    const Finished f = waitFor(*m_finished, id);
    QVERIFY2(f.ok, qPrintable(f.message));
    QCOMPARE(f.action, QStringLiteral("accept"));
    QCOMPARE(m_controller->pendingActions(), 0);
    QTRY_VERIFY_WITH_TIMEOUT(call(callId)->state == QLatin1String("forwarded"), 10000);
    QCOMPARE(call(callId)->reason, QStringLiteral("owner_accepted"));
    bool transferred = false;
    for (const ReceivedRequest &r : m_telnyx->commands())
        transferred = transferred || r.command == QLatin1String("transfer");
    QVERIFY(transferred);
}

void TstEngineController::rejectAnAskingCall()
{
    const QString from = QStringLiteral("+16175550164");
    const QString callId = placeAskCall(from);
    QVERIFY(!callId.isEmpty());
    const Finished f = waitFor(*m_finished, m_controller->reject(callId));
    QVERIFY2(f.ok, qPrintable(f.message));
    QTRY_VERIFY_WITH_TIMEOUT(call(callId)->state == QLatin1String("ended"), 10000);
    QCOMPARE(call(callId)->reason, QStringLiteral("owner_rejected"));
    QCOMPARE(call(callId)->decision, QStringLiteral("rejected"));
}

void TstEngineController::allowAlwaysAddsARuleAndAcceptsTheCall()
{
    const QString from = QStringLiteral("+16175550165");
    const QString callId = placeAskCall(from);
    QVERIFY(!callId.isEmpty());
    QSignalSpy changed(m_controller.get(), &EngineController::screeningChanged);
    const Finished f = waitFor(*m_finished, m_controller->allowAlways(from, callId));
    QVERIFY2(f.ok, qPrintable(f.message));
    QVERIFY2(f.message.contains(QStringLiteral("forwarded")), qPrintable(f.message));
    QCOMPARE(changed.count(), 1);
    QTRY_VERIFY_WITH_TIMEOUT(call(callId)->state == QLatin1String("forwarded"), 10000);

    ReadOnlyDatabase db;
    QVERIFY(db.open(dbPath(), QStringLiteral("check")));
    const auto rule = db.repository().matchRule(Rule::Allow, from, QDateTime::currentDateTimeUtc());
    QVERIFY(rule.has_value());
    QCOMPARE(rule->pattern, from);

    // Again: nothing new, and said so.
    const Finished again =
        waitFor(*m_finished, m_controller->allowAlways(QStringLiteral("(617) 555-0165")));
    QVERIFY(again.ok);
    QVERIFY2(again.message.contains(QStringLiteral("already allowed")), qPrintable(again.message));
    QCOMPARE(changed.count(), 1);

    // The next call from that number is let through without asking.
    m_telnyx->startInboundCall(from, QString::fromLatin1(DemoData::AskNumber));
    QTRY_VERIFY_WITH_TIMEOUT(m_calls->rowCount() > 0 && m_calls->callAt(0).callId != callId &&
                                 m_calls->callAt(0).decision == QLatin1String("allowlisted"),
                             10000);
}

void TstEngineController::decidingACallThatIsNotAskingFails()
{
    const Finished f =
        waitFor(*m_finished, m_controller->accept(QStringLiteral("v3:no-such-call")));
    QVERIFY(!f.ok);
    QVERIFY2(f.message.contains(QStringLiteral("not waiting for a decision")),
             qPrintable(f.message));

    const Finished bad = waitFor(*m_finished, m_controller->block(QStringLiteral("anonymous")));
    QVERIFY(!bad.ok);
    QVERIFY2(bad.message.startsWith(QStringLiteral("cannot block anonymous")),
             qPrintable(bad.message));
}

void TstEngineController::certificatesFromFiles()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const CertificateAuthority root = CertificateAuthority::createRoot(
        QStringLiteral("Bob's CA"), now.addDays(-1), now.addYears(1));
    const Certificate bob = root.issue(QStringLiteral("bob.x"), now.addDays(-1), now.addDays(90));
    auto write = [this](const QString &name, const QByteArray &pem) {
        QFile f(m_dir->filePath(name));
        return f.open(QIODevice::WriteOnly) && f.write(pem) == pem.size() ? f.fileName()
                                                                          : QString();
    };
    const QString rootFile = write(QStringLiteral("root.pem"), root.certificate().toPem());
    const QString bobFile = write(QStringLiteral("bob.pem"), bob.toPem());
    QVERIFY(!rootFile.isEmpty() && !bobFile.isEmpty());
    QSignalSpy changed(m_controller.get(), &EngineController::screeningChanged);

    // Before its root is trusted the certificate is refused, with the reason.
    const Finished early = waitFor(*m_finished, m_controller->addCertificateFile(bobFile));
    QVERIFY(!early.ok);
    QCOMPARE(early.action, QStringLiteral("addCertificate"));
    QVERIFY2(early.message.contains(QStringLiteral("bob.x")), qPrintable(early.message));

    // A file: URL, as the file dialog gives it.
    const Finished trusted =
        waitFor(*m_finished, m_controller->trustRootFile(QUrl::fromLocalFile(rootFile).toString()));
    QVERIFY2(trusted.ok, qPrintable(trusted.message));
    QCOMPARE(trusted.action, QStringLiteral("trustRoot"));
    const Finished added = waitFor(*m_finished, m_controller->addCertificateFile(bobFile));
    QVERIFY2(added.ok, qPrintable(added.message));
    QVERIFY2(added.message.contains(QStringLiteral("bob.x")), qPrintable(added.message));
    QCOMPARE(changed.count(), 2);

    ReadOnlyDatabase db;
    QVERIFY(db.open(dbPath(), QStringLiteral("certs-check")));
    QVERIFY(db.repository().trustStore().isTrustedRoot(root.certificate().fingerprint()));
    QVERIFY(db.repository().checkCertificate(QStringLiteral("bob.x"), QString(), now).valid);

    // A file that is not there never reaches the engine.
    const Finished missing = waitFor(
        *m_finished, m_controller->trustRootFile(m_dir->filePath(QStringLiteral("no.pem"))));
    QVERIFY(!missing.ok);
    QVERIFY(missing.message.contains(QStringLiteral("no file")));
    QCOMPARE(changed.count(), 2);
}

void TstEngineController::rulesRegistryAndPolicies()
{
    QSignalSpy changed(m_controller.get(), &EngineController::screeningChanged);
    const Finished added = waitFor(
        *m_finished, m_controller->addRule(QStringLiteral("block"), QStringLiteral("+1 (888) *"),
                                           QStringLiteral("toll-free spam"), QString(), false));
    QVERIFY2(added.ok, qPrintable(added.message));
    QVERIFY2(added.message.contains(QStringLiteral("+1888*")), qPrintable(added.message));

    const Finished invalid =
        waitFor(*m_finished,
                m_controller->addRule(QStringLiteral("block"), QStringLiteral("12"), QString()));
    QVERIFY(!invalid.ok);
    QVERIFY(!invalid.message.isEmpty());

    ReadOnlyDatabase db;
    QVERIFY(db.open(dbPath(), QStringLiteral("check")));
    qint64 ruleId = 0;
    for (const RuleInfo &r : db.repository().rules()) {
        if (r.rule.pattern == QLatin1String("+1888*"))
            ruleId = r.rule.id;
    }
    QVERIFY(ruleId > 0);
    const Finished removed = waitFor(*m_finished, m_controller->removeRule(ruleId));
    QVERIFY2(removed.ok, qPrintable(removed.message));
    const Finished removedAgain = waitFor(*m_finished, m_controller->removeRule(ruleId));
    QVERIFY(!removedAgain.ok);

    // Registry: a namespace without a certificate is refused; alice.x has one.
    const Finished refused =
        waitFor(*m_finished, m_controller->registerPhone(QStringLiteral("+13125550178"),
                                                         QStringLiteral("bob.x")));
    QVERIFY(!refused.ok);
    QVERIFY2(refused.message.contains(QStringLiteral("bob.x")), qPrintable(refused.message));
    const Finished registered =
        waitFor(*m_finished, m_controller->registerPhone(QStringLiteral("312 555 0178"),
                                                         QStringLiteral("alice.x")));
    QVERIFY2(registered.ok, qPrintable(registered.message));
    QVERIFY(db.repository().registration(QStringLiteral("+13125550178")).has_value());
    const Finished unregistered =
        waitFor(*m_finished, m_controller->unregisterPhone(QStringLiteral("+13125550178")));
    QVERIFY2(unregistered.ok, qPrintable(unregistered.message));
    QVERIFY(!db.repository().registration(QStringLiteral("+13125550178")).has_value());

    const Finished policy =
        waitFor(*m_finished, m_controller->setNumberPolicy(QStringLiteral("+17702300635"),
                                                           QStringLiteral("ask")));
    QVERIFY2(policy.ok, qPrintable(policy.message));
    QCOMPARE(db.repository().number(QStringLiteral("+17702300635"))->policy, QStringLiteral("ask"));
    const Finished badPolicy =
        waitFor(*m_finished, m_controller->setNumberPolicy(QStringLiteral("+17702300635"),
                                                           QStringLiteral("maybe")));
    QVERIFY(!badPolicy.ok);

    QCOMPARE(changed.count(), 5); // added, removed, registered, unregistered, policy
}

void TstEngineController::pauseForwardsEveryCall()
{
    QSignalSpy dryRun(m_controller.get(), &EngineController::dryRunChanged);
    const Finished paused = waitFor(*m_finished, m_controller->setDryRun(true));
    QVERIFY(paused.ok);
    QVERIFY(m_controller->dryRun());
    QCOMPARE(dryRun.count(), 1);

    // A blocked number is still recorded as blocked, but forwarded.
    const QString from = QString::fromLatin1(DemoData::BlockedPhone);
    m_telnyx->startInboundCall(from, QStringLiteral("+17702300635"));
    const QString callId = waitForState(from, QStringLiteral("forwarded"));
    QVERIFY(!callId.isEmpty());
    QCOMPARE(call(callId)->decision, QStringLiteral("blocked"));
    QVERIFY(call(callId)->flags.value(QStringLiteral("dry_run")).toBool());

    QVERIFY(waitFor(*m_finished, m_controller->setDryRun(false)).ok);
    QVERIFY(!m_controller->dryRun());
    m_telnyx->startInboundCall(from, QStringLiteral("+17702300635"));
    QTRY_VERIFY_WITH_TIMEOUT(m_calls->callAt(0).callId != callId &&
                                 m_calls->callAt(0).state == QLatin1String("ended"),
                             10000);
    QVERIFY(!m_calls->callAt(0).flags.value(QStringLiteral("dry_run")).toBool());
}

void TstEngineController::verifyChainReportsProgressAndResult()
{
    QSignalSpy verify(m_controller.get(), &EngineController::verifyChanged);
    QVERIFY(m_controller->verifyChain());
    QVERIFY(m_controller->verifying());
    QVERIFY(!m_controller->verifyChain()); // one at a time
    QTRY_VERIFY_WITH_TIMEOUT(m_controller->verifyDone(), 20000);
    QVERIFY(!m_controller->verifying());
    QVERIFY2(m_controller->verifyOk(), qPrintable(m_controller->verifyMessage()));
    QVERIFY2(m_controller->verifyMessage().startsWith(QStringLiteral("hash chain intact")),
             qPrintable(m_controller->verifyMessage()));
    QCOMPARE(m_controller->verifyProgress(), 1.0);
    QVERIFY(verify.count() >= 2);
}

void TstEngineController::verifyChainFindsATamperedEvent()
{
    const QString path = m_dir->filePath(QStringLiteral("tampered.db"));
    QString error;
    QVERIFY2(DemoData::seed(path, &error, QDateTime::currentDateTime(), 1), qPrintable(error));
    {
        // Someone edits an event behind the app's back (dropping the append-only trigger).
        QSqlDatabase db =
            QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("tamper"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("DROP TRIGGER events_no_update")));
        QVERIFY(q.exec(QStringLiteral("UPDATE events SET actor = 'mallory' WHERE seq = 12")));
        q.finish();
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("tamper"));

    EngineController controller(nullptr, path);
    QVERIFY(controller.verifyChain());
    QTRY_VERIFY_WITH_TIMEOUT(controller.verifyDone(), 20000);
    QVERIFY(!controller.verifyOk());
    QVERIFY2(controller.verifyMessage().contains(QStringLiteral("12")),
             qPrintable(controller.verifyMessage()));
}

void TstEngineController::withoutAnEngineActionsFail()
{
    EngineController controller(nullptr, dbPath());
    QVERIFY(!controller.engineAttached());
    QSignalSpy spy(&controller, &EngineController::actionFinished);
    const int id = controller.accept(QStringLiteral("v3:x"));
    QCOMPARE(spy.count(), 0); // always asynchronous
    const Finished f = waitFor(spy, id);
    QVERIFY(!f.ok);
    QCOMPARE(f.message, QStringLiteral("the engine is not running"));
    QCOMPARE(controller.pendingActions(), 0);

    QSignalSpy health(&controller, &EngineController::healthChanged);
    controller.onTelnyxHealthChanged(true, QStringLiteral("Telnyx answered 500"));
    QVERIFY(controller.telnyxFailing());
    QCOMPARE(controller.healthMessage(), QStringLiteral("Telnyx answered 500"));
    QCOMPARE(health.count(), 1);
}

void TstEngineController::selfRegistrationApprovedFromTheDashboard()
{
    const QString phone = QStringLiteral("+18124040851");
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const auto root = CertificateAuthority::createRoot(QStringLiteral("Registration Root"),
                                                       now.addYears(-1), now.addYears(5));
    const test::IssuedKey alice =
        test::issueEd25519(root, QStringLiteral("alice.x"), now.addDays(-1), now.addYears(1));
    QTemporaryDir files;
    const QString rootFile = files.filePath(QStringLiteral("root.pem"));
    {
        QFile f(rootFile);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(root.certificate().toPem());
    }
    QVERIFY(waitFor(*m_finished, m_controller->trustRootFile(rootFile)).ok);

    // The caller's page, over HTTP on the webhook port.
    QNetworkAccessManager net;
    auto post = [&](const QString &path, const QJsonObject &body) {
        QNetworkRequest r(QUrl(m_host->url() + path));
        r.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        QNetworkReply *reply = net.post(r, QJsonDocument(body).toJson(QJsonDocument::Compact));
        QSignalSpy done(reply, &QNetworkReply::finished);
        done.wait(10000);
        const QJsonObject o = QJsonDocument::fromJson(reply->readAll()).object();
        reply->deleteLater();
        return o;
    };
    const QJsonObject challenge =
        post(QStringLiteral("/register/challenge"), {{"namespace", "alice.x"}, {"phone", phone}});
    QVERIFY(!challenge.value("challenge").toString().isEmpty());
    const QJsonObject submitted =
        post(QStringLiteral("/register/submit"),
             {{"challenge", challenge.value("challenge")},
              {"certificate", QString::fromLatin1(alice.certificate.toPem())},
              {"signature",
               QString::fromLatin1(
                   test::sign(alice.privateKeyPem, challenge.value("message").toString().toUtf8())
                       .toBase64())},
              {"pin", "246810"}});
    const QString code = submitted.value("code").toString();
    QCOMPARE(code.size(), 6);

    PendingRegistrationListModel pending;
    QVERIFY(pending.open(dbPath()));
    QCOMPARE(pending.count(), 1);
    QCOMPARE(pending.value(0, "state").toString(), QStringLiteral("awaiting_call"));
    QCOMPARE(pending.value(0, "canApprove").toBool(), false);
    QVERIFY(pending.value(0, "certificateValid").toBool());

    // The call-in through the fake Telnyx.
    QSignalSpy proven(m_host->engine(), &Engine::registrationProven);
    InboundCallOptions options;
    options.gatherScript = {code};
    m_telnyx->startInboundCall(phone, submitted.value("number").toString(), options);
    QTRY_COMPARE_WITH_TIMEOUT(proven.size(), 1, 10000);
    const QString id = proven.first().at(0).toString();
    pending.refresh();
    QCOMPARE(pending.count(), 1);
    QCOMPARE(pending.value(0, "registrationId").toString(), id);
    QCOMPARE(pending.value(0, "state").toString(), QStringLiteral("awaiting_owner"));
    QVERIFY(pending.value(0, "canApprove").toBool());
    QVERIFY(pending.value(0, "phoneProof").toString().contains(QStringLiteral("keyed in")));

    // One click.
    const Finished approved = waitFor(*m_finished, m_controller->approveRegistration(id));
    QVERIFY2(approved.ok, qPrintable(approved.message));
    QCOMPARE(approved.action, QStringLiteral("approveRegistration"));
    pending.refresh();
    QCOMPARE(pending.count(), 0);
    RegistrationListModel registry;
    QVERIFY(registry.open(dbPath()));
    const int row = registry.rowOfKey(phone);
    QVERIFY(row >= 0);
    QCOMPARE(registry.value(row, "nameSpace").toString(), QStringLiteral("alice.x"));
    // Deciding twice fails with a message.
    QVERIFY(!waitFor(*m_finished, m_controller->denyRegistration(id)).ok);
}

QTEST_MAIN(TstEngineController)
#include "tst_enginecontroller.moc"
