// SPDX-License-Identifier: GPL-3.0-or-later
// kt::ClientAddress: X-Forwarded-For only from trusted proxies.
#include "server/clientaddress.h"

#include <QtTest>

using kt::ClientAddress;

class TstClientAddress : public QObject
{
    Q_OBJECT
private slots:
    void untrustedPeerIgnoresForwardedFor();
    void trustedPeerUsesRightmostUntrustedHop();
    void unparseableEntryStopsTheWalk();
    void mappedIPv4IsNormalised();
    void entriesWithPorts();
};

namespace {
const QList<QPair<QHostAddress, int>> localOnly{{QHostAddress(QStringLiteral("127.0.0.1")), 32}};
}

void TstClientAddress::untrustedPeerIgnoresForwardedFor()
{
    const QHostAddress peer(QStringLiteral("198.51.100.7"));
    QCOMPARE(ClientAddress::resolve(peer, "203.0.113.5", localOnly), peer);
    QCOMPARE(ClientAddress::resolve(QHostAddress::LocalHost, "203.0.113.5", {}),
             QHostAddress(QHostAddress::LocalHost));
}

void TstClientAddress::trustedPeerUsesRightmostUntrustedHop()
{
    const QList<QPair<QHostAddress, int>> trusted{
        {QHostAddress(QStringLiteral("127.0.0.1")), 32},
        QHostAddress::parseSubnet(QStringLiteral("10.0.0.0/8"))};
    // The client could have forged the leftmost entry; the proxies appended the rest.
    QCOMPARE(
        ClientAddress::resolve(QHostAddress::LocalHost, "1.1.1.1, 203.0.113.5, 10.1.2.3", trusted),
        QHostAddress(QStringLiteral("203.0.113.5")));
    QCOMPARE(ClientAddress::resolve(QHostAddress::LocalHost, "", trusted),
             QHostAddress(QHostAddress::LocalHost));
    // Every hop trusted: the leftmost one.
    QCOMPARE(ClientAddress::resolve(QHostAddress::LocalHost, "10.9.9.9,10.1.1.1", trusted),
             QHostAddress(QStringLiteral("10.9.9.9")));
}

void TstClientAddress::unparseableEntryStopsTheWalk()
{
    QCOMPARE(ClientAddress::resolve(QHostAddress::LocalHost, "203.0.113.5, unknown", localOnly),
             QHostAddress(QHostAddress::LocalHost));
}

void TstClientAddress::mappedIPv4IsNormalised()
{
    QCOMPARE(ClientAddress::resolve(QHostAddress(QStringLiteral("::ffff:127.0.0.1")), "203.0.113.9",
                                    localOnly),
             QHostAddress(QStringLiteral("203.0.113.9")));
}

void TstClientAddress::entriesWithPorts()
{
    QCOMPARE(ClientAddress::parseForwardedEntry("203.0.113.5:4711"),
             QHostAddress(QStringLiteral("203.0.113.5")));
    QCOMPARE(ClientAddress::parseForwardedEntry("[2001:db8::1]:443"),
             QHostAddress(QStringLiteral("2001:db8::1")));
    QCOMPARE(ClientAddress::parseForwardedEntry(" 2001:db8::2 "),
             QHostAddress(QStringLiteral("2001:db8::2")));
    QVERIFY(ClientAddress::parseForwardedEntry("_hidden").isNull());
}

QTEST_GUILESS_MAIN(TstClientAddress)
#include "tst_clientaddress.moc"
