// SPDX-License-Identifier: GPL-3.0-or-later
// "Test connection" (ConnectionTester) against the Telnyx simulator: the number count, the
// Telnyx error without the key, the key from the keychain, "Sync number map" through the engine
// thread; and when the first-run setup card shows (FirstRun).
#include "connectiontester.h"
#include "engine/engine.h"
#include "engine/enginehost.h"
#include "enginecontroller.h"
#include "firstrun.h"
#include "platform/secretstore.h"
#include "settingscontroller.h"
#include "simulator/telnyxsimulator.h"

#include <QFile>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using namespace kt;

namespace {
const QString WrongKey = QStringLiteral("KEYWRONGWRONG_0123456789abcdef");
}

class TstConnectionTest : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();

    void listsTheAccountsNumbers();
    void wrongKeyShowsTelnyxErrorWithoutTheKey();
    void usesTheStoredKey();
    void withoutAKeySaysSo();
    void unreachableApiFails();
    void syncMergesIntoTheNumberMap();
    void syncNeedsASuccessfulTest();

    void firstRunShowsForAFreshDemo();
    void firstRunDismissIsRemembered();

private:
    bool runTest(ConnectionTester &tester, const QString &key);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<TelnyxSimulator> m_telnyx;
    std::unique_ptr<MemorySecretStore> m_store;
};

void TstConnectionTest::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_telnyx = std::make_unique<TelnyxSimulator>();
    QVERIFY(m_telnyx->start());
    m_store = std::make_unique<MemorySecretStore>();
}

void TstConnectionTest::cleanup()
{
    m_telnyx.reset();
    m_store.reset();
    m_dir.reset();
}

bool TstConnectionTest::runTest(ConnectionTester &tester, const QString &key)
{
    QSignalSpy tested(&tester, &ConnectionTester::tested);
    if (!tester.test(key))
        return false;
    if (tester.state() != ConnectionTestState::Testing && tested.isEmpty())
        return false;
    return tested.size() == 1 || tested.wait(10000);
}

void TstConnectionTest::listsTheAccountsNumbers()
{
    ConnectionTester tester(m_telnyx->baseUrl(), QString(), m_store.get(), nullptr);
    QCOMPARE(tester.state(), ConnectionTestState::Idle);
    QSignalSpy tested(&tester, &ConnectionTester::tested);
    QVERIFY(tester.test(m_telnyx->apiKey()));
    QCOMPARE(tester.state(), ConnectionTestState::Testing);
    QCOMPARE(tester.message(), QStringLiteral("Contacting Telnyx…"));
    QVERIFY(!tester.test(m_telnyx->apiKey())); // one at a time
    QVERIFY(tested.wait(10000));
    QCOMPARE(tested.size(), 1);
    QCOMPARE(tested.at(0).at(0).toBool(), true);
    QCOMPARE(tester.state(), ConnectionTestState::Ok);
    QCOMPARE(tester.numberCount(), 26);
    QCOMPARE(tester.records().size(), 26);
    QCOMPARE(tester.message(), QStringLiteral("Connected: 26 numbers on the account"));
    QVERIFY(!tester.canSync()); // no engine
    QVERIFY(!tester.syncAvailable());
    QVERIFY(!tester.syncNumbers());
}

void TstConnectionTest::wrongKeyShowsTelnyxErrorWithoutTheKey()
{
    ConnectionTester tester(m_telnyx->baseUrl(), QString(), m_store.get(), nullptr);
    QVERIFY(runTest(tester, WrongKey));
    QCOMPARE(tester.state(), ConnectionTestState::Failed);
    QCOMPARE(tester.numberCount(), 0);
    QVERIFY2(tester.message().contains(QLatin1String("401")), qPrintable(tester.message()));
    QVERIFY2(tester.message().contains(QLatin1String("Authentication failed"), Qt::CaseInsensitive),
             qPrintable(tester.message()));
    QVERIFY(!tester.message().contains(WrongKey));
    QVERIFY(!tester.message().contains(QLatin1String("WRONGWRONG")));

    // The right key afterwards works: the wrong one is not kept.
    QVERIFY(runTest(tester, m_telnyx->apiKey()));
    QCOMPARE(tester.state(), ConnectionTestState::Ok);
}

void TstConnectionTest::usesTheStoredKey()
{
    m_store->setSecret(QString::fromLatin1(SettingsController::ApiKeySecret), m_telnyx->apiKey());
    ConnectionTester tester(m_telnyx->baseUrl(), QString(), m_store.get(), nullptr);
    QVERIFY(runTest(tester, QString()));
    QCOMPARE(tester.state(), ConnectionTestState::Ok);
    QCOMPARE(tester.numberCount(), 26);

    // The key the app runs with comes before the stored one; a typed key before both.
    ConnectionTester running(m_telnyx->baseUrl(), WrongKey, m_store.get(), nullptr);
    QVERIFY(runTest(running, QString()));
    QCOMPARE(running.state(), ConnectionTestState::Failed);
    QVERIFY(runTest(running, QStringLiteral("  %1 ").arg(m_telnyx->apiKey())));
    QCOMPARE(running.state(), ConnectionTestState::Ok);
}

void TstConnectionTest::withoutAKeySaysSo()
{
    ConnectionTester tester(m_telnyx->baseUrl(), QString(), m_store.get(), nullptr);
    QVERIFY(runTest(tester, QString()));
    QCOMPARE(tester.state(), ConnectionTestState::Failed);
    QVERIFY(tester.message().startsWith(QLatin1String("No API key to test")));

    ConnectionTester noKeychain(m_telnyx->baseUrl(), QString(), nullptr, nullptr);
    QVERIFY(runTest(noKeychain, QString()));
    QCOMPARE(noKeychain.state(), ConnectionTestState::Failed);
    QVERIFY(noKeychain.message().startsWith(QLatin1String("No API key to test")));
}

