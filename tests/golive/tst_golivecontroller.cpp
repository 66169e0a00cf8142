// SPDX-License-Identifier: GPL-3.0-or-later
// The desktop's Go live page: GoLiveController with a stand-in cloudflared and the Telnyx
// simulator (the tunnel comes up and its URL becomes the application's webhook URL, the
// configured second instance its failover URL), its errors, the quiet warning fed by a real
// engine, and GoLiveView.qml rendered offscreen without warnings.
#include "engine/config.h"
#include "engine/engine.h"
#include "golivecontroller.h"
#include "quickitems.h"
#include "simulator/telnyxsimulator.h"
#include "simulatorfixture.h"
#include "standincloudflared.h"

#include <QQmlEngine>
#include <QQuickItem>
#include <QQuickStyle>
#include <QQuickView>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using kt::GoLiveController;
using kt::test::StandIn;

namespace {
constexpr int Timeout = 20000;

QQuickItem *findNamed(QQuickItem *item, const QString &name)
{
    if (!item)
        return nullptr;
    if (item->objectName() == name)
        return item;
    for (QQuickItem *child : item->childItems()) {
        if (QQuickItem *found = findNamed(child, name))
            return found;
    }
    return nullptr;
}
} // namespace

class TstGoLiveController : public QObject, public kt::test::SimulatorFixture
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void cleanup();

    void tunnelUpSetsTheWebhookUrl();
    void goLiveReportsTelnyxErrors();
    void unavailableWithoutAnAccount();
    void followsTheEngineAndWarnsWhenQuiet();
    void viewRendersAndActs();

private:
    GoLiveController::Settings settings() const;
};

void TstGoLiveController::initTestCase()
{
    QQuickStyle::setStyle(QStringLiteral("Basic"));
}

void TstGoLiveController::init()
{
    QVERIFY(setUp());
}

void TstGoLiveController::cleanup()
{
    tearDown();
}

GoLiveController::Settings TstGoLiveController::settings() const
{
    GoLiveController::Settings s;
    s.serverUrl = QStringLiteral("http://127.0.0.1:3999");
    s.telnyxApiUrl = m_telnyx->baseUrl().toString();
    s.apiKey = m_telnyx->apiKey();
    s.cloudflared = m_dir->filePath(QStringLiteral("cloudflared"));
    return s;
}

void TstGoLiveController::tunnelUpSetsTheWebhookUrl()
{
    QVERIFY(!kt::test::writeStandInCloudflared(m_dir->path(), StandIn::Works).isEmpty());
    GoLiveController c(settings());
    QCOMPARE(c.localUrl(), QStringLiteral("http://127.0.0.1:3999/webhooks/telnyx"));
    QVERIFY(c.canGoLive());
    QVERIFY(c.tunnelAvailable());
    QVERIFY(c.autoGoLive());
    QCOMPARE(c.tunnelState(), QStringLiteral("stopped"));
    QSignalSpy finished(&c, &GoLiveController::goLiveFinished);
    QVERIFY(c.startTunnel());
    QTRY_COMPARE_WITH_TIMEOUT(c.tunnelState(), QStringLiteral("running"), Timeout);
    QCOMPARE(c.tunnelUrl(), QString::fromLatin1(kt::test::standInUrl()));
    QVERIFY(c.tunnel().recentLog().size() > 0);
    QTRY_VERIFY_WITH_TIMEOUT(c.setupDone(), Timeout);
    QVERIFY2(c.setupOk(), qPrintable(c.setupMessage()));
    const QString expected =
        QString::fromLatin1(kt::test::standInUrl()) + QStringLiteral("/webhooks/telnyx");
    QCOMPARE(c.webhookUrl(), expected);
    QCOMPARE(m_telnyx->webhookUrl().toString(), expected);
    QCOMPARE(finished.size(), 1);
    QCOMPARE(finished.at(0).at(0).toBool(), true);
    QVERIFY(finished.at(0).at(1).toString().contains(expected));
    c.stopTunnel();
    QCOMPARE(c.tunnelState(), QStringLiteral("stopped"));
    QVERIFY(c.tunnelUrl().isEmpty());

    // Without autoGoLive, the tunnel alone changes nothing in Telnyx.
    m_telnyx->setWebhookUrl(QUrl());
    c.setAutoGoLive(false);
    QVERIFY(c.startTunnel());
    QTRY_COMPARE_WITH_TIMEOUT(c.tunnelState(), QStringLiteral("running"), Timeout);
    QVERIFY(!c.setupRunning());
    QCOMPARE(finished.size(), 1);
    QVERIFY(m_telnyx->webhookUrl().isEmpty());
}

