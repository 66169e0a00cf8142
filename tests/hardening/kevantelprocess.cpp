// SPDX-License-Identifier: GPL-3.0-or-later
#include "kevantelprocess.h"

#include "rawhttpclient.h"
#include "simulator/telnyxsimulator.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QTest>

#include <csignal>

namespace kt {

KevanTelProcess::KevanTelProcess(QObject *parent) : QObject(parent) {}

KevanTelProcess::~KevanTelProcess()
{
    if (m_process && m_process->state() != QProcess::NotRunning) {
        m_process->kill();
        m_process->waitForFinished(10000);
    }
}

QString KevanTelProcess::binary()
{
    return QStringLiteral(KEVANTEL_BINARY);
}

QProcessEnvironment KevanTelProcess::environment() const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    // Nothing from the machine's own account may leak in.
    env.remove(QStringLiteral("TELNYX_API_KEY"));
    env.remove(QStringLiteral("TELNYX_PUBLIC_KEY"));
    env.remove(QStringLiteral("TELNYX_API_URL"));
    if (!m_home.isEmpty()) {
        env.insert(QStringLiteral("HOME"), m_home);
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_home + QStringLiteral("/config"));
        env.insert(QStringLiteral("XDG_DATA_HOME"), m_home + QStringLiteral("/data"));
    }
    for (auto it = m_env.cbegin(); it != m_env.cend(); ++it) {
        if (it.value().isEmpty())
            env.remove(it.key());
        else
            env.insert(it.key(), it.value());
    }
    return env;
}

void KevanTelProcess::collect()
{
    if (!m_process)
        return;
    m_out += m_process->readAllStandardOutput();
    m_err += m_process->readAllStandardError();
}

bool KevanTelProcess::start(const QStringList &args, int timeoutMs)
{
    if (m_process && m_process->state() != QProcess::NotRunning)
        kill9();
    m_process = std::make_unique<QProcess>();
    m_out.clear();
    m_err.clear();
    m_url.clear();
    m_port = 0;
    m_adminPort = 0;
    m_failure.clear();
    m_process->setProcessEnvironment(environment());
    m_process->setProcessChannelMode(QProcess::SeparateChannels);
    if (m_childSetup)
        m_process->setChildProcessModifier(m_childSetup);
    connect(m_process.get(), &QProcess::readyReadStandardOutput, this, &KevanTelProcess::collect);
    connect(m_process.get(), &QProcess::readyReadStandardError, this, &KevanTelProcess::collect);
    QStringList all{QStringLiteral("--headless")};
    all += args;
    // Its own free admin port: never 3001, which a real instance or another test may hold.
    if (!args.contains(QStringLiteral("--admin-port")))
        all += QStringList{QStringLiteral("--admin-port"), QStringLiteral("0")};
    m_process->start(binary(), all);
    if (!m_process->waitForStarted(10000)) {
        m_failure = QStringLiteral("did not start: ") + m_process->errorString();
        return false;
    }
    const bool listening = QTest::qWaitFor(
        [this] {
            collect();
            return m_out.count('\n') >= 2 || m_process->state() != QProcess::Running;
        },
        timeoutMs);
    collect();
    const QList<QByteArray> lines = m_out.split('\n');
    const QByteArray line = lines.value(0).trimmed();
    const QByteArray admin = lines.value(1).trimmed();
    if (!listening || !line.startsWith("listening on http://") ||
        !admin.startsWith("admin on http://127.0.0.1:")) {
        m_failure = QStringLiteral("no \"listening on\" and \"admin on\" lines; stdout: %1; "
                                   "stderr: %2")
                        .arg(QString::fromUtf8(m_out), QString::fromUtf8(m_err));
        return false;
    }
    m_url = QString::fromLatin1(line.mid(int(qstrlen("listening on "))));
    m_port = quint16(m_url.mid(m_url.lastIndexOf(QLatin1Char(':')) + 1).toUInt());
    m_adminPort = quint16(admin.mid(admin.lastIndexOf(':') + 1).toUInt());
    return m_port != 0 && m_adminPort != 0;
}

bool KevanTelProcess::serve(const QString &db, const TelnyxSimulator &telnyx,
                            const QStringList &extra, quint16 port)
{
    if (!m_env.contains(QStringLiteral("TELNYX_API_KEY")))
        setEnv(QStringLiteral("TELNYX_API_KEY"), telnyx.apiKey());
    setEnv(QStringLiteral("TELNYX_PUBLIC_KEY"), QString::fromLatin1(telnyx.publicKey().toBase64()));
    return start(QStringList{QStringLiteral("--port"), QString::number(port),
                             QStringLiteral("--db"), db, QStringLiteral("--telnyx-api"),
                             telnyx.baseUrl().toString(), QStringLiteral("--forward-to"),
                             QString::fromLatin1(ForwardTo)} +
                 extra);
}

