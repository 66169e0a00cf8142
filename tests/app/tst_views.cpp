// SPDX-License-Identifier: GPL-3.0-or-later
// Every QML view of the dashboard, rendered offscreen with the real models on a temporary
// database: it loads without a QML warning, shows what the models hold, shows hostile text as
// plain text, and its buttons reach the EngineController.
#include "certificateimport.h"
#include "dashboardfixture.h"
#include "demodata.h"
#include "engine/settingschema.h"
#include "quickitems.h"
#include "screening/certificateauthority.h"
#include "simulator/telnyxsimulator.h"

#include <QQmlApplicationEngine>
#include <QQmlEngine>
#include <QQmlIncubationController>
#include <QQuickItem>
#include <QQuickStyle>
#include <QQuickView>
#include <QSignalSpy>
#include <QtTest>

using namespace kt;
using kt::test::allItems;
using kt::test::DashboardFixture;
using kt::test::DemoData;
using kt::test::findNamed;
using kt::test::loadMainWindow;
using kt::test::settle;
using kt::test::withProperty;

namespace {
// A visible item with a `text` property equal to `text` and a clicked() signal (a button).
QQuickItem *findButton(QQuickItem *root, const QString &text)
{
    for (QQuickItem *item : allItems(root)) {
        if (item->metaObject()->indexOfSignal("clicked()") >= 0 &&
            item->property("text").toString() == text && item->isVisible())
            return item;
    }
    return nullptr;
}

// Types `text` (ASCII) into the window's focused item, key by key.
void typeText(QWindow *window, const QString &text)
{
    for (const QChar c : text)
        QTest::keyClick(window, c.toLatin1());
}

// Every Text item that shows something with markup characters must be plain text.
void verifyMarkupIsPlain(QQuickItem *root)
{
    for (QQuickItem *item : allItems(root)) {
        if (!item->inherits("QQuickText"))
            continue;
        const QString text = item->property("text").toString();
        if (text.contains(QLatin1Char('<')))
            QVERIFY2(item->property("textFormat").toInt() == 0 /* Text.PlainText */,
                     qPrintable(QStringLiteral("rich text: ") + text));
    }
}
} // namespace

class TstViews : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void cleanupTestCase();

    void liveView();
    void historyView();
    void numbersView();
    void registryView();
    void rulesView();
    void auditView();
    void statsView();
    void settingsView();
    void registryImportsCertificates();
    void callDetailOpensFromHistory();
    void mainWindowNavigates();
    void mainWindowCanStartHidden();
    void firstRunSetup();
    void firstRunKeepExploring();
    void settingsTestsTheConnection();

private:
    // Loads qrc:/KevanTel/<file> in a QQuickView; null (and a failure) when it does not load.
    std::unique_ptr<QQuickView> show(const QString &file, const QStringList &properties);
    void verifyNoWarnings();

    std::unique_ptr<DashboardFixture> m_fixture;
    QList<QQmlError> m_warnings;
};

void TstViews::initTestCase()
{
    QQuickStyle::setStyle(QStringLiteral("Basic"));
    m_fixture = std::make_unique<DashboardFixture>();
    QString error;
    QVERIFY2(m_fixture->setUp(false, &error), qPrintable(error));
}

void TstViews::init()
{
    // Any warning while a view is loaded or used fails the test (QML errors, bindings, Qt
    // Quick's own complaints).
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
}

void TstViews::cleanupTestCase()
{
    m_fixture.reset();
}

std::unique_ptr<QQuickView> TstViews::show(const QString &file, const QStringList &properties)
{
    m_warnings.clear();
    auto view = std::make_unique<QQuickView>();
    connect(view->engine(), &QQmlEngine::warnings, this,
            [this](const QList<QQmlError> &w) { m_warnings += w; });
    view->setResizeMode(QQuickView::SizeRootObjectToView);
    view->setInitialProperties(m_fixture->properties(properties));
    view->setSource(QUrl(QStringLiteral("qrc:/KevanTel/") + file));
    if (view->status() != QQuickView::Ready) {
        for (const QQmlError &e : view->errors())
            qWarning().noquote() << e.toString();
        return nullptr;
    }
    view->resize(1100, 720);
    view->show();
    if (!QTest::qWaitForWindowExposed(view.get()) || !settle(view.get(), view->engine()))
        return nullptr;
    return view;
}

void TstViews::verifyNoWarnings()
{
    for (const QQmlError &e : std::as_const(m_warnings))
        qWarning().noquote() << e.toString();
    QVERIFY(m_warnings.isEmpty());
}