void TstGoLiveController::goLiveReportsTelnyxErrors()
{
    GoLiveController::Settings s = settings();
    s.apiKey = QStringLiteral("KEYwrong_0123456789secret");
    GoLiveController c(s);
    QVERIFY(!c.tunnelAvailable()); // no stand-in written
    QSignalSpy finished(&c, &GoLiveController::goLiveFinished);
    QVERIFY(c.goLive(QStringLiteral("https://example.com")));
    QVERIFY(c.setupRunning());
    QTRY_VERIFY_WITH_TIMEOUT(c.setupDone(), Timeout);
    QVERIFY(!c.setupOk());
    QVERIFY2(c.setupMessage().contains(QLatin1String("401 10009 Authentication failed")),
             qPrintable(c.setupMessage()));
    QVERIFY(!c.setupMessage().contains(s.apiKey));
    QCOMPARE(finished.size(), 1);
    QCOMPARE(finished.at(0).at(0).toBool(), false);
    // An invalid URL is refused at once.
    QVERIFY(!c.goLive(QStringLiteral("http://example.com")));
    QVERIFY(c.setupDone() && !c.setupOk());
    QVERIFY(c.setupMessage().startsWith(QLatin1String("invalid public URL")));
    QCOMPARE(finished.size(), 2);
}

void TstGoLiveController::unavailableWithoutAnAccount()
{
    GoLiveController::Settings s = settings();
    s.apiKey.clear();
    GoLiveController noKey(s);
    QVERIFY(!noKey.canGoLive());
    QVERIFY(noKey.unavailableReason().contains(QLatin1String("TELNYX_API_KEY")));
    QVERIFY(!noKey.goLive(QStringLiteral("https://example.com")));
    QCOMPARE(noKey.setupMessage(), noKey.unavailableReason());
    QVERIFY(!noKey.liveness().isExpecting());

    s = settings();
    s.demo = true;
    GoLiveController demo(s);
    QVERIFY(!demo.canGoLive());
    QVERIFY(demo.unavailableReason().startsWith(QLatin1String("Demo mode")));
    QVERIFY(!demo.liveness().isExpecting());
    QVERIFY(m_telnyx->requests().isEmpty());
}

