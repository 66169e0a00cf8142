// SPDX-License-Identifier: GPL-3.0-or-later
// `kevan-tel golive URL`, the real binary against the Telnyx simulator in this process: the
// application's new webhook URL is printed, and every error is one line (without the API key).
#include "cliprocess.h"
#include "simulator/telnyxsimulator.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

namespace {
using Run = kt::test::CliRun;
} // namespace

class TstGoLiveCli : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();

    void setsTheWebhookUrl();
    void findsTheApplicationAndPrintsJson();
    void applicationIdFromTheConfigFile();
    void setsTheFailoverUrlToo();
    void errorsAreOneLine_data();
    void errorsAreOneLine();

private:
    // Runs kevan-tel while this event loop keeps running (the simulator answers meanwhile).
    Run run(QStringList args, const QString &apiKey, bool withApi = true);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<kt::TelnyxSimulator> m_telnyx;
};

void TstGoLiveCli::init()
{
    QVERIFY2(QFile::exists(QStringLiteral(KEVANTEL_BINARY)), KEVANTEL_BINARY);
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_telnyx = std::make_unique<kt::TelnyxSimulator>();
    QVERIFY(m_telnyx->start());
}

void TstGoLiveCli::cleanup()
{
    m_telnyx.reset();
    m_dir.reset();
}

Run TstGoLiveCli::run(QStringList args, const QString &apiKey, bool withApi)
{
    args << QStringLiteral("--db") << m_dir->filePath(QStringLiteral("kevan-tel.db"));
    if (withApi)
        args << QStringLiteral("--telnyx-api") << m_telnyx->baseUrl().toString();
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("TELNYX_API_KEY"));
    env.remove(QStringLiteral("TELNYX_PUBLIC_KEY"));
    env.remove(QStringLiteral("TELNYX_API_URL"));
    env.insert(QStringLiteral("HOME"), m_dir->path());
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir->filePath(QStringLiteral("config")));
    env.insert(QStringLiteral("XDG_DATA_HOME"), m_dir->filePath(QStringLiteral("data")));
    if (!apiKey.isEmpty())
        env.insert(QStringLiteral("TELNYX_API_KEY"), apiKey);
    return kt::test::runCli(QStringLiteral(KEVANTEL_BINARY), args, env);
}

void TstGoLiveCli::setsTheWebhookUrl()
{
    const Run r =
        run({QStringLiteral("golive"), QStringLiteral("https://abc-def.trycloudflare.com"),
             QStringLiteral("--application-id"), m_telnyx->applicationId(),
             QStringLiteral("--public-key"), QString::fromLatin1(m_telnyx->publicKey().toBase64())},
            m_telnyx->apiKey());
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QString expected = QStringLiteral("https://abc-def.trycloudflare.com/webhooks/telnyx");
    QCOMPARE(QString::fromUtf8(r.out).trimmed(),
             QStringLiteral("kevan-tel (%1) now sends webhooks to %2")
                 .arg(m_telnyx->applicationId(), expected));
    QCOMPARE(r.err, QByteArray()); // the public key is set: no note
    QCOMPARE(m_telnyx->webhookUrl().toString(), expected);
    QCOMPARE(m_telnyx->application()->record().value(QStringLiteral("webhook_api_version")),
             QJsonValue(QStringLiteral("2")));
    QStringList methods;
    for (const auto &req : m_telnyx->requests())
        methods << QString::fromLatin1(req.method);
    QCOMPARE(methods, (QStringList{QStringLiteral("GET"), QStringLiteral("PATCH")}));
}

void TstGoLiveCli::findsTheApplicationAndPrintsJson()
{
    const Run r = run({QStringLiteral("golive"), QStringLiteral("https://example.com/kt/"),
                       QStringLiteral("--json")},
                      m_telnyx->apiKey());
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonArray rows = QJsonDocument::fromJson(r.out).array();
    QCOMPARE(rows.size(), 1);
    const QJsonObject row = rows.at(0).toObject();
    QCOMPARE(row.value(QStringLiteral("application_id")).toString(), m_telnyx->applicationId());
    QCOMPARE(row.value(QStringLiteral("application_name")).toString(), QStringLiteral("kevan-tel"));
    QCOMPARE(row.value(QStringLiteral("webhook_event_url")).toString(),
             QStringLiteral("https://example.com/kt/webhooks/telnyx"));
    QCOMPARE(row.value(QStringLiteral("webhook_api_version")).toString(), QStringLiteral("2"));
    // No public key configured: a note on stderr, still a success.
    QVERIFY2(r.err.contains("TELNYX_PUBLIC_KEY"), r.err.constData());
    QCOMPARE(r.errLines().size(), 1);
}

void TstGoLiveCli::applicationIdFromTheConfigFile()
{
    const QString configFile = m_dir->filePath(QStringLiteral("kevan-tel.conf"));
    QFile f(configFile);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("[General]\napplication-id=4242\nquiet-warning-minutes=60\n");
    f.close();
    const Run r = run({QStringLiteral("golive"), QStringLiteral("https://example.com"),
                       QStringLiteral("--config"), configFile},
                      m_telnyx->apiKey());
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("cannot read application 4242: 404 10005 Resource not found"),
             r.err.constData());
    QVERIFY(m_telnyx->webhookUrl().isEmpty());
}

