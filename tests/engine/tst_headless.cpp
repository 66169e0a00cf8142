// SPDX-License-Identifier: GPL-3.0-or-later
// The real `kevan-tel --headless` binary on a temporary database and a free port, driven by the
// Telnyx simulator (the fake Telnyx API) over loopback.
#include "headlessfixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

class TstHeadless : public QObject, public kt::test::HeadlessFixture
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void servesScreensAndRecords();
    void badConfigurationExitsWithOneLine_data();
    void badConfigurationExitsWithOneLine();
    void helpNamesTheExecutable();
    void portInUseExitsWithOneLine_data();
    void portInUseExitsWithOneLine();

private:
    // On the webhook port, or on the admin port.
    QByteArray get(const QString &path, int *status, bool admin = false);
    QStringList commandNames() const;

    QNetworkAccessManager m_nam;
};

void TstHeadless::init()
{
    QVERIFY(setUp(QStringLiteral(KEVANTEL_BINARY)));
}

void TstHeadless::cleanup()
{
    tearDown();
}

QByteArray TstHeadless::get(const QString &path, int *status, bool admin)
{
    QNetworkReply *reply = m_nam.get(QNetworkRequest(QUrl((admin ? m_adminUrl : m_url) + path)));
    QSignalSpy done(reply, &QNetworkReply::finished);
    done.wait(10000);
    *status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray body = reply->readAll();
    reply->deleteLater();
    return body;
}

QStringList TstHeadless::commandNames() const
{
    QStringList names;
    for (const auto &c : m_telnyx->commands())
        names.append(c.command);
    return names;
}