void TstViews::liveView()
{
    auto view = show(QStringLiteral("LiveView.qml"),
                     {QStringLiteral("askingCalls"), QStringLiteral("activeCalls"),
                      QStringLiteral("recentCalls"), QStringLiteral("controller")});
    QVERIFY(view);
    QQuickItem *root = view->rootObject();
    QCOMPARE(m_fixture->dashboard().askingCalls().count(), 1);
    QCOMPARE(m_fixture->dashboard().activeCalls().count(), 1);

    // The asking card, with its countdown, and the owner's four decisions.
    QQuickItem *accept = findButton(root, QStringLiteral("Accept"));
    if (!accept)
        verifyNoWarnings();
    QVERIFY(accept);
    QVERIFY(findButton(root, QStringLiteral("Reject")));
    QTRY_VERIFY(root->property("now").toDouble() > 0);
    QSignalSpy finished(&m_fixture->dashboard().controller(), &EngineController::actionFinished);
    QVERIFY(QMetaObject::invokeMethod(accept, "clicked"));
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(finished.at(0).at(1).toString(), QStringLiteral("accept"));
    QCOMPARE(finished.at(0).at(2).toBool(), false); // no engine in this test
    QCOMPARE(finished.at(0).at(3).toString(), QStringLiteral("the engine is not running"));

    // Recent calls: the ListView holds every ended call.
    bool sawHostile = false;
    for (QQuickItem *item : allItems(root)) {
        if (item->inherits("QQuickText") &&
            item->property("text").toString().startsWith(QStringLiteral("<b>FREE</b>")))
            sawHostile = true;
    }
    QVERIFY(sawHostile);

    // The asking call claims carol.x without a verified caller ID; the connected call shows the
    // proof it had.
    QStringList texts;
    for (QQuickItem *item : allItems(root)) {
        if (item->inherits("QQuickText") && item->isVisible())
            texts << item->property("text").toString();
    }
    QVERIFY2(
        texts.contains(QString::fromUtf8("claims to be carol.x \u2014 caller ID not verified")),
        qPrintable(texts.join(QLatin1Char('|'))));
    QVERIFY2(texts.contains(QString::fromUtf8("\u2713 alice.x \u00b7 attested caller ID")),
             qPrintable(texts.join(QLatin1Char('|'))));
    verifyMarkupIsPlain(root);
    verifyNoWarnings();
}

void TstViews::historyView()
{
    auto view = show(QStringLiteral("HistoryView.qml"),
                     {QStringLiteral("history"), QStringLiteral("controller")});
    QVERIFY(view);
    QQuickItem *root = view->rootObject();
    QQuickItem *list = findNamed(root, QStringLiteral("historyList"));
    QVERIFY(list);
    QCOMPARE(list->property("count").toInt(), DemoData::callCount());

    // Filters typed into the fields narrow the list (the model filters, in SQL).
    findNamed(root, QStringLiteral("historyNumber"))
        ->setProperty("text", QStringLiteral("212 555"));
    QVERIFY(QMetaObject::invokeMethod(root, "applyFilters"));
    const int mum = list->property("count").toInt();
    QVERIFY(mum > 0 && mum < DemoData::callCount());
    QCOMPARE(m_fixture->dashboard().history().numberFilter(), QStringLiteral("212 555"));
    QQuickItem *clear = findButton(root, QStringLiteral("Clear"));
    QVERIFY(clear);
    QVERIFY(QMetaObject::invokeMethod(clear, "clicked"));
    QCOMPARE(list->property("count").toInt(), DemoData::callCount());
    verifyMarkupIsPlain(root);
    verifyNoWarnings();
}

void TstViews::numbersView()
{
    auto view = show(QStringLiteral("NumbersView.qml"),
                     {QStringLiteral("numbers"), QStringLiteral("policies"),
                      QStringLiteral("defaultPolicy"), QStringLiteral("controller")});
    QVERIFY(view);
    QQuickItem *root = view->rootObject();
    QQuickItem *list = findNamed(root, QStringLiteral("numberList"));
    QVERIFY(list);
    QCOMPARE(list->property("count").toInt(), 26);
    findNamed(root, QStringLiteral("numberSearch"))->setProperty("text", QStringLiteral("tree"));
    QCOMPARE(list->property("count").toInt(), 1);
    findNamed(root, QStringLiteral("numberSearch"))->setProperty("text", QString());
    QCOMPARE(list->property("count").toInt(), 26);
    verifyNoWarnings();
}

void TstViews::registryView()
{
    auto view = show(QStringLiteral("RegistryView.qml"),
                     {QStringLiteral("registrations"), QStringLiteral("pendingRegistrations"),
                      QStringLiteral("certificates"), QStringLiteral("controller")});
    QVERIFY(view);
    QQuickItem *root = view->rootObject();
    QCOMPARE(findNamed(root, QStringLiteral("registrationList"))->property("count").toInt(), 1);
    QCOMPARE(findNamed(root, QStringLiteral("certificateList"))->property("count").toInt(), 2);
    verifyNoWarnings();
}

