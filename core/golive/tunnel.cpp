// SPDX-License-Identifier: GPL-3.0-or-later
#include "tunnel.h"

#include "engine/settingschema.h"

#include <QFileInfo>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QStandardPaths>

Q_LOGGING_CATEGORY(lcTunnel, "kevantel.tunnel")

namespace kt {

namespace {
constexpr int MaxLogLines = 50;
} // namespace

Tunnel::Tunnel(QObject *parent) : QObject(parent)
{
    m_startTimer.setSingleShot(true);
    connect(&m_startTimer, &QTimer::timeout, this, &Tunnel::onStartTimeout);
}

Tunnel::~Tunnel()
{
    m_startTimer.stop();
    // The running process, and any still stopping after stop(): all are gone when this returns.
    const auto processes = findChildren<QProcess *>(QString(), Qt::FindDirectChildrenOnly);
    for (QProcess *process : processes) {
        disconnect(process, nullptr, this, nullptr);
        if (process->state() == QProcess::NotRunning)
            continue;
        if (process == m_process)
            process->terminate();
        if (!process->waitForFinished(m_stopGraceMs)) {
            process->kill();
            process->waitForFinished(1000);
        }
    }
}

QString Tunnel::executable() const
{
    if (m_program.isEmpty())
        return {};
    if (m_program.contains(QLatin1Char('/')) || m_program.contains(QLatin1Char('\\'))) {
        const QFileInfo info(m_program);
        return info.isFile() && info.isExecutable() ? info.absoluteFilePath() : QString();
    }
    return QStandardPaths::findExecutable(m_program);
}

QString Tunnel::stateName() const
{
    switch (m_state) {
    case State::Stopped:
        return QStringLiteral("stopped");
    case State::Starting:
        return QStringLiteral("starting");
    case State::Running:
        return QStringLiteral("running");
    case State::Failed:
        return QStringLiteral("failed");
    }
    return {};
}

QStringList Tunnel::arguments(quint16 localPort)
{
    return {QStringLiteral("tunnel"), QStringLiteral("--no-autoupdate"), QStringLiteral("--url"),
            QStringLiteral("http://127.0.0.1:%1").arg(localPort)};
}

QUrl Tunnel::parsePublicUrl(const QString &line)
{
    // The URL stands alone in cloudflared's box ("|  https://x-y-z.trycloudflare.com  |"); one
    // followed by a path, like the API's "https://api.trycloudflare.com/tunnel" in an error, is
    // not it.
    static const QRegularExpression re(
        QStringLiteral("https://([a-z0-9](?:[a-z0-9-]*[a-z0-9])?)\\.trycloudflare\\.com"
                       "(?=$|[\\s|\"'])"),
        QRegularExpression::CaseInsensitiveOption);
    auto it = re.globalMatch(line);
    while (it.hasNext()) {
        const QRegularExpressionMatch m = it.next();
        if (m.captured(1).compare(QLatin1String("api"), Qt::CaseInsensitive) == 0)
            continue;
        return QUrl(m.captured(0).toLower());
    }
    return {};
}

bool Tunnel::start(quint16 localPort)
{
    if (m_state == State::Starting || m_state == State::Running)
        return false;
    m_port = localPort;
    m_log.clear();
    m_pending.clear();
    if (!m_publicUrl.isEmpty()) {
        m_publicUrl.clear();
        emit publicUrlChanged(m_publicUrl);
    }
    const QString exe = executable();
    if (exe.isEmpty()) {
        setState(State::Failed,
                 QStringLiteral("%1 not found: install cloudflared, or set its path (config key "
                                "\"cloudflared\")")
                     .arg(m_program));
        return true;
    }
    m_stopping = false;
    m_process = new QProcess(this);
    m_process->setProcessChannelMode(QProcess::MergedChannels); // the log is on stderr
    m_process->setStandardInputFile(QProcess::nullDevice());
    m_process->setProcessEnvironment(childEnvironment(QProcessEnvironment::systemEnvironment()));
    connect(m_process, &QProcess::readyReadStandardOutput, this, &Tunnel::onOutput);
    connect(m_process, &QProcess::finished, this, &Tunnel::onFinished);
    connect(m_process, &QProcess::errorOccurred, this, &Tunnel::onErrorOccurred);
    setState(State::Starting,
             QStringLiteral("starting a quick tunnel to http://127.0.0.1:%1").arg(localPort));
    m_startTimer.start(m_startTimeoutMs);
    m_process->start(exe, arguments(localPort));
    return true;
}

QProcessEnvironment Tunnel::childEnvironment(const QProcessEnvironment &parent)
{
    QProcessEnvironment env = parent;
    for (const Setting &k : SettingSchema::all()) {
        if (k.has(Setting::Environment))
            env.remove(k.envVar);
    }
    const QStringList names = env.keys();
    for (const QString &name : names) {
        if (name.startsWith(QLatin1String("TELNYX_"), Qt::CaseInsensitive))
            env.remove(name);
    }
    return env;
}

void Tunnel::stop()
{
    m_startTimer.stop();
    killProcess();
    if (!m_publicUrl.isEmpty()) {
        m_publicUrl.clear();
        emit publicUrlChanged(m_publicUrl);
    }
    if (m_state != State::Stopped)
        setState(State::Stopped, QStringLiteral("tunnel stopped"));
}

void Tunnel::killProcess()
{
    QProcess *process = std::exchange(m_process, nullptr);
    if (!process)
        return;
    disconnect(process, nullptr, this, nullptr);
    if (process->state() == QProcess::NotRunning) {
        process->deleteLater();
        return;
    }
    // Without blocking: SIGTERM now, SIGKILL after the grace period; the object goes once the
    // process has exited (or with this object, whose child it stays).
    connect(process, &QProcess::finished, process, &QObject::deleteLater);
    QTimer::singleShot(m_stopGraceMs, process, [process] {
        if (process->state() != QProcess::NotRunning)
            process->kill();
    });
    process->terminate();
}

void Tunnel::setState(State state, const QString &message)
{
    if (state == m_state && message == m_message)
        return;
    m_state = state;
    m_message = message;
    if (state == State::Failed)
        qCWarning(lcTunnel).noquote() << message;
    else
        qCInfo(lcTunnel).noquote() << message;
    emit stateChanged(state, message);
}

void Tunnel::onOutput()
{
    if (!m_process)
        return;
    m_pending += m_process->readAllStandardOutput();
    int newline;
    while ((newline = m_pending.indexOf('\n')) >= 0) {
        const QByteArray line = m_pending.left(newline);
        m_pending.remove(0, newline + 1);
        handleLine(QString::fromUtf8(line).trimmed());
    }
    if (m_pending.size() > 64 * 1024) // a line that never ends: keep memory bounded
        m_pending.clear();
}

void Tunnel::handleLine(const QString &line)
{
    if (line.isEmpty())
        return;
    m_log.append(line);
    while (m_log.size() > MaxLogLines)
        m_log.removeFirst();
    emit logLine(line);
    if (m_state != State::Starting)
        return;
    const QUrl url = parsePublicUrl(line);
    if (url.isEmpty())
        return;
    m_startTimer.stop();
    m_publicUrl = url;
    emit publicUrlChanged(url);
    setState(State::Running, QStringLiteral("tunnel up at %1").arg(url.toString()));
}

QString Tunnel::lastErrorLine() const
{
    static const QRegularExpression err(QStringLiteral("\\b(ERR|FTL|error|failed)\\b"),
                                        QRegularExpression::CaseInsensitiveOption);
    for (auto it = m_log.crbegin(); it != m_log.crend(); ++it) {
        if (err.match(*it).hasMatch())
            return *it;
    }
    return m_log.isEmpty() ? QString() : m_log.constLast();
}

void Tunnel::onFinished(int exitCode, QProcess::ExitStatus status)
{
    if (!m_process)
        return;
    m_startTimer.stop();
    if (!m_pending.isEmpty())
        handleLine(QString::fromUtf8(std::exchange(m_pending, {})).trimmed());
    const QString why = lastErrorLine();
    QString message = status == QProcess::CrashExit
                          ? QStringLiteral("cloudflared crashed")
                          : QStringLiteral("cloudflared exited with code %1").arg(exitCode);
    if (!why.isEmpty())
        message += QStringLiteral(": ") + why;
    m_process->deleteLater();
    m_process = nullptr;
    if (!m_publicUrl.isEmpty()) {
        m_publicUrl.clear();
        emit publicUrlChanged(m_publicUrl);
    }
    setState(State::Failed, message);
}

void Tunnel::onErrorOccurred(QProcess::ProcessError error)
{
    if (!m_process || error != QProcess::FailedToStart)
        return; // the others end in finished()
    m_startTimer.stop();
    const QString message =
        QStringLiteral("cannot start %1: %2").arg(m_program, m_process->errorString());
    m_process->deleteLater();
    m_process = nullptr;
    setState(State::Failed, message);
}

void Tunnel::onStartTimeout()
{
    if (m_state != State::Starting)
        return;
    const QString why = lastErrorLine();
    killProcess();
    setState(State::Failed,
             QStringLiteral("cloudflared printed no tunnel URL within %1 s%2")
                 .arg(m_startTimeoutMs / 1000.0)
                 .arg(why.isEmpty() ? QString() : QStringLiteral(" (last: %1)").arg(why)));
}

} // namespace kt