void TstHeadless::servesScreensAndRecords()
{
    QVERIFY(startServer());

    int status = 0;
    // The webhook port (what the tunnel exposes) says "ok" and nothing more; the admin port has
    // the detail, and /metrics.
    QCOMPARE(get(QStringLiteral("/health"), &status), QByteArray(R"({"status":"ok"})"));
    QCOMPARE(status, 200);
    const QJsonObject health =
        QJsonDocument::fromJson(get(QStringLiteral("/health"), &status, true)).object();
    QCOMPARE(status, 200);
    QCOMPARE(health.value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
    QVERIFY(health.contains(QStringLiteral("active_calls")));
    get(QStringLiteral("/metrics"), &status);
    QCOMPARE(status, 404);

    // An unknown caller: the seed's rejection sequence, answer -> speak -> hangup.
    const QString ccid =
        m_telnyx->startInboundCall(QStringLiteral("+14045550186"), QStringLiteral("+17702300635"));
    QVERIFY(!ccid.isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(
        commandNames(),
        (QStringList{QStringLiteral("answer"), QStringLiteral("speak"), QStringLiteral("hangup")}),
        20000);
    QTRY_COMPARE_WITH_TIMEOUT(m_telnyx->callState(ccid), QStringLiteral("hangup"), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(m_telnyx->deliveriesIdle(), 10000);
    for (const auto &d : m_telnyx->deliveries())
        QCOMPARE(d.status, 200);
    const auto speak = m_telnyx->commands().at(1);
    QVERIFY(speak.body.contains("only accepts calls from verified namespace holders"));

    // A forged webhook is refused and changes nothing.
    QNetworkRequest forged(QUrl(m_url + QStringLiteral("/webhooks/telnyx")));
    forged.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
    forged.setRawHeader("telnyx-timestamp", QByteArray::number(QDateTime::currentSecsSinceEpoch()));
    forged.setRawHeader("telnyx-signature-ed25519", QByteArray(64, 'A').toBase64());
    QNetworkReply *reply = m_nam.post(
        forged,
        QByteArray(R"({"data":{"event_type":"call.initiated","id":"forged-1","payload":{}}})"));
    QSignalSpy done(reply, &QNetworkReply::finished);
    QVERIFY(done.wait(10000));
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 401);
    reply->deleteLater();

    const QByteArray metrics = get(QStringLiteral("/metrics"), &status, true);
    QCOMPARE(status, 200);
    QVERIFY(metrics.contains("kevantel_calls_total{decision=\"rejected\"} 1"));

    // The CLI reads the same database while the server runs; the call is recorded as ended.
    const QString db = m_dir->filePath(QStringLiteral("events.db"));
    int code = -1;
    auto callState = [&] {
        const QJsonArray calls =
            QJsonDocument::fromJson(
                run({QStringLiteral("calls"), QStringLiteral("--json"), QStringLiteral("--db"), db},
                    &code))
                .array();
        return calls.isEmpty() ? QString()
                               : calls.first().toObject().value(QStringLiteral("state")).toString();
    };
    QTRY_COMPARE_WITH_TIMEOUT(callState(), QStringLiteral("ended"), 10000);

    // SIGTERM stops it cleanly.
    const QByteArray stopped = kt::test::terminateServer(*m_server, 15000);
    QVERIFY2(stopped.isEmpty(), stopped.constData());

    const QJsonArray events =
        QJsonDocument::fromJson(
            run({QStringLiteral("events"), QStringLiteral("--json"), QStringLiteral("--limit"),
                 QStringLiteral("1000"), QStringLiteral("--db"), db},
                &code))
            .array();
    QCOMPARE(code, 0);
    QStringList types;
    for (const QJsonValue &v : events)
        types.prepend(v.toObject().value(QStringLiteral("type")).toString());
    for (const char *expected :
         {"call.initiated", "tel.call_inbound", "tel.call_rejected", "tel.command_sent",
          "call.answered", "call.speak.ended", "call.hangup", "tel.call_ended"})
        QVERIFY2(types.contains(QLatin1String(expected)), expected);
    QVERIFY(!types.contains(QStringLiteral("forged-1")));
    for (const QJsonValue &v : events)
        QVERIFY(v.toObject().value(QStringLiteral("telnyx_id")).toString() !=
                QLatin1String("forged-1"));

    const QJsonArray calls =
        QJsonDocument::fromJson(
            run({QStringLiteral("calls"), QStringLiteral("--json"), QStringLiteral("--db"), db},
                &code))
            .array();
    QCOMPARE(code, 0);
    QCOMPARE(calls.size(), 1);
    const QJsonObject call = calls.first().toObject();
    QCOMPARE(call.value(QStringLiteral("decision")).toString(), QStringLiteral("rejected"));
    QCOMPARE(call.value(QStringLiteral("reason")).toString(), QStringLiteral("unregistered"));
    QCOMPARE(call.value(QStringLiteral("from_number")).toString(), QStringLiteral("+14045550186"));
    QCOMPARE(call.value(QStringLiteral("state")).toString(), QStringLiteral("ended"));

    run({QStringLiteral("events"), QStringLiteral("verify"), QStringLiteral("--db"), db}, &code);
    QCOMPARE(code, 0);
}

void TstHeadless::badConfigurationExitsWithOneLine_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    QTest::newRow("unknown option")
        << QStringList{QStringLiteral("--headless"), QStringLiteral("--frobnicate")}
        << "frobnicate";
    QTest::newRow("bad port") << QStringList{QStringLiteral("--headless"), QStringLiteral("--port"),
                                             QStringLiteral("70000")}
                              << "port";
    QTest::newRow("bad admin port")
        << QStringList{QStringLiteral("--headless"), QStringLiteral("--admin-port"),
                       QStringLiteral("-1")}
        << "admin-port";
    QTest::newRow("bad listen") << QStringList{QStringLiteral("--headless"),
                                               QStringLiteral("--listen"),
                                               QStringLiteral("nowhere")}
                                << "listen";
    QTest::newRow("unreadable db")
        << QStringList{QStringLiteral("--headless"), QStringLiteral("--db"),
                       QStringLiteral("/proc/kevan-tel/x.db")}
        << "database";
    QTest::newRow("postgresql db")
        << QStringList{QStringLiteral("--headless"), QStringLiteral("--db"),
                       QStringLiteral("postgresql://kevan:s3cret@db.example/tel")}
        << "--db postgresql://db.example...: a password does not belong in the URL; set "
           "PGPASSWORD or put it in ~/.pgpass";
    QTest::newRow("file uri db") << QStringList{QStringLiteral("--headless"),
                                                QStringLiteral("--db"),
                                                QStringLiteral("file:events.db?mode=rwc")}
                                 << "give a SQLite file path";
    // The API key would travel in clear.
    QTest::newRow("plain http api")
        << QStringList{QStringLiteral("--headless"), QStringLiteral("--telnyx-api"),
                       QStringLiteral("http://api.telnyx.com/v2")}
        << "plain http is allowed only to loopback";
    QTest::newRow("plain http api in the environment")
        << QStringList{QStringLiteral("--headless"), QStringLiteral("env:TELNYX_API_URL"),
                       QStringLiteral("http://10.0.0.1:8080/v2")}
        << "telnyx-api";
    QTest::newRow("unknown command")
        << QStringList{QStringLiteral("frobnicate")} << "unknown command";
}

void TstHeadless::badConfigurationExitsWithOneLine()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    // "env:NAME VALUE" in a row: an environment variable instead of arguments.
    QByteArray variable;
    const int at = int(args.indexOf(QRegularExpression(QStringLiteral("env:.*"))));
    if (at >= 0) {
        variable = args.at(at).mid(4).toUtf8();
        qputenv(variable.constData(), args.at(at + 1).toUtf8());
        args.remove(at, 2);
    }
    const auto unset = qScopeGuard([&variable] {
        if (!variable.isEmpty())
            qunsetenv(variable.constData());
    });
    int code = 0;
    QByteArray err;
    // A free port unless the row is about the port, so that nothing else can make it fail.
    QStringList all = args;
    if (!args.contains(QStringLiteral("--port")))
        all += QStringList{QStringLiteral("--port"), QStringLiteral("0")};
    if (!args.contains(QStringLiteral("--admin-port")))
        all += QStringList{QStringLiteral("--admin-port"), QStringLiteral("0")};
    run(all, &code, &err);
    QVERIFY2(code != 0, err.constData());
    const QList<QByteArray> lines = err.trimmed().split('\n');
    QCOMPARE(lines.size(), 1);
    QVERIFY2(err.contains(message.toUtf8()), err.constData());
    QVERIFY2(!err.contains("s3cret"), err.constData());
}

