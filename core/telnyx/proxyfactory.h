// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QNetworkProxyFactory>
#include <QString>

namespace kt {

// Chooses the proxy for the Telnyx client's requests, the way curl and most command-line tools
// read the environment, and otherwise as the desktop says:
// - `https_proxy` / `HTTPS_PROXY` for https URLs, `http_proxy` / `HTTP_PROXY` for http URLs,
//   then `all_proxy` / `ALL_PROXY` (lower case wins); "host:port", "http://[user:pass@]host:port"
//   or "socks5[h]://host:port";
// - `no_proxy` / `NO_PROXY`: a comma-separated list of "*", host names (matching the name and
//   its subdomains; a leading "." or "*." is allowed), IP addresses and CIDR ranges, each with
//   an optional ":port";
// - with none of these set, QNetworkProxyFactory::systemProxyForQuery() (the desktop's settings
//   through libproxy on Linux, the system's on Windows and macOS).
// Loopback hosts (127.0.0.0/8, ::1, localhost) go direct unless setProxyLoopback(true).
// Qt's own lookup on Linux asks libproxy, which (0.4 as on Debian 12, tried with Qt 6.4) ignores
// NO_PROXY, "no_proxy=*" and a host's parent domain ("telnyx.com" for api.telnyx.com), reads
// http_proxy for https URLs and takes no "host:port" without a scheme; hence this class, which
// reads the variables as curl does. The environment is read on every query.
class ProxyFactory : public QNetworkProxyFactory
{
public:
    QList<QNetworkProxy> queryProxy(const QNetworkProxyQuery &query = {}) override;

    // Loopback hosts through the proxy too (tests run a proxy and a server on loopback).
    void setProxyLoopback(bool on) { m_proxyLoopback = on; }

    // Whether `noProxy` (the no_proxy syntax above) exempts host:port.
    static bool isExempt(const QByteArray &noProxy, const QString &host, int port);
    // A proxy from an environment value; NoProxy-typed and *ok false when unusable.
    static QNetworkProxy parseProxy(const QByteArray &value, bool *ok);
    // 127.0.0.0/8, ::1, "localhost" and names below it.
    static bool isLoopbackHost(const QString &host);

private:
    bool m_proxyLoopback = false;
};

} // namespace kt
