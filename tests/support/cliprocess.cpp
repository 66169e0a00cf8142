// SPDX-License-Identifier: GPL-3.0-or-later
#include "cliprocess.h"

#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>

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

} // namespace kt::test
