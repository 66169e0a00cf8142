// SPDX-License-Identifier: GPL-3.0-or-later
// The Stats page's model (calls per day and decision, rejection rate, calls per number), the call
// detail drawer's model (one call's events and its decision's sentence) and the certificate
// import's checks, on temporary databases; QAbstractItemModelTester on the models.
#include "certificateinspector.h"
#include "models/calldetailmodel.h"
#include "models/statsmodel.h"
#include "screening/certificateauthority.h"
#include "screening/screeningrepository.h"
#include "screening/truststore.h"
#include "store/eventstore.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace kt;

namespace {
QString iso(const QDateTime &t)
{
    return t.toUTC().toString(Qt::ISODateWithMs);
}
} // namespace

class TstDetailModels : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();

    void statsCountsPerDayAndDecision();
    void statsCountsVoicemail();
    void statsTopNumbersAndRate();
    void statsFollowNewCalls();
    void statsWithoutCalls();
    void callDetailShowsTheTimeline();
    void callDetailTakesTheNewestExplanation();
    void callDetailOfAnUnknownCall();
    void inspectNamespaceCertificates();
    void inspectRoots();
    void inspectBadInput();

private:
    QString dbPath() const { return m_dir.filePath(QStringLiteral("stats.db")); }
    // Appends a call started at `started` (local) to `to`, decided `decision` (empty: not yet).
    bool addCall(EventStore &store, const QString &id, const QDateTime &started, const QString &to,
                 const QString &decision);

    QTemporaryDir m_dir;
    QDateTime m_now;
    int m_serial = 0;
};

bool TstDetailModels::addCall(EventStore &store, const QString &id, const QDateTime &started,
                              const QString &to, const QString &decision)
{
    NewEvent initiated;
    initiated.telnyxId = QStringLiteral("stats-%1").arg(++m_serial);
    initiated.type = QStringLiteral("call.initiated");
    initiated.callId = id;
    initiated.occurredAt = iso(started);
    initiated.actor = QStringLiteral("telnyx");
    initiated.payload = {
        {QStringLiteral("data"),
         QJsonObject{{QStringLiteral("payload"),
                      QJsonObject{{QStringLiteral("from"), QStringLiteral("+14155550132")},
                                  {QStringLiteral("to"), to}}}}}};
    CallUpdate start;
    start.callId = id;
    start.fromNumber = QStringLiteral("+14155550132");
    start.toNumber = to;
    start.startedAt = iso(started);
    start.state = QStringLiteral("ringing");
    if (!store.append(initiated, &start).ok())
        return false;
    if (decision.isEmpty())
        return true;
    NewEvent decided;
    decided.type = QStringLiteral("tel.call_") + decision;
    decided.callId = id;
    decided.occurredAt = iso(started.addMSecs(1500));
    decided.actor = QStringLiteral("engine");
    decided.payload = {{QStringLiteral("decision"),
                        QJsonObject{{QStringLiteral("decision"), decision},
                                    {QStringLiteral("explanation"),
                                     QStringLiteral("The call was %1.").arg(decision)}}}};
    CallUpdate update;
    update.callId = id;
    update.decision = decision;
    return store.append(decided, &update).ok();
}

