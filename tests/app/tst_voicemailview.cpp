// SPDX-License-Identifier: GPL-3.0-or-later
// The Voicemail page in the real Main.qml, offscreen, with a real engine and the demo's messages,
// and no audio playback (as in CI): the page loads without a QML warning and says playback is
// unavailable, the list is reachable by keyboard, hostile words stay plain text, the sidebar's
// badge counts the unread, Mark heard and Delete work through the engine, and a call's detail
// links to its message.
#include "dashboardfixture.h"
#include "demodata.h"
#include "quickitems.h"

#include <QQmlApplicationEngine>
#include <QQmlIncubationController>
#include <QQuickItem>
#include <QQuickStyle>
#include <QQuickWindow>
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
void click(QQuickWindow *window, QQuickItem *item)
{
    QTest::mouseClick(window, Qt::LeftButton, {},
                      item->mapToScene(QPointF(item->width() / 2, item->height() / 2)).toPoint());
}
} // namespace

class TstVoicemailView : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void loadsAndSaysPlaybackIsUnavailable();
    void keyboardAndPlainText();
    void markHeardUpdatesTheBadge();
    void callDetailLinksToItsMessage();
    void deleteAsksFirst();
    void noWarnings();

private:
    qint64 selectedId() const { return qint64(m_view->property("selectedId").toDouble()); }
    void select(qint64 id)
    {
        QVERIFY(QMetaObject::invokeMethod(m_view, "show", Q_ARG(QVariant, QVariant(double(id)))));
        QVERIFY(settle(m_window, m_engine.get()));
    }

    std::unique_ptr<DashboardFixture> m_fixture;
    std::unique_ptr<QQmlApplicationEngine> m_engine;
    QQuickWindow *m_window = nullptr;
    QQuickItem *m_view = nullptr;
    DemoData::Voicemail m_vm;
    QList<QQmlError> m_warnings;
};

void TstVoicemailView::initTestCase()
{
    QQuickStyle::setStyle(QStringLiteral("Basic"));
    m_fixture = std::make_unique<DashboardFixture>();
    m_fixture->setAudioPlayback(false); // no backend, as in CI
    QString error;
    QVERIFY2(m_fixture->setUp(true, &error), qPrintable(error));
    QVERIFY2(m_fixture->addVoicemail(&error, &m_vm), qPrintable(error));

    m_engine = std::make_unique<QQmlApplicationEngine>();
    m_window = loadMainWindow(*m_engine, m_fixture->dashboard().properties(), &m_warnings);
    QVERIFY(m_window);
    QQuickItem *nav = findNamed(m_window->contentItem(), QStringLiteral("navVoicemail"));
    QVERIFY(nav);
    QVERIFY(QMetaObject::invokeMethod(nav, "clicked"));
    QCOMPARE(m_window->property("page").toInt(), 2);
    QVERIFY(settle(m_window, m_engine.get()));
    m_view = findNamed(m_window->contentItem(), QStringLiteral("voicemailView"));
    QVERIFY(m_view);
}

void TstVoicemailView::cleanupTestCase()
{
    if (m_window)
        settle(m_window, m_engine.get());
    m_engine.reset();
    m_fixture.reset();
}

