// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QThread>

#include <atomic>

namespace kt::bench {

// The ceiling: a bare QHttpServer (bound to a QTcpServer; Qt 6.4 has no listen()) that answers
// POST /webhooks/telnyx with 200 and a small JSON body, and does nothing else. It runs in its own
// thread, like the engine, so the load generator measures the HTTP stack alone.
//
// With a public key, it is kevan-tel's own WebhookServer instead (limits, the signature checked
// in its thread, the JSON parsed) with a handler that stores nothing: the bound that the checks
// every webhook must pass put on any pipeline, on this machine.
class CeilingServer : public QThread
{
    Q_OBJECT
public:
    explicit CeilingServer(QObject *parent = nullptr);
    explicit CeilingServer(const QByteArray &webhookPublicKey, QObject *parent = nullptr);
    ~CeilingServer() override;

    // Starts the thread and waits until it listens on 127.0.0.1 (a free port). 0 on failure.
    quint16 startAndWait();
    void stopAndWait();
    qint64 requests() const { return m_requests.load(); }

protected:
    void run() override;

private:
    std::atomic<quint16> m_port{0};
    std::atomic<bool> m_ready{false};
    std::atomic<qint64> m_requests{0};
    QByteArray m_publicKey; // empty: the bare QHttpServer
};

} // namespace kt::bench
