// SPDX-License-Identifier: GPL-3.0-or-later
// The ask card of a screened call (README "Screening a caller"), in the real LiveView offscreen
// with the real models: the caller's words arrive live (an interim result greyed, then replaced
// by the final text of the same utterance), the deepfake hint shows as a hint, hostile words stay
// plain text, and the card is usable from the keyboard (accessible names, a focus ring,
// Ctrl+Shift+A/R/V on the first card only).
#include "dashboardfixture.h"
#include "demodata.h"
#include "quickitems.h"

#include <QQmlContext>
#include <QQmlEngine>
#include <QQmlProperty>
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
using kt::test::settle;

namespace {
// The visible texts of the items named `name` under `root`, in scene order.
QStringList textsNamed(QQuickItem *root, const QString &name)
{
    QStringList out;
    for (QQuickItem *item : allItems(root)) {
        if (item->objectName() == name && item->isVisible())
            out << item->property("text").toString();
    }
    return out;
}

// The card showing the call `callId`.
QQuickItem *cardOf(QQuickItem *root, const QString &callId)
{
    for (QQuickItem *item : allItems(root)) {
        if (item->property("callId").toString() == callId && item->property("screening").isValid())
            return item;
    }
    return nullptr;
}
} // namespace

class TstAskCard : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void cleanupTestCase();
    void wordsArriveLive();
    void keyboardAndAccessibility();

private:
    std::unique_ptr<QQuickView> showLive();

    std::unique_ptr<DashboardFixture> m_fixture;
    QList<QQmlError> m_warnings;
};

void TstAskCard::initTestCase()
{
    QQuickStyle::setStyle(QStringLiteral("Basic"));
    m_fixture = std::make_unique<DashboardFixture>();
    QString error;
    QVERIFY2(m_fixture->setUp(false, &error), qPrintable(error));
}

void TstAskCard::init()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
}

void TstAskCard::cleanupTestCase()
{
    m_fixture.reset();
}

std::unique_ptr<QQuickView> TstAskCard::showLive()
{
    m_warnings.clear();
    auto view = std::make_unique<QQuickView>();
    connect(view->engine(), &QQmlEngine::warnings, this,
            [this](const QList<QQmlError> &w) { m_warnings += w; });
    view->setResizeMode(QQuickView::SizeRootObjectToView);
    view->setInitialProperties(
        m_fixture->properties({QStringLiteral("askingCalls"), QStringLiteral("activeCalls"),
                               QStringLiteral("recentCalls"), QStringLiteral("controller")}));
    view->setSource(QUrl(QStringLiteral("qrc:/KevanTel/LiveView.qml")));
    if (view->status() != QQuickView::Ready)
        return nullptr;
    view->resize(1100, 900);
    view->show();
    if (!QTest::qWaitForWindowExposed(view.get()) || !settle(view.get(), view->engine()))
        return nullptr;
    return view;
}

void TstAskCard::wordsArriveLive()
{
    auto view = showLive();
    QVERIFY(view);
    QQuickItem *root = view->rootObject();
    CallListModel &calls = m_fixture->dashboard().calls();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QString id = QStringLiteral("v3:live-screened");

    // Screened, nothing said yet: the card listens.
    calls.upsert(DemoData::screenedCall(now, {}));
    QTRY_VERIFY(cardOf(root, id));
    QTRY_COMPARE(textsNamed(root, QStringLiteral("screenWaiting")).size(), 1);
    QVERIFY(textsNamed(root, QStringLiteral("deepfakeHint")).isEmpty());

    // The first words, as an interim result.
    calls.upsert(DemoData::screenedCall(now, {{QStringLiteral("hi it's"), false}}));
    QTRY_COMPARE(textsNamed(root, QStringLiteral("screenInterim")),
                 QStringList{QStringLiteral("hi it's")});
    QVERIFY(textsNamed(root, QStringLiteral("screenWaiting")).isEmpty());
    QVERIFY(textsNamed(root, QStringLiteral("screenFinal")).isEmpty());

    // More of the same utterance replaces it, then its final text.
    calls.upsert(DemoData::screenedCall(now, {{QStringLiteral("hi it's Dana from"), false}}));
    QTRY_COMPARE(textsNamed(root, QStringLiteral("screenInterim")),
                 QStringList{QStringLiteral("hi it's Dana from")});
    calls.upsert(
        DemoData::screenedCall(now,
                               {{QStringLiteral("Hi, it's Dana from Doctor Patel's office."), true},
                                {QStringLiteral("about your"), false}},
                               QStringLiteral("real"), 0.06));
    QTRY_COMPARE(textsNamed(root, QStringLiteral("screenFinal")),
                 QStringList{QStringLiteral("Hi, it's Dana from Doctor Patel's office.")});
    QCOMPARE(textsNamed(root, QStringLiteral("screenInterim")),
             QStringList{QStringLiteral("about your")});
    QTRY_COMPARE(textsNamed(root, QStringLiteral("deepfakeHint")).size(), 1);
    QVERIFY(textsNamed(root, QStringLiteral("deepfakeHint"))
                .first()
                .contains(QStringLiteral("the voice sounds real (score 0.06)")));
    // Interim text is greyed and italic, final text is not.
    for (QQuickItem *item : allItems(root)) {
        if (item->objectName() == QLatin1String("screenInterim"))
            QVERIFY(item->property("font").value<QFont>().italic());
        if (item->objectName() == QLatin1String("screenFinal"))
            QVERIFY(!item->property("font").value<QFont>().italic());
    }

    // Hostile words: markup and a bidi override stay inert text.
    calls.upsert(DemoData::screenedCall(now,
                                        {{QStringLiteral("<b>URGENT</b> \u202eknab ruoy"), true}},
                                        QStringLiteral("fake"), 0.91));
    QTRY_VERIFY(textsNamed(root, QStringLiteral("screenFinal"))
                    .value(0)
                    .startsWith(QStringLiteral("<b>URGENT</b>")));
    QVERIFY(!textsNamed(root, QStringLiteral("screenFinal")).first().contains(QChar(0x202e)));
    for (QQuickItem *item : allItems(root)) {
        if (item->objectName() == QLatin1String("screenFinal"))
            QCOMPARE(item->property("textFormat").toInt(), 0); // Text.PlainText
    }
    QTRY_VERIFY(textsNamed(root, QStringLiteral("deepfakeHint"))
                    .value(0)
                    .contains(QStringLiteral("the voice may be synthetic (score 0.91)")));

    // The caller hangs up: the card goes away.
    CallRecord ended = DemoData::screenedCall(now, {{QStringLiteral("bye"), true}});
    ended.state = QStringLiteral("ended");
    ended.endedAt = ended.decidedAt;
    calls.upsert(ended);
    QTRY_VERIFY(!cardOf(root, id));
    for (const QQmlError &e : std::as_const(m_warnings))
        qWarning().noquote() << e.toString();
    QVERIFY(m_warnings.isEmpty());
}

