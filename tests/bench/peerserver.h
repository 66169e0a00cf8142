// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QProcess>
#include <QString>
#include <QTemporaryDir>

namespace kt::bench {

// The peer to measure against (tests/bench/peer/): the webhook receiver a Telnyx user writes
// with the official Node SDK (express, the SDK's Ed25519 unwrap, one better-sqlite3 insert a
// webhook, then 200). Runs `node server.js` from a folder that holds it with its node_modules,
// on a free loopback port, with its database in a temporary folder.
class PeerServer
{
public:
    PeerServer() = default;
    ~PeerServer(); // stop()

    // `publicKey`: base64 of the raw 32-byte key. `synchronous`: FULL or NORMAL, as the peer's
    // SYNC. False with `error` when node cannot start or the peer does not say "listening on"
    // within 20 s.
    bool start(const QString &folder, const QString &publicKey, const QString &synchronous,
               QString *error);
    quint16 port() const { return m_port; }
    // CPU seconds (user + system) the peer's process has used so far, all its threads.
    double cpuSeconds() const;
    void stop();

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    quint16 m_port = 0;
};

} // namespace kt::bench
