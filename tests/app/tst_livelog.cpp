// SPDX-License-Identifier: GPL-3.0-or-later
// The live view on PostgreSQL. The event log model: another connection's append reaches it
// through the notification, not its timer (the fallback poll is set beyond the test's reach),
// and a model whose connection broke reconnects and reads what it missed, by seq. A dashboard in
// watch mode: the real binary screens calls headless into the database, the dashboard (no engine
// of its own) shows the asking call live and its Accept reaches that engine.
#include "dashboard.h"
#include "headlessfixture.h"
#include "models/eventlogmodel.h"
#include "pgtestdatabase.h"
#include "platform/secretstore.h"
#include "quickitems.h"
#include "store/eventstore.h"

#include <QDir>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QTest>

using namespace kt;

namespace {
NewEvent ruleEvent(const QString &pattern)
{
    NewEvent e;
    e.type = QStringLiteral("tel.rule_added");
    e.actor = QStringLiteral("cli");
    e.payload = {{QStringLiteral("pattern"), pattern}};
    return e;
}
} // namespace

class TstLiveLog : public QObject, public test::HeadlessFixture
{
    Q_OBJECT

private slots:
    void init()
    {
        qRegisterMetaType<kt::CallRecord>();
        if (test::pgServerUrl().isEmpty())
            QSKIP(qPrintable(test::pgSkipReason()));
    }
    void cleanup()
    {
        if (m_dir)
            tearDown(); // the server, if a test ended early
        m_database.clear();
    }