void TstConnectionTest::unreachableApiFails()
{
    // Nothing listens there once the simulator is gone.
    const QUrl url = m_telnyx->baseUrl();
    m_telnyx.reset();
    ConnectionTester tester(url, QString(), nullptr, nullptr);
    RetryPolicy quick;
    quick.maxAttempts = 1;
    quick.responseTimeoutMs = 2000;
    tester.setRetryPolicy(quick);
    QVERIFY(runTest(tester, WrongKey));
    QCOMPARE(tester.state(), ConnectionTestState::Failed);
    QVERIFY2(tester.message().contains(QLatin1String("no response")), qPrintable(tester.message()));
    QVERIFY(!tester.message().contains(WrongKey));
}

void TstConnectionTest::syncMergesIntoTheNumberMap()
{
    Config config;
    config.databasePath = m_dir->filePath(QStringLiteral("engine.db"));
    config.port = 0;
    config.adminPort = 0;
    config.telnyxApiUrl = m_telnyx->baseUrl().toString();
    config.apiKey = m_telnyx->apiKey();
    config.publicKey = m_telnyx->publicKey();
    EngineHost host(config);
    QString error;
    QVERIFY2(host.startAndWait(&error), qPrintable(error));
    EngineController controller(host.engine(), config.databasePath);
    auto stop = qScopeGuard([&] {
        controller.detachEngine();
        host.stopAndWait();
    });

    // A number the map does not know yet, on the account.
    QList<QJsonObject> records = m_telnyx->phoneNumbers();
    QCOMPARE(records.size(), 26);

    ConnectionTester tester(m_telnyx->baseUrl(), QString(), nullptr, &controller);
    QVERIFY(tester.syncAvailable());
    QVERIFY(runTest(tester, m_telnyx->apiKey()));
    QVERIFY(tester.canSync());
    QSignalSpy synced(&tester, &ConnectionTester::synced);
    QSignalSpy changed(&controller, &EngineController::screeningChanged);
    QVERIFY(tester.syncNumbers());
    QVERIFY(tester.isSyncing());
    QVERIFY(!tester.canSync());
    QVERIFY(!tester.syncNumbers()); // one at a time
    QVERIFY(synced.wait(10000));
    QCOMPARE(synced.at(0).at(0).toBool(), true);
    QVERIFY(tester.syncOk());
    QVERIFY(!tester.isSyncing());
    const QRegularExpression counts(
        QStringLiteral("^Number map synced: (\\d+) added, (\\d+) updated, (\\d+) unchanged$"));
    QRegularExpressionMatch m = counts.match(tester.syncMessage());
    QVERIFY2(m.hasMatch(), qPrintable(tester.syncMessage()));
    QCOMPARE(m.captured(1).toInt() + m.captured(2).toInt() + m.captured(3).toInt(), 26);
    QVERIFY(m.captured(1).toInt() + m.captured(2).toInt() > 0); // the map took something in
    QCOMPARE(changed.size(), 1);

    // Again: nothing new.
    QVERIFY(tester.syncNumbers());
    QVERIFY(synced.wait(10000));
    QCOMPARE(tester.syncMessage(),
             QStringLiteral("Number map synced: 0 added, 0 updated, 26 unchanged"));
}

void TstConnectionTest::syncNeedsASuccessfulTest()
{
    EngineController detached(nullptr, QString());
    ConnectionTester tester(m_telnyx->baseUrl(), QString(), nullptr, &detached);
    QVERIFY(!tester.syncNumbers()); // nothing tested yet
    QVERIFY(runTest(tester, WrongKey));
    QVERIFY(!tester.canSync());
    QVERIFY(!tester.syncNumbers());
    QVERIFY(runTest(tester, m_telnyx->apiKey()));
    QVERIFY(!tester.canSync()); // no engine
}

void TstConnectionTest::firstRunShowsForAFreshDemo()
{
    const QString configFile = m_dir->filePath(QStringLiteral("cfg/kevan-tel.conf"));
    QVERIFY(FirstRun::needed(true, configFile));
    QVERIFY(!FirstRun::needed(false, configFile)); // an account: no demo, no card
    QCOMPARE(FirstRun::flagFile(configFile),
             m_dir->filePath(QStringLiteral("cfg/kevan-tel-ui.ini")));

    // A config file (e.g. saved by the card): no card.
    QVERIFY(QDir().mkpath(m_dir->filePath(QStringLiteral("cfg"))));
    QFile file(configFile);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("namespace=kevan.tel.x\n");
    file.close();
    QVERIFY(!FirstRun::needed(true, configFile));
}

void TstConnectionTest::firstRunDismissIsRemembered()
{
    const QString configFile = m_dir->filePath(QStringLiteral("new/kevan-tel.conf"));
    FirstRun firstRun(FirstRun::needed(true, configFile), configFile);
    QVERIFY(firstRun.isActive());
    QSignalSpy changed(&firstRun, &FirstRun::activeChanged);
    QVERIFY(firstRun.dismiss());
    QVERIFY(!firstRun.isActive());
    QCOMPARE(changed.size(), 1);
    QVERIFY(!FirstRun::needed(true, configFile));
    // Not in the config file, whose keys the engine checks.
    QVERIFY(!QFile::exists(configFile));
    QSettings flag(FirstRun::flagFile(configFile), QSettings::IniFormat);
    QCOMPARE(flag.value(QStringLiteral("ui/first-run-done")).toBool(), true);
}

QTEST_GUILESS_MAIN(TstConnectionTest)
#include "tst_connectiontest.moc"
