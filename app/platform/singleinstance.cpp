// SPDX-License-Identifier: GPL-3.0-or-later
#include "singleinstance.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QLocalServer>
#include <QLocalSocket>
#include <QRegularExpression>

namespace kt {
namespace {
const QByteArray ShowCommand = QByteArrayLiteral("show\n");
}

SingleInstance::SingleInstance(const QString &key, QObject *parent) : QObject(parent), m_key(key) {}

SingleInstance::~SingleInstance() = default;

QString SingleInstance::keyFor(const QString &databasePath)
{
    const QString absolute = QFileInfo(databasePath).absoluteFilePath();
    const QByteArray hash =
        QCryptographicHash::hash((QDir::homePath() + QLatin1Char('\n') + absolute).toUtf8(),
                                 QCryptographicHash::Sha256)
            .toHex()
            .left(16);
    QString user = qEnvironmentVariable("USER", qEnvironmentVariable("USERNAME"));
    user.remove(QRegularExpression(QStringLiteral("[^A-Za-z0-9_.-]")));
    return QStringLiteral("kevan-tel-%1-%2").arg(user.left(32), QString::fromLatin1(hash));
}

bool SingleInstance::claim(int timeoutMs)
{
    {
        QLocalSocket socket;
        socket.connectToServer(m_key);
        if (socket.waitForConnected(timeoutMs)) {
            socket.write(ShowCommand);
            socket.waitForBytesWritten(timeoutMs);
            // Wait for the answer, so the request is not lost when this process exits.
            socket.waitForReadyRead(timeoutMs);
            socket.disconnectFromServer();
            return false;
        }
    }
    // Nobody answered: a socket file left by a crashed instance is stale.
    QLocalServer::removeServer(m_key);
    m_server = new QLocalServer(this);
    m_server->setSocketOptions(QLocalServer::UserAccessOption);
    if (!m_server->listen(m_key)) {
        // Cannot listen (e.g. another instance won a race): run anyway rather than not at all.
        delete m_server;
        m_server = nullptr;
        return true;
    }
    connect(m_server, &QLocalServer::newConnection, this, &SingleInstance::onNewConnection);
    return true;
}

void SingleInstance::onNewConnection()
{
    while (QLocalSocket *socket = m_server->nextPendingConnection()) {
        auto handle = [this, socket] {
            // Our one command, or nothing: a line is a few bytes.
            if (socket->bytesAvailable() > 64) {
                socket->abort();
                return;
            }
            if (!socket->canReadLine())
                return;
            if (socket->readLine(64) == ShowCommand) {
                socket->write(QByteArrayLiteral("ok\n"));
                socket->flush();
                emit showRequested();
            }
            socket->disconnectFromServer();
        };
        connect(socket, &QLocalSocket::readyRead, this, handle);
        connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
        handle(); // the request may be here already
    }
}

} // namespace kt