void TstViews::rulesView()
{
    auto view = show(QStringLiteral("RulesView.qml"),
                     {QStringLiteral("rules"), QStringLiteral("controller")});
    QVERIFY(view);
    QQuickItem *root = view->rootObject();
    QCOMPARE(findNamed(root, QStringLiteral("ruleList"))->property("count").toInt(), 4);

    // The form reaches the controller with what was typed.
    findNamed(root, QStringLiteral("rulePattern"))->setProperty("text", QStringLiteral("+1888*"));
    QSignalSpy finished(&m_fixture->dashboard().controller(), &EngineController::actionFinished);
    QVERIFY(QMetaObject::invokeMethod(findButton(root, QStringLiteral("Add rule")), "clicked"));
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(finished.at(0).at(1).toString(), QStringLiteral("addRule"));
    QCOMPARE(findNamed(root, QStringLiteral("rulePattern"))->property("text").toString(),
             QString());
    verifyNoWarnings();
}

void TstViews::auditView()
{
    auto view = show(QStringLiteral("AuditView.qml"),
                     {QStringLiteral("events"), QStringLiteral("controller")});
    QVERIFY(view);
    QQuickItem *root = view->rootObject();
    QVERIFY(findNamed(root, QStringLiteral("eventList"))->property("count").toInt() > 0);

    QQuickItem *result = findNamed(root, QStringLiteral("verifyResult"));
    QVERIFY(result);
    QVERIFY(!result->isVisible());
    QVERIFY(QMetaObject::invokeMethod(findNamed(root, QStringLiteral("verifyButton")), "clicked"));
    QTRY_VERIFY_WITH_TIMEOUT(m_fixture->dashboard().controller().verifyDone(), 20000);
    QVERIFY(result->isVisible());
    QVERIFY2(result->property("text").toString().startsWith(QStringLiteral("✓ hash chain intact")),
             qPrintable(result->property("text").toString()));
    verifyNoWarnings();
}

void TstViews::statsView()
{
    auto view = show(QStringLiteral("StatsView.qml"), {QStringLiteral("stats")});
    QVERIFY(view);
    QQuickItem *root = view->rootObject();
    const StatsModel &stats = m_fixture->dashboard().stats();
    QCOMPARE(stats.count(), 30);
    QCOMPARE(stats.totalCalls(), DemoData::callCount());
    // One bar per day, each as tall as its calls; the figures and the numbers list.
    QQuickItem *chart = findNamed(root, QStringLiteral("dayChart"));
    QVERIFY(chart);
    QCOMPARE(findNamed(root, QStringLiteral("dayBars"))->property("count").toInt(), 30);
    QCOMPARE(findNamed(root, QStringLiteral("figureCallsValue"))->property("text").toString(),
             QString::number(DemoData::callCount()));
    QCOMPARE(findNamed(root, QStringLiteral("figureTurnedAwayValue"))->property("text").toString(),
             QStringLiteral("%1 %").arg(qRound(stats.rejectionRate() * 100)));
    QVERIFY(findNamed(root, QStringLiteral("topNumbers"))->property("count").toInt() > 0);
    // Today's bar (the rightmost): its segments add up to the day's calls.
    double todayHeight = 0;
    double tallest = 0;
    for (QQuickItem *item : allItems(chart)) {
        if (item->inherits("QQuickColumn") && item->parentItem()->property("isToday").toBool())
            todayHeight = item->height();
        if (item->inherits("QQuickColumn"))
            tallest = qMax(tallest, item->height());
    }
    QVERIFY(todayHeight > 0);
    QCOMPARE(todayHeight, tallest); // today is the busiest day of the demo
    verifyMarkupIsPlain(root);
    verifyNoWarnings();
}

