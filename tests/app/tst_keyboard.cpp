// SPDX-License-Identifier: GPL-3.0-or-later
// The dashboard with the keyboard alone, in the real Main.qml offscreen: the first Tab lands on
// the first page of the sidebar (not on the "Screening on" switch), every page can be opened
// from the sidebar, and Tab through each view moves the focus only to visible items that have
// a name for screen readers and a visible focus ring, into the view's own content.
#include "dashboardfixture.h"
#include "quickitems.h"

#include <QAccessible>
#include <QQmlApplicationEngine>
#include <QQmlIncubationController>
#include <QQuickItem>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QtTest>

using namespace kt;
using kt::test::allItems;
using kt::test::DashboardFixture;
using kt::test::findNamed;
using kt::test::settle;

namespace {

// The pages of the sidebar, in order (Main.qml's pages).
const QStringList Pages{QStringLiteral("Live"),      QStringLiteral("History"),
                        QStringLiteral("Voicemail"), QStringLiteral("Numbers"),
                        QStringLiteral("Registry"),  QStringLiteral("Rules"),
                        QStringLiteral("Audit"),     QStringLiteral("Go live"),
                        QStringLiteral("Stats"),     QStringLiteral("Settings")};

// Visible on screen: the item and all its ancestors visible and not transparent, and some of
// it inside the window and inside every ancestor that clips (a list scrolled away hides it).
bool shown(QQuickItem *item, QQuickWindow *window)
{
    if (!item || item->width() <= 0 || item->height() <= 0)
        return false;
    QRectF box = item->mapRectToScene(QRectF(0, 0, item->width(), item->height()));
    box &= QRectF(0, 0, window->width(), window->height());
    for (QQuickItem *p = item; p; p = p->parentItem()) {
        if (!p->isVisible() || p->opacity() <= 0)
            return false;
        if (p != item && p->clip())
            box &= p->mapRectToScene(QRectF(0, 0, p->width(), p->height()));
    }
    return box.width() >= 1 && box.height() >= 1;
}

// What a screen reader hears as the item's name.
QString accessibleName(QQuickItem *item)
{
    QAccessibleInterface *iface = QAccessible::queryAccessibleInterface(item);
    return iface ? iface->text(QAccessible::Name).trimmed() : QString();
}

// The focus is drawn: a FocusRing (FocusRing.qml: `shown` and `gap`) under the item is showing,
// or the item is one of the controls that draw their own keyboard focus (a text field's green
// border, SelectBox's, the Basic style's check box and slider).
bool ringShown(QQuickItem *item)
{
    for (QQuickItem *child : allItems(item)) {
        if (child->metaObject()->indexOfProperty("shown") >= 0 &&
            child->metaObject()->indexOfProperty("gap") >= 0 && child->isVisible())
            return true;
    }
    for (const char *type : {"QQuickTextField", "QQuickTextArea", "QQuickComboBox",
                             "QQuickCheckBox", "QQuickSlider"}) {
        if (item->inherits(type))
            return true;
    }
    return false;
}

QString describe(QQuickItem *item)
{
    if (!item)
        return QStringLiteral("(nothing)");
    return QStringLiteral("%1 \"%2\" (%3)")
        .arg(QString::fromLatin1(item->metaObject()->className()), item->objectName(),
             accessibleName(item));
}

} // namespace

class TstKeyboard : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void firstTabLandsOnTheSidebar();
    void sidebarOpensEveryPage();
    void tabThroughEachView_data();
    void tabThroughEachView();
    void aListIsOneStopWithArrowKeys();

private:
    QQuickItem *focused() const { return m_window->activeFocusItem(); }
    // One Tab at a person's pace: the list a Tab scrolled has made (and laid out) the rows that
    // came into view before the next key, as it has between two key presses of a person. (A
    // list creates the rows beyond the visible ones asynchronously; a Tab sent in the same
    // instant can land on one not yet placed.)
    void tab(Qt::KeyboardModifiers modifiers = Qt::NoModifier)
    {
        QTest::keyClick(m_window, Qt::Key_Tab, modifiers);
        QQmlIncubationController *incubation = m_engine->incubationController();
        QVERIFY(!incubation ||
                QTest::qWaitFor([incubation] { return incubation->incubatingObjectCount() == 0; }));
        QSignalSpy frame(m_window, &QQuickWindow::frameSwapped);
        m_window->update();
        QVERIFY(frame.wait(2000));
    }

    std::unique_ptr<DashboardFixture> m_fixture;
    std::unique_ptr<QQmlApplicationEngine> m_engine;
    QQuickWindow *m_window = nullptr;
    QList<QQmlError> m_warnings;
};

