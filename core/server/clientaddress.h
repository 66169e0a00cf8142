// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QPair>

namespace kt {

// Who a request comes from, for rate limiting.
class ClientAddress
{
public:
    // The TCP peer, unless the peer is a trusted proxy: then X-Forwarded-For (all values of the
    // header joined with ",") is read from the right, skipping trusted proxies, and the first
    // address that is not one is the client. An unparseable entry stops the walk at the last
    // trusted hop. IPv4-mapped IPv6 addresses are returned as IPv4.
    static QHostAddress resolve(const QHostAddress &peer, const QByteArray &forwardedFor,
                                const QList<QPair<QHostAddress, int>> &trustedProxies);

    static bool isTrusted(const QHostAddress &address,
                          const QList<QPair<QHostAddress, int>> &trustedProxies);
    static QHostAddress normalized(const QHostAddress &address);
    // "203.0.113.5", "203.0.113.5:4711", "2001:db8::1", "[2001:db8::1]:443"; null if not an IP.
    static QHostAddress parseForwardedEntry(QByteArray entry);
};

} // namespace kt