void TstAskCard::keyboardAndAccessibility()
{
    auto view = showLive();
    QVERIFY(view);
    QQuickItem *root = view->rootObject();
    CallListModel &calls = m_fixture->dashboard().calls();
    calls.upsert(
        DemoData::screenedCall(QDateTime::currentDateTimeUtc(), {{QStringLiteral("hello"), true}}));
    QQuickItem *card = nullptr;
    QTRY_VERIFY((card = cardOf(root, QStringLiteral("v3:live-screened"))));
    QVERIFY(settle(view.get(), view->engine()));

    // Names for assistive technology: the card, the words, the buttons with their shortcuts.
    auto accessibleName = [](QQuickItem *item) {
        return QQmlProperty(item, QStringLiteral("Accessible.name"), qmlContext(item))
            .read()
            .toString();
    };
    QCOMPARE(accessibleName(card), QStringLiteral("Screened call from (718) 555-0142"));
    QVERIFY(accessibleName(findNamed(card, QStringLiteral("screenWords")))
                .startsWith(QStringLiteral("What the caller says")));
    QQuickItem *accept = findNamed(card, QStringLiteral("acceptButton"));
    QQuickItem *reject = findNamed(card, QStringLiteral("rejectButton"));
    QQuickItem *voicemail = findNamed(card, QStringLiteral("voicemailButton"));
    QVERIFY(accept && reject && voicemail);
    QVERIFY(findNamed(card, QStringLiteral("allowButton")));
    QVERIFY(findNamed(card, QStringLiteral("blockButton")));
    QVERIFY(accept->activeFocusOnTab());
    QCOMPARE(accessibleName(accept), QStringLiteral("Accept"));

    // Which card answers the shortcuts: exactly one (the first), whatever the order.
    int primaries = 0;
    for (QQuickItem *item : allItems(root)) {
        if (item->property("primary").isValid() && item->property("screening").isValid() &&
            item->property("primary").toBool())
            ++primaries;
    }
    QCOMPARE(primaries, 1);

    // Keyboard focus shows as a ring; Ctrl+Shift+R rejects the first card's call.
    accept->forceActiveFocus(Qt::TabFocusReason);
    QTRY_VERIFY(accept->property("visualFocus").toBool());
    bool ring = false;
    for (QQuickItem *child : accept->childItems()) {
        if (child->inherits("QQuickRectangle") && child->isVisible() &&
            child->property("border").value<QObject *>())
            ring = true;
    }
    QVERIFY(ring);
    QSignalSpy finished(&m_fixture->dashboard().controller(), &EngineController::actionFinished);
    QTest::keyClick(view.get(), Qt::Key_R, Qt::ControlModifier | Qt::ShiftModifier);
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(finished.at(0).at(1).toString(), QStringLiteral("reject"));
    // A plain R (no modifiers) does nothing.
    QTest::keyClick(view.get(), Qt::Key_R);
    QTest::qWait(50);
    QCOMPARE(finished.count(), 1);
    for (const QQmlError &e : std::as_const(m_warnings))
        qWarning().noquote() << e.toString();
    QVERIFY(m_warnings.isEmpty());
}

QTEST_MAIN(TstAskCard)
#include "tst_askcard.moc"
