// SPDX-License-Identifier: GPL-3.0-or-later
#include "cliprocess.h"

#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>

#ifdef Q_OS_UNIX
#include <csignal>
#endif

namespace kt::test {

QJsonArray CliRun::json() const
{
    return QJsonDocument::fromJson(out).array();
}

QStringList CliRun::errLines() const
{
    return QString::fromUtf8(err).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

CliRun runCli(const QString &program, const QStringList &args, const QProcessEnvironment &env,
              int timeoutMs)
{
    QProcess p;
    p.setProcessEnvironment(env);
    QSignalSpy finished(&p, &QProcess::finished);
    p.start(program, args);
    CliRun r;
    if (!p.waitForStarted(10000)) {
        r.err = p.errorString().toUtf8();
        return r;
    }
    if (finished.isEmpty() && !finished.wait(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.err = "timed out";
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

QByteArray terminateServer(QProcess &process, int timeoutMs)
{
    if (process.state() == QProcess::NotRunning)
        return "the server was not running\n" + process.readAllStandardError();
#ifdef Q_OS_UNIX
    ::kill(pid_t(process.processId()), SIGTERM);
#else
    process.kill(); // no SIGTERM to send: the portable suites only need the server gone
#endif
    QByteArray how;
    if (!process.waitForFinished(timeoutMs))
        how = "the server did not stop within " + QByteArray::number(timeoutMs) + " ms of SIGTERM";
    else if (process.exitStatus() == QProcess::CrashExit)
        how = "the server was killed by signal " + QByteArray::number(process.exitCode());
    else if (process.exitCode() != 0)
        how = "the server exited with code " + QByteArray::number(process.exitCode());
    if (how.isEmpty())
        return {};
    return how + "; its stderr:\n" + process.readAllStandardError();
}

} // namespace kt::test
