// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QObject>
#include <QProcess>
#include <QString>
#include <QTemporaryDir>
#include <QWebSocket>

#include <functional>
#include <memory>

namespace kt::test {

// A headless Chromium driven over the DevTools protocol (one page), for tests of web pages
// served on loopback. Everything is synchronous: each call runs the event loop until its answer
// arrives, so servers in the test's thread keep answering meanwhile.
class DevToolsSession : public QObject
{
    Q_OBJECT
public:
    DevToolsSession();
    ~DevToolsSession() override;

    // The Chromium binary on PATH ("chromium", else "chromium-browser"); empty when none.
    static QString findChromium();
    // Starts the browser and attaches to its page. False with error() set on failure.
    bool start(const QString &chromium);
    QString error() const { return m_error; }

    // A protocol command; the "result" object, or an empty object with error() set.
    QJsonObject call(const QString &method, const QJsonObject &params = {}, int timeoutMs = 20000);
    // Runtime.evaluate with awaitPromise; the value (undefined -> QJsonValue::Undefined).
    QJsonValue evaluate(const QString &expression, int timeoutMs = 20000);
    // Evaluates `expression` until it is true, or the timeout passes (false).
    bool waitFor(const QString &expression, int timeoutMs = 20000);
    bool navigate(const QString &url);
    void setViewport(int width, int height, bool mobile);
    // Page.captureScreenshot of the whole page as PNG to `path`.
    bool screenshot(const QString &path);
    // DOM.setFileInputFiles on the <input type=file> matching `selector`.
    bool setFiles(const QString &selector, const QStringList &paths);
    // Protocol events received so far (method, params), e.g. Log.entryAdded.
    QList<QPair<QString, QJsonObject>> events() const { return m_events; }

private:
    QProcess m_process;
    QTemporaryDir m_profile;
    QWebSocket m_socket;
    int m_nextId = 0;
    QHash<int, QJsonObject> m_answers;
    QList<QPair<QString, QJsonObject>> m_events;
    QString m_error;
};

} // namespace kt::test
