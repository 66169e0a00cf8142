// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QProcessEnvironment>
#include <QStringList>

class QProcess;

namespace kt::test {

// One finished run of a command-line program: exit code (-1 not started or timed out,
// -2 crashed), standard output and standard error.
struct CliRun
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;

    QJsonArray json() const;      // stdout parsed as a JSON array
    QStringList errLines() const; // the non-empty lines of stderr
};

// Runs `program` with `args` and `env` until it exits or `timeoutMs` passes (then it is
// killed). The caller's event loop keeps running meanwhile, so an in-process fake Telnyx can
// answer the program.
CliRun runCli(const QString &program, const QStringList &args, const QProcessEnvironment &env,
              int timeoutMs = 60000);

// Sends SIGTERM to a running server and waits up to `timeoutMs` for it to exit. Empty when it
// exited with code 0; otherwise how it ended (still running, a code, a signal) followed by all it
// wrote on stderr, so a sanitizer report or an assertion from the child reaches the test log.
QByteArray terminateServer(QProcess &process, int timeoutMs);

} // namespace kt::test