void TstViews::settingsView()
{
    auto view = show(QStringLiteral("SettingsView.qml"), {QStringLiteral("settings")});
    QVERIFY(view);
    QQuickItem *root = view->rootObject();
    SettingsController &settings = m_fixture->dashboard().settings();
    QCOMPARE(findNamed(root, QStringLiteral("namespace"))->property("text").toString(),
             QStringLiteral("kevan.tel.x"));
    QTRY_COMPARE(settings.apiKeyState(), kt::ApiKeyState::None);

    // Typing a port out of range shows the field's message at once; Save refuses.
    QQuickItem *port = findNamed(root, QStringLiteral("port"));
    QVERIFY(port);
    port->forceActiveFocus();
    QVERIFY(QMetaObject::invokeMethod(port, "selectAll"));
    typeText(view.get(), QStringLiteral("70000"));
    QCOMPARE(settings.value(QStringLiteral("port")).toString(), QStringLiteral("70000"));
    QQuickItem *portMessage = findNamed(root, QStringLiteral("portRowMessage"));
    QVERIFY(portMessage);
    QVERIFY(portMessage->isVisible());
    QVERIFY2(portMessage->property("text").toString().startsWith(QStringLiteral("✗ A port is")),
             qPrintable(portMessage->property("text").toString()));
    QQuickItem *save = findNamed(root, QStringLiteral("saveSettings"));
    QVERIFY(save->property("enabled").toBool());
    QVERIFY(QMetaObject::invokeMethod(save, "clicked"));
    QQuickItem *status = findNamed(root, QStringLiteral("settingsStatus"));
    QVERIFY2(status->property("text").toString().contains(QStringLiteral("Nothing was saved")),
             qPrintable(status->property("text").toString()));
    QVERIFY(!QFile::exists(m_fixture->configFile()));

    // The forward-to field shows the number it will dial.
    QQuickItem *forward = findNamed(root, QStringLiteral("forwardTo"));
    forward->forceActiveFocus();
    typeText(view.get(), QStringLiteral("(415) 555-0132"));
    QVERIFY(findNamed(root, QStringLiteral("forwardToRowMessage"))
                ->property("text")
                .toString()
                .contains(QStringLiteral("+14155550132")));

    // With a keychain that fails, the key is not stored and the page says so.
    port->forceActiveFocus();
    QVERIFY(QMetaObject::invokeMethod(port, "selectAll"));
    typeText(view.get(), QStringLiteral("3100"));
    QVERIFY(settings.isValid());
    m_fixture->secrets().setFailure(QStringLiteral("no keyring daemon"));
    QQuickItem *key = findNamed(root, QStringLiteral("apiKey"));
    key->forceActiveFocus();
    typeText(view.get(), QStringLiteral("KEY0123456789ABCDEFGHIJ"));
    QCOMPARE(key->property("echoMode").toInt(), 2); // TextInput.Password
    QSignalSpy saved(&settings, &SettingsController::saved);
    QVERIFY(QMetaObject::invokeMethod(save, "clicked"));
    QVERIFY(saved.wait());
    QVERIFY2(status->property("text").toString().contains(QStringLiteral("NOT stored")),
             qPrintable(status->property("text").toString()));
    QCOMPARE(key->property("text").toString(), QStringLiteral("KEY0123456789ABCDEFGHIJ"));
    QVERIFY(findNamed(root, QStringLiteral("apiKeyState"))
                ->property("text")
                .toString()
                .contains(QStringLiteral("no keyring daemon")));
    QVERIFY(status->property("text").toString().contains(
        QStringLiteral("Restart kevan-tel to apply: forward-to number, port.")));
    QQuickItem *banner = findNamed(root, QStringLiteral("restartBanner"));
    QVERIFY(!banner->isVisible()); // the status says it
    QMap<QString, QString> ini;
    QString error;
    QVERIFY(ConfigLoader::readFile(m_fixture->configFile(), &ini, &error));
    QCOMPARE(ini.value(QStringLiteral("port")), QStringLiteral("3100"));
    QVERIFY(!ini.contains(QStringLiteral("api-key")));

    // Once the key is stored, the reminder stays.
    m_fixture->secrets().setFailure(QString());
    saved.clear();
    QVERIFY(QMetaObject::invokeMethod(save, "clicked"));
    QVERIFY(saved.wait());
    QCOMPARE(saved.at(0).at(0).toBool(), true);
    QCOMPARE(key->property("text").toString(), QString());
    QCOMPARE(
        m_fixture->secrets().secrets().value(QString::fromLatin1(SettingsController::ApiKeySecret)),
        QStringLiteral("KEY0123456789ABCDEFGHIJ"));
    typeText(view.get(), QStringLiteral("x"));
    QVERIFY(banner->isVisible());
    QVERIFY(banner->childItems().constFirst()->property("text").toString().contains(
        QStringLiteral("API key")));
    settings.revert();
    QCOMPARE(key->property("text").toString(), QString());
    verifyNoWarnings();
}

