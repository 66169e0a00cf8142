// SPDX-License-Identifier: GPL-3.0-or-later
#include "devtoolssession.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QStandardPaths>
#include <QThread>
#include <QTimer>

namespace kt::test {

DevToolsSession::DevToolsSession()
{
    connect(&m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
        const QJsonObject message = QJsonDocument::fromJson(text.toUtf8()).object();
        if (message.contains(QLatin1String("id")))
            m_answers.insert(message.value(QLatin1String("id")).toInt(), message);
        else
            m_events.append({message.value(QLatin1String("method")).toString(),
                             message.value(QLatin1String("params")).toObject()});
    });
}

DevToolsSession::~DevToolsSession()
{
    m_socket.close();
    if (m_process.state() != QProcess::NotRunning) {
        m_process.terminate();
        if (!m_process.waitForFinished(5000)) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }
}

QString DevToolsSession::findChromium()
{
    for (const char *name : {"chromium", "chromium-browser"}) {
        const QString path = QStandardPaths::findExecutable(QString::fromLatin1(name));
        if (!path.isEmpty())
            return path;
    }
    return {};
}

bool DevToolsSession::start(const QString &chromium)
{
    if (!m_profile.isValid()) {
        m_error = QStringLiteral("no temporary profile directory");
        return false;
    }
    m_process.setProgram(chromium);
    m_process.setArguments({
        QStringLiteral("--headless"),
        QStringLiteral("--no-sandbox"),
        QStringLiteral("--disable-gpu"),
        QStringLiteral("--disable-background-networking"),
        QStringLiteral("--disable-component-update"),
        QStringLiteral("--disable-sync"),
        QStringLiteral("--disable-extensions"),
        QStringLiteral("--disable-default-apps"),
        QStringLiteral("--no-first-run"),
        QStringLiteral("--no-default-browser-check"),
        QStringLiteral("--hide-scrollbars"),
        QStringLiteral("--user-data-dir=") + m_profile.path(),
        QStringLiteral("--remote-debugging-address=127.0.0.1"),
        QStringLiteral("--remote-debugging-port=0"),
        QStringLiteral("about:blank"),
    });
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    m_process.start();
    if (!m_process.waitForStarted(10000)) {
        m_error = QStringLiteral("chromium did not start: ") + m_process.errorString();
        return false;
    }

    // The browser writes its port (and its own endpoint) into DevToolsActivePort.
    QFile portFile(m_profile.filePath(QStringLiteral("DevToolsActivePort")));
    QDeadlineTimer deadline(30000);
    int port = 0;
    while (!deadline.hasExpired() && port == 0) {
        if (portFile.open(QIODevice::ReadOnly)) {
            port = portFile.readLine().trimmed().toInt();
            portFile.close();
        }
        if (port == 0) {
            QEventLoop loop;
            QTimer::singleShot(100, &loop, &QEventLoop::quit);
            loop.exec();
        }
        if (m_process.state() == QProcess::NotRunning)
            break;
    }
    if (port == 0) {
        m_error = QStringLiteral("chromium wrote no DevToolsActivePort: ") +
                  QString::fromLocal8Bit(m_process.readAll().right(2000));
        return false;
    }

    // The page target's WebSocket, from the HTTP endpoint's target list.
    QNetworkAccessManager network;
    QString pageSocket;
    while (!deadline.hasExpired() && pageSocket.isEmpty()) {
        QNetworkRequest request(QUrl(QStringLiteral("http://127.0.0.1:%1/json/list").arg(port)));
        QNetworkReply *reply = network.get(request);
        QEventLoop loop;
        connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        QTimer::singleShot(5000, &loop, &QEventLoop::quit);
        loop.exec();
        const QJsonArray targets = QJsonDocument::fromJson(reply->readAll()).array();
        reply->deleteLater();
        for (const QJsonValue &t : targets) {
            if (t.toObject().value(QLatin1String("type")).toString() == QLatin1String("page")) {
                pageSocket = t.toObject().value(QLatin1String("webSocketDebuggerUrl")).toString();
                break;
            }
        }
    }
    if (pageSocket.isEmpty()) {
        m_error = QStringLiteral("no page target on the DevTools port");
        return false;
    }
    QEventLoop loop;
    connect(&m_socket, &QWebSocket::connected, &loop, &QEventLoop::quit);
    QTimer::singleShot(10000, &loop, &QEventLoop::quit);
    m_socket.open(QUrl(pageSocket));
    loop.exec();
    if (m_socket.state() != QAbstractSocket::ConnectedState) {
        m_error = QStringLiteral("cannot connect to the page: ") + m_socket.errorString();
        return false;
    }
    for (const char *domain : {"Page.enable", "Runtime.enable", "Log.enable", "DOM.enable"}) {
        call(QString::fromLatin1(domain));
        if (!m_error.isEmpty())
            return false;
    }
    return true;
}