CliResult KevanTelProcess::runToExit(const QStringList &args, int timeoutMs)
{
    QProcess p;
    p.setProcessEnvironment(environment());
    if (m_childSetup)
        p.setChildProcessModifier(m_childSetup);
    QStringList all{QStringLiteral("--headless")};
    all += args;
    if (!args.contains(QStringLiteral("--admin-port")))
        all += QStringList{QStringLiteral("--admin-port"), QStringLiteral("0")};
    p.start(binary(), all);
    CliResult r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
    } else if (p.exitStatus() == QProcess::NormalExit) {
        r.exitCode = p.exitCode();
    }
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

qint64 KevanTelProcess::pid() const
{
    return m_process ? m_process->processId() : 0;
}

bool KevanTelProcess::isRunning() const
{
    return m_process && m_process->state() == QProcess::Running;
}

void KevanTelProcess::kill9()
{
    if (!m_process || m_process->state() == QProcess::NotRunning)
        return;
    m_process->kill();
    m_process->waitForFinished(10000);
    collect();
}

bool KevanTelProcess::terminate(int timeoutMs)
{
    if (!m_process || m_process->state() == QProcess::NotRunning)
        return false;
    ::kill(pid_t(m_process->processId()), SIGTERM);
    const bool done =
        QTest::qWaitFor([this] { return m_process->state() == QProcess::NotRunning; }, timeoutMs);
    collect();
    return done && m_process->exitStatus() == QProcess::NormalExit && m_process->exitCode() == 0;
}

int KevanTelProcess::exitCode() const
{
    if (!m_process || m_process->state() != QProcess::NotRunning ||
        m_process->exitStatus() != QProcess::NormalExit)
        return -1;
    return m_process->exitCode();
}

qint64 KevanTelProcess::rssKb() const
{
    if (!isRunning())
        return -1;
    QFile status(QStringLiteral("/proc/%1/status").arg(pid()));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> lines = status.readAll().split('\n');
    for (const QByteArray &line : lines) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}

CliResult KevanTelProcess::cli(const QStringList &args, int timeoutMs) const
{
    QProcess p;
    p.setProcessEnvironment(environment());
    p.start(binary(), args);
    CliResult r;
    // The simulator in this thread must keep answering while the command runs.
    const bool done =
        QTest::qWaitFor([&p] { return p.state() == QProcess::NotRunning; }, timeoutMs);
    if (!done) {
        p.kill();
        p.waitForFinished();
    } else if (p.exitStatus() == QProcess::NormalExit) {
        r.exitCode = p.exitCode();
    }
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

QJsonArray KevanTelProcess::events(const QString &db) const
{
    const CliResult r =
        cli({QStringLiteral("events"), QStringLiteral("--json"), QStringLiteral("--limit"),
             QStringLiteral("1000000"), QStringLiteral("--db"), db});
    if (r.exitCode != 0)
        return {};
    QJsonArray newestFirst = QJsonDocument::fromJson(r.out).array();
    QJsonArray oldestFirst;
    for (qsizetype i = newestFirst.size() - 1; i >= 0; --i)
        oldestFirst.append(newestFirst.at(i));
    return oldestFirst;
}

QJsonArray KevanTelProcess::calls(const QString &db, int limit) const
{
    const CliResult r =
        cli({QStringLiteral("calls"), QStringLiteral("--json"), QStringLiteral("--limit"),
             QString::number(limit), QStringLiteral("--db"), db});
    return r.exitCode == 0 ? QJsonDocument::fromJson(r.out).array() : QJsonArray();
}

bool KevanTelProcess::verify(const QString &db, QString *message) const
{
    const CliResult r =
        cli({QStringLiteral("events"), QStringLiteral("verify"), QStringLiteral("--db"), db});
    if (message)
        *message = QString::fromUtf8(r.out + r.err).trimmed();
    return r.exitCode == 0;
}

} // namespace kt

namespace kt {

KevanTelProcess::Get KevanTelProcess::get(const QByteArray &path, const QString &from) const
{
    const RawResponse r = RawHttpClient::once(
        m_port, RawHttpClient::request("GET", path, {}, {{"Connection", "close"}}),
        QHostAddress(from));
    return {r.status, r.body};
}

KevanTelProcess::Get KevanTelProcess::getAdmin(const QByteArray &path, const QString &from) const
{
    const RawResponse r = RawHttpClient::once(
        m_adminPort, RawHttpClient::request("GET", path, {}, {{"Connection", "close"}}),
        QHostAddress(from));
    return {r.status, r.body};
}

double KevanTelProcess::metric(const QByteArray &series, const QString &from) const
{
    const Get g = getAdmin("/metrics", from);
    return g.status == 200 ? metricIn(g.body, series) : -1;
}

double KevanTelProcess::metricIn(const QByteArray &metricsText, const QByteArray &series)
{
    const QList<QByteArray> lines = metricsText.split('\n');
    for (const QByteArray &line : lines) {
        if (line.startsWith(series + ' '))
            return line.mid(series.size() + 1).trimmed().toDouble();
    }
    return -1;
}

} // namespace kt
