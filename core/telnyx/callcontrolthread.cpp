// SPDX-License-Identifier: GPL-3.0-or-later
#include "callcontrolthread.h"

namespace kt {

CallControlThread::CallControlThread(QObject *parent) : QObject(parent)
{
    m_thread.setObjectName(QStringLiteral("telnyx-client"));
}

CallControlThread::~CallControlThread()
{
    stop();
}

void CallControlThread::start()
{
    if (m_thread.isRunning())
        return;
    m_thread.start();
    m_client = new CallControlClient;
    m_client->setBaseUrl(m_baseUrl);
    m_client->setApiKey(m_apiKey);
    m_client->setRetryPolicy(m_policy);
    // Direct connections: these run in the client's thread, where it emits.
    connect(
        m_client, &CallControlClient::finished, m_client,
        [this](const CommandResult &result) {
            CommandResult ours = result;
            ours.handle = m_ourHandle.take(result.handle);
            if (ours.handle != 0)
                emit finished(ours);
        },
        Qt::DirectConnection);
    connect(
        m_client, &CallControlClient::attemptFailed, m_client,
        [this](quint64 handle, int status, const QString &code, const QString &title,
               bool willRetry) {
            if (const quint64 ours = m_ourHandle.value(handle))
                emit attemptFailed(ours, status, code, title, willRetry);
        },
        Qt::DirectConnection);
    m_client->moveToThread(&m_thread); // its network access manager is made there, on first use
}

void CallControlThread::stop()
{
    if (!m_thread.isRunning())
        return;
    cancelAll();
    QMetaObject::invokeMethod(
        m_client,
        [this] {
            delete m_client;
            m_client = nullptr;
        },
        Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

quint64 CallControlThread::sendCommand(const QString &callControlId, const QString &command,
                                       const QJsonObject &body, const CommandOptions &options)
{
    const quint64 handle = m_nextHandle++;
    if (!m_client)
        return handle; // not started: nothing will report it
    QMetaObject::invokeMethod(
        m_client,
        [this, handle, callControlId, command, body, options] {
            // sendCommand() never reports finished() before it returns (replies, timeouts and
            // cancellations all come later), so the mapping is in place in time.
            m_ourHandle.insert(m_client->sendCommand(callControlId, command, body, options),
                               handle);
        },
        Qt::QueuedConnection);
    return handle;
}

void CallControlThread::cancelForCall(const QString &callControlId)
{
    if (!m_client)
        return;
    QMetaObject::invokeMethod(
        m_client, [this, callControlId] { m_client->cancelForCall(callControlId); },
        Qt::QueuedConnection);
}

void CallControlThread::cancelAll()
{
    if (!m_client || !m_thread.isRunning())
        return;
    QMetaObject::invokeMethod(
        m_client, [this] { m_client->cancelAll(); }, Qt::BlockingQueuedConnection);
}

} // namespace kt
