// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QThread>
#include <QUrl>

#include <atomic>

namespace kt::bench {

// What stands for Telnyx's API in the throughput runs: a QTcpServer in its own thread that
// answers every request (keep-alive HTTP/1.1, one at a time per connection, as the Call Control
// client sends them) with Telnyx's success answer to a command, 200 {"data":{"result":"ok"}},
// and does nothing else. The real API's work happens on Telnyx's machines; the Telnyx simulator
// (calls, their webhooks) would add its own to the two cores kevan-tel and the peer share,
// while the peer sends no command at all. The client's work (building, sending, reading each
// request) stays kevan-tel's.
class CommandResponder : public QThread
{
    Q_OBJECT
public:
    explicit CommandResponder(QObject *parent = nullptr);
    ~CommandResponder() override;

    // Starts the thread and waits until it listens on 127.0.0.1 (a free port). False on failure.
    bool startAndWait();
    void stopAndWait();
    QUrl baseUrl() const; // http://127.0.0.1:PORT/v2
    qint64 requests() const { return m_requests.load(); }

protected:
    void run() override;

private:
    std::atomic<quint16> m_port{0};
    std::atomic<bool> m_ready{false};
    std::atomic<qint64> m_requests{0};
};

} // namespace kt::bench
