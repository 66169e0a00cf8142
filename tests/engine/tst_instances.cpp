// SPDX-License-Identifier: GPL-3.0-or-later
// Two real `kevan-tel --headless` processes on one PostgreSQL database, driven by the Telnyx
// simulator over loopback, each webhook delivered to both (the same data.id to each, the order
// alternating so the steps of one call are split between them); then one of them SIGKILLed in
// the middle of a load. Nothing acknowledged is lost, no command is acted on twice at the fake
// Telnyx, the other instance takes over what the dead one had in flight, the chain is intact.
// Skips without KEVANTEL_TEST_PG_URL.
#include "headlessfixture.h"
#include "pgtestdatabase.h"
#include "store/eventstore.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPointer>
#include <QProcess>
#include <QSet>
#include <QTcpServer>
#include <QTcpSocket>
#include <QtTest>

#include <csignal>

namespace {

// Receives the simulator's webhooks and delivers each, one after the other, to every target
// (the first of them alternating per webhook, or the one set with setFirst()); answers the
// simulator 200 when any target answered 200, else 503 (the simulator delivers it again).
class FanOut : public QObject
{
public:
    bool start()
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = m_server.nextPendingConnection())
                connect(s, &QTcpSocket::readyRead, this, [this, s] { onData(s); });
        });
        return m_server.listen(QHostAddress::LocalHost, 0);
    }
    QUrl url() const
    {
        return QUrl(
            QStringLiteral("http://127.0.0.1:%1/webhooks/telnyx").arg(m_server.serverPort()));
    }
    void setTargets(const QStringList &urls) { m_targets = urls; }
    void setFirst(int index) { m_first = index; } // -1: alternate
    // Webhook ids some instance answered 200 (stored, or a duplicate of one stored).
    QSet<QString> acknowledged() const { return m_acknowledged; }
    // How each instance answered each webhook id: "id" -> statuses by target.
    QHash<QString, QList<int>> statuses() const { return m_statuses; }

private:
    void onData(QTcpSocket *s)
    {
        QByteArray &buffer = m_buffers[s];
        buffer += s->readAll();
        const int end = buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        QList<QPair<QByteArray, QByteArray>> headers;
        qsizetype length = 0;
        const QList<QByteArray> lines = buffer.left(end).split('\n');
        for (int i = 1; i < lines.size(); ++i) {
            const int colon = lines.at(i).indexOf(':');
            if (colon < 0)
                continue;
            const QByteArray name = lines.at(i).left(colon).trimmed().toLower();
            const QByteArray value = lines.at(i).mid(colon + 1).trimmed();
            if (name == "content-length")
                length = value.toLongLong();
            else if (name == "content-type" || name.startsWith("telnyx-"))
                headers.append({name, value});
        }
        if (buffer.size() < end + 4 + length)
            return;
        const QByteArray body = buffer.mid(end + 4, length);
        m_buffers.remove(s);
        const QString id = QJsonDocument::fromJson(body)
                               .object()
                               .value(QStringLiteral("data"))
                               .toObject()
                               .value(QStringLiteral("id"))
                               .toString();
        QStringList order = m_targets;
        const int first = m_first >= 0 ? m_first : int(m_count++ % m_targets.size());
        order.move(first, 0);
        deliver(QPointer<QTcpSocket>(s), id, body, headers, order, {}, false);
    }

    void deliver(QPointer<QTcpSocket> s, const QString &id, const QByteArray &body,
                 const QList<QPair<QByteArray, QByteArray>> &headers, QStringList rest,
                 QList<int> got, bool anyOk)
    {
        if (rest.isEmpty()) {
            m_statuses[id] += got;
            if (anyOk)
                m_acknowledged.insert(id);
            if (s) {
                s->write(anyOk ? "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                               : "HTTP/1.1 503 Unavailable\r\nContent-Length: 0\r\n"
                                 "Connection: close\r\n\r\n");
                s->disconnectFromHost();
            }
            return;
        }
        QNetworkRequest request{QUrl(rest.takeFirst())};
        for (const auto &[name, value] : headers)
            request.setRawHeader(name, value);
        request.setTransferTimeout(5000);
        QNetworkReply *reply = m_nam.post(request, body);
        connect(reply, &QNetworkReply::finished, this, [=, this]() mutable {
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            reply->deleteLater();
            got.append(status);
            deliver(s, id, body, headers, rest, got, anyOk || status == 200);
        });
    }

    QTcpServer m_server;
    QNetworkAccessManager m_nam;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    QStringList m_targets;
    int m_first = -1;
    quint64 m_count = 0;
    QSet<QString> m_acknowledged;
    QHash<QString, QList<int>> m_statuses;
};

} // namespace

class TstInstances : public QObject, public kt::test::HeadlessFixture
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void twoInstancesShareTheCalls();

