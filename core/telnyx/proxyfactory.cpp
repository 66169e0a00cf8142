// SPDX-License-Identifier: GPL-3.0-or-later
#include "proxyfactory.h"

#include <QHostAddress>
#include <QLoggingCategory>
#include <QNetworkProxy>
#include <QRegularExpression>
#include <QUrl>

Q_LOGGING_CATEGORY(lcProxy, "kt.telnyx.proxy", QtInfoMsg)

namespace kt {

namespace {

// The first non-empty of `names` in the environment.
QByteArray firstSet(std::initializer_list<const char *> names)
{
    for (const char *name : names) {
        const QByteArray value = qgetenv(name).trimmed();
        if (!value.isEmpty())
            return value;
    }
    return {};
}

// "host", "host:port", "[v6]", "[v6]:port", "v6", "a.b.c.d/n", "*.example.com:443".
void splitHostPort(QString entry, QString *host, int *port)
{
    *port = -1;
    if (entry.startsWith(QLatin1Char('['))) {
        const int close = entry.indexOf(QLatin1Char(']'));
        if (close > 0) {
            const QString rest = entry.mid(close + 1);
            if (rest.startsWith(QLatin1Char(':')))
                *port = rest.mid(1).toInt();
            *host = entry.mid(1, close - 1) + rest.section(QLatin1Char(':'), 0, 0);
            return;
        }
    }
    const int colons = int(entry.count(QLatin1Char(':')));
    if (colons == 1) {
        const int at = int(entry.indexOf(QLatin1Char(':')));
        bool ok = false;
        const int p = entry.mid(at + 1).toInt(&ok);
        if (ok)
            *port = p;
        entry.truncate(at);
    }
    *host = entry;
}

} // namespace

bool ProxyFactory::isLoopbackHost(const QString &host)
{
    const QString h = host.toLower();
    if (h == QLatin1String("localhost") || h.endsWith(QLatin1String(".localhost")))
        return true;
    const QHostAddress address(h.startsWith(QLatin1Char('[')) ? h.mid(1, h.size() - 2) : h);
    return !address.isNull() && address.isLoopback();
}

bool ProxyFactory::isExempt(const QByteArray &noProxy, const QString &host, int port)
{
    const QString target = host.toLower();
    const QHostAddress targetAddress(target);
    const QStringList entries = QString::fromLocal8Bit(noProxy).split(
        QRegularExpression(QStringLiteral("[,\\s]+")), Qt::SkipEmptyParts);
    for (const QString &raw : entries) {
        if (raw == QLatin1String("*"))
            return true;
        QString name;
        int entryPort = -1;
        splitHostPort(raw.toLower(), &name, &entryPort);
        if (entryPort >= 0 && entryPort != port)
            continue;
        if (name.contains(QLatin1Char('/'))) {
            const auto subnet = QHostAddress::parseSubnet(name);
            if (!targetAddress.isNull() && !subnet.first.isNull() &&
                targetAddress.isInSubnet(subnet))
                return true;
            continue;
        }
        const QHostAddress entryAddress(name);
        if (!entryAddress.isNull()) {
            if (!targetAddress.isNull() && entryAddress.isEqual(targetAddress))
                return true;
            continue;
        }
        if (name.startsWith(QLatin1String("*.")))
            name.remove(0, 2);
        else if (name.startsWith(QLatin1Char('.')))
            name.remove(0, 1);
        if (name.endsWith(QLatin1Char('.')))
            name.chop(1);
        if (name.isEmpty())
            continue;
        if (target == name || target.endsWith(QLatin1Char('.') + name))
            return true;
    }
    return false;
}

QNetworkProxy ProxyFactory::parseProxy(const QByteArray &value, bool *ok)
{
    *ok = false;
    QString text = QString::fromLocal8Bit(value).trimmed();
    if (!text.contains(QLatin1String("://")))
        text.prepend(QLatin1String("http://"));
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty())
        return QNetworkProxy(QNetworkProxy::NoProxy);
    const QString scheme = url.scheme().toLower();
    QNetworkProxy::ProxyType type = QNetworkProxy::NoProxy;
    int defaultPort = 0;
    if (scheme == QLatin1String("http")) {
        type = QNetworkProxy::HttpProxy;
        defaultPort = 80;
    } else if (scheme == QLatin1String("socks5") || scheme == QLatin1String("socks5h")) {
        type = QNetworkProxy::Socks5Proxy;
        defaultPort = 1080;
    } else {
        return QNetworkProxy(QNetworkProxy::NoProxy); // https:// proxies, socks4: Qt has none
    }
    *ok = true;
    return QNetworkProxy(type, url.host(), quint16(url.port(defaultPort)),
                         url.userName(QUrl::FullyDecoded), url.password(QUrl::FullyDecoded));
}

QList<QNetworkProxy> ProxyFactory::queryProxy(const QNetworkProxyQuery &query)
{
    const QString scheme = query.url().scheme().isEmpty() ? query.protocolTag().toLower()
                                                          : query.url().scheme().toLower();
    const QString host = query.url().host().isEmpty() ? query.peerHostName() : query.url().host();
    const int port = query.url().port(
        query.peerPort() > 0 ? query.peerPort() : (scheme == QLatin1String("https") ? 443 : 80));
    if (!m_proxyLoopback && isLoopbackHost(host))
        return {QNetworkProxy(QNetworkProxy::NoProxy)};
    const QByteArray noProxy = firstSet({"no_proxy", "NO_PROXY"});
    if (!noProxy.isEmpty() && isExempt(noProxy, host, port))
        return {QNetworkProxy(QNetworkProxy::NoProxy)};

    QByteArray value;
    if (scheme == QLatin1String("https"))
        value = firstSet({"https_proxy", "HTTPS_PROXY"});
    else if (scheme == QLatin1String("http"))
        value = firstSet({"http_proxy", "HTTP_PROXY"});
    if (value.isEmpty())
        value = firstSet({"all_proxy", "ALL_PROXY"});
    if (!value.isEmpty()) {
        bool ok = false;
        const QNetworkProxy proxy = parseProxy(value, &ok);
        if (ok)
            return {proxy};
        // Never the value itself: it may carry a password.
        qCWarning(lcProxy) << "the proxy set in the environment for" << scheme
                           << "is not usable (expected http://host:port or socks5://host:port);"
                              " connecting directly";
        return {QNetworkProxy(QNetworkProxy::NoProxy)};
    }
    return systemProxyForQuery(query);
}

} // namespace kt