void TstViews::registryImportsCertificates()
{
    auto view = show(QStringLiteral("RegistryView.qml"),
                     {QStringLiteral("registrations"), QStringLiteral("pendingRegistrations"),
                      QStringLiteral("certificates"), QStringLiteral("controller")});
    QVERIFY(view);
    QQuickItem *root = view->rootObject();
    QQuickItem *panel = findNamed(root, QStringLiteral("importPanel"));
    QVERIFY(panel);
    QVERIFY(!panel->isVisible());

    const QDateTime now = QDateTime::currentDateTimeUtc();
    const CertificateAuthority ca = CertificateAuthority::createRoot(
        QStringLiteral("Carol's CA"), now.addDays(-1), now.addYears(2));
    const Certificate carol = ca.issue(QStringLiteral("carol.x"), now.addDays(-1), now.addDays(60));
    auto write = [this](const QString &name, const QByteArray &pem) {
        QFile f(m_fixture->tempPath(name));
        return f.open(QIODevice::WriteOnly) && f.write(pem) == pem.size() ? f.fileName()
                                                                          : QString();
    };
    const QString caFile = write(QStringLiteral("carol-ca.pem"), ca.certificate().toPem());
    const QString carolFile = write(QStringLiteral("carol.pem"), carol.toPem());

    // A namespace certificate whose root is not trusted: refused before anything is sent. The
    // path typed in the field is checked after a pause.
    auto *import = root->findChild<CertificateImport *>();
    QVERIFY(import);
    import->start(CertificateImport::Namespace);
    QVERIFY(panel->isVisible());
    QQuickItem *path = findNamed(root, QStringLiteral("importPath"));
    path->forceActiveFocus();
    typeText(view.get(), carolFile);
    QCOMPARE(import->path(), carolFile);
    QTRY_COMPARE(import->status(), CertificateImport::Refused);
    QQuickItem *message = findNamed(root, QStringLiteral("importMessage"));
    QVERIFY2(message->property("text").toString().contains(QStringLiteral("trust its root first")),
             qPrintable(message->property("text").toString()));
    QCOMPARE(findNamed(root, QStringLiteral("importNamespace"))->property("text").toString(),
             QStringLiteral("carol.x"));
    QCOMPARE(findNamed(root, QStringLiteral("importFingerprint"))->property("text").toString(),
             carol.fingerprint());
    QQuickItem *confirm = findNamed(root, QStringLiteral("confirmImport"));
    QVERIFY(!confirm->property("enabled").toBool());

    // Its root can be trusted: the button goes to the controller (no engine here).
    import->start(CertificateImport::Root);
    QCOMPARE(path->property("text").toString(), QString());
    import->choose(QUrl::fromLocalFile(caFile).toString());
    QCOMPARE(path->property("text").toString(), QUrl::fromLocalFile(caFile).toString());
    QVERIFY2(message->property("text").toString().contains(QStringLiteral("self-signed")),
             qPrintable(message->property("text").toString()));
    QVERIFY(confirm->property("enabled").toBool());
    QSignalSpy finished(&m_fixture->dashboard().controller(), &EngineController::actionFinished);
    QVERIFY(QMetaObject::invokeMethod(confirm, "clicked"));
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(finished.at(0).at(1).toString(), QStringLiteral("trustRoot"));
    QCOMPARE(message->property("text").toString(), QStringLiteral("the engine is not running"));
    QVERIFY(panel->isVisible());

    // Not a certificate at all.
    import->choose(m_fixture->configFile() + QStringLiteral(".missing"));
    QCOMPARE(import->status(), CertificateImport::Unreadable);
    QVERIFY(message->property("text").toString().contains(QStringLiteral("no file")));
    QVERIFY(QMetaObject::invokeMethod(findButton(root, QStringLiteral("Cancel")), "clicked"));
    QVERIFY(!panel->isVisible());
    verifyNoWarnings();
}

void TstViews::callDetailOpensFromHistory()
{
    QQmlApplicationEngine engine;
    QList<QQmlError> warnings;
    QQuickWindow *window = loadMainWindow(engine, m_fixture->dashboard().properties(), &warnings);
    QVERIFY(window);
    window->setProperty("page", 1);
    QVERIFY(settle(window, &engine));

    // A click on a call in History (not on its buttons) opens the drawer with that call.
    QQuickItem *list = findNamed(window->contentItem(), QStringLiteral("historyList"));
    QVERIFY(list);
    QQuickItem *row = nullptr;
    for (QQuickItem *item : allItems(list)) {
        if (item->metaObject()->indexOfSignal("opened()") >= 0 && item->isVisible() &&
            item->property("from").toString() == QLatin1String(DemoData::AlicePhone)) {
            row = item;
            break;
        }
    }
    QVERIFY(row);
    const QString callId = row->property("callId").toString();
    QTest::mouseClick(window, Qt::LeftButton, {},
                      row->mapToScene(QPointF(row->width() / 3, row->height() / 2)).toPoint());
    CallDetailModel &detail = m_fixture->dashboard().callDetail();
    QCOMPARE(detail.callId(), callId);
    QObject *drawer = nullptr;
    for (QObject *o : window->findChildren<QObject *>()) {
        if (o->objectName() == QLatin1String("callDrawer"))
            drawer = o;
    }
    QVERIFY(drawer);
    QTRY_COMPARE(drawer->property("position").toDouble(), 1.0);
    QVERIFY(settle(window, &engine));

    auto *drawerContent = drawer->property("contentItem").value<QQuickItem *>();
    QVERIFY(drawerContent);
    QCOMPARE(findNamed(drawerContent, QStringLiteral("detailCaller"))->property("text").toString(),
             QStringLiteral("(415) 555-0132"));
    QVERIFY(findNamed(drawerContent, QStringLiteral("detailExplanation"))
                ->property("text")
                .toString()
                .contains(QStringLiteral("registered to alice.x")));
    QCOMPARE(findNamed(drawerContent, QStringLiteral("detailTimeline"))->property("count").toInt(),
             5);
    QCOMPARE(detail.value(0, QStringLiteral("type")).toString(), QStringLiteral("call.initiated"));
    QCOMPARE(detail.value(4, QStringLiteral("type")).toString(), QStringLiteral("tel.call_ended"));

    // Block, from the drawer: its answer shows in the drawer.
    QSignalSpy finished(&m_fixture->dashboard().controller(), &EngineController::actionFinished);
    QVERIFY(QMetaObject::invokeMethod(findNamed(drawerContent, QStringLiteral("detailBlock")),
                                      "clicked"));
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(finished.at(0).at(1).toString(), QStringLiteral("block"));
    QQuickItem *result = findNamed(drawerContent, QStringLiteral("detailResult"));
    QVERIFY(result->isVisible());
    QCOMPARE(result->property("text").toString(), QStringLiteral("✗ the engine is not running"));

    // Closing it forgets the call.
    QVERIFY(QMetaObject::invokeMethod(findNamed(drawerContent, QStringLiteral("closeDetail")),
                                      "clicked"));
    QTRY_COMPARE(drawer->property("position").toDouble(), 0.0);
    QTRY_COMPARE(detail.callId(), QString());
    QVERIFY(settle(window, &engine));
    for (const QQmlError &e : std::as_const(warnings))
        qWarning().noquote() << e.toString();
    QVERIFY(warnings.isEmpty());
}

