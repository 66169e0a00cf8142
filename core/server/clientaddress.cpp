// SPDX-License-Identifier: GPL-3.0-or-later
#include "clientaddress.h"

namespace kt {

QHostAddress ClientAddress::normalized(const QHostAddress &address)
{
    bool ok = false;
    const quint32 v4 = address.toIPv4Address(&ok);
    if (ok && address.protocol() == QAbstractSocket::IPv6Protocol)
        return QHostAddress(v4);
    if (!address.scopeId().isEmpty()) {
        QHostAddress copy(address);
        copy.setScopeId(QString());
        return copy;
    }
    return address;
}

bool ClientAddress::isTrusted(const QHostAddress &address,
                              const QList<QPair<QHostAddress, int>> &trustedProxies)
{
    const QHostAddress a = normalized(address);
    for (const auto &subnet : trustedProxies) {
        if (a.isInSubnet(normalized(subnet.first), subnet.second))
            return true;
    }
    return false;
}

QHostAddress ClientAddress::parseForwardedEntry(QByteArray entry)
{
    entry = entry.trimmed();
    if (entry.startsWith('"') && entry.endsWith('"') && entry.size() >= 2)
        entry = entry.mid(1, entry.size() - 2).trimmed();
    if (entry.startsWith('[')) {
        const qsizetype close = entry.indexOf(']');
        if (close < 0)
            return {};
        entry = entry.mid(1, close - 1);
    } else if (entry.count(':') == 1) {
        entry = entry.left(entry.indexOf(':')); // IPv4 with a port
    }
    QHostAddress address;
    if (entry.isEmpty() || !address.setAddress(QString::fromLatin1(entry)))
        return {};
    return normalized(address);
}

QHostAddress ClientAddress::resolve(const QHostAddress &peer, const QByteArray &forwardedFor,
                                    const QList<QPair<QHostAddress, int>> &trustedProxies)
{
    QHostAddress client = normalized(peer);
    if (forwardedFor.trimmed().isEmpty() || !isTrusted(client, trustedProxies))
        return client;
    const QList<QByteArray> hops = forwardedFor.split(',');
    for (qsizetype i = hops.size() - 1; i >= 0; --i) {
        const QHostAddress hop = parseForwardedEntry(hops.at(i));
        if (hop.isNull())
            return client;
        client = hop;
        if (!isTrusted(hop, trustedProxies))
            return client;
    }
    return client;
}

} // namespace kt
