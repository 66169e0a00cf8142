// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "callcontrolclient.h"
#include "commandresult.h"
#include "retrypolicy.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QThread>
#include <QUrl>

#include <atomic>

namespace kt {

// A CallControlClient in a thread of its own. The engine hands it commands and gets their
// outcomes back (finished(), queued to the engine's thread); the HTTP client's own work (its
// requests, replies, retry timers, and the many small events each reply makes) happens there,
// not in the engine's thread, and a command leaves as soon as it is handed over rather than when
// the engine's event loop next comes round.
//
// sendCommand(), cancelForCall() and cancelAll() may be called from any thread; they reach the
// client in the order they were called.
class CallControlThread : public QObject
{
    Q_OBJECT
public:
    explicit CallControlThread(QObject *parent = nullptr);
    ~CallControlThread() override; // stop()

    // Before start().
    void setBaseUrl(const QUrl &baseUrl) { m_baseUrl = baseUrl; }
    void setApiKey(const QString &apiKey) { m_apiKey = apiKey; }
    void setRetryPolicy(const RetryPolicy &policy) { m_policy = policy; }

    void start();
    // cancelAll(), then the thread ends.
    void stop();
    bool isRunning() const { return m_thread.isRunning(); }

    // CallControlClient::sendCommand() in the client's thread. The handle is that of the
    // CommandResult that finished() reports for it.
    quint64 sendCommand(const QString &callControlId, const QString &command,
                        const QJsonObject &body, const CommandOptions &options = {});
    void cancelForCall(const QString &callControlId);
    // Cancels every pending command and returns once each has reported finished() (cancelled).
    void cancelAll();

signals:
    // Emitted in the client's thread.
    void finished(const kt::CommandResult &result);
    void attemptFailed(quint64 handle, int httpStatus, const QString &code, const QString &title,
                       bool willRetry);

private:
    QThread m_thread;
    CallControlClient *m_client = nullptr; // lives in m_thread
    QUrl m_baseUrl;
    QString m_apiKey;
    RetryPolicy m_policy;
    std::atomic<quint64> m_nextHandle{1};
    QHash<quint64, quint64> m_ourHandle; // the client's handle -> ours; m_thread only
};

} // namespace kt