void TstViews::mainWindowNavigates()
{
    QQmlApplicationEngine engine;
    QList<QQmlError> warnings;
    connect(&engine, &QQmlEngine::warnings, this,
            [&warnings](const QList<QQmlError> &w) { warnings += w; });
    engine.setInitialProperties(m_fixture->dashboard().properties());
    engine.load(QUrl(QStringLiteral("qrc:/KevanTel/Main.qml")));
    QCOMPARE(engine.rootObjects().size(), 1);
    auto *window = qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());
    QVERIFY(window);
    QVERIFY(QTest::qWaitForWindowExposed(window));
    QVERIFY(settle(window, &engine));
    QQuickItem *pages = findNamed(window->contentItem(), QStringLiteral("pages"));
    QVERIFY(pages);
    const QStringList titles{QStringLiteral("Live"),      QStringLiteral("History"),
                             QStringLiteral("Voicemail"), QStringLiteral("Numbers"),
                             QStringLiteral("Registry"),  QStringLiteral("Rules"),
                             QStringLiteral("Audit")};
    for (int i = titles.size() - 1; i >= 0; --i) {
        QQuickItem *nav = findNamed(window->contentItem(), QStringLiteral("nav") + titles.at(i));
        QVERIFY2(nav, qPrintable(titles.at(i)));
        QVERIFY(QMetaObject::invokeMethod(nav, "clicked"));
        QCOMPARE(pages->property("currentIndex").toInt(), i);
        QCOMPARE(window->property("page").toInt(), i);
        QVERIFY(settle(window, &engine));
    }
    for (const auto &[title, index] :
         {std::pair{QStringLiteral("Stats"), 8}, {QStringLiteral("Settings"), 9}}) {
        QQuickItem *nav = findNamed(window->contentItem(), QStringLiteral("nav") + title);
        QVERIFY2(nav, qPrintable(title));
        QVERIFY(QMetaObject::invokeMethod(nav, "clicked"));
        QCOMPARE(pages->property("currentIndex").toInt(), index);
        QVERIFY(settle(window, &engine));
    }
    // The action's result shows in the toast.
    QQuickItem *toast = findNamed(window->contentItem(), QStringLiteral("toast"));
    QVERIFY(toast);
    m_fixture->dashboard().controller().reject(QStringLiteral("v3:x"));
    QTRY_VERIFY(toast->property("message").toString() ==
                QLatin1String("the engine is not running"));
    QCOMPARE(toast->property("ok").toBool(), false);
    QVERIFY(settle(window, &engine));
    for (const QQmlError &e : std::as_const(warnings))
        qWarning().noquote() << e.toString();
    QVERIFY(warnings.isEmpty());
}

void TstViews::mainWindowCanStartHidden()
{
    // start-minimized: the app gives Main.qml visible=false; the window stays hidden until the
    // tray (or a second launch) shows it.
    QQmlApplicationEngine engine;
    QVariantMap properties = m_fixture->dashboard().properties();
    properties.insert(QStringLiteral("visible"), false);
    engine.setInitialProperties(properties);
    engine.load(QUrl(QStringLiteral("qrc:/KevanTel/Main.qml")));
    QCOMPARE(engine.rootObjects().size(), 1);
    auto *window = qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());
    QVERIFY(window);
    QCoreApplication::processEvents();
    QVERIFY(!window->isVisible());
    window->show();
    QVERIFY(QTest::qWaitForWindowExposed(window));
    QVERIFY(settle(window, &engine));
}

