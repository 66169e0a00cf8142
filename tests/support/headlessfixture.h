// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cliprocess.h"
#include "simulatorfixture.h"

#include <QJsonObject>
#include <QProcess>
#include <QString>
#include <QStringList>

#include <memory>

namespace kt::test {

// The real binary as the end-to-end suites run it: `kevan-tel --headless` on a temporary
// database against the Telnyx simulator, and its administration commands on the same database
// and home folder. A suite derives from it, calls setUp(binary) in init() and tearDown() in
// cleanup().
class HeadlessFixture : public SimulatorFixture
{
protected:
    // `binary` is the kevan-tel program under test.
    bool setUp(const QString &binary);
    void tearDown(); // kills the server if it still runs

    // Starts the server on free loopback ports (webhook and admin), its keys those of the
    // simulator, calls forwarded to ForwardTo, with `extra` options; the simulator's webhooks
    // go to it. False (with a warning) when it does not say where it listens.
    bool startServer(const QStringList &extra = {});
    // The environment of every run: the simulator's keys are not in it, and HOME and
    // XDG_CONFIG_HOME are in the temporary folder, so no stray config file is read.
    QProcessEnvironment environment() const;
    // One administration command with `args` as they are; the event loop keeps running.
    QByteArray run(const QStringList &args, int *exitCode, QByteArray *stderrOut = nullptr);
    // The same on the server's database (--db db()).
    QByteArray runOnDb(const QStringList &args, int *exitCode, QByteArray *stderrOut = nullptr);
    // The row of `kevan-tel calls --json` whose from_number is `fromNumber`; empty when none.
    QJsonObject callRecord(const QString &fromNumber);
    // The commands Telnyx received for leg `ccid`, one per command_id, in order (only those it
    // accepted with 200 when `acceptedOnly`).
    QStringList steps(const QString &ccid, bool acceptedOnly = false) const;
    QString db() const;

    static inline const QString ForwardTo = QStringLiteral("+15125550100");

    QString m_binary;
    QString
        m_database; // --db of the server and runOnDb(); empty: events.db in the temporary folder
    std::unique_ptr<QProcess> m_server;
    QString m_url;      // the webhook port, http://127.0.0.1:PORT
    QString m_adminUrl; // the admin port
};

} // namespace kt::test