void TstDetailModels::initTestCase()
{
    QVERIFY(m_dir.isValid());
    // 15:00 local today, whatever the real time.
    m_now = QDateTime(QDate::currentDate(), QTime(15, 0));
    EventStore store;
    QVERIFY(store.open(dbPath(), QStringLiteral("stats-seed")));
    {
        ScreeningRepository repo(store);
        QVERIFY(repo.ensureDefaultNumbers(QStringLiteral("test")).ok);
    }
    const QDate today = m_now.date();
    const QString main = QStringLiteral("+17702300635");
    const QString tree = QStringLiteral("+18884748738");  // labelled 474-TREE in the map
    const QString other = QStringLiteral("+16175550100"); // not in the map
    QVERIFY(addCall(store, QStringLiteral("c1"), QDateTime(today, QTime(10, 0)), main,
                    QStringLiteral("authenticated")));
    QVERIFY(addCall(store, QStringLiteral("c2"), QDateTime(today, QTime(11, 0)), main,
                    QStringLiteral("rejected")));
    QVERIFY(addCall(store, QStringLiteral("c3"), QDateTime(today, QTime(14, 59)), tree,
                    QStringLiteral("blocked")));
    QVERIFY(addCall(store, QStringLiteral("c4"), QDateTime(today, QTime(12, 0)), other, QString()));
    // Late yesterday (local): counted on yesterday, whatever day it is in UTC.
    QVERIFY(addCall(store, QStringLiteral("c5"), QDateTime(today.addDays(-1), QTime(23, 30)), tree,
                    QStringLiteral("allowlisted")));
    // The first day of the window, and the day before it (left out).
    QVERIFY(addCall(store, QStringLiteral("c6"), QDateTime(today.addDays(-29), QTime(12, 0)), main,
                    QStringLiteral("ask")));
    QVERIFY(addCall(store, QStringLiteral("c7"), QDateTime(today.addDays(-30), QTime(12, 0)), main,
                    QStringLiteral("rejected")));
}