void TstGoLiveCli::setsTheFailoverUrlToo()
{
    // From the command line...
    Run r =
        run({QStringLiteral("golive"), QStringLiteral("https://calls-1.example.com"),
             QStringLiteral("--failover-url"), QStringLiteral("https://calls-2.example.com/"),
             QStringLiteral("--public-key"), QString::fromLatin1(m_telnyx->publicKey().toBase64())},
            m_telnyx->apiKey());
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QString primary = QStringLiteral("https://calls-1.example.com/webhooks/telnyx");
    const QString failover = QStringLiteral("https://calls-2.example.com/webhooks/telnyx");
    const QStringList lines = QString::fromUtf8(r.out).trimmed().split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 2);
    QVERIFY2(lines.at(0).endsWith(QLatin1String("now sends webhooks to ") + primary),
             qPrintable(lines.at(0)));
    QCOMPARE(lines.at(1), QStringLiteral("and, when that fails, to ") + failover);
    QCOMPARE(m_telnyx->webhookUrl().toString(), primary);
    QCOMPARE(m_telnyx->failoverUrl().toString(), failover);
    QCOMPARE(m_telnyx->requests().last().json.value(QStringLiteral("webhook_event_failover_url")),
             QJsonValue(failover));

    // ... and from the config file, in the JSON answer.
    m_telnyx->setFailoverUrl(QUrl());
    const QString configFile = m_dir->filePath(QStringLiteral("kevan-tel.conf"));
    QFile f(configFile);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("[General]\nfailover-url=https://calls-3.example.com\n");
    f.close();
    r = run({QStringLiteral("golive"), QStringLiteral("https://calls-1.example.com"),
             QStringLiteral("--config"), configFile, QStringLiteral("--json")},
            m_telnyx->apiKey());
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonObject row = QJsonDocument::fromJson(r.out).array().at(0).toObject();
    QCOMPARE(row.value(QStringLiteral("webhook_event_url")).toString(), primary);
    QCOMPARE(row.value(QStringLiteral("webhook_event_failover_url")).toString(),
             QStringLiteral("https://calls-3.example.com/webhooks/telnyx"));
    QCOMPARE(m_telnyx->failoverUrl().host(), QStringLiteral("calls-3.example.com"));
}

void TstGoLiveCli::errorsAreOneLine_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("apiKey");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("message");
    const QString key = QString::fromLatin1(kt::TelnyxSimulator::DefaultApiKey);
    QTest::newRow("no URL") << QStringList{QStringLiteral("golive")} << key << 2
                            << QStringLiteral("usage: kevan-tel golive URL");
    QTest::newRow("two URLs") << QStringList{QStringLiteral("golive"), QStringLiteral("https://a"),
                                             QStringLiteral("https://b")}
                              << key << 2 << QStringLiteral("usage: kevan-tel golive URL");
    QTest::newRow("http") << QStringList{QStringLiteral("golive"),
                                         QStringLiteral("http://example.com")}
                          << key << 2
                          << QStringLiteral("invalid public URL \"http://example.com\"");
    QTest::newRow("http failover")
        << QStringList{QStringLiteral("golive"), QStringLiteral("https://example.com"),
                       QStringLiteral("--failover-url"), QStringLiteral("http://example.net")}
        << key << 2 << QStringLiteral("https://");
    QTest::newRow("failover is the webhook URL")
        << QStringList{QStringLiteral("golive"), QStringLiteral("https://example.com"),
                       QStringLiteral("--failover-url"), QStringLiteral("https://example.com/")}
        << key << 2 << QStringLiteral("invalid failover URL: it is the webhook URL");
    QTest::newRow("no key") << QStringList{QStringLiteral("golive"),
                                           QStringLiteral("https://example.com")}
                            << QString() << 1 << QStringLiteral("TELNYX_API_KEY");
    QTest::newRow("wrong key") << QStringList{QStringLiteral("golive"),
                                              QStringLiteral("https://example.com")}
                               << QStringLiteral("KEYwrong_0123456789secret") << 1
                               << QStringLiteral("401 10009 Authentication failed");
    QTest::newRow("unknown application")
        << QStringList{QStringLiteral("golive"), QStringLiteral("https://example.com"),
                       QStringLiteral("--application-id"), QStringLiteral("999")}
        << key << 1 << QStringLiteral("cannot read application 999: 404 10005 Resource not found");
}

void TstGoLiveCli::errorsAreOneLine()
{
    QFETCH(QStringList, args);
    QFETCH(QString, apiKey);
    QFETCH(int, exitCode);
    QFETCH(QString, message);
    const Run r = run(args, apiKey);
    QVERIFY2(r.exitCode == exitCode, r.err.constData());
    QCOMPARE(r.errLines().size(), 1);
    QVERIFY2(r.err.startsWith("kevan-tel: "), r.err.constData());
    QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
    QVERIFY(r.out.isEmpty());
    if (!apiKey.isEmpty())
        QVERIFY(!r.err.contains(apiKey.toUtf8()));
    QVERIFY(m_telnyx->webhookUrl().isEmpty());
}

QTEST_GUILESS_MAIN(TstGoLiveCli)
#include "tst_golivecli.moc"
