// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <QUrl>

namespace kt {

// A Cloudflare quick tunnel to the local webhook server: runs
// `cloudflared tunnel --no-autoupdate --url http://127.0.0.1:PORT` and reads the public URL
// (https://<words>.trycloudflare.com) from its log. No account is needed; the URL changes on
// every start. No restart policy: when cloudflared fails or exits, the state becomes Failed with
// the reason, and the owner decides. The process is stopped with the object.
class Tunnel : public QObject
{
    Q_OBJECT
public:
    enum class State { Stopped, Starting, Running, Failed };
    Q_ENUM(State)

    static constexpr const char *DefaultProgram = "cloudflared";

    explicit Tunnel(QObject *parent = nullptr);
    ~Tunnel() override; // stops cloudflared

    // The program: a path, or a name looked up on PATH. Default "cloudflared".
    void setProgram(const QString &program) { m_program = program; }
    QString program() const { return m_program; }
    // The program's full path; empty when it is not found (or not executable).
    QString executable() const;
    bool isAvailable() const { return !executable().isEmpty(); }
    // How long cloudflared has to print the URL (default 45 s).
    void setStartTimeoutMs(int ms) { m_startTimeoutMs = ms; }
    // How long stop() waits after SIGTERM before killing it (default 3 s).
    void setStopGraceMs(int ms) { m_stopGraceMs = ms; }

    State state() const { return m_state; }
    QString stateName() const;                     // "stopped", "starting", "running", "failed"
    QString message() const { return m_message; }  // what happened last, one line
    QUrl publicUrl() const { return m_publicUrl; } // while Running
    quint16 localPort() const { return m_port; }
    QStringList recentLog() const { return m_log; } // the last lines cloudflared printed

    // cloudflared's arguments for a local port.
    static QStringList arguments(quint16 localPort);
    // The environment cloudflared runs in: this process's, without the variables that carry
    // kevan-tel's Telnyx settings (TELNYX_API_KEY and every other TELNYX_* variable), which the
    // tunnel has no use for.
    static QProcessEnvironment childEnvironment(const QProcessEnvironment &parent);
    // The quick tunnel URL in one log line ("INF |  https://a-b-c.trycloudflare.com  |"); empty
    // when the line has none (cloudflared's own API, api.trycloudflare.com, is not one).
    static QUrl parsePublicUrl(const QString &line);

public slots:
    // Starts cloudflared for http://127.0.0.1:`localPort`. False when it is already starting or
    // running; a missing program gives Failed.
    bool start(quint16 localPort);
    // Stops cloudflared (SIGTERM, then kill after the grace period); the state becomes Stopped.
    void stop();

signals:
    void stateChanged(kt::Tunnel::State state, const QString &message);
    void publicUrlChanged(const QUrl &url);
    void logLine(const QString &line);

private:
    void setState(State state, const QString &message);
    void onOutput();
    void onFinished(int exitCode, QProcess::ExitStatus status);
    void onErrorOccurred(QProcess::ProcessError error);
    void onStartTimeout();
    void handleLine(const QString &line);
    QString lastErrorLine() const;
    void killProcess();

    QString m_program = QString::fromLatin1(DefaultProgram);
    int m_startTimeoutMs = 45000;
    int m_stopGraceMs = 3000;
    QProcess *m_process = nullptr;
    QByteArray m_pending; // a partial line
    QTimer m_startTimer;
    State m_state = State::Stopped;
    QString m_message;
    QUrl m_publicUrl;
    quint16 m_port = 0;
    QStringList m_log;
    bool m_stopping = false;
};

} // namespace kt
