// SPDX-License-Identifier: GPL-3.0-or-later
// The Telnyx API key never leaves the process except in the Authorization header to Telnyx: not
// in stdout or stderr (with every debug log on), not in the database files, not in the event
// log, /health or /metrics, whatever fails (401, 500, timeouts, a wrong key). And the webhook
// server listens on loopback unless told otherwise, and says so loudly when it is.
#include "kevantelprocess.h"
#include "rawhttpclient.h"
#include "simulator/telnyxsimulator.h"

#include <QDir>
#include <QFile>
#include <QNetworkInterface>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QUuid>
#include <QtTest>

using namespace kt;

class TstSecrets : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void apiKeyNeverLeaks();
    void apiKeyFlagIsRefusedWithoutEcho_data();
    void apiKeyFlagIsRefusedWithoutEcho();
    void defaultListenIsLoopbackOnly();
    void wildcardListenWarnsLoudly_data();
    void wildcardListenWarnsLoudly();

private:
    QString db() const { return m_dir->filePath(QStringLiteral("events.db")); }
    // Where in `bytes` the key (or its distinctive tail, or its base64) appears; empty if nowhere.
    QString leak(const QByteArray &bytes) const;

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<TelnyxSimulator> m_telnyx;
    std::unique_ptr<KevanTelProcess> m_app;
    QString m_key;
};

void TstSecrets::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    // A marker that appears nowhere by chance.
    m_key = QStringLiteral("KEYSECRET_") + QUuid::createUuid().toString(QUuid::Id128) +
            QStringLiteral("_MARKER");
    m_telnyx = std::make_unique<TelnyxSimulator>();
    QVERIFY(m_telnyx->start());
    m_telnyx->setApiKey(m_key);
    m_telnyx->setSpeakDurationMs(30);
    m_telnyx->setLogLimit(0);
    m_app = std::make_unique<KevanTelProcess>();
    m_app->setHome(m_dir->path());
    m_app->setEnv(QStringLiteral("TELNYX_API_KEY"), m_key);
}

void TstSecrets::cleanup()
{
    m_app.reset();
    m_telnyx.reset();
    m_dir.reset();
}

QString TstSecrets::leak(const QByteArray &bytes) const
{
    const QByteArray key = m_key.toUtf8();
    const QByteArray core = key.mid(10, 32); // the random part alone
    for (const QByteArray &needle : {key, core, core.left(16), core.right(16), key.toBase64(),
                                     QByteArray("Bearer " + key).toBase64(), key.toHex(),
                                     QString(m_key).toUtf8().toPercentEncoding()}) {
        const qsizetype at = bytes.indexOf(needle);
        if (at >= 0)
            return QStringLiteral("\"%1\" at byte %2: …%3…")
                .arg(QString::fromUtf8(needle))
                .arg(at)
                .arg(QString::fromUtf8(bytes.mid(qMax<qsizetype>(0, at - 60), 120)));
    }
    // UTF-16 (a QString dumped raw).
    const QByteArray utf16(reinterpret_cast<const char *>(m_key.utf16()), m_key.size() * 2);
    if (bytes.contains(utf16))
        return QStringLiteral("the key as UTF-16");
    return {};
}

