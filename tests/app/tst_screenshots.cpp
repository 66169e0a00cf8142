// SPDX-License-Identifier: GPL-3.0-or-later
// Renders every page of the dashboard (the real Main.qml, the real models, a real engine in its
// thread) with demo-like data, offscreen with the software renderer, and saves the pictures as
// PNG files in the build directory (KEVANTEL_SCREENSHOT_DIR) for people to look at. Fails when
// a page comes out blank or nearly so.
#include "certificateimport.h"
#include "dashboardfixture.h"
#include "demodata.h"
#include "quickitems.h"
#include "registration/registrationservice.h"
#include "registrationtestkit.h"
#include "screening/certificateauthority.h"
#include "screening/screeningrepository.h"
#include "store/eventstore.h"

#include <QDir>
#include <QHash>
#include <QImage>
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
using kt::test::findNamed;
using kt::test::loadMainWindow;
using kt::test::settle;
using kt::test::withProperty;

namespace {
struct ImageStats
{
    int distinctColours = 0;
    double dominantShare = 1.0; // the share of the most common colour
};

ImageStats stats(const QImage &image)
{
    QHash<QRgb, int> counts;
    const QImage img = image.convertToFormat(QImage::Format_RGB32);
    for (int y = 0; y < img.height(); ++y) {
        const auto *line = reinterpret_cast<const QRgb *>(img.constScanLine(y));
        for (int x = 0; x < img.width(); ++x)
            ++counts[line[x]];
    }
    ImageStats s;
    s.distinctColours = int(counts.size());
    int top = 0;
    for (const int n : std::as_const(counts))
        top = qMax(top, n);
    const qint64 pixels = qint64(img.width()) * img.height();
    s.dominantShare = pixels > 0 ? double(top) / double(pixels) : 1.0;
    return s;
}

} // namespace

class TstScreenshots : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void page_data();
    void page();

private:
    // Sets the scene a data row shows beyond its page (a drawer, a form); undone by cleanUp().
    bool prepare(const QByteArray &tag);
    void cleanUp(const QByteArray &tag);
    QObject *drawer() const;
    QQuickItem *settingsFlickable() const;

    std::unique_ptr<DashboardFixture> m_fixture;
    std::unique_ptr<QQmlApplicationEngine> m_engine;
    QQuickWindow *m_window = nullptr;
    QDir m_out;
    test::DemoData::Voicemail m_voicemail;
};

void TstScreenshots::initTestCase()
{
    QQuickStyle::setStyle(QStringLiteral("Basic"));
    m_out = QDir(QStringLiteral(KEVANTEL_SCREENSHOT_DIR));
    QVERIFY(m_out.mkpath(QStringLiteral(".")));

    m_fixture = std::make_unique<DashboardFixture>();
    QString error;
    // A month of calls, for the Stats page.
    QVERIFY2(m_fixture->setUp(true, &error, 30), qPrintable(error));
    // Voicemail: the badge in the rail, and the Voicemail page.
    QVERIFY2(m_fixture->addVoicemail(&error, &m_voicemail), qPrintable(error));

    m_engine = std::make_unique<QQmlApplicationEngine>();
    m_window = loadMainWindow(*m_engine, m_fixture->dashboard().properties());
    QVERIFY(m_window);
}

void TstScreenshots::cleanupTestCase()
{
    if (m_window)
        settle(m_window, m_engine.get());
    m_engine.reset();
    m_fixture.reset();
}