void TstDetailModels::statsCountsPerDayAndDecision()
{
    StatsModel stats;
    stats.setClock([this] { return m_now; });
    QAbstractItemModelTester tester(&stats, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY2(stats.open(dbPath()), qPrintable(stats.errorString()));
    QCOMPARE(stats.rowCount(), 30);
    QCOMPARE(stats.count(), 30);

    const QDate today = m_now.date();
    QCOMPARE(stats.value(0, QStringLiteral("day")).toString(),
             today.addDays(-29).toString(Qt::ISODate));
    QCOMPARE(stats.value(29, QStringLiteral("day")).toString(), today.toString(Qt::ISODate));
    QCOMPARE(stats.value(29, QStringLiteral("isToday")).toBool(), true);
    QCOMPARE(stats.value(28, QStringLiteral("isToday")).toBool(), false);
    QCOMPARE(stats.value(29, QStringLiteral("dayOfMonth")).toString(),
             QString::number(today.day()));
    QCOMPARE(stats.value(29, QStringLiteral("weekday")).toInt(), today.dayOfWeek());

    // Today: one of each, and one not decided.
    QCOMPARE(stats.value(29, QStringLiteral("total")).toInt(), 4);
    QCOMPARE(stats.value(29, QStringLiteral("authenticated")).toInt(), 1);
    QCOMPARE(stats.value(29, QStringLiteral("rejected")).toInt(), 1);
    QCOMPARE(stats.value(29, QStringLiteral("blocked")).toInt(), 1);
    QCOMPARE(stats.value(29, QStringLiteral("other")).toInt(), 1);
    QCOMPARE(stats.value(29, QStringLiteral("allowlisted")).toInt(), 0);
    QCOMPARE(stats.value(29, QStringLiteral("turnedAway")).toInt(), 2);
    // Yesterday at 23:30 local.
    QCOMPARE(stats.value(28, QStringLiteral("total")).toInt(), 1);
    QCOMPARE(stats.value(28, QStringLiteral("allowlisted")).toInt(), 1);
    // The window's first day; the day before it is not counted.
    QCOMPARE(stats.value(0, QStringLiteral("ask")).toInt(), 1);
    QCOMPARE(stats.value(0, QStringLiteral("total")).toInt(), 1);
    // Days without calls are rows of zeros.
    QCOMPARE(stats.value(10, QStringLiteral("total")).toInt(), 0);

    QCOMPARE(stats.totalCalls(), 6);
    QCOMPARE(stats.maxDayTotal(), 4);
    const QVariantList totals = stats.decisionTotals();
    QCOMPARE(totals.size(), 7); // six decisions and "other"
    QCOMPARE(totals.at(0).toMap().value(QStringLiteral("decision")).toString(),
             QStringLiteral("authenticated"));
    QCOMPARE(totals.at(0).toMap().value(QStringLiteral("count")).toInt(), 1);
    QCOMPARE(totals.at(6).toMap().value(QStringLiteral("decision")).toString(),
             QStringLiteral("other"));
}

void TstDetailModels::statsCountsVoicemail()
{
    // A call sent to voicemail is a decision of its own, not "Undecided".
    const QString path = m_dir.filePath(QStringLiteral("voicemail-stats.db"));
    {
        EventStore store;
        QVERIFY(store.open(path, QStringLiteral("voicemail-seed")));
        const QDateTime today(m_now.date(), QTime(9, 0));
        QVERIFY(addCall(store, QStringLiteral("v1"), today, QStringLiteral("+18665062265"),
                        QStringLiteral("voicemail")));
        QVERIFY(addCall(store, QStringLiteral("v2"), today.addSecs(60),
                        QStringLiteral("+18665062265"), QStringLiteral("voicemail")));
        QVERIFY(addCall(store, QStringLiteral("v3"), today.addSecs(120),
                        QStringLiteral("+18665062265"), QString()));
    }
    StatsModel stats;
    stats.setClock([this] { return m_now; });
    QVERIFY2(stats.open(path), qPrintable(stats.errorString()));
    QCOMPARE(stats.value(29, QStringLiteral("voicemail")).toInt(), 2);
    QCOMPARE(stats.value(29, QStringLiteral("other")).toInt(), 1);
    QCOMPARE(stats.value(29, QStringLiteral("turnedAway")).toInt(), 0);
    bool found = false;
    for (const QVariant &t : stats.decisionTotals()) {
        const QVariantMap m = t.toMap();
        if (m.value(QStringLiteral("decision")).toString() == QLatin1String("voicemail")) {
            found = true;
            QCOMPARE(m.value(QStringLiteral("count")).toInt(), 2);
            QCOMPARE(m.value(QStringLiteral("label")).toString(), QStringLiteral("Voicemail"));
        }
    }
    QVERIFY(found);
}

void TstDetailModels::statsTopNumbersAndRate()
{
    StatsModel stats;
    stats.setClock([this] { return m_now; });
    QVERIFY(stats.open(dbPath()));
    QCOMPARE(stats.turnedAway(), 2);
    QCOMPARE(stats.rejectionRate(), 2.0 / 6.0);

    const QVariantList top = stats.topNumbers();
    QCOMPARE(top.size(), 3);
    const QVariantMap first = top.at(0).toMap();
    QCOMPARE(first.value(QStringLiteral("e164")).toString(), QStringLiteral("+17702300635"));
    QCOMPARE(first.value(QStringLiteral("written")).toString(), QStringLiteral("(770) 230-0635"));
    QCOMPARE(first.value(QStringLiteral("calls")).toInt(), 3);
    QCOMPARE(first.value(QStringLiteral("turnedAway")).toInt(), 1);
    const QVariantMap second = top.at(1).toMap();
    QCOMPARE(second.value(QStringLiteral("e164")).toString(), QStringLiteral("+18884748738"));
    QCOMPARE(second.value(QStringLiteral("label")).toString(), QStringLiteral("474-TREE"));
    QCOMPARE(second.value(QStringLiteral("calls")).toInt(), 2);
    QCOMPARE(top.at(2).toMap().value(QStringLiteral("label")).toString(), QString());
    QCOMPARE(stats.maxNumberCalls(), 3);

    // A shorter window.
    StatsModel week;
    week.setClock([this] { return m_now; });
    week.setDays(7);
    QVERIFY(week.open(dbPath()));
    QCOMPARE(week.rowCount(), 7);
    QCOMPARE(week.totalCalls(), 5);
}

void TstDetailModels::statsFollowNewCalls()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("live.db"));
    EventStore writer;
    QVERIFY(writer.open(path, QStringLiteral("stats-live")));
    StatsModel stats;
    stats.setClock([this] { return m_now; });
    QAbstractItemModelTester tester(&stats, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(stats.open(path));
    QCOMPARE(stats.totalCalls(), 0);

    QVERIFY(addCall(writer, QStringLiteral("n1"), m_now.addSecs(-60),
                    QStringLiteral("+17702300635"), QStringLiteral("blocked")));
    QSignalSpy refreshed(&stats, &StatsModel::refreshed);
    QSignalSpy reset(&stats, &QAbstractItemModel::modelReset);
    QSignalSpy changed(&stats, &QAbstractItemModel::dataChanged);
    stats.scheduleRefresh();
    stats.scheduleRefresh(); // one refresh for both
    QVERIFY(refreshed.wait());
    QCOMPARE(refreshed.count(), 1);
    QCOMPARE(stats.totalCalls(), 1);
    QCOMPARE(stats.value(29, QStringLiteral("blocked")).toInt(), 1);
    QCOMPARE(stats.rejectionRate(), 1.0);
    // Same days: the rows change in place (the chart's bars stay).
    QCOMPARE(reset.count(), 0);
    QCOMPARE(changed.count(), 1);

    // A new day: the rows move, the model resets.
    stats.setClock([this] { return m_now.addDays(1); });
    stats.refresh();
    QCOMPARE(reset.count(), 1);
    QCOMPARE(stats.value(28, QStringLiteral("blocked")).toInt(), 1);
    QCOMPARE(stats.value(29, QStringLiteral("isToday")).toBool(), true);
}

