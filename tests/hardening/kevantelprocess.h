// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QMap>
#include <QObject>
#include <QProcess>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>

namespace kt {

class TelnyxSimulator;

// What one run of an administration command printed.
struct CliResult
{
    int exitCode = -1; // -1: crashed or did not finish
    QByteArray out;
    QByteArray err;
};

// The real `kevan-tel --headless` binary (KEVANTEL_BINARY) as a child process, for the hardening
// suites: started on a database of the test's choosing, with the Telnyx simulator's keys in its
// environment, killed with SIGKILL or stopped with SIGTERM, its stdout and stderr kept whole
// (collected while the test's event loop runs, so the pipes never fill up).
class KevanTelProcess : public QObject
{
    Q_OBJECT
public:
    explicit KevanTelProcess(QObject *parent = nullptr);
    ~KevanTelProcess() override; // kills a process still running

    // HOME and XDG_CONFIG_HOME point into `homeDir`, so no stray config file is read.
    void setHome(const QString &homeDir) { m_home = homeDir; }
    // Extra environment (e.g. TELNYX_API_KEY, TELNYX_PUBLIC_KEY); an empty value removes the key.
    void setEnv(const QString &name, const QString &value) { m_env.insert(name, value); }
    // Runs in the child between fork and exec (setuid, rlimits, ...).
    void setChildSetup(std::function<void()> setup) { m_childSetup = std::move(setup); }

    // `--headless` plus `args` (plus `--admin-port 0` unless `args` name one). Waits for
    // "listening on http://…" and "admin on http://127.0.0.1:…" on stdout; false (with the
    // reason in failure()) when they do not come within `timeoutMs` or the process exits.
    bool start(const QStringList &args, int timeoutMs = 30000);
    // start() on `db` and `port`, with `telnyx` as the Telnyx API (--telnyx-api, its API key in
    // TELNYX_API_KEY unless setEnv() set one, its public key in TELNYX_PUBLIC_KEY), forwarding to
    // ForwardTo, plus `extra`.
    bool serve(const QString &db, const TelnyxSimulator &telnyx, const QStringList &extra = {},
               quint16 port = 0);
    static constexpr const char *ForwardTo = "+15125550100";

    // Starts and waits for the process to exit (for configurations that must fail).
    CliResult runToExit(const QStringList &args, int timeoutMs = 30000);

    QString url() const { return m_url; } // http://HOST:PORT
    quint16 port() const { return m_port; }
    quint16 adminPort() const { return m_adminPort; } // /metrics and the detailed /health
    qint64 pid() const;
    bool isRunning() const;
    QString failure() const { return m_failure; }

    void kill9();                          // SIGKILL, waits until it is gone
    bool terminate(int timeoutMs = 15000); // SIGTERM; true when it exited 0
    int exitCode() const;

    QByteArray stdoutText() const { return m_out; }
    QByteArray stderrText() const { return m_err; }

    // VmRSS from /proc/PID/status in KiB; -1 when unknown.
    qint64 rssKb() const;

    // `kevan-tel ARGS` (an administration command) with the same HOME.
    CliResult cli(const QStringList &args, int timeoutMs = 60000) const;
    // `kevan-tel events --json --limit 1000000 --db DB`, oldest first; empty on error.
    QJsonArray events(const QString &db) const;
    // `kevan-tel calls --json --db DB`.
    QJsonArray calls(const QString &db, int limit = 1000) const;
    // `kevan-tel events verify --db DB` exited 0.
    bool verify(const QString &db, QString *message = nullptr) const;

    // GET `path` on a fresh connection from `from` (another loopback address: another client).
    struct Get
    {
        int status = 0;
        QByteArray body;
    };
    // On the webhook port (what the tunnel exposes).
    Get get(const QByteArray &path, const QString &from = QStringLiteral("127.0.0.1")) const;
    // On the admin port: GET /metrics, or the detailed GET /health.
    Get getAdmin(const QByteArray &path, const QString &from = QStringLiteral("127.0.0.1")) const;
    // The value of one series of GET /metrics on the admin port
    // ("kevantel_webhooks_total{result=\"stored\"}"); -1 when absent.
    double metric(const QByteArray &series,
                  const QString &from = QStringLiteral("127.0.0.1")) const;
    static double metricIn(const QByteArray &metricsText, const QByteArray &series);

    static QString binary();

private:
    QProcessEnvironment environment() const;
    void collect();

    QString m_home;
    QMap<QString, QString> m_env;
    std::function<void()> m_childSetup;
    std::unique_ptr<QProcess> m_process;
    QByteArray m_out;
    QByteArray m_err;
    QString m_url;
    quint16 m_port = 0;
    quint16 m_adminPort = 0;
    QString m_failure;
};

} // namespace kt