private:
    // One headless instance named `name` on the test database; its webhook URL, or empty.
    QString startInstance(QProcess &process, const QString &name);
    QJsonArray events();

    kt::test::PgTestDatabase m_pg;
    QProcess m_a;
    QProcess m_b;
    FanOut m_fanOut;
};

void TstInstances::init()
{
    if (kt::test::pgServerUrl().isEmpty())
        QSKIP(qPrintable(kt::test::pgSkipReason()));
    QVERIFY(setUp(QStringLiteral(KEVANTEL_BINARY)));
}

void TstInstances::cleanup()
{
    for (QProcess *p : {&m_a, &m_b}) {
        if (p->state() != QProcess::NotRunning) {
            p->kill();
            p->waitForFinished();
        }
    }
    tearDown();
}

QString TstInstances::startInstance(QProcess &process, const QString &name)
{
    QProcessEnvironment env = environment();
    env.insert(QStringLiteral("TELNYX_API_KEY"), m_telnyx->apiKey());
    env.insert(QStringLiteral("TELNYX_PUBLIC_KEY"),
               QString::fromLatin1(m_telnyx->publicKey().toBase64()));
    process.setProcessEnvironment(env);
    process.start(m_binary,
                  {QStringLiteral("--headless"), QStringLiteral("--port"), QStringLiteral("0"),
                   QStringLiteral("--admin-port"), QStringLiteral("0"), QStringLiteral("--db"),
                   m_pg.url(), QStringLiteral("--telnyx-api"), m_telnyx->baseUrl().toString(),
                   QStringLiteral("--forward-to"), ForwardTo, QStringLiteral("--instance"), name,
                   QStringLiteral("--instance-lease"), QStringLiteral("2"),
                   QStringLiteral("--synchronous"), QStringLiteral("NORMAL")});
    if (!process.waitForStarted())
        return {};
    QByteArray out;
    QElapsedTimer timer;
    timer.start();
    while (!out.contains('\n') && timer.elapsed() < 20000 && process.state() == QProcess::Running) {
        process.waitForReadyRead(200);
        out += process.readAllStandardOutput();
    }
    const QByteArray line = out.left(out.indexOf('\n')).trimmed();
    if (!line.startsWith("listening on http://127.0.0.1:")) {
        qWarning() << name << "said" << out << process.readAllStandardError();
        return {};
    }
    return QString::fromLatin1(line.mid(int(qstrlen("listening on ")))) +
           QStringLiteral("/webhooks/telnyx");
}

QJsonArray TstInstances::events()
{
    int code = -1;
    const QByteArray out =
        run({QStringLiteral("events"), QStringLiteral("--json"), QStringLiteral("--limit"),
             QStringLiteral("100000"), QStringLiteral("--db"), m_pg.url()},
            &code);
    return code == 0 ? QJsonDocument::fromJson(out).array() : QJsonArray();
}