QJsonObject DevToolsSession::call(const QString &method, const QJsonObject &params, int timeoutMs)
{
    m_error.clear();
    const int id = ++m_nextId;
    QJsonObject message{{QStringLiteral("id"), id}, {QStringLiteral("method"), method}};
    if (!params.isEmpty())
        message.insert(QStringLiteral("params"), params);
    m_socket.sendTextMessage(
        QString::fromUtf8(QJsonDocument(message).toJson(QJsonDocument::Compact)));
    QDeadlineTimer deadline(timeoutMs);
    while (!m_answers.contains(id) && !deadline.hasExpired() &&
           m_socket.state() == QAbstractSocket::ConnectedState)
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
    if (!m_answers.contains(id)) {
        m_error = QStringLiteral("no answer to %1").arg(method);
        return {};
    }
    const QJsonObject answer = m_answers.take(id);
    if (answer.contains(QLatin1String("error"))) {
        m_error = method + QStringLiteral(": ") +
                  QString::fromUtf8(QJsonDocument(answer.value(QLatin1String("error")).toObject())
                                        .toJson(QJsonDocument::Compact));
        return {};
    }
    return answer.value(QLatin1String("result")).toObject();
}

QJsonValue DevToolsSession::evaluate(const QString &expression, int timeoutMs)
{
    const QJsonObject result = call(QStringLiteral("Runtime.evaluate"),
                                    {{QStringLiteral("expression"), expression},
                                     {QStringLiteral("awaitPromise"), true},
                                     {QStringLiteral("returnByValue"), true}},
                                    timeoutMs);
    if (result.contains(QLatin1String("exceptionDetails"))) {
        m_error = QStringLiteral("exception: ") +
                  QString::fromUtf8(
                      QJsonDocument(result.value(QLatin1String("exceptionDetails")).toObject())
                          .toJson(QJsonDocument::Compact));
        return QJsonValue(QJsonValue::Undefined);
    }
    return result.value(QLatin1String("result")).toObject().value(QLatin1String("value"));
}

bool DevToolsSession::waitFor(const QString &expression, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        if (evaluate(expression, 5000).toBool())
            return true;
        QEventLoop loop;
        QTimer::singleShot(50, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return false;
}

bool DevToolsSession::navigate(const QString &url)
{
    call(QStringLiteral("Page.navigate"), {{QStringLiteral("url"), url}});
    if (!m_error.isEmpty())
        return false;
    return waitFor(QStringLiteral("document.readyState === 'complete' && location.href === ") +
                   QString::fromUtf8(QJsonDocument(QJsonArray{url}).toJson(QJsonDocument::Compact))
                       .mid(1)
                       .chopped(1));
}

void DevToolsSession::setViewport(int width, int height, bool mobile)
{
    call(QStringLiteral("Emulation.setDeviceMetricsOverride"),
         {{QStringLiteral("width"), width},
          {QStringLiteral("height"), height},
          {QStringLiteral("deviceScaleFactor"), 1},
          {QStringLiteral("mobile"), mobile}});
}

bool DevToolsSession::screenshot(const QString &path)
{
    const QJsonObject result = call(QStringLiteral("Page.captureScreenshot"),
                                    {{QStringLiteral("format"), QStringLiteral("png")},
                                     {QStringLiteral("captureBeyondViewport"), true}});
    const QByteArray png =
        QByteArray::fromBase64(result.value(QLatin1String("data")).toString().toLatin1());
    QFile file(path);
    return !png.isEmpty() && file.open(QIODevice::WriteOnly) && file.write(png) == png.size();
}

bool DevToolsSession::setFiles(const QString &selector, const QStringList &paths)
{
    const QJsonObject document = call(QStringLiteral("DOM.getDocument"));
    const int root =
        document.value(QLatin1String("root")).toObject().value(QLatin1String("nodeId")).toInt();
    const QJsonObject node =
        call(QStringLiteral("DOM.querySelector"),
             {{QStringLiteral("nodeId"), root}, {QStringLiteral("selector"), selector}});
    const int nodeId = node.value(QLatin1String("nodeId")).toInt();
    if (nodeId == 0)
        return false;
    call(QStringLiteral("DOM.setFileInputFiles"),
         {{QStringLiteral("files"), QJsonArray::fromStringList(paths)},
          {QStringLiteral("nodeId"), nodeId}});
    return m_error.isEmpty();
}

} // namespace kt::test
