// SPDX-License-Identifier: GPL-3.0-or-later
// Tunnel with a stand-in cloudflared (a shell script that logs as the real quick tunnel does):
// the URL read from its box, the arguments, the start timeout, a failing and a dying cloudflared
// (no restart), stopping, and the program lookup.
#include "golive/tunnel.h"
#include "standincloudflared.h"

#include <QScopeGuard>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <sys/types.h>

using kt::Tunnel;
using kt::test::StandIn;

namespace {
constexpr int Timeout = 20000;

bool processExists(qint64 pid)
{
    return pid > 0 && ::kill(pid_t(pid), 0) == 0;
}
} // namespace

class TstTunnel : public QObject
{
    Q_OBJECT
private slots:
    void init();

    void parsePublicUrl_data();
    void parsePublicUrl();
    void arguments();
    void startsAndReadsTheUrl();
    void childEnvironmentHasNoSecrets();
    void noUrlTimesOut();
    void failingCloudflaredIsReported();
    void dyingCloudflaredIsNotRestarted();
    void destructorStopsCloudflared();
    void missingProgramFails();
    void findsTheProgramOnPath();

private:
    QString standIn(StandIn variant)
    {
        return kt::test::writeStandInCloudflared(m_dir->path(), variant);
    }
    qint64 standInPid() const;
    QStringList standInArguments() const;

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TstTunnel::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

qint64 TstTunnel::standInPid() const
{
    QFile f(m_dir->filePath(QStringLiteral("pid.txt")));
    return f.open(QIODevice::ReadOnly) ? f.readAll().trimmed().toLongLong() : 0;
}

QStringList TstTunnel::standInArguments() const
{
    QFile f(m_dir->filePath(QStringLiteral("args.txt")));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

void TstTunnel::parsePublicUrl_data()
{
    QTest::addColumn<QString>("line");
    QTest::addColumn<QString>("url");
    QTest::newRow("the box") << "2025-11-23T03:30:01Z INF |  https://seasonal-deck-organisms-sf"
                                ".trycloudflare.com                                      |"
                             << "https://seasonal-deck-organisms-sf.trycloudflare.com";
    QTest::newRow("bare") << "https://a-b-c.trycloudflare.com"
                          << "https://a-b-c.trycloudflare.com";
    QTest::newRow("after text") << "INF Visit it at https://Abc-Def.trycloudflare.com"
                                << "https://abc-def.trycloudflare.com";
    QTest::newRow("box top") << "2025-11-23T03:30:01Z INF +------------------+"
                             << "";
    QTest::newRow("requesting") << "INF Requesting new quick Tunnel on trycloudflare.com..."
                                << "";
    QTest::newRow("terms") << "INF Thank you ... (https://www.cloudflare.com/website-terms/) ... "
                              "https://developers.cloudflare.com/cloudflare-one/connections"
                           << "";
    QTest::newRow("the API in an error")
        << "ERR Error requesting quick Tunnel error=\"failed to request quick Tunnel: Post "
           "\\\"https://api.trycloudflare.com/tunnel\\\": dial tcp\""
        << "";
    QTest::newRow("the API bare") << "lookup https://api.trycloudflare.com failed"
                                  << "";
    QTest::newRow("with a path") << "https://abc.trycloudflare.com/x"
                                 << "";
    QTest::newRow("look-alike") << "https://abc.trycloudflare.com.evil.example"
                                << "";
    QTest::newRow("http") << "http://abc.trycloudflare.com"
                          << "";
}

void TstTunnel::parsePublicUrl()
{
    QFETCH(QString, line);
    QFETCH(QString, url);
    QCOMPARE(Tunnel::parsePublicUrl(line).toString(), url);
}

void TstTunnel::arguments()
{
    QCOMPARE(Tunnel::arguments(3000),
             (QStringList{QStringLiteral("tunnel"), QStringLiteral("--no-autoupdate"),
                          QStringLiteral("--url"), QStringLiteral("http://127.0.0.1:3000")}));
}

void TstTunnel::startsAndReadsTheUrl()
{
    Tunnel tunnel;
    tunnel.setProgram(standIn(StandIn::Works));
    QVERIFY(tunnel.isAvailable());
    QSignalSpy states(&tunnel, &Tunnel::stateChanged);
    QSignalSpy urls(&tunnel, &Tunnel::publicUrlChanged);
    QVERIFY(tunnel.start(4321));
    QCOMPARE(tunnel.state(), Tunnel::State::Starting);
    QCOMPARE(tunnel.stateName(), QStringLiteral("starting"));
    QVERIFY(!tunnel.start(4321)); // already starting
    QTRY_COMPARE_WITH_TIMEOUT(tunnel.state(), Tunnel::State::Running, Timeout);
    QCOMPARE(tunnel.publicUrl().toString(), QString::fromLatin1(kt::test::standInUrl()));
    QVERIFY2(tunnel.message().contains(QLatin1String(kt::test::standInUrl())),
             qPrintable(tunnel.message()));
    QCOMPARE(urls.size(), 1);
    QCOMPARE(states.size(), 2);
    QCOMPARE(states.at(0).at(0).value<Tunnel::State>(), Tunnel::State::Starting);
    QCOMPARE(states.at(1).at(0).value<Tunnel::State>(), Tunnel::State::Running);
    QCOMPARE(standInArguments(), Tunnel::arguments(4321));
    QCOMPARE(tunnel.localPort(), quint16(4321));
    // The log (stderr) is kept: the lines after the box arrive too.
    QTRY_VERIFY_WITH_TIMEOUT(
        tunnel.recentLog().constLast().contains(QLatin1String("Registered tunnel connection")),
        Timeout);
    const qint64 pid = standInPid();
    QVERIFY(processExists(pid));

    tunnel.stop();
    QCOMPARE(tunnel.state(), Tunnel::State::Stopped);
    QVERIFY(tunnel.publicUrl().isEmpty());
    QCOMPARE(urls.size(), 2);
    QTRY_VERIFY_WITH_TIMEOUT(!processExists(pid), Timeout);
    // It can be started again.
    QVERIFY(tunnel.start(4322));
    QTRY_COMPARE_WITH_TIMEOUT(tunnel.state(), Tunnel::State::Running, Timeout);
    QCOMPARE(standInArguments().constLast(), QStringLiteral("http://127.0.0.1:4322"));
    tunnel.stop();
}

void TstTunnel::childEnvironmentHasNoSecrets()
{
    // cloudflared runs without kevan-tel's Telnyx settings: the API key above all.
    const QList<QByteArray> secrets{"TELNYX_API_KEY", "TELNYX_PUBLIC_KEY", "TELNYX_API_URL",
                                    "TELNYX_SOMETHING_NEW"};
    for (const QByteArray &name : secrets)
        qputenv(name.constData(), "secret-" + name);
    qputenv("KEVANTEL_TUNNEL_TEST_KEPT", "kept");
    auto restore = qScopeGuard([&secrets] {
        for (const QByteArray &name : secrets)
            qunsetenv(name.constData());
        qunsetenv("KEVANTEL_TUNNEL_TEST_KEPT");
    });
    Tunnel tunnel;
    tunnel.setProgram(standIn(StandIn::Works));
    QVERIFY(tunnel.start(4323));
    QTRY_COMPARE_WITH_TIMEOUT(tunnel.state(), Tunnel::State::Running, Timeout);
    QFile f(m_dir->filePath(QStringLiteral("env.txt")));
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray env = f.readAll();
    tunnel.stop();
    QVERIFY2(env.contains("KEVANTEL_TUNNEL_TEST_KEPT=kept\n"), env.constData());
    QVERIFY(env.contains("PATH="));
    for (const QByteArray &name : secrets) {
        QVERIFY2(!env.contains(name + '='), name.constData());
        QVERIFY2(!env.contains("secret-" + name), name.constData());
    }
}

void TstTunnel::noUrlTimesOut()
{
    Tunnel tunnel;
    tunnel.setProgram(standIn(StandIn::NoUrl));
    tunnel.setStartTimeoutMs(500);
    QVERIFY(tunnel.start(3000));
    QTRY_COMPARE_WITH_TIMEOUT(tunnel.state(), Tunnel::State::Failed, Timeout);
    QVERIFY2(tunnel.message().startsWith(QLatin1String("cloudflared printed no tunnel URL within "
                                                       "0.5 s")),
             qPrintable(tunnel.message()));
    QVERIFY(tunnel.publicUrl().isEmpty());
    // The process does not linger.
    QTRY_VERIFY_WITH_TIMEOUT(standInPid() > 0 && !processExists(standInPid()), Timeout);
}

void TstTunnel::failingCloudflaredIsReported()
{
    Tunnel tunnel;
    tunnel.setProgram(standIn(StandIn::Fails));
    QVERIFY(tunnel.start(3000));
    QTRY_COMPARE_WITH_TIMEOUT(tunnel.state(), Tunnel::State::Failed, Timeout);
    const QString message = tunnel.message();
    QVERIFY2(message.startsWith(QLatin1String("cloudflared exited with code 1: ")),
             qPrintable(message));
    QVERIFY2(message.contains(QLatin1String("failed to request quick Tunnel")),
             qPrintable(message));
    QVERIFY(!message.contains(QLatin1Char('\n')));
    QVERIFY(tunnel.publicUrl().isEmpty()); // the API's URL in the error is not the tunnel's
}

void TstTunnel::dyingCloudflaredIsNotRestarted()
{
    Tunnel tunnel;
    tunnel.setProgram(standIn(StandIn::DiesLater));
    QSignalSpy states(&tunnel, &Tunnel::stateChanged);
    QSignalSpy urls(&tunnel, &Tunnel::publicUrlChanged);
    QVERIFY(tunnel.start(3000));
    QTRY_COMPARE_WITH_TIMEOUT(tunnel.state(), Tunnel::State::Failed, Timeout);
    QVERIFY2(tunnel.message().contains(QLatin1String("Connection terminated")),
             qPrintable(tunnel.message()));
    QVERIFY(tunnel.publicUrl().isEmpty());
    QCOMPARE(urls.size(), 2); // set, then cleared
    const QList<Tunnel::State> expected{Tunnel::State::Starting, Tunnel::State::Running,
                                        Tunnel::State::Failed};
    QList<Tunnel::State> seen;
    for (const auto &s : states)
        seen.append(s.at(0).value<Tunnel::State>());
    QCOMPARE(seen, expected);
    // No restart: nothing happens any more (the stand-in would print its URL within a moment).
    QTest::qWait(1000);
    QCOMPARE(states.size(), 3);
    QCOMPARE(tunnel.state(), Tunnel::State::Failed);
}

void TstTunnel::destructorStopsCloudflared()
{
    auto tunnel = std::make_unique<Tunnel>();
    tunnel->setProgram(standIn(StandIn::Works));
    QVERIFY(tunnel->start(3000));
    QTRY_COMPARE_WITH_TIMEOUT(tunnel->state(), Tunnel::State::Running, Timeout);
    const qint64 pid = standInPid();
    QVERIFY(processExists(pid));
    tunnel.reset();
    QVERIFY(!processExists(pid)); // stopped and reaped before the destructor returns
}

void TstTunnel::missingProgramFails()
{
    Tunnel tunnel;
    tunnel.setProgram(m_dir->filePath(QStringLiteral("no-such-cloudflared")));
    QVERIFY(!tunnel.isAvailable());
    QVERIFY(tunnel.executable().isEmpty());
    QSignalSpy states(&tunnel, &Tunnel::stateChanged);
    QVERIFY(tunnel.start(3000));
    QCOMPARE(tunnel.state(), Tunnel::State::Failed);
    QVERIFY2(tunnel.message().contains(QLatin1String("not found")), qPrintable(tunnel.message()));
    QCOMPARE(states.size(), 1);
    tunnel.stop();
    QCOMPARE(tunnel.state(), Tunnel::State::Stopped);

    // Present but not executable.
    const QString path = standIn(StandIn::Works);
    QVERIFY(QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner));
    tunnel.setProgram(path);
    QVERIFY(!tunnel.isAvailable());
}

void TstTunnel::findsTheProgramOnPath()
{
    const QString path = standIn(StandIn::Works);
    const QByteArray oldPath = qgetenv("PATH");
    qputenv("PATH", m_dir->path().toLocal8Bit() + ':' + oldPath);
    Tunnel tunnel; // "cloudflared" by default
    const QString found = tunnel.executable();
    qputenv("PATH", oldPath);
    QCOMPARE(tunnel.program(), QStringLiteral("cloudflared"));
    QCOMPARE(QFileInfo(found).canonicalFilePath(), QFileInfo(path).canonicalFilePath());
}

QTEST_GUILESS_MAIN(TstTunnel)
#include "tst_tunnel.moc"
