// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QTcpSocket>

#include <memory>

namespace kt {

// One HTTP/1.1 response as read off the wire.
struct RawResponse
{
    int status = 0; // 0: nothing (or no complete status line) came back
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;

    QByteArray header(const QByteArray &name) const; // case-insensitive; empty when absent
    QJsonObject json() const;
};

// A hostile or low-level HTTP client on a raw QTcpSocket: any bytes out (pipelined, partial,
// oversized), whole responses back, optionally from another loopback address (127.0.0.2, ...),
// so that the server sees a different client. Waiting spins the event loop, so a simulator in
// the same thread keeps working.
class RawHttpClient
{
public:
    RawHttpClient();
    ~RawHttpClient();

    // `from`: the local address to bind (null: any).
    bool connectTo(quint16 port, const QHostAddress &from = QHostAddress(), int timeoutMs = 5000);
    void send(const QByteArray &bytes);
    // The next complete response (head + Content-Length body); status 0 when none arrived within
    // the timeout or before the connection closed.
    RawResponse next(int timeoutMs = 10000);
    // Reads `count` responses (pipelined requests); stops early on timeout or close.
    QList<RawResponse> next(int count, int timeoutMs);
    bool isConnected() const;
    // Waits until the server closes the connection.
    bool waitClosed(int timeoutMs);
    QTcpSocket &socket() { return *m_socket; }
    QByteArray unparsed() const { return m_buffer; }

    // A request: method, path, body, extra headers; Content-Length for bodies and every POST.
    static QByteArray request(const QByteArray &method, const QByteArray &path,
                              const QByteArray &body = {},
                              const QList<QPair<QByteArray, QByteArray>> &headers = {});
    // One request on a fresh connection from `from`, then closed.
    static RawResponse once(quint16 port, const QByteArray &bytes,
                            const QHostAddress &from = QHostAddress(), int timeoutMs = 15000);

private:
    bool takeResponse(RawResponse *out);

    std::unique_ptr<QTcpSocket> m_socket;
    QByteArray m_buffer;
};

} // namespace kt