void TstSecrets::apiKeyNeverLeaks()
{
    // Every log category on, debug included.
    m_app->setEnv(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("*.debug=true"));
    QVERIFY2(m_app->serve(db(), *m_telnyx), qPrintable(m_app->failure()));
    m_telnyx->setWebhookUrl(QUrl(m_app->url() + QStringLiteral("/webhooks/telnyx")));
    auto call = [this](const QString &from) {
        return m_telnyx->startInboundCall(from, QStringLiteral("+17702300635"));
    };
    auto ended = [this](const QString &ccid) {
        return m_telnyx->callState(ccid) == QLatin1String("hangup");
    };

    // 1. Works: the key is used (and the simulator checks it).
    const QString ok = call(QStringLiteral("+14045550101"));
    QTRY_VERIFY_WITH_TIMEOUT(ended(ok), 20000);
    QVERIFY(m_telnyx->commands().first().header("Authorization") == "Bearer " + m_key.toUtf8());

    // 2. Telnyx fails: 401s, 500s, a 429, no answer at all; retried, then fine.
    m_telnyx->failNext(1, 401);
    m_telnyx->failNext(2, 500);
    m_telnyx->rateLimitNext(1, 1);
    m_telnyx->timeoutNext(1);
    const QString flaky = call(QStringLiteral("+14045550102"));
    QTRY_VERIFY_WITH_TIMEOUT(ended(flaky), 30000);

    // 3. The account's key is wrong (revoked): every command is refused 401 until it gives up.
    m_telnyx->setApiKey(QStringLiteral("KEYSOMETHINGELSE"));
    const QString refused = call(QStringLiteral("+14045550103"));
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            int n = 0;
            for (const ReceivedRequest &r : m_telnyx->requests())
                n += r.callControlId == refused && r.status == 401;
            return n >= 1;
        }(),
        20000);
    QTRY_VERIFY_WITH_TIMEOUT(m_app->metric("kevantel_telnyx_failing") == 1.0, 20000);
    QTest::qWait(1000); // let the failures be logged
    m_telnyx->setApiKey(m_key);

    // 4. `numbers sync` with a wrong key: refused by Telnyx, and its error is printed.
    m_telnyx->setApiKey(QStringLiteral("KEYSOMETHINGELSE"));
    KevanTelProcess admin;
    admin.setHome(m_dir->path());
    admin.setEnv(QStringLiteral("TELNYX_API_KEY"), m_key);
    const CliResult sync = admin.cli(
        {QStringLiteral("numbers"), QStringLiteral("sync"), QStringLiteral("--telnyx-api"),
         m_telnyx->baseUrl().toString(), QStringLiteral("--db"), db()});
    QVERIFY2(sync.exitCode != 0, sync.out.constData());
    QVERIFY2(leak(sync.out + sync.err).isEmpty(), qPrintable(leak(sync.out + sync.err)));
    m_telnyx->setApiKey(m_key);

    // Everything the app shows or keeps.
    const auto health = m_app->getAdmin("/health");
    const auto bareHealth = m_app->get("/health");
    const auto metrics = m_app->getAdmin("/metrics");
    QCOMPARE(health.status, 200);
    QCOMPARE(bareHealth.status, 200);
    QCOMPARE(metrics.status, 200);
    QVERIFY2(leak(health.body).isEmpty(), qPrintable(leak(health.body)));
    QVERIFY2(leak(bareHealth.body).isEmpty(), qPrintable(leak(bareHealth.body)));
    QVERIFY2(leak(metrics.body).isEmpty(), qPrintable(leak(metrics.body)));
    for (const QStringList &args :
         {QStringList{QStringLiteral("events"), QStringLiteral("--json"), QStringLiteral("--limit"),
                      QStringLiteral("100000")},
          QStringList{QStringLiteral("events"), QStringLiteral("--limit"),
                      QStringLiteral("100000")},
          QStringList{QStringLiteral("calls"), QStringLiteral("--json")},
          QStringList{QStringLiteral("numbers"), QStringLiteral("list"),
                      QStringLiteral("--json")}}) {
        const CliResult r = m_app->cli(args + QStringList{QStringLiteral("--db"), db()});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(
            leak(r.out + r.err).isEmpty(),
            qPrintable(args.join(QLatin1Char(' ')) + QStringLiteral(": ") + leak(r.out + r.err)));
    }
    // The event log holds the failures (so that the test looked in the right place).
    const QJsonArray events = m_app->events(db());
    int failed = 0;
    for (const QJsonValue &v : events)
        failed += v.toObject().value(QStringLiteral("type")).toString() ==
                  QLatin1String("tel.command_failed");
    QVERIFY(failed >= 1);

    QVERIFY2(m_app->terminate(), m_app->stderrText().constData());
    const QByteArray output = m_app->stdoutText() + m_app->stderrText();
    qInfo("%lld bytes of output checked", qint64(output.size()));
    QVERIFY(output.contains("401"));                            // the failures were logged...
    QVERIFY2(leak(output).isEmpty(), qPrintable(leak(output))); // ...without the key

    // The database files, byte for byte (the WAL too, before and after a checkpoint).
    const QStringList files = QDir(m_dir->path()).entryList(QDir::Files | QDir::Hidden);
    QVERIFY(files.contains(QStringLiteral("events.db")));
    for (const QString &name : files) {
        QFile f(m_dir->filePath(name));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString where = leak(f.readAll());
        QVERIFY2(where.isEmpty(), qPrintable(name + QStringLiteral(": ") + where));
    }
}

void TstSecrets::apiKeyFlagIsRefusedWithoutEcho_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::newRow("--api-key KEY")
        << QStringList{QStringLiteral("--api-key"), QStringLiteral("%KEY%")};
    QTest::newRow("--api-key=KEY") << QStringList{QStringLiteral("--api-key=%KEY%")};
    QTest::newRow("--telnyx-api-key KEY")
        << QStringList{QStringLiteral("--telnyx-api-key"), QStringLiteral("%KEY%")};
}

