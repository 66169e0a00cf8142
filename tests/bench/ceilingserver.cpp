// SPDX-License-Identifier: GPL-3.0-or-later
#include "ceilingserver.h"

#include "server/webhookhandler.h"
#include "server/webhookserver.h"

#include <QHttpServer>
#include <QHttpServerResponse>
#include <QTcpServer>

namespace kt::bench {
namespace {
// Accepts every verified webhook and keeps nothing.
class NullHandler : public WebhookHandler
{
public:
    explicit NullHandler(std::atomic<qint64> &count) : m_count(count) {}
    StoreOutcome store(const WebhookEvent &, const QByteArray &) override
    {
        ++m_count;
        return StoreOutcome::stored();
    }
    void process(const WebhookEvent &) override {}
    Health health() override { return {true, {}, {}}; }

private:
    std::atomic<qint64> &m_count;
};
} // namespace

CeilingServer::CeilingServer(QObject *parent) : QThread(parent)
{
    setObjectName(QStringLiteral("ceiling"));
}

CeilingServer::CeilingServer(const QByteArray &webhookPublicKey, QObject *parent)
    : QThread(parent), m_publicKey(webhookPublicKey)
{
    setObjectName(QStringLiteral("checked-ceiling"));
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
    if (!m_publicKey.isEmpty()) {
        NullHandler handler(m_requests);
        WebhookServer server(&handler);
        server.setVerifier(WebhookVerifier(m_publicKey));
        ServerLimits limits;
        limits.rateBurst = 1000000; // the load generator is one client
        server.setLimits(limits);
        if (server.listen(QHostAddress::LocalHost, 0))
            m_port = server.serverPort();
        m_ready = true;
        if (m_port.load() != 0)
            exec();
        return;
    }
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
