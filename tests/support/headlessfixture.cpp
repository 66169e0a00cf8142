// SPDX-License-Identifier: GPL-3.0-or-later
#include "headlessfixture.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QtDebug>

namespace kt::test {

bool HeadlessFixture::setUp(const QString &binary)
{
    m_binary = binary;
    return SimulatorFixture::setUp();
}

void HeadlessFixture::tearDown()
{
    if (m_server && m_server->state() != QProcess::NotRunning) {
        m_server->kill();
        m_server->waitForFinished();
    }
    m_server.reset();
    SimulatorFixture::tearDown();
}

QProcessEnvironment HeadlessFixture::environment() const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("HOME"), m_dir->path());
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir->filePath(QStringLiteral("config")));
    return env;
}

bool HeadlessFixture::startServer(const QStringList &extra)
{
    m_server = std::make_unique<QProcess>();
    QProcessEnvironment env = environment();
    env.insert(QStringLiteral("TELNYX_API_KEY"), m_telnyx->apiKey());
    env.insert(QStringLiteral("TELNYX_PUBLIC_KEY"),
               QString::fromLatin1(m_telnyx->publicKey().toBase64()));
    m_server->setProcessEnvironment(env);
    m_server->setProcessChannelMode(QProcess::SeparateChannels);
    m_server->start(m_binary,
                    QStringList{QStringLiteral("--headless"), QStringLiteral("--port"),
                                QStringLiteral("0"), QStringLiteral("--admin-port"),
                                QStringLiteral("0"), QStringLiteral("--db"), db(),
                                QStringLiteral("--telnyx-api"), m_telnyx->baseUrl().toString(),
                                QStringLiteral("--forward-to"), ForwardTo} +
                        extra);
    if (!m_server->waitForStarted())
        return false;
    // "listening on …", then "admin on …".
    QByteArray out;
    QElapsedTimer timer;
    timer.start();
    while (out.count('\n') < 2 && timer.elapsed() < 20000 &&
           m_server->state() == QProcess::Running) {
        m_server->waitForReadyRead(200);
        out += m_server->readAllStandardOutput();
    }
    const QList<QByteArray> lines = out.trimmed().split('\n');
    const QByteArray line = lines.value(0).trimmed();
    const QByteArray admin = lines.value(1).trimmed();
    if (!line.startsWith("listening on http://127.0.0.1:") ||
        !admin.startsWith("admin on http://127.0.0.1:")) {
        qWarning() << "unexpected first lines" << out << m_server->readAllStandardError();
        return false;
    }
    m_url = QString::fromLatin1(line.mid(int(qstrlen("listening on "))));
    m_adminUrl = QString::fromLatin1(admin.mid(int(qstrlen("admin on "))));
    m_telnyx->setWebhookUrl(QUrl(m_url + QStringLiteral("/webhooks/telnyx")));
    return true;
}

QByteArray HeadlessFixture::run(const QStringList &args, int *exitCode, QByteArray *stderrOut)
{
    const CliRun r = runCli(m_binary, args, environment(), 30000);
    *exitCode = r.exitCode;
    if (stderrOut)
        *stderrOut = r.err;
    return r.out;
}

QByteArray HeadlessFixture::runOnDb(const QStringList &args, int *exitCode, QByteArray *stderrOut)
{
    return run(args + QStringList{QStringLiteral("--db"), db()}, exitCode, stderrOut);
}

QJsonObject HeadlessFixture::callRecord(const QString &fromNumber)
{
    int code = -1;
    const QJsonArray calls =
        QJsonDocument::fromJson(runOnDb({QStringLiteral("calls"), QStringLiteral("--json")}, &code))
            .array();
    for (const QJsonValue &v : calls) {
        if (v.toObject().value(QStringLiteral("from_number")).toString() == fromNumber)
            return v.toObject();
    }
    return {};
}

QStringList HeadlessFixture::steps(const QString &ccid, bool acceptedOnly) const
{
    QStringList names;
    QSet<QString> seen;
    for (const ReceivedRequest &r : m_telnyx->commands()) {
        if (r.callControlId == ccid && (!acceptedOnly || r.status == 200) &&
            !seen.contains(r.commandId)) {
            seen.insert(r.commandId);
            names.append(r.command);
        }
    }
    return names;
}

QString HeadlessFixture::db() const
{
    if (!m_database.isEmpty())
        return m_database;
    return m_dir->filePath(QStringLiteral("events.db"));
}

} // namespace kt::test