void TstInstances::twoInstancesShareTheCalls()
{
    QString error;
    QVERIFY2(m_pg.create(&error), qPrintable(error));
    // A starts alone (it creates the schema); B joins it.
    const QString a = startInstance(m_a, QStringLiteral("a"));
    QVERIFY(!a.isEmpty());
    const QString b = startInstance(m_b, QStringLiteral("b"));
    QVERIFY(!b.isEmpty());
    QVERIFY(m_fanOut.start());
    m_fanOut.setTargets({a, b});
    m_telnyx->setWebhookUrl(m_fanOut.url());

    // Unknown callers: answer -> speak -> hangup, each command once (one command_id each).
    const QList<QString> rejection{QStringLiteral("answer"), QStringLiteral("speak"),
                                   QStringLiteral("hangup")};
    QStringList calls;
    auto startCall = [&](int n) {
        const QString ccid = m_telnyx->startInboundCall(QStringLiteral("+1404555%1").arg(1000 + n),
                                                        QStringLiteral("+17702300635"));
        QVERIFY(!ccid.isEmpty());
        calls.append(ccid);
    };

    // 1. The webhooks of one call alternate between the instances: both run its steps.
    startCall(0);
    QTRY_COMPARE_WITH_TIMEOUT(m_telnyx->callState(calls.first()), QStringLiteral("hangup"), 15000);
    QTRY_COMPARE_WITH_TIMEOUT(steps(calls.first()), rejection, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(m_telnyx->deliveriesIdle(), 10000);
    {
        QSet<QString> instances;
        int initiated = 0;
        for (const QJsonValue &v : events()) {
            const QJsonObject e = v.toObject();
            if (e.value(QStringLiteral("type")).toString() == QLatin1String("call.initiated"))
                ++initiated;
            if (e.value(QStringLiteral("actor")).toString() == QLatin1String("engine") &&
                !e.value(QStringLiteral("call_id")).isNull()) // the call's steps, not the seed
                instances.insert(e.value(QStringLiteral("instance")).toString().section('@', 0, 0));
        }
        QCOMPARE(initiated, 1); // delivered to both, stored once
        QCOMPARE(instances, (QSet<QString>{QStringLiteral("a"), QStringLiteral("b")}));
        // Each webhook reached both instances, and both answered 200: one stored it, the other
        // was told it is a duplicate and did not act (each command went once, above).
        const auto statuses = m_fanOut.statuses();
        QVERIFY(!statuses.isEmpty());
        for (auto it = statuses.cbegin(); it != statuses.cend(); ++it)
            QCOMPARE(it.value(), (QList<int>{200, 200}));
    }

    {
        // Each instance's last webhook, as the Go live view reads it: both stored some.
        kt::EventStore reader;
        QVERIFY2(reader.open(m_pg.url(), QStringLiteral("reader"), kt::EventStore::Mode::ReadOnly),
                 qPrintable(reader.errorString()));
        QSet<QString> names;
        for (const auto &w : reader.lastWebhookPerInstance()) {
            QVERIFY(w.at.isValid());
            names.insert(w.instance.section('@', 0, 0));
        }
        QCOMPARE(names, (QSet<QString>{QStringLiteral("a"), QStringLiteral("b")}));
    }

    // 2. A load, B doing the work (it gets each webhook first) while Telnyx refuses every
    // command (500: not acted on, retried), so B's commands are in flight when it is killed.
    // A takes them over once B's lease expires, with their command_ids.
    m_fanOut.setFirst(1);
    m_telnyx->failNext(1000000, 500);
    const qsizetype before = m_telnyx->commands().size();
    for (int n = 1; n <= 5; ++n) {
        startCall(n);
        QTest::qWait(60);
    }
    auto callsWithCommands = [&] {
        QSet<QString> ccids;
        const QList<kt::ReceivedRequest> commands = m_telnyx->commands();
        for (qsizetype i = before; i < commands.size(); ++i)
            ccids.insert(commands.at(i).callControlId);
        return ccids.size();
    };
    QTRY_VERIFY_WITH_TIMEOUT(callsWithCommands() >= 3, 10000);
    ::kill(pid_t(m_b.processId()), SIGKILL);
    QVERIFY(m_b.waitForFinished(5000));
    m_telnyx->stopFailing();
    m_fanOut.setFirst(0);
    for (int n = 6; n <= 10; ++n) {
        startCall(n);
        QTest::qWait(60);
    }

    for (const QString &ccid : std::as_const(calls))
        QTRY_COMPARE_WITH_TIMEOUT(m_telnyx->callState(ccid), QStringLiteral("hangup"), 20000);
    QTRY_VERIFY_WITH_TIMEOUT(m_telnyx->deliveriesIdle(), 15000);
    // Nothing acted on twice: per call, one command_id per step, in the rejection's order.
    for (const QString &ccid : std::as_const(calls))
        QTRY_COMPARE_WITH_TIMEOUT(steps(ccid), rejection, 10000);

    // Nothing acknowledged lost: every webhook an instance answered 200 is in the log.
    const QJsonArray log = events();
    QVERIFY(!log.isEmpty());
    QSet<QString> stored;
    int takeovers = 0;
    for (const QJsonValue &v : log) {
        const QJsonObject e = v.toObject();
        if (!e.value(QStringLiteral("telnyx_id")).isNull())
            stored.insert(e.value(QStringLiteral("telnyx_id")).toString());
        if (e.value(QStringLiteral("type")).toString() == QLatin1String("tel.takeover")) {
            ++takeovers;
            const QJsonObject p = e.value(QStringLiteral("payload")).toObject();
            QVERIFY(e.value(QStringLiteral("instance")).toString().startsWith(QLatin1String("a@")));
            QVERIFY(p.value(QStringLiteral("from_instance"))
                        .toString()
                        .startsWith(QLatin1String("b@")));
        }
    }
    const QSet<QString> acknowledged = m_fanOut.acknowledged();
    QVERIFY(!acknowledged.isEmpty());
    for (const QString &id : acknowledged)
        QVERIFY2(stored.contains(id), qPrintable(id));
    QVERIFY2(takeovers > 0, "B had commands in flight when it died: A took them over");
    qInfo() << calls.size() << "calls," << acknowledged.size() << "webhooks acknowledged,"
            << takeovers << "commands taken over";

    // The chain is intact.
    int code = -1;
    const QByteArray verified = run(
        {QStringLiteral("events"), QStringLiteral("verify"), QStringLiteral("--db"), m_pg.url()},
        &code);
    QCOMPARE(code, 0);
    QVERIFY2(verified.contains("intact"), verified.constData());
}

QTEST_GUILESS_MAIN(TstInstances)
#include "tst_instances.moc"