void TstDetailModels::statsWithoutCalls()
{
    StatsModel stats;
    QCOMPARE(stats.rowCount(), 0);
    QCOMPARE(stats.rejectionRate(), 0.0);
    QVERIFY(!stats.open(m_dir.filePath(QStringLiteral("missing/none.db"))));
    QVERIFY(!stats.errorString().isEmpty());
}

void TstDetailModels::callDetailShowsTheTimeline()
{
    CallDetailModel detail;
    QAbstractItemModelTester tester(&detail,
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(detail.open(dbPath()));
    QCOMPARE(detail.rowCount(), 0);
    QSignalSpy loaded(&detail, &CallDetailModel::loaded);
    detail.setContext({20, {{QStringLiteral("+17702300635"), QStringLiteral("MAIN")}}});
    detail.load(QStringLiteral("c2"));
    QCOMPARE(loaded.count(), 1);
    QVERIFY(detail.found());
    QCOMPARE(detail.callId(), QStringLiteral("c2"));
    QCOMPARE(detail.errorString(), QString());
    QCOMPARE(detail.call().value(QStringLiteral("fromText")).toString(),
             QStringLiteral("(415) 555-0132"));
    QCOMPARE(detail.call().value(QStringLiteral("toLabel")).toString(), QStringLiteral("MAIN"));
    QCOMPARE(detail.call().value(QStringLiteral("decision")).toString(),
             QStringLiteral("rejected"));
    QCOMPARE(detail.explanation(), QStringLiteral("The call was rejected."));

    QCOMPARE(detail.rowCount(), 2); // oldest first
    QCOMPARE(detail.value(0, QStringLiteral("type")).toString(), QStringLiteral("call.initiated"));
    QCOMPARE(detail.value(0, QStringLiteral("typeText")).toString(),
             QStringLiteral("Telnyx: call arrived"));
    QCOMPARE(detail.value(0, QStringLiteral("actor")).toString(), QStringLiteral("telnyx"));
    QCOMPARE(detail.value(0, QStringLiteral("category")).toString(), QStringLiteral("telnyx"));
    QCOMPARE(detail.value(0, QStringLiteral("offsetText")).toString(), QString());
    QCOMPARE(detail.value(0, QStringLiteral("timeText")).toString(), QStringLiteral("11:00:00"));
    QVERIFY(detail.value(0, QStringLiteral("summary"))
                .toString()
                .contains(QStringLiteral("+14155550132 → +17702300635")));
    QCOMPARE(detail.value(1, QStringLiteral("typeText")).toString(),
             QStringLiteral("Decision: rejected"));
    QCOMPARE(detail.value(1, QStringLiteral("category")).toString(), QStringLiteral("decision"));
    QCOMPARE(detail.value(1, QStringLiteral("offsetText")).toString(), QStringLiteral("+1.5 s"));
    QCOMPARE(detail.value(1, QStringLiteral("summary")).toString(),
             QStringLiteral("The call was rejected."));

    detail.clear();
    QCOMPARE(detail.rowCount(), 0);
    QVERIFY(!detail.found());
    QCOMPARE(detail.callId(), QString());
}

void TstDetailModels::callDetailTakesTheNewestExplanation()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("owner.db"));
    EventStore writer;
    QVERIFY(writer.open(path, QStringLiteral("detail-writer")));
    QVERIFY(addCall(writer, QStringLiteral("a1"), m_now, QStringLiteral("+18884748738"),
                    QStringLiteral("ask")));
    CallDetailModel detail;
    QAbstractItemModelTester tester(&detail,
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(detail.open(path));
    detail.load(QStringLiteral("a1"));
    QCOMPARE(detail.explanation(), QStringLiteral("The call was ask."));
    QCOMPARE(detail.rowCount(), 2);

    // The owner decides: the newest sentence is the one that counts; the drawer follows.
    NewEvent owner;
    owner.type = QStringLiteral("tel.owner_decision");
    owner.callId = QStringLiteral("a1");
    owner.actor = QStringLiteral("owner");
    owner.payload = {{QStringLiteral("accept"), true},
                     {QStringLiteral("decision"),
                      QJsonObject{{QStringLiteral("decision"), QStringLiteral("allowlisted")},
                                  {QStringLiteral("explanation"),
                                   QStringLiteral("You accepted the call, so it is forwarded.")}}}};
    CallUpdate update;
    update.callId = QStringLiteral("a1");
    update.decision = QStringLiteral("allowlisted");
    QVERIFY(writer.append(owner, &update).ok());
    QSignalSpy loaded(&detail, &CallDetailModel::loaded);
    detail.scheduleReload();
    QVERIFY(loaded.wait());
    QCOMPARE(detail.rowCount(), 3);
    QCOMPARE(detail.explanation(), QStringLiteral("You accepted the call, so it is forwarded."));
    QCOMPARE(detail.call().value(QStringLiteral("decision")).toString(),
             QStringLiteral("allowlisted"));
    QCOMPARE(detail.value(2, QStringLiteral("typeText")).toString(),
             QStringLiteral("Your decision"));
    QCOMPARE(detail.value(2, QStringLiteral("summary")).toString(),
             QStringLiteral("accepted: You accepted the call, so it is forwarded."));
}

