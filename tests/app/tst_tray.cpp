// SPDX-License-Identifier: GPL-3.0-or-later
// The tray: its menu, its icon per health, and one notification per new call. The tests run
// without a system tray (offscreen), which is also the app's "plain window" case.
#include "platform/tray.h"

#include <QAction>
#include <QImage>
#include <QJsonArray>
#include <QJsonObject>
#include <QMenu>
#include <QSignalSpy>
#include <QtTest>

using namespace kt;

namespace {
CallRecord call(const QString &id, const QString &decision)
{
    CallRecord c;
    c.callId = id;
    c.fromNumber = QStringLiteral("+14155550132");
    c.toNumber = QStringLiteral("+17702300635");
    c.callerName = QStringLiteral("Alice");
    c.decision = decision;
    c.reason = QStringLiteral("registry");
    c.namespaceName = QStringLiteral("alice.x");
    c.state = QStringLiteral("ringing");
    return c;
}

QRgb centreOfBadge(const QIcon &icon)
{
    // The badge sits at (50, 14) of 64.
    return icon.pixmap(64, 64).toImage().pixel(50, 14);
}
} // namespace

class TstTray : public QObject
{
    Q_OBJECT
private slots:
    void menuActionsEmitSignals();
    void iconAndToolTipFollowHealth();
    void notifiesOncePerDecidedCall();
    void notificationTextIsPlain();
    void screenedCallCarriesTheFirstWords();
    void registrationReadyIsNotified();
};

void TstTray::menuActionsEmitSignals()
{
    Tray tray;
    QCOMPARE(tray.menu()->actions().size(), 4); // open, pause, separator, quit
    QSignalSpy open(&tray, &Tray::openRequested);
    QSignalSpy pause(&tray, &Tray::pauseToggled);
    QSignalSpy quit(&tray, &Tray::quitRequested);
    tray.openAction()->trigger();
    tray.pauseAction()->trigger();
    QCOMPARE(open.count(), 1);
    QCOMPARE(pause.count(), 1);
    QCOMPARE(pause.at(0).at(0).toBool(), true);
    QCOMPARE(tray.health(), Tray::Health::Paused);
    tray.pauseAction()->trigger();
    QCOMPARE(pause.at(1).at(0).toBool(), false);
    tray.quitAction()->trigger();
    QCOMPARE(quit.count(), 1);

    // Set from the app (e.g. the dashboard's switch): the menu follows, without echoing back.
    tray.setPaused(true);
    QVERIFY(tray.pauseAction()->isChecked());
    QCOMPARE(pause.count(), 2);
    if (!Tray::isAvailable())
        QVERIFY(!tray.show());
}

void TstTray::iconAndToolTipFollowHealth()
{
    Tray tray;
    QCOMPARE(tray.health(), Tray::Health::Ok);
    QVERIFY(!tray.icon().isNull());
    QVERIFY(tray.toolTip().contains(QStringLiteral("Screening calls")));
    const QRgb ok = centreOfBadge(tray.icon());

    tray.setTelnyxHealth(true, QStringLiteral("Telnyx answered 503\nretrying"));
    QCOMPARE(tray.health(), Tray::Health::Failing);
    QVERIFY(tray.toolTip().contains(QStringLiteral("Telnyx answered 503 retrying")));
    const QRgb failing = centreOfBadge(tray.icon());
    QVERIFY(qRed(failing) > 150 && qGreen(failing) < 80);
    QVERIFY(failing != ok);

    tray.setTelnyxHealth(false, QString());
    tray.setPaused(true);
    const QRgb paused = centreOfBadge(tray.icon());
    QVERIFY(paused != failing && paused != ok);
    QVERIFY(tray.toolTip().contains(QStringLiteral("paused")));
}

void TstTray::notifiesOncePerDecidedCall()
{
    Tray tray;
    QSignalSpy notified(&tray, &Tray::notified);
    tray.onCallChanged(call(QStringLiteral("a"), QString())); // not decided yet
    QCOMPARE(notified.count(), 0);
    tray.onCallChanged(call(QStringLiteral("a"), QStringLiteral("authenticated")));
    tray.onCallChanged(call(QStringLiteral("a"), QStringLiteral("authenticated")));
    QCOMPARE(notified.count(), 1);
    QCOMPARE(notified.at(0).at(0).toString(), QStringLiteral("Call from (415) 555-0132 · alice.x"));
    QVERIFY(notified.at(0).at(1).toString().startsWith(QStringLiteral("authenticated (registry)")));
    tray.onCallChanged(call(QStringLiteral("b"), QStringLiteral("ask")));
    QCOMPARE(notified.count(), 2);
    QVERIFY(notified.at(1).at(1).toString().contains(QStringLiteral("accept or reject")));
}

