// SPDX-License-Identifier: GPL-3.0-or-later
#include "peerserver.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QTcpServer>

#include <unistd.h>

namespace kt::bench {

PeerServer::~PeerServer()
{
    stop();
}

bool PeerServer::start(const QString &folder, const QString &publicKey, const QString &synchronous,
                       QString *error)
{
    if (!QFileInfo::exists(QDir(folder).filePath(QStringLiteral("node_modules")))) {
        *error = QStringLiteral("%1 has no node_modules: run npm install there first").arg(folder);
        return false;
    }
    {
        // A free port: the peer takes its port from the environment, not 0.
        QTcpServer probe;
        if (!probe.listen(QHostAddress::LocalHost, 0)) {
            *error = QStringLiteral("no free loopback port");
            return false;
        }
        m_port = probe.serverPort();
    }
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("PORT"), QString::number(m_port));
    env.insert(QStringLiteral("DB"), m_dir.filePath(QStringLiteral("peer.db")));
    env.insert(QStringLiteral("TELNYX_PUBLIC_KEY"), publicKey);
    env.insert(QStringLiteral("SYNC"), synchronous);
    m_process.setProcessEnvironment(env);
    m_process.setWorkingDirectory(folder);
    m_process.setProcessChannelMode(QProcess::SeparateChannels);
    m_process.start(QStringLiteral("node"), {QStringLiteral("server.js")});
    if (!m_process.waitForStarted(10000)) {
        *error = QStringLiteral("cannot start node: ") + m_process.errorString();
        return false;
    }
    QByteArray out;
    const QDeadlineTimer deadline(20000);
    while (!out.contains("listening on")) {
        if (deadline.hasExpired() || m_process.state() == QProcess::NotRunning) {
            *error = QStringLiteral("the peer did not start: ") +
                     QString::fromUtf8(m_process.readAllStandardError()).simplified().left(200);
            stop();
            return false;
        }
        m_process.waitForReadyRead(200);
        out += m_process.readAllStandardOutput();
    }
    return true;
}

double PeerServer::cpuSeconds() const
{
    QFile f(QStringLiteral("/proc/%1/stat").arg(m_process.processId()));
    if (m_process.processId() <= 0 || !f.open(QIODevice::ReadOnly))
        return 0;
    // Fields after the ")" closing the command name: utime is field 14, stime 15.
    const QByteArray stat = f.readAll();
    const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
    return (fields.value(11).toDouble() + fields.value(12).toDouble()) /
           double(sysconf(_SC_CLK_TCK));
}

void PeerServer::stop()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.terminate();
    if (!m_process.waitForFinished(5000)) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

} // namespace kt::bench