void TstScreenshots::page_data()
{
    QTest::addColumn<int>("page");
    QTest::newRow("1-live") << 0;
    QTest::newRow("2-history") << 1;
    QTest::newRow("3-numbers") << 3;
    QTest::newRow("4-registry") << 4;
    QTest::newRow("5-rules") << 5;
    QTest::newRow("6-audit") << 6;
    QTest::newRow("8-stats") << 8;
    QTest::newRow("9-settings") << 9;
    QTest::newRow("10-call-detail") << 1;
    QTest::newRow("11-certificate-import") << 4;
    QTest::newRow("12-settings-checked") << 9;
    QTest::newRow("13-first-run") << 0;
    QTest::newRow("14-voicemail") << 2;
    QTest::newRow("15-voicemail-hostile") << 2;
    QTest::newRow("16-settings-screening") << 9;
    QTest::newRow("17-screen-words") << 0;
    QTest::newRow("18-screen-deepfake") << 0;
}

QQuickItem *TstScreenshots::settingsFlickable() const
{
    // The Settings page's form: its tallest flickable.
    QQuickItem *page = withProperty(m_window->contentItem(), "settings");
    QQuickItem *flickable = nullptr;
    for (QQuickItem *item : page ? allItems(page) : QList<QQuickItem *>()) {
        if (item->inherits("QQuickFlickable") &&
            (!flickable || item->property("contentHeight").toDouble() >
                               flickable->property("contentHeight").toDouble()))
            flickable = item;
    }
    return flickable;
}

QObject *TstScreenshots::drawer() const
{
    for (QObject *o : m_window->findChildren<QObject *>()) {
        if (o->objectName() == QLatin1String("callDrawer"))
            return o;
    }
    return nullptr;
}

// Two callers' self-registrations, as the page and the call-in leave them: dave.x proved his
// phone and waits for the owner, erin.x has yet to call in.
static bool seedPendingRegistrations(const QString &databasePath)
{
    EventStore store;
    if (!store.open(databasePath, QStringLiteral("screenshot-registrations")))
        return false;
    ScreeningRepository repo(store);
    RegistrationService service(store);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const CertificateAuthority root = CertificateAuthority::createRoot(
        QStringLiteral("Example Namespace Registry CA"), now.addDays(-1), now.addYears(3));
    if (!repo.trustRoot(root.certificate().toPem(), QStringLiteral("owner")).ok)
        return false;
    service.setTrustStoreSource([&repo] { return repo.trustStore(); });
    service.setCallInNumbers([] { return QStringList{QStringLiteral("+17702300635")}; });
    const QList<std::pair<QString, QString>> callers{
        {QStringLiteral("dave.x"), QStringLiteral("+16465550193")},
        {QStringLiteral("erin.x"), QStringLiteral("+17185550126")}};
    for (const auto &[nameSpace, phone] : callers) {
        const test::IssuedKey key =
            test::issueEd25519(root, nameSpace, now.addDays(-1), now.addYears(1));
        const auto challenge = service.challenge(nameSpace, phone);
        RegistrationService::Submission submission;
        submission.challenge = challenge.challenge;
        submission.certificatePem = key.certificate.toPem();
        submission.signature =
            QString::fromLatin1(test::sign(key.privateKeyPem, challenge.message).toBase64());
        submission.pin = QStringLiteral("8642");
        const auto submitted = service.submit(submission);
        if (submitted.error != RegistrationService::Error::None)
            return false;
        if (nameSpace == QLatin1String("dave.x") &&
            !service.completeCallIn(phone, submitted.callInCode))
            return false;
    }
    return true;
}