void TstSecrets::apiKeyFlagIsRefusedWithoutEcho()
{
    // The key is never taken on the command line (other users see it in ps), and the refusal
    // does not print it back.
    QFETCH(QStringList, args);
    args.replaceInStrings(QStringLiteral("%KEY%"), m_key);
    const CliResult r = m_app->runToExit(
        QStringList{QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--db"), db()} +
        args);
    QVERIFY2(r.exitCode > 0, r.out.constData());
    QCOMPARE(r.err.trimmed().split('\n').size(), 1);
    qInfo("%s", r.err.trimmed().constData());
    QVERIFY2(leak(r.out + r.err).isEmpty(), qPrintable(leak(r.out + r.err)));
}

void TstSecrets::defaultListenIsLoopbackOnly()
{
    QVERIFY2(m_app->serve(db(), *m_telnyx), qPrintable(m_app->failure()));
    QVERIFY2(m_app->url().startsWith(QLatin1String("http://127.0.0.1:")), qPrintable(m_app->url()));
    QVERIFY2(!m_app->stderrText().contains("WARNING"), m_app->stderrText().constData());
    QCOMPARE(m_app->get("/health").status, 200);
    // Not reachable on this machine's other addresses.
    int tried = 0;
    for (const QHostAddress &a : QNetworkInterface::allAddresses()) {
        if (a.isLoopback() || a.protocol() != QAbstractSocket::IPv4Protocol)
            continue;
        QTcpSocket s;
        s.connectToHost(a, m_app->port());
        QVERIFY2(!s.waitForConnected(3000), qPrintable(a.toString()));
        ++tried;
    }
    if (tried == 0)
        qInfo("no non-loopback IPv4 address to try");
}

void TstSecrets::wildcardListenWarnsLoudly_data()
{
    QTest::addColumn<QString>("address");
    QTest::newRow("0.0.0.0") << QStringLiteral("0.0.0.0");
    QTest::newRow("::") << QStringLiteral("::");
}

void TstSecrets::wildcardListenWarnsLoudly()
{
    QFETCH(QString, address);
    if (!m_app->serve(db(), *m_telnyx, {QStringLiteral("--listen"), address})) {
        if (address.contains(QLatin1Char(':')) && m_app->failure().contains("address"))
            QSKIP("no IPv6 on this machine");
        QFAIL(qPrintable(m_app->failure()));
    }
    QVERIFY2(m_app->url().contains(address), qPrintable(m_app->url()));
    // It has printed its warning by the time it says it listens.
    const QByteArray err = m_app->stderrText();
    QVERIFY2(err.contains("WARNING"), err.constData());
    QVERIFY2(err.contains(address.toUtf8()), err.constData());
    QVERIFY2(err.contains("other machines"), err.constData());
    // It serves (on the wildcard's loopback).
    QTcpSocket s;
    s.connectToHost(address.contains(QLatin1Char(':')) ? QHostAddress(QHostAddress::LocalHostIPv6)
                                                       : QHostAddress(QHostAddress::LocalHost),
                    m_app->port());
    QVERIFY(s.waitForConnected(5000));
    s.write("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    QVERIFY(QTest::qWaitFor([&] { return s.state() == QAbstractSocket::UnconnectedState; }, 10000));
    QVERIFY2(s.readAll().startsWith("HTTP/1.1 200"), "no 200 from /health");

    // The detail stays on the admin port, which listens on 127.0.0.1 only, whatever --listen.
    QVERIFY2(m_app->stdoutText().contains(
                 QStringLiteral("admin on http://127.0.0.1:%1\n").arg(m_app->adminPort()).toUtf8()),
             m_app->stdoutText().constData());
    QTcpSocket webhookPort;
    webhookPort.connectToHost(address.contains(QLatin1Char(':'))
                                  ? QHostAddress(QHostAddress::LocalHostIPv6)
                                  : QHostAddress(QHostAddress::LocalHost),
                              m_app->port());
    QVERIFY(webhookPort.waitForConnected(5000));
    webhookPort.write("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    QVERIFY(QTest::qWaitFor(
        [&] { return webhookPort.state() == QAbstractSocket::UnconnectedState; }, 10000));
    QVERIFY2(webhookPort.readAll().startsWith("HTTP/1.1 404"), "/metrics on the webhook port");
    QCOMPARE(m_app->getAdmin("/metrics").status, 200);
    int tried = 0;
    for (const QHostAddress &a : QNetworkInterface::allAddresses()) {
        if (a.isLoopback())
            continue;
        QTcpSocket other;
        other.connectToHost(a, m_app->adminPort());
        QVERIFY2(!other.waitForConnected(3000), qPrintable(a.toString()));
        ++tried;
    }
    if (address.contains(QLatin1Char(':'))) {
        QTcpSocket v6;
        v6.connectToHost(QHostAddress(QHostAddress::LocalHostIPv6), m_app->adminPort());
        QVERIFY(!v6.waitForConnected(3000));
    }
    if (tried == 0)
        qInfo("no non-loopback address to try the admin port on");
}

QTEST_GUILESS_MAIN(TstSecrets)
#include "tst_secrets.moc"