void TstViews::firstRunSetup()
{
    // The demo's first start (no config file): the setup card over the Live page, with the four
    // settings and "Test connection", until the owner saves or keeps exploring the demo.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString configFile = dir.filePath(QStringLiteral("kevan-tel.conf"));
    FirstRun firstRun(FirstRun::needed(true, configFile), configFile);
    QVERIFY(firstRun.isActive());

    QQmlApplicationEngine engine;
    QList<QQmlError> warnings;
    connect(&engine, &QQmlEngine::warnings, this,
            [&warnings](const QList<QQmlError> &w) { warnings += w; });
    QVariantMap properties = m_fixture->dashboard().properties();
    properties.insert(QStringLiteral("firstRun"), QVariant::fromValue<QObject *>(&firstRun));
    engine.setInitialProperties(properties);
    engine.load(QUrl(QStringLiteral("qrc:/KevanTel/Main.qml")));
    QCOMPARE(engine.rootObjects().size(), 1);
    auto *window = qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());
    QVERIFY(window);
    QVERIFY(QTest::qWaitForWindowExposed(window));
    QVERIFY(settle(window, &engine));
    QCOMPARE(window->property("page").toInt(), 0);
    QQuickItem *overlay = findNamed(window->contentItem(), QStringLiteral("firstRunSetup"));
    QVERIFY(overlay);
    QVERIFY(overlay->isVisible());
    for (const char *name : {"firstRunApiKey", "firstRunPublicKey", "firstRunForwardTo",
                             "firstRunNamespace", "testConnection", "keepDemo", "firstRunSave"}) {
        QQuickItem *item = findNamed(overlay, QString::fromLatin1(name));
        QVERIFY2(item && item->isVisible(), name);
    }
    // The rows are the settings table's, in the card's order, with the Settings page's words.
    const QStringList rowNames = {
        QStringLiteral("firstRunApiKeyRow"), QStringLiteral("firstRunPublicKeyRow"),
        QStringLiteral("firstRunForwardToRow"), QStringLiteral("firstRunNamespaceRow")};
    QCOMPARE(FirstRun::fields().size(), rowNames.size());
    for (int i = 0; i < rowNames.size(); ++i) {
        const Setting *row = SettingSchema::find(FirstRun::fields().at(i));
        QVERIFY(row);
        QQuickItem *item = findNamed(overlay, rowNames.at(i));
        QVERIFY2(item, qPrintable(rowNames.at(i)));
        QCOMPARE(item->property("label").toString(), row->title);
        QCOMPARE(item->property("detail").toString(), row->detail);
    }

    // The Settings page's checks, as typed.
    SettingsController &settings = m_fixture->dashboard().settings();
    QQuickItem *forwardTo = findNamed(overlay, QStringLiteral("firstRunForwardTo"));
    forwardTo->forceActiveFocus();
    QVERIFY(forwardTo->hasActiveFocus());
    QTest::keyClick(window, Qt::Key_A, Qt::ControlModifier); // replaces what is there
    typeText(window, QStringLiteral("+1 415 555 0199"));
    QCOMPARE(settings.value(QStringLiteral("forward-to")).toString(),
             QStringLiteral("+1 415 555 0199"));
    settings.setValue(QStringLiteral("namespace"), QStringLiteral("kevan.tel"));
    QVERIFY(settle(window, &engine));
    QQuickItem *save = findNamed(overlay, QStringLiteral("firstRunSave"));
    QVERIFY(!save->isEnabled());
    // The table's refusal, under the field.
    QVERIFY(!settings.error(QStringLiteral("namespace")).isEmpty());
    QCOMPARE(findNamed(overlay, QStringLiteral("firstRunNamespaceRowMessage"))
                 ->property("text")
                 .toString(),
             QStringLiteral("✗ ") + settings.error(QStringLiteral("namespace")));
    settings.setValue(QStringLiteral("namespace"), QStringLiteral("kevan.tel.x"));
    QVERIFY(save->isEnabled());

    // Save: the restart switches from the demo to the account; Done closes the card.
    QSignalSpy saved(&settings, &SettingsController::saved);
    QVERIFY(QMetaObject::invokeMethod(save, "clicked"));
    QTRY_COMPARE(saved.size(), 1);
    QCOMPARE(saved.at(0).at(0).toBool(), true);
    QQuickItem *status = findNamed(overlay, QStringLiteral("firstRunStatus"));
    QVERIFY(status);
    QTRY_VERIFY(status->property("text").toString().contains(
        QLatin1String("Restart kevan-tel to switch from the demo to your live account")));
    QVERIFY(settle(window, &engine));
    QVERIFY(!findButton(overlay, QStringLiteral("Keep exploring the demo")));
    QQuickItem *done = findButton(overlay, QStringLiteral("Done"));
    QVERIFY(done);
    QVERIFY(QMetaObject::invokeMethod(done, "clicked"));
    QVERIFY(!firstRun.isActive());
    QVERIFY(!overlay->isVisible());
    QVERIFY(!FirstRun::needed(true, configFile));

    // Shown again: "Keep exploring the demo" closes it too.
    firstRun.setActive(true);
    QVERIFY(overlay->isVisible());
    QVERIFY(settle(window, &engine));
    QQuickItem *keep = findButton(overlay, QStringLiteral("Keep exploring the demo"));
    QVERIFY(!keep); // saved: only Done
    QVERIFY(QMetaObject::invokeMethod(findButton(overlay, QStringLiteral("Done")), "clicked"));
    QVERIFY(!overlay->isVisible());
    QVERIFY(settle(window, &engine));
    for (const QQmlError &e : std::as_const(warnings))
        qWarning().noquote() << e.toString();
    QVERIFY(warnings.isEmpty());
}