void TstDetailModels::callDetailOfAnUnknownCall()
{
    CallDetailModel detail;
    QAbstractItemModelTester tester(&detail,
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    detail.load(QStringLiteral("c1"));
    QVERIFY(!detail.found());
    QVERIFY(!detail.errorString().isEmpty()); // not open
    QVERIFY(detail.open(dbPath()));
    detail.load(QStringLiteral("v3:nothing"));
    QVERIFY(!detail.found());
    QCOMPARE(detail.rowCount(), 0);
    QVERIFY(detail.errorString().contains(QStringLiteral("not in the event log")));
    QCOMPARE(detail.explanation(), QString());
}

void TstDetailModels::inspectNamespaceCertificates()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const CertificateAuthority root = CertificateAuthority::createRoot(
        QStringLiteral("Test Root"), now.addDays(-1), now.addYears(1));
    const Certificate bob = root.issue(QStringLiteral("bob.x"), now.addDays(-1), now.addDays(90));
    TrustStore trusted;
    QVERIFY(trusted.addRoot(root.certificate()));

    QVariantMap r = CertificateInspector::inspect(bob.toPem(), false, trusted, {}, now);
    QCOMPARE(r.value(QStringLiteral("ok")).toBool(), true);
    QCOMPARE(r.value(QStringLiteral("canAdd")).toBool(), true);
    QCOMPARE(r.value(QStringLiteral("nameSpace")).toString(), QStringLiteral("bob.x"));
    QCOMPARE(r.value(QStringLiteral("fingerprint")).toString(), bob.fingerprint());
    QCOMPARE(r.value(QStringLiteral("fingerprintShort")).toString(), bob.fingerprint().left(16));
    QCOMPARE(r.value(QStringLiteral("statusCode")).toString(), QStringLiteral("valid"));
    QCOMPARE(r.value(QStringLiteral("expired")).toBool(), false);
    QVERIFY(!r.value(QStringLiteral("notAfterText")).toString().isEmpty());
    QVERIFY(r.value(QStringLiteral("message")).toString().contains(QStringLiteral("Valid now")));

    // Already added.
    r = CertificateInspector::inspect(bob.toPem(), false, trusted, {bob.fingerprint()}, now);
    QCOMPARE(r.value(QStringLiteral("canAdd")).toBool(), false);
    QCOMPARE(r.value(QStringLiteral("alreadyStored")).toBool(), true);

    // Without its root.
    r = CertificateInspector::inspect(bob.toPem(), false, TrustStore(), {}, now);
    QCOMPARE(r.value(QStringLiteral("ok")).toBool(), true);
    QCOMPARE(r.value(QStringLiteral("canAdd")).toBool(), false);
    QCOMPARE(r.value(QStringLiteral("statusCode")).toString(), QStringLiteral("untrusted"));
    QVERIFY(r.value(QStringLiteral("message"))
                .toString()
                .contains(QStringLiteral("trust its root first")));

    // Expired.
    const Certificate old = root.issue(QStringLiteral("old.x"), now.addDays(-60), now.addDays(-1));
    r = CertificateInspector::inspect(old.toPem(), false, trusted, {}, now);
    QCOMPARE(r.value(QStringLiteral("canAdd")).toBool(), false);
    QCOMPARE(r.value(QStringLiteral("statusCode")).toString(), QStringLiteral("expired"));
    QCOMPARE(r.value(QStringLiteral("expired")).toBool(), true);

    // No namespace; a CA.
    const Certificate web =
        root.issue(QStringLiteral("example.com"), now.addDays(-1), now.addDays(9));
    r = CertificateInspector::inspect(web.toPem(), false, trusted, {}, now);
    QCOMPARE(r.value(QStringLiteral("statusCode")).toString(), QStringLiteral("wrong_namespace"));
    QCOMPARE(r.value(QStringLiteral("canAdd")).toBool(), false);
    r = CertificateInspector::inspect(root.certificate().toPem(), false, trusted, {}, now);
    QCOMPARE(r.value(QStringLiteral("statusCode")).toString(), QStringLiteral("is_ca"));
    QVERIFY(r.value(QStringLiteral("message")).toString().contains(QStringLiteral("Trust root")));
}