void TstKeyboard::initTestCase()
{
    QQuickStyle::setStyle(QStringLiteral("Basic"));
    // As with a screen reader running: the Quick items then keep their accessible names.
    QAccessible::setActive(true);
    m_fixture = std::make_unique<DashboardFixture>();
    m_fixture->setAudioPlayback(false);
    QString error;
    // With an engine (the switch that pauses screening is enabled only then) and voicemail.
    QVERIFY2(m_fixture->setUp(true, &error, 2), qPrintable(error));
    QVERIFY2(m_fixture->addVoicemail(&error), qPrintable(error));
    m_engine = std::make_unique<QQmlApplicationEngine>();
    m_window =
        kt::test::loadMainWindow(*m_engine, m_fixture->dashboard().properties(), &m_warnings);
    QVERIFY(m_window);
    m_window->requestActivate();
    QVERIFY(QTest::qWaitForWindowActive(m_window));
    QVERIFY(settle(m_window, m_engine.get()));
}

void TstKeyboard::cleanupTestCase()
{
    if (m_window)
        settle(m_window, m_engine.get());
    for (const QQmlError &e : std::as_const(m_warnings))
        qWarning().noquote() << e.toString();
    QVERIFY(m_warnings.isEmpty());
    m_engine.reset();
    m_fixture.reset();
}

void TstKeyboard::firstTabLandsOnTheSidebar()
{
    QQuickItem *live = findNamed(m_window->contentItem(), QStringLiteral("navLive"));
    QVERIFY(live);
    tab();
    QCOMPARE(focused(), live);
    QVERIFY(shown(live, m_window));
    QVERIFY(ringShown(live));
    QCOMPARE(accessibleName(live), QStringLiteral("Live"));

    // Space on the first stop opens its page; it does not pause screening.
    const bool dryRun = m_fixture->dashboard().controller().dryRun();
    m_window->setProperty("page", 3);
    QTest::keyClick(m_window, Qt::Key_Space);
    QCOMPARE(m_window->property("page").toInt(), 0);
    QCOMPARE(m_fixture->dashboard().controller().dryRun(), dryRun);

    // Then each page in turn, and only after them the switch that pauses screening.
    for (int i = 1; i < Pages.size(); ++i) {
        tab();
        QCOMPARE(focused(),
                 findNamed(m_window->contentItem(), QStringLiteral("nav") + Pages.at(i)));
        QVERIFY(ringShown(focused()));
    }
    QQuickItem *screening = findNamed(m_window->contentItem(), QStringLiteral("screeningSwitch"));
    QVERIFY(screening);
    tab();
    QCOMPARE(focused(), screening);
    QVERIFY(shown(screening, m_window));
    QVERIFY(ringShown(screening));
    QVERIFY(accessibleName(screening).startsWith(QStringLiteral("Screening")));
    // Space there, deliberately reached, pauses screening; again resumes it.
    QTest::keyClick(m_window, Qt::Key_Space);
    QTRY_COMPARE(m_fixture->dashboard().controller().dryRun(), !dryRun);
    QTest::keyClick(m_window, Qt::Key_Space);
    QTRY_COMPARE(m_fixture->dashboard().controller().dryRun(), dryRun);
}

void TstKeyboard::sidebarOpensEveryPage()
{
    for (int i = 0; i < Pages.size(); ++i) {
        QQuickItem *nav = findNamed(m_window->contentItem(), QStringLiteral("nav") + Pages.at(i));
        QVERIFY2(nav, qPrintable(Pages.at(i)));
        nav->forceActiveFocus(Qt::TabFocusReason);
        m_window->setProperty("page", i == 0 ? 1 : 0);
        QTest::keyClick(m_window, Qt::Key_Return);
        QCOMPARE(m_window->property("page").toInt(), i);
        QVERIFY(accessibleName(nav).startsWith(Pages.at(i)));
    }
    m_window->setProperty("page", 0);
    QVERIFY(settle(m_window, m_engine.get()));
}

void TstKeyboard::tabThroughEachView_data()
{
    QTest::addColumn<int>("page");
    // Settings has its own keyboard test with its page.
    for (int i = 0; i < Pages.size(); ++i) {
        if (Pages.at(i) != QLatin1String("Settings"))
            QTest::newRow(qPrintable(Pages.at(i))) << i;
    }
}