bool TstScreenshots::prepare(const QByteArray &tag)
{
    if (tag == "4-registry") {
        if (!seedPendingRegistrations(m_fixture->databasePath()))
            return false;
        m_fixture->dashboard().refreshLists();
        return m_fixture->dashboard().pendingRegistrations().count() == 2;
    }
    if (tag == "10-call-detail") {
        // Alice's latest call: authenticated, forwarded, with its whole timeline.
        HistoryModel &history = m_fixture->dashboard().history();
        const int fromRole = history.roleNames().key("from");
        QString callId;
        for (int i = 0; i < history.rowCount() && callId.isEmpty(); ++i) {
            if (history.index(i).data(fromRole).toString() ==
                QLatin1String(test::DemoData::AlicePhone))
                callId = history.index(i).data(history.roleNames().key("callId")).toString();
        }
        if (callId.isEmpty() ||
            !QMetaObject::invokeMethod(m_window, "showCall", Q_ARG(QVariant, callId)))
            return false;
        QObject *d = drawer();
        return d && QTest::qWaitFor([d] { return d->property("position").toDouble() == 1.0; });
    }
    if (tag == "11-certificate-import") {
        // A root being checked before it is trusted.
        const QDateTime now = QDateTime::currentDateTimeUtc();
        const CertificateAuthority ca = CertificateAuthority::createRoot(
            QStringLiteral("Example Namespace Registry CA"), now.addDays(-1), now.addYears(3));
        QFile file(m_fixture->tempPath(QStringLiteral("example-registry-ca.pem")));
        if (!file.open(QIODevice::WriteOnly) || file.write(ca.certificate().toPem()) <= 0)
            return false;
        file.close();
        auto *import = m_window->findChild<CertificateImport *>();
        if (!import)
            return false;
        import->start(CertificateImport::Root);
        import->choose(file.fileName());
        return import->status() == CertificateImport::Acceptable;
    }
    if (tag == "12-settings-checked") {
        // Mistakes as they are typed, and a number written the way people write it.
        SettingsController &settings = m_fixture->dashboard().settings();
        settings.setValue(QStringLiteral("api-key"), QStringLiteral("KEY 0123"));
        settings.setValue(QStringLiteral("public-key"), QStringLiteral("c2hvcnQ="));
        settings.setValue(QStringLiteral("forward-to"), QStringLiteral("(415) 555-0132"));
        settings.setValue(QStringLiteral("namespace"), QStringLiteral("kevan.tel"));
        settings.setValue(QStringLiteral("port"), QStringLiteral("70000"));
        settings.setValue(QStringLiteral("start-minimized"), true);
        // Scrolled to the end (once the messages are laid out): this computer's settings.
        if (!settle(m_window, m_engine.get()))
            return false;
        QQuickItem *flickable = settingsFlickable();
        if (!flickable)
            return false;
        flickable->setProperty("contentY", flickable->property("contentHeight").toDouble() -
                                               flickable->height());
        return !settings.isValid();
    }
    if (tag == "16-settings-screening") {
        // Scrolled to the rows below the rejection message: self-registration and voicemail.
        if (!settle(m_window, m_engine.get()))
            return false;
        QQuickItem *flickable = settingsFlickable();
        QQuickItem *row = nullptr;
        for (QQuickItem *item : flickable ? allItems(flickable) : QList<QQuickItem *>()) {
            if (item->objectName() == QLatin1String("selfRegistrationRow"))
                row = item;
        }
        auto *content =
            flickable ? flickable->property("contentItem").value<QQuickItem *>() : nullptr;
        if (!row || !content)
            return false;
        flickable->setProperty("contentY", row->mapToItem(content, QPointF(0, 0)).y() - 16);
        return true;
    }
    if (tag == "14-voicemail" || tag == "15-voicemail-hostile") {
        // Dana's message with its transcript, or the caller whose words are markup.
        QQuickItem *view = withProperty(m_window->contentItem(), "selectedId");
        const qint64 id = tag == "14-voicemail" ? m_voicemail.dana : m_voicemail.hostile;
        return view &&
               QMetaObject::invokeMethod(view, "show", Q_ARG(QVariant, QVariant(double(id))));
    }
    if (tag == "17-screen-words" || tag == "18-screen-deepfake") {
        // A screened caller on the Live page: a final sentence and the next one still being
        // spoken (greyed), or a voice Telnyx flags as synthetic. The ringing call goes first.
        const QDateTime now = QDateTime::currentDateTimeUtc();
        CallListModel &calls = m_fixture->dashboard().calls();
        if (tag == "17-screen-words")
            calls.upsert(test::DemoData::screenedCall(
                now,
                {{QStringLiteral("Hi, this is Dana from Doctor Patel's office."), true},
                 {QStringLiteral("I'm calling to confirm your appoint"), false}},
                QStringLiteral("real"), 0.06));
        else
            calls.upsert(test::DemoData::screenedCall(
                now,
                {{QStringLiteral("Hello, this is the fraud team of your bank."), true},
                 {QStringLiteral("Please confirm your card number to unblock your account."),
                  true}},
                QStringLiteral("fake"), 0.91));
        return m_fixture->dashboard().askingCalls().count() == 2;
    }
    if (tag == "13-first-run") {
        // The demo's first start: the setup card over the Live page, half filled in.
        SettingsController &settings = m_fixture->dashboard().settings();
        settings.setValue(QStringLiteral("forward-to"), QStringLiteral("(415) 555-0132"));
        settings.setValue(QStringLiteral("namespace"), QStringLiteral("kevan.tel.x"));
        m_fixture->dashboard().firstRun().setActive(true);
        return true;
    }
    return true;
}

