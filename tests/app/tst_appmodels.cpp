// SPDX-License-Identifier: GPL-3.0-or-later
// The dashboard's view models on a real (temporary) database: QAbstractItemModelTester on every
// model, paging, filters, live updates and refreshes.
#include "demodata.h"
#include "models/callfiltermodel.h"
#include "models/calllistmodel.h"
#include "models/certificatelistmodel.h"
#include "models/displaytext.h"
#include "models/eventlogmodel.h"
#include "models/historymodel.h"
#include "models/numberlistmodel.h"
#include "models/registrationlistmodel.h"
#include "models/rulelistmodel.h"
#include "models/searchfiltermodel.h"
#include "screening/keypad.h"
#include "screening/screeningrepository.h"
#include "store/eventstore.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace kt;
using kt::test::DemoData;

namespace {
QVariant roleValue(const QAbstractItemModel &model, int row, const QByteArray &role)
{
    const int r = model.roleNames().key(role, -1);
    return r < 0 ? QVariant() : model.index(row, 0).data(r);
}

QStringList column(const QAbstractItemModel &model, const QByteArray &role)
{
    QStringList out;
    for (int i = 0; i < model.rowCount(); ++i)
        out << roleValue(model, i, role).toString();
    return out;
}

CallRecord record(const QString &id, const QString &state, const QString &decision = QString())
{
    CallRecord c;
    c.callId = id;
    c.fromNumber = QStringLiteral("+14155550132");
    c.toNumber = QStringLiteral("+17702300635");
    c.state = state;
    c.decision = decision;
    c.startedAt = QStringLiteral("2025-11-23T03:30:00.000000Z");
    return c;
}
} // namespace

class TstAppModels : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();

    void displayTextIsPlainAndShort();
    void callListUpsertsAndFilters();
    void historyPagesThroughEveryCall();
    void historyFilters_data();
    void historyFilters();
    void historyFollowsLiveCalls();
    void eventLogPagesAndFollows();
    void numbersListTheMapWithCallCounts();
    void numbersRefreshWithoutReset();
    void rulesRegistrationsAndCertificates();
    void searchFilterMatchesTextAndDigits();

private:
    QString dbPath() const { return m_dir.filePath(QStringLiteral("demo.db")); }
    QTemporaryDir m_dir;
    QDateTime m_now;
};

void TstAppModels::initTestCase()
{
    QVERIFY(m_dir.isValid());
    // 15:00 local today: the day's calls are all after midnight whatever the real time.
    m_now = QDateTime(QDate::currentDate(), QTime(15, 0));
    QString error;
    QVERIFY2(DemoData::seed(dbPath(), &error, m_now), qPrintable(error));
}

void TstAppModels::displayTextIsPlainAndShort()
{
    QCOMPARE(DisplayText::plain(QStringLiteral("  Alice\u202e\u200b Smith\n\tJr ")),
             QStringLiteral("Alice Smith Jr"));
    QCOMPARE(DisplayText::plain(QStringLiteral("<b>x</b>")), QStringLiteral("<b>x</b>"));
    QCOMPARE(DisplayText::plain(QString(100, QLatin1Char('a')), 10),
             QString(10, QLatin1Char('a')) + QChar(0x2026));
    QCOMPARE(DisplayText::plain(QStringLiteral("\x01\x7f")), QString());
    QCOMPARE(DisplayText::number(QStringLiteral("+17702300635")), QStringLiteral("(770) 230-0635"));
    QCOMPARE(DisplayText::number(QStringLiteral("+442079460958")),
             QStringLiteral("+44 20 7946 0958"));
    QCOMPARE(DisplayText::number(QStringLiteral("Restricted")), QStringLiteral("Restricted"));
    QCOMPARE(DisplayText::duration(QStringLiteral("2025-11-23T03:30:00.000000Z"),
                                   QStringLiteral("2025-11-23T03:31:05.500000Z")),
             QStringLiteral("1:05"));
    QCOMPARE(DisplayText::duration(QStringLiteral("2025-11-23T03:30:00Z"), QString()), QString());
}