void TstViews::firstRunKeepExploring()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString configFile = dir.filePath(QStringLiteral("kevan-tel.conf"));
    FirstRun firstRun(true, configFile);
    m_warnings.clear();
    QQuickView view;
    connect(view.engine(), &QQmlEngine::warnings, this,
            [this](const QList<QQmlError> &w) { m_warnings += w; });
    view.setResizeMode(QQuickView::SizeRootObjectToView);
    QVariantMap properties =
        m_fixture->properties({QStringLiteral("settings"), QStringLiteral("tester")});
    properties.insert(QStringLiteral("firstRun"), QVariant::fromValue<QObject *>(&firstRun));
    view.setInitialProperties(properties);
    view.setSource(QUrl(QStringLiteral("qrc:/KevanTel/FirstRunSetup.qml")));
    QCOMPARE(view.status(), QQuickView::Ready);
    view.resize(1100, 720);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(settle(&view, view.engine()));
    QQuickItem *keep = findButton(view.rootObject(), QStringLiteral("Keep exploring the demo"));
    QVERIFY(keep);
    QVERIFY(QMetaObject::invokeMethod(keep, "clicked"));
    QVERIFY(!firstRun.isActive());
    QVERIFY(!FirstRun::needed(true, configFile));
    QVERIFY(!QFile::exists(configFile)); // nothing saved
    verifyNoWarnings();
}

void TstViews::settingsTestsTheConnection()
{
    // Settings' "Test connection" with the typed key: progress, then the count or the error.
    TelnyxSimulator telnyx;
    QVERIFY(telnyx.start());
    EngineController noEngine(nullptr, QString());
    ConnectionTester tester(telnyx.baseUrl(), QString(), nullptr, &noEngine);
    m_warnings.clear();
    QQuickView view;
    connect(view.engine(), &QQmlEngine::warnings, this,
            [this](const QList<QQmlError> &w) { m_warnings += w; });
    view.setResizeMode(QQuickView::SizeRootObjectToView);
    QVariantMap properties = m_fixture->properties({QStringLiteral("settings")});
    properties.insert(QStringLiteral("tester"), QVariant::fromValue<QObject *>(&tester));
    view.setInitialProperties(properties);
    view.setSource(QUrl(QStringLiteral("qrc:/KevanTel/SettingsView.qml")));
    QCOMPARE(view.status(), QQuickView::Ready);
    view.resize(1100, 720);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(settle(&view, view.engine()));

    SettingsController &settings = m_fixture->dashboard().settings();
    QQuickItem *button = findNamed(view.rootObject(), QStringLiteral("testConnection"));
    QQuickItem *status = findNamed(view.rootObject(), QStringLiteral("connectionStatus"));
    QVERIFY(button && status);
    QVERIFY(button->isVisible() && button->isEnabled());

    const QString wrongKey = QStringLiteral("KEYNOTTHEKEY_0123456789abcdef");
    settings.setValue(QStringLiteral("api-key"), wrongKey);
    QSignalSpy tested(&tester, &ConnectionTester::tested);
    QVERIFY(QMetaObject::invokeMethod(button, "clicked"));
    QCOMPARE(status->property("text").toString(), QStringLiteral("Contacting Telnyx…"));
    QVERIFY(!button->isEnabled());
    QVERIFY(tested.wait(10000));
    QTRY_VERIFY(status->property("text").toString().startsWith(QStringLiteral("✗ ")));
    QVERIFY(status->property("text").toString().contains(QLatin1String("401")));
    QVERIFY(!status->property("text").toString().contains(wrongKey));

    settings.setValue(QStringLiteral("api-key"), telnyx.apiKey());
    QVERIFY(QMetaObject::invokeMethod(button, "clicked"));
    QVERIFY(tested.wait(10000));
    QTRY_COMPARE(status->property("text").toString(),
                 QStringLiteral("✓ Connected: 26 numbers on the account"));
    QQuickItem *sync = findNamed(view.rootObject(), QStringLiteral("syncNumbers"));
    QVERIFY(sync);
    QVERIFY(sync->isVisible());
    QVERIFY(!sync->isEnabled()); // no engine in this fixture
    settings.revert();
    QVERIFY(settle(&view, view.engine()));
    verifyNoWarnings();
}

QTEST_MAIN(TstViews)
#include "tst_views.moc"