    void anotherConnectionsAppendIsShownAtOnce()
    {
        test::PgTestDatabase database;
        QString error;
        QVERIFY2(database.create(&error), qPrintable(error));
        auto writer = std::make_unique<EventStore>();
        QVERIFY2(writer->open(database.url(), QStringLiteral("writer")),
                 qPrintable(writer->errorString()));
        QVERIFY(writer->append(ruleEvent(QStringLiteral("+1800*"))).ok());
        {
            EventLogModel events;
            QVERIFY2(events.open(database.url()), qPrintable(events.errorString()));
            QVERIFY(events.isNotified());
            events.setFallbackPollIntervalMs(3600 * 1000); // never within this test
            events.setLive(true);
            QCOMPARE(events.rowCount(), 1);

            QVERIFY(writer->append(ruleEvent(QStringLiteral("+1888*"))).ok());
            QTRY_COMPARE(events.rowCount(), 2);
            QCOMPARE(events.eventAt(0).payload.value(QStringLiteral("pattern")).toString(),
                     QStringLiteral("+1888*"));

            // Not live: nothing is read until it is again.
            events.setLive(false);
            QVERIFY(writer->append(ruleEvent(QStringLiteral("+1877*"))).ok());
            QTest::qWait(200);
            QCOMPARE(events.rowCount(), 2);
            events.setLive(true);
            QVERIFY(writer->append(ruleEvent(QStringLiteral("+1866*"))).ok());
            QTRY_COMPARE(events.rowCount(), 4);

            // The server drops every connection (a restart, say): the notification cannot come.
            QVERIFY2(test::PgTestDatabase::adminExec(
                         QStringLiteral("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                        "WHERE datname = '%1'")
                             .arg(database.name()),
                         &error),
                     qPrintable(error));
            writer = std::make_unique<EventStore>();
            QVERIFY2(writer->open(database.url(), QStringLiteral("writer2")),
                     qPrintable(writer->errorString()));
            QVERIFY(writer->append(ruleEvent(QStringLiteral("+1855*"))).ok());
            // The fallback poll (called here, as its timer would): a new connection, the missed
            // event read by seq, and notifications again from then on.
            events.fetchNewer();
            QCOMPARE(events.rowCount(), 5);
            QCOMPARE(events.eventAt(0).payload.value(QStringLiteral("pattern")).toString(),
                     QStringLiteral("+1855*"));
            QVERIFY(events.errorString().isEmpty());
            QVERIFY(events.isNotified());
            QVERIFY(writer->append(ruleEvent(QStringLiteral("+1844*"))).ok());
            QTRY_COMPARE(events.rowCount(), 6);
        }
        writer.reset();
        QVERIFY2(QSqlDatabase::connectionNames().isEmpty(),
                 qPrintable(QSqlDatabase::connectionNames().join(QLatin1Char(','))));
    }

    void watchingDashboardShowsAndDecides()
    {
        QQuickStyle::setStyle(QStringLiteral("Basic"));
        test::PgTestDatabase database;
        QString error;
        QVERIFY2(database.create(&error), qPrintable(error));
        QVERIFY(setUp(QStringLiteral(KEVANTEL_BINARY)));
        m_database = database.url();
        QVERIFY(startServer({QStringLiteral("--ask-timeout"), QStringLiteral("120")}));
        const QString owner = QStringLiteral("+17702300635");
        int code = -1;
        QByteArray err;
        runOnDb({QStringLiteral("numbers"), QStringLiteral("policy"), owner, QStringLiteral("ask")},
                &code, &err);
        QVERIFY2(code == 0, err.constData());

        MemorySecretStore secrets;
        Dashboard::Options options;
        options.databasePath = database.url();
        options.config.databasePath = database.url();
        options.config.mode = QStringLiteral("watch");
        options.config.configFile = m_dir->filePath(QStringLiteral("watch.conf"));
        options.secrets = &secrets;
        options.autostartLocation = m_dir->filePath(QStringLiteral("autostart"));
        options.audioPlayback = false;
        options.watching = true;
        {
            Dashboard dashboard(options, nullptr);
            QVERIFY2(dashboard.open(&error), qPrintable(error));
            QVERIFY(dashboard.controller().watching());
            QVERIFY(dashboard.events().isNotified());
            dashboard.events().setFallbackPollIntervalMs(3600 * 1000); // never within this test
            QSignalSpy followed(&dashboard, &Dashboard::callFollowed);

            const QString from = QStringLiteral("+14045550186");
            const QString ccid = m_telnyx->startInboundCall(from, owner);
            QTRY_COMPARE_WITH_TIMEOUT(dashboard.askingCalls().rowCount(), 1, 20000);
            QVERIFY(!followed.isEmpty());
            // The Go live page lists the instance that took the call, with its last webhook.
            QTRY_COMPARE_WITH_TIMEOUT(dashboard.goLive().instances().size(), 1, 10000);
            const QVariantMap instance = dashboard.goLive().instances().at(0).toMap();
            QVERIFY2(instance.value(QStringLiteral("name")).toString().contains(QLatin1Char('@')),
                     qPrintable(instance.value(QStringLiteral("name")).toString()));
            QVERIFY(!instance.value(QStringLiteral("lastWebhookText")).toString().isEmpty());
            const CallRecord asking = followed.constLast().at(0).value<CallRecord>();
            QCOMPARE(asking.fromNumber, from);
            QCOMPARE(asking.state, QStringLiteral("asking"));

            // As the owner sees it: the real window, the pill, the ask card; Accept clicked.
            QQmlApplicationEngine qml;
            QQuickWindow *window = test::loadMainWindow(qml, dashboard.properties());
            QVERIFY(window);
            QVERIFY(test::settle(window, &qml));
            QQuickItem *pill = test::findNamed(window->contentItem(), QStringLiteral("healthPill"));
            QVERIFY(pill);
            QCOMPARE(pill->property("text").toString(), QStringLiteral("Watching a server"));
            QQuickItem *accept =
                test::findNamed(window->contentItem(), QStringLiteral("acceptButton"));
            QVERIFY(accept);
            QVERIFY(accept->isVisible() && accept->isEnabled());
            const QDir out(QStringLiteral(KEVANTEL_SCREENSHOT_DIR));
            QVERIFY(out.mkpath(QStringLiteral(".")));
            const QString file = out.filePath(QStringLiteral("dashboard-watching.png"));
            QVERIFY2(window->grabWindow().save(file), qPrintable(file));
            qInfo().noquote() << "saved" << file;

            QSignalSpy finished(&dashboard.controller(), &EngineController::actionFinished);
            QTest::mouseClick(
                window, Qt::LeftButton, {},
                accept->mapToScene(QPointF(accept->width() / 2, accept->height() / 2)).toPoint());
            QTRY_COMPARE(finished.size(), 1);
            QVERIFY2(finished.at(0).at(2).toBool(), qPrintable(finished.at(0).at(3).toString()));
            // The engine elsewhere carries it out, and the dashboard sees the outcome live.
            QTRY_COMPARE_WITH_TIMEOUT(steps(ccid), (QStringList{"answer", "transfer"}), 20000);
            QTRY_COMPARE_WITH_TIMEOUT(followed.constLast().at(0).value<CallRecord>().state,
                                      QStringLiteral("forwarded"), 20000);
            QCOMPARE(dashboard.askingCalls().rowCount(), 0);

            // A call that does not ask cannot be decided; the message says why.
            dashboard.controller().reject(asking.callId);
            QTRY_COMPARE(finished.size(), 2);
            QVERIFY(!finished.at(1).at(2).toBool());
            QVERIFY2(finished.at(1).at(3).toString().contains(QStringLiteral("not waiting")),
                     qPrintable(finished.at(1).at(3).toString()));

            // Block on the next caller: the rule is written into the shared database and the
            // call turned away by the engine.
            const QString other = QStringLiteral("+16175550163");
            const QString ccid2 = m_telnyx->startInboundCall(other, owner);
            QTRY_COMPARE_WITH_TIMEOUT(dashboard.askingCalls().rowCount(), 1, 20000);
            const CallRecord second = followed.constLast().at(0).value<CallRecord>();
            QCOMPARE(second.fromNumber, other);
            dashboard.controller().block(other, second.callId);
            QTRY_COMPARE(finished.size(), 3);
            QVERIFY2(finished.at(2).at(2).toBool(), qPrintable(finished.at(2).at(3).toString()));
            QTRY_COMPARE_WITH_TIMEOUT(steps(ccid2), (QStringList{"answer", "speak", "hangup"}),
                                      20000);
            const QByteArray rules =
                runOnDb({QStringLiteral("rules"), QStringLiteral("list")}, &code);
            QVERIFY2(rules.contains(other.toUtf8()), rules.constData());
        }
        const QByteArray stopped = test::terminateServer(*m_server, 20000);
        QVERIFY2(stopped.isEmpty(), stopped.constData());
        runOnDb({QStringLiteral("events"), QStringLiteral("verify")}, &code);
        QCOMPARE(code, 0);
    }
};

QTEST_MAIN(TstLiveLog)
#include "tst_livelog.moc"