void TstKeyboard::tabThroughEachView()
{
    QFETCH(int, page);
    QQuickItem *nav = findNamed(m_window->contentItem(), QStringLiteral("nav") + Pages.at(page));
    QVERIFY(nav);
    nav->forceActiveFocus(Qt::TabFocusReason);
    QTest::keyClick(m_window, Qt::Key_Space);
    QCOMPARE(m_window->property("page").toInt(), page);
    QVERIFY(settle(m_window, m_engine.get()));
    QQuickItem *pages = findNamed(m_window->contentItem(), QStringLiteral("pages"));
    QVERIFY(pages);
    QQuickItem *view = pages->childItems().value(page);
    QVERIFY(view);
    QVERIFY(view->isVisible());

    // Tab from the page's entry in the sidebar until the focus comes back to it.
    int inView = 0;
    QList<QQuickItem *> seen;
    for (int step = 0; step < 120; ++step) {
        tab();
        QQuickItem *item = focused();
        QVERIFY2(item, qPrintable(QStringLiteral("step %1: no focus").arg(step)));
        if (item == nav)
            break;
        QVERIFY2(shown(item, m_window),
                 qPrintable(QStringLiteral("step %1: hidden %2").arg(step).arg(describe(item))));
        // The text input inside a control (a spin box's) is named by the control.
        const QString name = !accessibleName(item).isEmpty() ? accessibleName(item)
                             : item->parentItem()            ? accessibleName(item->parentItem())
                                                             : QString();
        QVERIFY2(!name.isEmpty(),
                 qPrintable(QStringLiteral("step %1: no name %2").arg(step).arg(describe(item))));
        QVERIFY2(
            ringShown(item),
            qPrintable(QStringLiteral("step %1: no focus ring %2").arg(step).arg(describe(item))));
        if (view->isAncestorOf(item))
            ++inView;
        QVERIFY2(!seen.contains(item) || item == seen.constFirst(),
                 qPrintable(QStringLiteral("step %1: Tab went round without reaching the sidebar "
                                           "again, at %2")
                                .arg(step)
                                .arg(describe(item))));
        seen.append(item);
    }
    QCOMPARE(focused(), nav);
    // Stats has nothing to act on, nor has Go live without a tunnel program or an API key.
    if (Pages.at(page) != QLatin1String("Stats") && Pages.at(page) != QLatin1String("Go live"))
        QVERIFY2(inView > 0, "the view's content is not reachable by Tab");
    qInfo().noquote() << Pages.at(page) << ":" << seen.size() << "stops," << inView
                      << "in the view";
}

// A list of calls is one Tab stop: its current row and that row's buttons; Down moves to the
// next row, scrolled into view, and Tab then leaves the list instead of walking its rows in the
// order the list created them.
void TstKeyboard::aListIsOneStopWithArrowKeys()
{
    QQuickItem *nav = findNamed(m_window->contentItem(), QStringLiteral("navLive"));
    QVERIFY(nav);
    nav->forceActiveFocus(Qt::TabFocusReason);
    QTest::keyClick(m_window, Qt::Key_Space);
    QCOMPARE(m_window->property("page").toInt(), 0);
    QVERIFY(settle(m_window, m_engine.get()));
    QQuickItem *list = findNamed(m_window->contentItem(), QStringLiteral("recentList"));
    QVERIFY(list);
    QVERIFY2(list->property("count").toInt() >= 3, "the demo has recent calls");
    QCOMPARE(accessibleName(list), QStringLiteral("Recent calls"));

    int step = 0;
    while (!list->isAncestorOf(focused()) && step++ < 60)
        tab();
    QVERIFY2(list->isAncestorOf(focused()), "Tab reaches the list");
    auto current = [list] { return list->property("currentItem").value<QQuickItem *>(); };
    QCOMPARE(focused(), current());
    QCOMPARE(list->property("currentIndex").toInt(), 0);
    const QString first = accessibleName(focused());
    QVERIFY(first.startsWith(QStringLiteral("Call from")));

    for (int row = 1; row < list->property("count").toInt(); ++row) {
        QTest::keyClick(m_window, Qt::Key_Down);
        QCOMPARE(list->property("currentIndex").toInt(), row);
        QCOMPARE(focused(), current());
        QVERIFY(accessibleName(focused()).startsWith(QStringLiteral("Call from")));
        QVERIFY(settle(m_window, m_engine.get()));
        QVERIFY2(shown(focused(), m_window), qPrintable(QStringLiteral("row %1 hidden").arg(row)));
        QVERIFY(ringShown(focused()));
    }
    QTest::keyClick(m_window, Qt::Key_Up);
    QCOMPARE(focused(), current());

    // Tab leaves the list at once; Shift+Tab comes back to the same row, not to the first one
    // the list created.
    QQuickItem *row = current();
    tab();
    QVERIFY2(!list->isAncestorOf(focused()),
             qPrintable(QStringLiteral("Tab stayed in the list: %1").arg(describe(focused()))));
    tab(Qt::ShiftModifier);
    QCOMPARE(focused(), row);
    QVERIFY(shown(row, m_window));
}

QTEST_MAIN(TstKeyboard)
#include "tst_keyboard.moc"
