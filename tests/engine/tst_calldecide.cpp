// SPDX-License-Identifier: GPL-3.0-or-later
// `kevan-tel calls decide CALL_ID accept|reject|voicemail`: the real binary runs `--headless` on a
// temporary database, a number's policy is `ask` (set with `kevan-tel numbers policy`), and a
// second process decides the ringing call; the Telnyx simulator receives what the decision asks
// for. On PostgreSQL the request reaches the engine by the database's notification.
#include "engine/engine.h"
#include "headlessfixture.h"
#include "pgtestdatabase.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

namespace {
const QString Owner = QStringLiteral("+17702300635");
constexpr int Timeout = 20000;
} // namespace

class TstCallDecide : public QObject, public kt::test::HeadlessFixture
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void decidesARingingCall();
    void sendsARingingCallToVoicemail();
    void refusesWhatItCannotDecide();
    void decisionWhileStoppedIsCarriedOutAtRestart();
    void decisionOnPostgreSQLIsAnnounced();

private:
    // An owner who has two minutes to decide.
    bool startServer()
    {
        return HeadlessFixture::startServer(
            {QStringLiteral("--ask-timeout"), QStringLiteral("120")});
    }
    QString stateOf(const QString &fromNumber)
    {
        return callRecord(fromNumber).value(QStringLiteral("state")).toString();
    }
    // Starts the engine with the owner's number on `ask` and places a call from `from`: its
    // call_control_id once the call is asking, or empty (with a warning) if it never is.
    QString askingCall(const QString &from);
};

void TstCallDecide::init()
{
    QVERIFY(setUp(QStringLiteral(KEVANTEL_BINARY)));
    m_telnyx->setTransferAnswerDelayMs(50);
}

void TstCallDecide::cleanup()
{
    tearDown();
    m_database.clear();
}

QString TstCallDecide::askingCall(const QString &from)
{
    if (!startServer())
        return {};
    int code = -1;
    QByteArray err;
    runOnDb({QStringLiteral("numbers"), QStringLiteral("policy"), Owner, QStringLiteral("ask")},
            &code, &err);
    if (code != 0) {
        qWarning() << "numbers policy failed:" << err;
        return {};
    }
    const QString ccid = m_telnyx->startInboundCall(from, Owner);
    if (!QTest::qWaitFor([&] { return stateOf(from) == QLatin1String("asking"); }, Timeout)) {
        qWarning() << "the call from" << from << "never asked; it is" << stateOf(from);
        return {};
    }
    return ccid;
}

void TstCallDecide::decidesARingingCall()
{
    // Accepted: answer, then transfer to the owner's phone.
    const QString first = QStringLiteral("+14045550186");
    const QString ccid = askingCall(first);
    QVERIFY(!ccid.isEmpty());
    int code = -1;
    QByteArray err;
    QVERIFY(m_telnyx->commands().isEmpty());
    const QString callId = callRecord(first).value(QStringLiteral("call_id")).toString();
    const QByteArray out = runOnDb(
        {QStringLiteral("calls"), QStringLiteral("decide"), callId, QStringLiteral("accept")},
        &code, &err);
    QVERIFY2(code == 0, err.constData());
    QCOMPARE(
        out.trimmed(),
        QStringLiteral("asked the engine to accept call %1 from %2").arg(callId, first).toUtf8());
    QTRY_COMPARE_WITH_TIMEOUT(steps(ccid), (QStringList{"answer", "transfer"}), Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(first), QStringLiteral("forwarded"), Timeout);
    const QJsonObject accepted = callRecord(first);
    QCOMPARE(accepted.value(QStringLiteral("decision")).toString(), QStringLiteral("allowlisted"));
    QCOMPARE(accepted.value(QStringLiteral("reason")).toString(), QStringLiteral("owner_accepted"));

    // Rejected, naming the call by its call_control_id: answer, the message, hangup.
    const QString second = QStringLiteral("+16175550163");
    const QString ccid2 = m_telnyx->startInboundCall(second, Owner);
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(second), QStringLiteral("asking"), Timeout);
    runOnDb({QStringLiteral("calls"), QStringLiteral("decide"), ccid2, QStringLiteral("reject"),
             QStringLiteral("--json")},
            &code, &err);
    QVERIFY2(code == 0, err.constData());
    QTRY_COMPARE_WITH_TIMEOUT(steps(ccid2), (QStringList{"answer", "speak", "hangup"}), Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(second), QStringLiteral("ended"), Timeout);
    QCOMPARE(callRecord(second).value(QStringLiteral("reason")).toString(),
             QStringLiteral("owner_rejected"));

    // Both decisions are in the log: the CLI's requests and the engine's decisions.
    const QByteArray stopped = kt::test::terminateServer(*m_server, Timeout);
    QVERIFY2(stopped.isEmpty(), stopped.constData());
    const QJsonArray events =
        QJsonDocument::fromJson(runOnDb({QStringLiteral("events"), QStringLiteral("--json"),
                                         QStringLiteral("--limit"), QStringLiteral("1000")},
                                        &code))
            .array();
    int requested = 0;
    int decided = 0;
    for (const QJsonValue &v : events) {
        const QJsonObject e = v.toObject();
        const QString type = e.value(QStringLiteral("type")).toString();
        if (type == QLatin1String("tel.owner_decision_requested")) {
            ++requested;
            QCOMPARE(e.value(QStringLiteral("actor")).toString(), QStringLiteral("cli"));
        } else if (type == QLatin1String("tel.owner_decision")) {
            ++decided;
            QCOMPARE(e.value(QStringLiteral("actor")).toString(), QStringLiteral("cli"));
        }
    }
    QCOMPARE(requested, 2);
    QCOMPARE(decided, 2);
    runOnDb({QStringLiteral("events"), QStringLiteral("verify")}, &code);
    QCOMPARE(code, 0);
}