void TstGoLiveController::followsTheEngineAndWarnsWhenQuiet()
{
    kt::Config config = engineConfig(QStringLiteral("+15125550100"));
    config.quietWarningMinutes = 60;
    kt::Engine engine(config);
    QString error;
    QVERIFY2(engine.start(&error), qPrintable(error));
    m_telnyx->setWebhookUrl(QUrl(engine.url() + QStringLiteral("/webhooks/telnyx")));

    const auto s = GoLiveController::Settings::fromConfig(config, engine.url());
    QCOMPARE(s.quietWarningMinutes, 60);
    GoLiveController c(s);
    QDateTime now = QDateTime::currentDateTimeUtc();
    c.liveness().setClock([&now] { return now; });
    c.liveness().setExpecting(true); // from the injected now
    c.attachEngine(&engine);
    QCOMPARE(c.lastWebhookText(), QStringLiteral("none yet"));
    QCOMPARE(c.liveness().quietPeriodSecs(), 3600);

    now = now.addSecs(3601);
    QSignalSpy changed(&c, &GoLiveController::livenessChanged);
    c.liveness().check();
    QVERIFY(c.quiet());
    QVERIFY2(c.quietMessage().startsWith(QLatin1String("No webhook from Telnyx for at least 1 h")),
             qPrintable(c.quietMessage()));
    QCOMPARE(changed.size(), 1);

    // A call: the engine's webhookReceived reaches the controller, the warning ends.
    now = QDateTime::currentDateTimeUtc(); // the webhook will be newer than this
    QVERIFY(
        !m_telnyx->startInboundCall(QStringLiteral("+14045550186"), QStringLiteral("+17702300635"))
             .isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(!c.quiet(), Timeout);
    QVERIFY(c.lastWebhookText() != QStringLiteral("none yet"));
    QVERIFY(c.quietMessage().isEmpty());
    QVERIFY(c.liveness().lastWebhookAt().isValid());
}

void TstGoLiveController::viewRendersAndActs()
{
    QVERIFY(!kt::test::writeStandInCloudflared(m_dir->path(), StandIn::Works).isEmpty());
    GoLiveController::Settings s = settings();
    s.failoverUrl = QStringLiteral("https://calls-2.example.com");
    GoLiveController c(s);
    QList<QQmlError> warnings;
    QQuickView view;
    connect(view.engine(), &QQmlEngine::warnings, this,
            [&warnings](const QList<QQmlError> &w) { warnings += w; });
    view.setResizeMode(QQuickView::SizeRootObjectToView);
    view.setInitialProperties({{QStringLiteral("goLive"), QVariant::fromValue<QObject *>(&c)}});
    view.setSource(QUrl(QStringLiteral("qrc:/KevanTel/GoLiveView.qml")));
    for (const QQmlError &e : view.errors())
        qWarning().noquote() << e.toString();
    QCOMPARE(view.status(), QQuickView::Ready);
    view.resize(1000, 700);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QQuickItem *root = view.rootObject();

    QQuickItem *local = findNamed(root, QStringLiteral("localUrl"));
    QVERIFY(local);
    QCOMPARE(local->property("text").toString(), c.localUrl());
    QQuickItem *quiet = findNamed(root, QStringLiteral("quietWarning"));
    QVERIFY(quiet);
    QVERIFY(!quiet->isVisible());
    QCOMPARE(findNamed(root, QStringLiteral("lastWebhook"))->property("text").toString(),
             QStringLiteral("none yet"));

    // One instance (SQLite): no list of instances. Two on PostgreSQL: each with its last
    // webhook, the name as plain text whatever an operator put in `--instance`.
    QQuickItem *instances = findNamed(root, QStringLiteral("instances"));
    QVERIFY(instances);
    QVERIFY(!instances->isVisible());
    QSignalSpy instancesChanged(&c, &GoLiveController::instancesChanged);
    const QDateTime at = QDateTime::fromString(QStringLiteral("2026-12-05T21:00:07Z"), Qt::ISODate);
    const QList<kt::EventStore::InstanceWebhook> webhooks{
        {QStringLiteral("<b>primary</b>@2026-12-05T20:00:00Z"), at},
        {QStringLiteral("failover@2026-12-05T20:01:00Z"), at.addSecs(-60)}};
    c.setInstanceWebhooks(webhooks);
    c.setInstanceWebhooks(webhooks);
    QCOMPARE(instancesChanged.size(), 1);
    QCOMPARE(c.instances().size(), 2);
    const QVariantMap first = c.instances().at(0).toMap();
    QCOMPARE(first.value(QStringLiteral("name")).toString(), webhooks.at(0).instance);
    QCOMPARE(first.value(QStringLiteral("lastWebhookText")).toString(),
             at.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")));
    QTRY_VERIFY(instances->isVisible());
    QStringList shownNames;
    for (QQuickItem *item : kt::test::allItems(instances)) {
        if (item->property("textFormat").isValid() &&
            item->property("text").toString().contains(QLatin1Char('@'))) {
            QCOMPARE(item->property("textFormat").toInt(), int(Qt::PlainText));
            shownNames << item->property("text").toString();
        }
    }
    QCOMPARE(shownNames, (QStringList{webhooks.at(0).instance, webhooks.at(1).instance}));
    c.setInstanceWebhooks({});
    QTRY_VERIFY(!instances->isVisible());

    // The failover field starts from the setting; nothing is in Telnyx yet.
    QQuickItem *failoverField = findNamed(root, QStringLiteral("failoverUrl"));
    QVERIFY(failoverField);
    QCOMPARE(failoverField->property("text").toString(), s.failoverUrl);
    QVERIFY(!findNamed(root, QStringLiteral("telnyxUrls"))->isVisible());

    // "Start tunnel": the state pill follows, the URL field fills, Telnyx gets the URL and the
    // configured failover URL.
    QQuickItem *start = findNamed(root, QStringLiteral("startTunnel"));
    QVERIFY(start && start->isVisible());
    QVERIFY(QMetaObject::invokeMethod(start, "clicked"));
    QTRY_COMPARE_WITH_TIMEOUT(
        findNamed(root, QStringLiteral("tunnelState"))->property("text").toString(),
        QStringLiteral("running"), Timeout);
    QCOMPARE(findNamed(root, QStringLiteral("publicUrl"))->property("text").toString(),
             QString::fromLatin1(kt::test::standInUrl()));
    QTRY_VERIFY_WITH_TIMEOUT(c.setupDone(), Timeout);
    QQuickItem *message = findNamed(root, QStringLiteral("setupMessage"));
    QTRY_VERIFY(message->property("text").toString().contains(QLatin1String("now sends webhooks")));
    QCOMPARE(m_telnyx->failoverUrl().toString(),
             QStringLiteral("https://calls-2.example.com/webhooks/telnyx"));
    QVERIFY(message->property("text").toString().contains(QLatin1String("calls-2.example.com")));
    QTRY_VERIFY(findNamed(root, QStringLiteral("telnyxUrls"))->isVisible());
    QCOMPARE(findNamed(root, QStringLiteral("telnyxWebhookUrl"))->property("text").toString(),
             QString::fromLatin1(kt::test::standInUrl()) + QStringLiteral("/webhooks/telnyx"));
    QCOMPARE(findNamed(root, QStringLiteral("telnyxFailoverUrl"))->property("text").toString(),
             QStringLiteral("https://calls-2.example.com/webhooks/telnyx"));

    // Typed URLs and "Go live".
    QQuickItem *field = findNamed(root, QStringLiteral("publicUrl"));
    field->setProperty("text", QStringLiteral("https://proxy.example.com"));
    failoverField->setProperty("text", QStringLiteral("https://proxy-2.example.com"));
    QQuickItem *go = findNamed(root, QStringLiteral("goLiveButton"));
    QVERIFY(go->property("enabled").toBool());
    QVERIFY(QMetaObject::invokeMethod(go, "clicked"));
    QTRY_COMPARE_WITH_TIMEOUT(m_telnyx->webhookUrl().toString(),
                              QStringLiteral("https://proxy.example.com/webhooks/telnyx"), Timeout);
    QCOMPARE(m_telnyx->failoverUrl().toString(),
             QStringLiteral("https://proxy-2.example.com/webhooks/telnyx"));
    QTRY_VERIFY(message->property("text").toString().contains(QLatin1String("proxy.example.com")));
    QTRY_COMPARE(findNamed(root, QStringLiteral("telnyxFailoverUrl"))->property("text").toString(),
                 QStringLiteral("https://proxy-2.example.com/webhooks/telnyx"));

    // A failover URL Telnyx cannot use is refused before any request, in the page.
    const int requests = int(m_telnyx->requests().size());
    failoverField->setProperty("text", QStringLiteral("http://proxy-2.example.com"));
    QVERIFY(QMetaObject::invokeMethod(go, "clicked"));
    QTRY_VERIFY(
        message->property("text").toString().startsWith(QLatin1String("invalid failover URL")));
    QVERIFY(c.setupDone() && !c.setupOk());
    QCOMPARE(int(m_telnyx->requests().size()), requests);
    QCOMPARE(m_telnyx->failoverUrl().toString(),
             QStringLiteral("https://proxy-2.example.com/webhooks/telnyx"));

    // The quiet warning shows.
    QDateTime now = QDateTime::currentDateTimeUtc().addDays(2);
    c.liveness().setClock([&now] { return now; });
    c.liveness().check();
    QVERIFY(c.quiet());
    QTRY_VERIFY(quiet->isVisible());

    QQuickItem *stop = findNamed(root, QStringLiteral("stopTunnel"));
    QVERIFY(stop && stop->isVisible());
    QVERIFY(QMetaObject::invokeMethod(stop, "clicked"));
    QCOMPARE(c.tunnelState(), QStringLiteral("stopped"));
    QTRY_VERIFY(findNamed(root, QStringLiteral("startTunnel"))->isVisible());

    for (const QQmlError &e : std::as_const(warnings))
        qWarning().noquote() << e.toString();
    QVERIFY(warnings.isEmpty());
}

QTEST_MAIN(TstGoLiveController)
#include "tst_golivecontroller.moc"