void TstHeadless::helpNamesTheExecutable()
{
    int code = -1;
    const QByteArray out = run({QStringLiteral("--help")}, &code);
    QCOMPARE(code, 0);
    const QByteArray first = out.left(out.indexOf('\n'));
    QVERIFY2(first.startsWith("Usage: kevan-tel [options]"), first.constData());
}

void TstHeadless::portInUseExitsWithOneLine_data()
{
    QTest::addColumn<QString>("option");
    QTest::addColumn<QString>("other");
    QTest::newRow("webhook port") << QStringLiteral("--port") << QStringLiteral("--admin-port");
    QTest::newRow("admin port") << QStringLiteral("--admin-port") << QStringLiteral("--port");
}

void TstHeadless::portInUseExitsWithOneLine()
{
    QFETCH(QString, option);
    QFETCH(QString, other);
    QTcpServer taken;
    QVERIFY(taken.listen(QHostAddress::LocalHost, 0));
    int code = 0;
    QByteArray err;
    const QByteArray out = run(
        {QStringLiteral("--headless"), option, QString::number(taken.serverPort()), other,
         QStringLiteral("0"), QStringLiteral("--db"), m_dir->filePath(QStringLiteral("inuse.db"))},
        &code, &err);
    QVERIFY2(code != 0, out.constData());
    const QList<QByteArray> lines = err.trimmed().split('\n');
    QCOMPARE(lines.size(), 1);
    QVERIFY2(err.contains(
                 QStringLiteral("127.0.0.1:%1: address in use").arg(taken.serverPort()).toUtf8()),
             err.constData());
}

QTEST_GUILESS_MAIN(TstHeadless)
#include "tst_headless.moc"
