// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHostAddress>
#include <QList>
#include <QPair>

namespace kt {

// The limits the webhook server enforces itself (QHttpServer 6.4 has none). Every one is
// configurable; tests use small values.
struct ServerLimits
{
    // A request body larger than this gets 413 (checked from Content-Length before the body is
    // buffered, and by counting bytes for chunked bodies).
    qint64 maxBodyBytes = 64 * 1024;
    // The request line plus header fields larger than this (or more than maxHeaderCount fields)
    // get 431 and the connection is closed.
    qint64 maxHeaderBytes = 16 * 1024;
    int maxHeaderCount = 100;

    // Open connections at most. At the cap a new connection evicts the connection that has kept
    // the server waiting longest: idle, in the middle of a request (slowloris), or not reading
    // its answers. Only connections whose complete request is being answered are spared; when
    // every one is, the new connection gets 503 and is closed. A client that sends its requests
    // whole therefore always gets in.
    int maxConnections = 256;
    // Connections from one address that have not completed a request yet (none so far, or one
    // under way) at most; beyond it a new connection from that address gets 503. Peers in
    // `uncappedPeers` are exempt: behind the local tunnel every client is 127.0.0.1.
    int maxIncompletePerAddress = 32;
    QList<QPair<QHostAddress, int>> uncappedPeers{{QHostAddress(QHostAddress::LocalHost), 8},
                                                  {QHostAddress(QHostAddress::LocalHostIPv6), 128}};

    // A connection whose answers wait unread (a client that pipelines requests and does not
    // read) is read no further once this many bytes wait to be sent, nor while an answer is
    // still being prepared; reading resumes when they are sent. Unread input is bounded by the
    // socket's read buffer (one request of the largest size), so such a client holds a bounded
    // amount of memory; it is cut after idleTimeoutMs without progress.
    qint64 maxUnsentBytes = 64 * 1024;

    // An open connection with no request in progress is closed after this long.
    int idleTimeoutMs = 30'000;
    // A request's line and headers must arrive within this long of its first byte, and its
    // body within this long of the end of the headers; otherwise the connection is cut.
    int headerTimeoutMs = 10'000;
    int bodyTimeoutMs = 10'000;
    // After an error answer that closes the connection (413, 431, 400), unread input is
    // drained and discarded for at most this long so that the client can read the answer.
    int lingerMs = 2'000;

    // Per-client token bucket for requests that fail (bad signature, bad request, 404, ...).
    // Once a client's bucket is empty its requests get 429, except webhooks with a valid
    // signature, which are never refused for load.
    double rateBurst = 30;
    double rateRefillPerSecond = 1;
    int rateMaxClients = 4096; // buckets kept in memory at most

    // X-Forwarded-For is honoured only from these peers (address, prefix length), e.g. the
    // local tunnel: {QHostAddress::LocalHost, 32}. Empty: the client is always the TCP peer.
    QList<QPair<QHostAddress, int>> trustedProxies;
};

} // namespace kt