void TstCallDecide::sendsARingingCallToVoicemail()
{
    // Voicemail: answer, the greeting, record_start; the caller speaks and hangs up; the
    // message is downloaded and listed with its transcript.
    const QString from = QStringLiteral("+14045550186");
    const QString ccid = askingCall(from);
    QVERIFY(!ccid.isEmpty());
    const QString callId = callRecord(from).value(QStringLiteral("call_id")).toString();
    int code = -1;
    QByteArray err;
    const QByteArray out = runOnDb(
        {QStringLiteral("calls"), QStringLiteral("decide"), callId, QStringLiteral("voicemail")},
        &code, &err);
    QVERIFY2(code == 0, err.constData());
    QCOMPARE(out.trimmed(), QStringLiteral("asked the engine to send to voicemail call %1 from %2")
                                .arg(callId, from)
                                .toUtf8());
    QTRY_COMPARE_WITH_TIMEOUT(steps(ccid), (QStringList{"answer", "speak", "record_start"}),
                              Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(from), QStringLiteral("ended"), Timeout);
    QCOMPARE(callRecord(from).value(QStringLiteral("decision")).toString(),
             QStringLiteral("voicemail"));
    QCOMPARE(callRecord(from).value(QStringLiteral("reason")).toString(),
             QStringLiteral("owner_voicemail"));
    QJsonObject message;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            const QJsonArray list =
                QJsonDocument::fromJson(
                    runOnDb({QStringLiteral("voicemail"), QStringLiteral("--json")}, &code))
                    .array();
            message = list.isEmpty() ? QJsonObject() : list.first().toObject();
            return message.value(QStringLiteral("state")).toString() ==
                       QLatin1String("downloaded") &&
                   !message.value(QStringLiteral("transcript")).toString().isEmpty();
        }(),
        Timeout);
    QCOMPARE(message.value(QStringLiteral("from")).toString(), from);
    QCOMPARE(message.value(QStringLiteral("to")).toString(), Owner);
    QCOMPARE(m_telnyx->recordingIds().size(), 1);
    const auto *served = m_telnyx->recordings()->recording(m_telnyx->recordingIds().first());
    QVERIFY(served);
    QCOMPARE(message.value(QStringLiteral("sha256")).toString(),
             QString::fromLatin1(
                 QCryptographicHash::hash(served->audio, QCryptographicHash::Sha256).toHex()));
}

void TstCallDecide::decisionWhileStoppedIsCarriedOutAtRestart()
{
    // The owner decides with the CLI while the engine is not running: the request waits in the
    // log, and the engine carries it out when it starts again and takes the call up.
    const QString from = QStringLiteral("+14045550186");
    const QString ccid = askingCall(from);
    QVERIFY(!ccid.isEmpty());
    const QByteArray stopped = kt::test::terminateServer(*m_server, Timeout);
    QVERIFY2(stopped.isEmpty(), stopped.constData());

    const QString callId = callRecord(from).value(QStringLiteral("call_id")).toString();
    int code = -1;
    QByteArray err;
    runOnDb({QStringLiteral("calls"), QStringLiteral("decide"), callId, QStringLiteral("accept")},
            &code, &err);
    QVERIFY2(code == 0, err.constData());
    QVERIFY(m_telnyx->commands().isEmpty());

    QVERIFY(startServer());
    QTRY_COMPARE_WITH_TIMEOUT(steps(ccid), (QStringList{"answer", "transfer"}), Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(from), QStringLiteral("forwarded"), Timeout);
    QCOMPARE(callRecord(from).value(QStringLiteral("reason")).toString(),
             QStringLiteral("owner_accepted"));
}