void TstDetailModels::inspectRoots()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const CertificateAuthority root = CertificateAuthority::createRoot(
        QStringLiteral("Test Root"), now.addDays(-1), now.addYears(1));
    QVariantMap r =
        CertificateInspector::inspect(root.certificate().toPem(), true, TrustStore(), {}, now);
    QCOMPARE(r.value(QStringLiteral("ok")).toBool(), true);
    QCOMPARE(r.value(QStringLiteral("canAdd")).toBool(), true);
    QCOMPARE(r.value(QStringLiteral("statusCode")).toString(), QStringLiteral("ok"));
    QVERIFY(r.value(QStringLiteral("message")).toString().contains(QStringLiteral("self-signed")));
    QCOMPARE(r.value(QStringLiteral("nameSpace")).toString(), QString());

    TrustStore trusted;
    QVERIFY(trusted.addRoot(root.certificate()));
    r = CertificateInspector::inspect(root.certificate().toPem(), true, trusted, {}, now);
    QCOMPARE(r.value(QStringLiteral("statusCode")).toString(), QStringLiteral("already_trusted"));
    QCOMPARE(r.value(QStringLiteral("canAdd")).toBool(), false);

    const Certificate leaf = root.issue(QStringLiteral("bob.x"), now.addDays(-1), now.addDays(9));
    r = CertificateInspector::inspect(leaf.toPem(), true, TrustStore(), {}, now);
    QCOMPARE(r.value(QStringLiteral("statusCode")).toString(), QStringLiteral("not_ca"));
    QCOMPARE(r.value(QStringLiteral("canAdd")).toBool(), false);

    const CertificateAuthority expired = CertificateAuthority::createRoot(
        QStringLiteral("Old Root"), now.addDays(-90), now.addDays(-2));
    r = CertificateInspector::inspect(expired.certificate().toPem(), true, TrustStore(), {}, now);
    QCOMPARE(r.value(QStringLiteral("statusCode")).toString(), QStringLiteral("expired"));
    QCOMPARE(r.value(QStringLiteral("canAdd")).toBool(), false);

    TrustStore revoked;
    QVERIFY(revoked.revoke(root.certificate().fingerprint()));
    r = CertificateInspector::inspect(root.certificate().toPem(), true, revoked, {}, now);
    QCOMPARE(r.value(QStringLiteral("statusCode")).toString(), QStringLiteral("revoked"));
}