void TstVoicemailView::loadsAndSaysPlaybackIsUnavailable()
{
    QQuickItem *list = findNamed(m_window->contentItem(), QStringLiteral("voicemailList"));
    QVERIFY(list);
    QCOMPARE(list->property("count").toInt(), 4);
    // The first (newest unread) message is selected at start.
    VoicemailModel &model = m_fixture->dashboard().voicemail();
    QCOMPARE(selectedId(), model.value(0, QStringLiteral("messageId")).toLongLong());

    select(m_vm.dana);
    QQuickItem *caller = findNamed(m_view, QStringLiteral("voicemailCaller"));
    QVERIFY(caller);
    QCOMPARE(caller->property("text").toString(), QStringLiteral("(310) 555-0178"));
    QQuickItem *unavailable = findNamed(m_view, QStringLiteral("voicemailUnavailable"));
    QVERIFY(unavailable);
    QVERIFY(unavailable->isVisible());
    QVERIFY2(unavailable->property("text").toString().contains(
                 QStringLiteral("Audio playback is unavailable")),
             qPrintable(unavailable->property("text").toString()));
    QQuickItem *play = findNamed(m_view, QStringLiteral("voicemailPlay"));
    QVERIFY(play);
    QVERIFY(!play->isVisible());
    QQuickItem *transcript = findNamed(m_view, QStringLiteral("voicemailTranscript"));
    QVERIFY(transcript);
    QCOMPARE(transcript->property("text").toString(), DemoData::DanaTranscript);
    // Export stays possible: the file can be played elsewhere.
    QQuickItem *exportButton = findNamed(m_view, QStringLiteral("voicemailExport"));
    QVERIFY(exportButton);
    QVERIFY(exportButton->isEnabled());

    // The failed one says why, and has nothing to play or export.
    select(m_vm.failed);
    QQuickItem *state = findNamed(m_view, QStringLiteral("voicemailState"));
    QVERIFY(state);
    QVERIFY2(state->property("text").toString().contains(QStringLiteral("hung up")),
             qPrintable(state->property("text").toString()));
    QVERIFY(!unavailable->isVisible());
    QVERIFY(!exportButton->isEnabled());
}

void TstVoicemailView::keyboardAndPlainText()
{
    select(m_vm.dana);
    QQuickItem *list = findNamed(m_window->contentItem(), QStringLiteral("voicemailList"));
    QVERIFY(list->hasActiveFocus());
    VoicemailModel &model = m_fixture->dashboard().voicemail();
    const int row = model.rowOf(m_vm.dana);
    QTest::keyClick(m_window, Qt::Key_Down);
    QCOMPARE(selectedId(), model.value(row + 1, QStringLiteral("messageId")).toLongLong());
    QTest::keyClick(m_window, Qt::Key_Up);
    QCOMPARE(selectedId(), m_vm.dana);

    // Hostile words: shown as they are, never as markup, on one line in the list.
    select(m_vm.hostile);
    QQuickItem *transcript = findNamed(m_view, QStringLiteral("voicemailTranscript"));
    QVERIFY(transcript->property("text").toString().contains(QStringLiteral("<b>FREE</b>")));
    QCOMPARE(transcript->property("textFormat").toInt(), int(Qt::PlainText));
    int markupTexts = 0;
    for (QQuickItem *item : allItems(m_view)) {
        const QString text = item->property("text").toString();
        if (!item->isVisible() || !text.contains(QLatin1Char('<')) ||
            item->metaObject()->indexOfProperty("textFormat") < 0)
            continue;
        ++markupTexts;
        QVERIFY2(item->property("textFormat").toInt() == int(Qt::PlainText), qPrintable(text));
    }
    QVERIFY(markupTexts >= 2); // the list's line and the transcript

    // Every control added has a name for assistive technology.
    for (const char *name : {"voicemailHeard", "voicemailExport", "voicemailDelete",
                             "voicemailPlay", "voicemailPosition"}) {
        QQuickItem *item = findNamed(m_view, QString::fromLatin1(name));
        QVERIFY2(item, name);
        QObject *accessible = nullptr;
        for (QObject *child : item->children()) {
            if (child->inherits("QQuickAccessibleAttached"))
                accessible = child;
        }
        QVERIFY2(accessible && !accessible->property("name").toString().isEmpty(), name);
    }
}

void TstVoicemailView::markHeardUpdatesTheBadge()
{
    VoicemailModel &model = m_fixture->dashboard().voicemail();
    QQuickItem *badge = findNamed(m_window->contentItem(), QStringLiteral("badgeVoicemail"));
    QVERIFY(badge);
    QVERIFY(badge->isVisible());
    const int before = model.unreadCount();
    QVERIFY(before > 0);
    QCOMPARE(badge->property("text").toString(), QString::number(before));

    select(m_vm.dana);
    QQuickItem *heard = findNamed(m_view, QStringLiteral("voicemailHeard"));
    QVERIFY(heard && heard->isEnabled());
    click(m_window, heard);
    QTRY_COMPARE(model.unreadCount(), before - 1);
    QTRY_COMPARE(badge->property("text").toString(), QString::number(before - 1));
    QVERIFY(!heard->isEnabled());
    // The selection stayed on the message, though it moved down the list.
    QCOMPARE(selectedId(), m_vm.dana);
    QQuickItem *result = findNamed(m_view, QStringLiteral("voicemailResult"));
    QTRY_VERIFY(result->isVisible());
}