void TstTray::notificationTextIsPlain()
{
    CallRecord c = call(QStringLiteral("x"), QStringLiteral("rejected"));
    c.fromNumber = QStringLiteral("anonymous");
    c.namespaceName.clear();
    c.callerName = QStringLiteral("<b>WIN</b>\u202e\n$$$");
    const Tray::Notification n = Tray::notificationFor(c);
    QCOMPARE(n.title, QStringLiteral("Call from anonymous (<b>WIN</b> $$$)"));
    QVERIFY(!n.body.contains(QLatin1Char('\n')));
    c.flags.insert(QStringLiteral("dry_run"), true);
    QVERIFY(Tray::notificationFor(c).body.contains(QStringLiteral("paused")));
}

void TstTray::screenedCallCarriesTheFirstWords()
{
    Tray tray;
    QSignalSpy notified(&tray, &Tray::notified);
    CallRecord c = call(QStringLiteral("s"), QStringLiteral("ask"));
    c.reason = QStringLiteral("screen_owner");
    c.namespaceName.clear();
    c.state = QStringLiteral("screening");
    auto withWords = [&c](const QJsonArray &utterances, const QJsonObject &deepfake = {}) {
        QJsonObject screen{{QStringLiteral("engine"), QStringLiteral("google")},
                           {QStringLiteral("transcript"),
                            QJsonObject{{QStringLiteral("utterances"), utterances}}}};
        if (!deepfake.isEmpty())
            screen.insert(QStringLiteral("deepfake"), deepfake);
        c.flags = {{QStringLiteral("screen"), screen}};
        return c;
    };
    auto said = [](const QString &text, bool final) {
        return QJsonObject{{QStringLiteral("text"), text}, {QStringLiteral("final"), final}};
    };
    // Decided: announced as screened.
    tray.onCallChanged(withWords({}));
    QCOMPARE(notified.count(), 1);
    QVERIFY(notified.at(0).at(1).toString().startsWith(QStringLiteral("screening")));
    // An interim word is not worth a second notification; the first sentence said in full is.
    tray.onCallChanged(withWords({said(QStringLiteral("hi"), false)}));
    QCOMPARE(notified.count(), 1);
    tray.onCallChanged(withWords(
        {said(QStringLiteral("Hi, it's <b>Dana</b>\u202e.\nCall me"), true)},
        {{QStringLiteral("result"), QStringLiteral("fake")}, {QStringLiteral("score"), 0.91}}));
    QCOMPARE(notified.count(), 2);
    const QString body = notified.at(1).at(1).toString();
    QVERIFY2(body.startsWith(QStringLiteral("“Hi, it's <b>Dana</b>. Call me”")), qPrintable(body));
    QVERIFY(body.contains(QStringLiteral("the voice may be synthetic (score 0.91)")));
    QVERIFY(!body.contains(QLatin1Char('\n')));
    // Once only.
    tray.onCallChanged(
        withWords({said(QStringLiteral("Hi"), true), said(QStringLiteral("more"), true)}));
    QCOMPARE(notified.count(), 2);
}

void TstTray::registrationReadyIsNotified()
{
    Tray tray;
    QSignalSpy notified(&tray, &Tray::notified);
    tray.onRegistrationProven(QStringLiteral("0123abcd"), QStringLiteral("alice.x"),
                              QStringLiteral("+18124040851"), false);
    QCOMPARE(notified.size(), 1);
    QCOMPARE(notified.first().at(0).toString(), QStringLiteral("Registration to approve: alice.x"));
    const QString body = notified.first().at(1).toString();
    QVERIFY(body.contains(QStringLiteral("(812) 404-0851")));
    QVERIFY(body.contains(QStringLiteral("Registry")));
    QVERIFY(!body.contains(QStringLiteral("0123abcd")));
    tray.onRegistrationProven(QStringLiteral("0123abcd"), QStringLiteral("alice.x"),
                              QStringLiteral("+18124040851"), true);
    QCOMPARE(notified.last().at(0).toString(), QStringLiteral("Registered: alice.x"));
}

QTEST_MAIN(TstTray)
#include "tst_tray.moc"