void TstDetailModels::inspectBadInput()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QVariantMap r = CertificateInspector::inspect("hello", false, TrustStore(), {}, now);
    QCOMPARE(r.value(QStringLiteral("ok")).toBool(), false);
    QCOMPARE(r.value(QStringLiteral("canAdd")).toBool(), false);
    QVERIFY(r.value(QStringLiteral("message"))
                .toString()
                .startsWith(QStringLiteral("Not a certificate")));

    QString error;
    QVERIFY(CertificateInspector::readFile(m_dir.filePath(QStringLiteral("none.pem")), &error)
                .isEmpty());
    QVERIFY(error.contains(QStringLiteral("no file")));
    QVERIFY(CertificateInspector::readFile(QString(), &error).isEmpty());
    QVERIFY(CertificateInspector::readFile(m_dir.path(), &error).isEmpty());
    QVERIFY(error.contains(QStringLiteral("not a file")));

    QFile big(m_dir.filePath(QStringLiteral("big.pem")));
    QVERIFY(big.open(QIODevice::WriteOnly));
    big.write(QByteArray(CertificateInspector::MaxFileSize + 1, 'a'));
    big.close();
    QVERIFY(CertificateInspector::readFile(big.fileName(), &error).isEmpty());
    QVERIFY(error.contains(QStringLiteral("too large")));

    QFile pem(m_dir.filePath(QStringLiteral("ok.pem")));
    QVERIFY(pem.open(QIODevice::WriteOnly));
    pem.write("-----BEGIN CERTIFICATE-----\n");
    pem.close();
    // A file: URL (what the file dialog gives) works like a path.
    QCOMPARE(CertificateInspector::readFile(QUrl::fromLocalFile(pem.fileName()).toString(), &error),
             QByteArray("-----BEGIN CERTIFICATE-----\n"));
}

QTEST_GUILESS_MAIN(TstDetailModels)
#include "tst_detailmodels.moc"