void TstVoicemailView::callDetailLinksToItsMessage()
{
    QVERIFY(QMetaObject::invokeMethod(m_window, "showCall", Q_ARG(QVariant, m_vm.aliceCallId)));
    QObject *drawer = nullptr;
    for (QObject *o : m_window->findChildren<QObject *>()) {
        if (o->objectName() == QLatin1String("callDrawer"))
            drawer = o;
    }
    QVERIFY(drawer);
    QTRY_COMPARE(drawer->property("position").toDouble(), 1.0);
    QVERIFY(settle(m_window, m_engine.get()));
    QQuickItem *link = nullptr;
    for (QQuickItem *item :
         allItems(m_window->contentItem()->parentItem() ? m_window->contentItem()->parentItem()
                                                        : m_window->contentItem())) {
        if (item->objectName() == QLatin1String("detailVoicemail"))
            link = item;
    }
    QVERIFY(link);
    QTRY_VERIFY(link->isVisible());
    click(m_window, link);
    QTRY_COMPARE(drawer->property("position").toDouble(), 0.0);
    QCOMPARE(m_window->property("page").toInt(), 2);
    QCOMPARE(selectedId(), m_vm.alice);

    // And back: the message opens its call; a message whose call is not in the log cannot.
    QQuickItem *openCall = findNamed(m_view, QStringLiteral("voicemailCall"));
    QVERIFY(openCall);
    QVERIFY(openCall->isVisible());
    QTRY_VERIFY(!drawer->property("visible").toBool()); // its modal overlay gone too
    QVERIFY(settle(m_window, m_engine.get()));
    click(m_window, openCall);
    QTRY_COMPARE(drawer->property("position").toDouble(), 1.0);
    QCOMPARE(m_fixture->dashboard().callDetail().callId(), m_vm.aliceCallId);
    QVERIFY(QMetaObject::invokeMethod(drawer, "close"));
    QTRY_COMPARE(drawer->property("position").toDouble(), 0.0);
    select(m_vm.dana);
    QVERIFY(!openCall->isVisible());

    // A call without a message has no link.
    QVERIFY(QMetaObject::invokeMethod(m_window, "showCall",
                                      Q_ARG(QVariant, QStringLiteral("no-such-call"))));
    QVERIFY(settle(m_window, m_engine.get()));
    QVERIFY(!link->isVisible());
    QVERIFY(QMetaObject::invokeMethod(drawer, "close"));
    QTRY_COMPARE(drawer->property("position").toDouble(), 0.0);
}

void TstVoicemailView::deleteAsksFirst()
{
    select(m_vm.dana);
    VoicemailModel &model = m_fixture->dashboard().voicemail();
    QQuickItem *del = findNamed(m_view, QStringLiteral("voicemailDelete"));
    QVERIFY(del && del->isEnabled());
    QObject *dialog = nullptr;
    for (QObject *o : m_view->findChildren<QObject *>()) {
        if (o->objectName() == QLatin1String("deleteDialog"))
            dialog = o;
    }
    QVERIFY(dialog);
    click(m_window, del);
    QTRY_VERIFY(dialog->property("opened").toBool());
    // Nothing happens before the owner confirms.
    QCOMPARE(model.value(model.rowOf(m_vm.dana), QStringLiteral("state")).toString(),
             QStringLiteral("downloaded"));
    QVERIFY(QMetaObject::invokeMethod(dialog, "accept"));
    QTRY_COMPARE(model.value(model.rowOf(m_vm.dana), QStringLiteral("state")).toString(),
                 QStringLiteral("deleted"));
    QQuickItem *state = findNamed(m_view, QStringLiteral("voicemailState"));
    QTRY_COMPARE(state->property("text").toString(), QStringLiteral("deleted"));
    QVERIFY(!del->isEnabled());
}

void TstVoicemailView::noWarnings()
{
    QStringList texts;
    for (const QQmlError &e : std::as_const(m_warnings))
        texts << e.toString();
    QVERIFY2(m_warnings.isEmpty(), qPrintable(texts.join(QLatin1Char('\n'))));
}

QTEST_MAIN(TstVoicemailView)
#include "tst_voicemailview.moc"