void TstCallDecide::refusesWhatItCannotDecide()
{
    QVERIFY(startServer());
    int code = -1;
    QByteArray err;

    // A call that is not asking (the default policy answered it already).
    const QString from = QStringLiteral("+14045550186");
    const QString ccid = m_telnyx->startInboundCall(from, Owner);
    QTRY_COMPARE_WITH_TIMEOUT(callRecord(from).value(QStringLiteral("state")).toString(),
                              QStringLiteral("ended"), Timeout);
    const QString callId = callRecord(from).value(QStringLiteral("call_id")).toString();
    runOnDb({QStringLiteral("calls"), QStringLiteral("decide"), callId, QStringLiteral("accept")},
            &code, &err);
    QCOMPARE(code, 1);
    QCOMPARE(err.trimmed().split('\n').size(), 1);
    QVERIFY2(err.contains("is not waiting for a decision (it is ended)"), err.constData());

    // A call that does not exist.
    runOnDb({QStringLiteral("calls"), QStringLiteral("decide"), QStringLiteral("no-such-call"),
             QStringLiteral("accept")},
            &code, &err);
    QCOMPARE(code, 1);
    QVERIFY2(err.contains("no call no-such-call"), err.constData());

    // Neither accept nor reject, or missing words: usage.
    runOnDb({QStringLiteral("calls"), QStringLiteral("decide"), callId, QStringLiteral("maybe")},
            &code, &err);
    QCOMPARE(code, 2);
    QVERIFY2(err.contains("calls decide CALL_ID accept|reject|voicemail"), err.constData());
    runOnDb({QStringLiteral("calls"), QStringLiteral("decide"), callId}, &code, &err);
    QCOMPARE(code, 2);

    // Nothing was requested, and the call got only its own commands.
    const QByteArray events =
        runOnDb({QStringLiteral("events"), QStringLiteral("--type"),
                 QStringLiteral("tel.owner_decision_requested"), QStringLiteral("--json")},
                &code);
    QCOMPARE(code, 0);
    QVERIFY(QJsonDocument::fromJson(events).array().isEmpty());
    QCOMPARE(steps(ccid), (QStringList{"answer", "speak", "hangup"}));
}

void TstCallDecide::decisionOnPostgreSQLIsAnnounced()
{
    // The engine process and `calls decide` on one PostgreSQL database: the request is carried
    // out when the database announces it. The engine's fallback poll on PostgreSQL comes every
    // DecisionFallbackPollMs from the moment the call asks, later than this test waits.
    if (kt::test::pgServerUrl().isEmpty())
        QSKIP(qPrintable(kt::test::pgSkipReason()));
    kt::test::PgTestDatabase database;
    QString error;
    QVERIFY2(database.create(&error), qPrintable(error));
    m_database = database.url();
    // Started before the engine: the fallback poll cannot come before this + its interval.
    QElapsedTimer sinceStart;
    sinceStart.start();
    const QString from = QStringLiteral("+14045550186");
    const QString ccid = askingCall(from);
    QVERIFY(!ccid.isEmpty());
    const QString callId = callRecord(from).value(QStringLiteral("call_id")).toString();
    int code = -1;
    QByteArray err;
    runOnDb({QStringLiteral("calls"), QStringLiteral("decide"), callId, QStringLiteral("accept")},
            &code, &err);
    QVERIFY2(code == 0, err.constData());
    QTRY_COMPARE_WITH_TIMEOUT(steps(ccid), (QStringList{"answer", "transfer"}),
                              kt::Engine::DecisionFallbackPollMs);
    // Not a fallback poll in disguise: it came before the first one was due.
    QVERIFY(sinceStart.elapsed() < kt::Engine::DecisionFallbackPollMs);
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(from), QStringLiteral("forwarded"), Timeout);
    const QByteArray stopped = kt::test::terminateServer(*m_server, Timeout);
    QVERIFY2(stopped.isEmpty(), stopped.constData());
    runOnDb({QStringLiteral("events"), QStringLiteral("verify")}, &code);
    QCOMPARE(code, 0);
}

QTEST_GUILESS_MAIN(TstCallDecide)
#include "tst_calldecide.moc"