void TstAppModels::callListUpsertsAndFilters()
{
    CallListModel calls;
    QAbstractItemModelTester tester(&calls, QAbstractItemModelTester::FailureReportingMode::QtTest);
    CallFilterModel asking(CallFilterModel::Asking, &calls);
    CallFilterModel inProgress(CallFilterModel::InProgress, &calls);
    CallFilterModel finished(CallFilterModel::Finished, &calls);
    QAbstractItemModelTester t1(&asking, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester t2(&inProgress,
                                QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester t3(&finished, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy activeSpy(&calls, &CallListModel::activeCountChanged);

    calls.upsert(record(QStringLiteral("a"), QStringLiteral("ringing")));
    calls.upsert(record(QStringLiteral("b"), QStringLiteral("asking"), QStringLiteral("ask")));
    calls.upsert(record(QStringLiteral("c"), QStringLiteral("ended"), QStringLiteral("blocked")));
    QCOMPARE(calls.rowCount(), 3);
    QCOMPARE(calls.activeCount(), 2);
    QCOMPARE(roleValue(calls, 0, "callId").toString(), QStringLiteral("c")); // newest first
    QCOMPARE(asking.count(), 1);
    QCOMPARE(inProgress.count(), 1);
    QCOMPARE(finished.count(), 1);
    QCOMPARE(roleValue(asking, 0, "callId").toString(), QStringLiteral("b"));
    QVERIFY(roleValue(asking, 0, "askDeadlineMs").toDouble() > 0);
    QCOMPARE(roleValue(calls, 0, "askDeadlineMs").toDouble(), 0.0);

    // The owner accepted: the call leaves the asking list and is in progress.
    calls.upsert(
        record(QStringLiteral("b"), QStringLiteral("forwarding"), QStringLiteral("allowlisted")));
    QCOMPARE(calls.rowCount(), 3);
    QCOMPARE(asking.count(), 0);
    QCOMPARE(inProgress.count(), 2);
    // Both end.
    calls.upsert(record(QStringLiteral("a"), QStringLiteral("ended"), QStringLiteral("rejected")));
    calls.upsert(
        record(QStringLiteral("b"), QStringLiteral("ended"), QStringLiteral("allowlisted")));
    QCOMPARE(inProgress.count(), 0);
    QCOMPARE(finished.count(), 3);
    QCOMPARE(calls.activeCount(), 0);
    QVERIFY(activeSpy.count() >= 2);

    // Labels of the owner's numbers, and the cap.
    calls.setNumberLabels({{QStringLiteral("+17702300635"), QStringLiteral("primary")}});
    QCOMPARE(roleValue(calls, 0, "toLabel").toString(), QStringLiteral("primary"));
    calls.setMaxRows(3);
    calls.upsert(record(QStringLiteral("d"), QStringLiteral("ringing")));
    QCOMPARE(calls.rowCount(), 3);
    QCOMPARE(roleValue(calls, 0, "callId").toString(), QStringLiteral("d"));

    // A hostile caller name is shown as plain, short text.
    CallRecord hostile = record(QStringLiteral("e"), QStringLiteral("ringing"));
    hostile.callerName = DemoData::HostileName;
    calls.upsert(hostile);
    const QString name = roleValue(calls, 0, "callerName").toString();
    QVERIFY(!name.contains(QChar(0x202e)));
    QVERIFY(!name.contains(QLatin1Char('\n')));
    QVERIFY(name.startsWith(QStringLiteral("<b>FREE</b>")));
}

void TstAppModels::historyPagesThroughEveryCall()
{
    const QString path = m_dir.filePath(QStringLiteral("many.db"));
    {
        EventStore writer;
        QVERIFY(writer.open(path, QStringLiteral("many-writer")));
        const QDateTime t0(QDate(2025, 11, 1), QTime(8, 0), Qt::UTC);
        for (int i = 0; i < 250; ++i) {
            NewEvent e;
            e.type = QStringLiteral("call.initiated");
            e.callId = QStringLiteral("call-%1").arg(i, 3, 10, QLatin1Char('0'));
            e.actor = QStringLiteral("telnyx");
            CallUpdate u;
            u.callId = e.callId;
            u.fromNumber = QStringLiteral("+1415555%1").arg(1000 + i);
            u.toNumber = QStringLiteral("+17702300635");
            u.startedAt = t0.addSecs(60 * i).toString(Qt::ISODateWithMs);
            u.state = QStringLiteral("ended");
            u.decision = i % 2 ? QStringLiteral("rejected") : QStringLiteral("blocked");
            QVERIFY(writer.append(e, &u).ok());
        }
    }
    HistoryModel history;
    QAbstractItemModelTester tester(&history,
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    tester.setUseFetchMore(false); // paging is tested here, step by step
    QVERIFY2(history.open(path), qPrintable(history.errorString()));
    QCOMPARE(history.rowCount(), HistoryModel::PageSize);
    QVERIFY(history.canFetchMore({}));
    QCOMPARE(history.callAt(0).callId, QStringLiteral("call-249")); // newest first
    history.fetchMore({});
    QCOMPARE(history.rowCount(), 200);
    history.loadMore();
    QCOMPARE(history.rowCount(), 250);
    QVERIFY(!history.canFetchMore({}));
    QVERIFY(!history.hasMore());
    QSet<QString> ids;
    for (int i = 0; i < history.rowCount(); ++i) {
        ids.insert(history.callAt(i).callId);
        if (i > 0)
            QVERIFY(history.callAt(i - 1).startedAt > history.callAt(i).startedAt);
    }
    QCOMPARE(ids.size(), 250);

    // A filter pages too.
    history.setDecisionFilter(QStringLiteral("blocked"));
    QCOMPARE(history.rowCount(), 100);
    QVERIFY(history.hasMore());
    history.loadMore();
    QCOMPARE(history.rowCount(), 125);
    QVERIFY(!history.hasMore());
}

void TstAppModels::historyFilters_data()
{
    QTest::addColumn<QString>("number");
    QTest::addColumn<QString>("nameSpace");
    QTest::addColumn<QString>("decision");
    QTest::addColumn<QString>("text");

    QTest::newRow("number in any written form") << "(770) 230"
                                                << ""
                                                << ""
                                                << "";
    QTest::newRow("namespace part") << ""
                                    << "ALICE"
                                    << ""
                                    << "";
    QTest::newRow("decision") << ""
                              << ""
                              << "blocked"
                              << "";
    QTest::newRow("text: reason") << ""
                                  << ""
                                  << ""
                                  << "spam";
    QTest::newRow("text: caller name with markup") << ""
                                                   << ""
                                                   << ""
                                                   << "<b>FREE";
    QTest::newRow("text: LIKE wildcards are literal") << ""
                                                      << ""
                                                      << ""
                                                      << "%";
    QTest::newRow("combined") << "7702300635"
                              << ""
                              << "allowlisted"
                              << "allow_rule";
}

void TstAppModels::historyFilters()
{
    QFETCH(QString, number);
    QFETCH(QString, nameSpace);
    QFETCH(QString, decision);
    QFETCH(QString, text);

    // The expected rows, computed here from every call (not by the model's SQL).
    EventStore reader;
    QVERIFY(reader.open(dbPath(), QStringLiteral("filters-check"), EventStore::Mode::ReadOnly));
    CallQuery all;
    all.limit = 0;
    QStringList expected;
    QString digits;
    for (const QChar c : number) {
        if (c.isDigit())
            digits += c;
    }
    for (const CallRecord &c : reader.calls(all)) {
        bool ok = true;
        if (!digits.isEmpty())
            ok = ok && (c.fromNumber.contains(digits) || c.toNumber.contains(digits));
        if (!nameSpace.isEmpty())
            ok = ok && c.namespaceName.contains(nameSpace, Qt::CaseInsensitive);
        if (!decision.isEmpty())
            ok = ok && c.decision == decision;
        if (!text.isEmpty()) {
            bool any = false;
            for (const QString &v : {c.fromNumber, c.toNumber, c.callerName, c.decision, c.reason,
                                     c.namespaceName, c.state, c.callId, c.hangupCause})
                any = any || v.contains(text, Qt::CaseInsensitive);
            ok = ok && any;
        }
        if (ok)
            expected << c.callId;
    }

    HistoryModel history;
    QAbstractItemModelTester tester(&history,
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    tester.setUseFetchMore(false); // paging is tested here, step by step
    QVERIFY(history.open(dbPath()));
    QCOMPARE(history.rowCount(), DemoData::callCount());
    QSignalSpy filtersSpy(&history, &HistoryModel::filtersChanged);
    history.setNumberFilter(number);
    history.setNameSpaceFilter(nameSpace);
    history.setDecisionFilter(decision);
    history.setTextFilter(text);
    QStringList got;
    for (int i = 0; i < history.rowCount(); ++i)
        got << history.callAt(i).callId;
    QCOMPARE(got, expected);
    if (text == QLatin1String("%"))
        QVERIFY(got.isEmpty());
    else
        QVERIFY(!got.isEmpty());
    QVERIFY(history.errorString().isEmpty());

    history.clearFilters();
    QCOMPARE(history.rowCount(), DemoData::callCount());
    QVERIFY(filtersSpy.count() >= 2);
}

void TstAppModels::historyFollowsLiveCalls()
{
    const QString path = m_dir.filePath(QStringLiteral("live.db"));
    EventStore writer;
    QVERIFY(writer.open(path, QStringLiteral("live-writer")));
    auto write = [&writer](const QString &id, const QString &from, const QString &state,
                           const QString &startedAt) {
        NewEvent e;
        e.type = QStringLiteral("tel.call_state");
        e.callId = id;
        e.actor = QStringLiteral("engine");
        CallUpdate u;
        u.callId = id;
        u.fromNumber = from;
        u.toNumber = QStringLiteral("+17702300635");
        u.state = state;
        u.startedAt = startedAt;
        return writer.append(e, &u).ok();
    };
    QVERIFY(write(QStringLiteral("old"), QStringLiteral("+14155550132"), QStringLiteral("ended"),
                  QStringLiteral("2025-11-01T08:00:00Z")));

    HistoryModel history;
    QAbstractItemModelTester tester(&history,
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    tester.setUseFetchMore(false); // paging is tested here, step by step
    QVERIFY(history.open(path));
    QCOMPARE(history.rowCount(), 1);
    history.setNumberFilter(QStringLiteral("415"));

    // A new call that matches the filter goes on top; one that does not is left out.
    QVERIFY(write(QStringLiteral("new"), QStringLiteral("+14155550199"), QStringLiteral("ringing"),
                  QStringLiteral("2025-11-02T08:00:00Z")));
    QVERIFY(write(QStringLiteral("other"), QStringLiteral("+13125550178"),
                  QStringLiteral("ringing"), QStringLiteral("2025-11-02T09:00:00Z")));
    history.onCallChanged(*writer.call(QStringLiteral("new")));
    history.onCallChanged(*writer.call(QStringLiteral("other")));
    QCOMPARE(history.rowCount(), 2);
    QCOMPARE(history.callAt(0).callId, QStringLiteral("new"));

    // An update changes the row in place.
    QSignalSpy changed(&history, &QAbstractItemModel::dataChanged);
    QVERIFY(write(QStringLiteral("new"), QStringLiteral("+14155550199"), QStringLiteral("ended"),
                  QStringLiteral("2025-11-02T08:00:00Z")));
    history.onCallChanged(*writer.call(QStringLiteral("new")));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(history.callAt(0).state, QStringLiteral("ended"));
    QCOMPARE(history.rowCount(), 2);
}

void TstAppModels::eventLogPagesAndFollows()
{
    const QString path = m_dir.filePath(QStringLiteral("events.db"));
    QString error;
    QVERIFY2(DemoData::seed(path, &error, m_now, 14), qPrintable(error));
    EventStore writer;
    QVERIFY(writer.open(path, QStringLiteral("events-writer")));
    const qint64 total = writer.eventCount();
    QVERIFY(total > EventLogModel::PageSize);

    EventLogModel events;
    QAbstractItemModelTester tester(&events,
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    tester.setUseFetchMore(false); // paging is tested here, step by step
    QVERIFY2(events.open(path), qPrintable(events.errorString()));
    QCOMPARE(events.rowCount(), EventLogModel::PageSize);
    QCOMPARE(events.eventAt(0).seq, total); // newest first
    while (events.canFetchMore({}))
        events.fetchMore({});
    QCOMPARE(events.rowCount(), int(total));
    QCOMPARE(events.eventAt(events.rowCount() - 1).seq, 1);

    // New events arrive on top, once.
    NewEvent e;
    e.type = QStringLiteral("tel.rule_added");
    e.actor = QStringLiteral("cli");
    e.payload = {{QStringLiteral("pattern"), QStringLiteral("+1888*")}};
    QVERIFY(writer.append(e).ok());
    events.fetchNewer();
    events.fetchNewer();
    QCOMPARE(events.rowCount(), int(total) + 1);
    QCOMPARE(events.eventAt(0).type, QStringLiteral("tel.rule_added"));
    QCOMPARE(roleValue(events, 0, "category").toString(), QStringLiteral("screening"));

    // One type only.
    events.setTypeFilter(QStringLiteral("tel.call_blocked"));
    QVERIFY(events.rowCount() > 0);
    for (int i = 0; i < events.rowCount(); ++i)
        QCOMPARE(events.eventAt(i).type, QStringLiteral("tel.call_blocked"));
    QCOMPARE(roleValue(events, 0, "category").toString(), QStringLiteral("decision"));

    // Summaries are one plain line, even for a hostile caller name.
    events.setTypeFilter(QStringLiteral("call.initiated"));
    bool sawHostile = false;
    for (int i = 0; i < events.rowCount(); ++i) {
        const QString summary = roleValue(events, i, "summary").toString();
        QVERIFY(!summary.isEmpty());
        QVERIFY(!summary.contains(QLatin1Char('\n')));
        QVERIFY(!summary.contains(QChar(0x202e)));
        sawHostile = sawHostile || summary.contains(QStringLiteral("900"));
    }
    QVERIFY(sawHostile);
}

void TstAppModels::numbersListTheMapWithCallCounts()
{
    NumberListModel numbers;
    numbers.setClock([this] { return m_now; });
    numbers.setDefaultPolicy(QStringLiteral("reject_with_message"));
    QAbstractItemModelTester tester(&numbers,
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY2(numbers.open(dbPath()), qPrintable(numbers.errorString()));
    QCOMPARE(numbers.rowCount(), 26);

    // Expected counts, from every call.
    EventStore reader;
    QVERIFY(reader.open(dbPath(), QStringLiteral("numbers-check"), EventStore::Mode::ReadOnly));
    CallQuery all;
    all.limit = 0;
    QHash<QString, int> today, week;
    const QDate day = m_now.date();
    for (const CallRecord &c : reader.calls(all)) {
        const QDate started = DisplayText::parseTime(c.startedAt).toLocalTime().date();
        if (started == day)
            ++today[c.toNumber];
        if (started > day.addDays(-7))
            ++week[c.toNumber];
    }
    QVERIFY(today.value(QStringLiteral("+17702300635")) > 0);

    ScreeningRepository repo(reader);
    const QList<NumberEntry> map = repo.numbers();
    for (int i = 0; i < map.size(); ++i) {
        const NumberEntry &n = map.at(i);
        QCOMPARE(numbers.value(i, QStringLiteral("e164")).toString(), n.e164);
        QCOMPARE(numbers.value(i, QStringLiteral("written")).toString(),
                 DisplayText::number(n.e164));
        QCOMPARE(numbers.value(i, QStringLiteral("label")).toString(), n.label);
        QCOMPARE(numbers.value(i, QStringLiteral("labelCheck")).toString(),
                 Keypad::code(n.labelCheck));
        QCOMPARE(numbers.value(i, QStringLiteral("nameSpace")).toString(), n.nameSpace);
        QCOMPARE(numbers.value(i, QStringLiteral("callsToday")).toInt(), today.value(n.e164));
        QCOMPARE(numbers.value(i, QStringLiteral("callsWeek")).toInt(), week.value(n.e164));
    }
    const int ask = numbers.rowOfKey(QString::fromLatin1(DemoData::AskNumber));
    QVERIFY(ask >= 0);
    QCOMPARE(numbers.value(ask, QStringLiteral("policy")).toString(), QStringLiteral("ask"));
    QCOMPARE(numbers.value(ask, QStringLiteral("effectivePolicy")).toString(),
             QStringLiteral("ask"));
    QCOMPARE(numbers.value(ask, QStringLiteral("label")).toString(), QStringLiteral("474-TREE"));
    // "474-TREE" is 474-8733 on a keypad, not ...474-8738: the view says so.
    QCOMPARE(numbers.value(ask, QStringLiteral("labelCheck")).toString(),
             QStringLiteral("does_not_spell"));
    QCOMPARE(numbers.value(ask, QStringLiteral("keypadDigits")).toString(),
             QStringLiteral("4748733"));
    const int other = numbers.rowOfKey(QStringLiteral("+17702300635"));
    QCOMPARE(numbers.value(other, QStringLiteral("policy")).toString(), QString());
    QCOMPARE(numbers.value(other, QStringLiteral("effectivePolicy")).toString(),
             QStringLiteral("reject_with_message"));
    QCOMPARE(numbers.labels().value(QString::fromLatin1(DemoData::AskNumber)),
             QStringLiteral("474-TREE"));
}

void TstAppModels::numbersRefreshWithoutReset()
{
    NumberListModel numbers;
    QAbstractItemModelTester tester(&numbers,
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(numbers.open(dbPath()));
    QSignalSpy resets(&numbers, &QAbstractItemModel::modelReset);
    QSignalSpy changes(&numbers, &QAbstractItemModel::dataChanged);

    numbers.refresh(); // nothing changed: nothing emitted
    QCOMPARE(resets.count(), 0);
    QCOMPARE(changes.count(), 0);

    {
        EventStore writer;
        QVERIFY(writer.open(dbPath(), QStringLiteral("policy-writer")));
        ScreeningRepository repo(writer);
        QVERIFY(repo.setNumberPolicy(QStringLiteral("+17702300635"), QStringLiteral("accept_all"),
                                     QStringLiteral("test"))
                    .ok);
    }
    numbers.refresh();
    QCOMPARE(resets.count(), 0);
    QCOMPARE(changes.count(), 1);
    const int row = numbers.rowOfKey(QStringLiteral("+17702300635"));
    QCOMPARE(changes.at(0).at(0).toModelIndex().row(), row);
    QCOMPARE(numbers.value(row, QStringLiteral("policy")).toString(), QStringLiteral("accept_all"));

    // Back as it was, for the other tests.
    EventStore writer;
    QVERIFY(writer.open(dbPath(), QStringLiteral("policy-writer-2")));
    ScreeningRepository repo(writer);
    QVERIFY(
        repo.setNumberPolicy(QStringLiteral("+17702300635"), QString(), QStringLiteral("test")).ok);
}

void TstAppModels::rulesRegistrationsAndCertificates()
{
    RuleListModel rules;
    RegistrationListModel registrations;
    CertificateListModel certificates;
    QAbstractItemModelTester t1(&rules, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester t2(&registrations,
                                QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester t3(&certificates,
                                QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(rules.open(dbPath()));
    QVERIFY(registrations.open(dbPath()));
    QVERIFY(certificates.open(dbPath()));

    QCOMPARE(rules.rowCount(), 4);
    QCOMPARE(column(rules, "kind"),
             (QStringList{QStringLiteral("allow"), QStringLiteral("block"), QStringLiteral("block"),
                          QStringLiteral("allow")}));
    QCOMPARE(column(rules, "patternText").at(0), QStringLiteral("(212) 555-0147"));
    QCOMPARE(column(rules, "patternText").at(2), QStringLiteral("+1900*"));
    QCOMPARE(column(rules, "ruleState"), QStringList(4, QStringLiteral("active")));
    QVERIFY(rules.value(3, QStringLiteral("singleUse")).toBool());
    QVERIFY(!rules.value(3, QStringLiteral("until")).toString().isEmpty());
    QVERIFY(rules.value(0, QStringLiteral("until")).toString().isEmpty());

    QCOMPARE(registrations.rowCount(), 1);
    QCOMPARE(registrations.value(0, QStringLiteral("phone")).toString(),
             QString::fromLatin1(DemoData::AlicePhone));
    QCOMPARE(registrations.value(0, QStringLiteral("nameSpace")).toString(),
             QString::fromLatin1(DemoData::AliceNamespace));
    QVERIFY(registrations.value(0, QStringLiteral("certificateValid")).toBool());
    QCOMPARE(registrations.value(0, QStringLiteral("certificateCode")).toString(),
             QStringLiteral("valid"));

    QCOMPARE(certificates.rowCount(), 2);
    QCOMPARE(column(certificates, "kind"),
             (QStringList{QStringLiteral("root"), QStringLiteral("namespace")}));
    QCOMPARE(certificates.value(1, QStringLiteral("nameSpace")).toString(),
             QString::fromLatin1(DemoData::AliceNamespace));
    QVERIFY(certificates.value(0, QStringLiteral("valid")).toBool());
    QVERIFY(certificates.value(1, QStringLiteral("valid")).toBool());

    // A rule removed elsewhere disappears on refresh.
    {
        EventStore writer;
        QVERIFY(writer.open(dbPath(), QStringLiteral("rules-writer")));
        ScreeningRepository repo(writer);
        const qint64 id = rules.value(2, QStringLiteral("ruleId")).toLongLong();
        QVERIFY(repo.removeRule(id, QStringLiteral("test")).ok);
    }
    rules.refresh();
    QCOMPARE(rules.rowCount(), 3);
    QVERIFY(!column(rules, "pattern").contains(QStringLiteral("+1900*")));
}

void TstAppModels::searchFilterMatchesTextAndDigits()
{
    NumberListModel numbers;
    QVERIFY(numbers.open(dbPath()));
    SearchFilterModel search(
        &numbers, {QStringLiteral("e164"), QStringLiteral("written"), QStringLiteral("label")});
    QAbstractItemModelTester tester(&search,
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(search.count(), 26);
    QSignalSpy countSpy(&search, &SearchFilterModel::countChanged);
    search.setQuery(QStringLiteral("tree"));
    QCOMPARE(search.count(), 1);
    QCOMPARE(roleValue(search, 0, "label").toString(), QStringLiteral("474-TREE"));
    search.setQuery(QStringLiteral("(888) 474"));
    QCOMPARE(search.count(), 1);
    search.setQuery(QStringLiteral("no such thing"));
    QCOMPARE(search.count(), 0);
    search.setQuery(QString());
    QCOMPARE(search.count(), 26);
    QVERIFY(countSpy.count() >= 3);
}

QTEST_GUILESS_MAIN(TstAppModels)
#include "tst_appmodels.moc"
