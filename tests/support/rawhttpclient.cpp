// SPDX-License-Identifier: GPL-3.0-or-later
#include "rawhttpclient.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QTest>

namespace kt {

QByteArray RawResponse::header(const QByteArray &name) const
{
    for (const auto &h : headers) {
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            return h.second;
    }
    return {};
}

QJsonObject RawResponse::json() const
{
    return QJsonDocument::fromJson(body).object();
}

RawHttpClient::RawHttpClient() : m_socket(std::make_unique<QTcpSocket>()) {}

RawHttpClient::~RawHttpClient()
{
    m_socket->abort();
}

bool RawHttpClient::connectTo(quint16 port, const QHostAddress &from, int timeoutMs)
{
    if (!from.isNull() && !m_socket->bind(from, 0))
        return false;
    m_socket->connectToHost(QHostAddress::LocalHost, port);
    return QTest::qWaitFor(
               [this] {
                   return m_socket->state() == QAbstractSocket::ConnectedState ||
                          m_socket->state() == QAbstractSocket::UnconnectedState;
               },
               timeoutMs) &&
           m_socket->state() == QAbstractSocket::ConnectedState;
}

void RawHttpClient::send(const QByteArray &bytes)
{
    m_socket->write(bytes);
    m_socket->flush();
}

bool RawHttpClient::isConnected() const
{
    return m_socket->state() == QAbstractSocket::ConnectedState;
}

bool RawHttpClient::takeResponse(RawResponse *out)
{
    const qsizetype end = m_buffer.indexOf("\r\n\r\n");
    if (end < 0)
        return false;
    const QList<QByteArray> lines = m_buffer.left(end).split('\n');
    RawResponse r;
    qsizetype length = 0;
    for (int i = 0; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        if (i == 0) {
            if (line.startsWith("HTTP/1."))
                r.status = line.mid(9, 3).toInt();
            continue;
        }
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArray name = line.left(colon).trimmed();
        const QByteArray value = line.mid(colon + 1).trimmed();
        r.headers.append({name, value});
        if (name.compare("content-length", Qt::CaseInsensitive) == 0)
            length = value.toLongLong();
    }
    const qsizetype total = end + 4 + length;
    if (m_buffer.size() < total)
        return false;
    r.body = m_buffer.mid(end + 4, length);
    m_buffer.remove(0, total);
    *out = r;
    return true;
}

RawResponse RawHttpClient::next(int timeoutMs)
{
    RawResponse r;
    QElapsedTimer t;
    t.start();
    for (;;) {
        m_buffer += m_socket->readAll();
        if (takeResponse(&r))
            return r;
        if (m_socket->state() != QAbstractSocket::ConnectedState && m_socket->bytesAvailable() == 0)
            return {};
        const qint64 left = timeoutMs - t.elapsed();
        if (left <= 0)
            return {};
        (void)QTest::qWaitFor(
            [this] {
                return m_socket->bytesAvailable() > 0 ||
                       m_socket->state() != QAbstractSocket::ConnectedState;
            },
            int(left));
    }
}

QList<RawResponse> RawHttpClient::next(int count, int timeoutMs)
{
    QList<RawResponse> out;
    QElapsedTimer t;
    t.start();
    while (out.size() < count) {
        const qint64 left = timeoutMs - t.elapsed();
        if (left <= 0)
            break;
        RawResponse r = next(int(left));
        if (r.status == 0)
            break;
        out.append(r);
    }
    return out;
}

bool RawHttpClient::waitClosed(int timeoutMs)
{
    return QTest::qWaitFor(
        [this] {
            m_buffer += m_socket->readAll();
            return m_socket->state() == QAbstractSocket::UnconnectedState;
        },
        timeoutMs);
}

QByteArray RawHttpClient::request(const QByteArray &method, const QByteArray &path,
                                  const QByteArray &body,
                                  const QList<QPair<QByteArray, QByteArray>> &headers)
{
    QByteArray out = method + ' ' + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    for (const auto &h : headers)
        out += h.first + ": " + h.second + "\r\n";
    if (!body.isEmpty() || method == "POST")
        out +=
            "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) +
            "\r\n";
    return out + "\r\n" + body;
}

RawResponse RawHttpClient::once(quint16 port, const QByteArray &bytes, const QHostAddress &from,
                                int timeoutMs)
{
    RawHttpClient c;
    if (!c.connectTo(port, from))
        return {};
    c.send(bytes);
    return c.next(timeoutMs);
}

} // namespace kt
