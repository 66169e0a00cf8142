// SPDX-License-Identifier: GPL-3.0-or-later
#include "ceilingserver.h"

#include <QHttpServer>
#include <QHttpServerResponse>
#include <QTcpServer>

namespace kt::bench {

CeilingServer::CeilingServer(QObject *parent) : QThread(parent)
{
    setObjectName(QStringLiteral("ceiling"));
}

CeilingServer::~CeilingServer()
{
    stopAndWait();
}

quint16 CeilingServer::startAndWait()
{
    start();
    while (!m_ready.load())
        QThread::msleep(1);
    return m_port.load();
}

void CeilingServer::stopAndWait()
{
    if (!isRunning())
        return;
    quit();
    wait();
}

void CeilingServer::run()
{
    QHttpServer http;
    http.route(QStringLiteral("/webhooks/telnyx"), QHttpServerRequest::Method::Post,
               [this](const QHttpServerRequest &) {
                   ++m_requests;
                   return QHttpServerResponse(QByteArrayLiteral("application/json"),
                                              QByteArrayLiteral("{\"result\":\"stored\"}"));
               });
    auto *tcp = new QTcpServer(&http);
    if (!tcp->listen(QHostAddress::LocalHost, 0)) {
        delete tcp;
        m_ready = true;
        return;
    }
    http.bind(tcp);
    m_port = tcp->serverPort();
    m_ready = true;
    exec();
}

} // namespace kt::bench