void TstScreenshots::cleanUp(const QByteArray &tag)
{
    if (tag == "10-call-detail") {
        QObject *d = drawer();
        QMetaObject::invokeMethod(d, "close");
        (void)QTest::qWaitFor([d] { return d->property("position").toDouble() == 0.0; });
    } else if (tag == "11-certificate-import") {
        if (auto *import = m_window->findChild<CertificateImport *>())
            import->cancel();
    } else if (tag == "17-screen-words" || tag == "18-screen-deepfake") {
        CallRecord ended = test::DemoData::screenedCall(QDateTime::currentDateTimeUtc(), {});
        ended.state = QStringLiteral("ended");
        ended.endedAt = ended.decidedAt;
        m_fixture->dashboard().calls().upsert(ended);
    } else if (tag == "13-first-run") {
        m_fixture->dashboard().firstRun().setActive(false);
        m_fixture->dashboard().settings().revert();
    } else if (tag == "12-settings-checked" || tag == "16-settings-screening") {
        m_fixture->dashboard().settings().revert();
        if (QQuickItem *page = withProperty(m_window->contentItem(), "settings")) {
            for (QQuickItem *item : allItems(page)) {
                if (item->inherits("QQuickFlickable"))
                    item->setProperty("contentY", 0);
            }
        }
    }
}

void TstScreenshots::page()
{
    QFETCH(int, page);
    if (page == 6) {
        // Show a finished check on the audit page.
        QVERIFY(m_fixture->dashboard().controller().verifyChain());
        QTRY_VERIFY_WITH_TIMEOUT(m_fixture->dashboard().controller().verifyDone(), 20000);
    }
    m_window->setProperty("page", page);
    QVERIFY(settle(m_window, m_engine.get()));
    const QByteArray tag = QTest::currentDataTag();
    const bool prepared = prepare(tag);
    auto undo = qScopeGuard([this, tag] { cleanUp(tag); });
    QVERIFY(prepared);
    QVERIFY(settle(m_window, m_engine.get()));
    const QImage image = m_window->grabWindow();
    QVERIFY(!image.isNull());
    QCOMPARE(image.size(), QSize(1240, 780));

    const QString file = m_out.filePath(
        QStringLiteral("dashboard-%1.png").arg(QString::fromLatin1(QTest::currentDataTag())));
    QVERIFY2(image.save(file), qPrintable(file));
    qInfo().noquote() << "saved" << file;

    // Not blank: text, cards and badges give many colours, and no colour fills the picture.
    const ImageStats s = stats(image);
    QVERIFY2(s.distinctColours >= 200,
             qPrintable(QStringLiteral("only %1 colours").arg(s.distinctColours)));
    QVERIFY2(s.dominantShare < 0.85,
             qPrintable(QStringLiteral("one colour covers %1%").arg(int(s.dominantShare * 100))));
}

QTEST_MAIN(TstScreenshots)
#include "tst_screenshots.moc"
