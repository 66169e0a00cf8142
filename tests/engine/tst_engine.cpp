// SPDX-License-Identifier: GPL-3.0-or-later
// The engine end to end, in process: kt::Engine on a temporary database and a free loopback port,
// driven over real HTTP by the Telnyx simulator (signed webhooks in, Call Control commands out).
// One test per decision path, asserting the commands Telnyx received, the calls projection and
// the event log.
#include "engine/config.h"
#include "engine/engine.h"
#include "engine/enginehost.h"
#include "enginefixture.h"
#include "screening/certificateauthority.h"
#include "screening/screeningrepository.h"
#include "secretscan.h"
#include "simulator/telnyxsimulator.h"
#include "store/eventstore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <memory>

namespace {
const QString Owner = QStringLiteral("+17702300635"); // the seed's "primary" number
const QString ForwardTo = QStringLiteral("+15125550100");
const QString Unknown = QStringLiteral("+14045550186");
const QString AlicePhone = QStringLiteral("+14155550132");
const QString Mum = QStringLiteral("+12125550147");
const QString Spammer = QStringLiteral("+13125550178");
const QString Blocked = QStringLiteral("+19005550111");
const QString Actor = QStringLiteral("test");
constexpr int Timeout = 20000; // the machine is slow and shared: generous
} // namespace

class TstEngine : public QObject, public kt::test::EngineFixture
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();

    void unknownCallerHearsRejection();
    void registeredCallerIsForwarded();
    void invalidCertificateIsRejected_data();
    void invalidCertificateIsRejected();
    void allowRuleForwards();
    void blockRuleRejectsWithoutAnswering();
    void spamLikelyIsFlagged_data();
    void spamLikelyIsFlagged();
    void askWaitsForTheOwner();
    void askTimeoutAppliesTheDefault();
    void transferFailureFallsBackToMessage();
    void callerHangsUpWhileAsking();
    void telnyxOutageIsRetriedWithTheSameCommandId();
    void hungUpCallGetsNoFurtherCommand();
    void duplicateAndReorderedWebhooksConverge();
    void restartCarriesOnACallInFlight();
    void restartCarriesOnAnAsk();
    void metricsCountDecisionsAndCommands();
    void commandsLeaveOnlyOnceRecorded();
    void failedGroupCommitIsUndone();
    void lockedDatabaseRefusesThenRecovers();
    void pinChallengeAuthenticates();
    void pinChallengeFails();
    void unverifiedWithoutPinIsAnUnknownCaller();
    void restartMidChallenge();

private:
    kt::Config config() const;
    bool registerAlice(const QDateTime &notBefore, const QDateTime &notAfter,
                       QString *fingerprint = nullptr);

    QStringList eventTypes(const QString &ccid) const;
    QList<kt::StoredEvent> eventsOf(const QString &ccid, const QString &type) const;
    QList<kt::ReceivedRequest> requestsNamed(const QString &name) const;
    // Distinct webhooks (by data.id) of this type the simulator sent.
    int webhooksSent(const QString &eventType) const;
    void verifyOneCommandIdPerCommand();
    // GET on the engine's admin port (/metrics).
    QByteArray get(const QString &path, int *status);

    QNetworkAccessManager m_nam;
};

void TstEngine::init()
{
    QVERIFY(setUp());
    m_telnyx->setTransferAnswerDelayMs(50);
}

void TstEngine::cleanup()
{
    tearDown();
}

kt::Config TstEngine::config() const
{
    kt::Config c = engineConfig(ForwardTo);
    c.askTimeoutSecs = 60; // tests that want the timeout set it short
    return c;
}

bool TstEngine::registerAlice(const QDateTime &notBefore, const QDateTime &notAfter,
                              QString *fingerprint)
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const auto root = kt::CertificateAuthority::createRoot(QStringLiteral("test root"),
                                                           now.addYears(-2), now.addYears(5));
    const kt::Certificate alice = root.issue(QStringLiteral("alice.x"), notBefore, notAfter);
    if (root.isNull() || alice.isNull())
        return false;
    kt::ScreeningRepository &repo = m_engine->repository();
    // Mutations check the certificate at the repository's "now": register within its validity.
    const QDateTime then =
        notBefore.secsTo(notAfter) > 0 ? notBefore.addSecs(notBefore.secsTo(notAfter) / 2) : now;
    repo.setClock([then] { return then; });
    bool ok = true;
    for (const auto &result : {repo.trustRoot(root.certificate().toPem(), Actor),
                               repo.addCertificate(alice.toPem(), Actor),
                               repo.registerPhone(AlicePhone, QStringLiteral("alice.x"), Actor)}) {
        if (!result.ok) {
            qWarning() << result.error;
            ok = false;
        }
    }
    repo.setClock([] { return QDateTime::currentDateTimeUtc(); });
    if (fingerprint)
        *fingerprint = alice.fingerprint();
    return ok;
}

QStringList TstEngine::eventTypes(const QString &ccid) const
{
    QStringList types;
    for (const kt::StoredEvent &e : m_engine->eventStore().eventsForCall(callIdOf(ccid)))
        types.append(e.type);
    return types;
}

QList<kt::StoredEvent> TstEngine::eventsOf(const QString &ccid, const QString &type) const
{
    QList<kt::StoredEvent> out;
    for (const kt::StoredEvent &e : m_engine->eventStore().eventsForCall(callIdOf(ccid))) {
        if (e.type == type)
            out.append(e);
    }
    return out;
}

QList<kt::ReceivedRequest> TstEngine::requestsNamed(const QString &name) const
{
    QList<kt::ReceivedRequest> out;
    for (const kt::ReceivedRequest &r : m_telnyx->commands()) {
        if (r.command == name)
            out.append(r);
    }
    return out;
}

int TstEngine::webhooksSent(const QString &eventType) const
{
    QSet<QString> ids;
    for (const kt::WebhookDelivery &d : m_telnyx->deliveries()) {
        if (d.eventType == eventType)
            ids.insert(d.eventId);
    }
    return int(ids.size());
}

void TstEngine::verifyOneCommandIdPerCommand()
{
    // Every request carries a command_id; a repeated request repeats it; no two ids for the same
    // command on the same leg (the engine never sent a command twice as two commands).
    QHash<QString, QString> idOf; // leg/command -> command_id
    QHash<QString, QString> commandOf;
    for (const kt::ReceivedRequest &r : m_telnyx->commands()) {
        QVERIFY2(!r.commandId.isEmpty(), qPrintable(r.command));
        // Each PIN prompt is a command of its own, told apart by the try in its client_state.
        const QString key = r.callControlId + QLatin1Char('/') + r.command +
                            r.json.value(QLatin1String("client_state")).toString();
        QCOMPARE(idOf.value(key, r.commandId), r.commandId);
        QCOMPARE(commandOf.value(r.commandId, key), key);
        idOf.insert(key, r.commandId);
        commandOf.insert(r.commandId, key);
    }
}

QByteArray TstEngine::get(const QString &path, int *status)
{
    QNetworkReply *reply = m_nam.get(QNetworkRequest(QUrl(m_engine->adminUrl() + path)));
    QSignalSpy done(reply, &QNetworkReply::finished);
    done.wait(Timeout);
    *status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray body = reply->readAll();
    reply->deleteLater();
    return body;
}

// --- decision paths -------------------------------------------------------------------------

void TstEngine::unknownCallerHearsRejection()
{
    QVERIFY(startEngine(config()));
    const QString ccid = m_telnyx->startInboundCall(Unknown, Owner);

    QTRY_COMPARE_WITH_TIMEOUT(steps(), (QStringList{"answer", "speak", "hangup"}), Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(ccid), QStringLiteral("ended"), Timeout);
    QCOMPARE(m_telnyx->callState(ccid), QStringLiteral("hangup"));
    verifyOneCommandIdPerCommand();
    const auto commands = distinctCommands();
    for (const auto &c : commands)
        QCOMPARE(c.callControlId, ccid);
    const QJsonObject speak = commands.at(1).json;
    QCOMPARE(speak.value("payload").toString(), config().rejectionMessage);
    QCOMPARE(speak.value("voice").toString(), QStringLiteral("female"));
    QVERIFY(speak.value("payload").toString().contains("verified namespace holders"));

    const auto call = record(ccid);
    QVERIFY(call);
    QCOMPARE(call->decision, QStringLiteral("rejected"));
    QCOMPARE(call->reason, QStringLiteral("unregistered"));
    QCOMPARE(call->fromNumber, Unknown);
    QCOMPARE(call->toNumber, Owner);
    QCOMPARE(call->hangupCause, QStringLiteral("normal_clearing"));
    const QStringList types = eventTypes(ccid);
    QCOMPARE(types.first(), QStringLiteral("call.initiated"));
    QCOMPARE(types.count("tel.call_rejected"), 1);
    QCOMPARE(types.count("tel.command_sent"), 3);
    QCOMPARE(types.count("tel.command_ok"), 3);
    QCOMPARE(types.count("tel.command_failed"), 0);
    QCOMPARE(types.count("tel.call_ended"), 1);
    QVERIFY(types.indexOf("tel.call_rejected") < types.indexOf("tel.command_sent"));
    QCOMPARE(m_engine->activeCallCount(), 0);
}

void TstEngine::registeredCallerIsForwarded()
{
    QVERIFY(startEngine(config()));
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QVERIFY(registerAlice(now.addDays(-1), now.addYears(1)));
    kt::InboundCallOptions options;
    options.callerIdName = QStringLiteral("Alice");
    options.shakenStirAttestation = QStringLiteral("A");
    options.shakenStirValidated = true;
    const QString ccid = m_telnyx->startInboundCall(AlicePhone, Owner, options);

    QTRY_COMPARE_WITH_TIMEOUT(stateOf(ccid), QStringLiteral("forwarded"), Timeout);
    QCOMPARE(steps(), (QStringList{"answer", "transfer"}));
    verifyOneCommandIdPerCommand();
    const QJsonObject transfer = distinctCommands().at(1).json;
    QCOMPARE(transfer.value("to").toString(), ForwardTo);
    QCOMPARE(transfer.value("from_display_name").toString(), QStringLiteral("alice.x"));
    QCOMPARE(transfer.value("timeout_secs").toInt(), 30);
    QCOMPARE(m_telnyx->callState(ccid), QStringLiteral("bridged"));

    auto call = record(ccid);
    QVERIFY(call);
    QCOMPARE(call->decision, QStringLiteral("authenticated"));
    QCOMPARE(call->reason, QStringLiteral("registry"));
    QCOMPARE(call->namespaceName, QStringLiteral("alice.x"));
    QVERIFY(eventTypes(ccid).contains("tel.call_forwarded"));

    // The conversation ends: the call is ended, and nothing more was sent.
    QVERIFY(m_telnyx->callerHangsUp(ccid));
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(ccid), QStringLiteral("ended"), Timeout);
    QCOMPARE(steps(), (QStringList{"answer", "transfer"}));
    QCOMPARE(record(ccid)->hangupCause, QStringLiteral("normal_clearing"));
}

void TstEngine::invalidCertificateIsRejected_data()
{
    QTest::addColumn<bool>("revoke");
    QTest::newRow("expired") << false;
    QTest::newRow("revoked") << true;
}

void TstEngine::invalidCertificateIsRejected()
{
    QFETCH(bool, revoke);
    QVERIFY(startEngine(config()));
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QString fingerprint;
    if (revoke) {
        QVERIFY(registerAlice(now.addDays(-1), now.addYears(1), &fingerprint));
        const auto revoked = m_engine->repository().revokeCertificate(
            fingerprint, QStringLiteral("key lost"), Actor);
        QVERIFY2(revoked.ok, qPrintable(revoked.error));
    } else {
        QVERIFY(registerAlice(now.addDays(-60), now.addDays(-1)));
    }
    kt::InboundCallOptions options;
    options.shakenStirAttestation = QStringLiteral("A");
    options.shakenStirValidated = true;
    const QString ccid = m_telnyx->startInboundCall(AlicePhone, Owner, options);

    QTRY_COMPARE_WITH_TIMEOUT(stateOf(ccid), QStringLiteral("ended"), Timeout);
    QCOMPARE(steps(), (QStringList{"answer", "speak", "hangup"}));
    const auto call = record(ccid);
    QCOMPARE(call->decision, QStringLiteral("rejected"));
    QCOMPARE(call->reason, QStringLiteral("certificate_invalid"));
    QVERIFY(call->namespaceName.isEmpty());
    QVERIFY(call->flags.value("registered").toBool());
    QVERIFY(call->flags.value("certificate_invalid").toBool());
    const auto decided = eventsOf(ccid, QStringLiteral("tel.call_rejected"));
    QCOMPARE(decided.size(), 1);
    QCOMPARE(
        decided.first().payload.value("decision").toObject().value("certificate_code").toString(),
        revoke ? QStringLiteral("revoked") : QStringLiteral("expired"));
}

void TstEngine::allowRuleForwards()
{
    QVERIFY(startEngine(config()));
    QVERIFY(m_engine->repository()
                .addRule(QStringLiteral("allow"), Mum, QStringLiteral("Mum"), {}, false, Actor)
                .ok);
    kt::InboundCallOptions options;
    options.callerIdName = QStringLiteral("Mum");
    const QString ccid = m_telnyx->startInboundCall(Mum, Owner, options);

    QTRY_COMPARE_WITH_TIMEOUT(stateOf(ccid), QStringLiteral("forwarded"), Timeout);
    QCOMPARE(steps(), (QStringList{"answer", "transfer"}));
    const QJsonObject transfer = distinctCommands().at(1).json;
    QCOMPARE(transfer.value("to").toString(), ForwardTo);
    QCOMPARE(transfer.value("from_display_name").toString(), Mum);
    const auto call = record(ccid);
    QCOMPARE(call->decision, QStringLiteral("allowlisted"));
    QCOMPARE(call->reason, QStringLiteral("allow_rule"));
}

void TstEngine::blockRuleRejectsWithoutAnswering()
{
    QVERIFY(startEngine(config()));
    QVERIFY(m_engine->repository()
                .addRule(QStringLiteral("block"), Blocked, QStringLiteral("scam"), {}, false, Actor)
                .ok);
    const QString ccid = m_telnyx->startInboundCall(Blocked, Owner);

    QTRY_COMPARE_WITH_TIMEOUT(stateOf(ccid), QStringLiteral("ended"), Timeout);
    QCOMPARE(steps(), QStringList{"reject"});
    QCOMPARE(distinctCommands().first().json.value("cause").toString(),
             QStringLiteral("CALL_REJECTED"));
    QVERIFY(!m_telnyx->call(ccid)->everAnswered);
    QCOMPARE(webhooksSent(QStringLiteral("call.answered")), 0);
    const auto call = record(ccid);
    QCOMPARE(call->decision, QStringLiteral("blocked"));
    QCOMPARE(call->reason, QStringLiteral("block_rule"));
    QCOMPARE(call->hangupCause, QStringLiteral("call_rejected"));
}

void TstEngine::spamLikelyIsFlagged_data()
{
    QTest::addColumn<bool>("rejectSpam");
    QTest::addColumn<QString>("reason");
    QTest::newRow("flagged only") << false << "unregistered";
    QTest::newRow("rejected as spam") << true << "spam_likely";
}

void TstEngine::spamLikelyIsFlagged()
{
    QFETCH(bool, rejectSpam);
    QFETCH(QString, reason);
    kt::Config c = config();
    c.rejectSpamLikely = rejectSpam;
    QVERIFY(startEngine(c));
    kt::InboundCallOptions options;
    options.callScreeningResult = QStringLiteral("spam_likely");
    const QString ccid = m_telnyx->startInboundCall(Spammer, Owner, options);

    QTRY_COMPARE_WITH_TIMEOUT(stateOf(ccid), QStringLiteral("ended"), Timeout);
    QCOMPARE(steps(), (QStringList{"answer", "speak", "hangup"}));
    const auto call = record(ccid);
    QCOMPARE(call->decision, QStringLiteral("rejected"));
    QCOMPARE(call->reason, reason);
    QVERIFY(call->flags.value("spam_likely").toBool());
}

// --- the owner decides ----------------------------------------------------------------------

void TstEngine::askWaitsForTheOwner()
{
    QVERIFY(startEngine(config()));
    QVERIFY(m_engine->repository().setNumberPolicy(Owner, QStringLiteral("ask"), Actor).ok);
    const QString ccid = m_telnyx->startInboundCall(Unknown, Owner);

    QTRY_COMPARE_WITH_TIMEOUT(stateOf(ccid), QStringLiteral("asking"), Timeout);
    QCOMPARE(record(ccid)->decision, QStringLiteral("ask"));
    QCOMPARE(record(ccid)->reason, QStringLiteral("ask_owner"));
    QVERIFY(m_telnyx->commands().isEmpty());
    QVERIFY(!m_telnyx->call(ccid)->everAnswered);

    QString error;
    QVERIFY(m_engine->decide(callIdOf(ccid), true, QStringLiteral("owner"), &error));
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(ccid), QStringLiteral("forwarded"), Timeout);
    QCOMPARE(steps(), (QStringList{"answer", "transfer"}));
    QCOMPARE(distinctCommands().at(1).json.value("from_display_name").toString(), Unknown);
    QCOMPARE(record(ccid)->decision, QStringLiteral("allowlisted"));
    QCOMPARE(record(ccid)->reason, QStringLiteral("owner_accepted"));
    const auto decided = eventsOf(ccid, QStringLiteral("tel.owner_decision"));
    QCOMPARE(decided.size(), 1);
    QCOMPARE(decided.first().actor, QStringLiteral("owner"));

    // Only once.
    QVERIFY(!m_engine->decide(callIdOf(ccid), false, QStringLiteral("owner"), &error));
    QVERIFY(error.contains("not waiting"));
    QVERIFY(!m_engine->decide(QStringLiteral("no-such-call"), true, QStringLiteral("owner")));
}

void TstEngine::askTimeoutAppliesTheDefault()
{
    kt::Config c = config();
    c.askTimeoutSecs = 1;
    QVERIFY(startEngine(c));
    QVERIFY(m_engine->repository().setNumberPolicy(Owner, QStringLiteral("ask"), Actor).ok);
    const QString ccid = m_telnyx->startInboundCall(Unknown, Owner);

    QTRY_COMPARE_WITH_TIMEOUT(stateOf(ccid), QStringLiteral("ended"), Timeout);
    QCOMPARE(steps(), (QStringList{"answer", "speak", "hangup"}));
    QCOMPARE(distinctCommands().at(1).json.value("payload").toString(), c.rejectionMessage);
    const auto call = record(ccid);
    QCOMPARE(call->decision, QStringLiteral("rejected"));
    QCOMPARE(call->reason, QStringLiteral("ask_timeout"));
    const QStringList types = eventTypes(ccid);
    QCOMPARE(types.count("tel.call_ask"), 1);
    QCOMPARE(types.count("tel.ask_timeout"), 1);
    QVERIFY(types.indexOf("tel.ask_timeout") < types.indexOf("tel.command_sent"));
    QVERIFY(!m_engine->decide(callIdOf(ccid), true));
}

void TstEngine::transferFailureFallsBackToMessage()
{
    kt::Config c = config();
    c.transferTimeoutSecs = 5;
    QVERIFY(startEngine(c));
    m_telnyx->setTransferAnswers(false);
    m_telnyx->setTransferTimeoutMs(300);
    QVERIFY(m_engine->repository()
                .addRule(QStringLiteral("allow"), Mum, QStringLiteral("Mum"), {}, false, Actor)
                .ok);
    const QString ccid = m_telnyx->startInboundCall(Mum, Owner);

    QTRY_COMPARE_WITH_TIMEOUT(stateOf(ccid), QStringLiteral("ended"), Timeout);
    QCOMPARE(steps(ccid), (QStringList{"answer", "transfer", "speak", "hangup"}));
    const auto commands = distinctCommands(ccid);
    QCOMPARE(commands.at(1).json.value("timeout_secs").toInt(), 5);
    QCOMPARE(commands.at(2).json.value("payload").toString(), c.unavailableMessage);
    verifyOneCommandIdPerCommand();
    QCOMPARE(m_telnyx->callIds().size(), 2); // leg A and the one leg B that never answered
    const auto call = record(ccid);
    QCOMPARE(call->decision, QStringLiteral("allowlisted"));
    QVERIFY(!eventTypes(ccid).contains("tel.call_forwarded"));
    QVERIFY(eventTypes(ccid).contains("tel.call_state")); // -> fallback
}

void TstEngine::callerHangsUpWhileAsking()
{
    QVERIFY(startEngine(config()));
    QVERIFY(m_engine->repository().setNumberPolicy(Owner, QStringLiteral("ask"), Actor).ok);
    const QString ccid = m_telnyx->startInboundCall(Unknown, Owner);
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(ccid), QStringLiteral("asking"), Timeout);

    QVERIFY(m_telnyx->callerHangsUp(ccid));
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(ccid), QStringLiteral("ended"), Timeout);
    QCOMPARE(record(ccid)->hangupCause, QStringLiteral("originator_cancel"));
    QCOMPARE(m_engine->activeCallCount(), 0);
    QVERIFY(!m_engine->decide(callIdOf(ccid), true));
    QVERIFY(m_telnyx->commands().isEmpty());
}

// --- Telnyx misbehaves ----------------------------------------------------------------------

void TstEngine::telnyxOutageIsRetriedWithTheSameCommandId()
{
    QVERIFY(startEngine(config()));
    QVERIFY(m_engine->repository()
                .addRule(QStringLiteral("allow"), Mum, QStringLiteral("Mum"), {}, false, Actor)
                .ok);
    // The first request takes effect but its answer is lost, then two 500s and a 429.
    m_telnyx->timeoutNext(1);
    m_telnyx->failNext(2, 500);
    m_telnyx->rateLimitNext(1, 1);
    const QString ccid = m_telnyx->startInboundCall(Mum, Owner);

    QTRY_COMPARE_WITH_TIMEOUT(stateOf(ccid), QStringLiteral("forwarded"), Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(eventsOf(ccid, QStringLiteral("tel.command_ok")).size(), 2, Timeout);
    QCOMPARE(steps(ccid), (QStringList{"answer", "transfer"}));
    verifyOneCommandIdPerCommand();
    // Five requests in all carried the answer and the transfer: the same ids again and again.
    const QList<kt::ReceivedRequest> sent = m_telnyx->commands();
    QVERIFY2(sent.size() >= 5, qPrintable(QString::number(sent.size())));
    QList<int> statuses;
    for (const auto &r : sent)
        statuses.append(r.status);
    QVERIFY(statuses.contains(0));
    QVERIFY(statuses.contains(500));
    QVERIFY(statuses.contains(429));
    // ... and had one effect each: one answer, one leg B.
    QCOMPARE(webhooksSent(QStringLiteral("call.answered")), 2); // leg A and leg B
    QCOMPARE(m_telnyx->callIds().size(), 2);
    int attempts = 0;
    for (const auto &e : eventsOf(ccid, QStringLiteral("tel.command_ok")))
        attempts += e.payload.value("attempts").toInt();
    // The request whose answer was lost got its hedge within the same attempt: one more.
    QCOMPARE(attempts + 1, sent.size());
    QVERIFY(eventsOf(ccid, QStringLiteral("tel.command_failed")).isEmpty());
}

void TstEngine::hungUpCallGetsNoFurtherCommand()
{
    QVERIFY(startEngine(config()));
    m_telnyx->failNext(1000, 503); // Telnyx is down
    const QString ccid = m_telnyx->startInboundCall(Unknown, Owner);
    QTRY_VERIFY_WITH_TIMEOUT(!requestsNamed(QStringLiteral("answer")).isEmpty(), Timeout);

    // The caller gives up while the engine is still retrying its answer.
    QVERIFY(m_telnyx->callerHangsUp(ccid));
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(ccid), QStringLiteral("ended"), Timeout);
    QCOMPARE(record(ccid)->hangupCause, QStringLiteral("originator_cancel"));
    // The retries were stopped and recorded as cancelled, not as a failure of the call.
    QTRY_COMPARE_WITH_TIMEOUT(eventsOf(ccid, QStringLiteral("tel.command_failed")).size(), 1,
                              Timeout);
    const kt::StoredEvent failed = eventsOf(ccid, QStringLiteral("tel.command_failed")).first();
    QVERIFY(failed.payload.value("cancelled").toBool());
    const int sent = m_telnyx->commands().size();
    // Longer than the client's next backoff: nothing more is sent for the ended call.
    QTest::qWait(1500);
    QCOMPARE(m_telnyx->commands().size(), sent);
    QCOMPARE(steps(), QStringList{"answer"});
    QCOMPARE(stateOf(ccid), QStringLiteral("ended"));
}

void TstEngine::duplicateAndReorderedWebhooksConverge()
{
    QVERIFY(startEngine(config()));
    QVERIFY(m_engine->repository()
                .addRule(QStringLiteral("allow"), Mum, QStringLiteral("Mum"), {}, false, Actor)
                .ok);
    // Reorder the events that follow a command: speak.started after speak.ended; leg B's
    // call.initiated after its call.answered.
    connect(m_telnyx.get(), &kt::TelnyxSimulator::commandReceived, this,
            [this](const kt::ReceivedRequest &r) {
                if (r.status == 200 &&
                    (r.command == QLatin1String("speak") || r.command == QLatin1String("transfer")))
                    m_telnyx->deliverOutOfOrderNext(1);
            });

    // A rejection, every webhook delivered twice.
    m_telnyx->duplicateNextDeliveries(100);
    const QString rejected = m_telnyx->startInboundCall(Unknown, Owner);
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(rejected), QStringLiteral("ended"), Timeout);
    QCOMPARE(steps(rejected), (QStringList{"answer", "speak", "hangup"}));

    // A forwarded call.
    const QString forwarded = m_telnyx->startInboundCall(Mum, Owner);
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(forwarded), QStringLiteral("forwarded"), Timeout);
    QCOMPARE(steps(forwarded), (QStringList{"answer", "transfer"}));
    QTRY_VERIFY_WITH_TIMEOUT(m_telnyx->deliveriesIdle(), Timeout);

    // Each command was sent once: one command_id per step, whatever came twice.
    verifyOneCommandIdPerCommand();
    QCOMPARE(distinctCommands().size(), 5);

    // The deliveries were duplicated and reordered, and each event was stored once.
    QStringList delivered;
    QHash<QString, int> attemptsById;
    for (const auto &d : m_telnyx->deliveries()) {
        QCOMPARE(d.status, 200);
        delivered.append(d.eventType);
        ++attemptsById[d.eventId];
    }
    QVERIFY(delivered.indexOf("call.speak.ended") < delivered.indexOf("call.speak.started"));
    int duplicated = 0;
    for (int n : attemptsById)
        duplicated += n > 1 ? 1 : 0;
    QVERIFY2(duplicated >= 5, qPrintable(QString::number(duplicated)));
    kt::EventQuery q;
    q.limit = 0;
    QSet<QString> stored;
    int webhookEvents = 0;
    for (const kt::StoredEvent &e : m_engine->eventStore().events(q)) {
        if (e.telnyxId.isEmpty())
            continue;
        ++webhookEvents;
        stored.insert(e.telnyxId);
    }
    QCOMPARE(webhookEvents, int(attemptsById.size()));
    QCOMPARE(int(stored.size()), int(attemptsById.size()));
}

// --- restart --------------------------------------------------------------------------------

void TstEngine::restartCarriesOnACallInFlight()
{
    kt::Config c = config();
    QVERIFY(startEngine(c));
    // Webhooks keep being delivered again while the engine is down.
    m_telnyx->setDeliveryAttemptsPerUrl(200);
    m_telnyx->setDeliveryRetryDelayMs(50);
    // The answer takes effect at Telnyx but its response is lost; the engine stops before it
    // knows the outcome.
    m_telnyx->timeoutNext(1);
    bool stopped = false;
    connect(m_telnyx.get(), &kt::TelnyxSimulator::commandReceived, this,
            [this, &stopped](const kt::ReceivedRequest &r) {
                if (r.command == QLatin1String("answer") && !stopped) {
                    stopped = true;
                    QTimer::singleShot(0, this, [this] { m_engine.reset(); });
                }
            });
    const QString ccid = m_telnyx->startInboundCall(Unknown, Owner);
    const QString callId = callIdOf(ccid);
    QTRY_VERIFY_WITH_TIMEOUT(stopped && !m_engine, Timeout);
    QCOMPARE(steps(), QStringList{"answer"});

    {
        // What the first run left: the decision, the answer sent, its outcome unknown.
        kt::EventStore store;
        QVERIFY(
            store.open(c.databasePath, QStringLiteral("inspect"), kt::EventStore::Mode::ReadOnly));
        QStringList types;
        for (const auto &e : store.eventsForCall(callId))
            types.append(e.type);
        QCOMPARE(types.count("tel.call_rejected"), 1);
        QCOMPARE(types.count("tel.command_sent"), 1);
        QVERIFY(!types.contains("tel.command_ok"));
        QCOMPARE(store.call(callId)->state, QStringLiteral("answering"));
    }

    QVERIFY(startEngine(c));
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(ccid), QStringLiteral("ended"), Timeout);
    QCOMPARE(steps(), (QStringList{"answer", "speak", "hangup"}));
    verifyOneCommandIdPerCommand();
    // The answer was sent again with its command_id; Telnyx carried it out once.
    QVERIFY(requestsNamed(QStringLiteral("answer")).size() >= 2);
    QCOMPARE(webhooksSent(QStringLiteral("call.answered")), 1);
    QCOMPARE(webhooksSent(QStringLiteral("call.speak.started")), 1);
    QCOMPARE(m_telnyx->callState(ccid), QStringLiteral("hangup"));

    const QStringList types = eventTypes(ccid);
    QCOMPARE(types.count("tel.call_rejected"), 1); // decided once, not again after the restart
    QCOMPARE(types.count("tel.call_ended"), 1);
    bool resent = false;
    for (const auto &e : eventsOf(ccid, QStringLiteral("tel.command_sent")))
        resent = resent || (e.payload.value("step").toString() == QLatin1String("answer") &&
                            e.payload.value("resend").toBool());
    QVERIFY(resent);
    const auto call = record(ccid);
    QCOMPARE(call->decision, QStringLiteral("rejected"));
    QCOMPARE(call->hangupCause, QStringLiteral("normal_clearing"));

    const kt::VerifyResult verified = m_engine->eventStore().verify();
    QVERIFY2(verified.ok, qPrintable(verified.message));
}

void TstEngine::restartCarriesOnAnAsk()
{
    kt::Config c = config();
    QVERIFY(startEngine(c));
    QVERIFY(m_engine->repository().setNumberPolicy(Owner, QStringLiteral("ask"), Actor).ok);
    const QString ccid = m_telnyx->startInboundCall(Unknown, Owner);
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(ccid), QStringLiteral("asking"), Timeout);
    m_engine.reset();

    QVERIFY(startEngine(c));
    QCOMPARE(stateOf(ccid), QStringLiteral("asking"));
    QCOMPARE(m_engine->activeCallCount(), 1);
    QVERIFY(m_engine->decide(callIdOf(ccid), false));
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(ccid), QStringLiteral("ended"), Timeout);
    QCOMPARE(steps(), (QStringList{"answer", "speak", "hangup"}));
    QCOMPARE(record(ccid)->reason, QStringLiteral("owner_rejected"));
    QVERIFY(m_engine->eventStore().verify().ok);
}

// --- metrics --------------------------------------------------------------------------------

void TstEngine::metricsCountDecisionsAndCommands()
{
    QVERIFY(startEngine(config()));
    QVERIFY(m_engine->repository()
                .addRule(QStringLiteral("block"), Blocked, QStringLiteral("scam"), {}, false, Actor)
                .ok);
    const QString rejected = m_telnyx->startInboundCall(Unknown, Owner);
    const QString blocked = m_telnyx->startInboundCall(Blocked, Owner);
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(rejected), QStringLiteral("ended"), Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(blocked), QStringLiteral("ended"), Timeout);

    int status = 0;
    const QByteArray metrics = get(QStringLiteral("/metrics"), &status);
    QCOMPARE(status, 200);
    for (const char *line : {"kevantel_calls_total{decision=\"rejected\"} 1",
                             "kevantel_calls_total{decision=\"blocked\"} 1",
                             "kevantel_commands_total{command=\"answer\",result=\"ok\"} 1",
                             "kevantel_commands_total{command=\"speak\",result=\"ok\"} 1",
                             "kevantel_commands_total{command=\"hangup\",result=\"ok\"} 1",
                             "kevantel_commands_total{command=\"reject\",result=\"ok\"} 1"})
        QVERIFY2(metrics.contains(line), line);
    QVERIFY(!metrics.contains("decision=\"authenticated\"} 1"));
    QVERIFY(metrics.contains("kevantel_decision_latency_seconds_count 2"));
}

void TstEngine::commandsLeaveOnlyOnceRecorded()
{
    // Write-ahead: when a command reaches Telnyx, its tel.command_sent is already durable in the
    // log. The engine runs in its own thread as in the app, and each of its commits is made to
    // take 30 ms, so that a command handed to the HTTP client before its step commits would
    // reach the simulator (this thread) while the commit is still under way.
    const kt::Config c = config();
    kt::EngineHost host(c);
    QString error;
    QVERIFY2(host.startAndWait(&error), qPrintable(error));
    QMetaObject::invokeMethod(
        host.engine(),
        [&host] { host.engine()->eventStore().setBeforeCommit([] { QThread::msleep(30); }); },
        Qt::BlockingQueuedConnection);
    m_telnyx->setWebhookUrl(QUrl(host.url() + QStringLiteral("/webhooks/telnyx")));
    kt::EventStore reader;
    QVERIFY2(reader.open(c.databasePath, QStringLiteral("reader"), kt::EventStore::Mode::ReadOnly),
             qPrintable(reader.errorString()));

    int checked = 0;
    QStringList early;
    connect(m_telnyx.get(), &kt::TelnyxSimulator::commandReceived, this,
            [&](const kt::ReceivedRequest &r) {
                kt::EventQuery q;
                q.type = QStringLiteral("tel.command_sent");
                q.limit = 0;
                bool recorded = false;
                for (const kt::StoredEvent &e : reader.events(q))
                    recorded =
                        recorded ||
                        e.payload.value(QStringLiteral("command_id")).toString() == r.commandId;
                ++checked;
                if (!recorded)
                    early.append(r.command + QLatin1Char(' ') + r.commandId);
            });
    QStringList calls;
    for (int i = 0; i < 15; ++i)
        calls.append(m_telnyx->startInboundCall(QStringLiteral("+1404555%1").arg(1000 + i), Owner));
    for (const QString &ccid : std::as_const(calls))
        QTRY_COMPARE_WITH_TIMEOUT(m_telnyx->callState(ccid), QStringLiteral("hangup"), Timeout);
    host.stopAndWait();
    QVERIFY2(checked >= 3 * int(calls.size()), qPrintable(QString::number(checked)));
    QVERIFY2(early.isEmpty(), qPrintable(early.join(QLatin1String(", "))));
}

void TstEngine::failedGroupCommitIsUndone()
{
    // The commit of the group holding the call.initiated and its decision fails (the hook
    // rolls the transaction back, as a full disk would): the webhook is answered 503 and the
    // engine forgets the decision it made, so that Telnyx's redelivery is decided afresh and
    // the call is screened as usual, with one decision and one set of commands in the log.
    QVERIFY(startEngine(config()));
    const QString connection = m_engine->eventStore().connectionName();
    int failed = 0;
    m_engine->eventStore().setBeforeCommit([&] {
        if (failed > 0)
            return;
        QSqlQuery q(QSqlDatabase::database(connection, false));
        if (q.exec(QStringLiteral("SELECT COUNT(*) FROM events WHERE type = 'call.initiated'")) &&
            q.next() && q.value(0).toInt() > 0) {
            q.finish();
            ++failed;
            QVERIFY(q.exec(QStringLiteral("ROLLBACK")));
        }
    });
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("could not store")));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("not stored")));
    const QString ccid = m_telnyx->startInboundCall(Unknown, Owner);

    QTRY_COMPARE_WITH_TIMEOUT(stateOf(ccid), QStringLiteral("ended"), Timeout);
    QCOMPARE(failed, 1);
    QCOMPARE(m_telnyx->callState(ccid), QStringLiteral("hangup"));
    QCOMPARE(steps(), (QStringList{"answer", "speak", "hangup"}));
    verifyOneCommandIdPerCommand();
    int refused = 0;
    for (const kt::WebhookDelivery &d : m_telnyx->deliveries())
        refused += d.status == 503 ? 1 : 0;
    QCOMPARE(refused, 1);
    const QStringList types = eventTypes(ccid);
    QCOMPARE(types.count("call.initiated"), 1);
    QCOMPARE(types.count("tel.call_inbound"), 1);
    QCOMPARE(types.count("tel.call_rejected"), 1);
    QCOMPARE(types.count("tel.command_sent"), 3);
    QCOMPARE(types.count("tel.call_ended"), 1);
    QCOMPARE(record(ccid)->decision, QStringLiteral("rejected"));
    QVERIFY(m_engine->eventStore().verify().ok);
    // /metrics counts what the log holds: the undone decision is not counted, the redelivered
    // one is, and the first command's latency is observed once.
    int status = 0;
    const QByteArray metrics = get(QStringLiteral("/metrics"), &status);
    QCOMPARE(status, 200);
    for (const char *line : {"kevantel_calls_total{decision=\"rejected\"} 1\n",
                             "kevantel_decision_latency_seconds_count 1\n",
                             "kevantel_webhooks_total{result=\"store_failed\"} 1\n"})
        QVERIFY2(metrics.contains(line), (line + metrics).constData());
}

void TstEngine::lockedDatabaseRefusesThenRecovers()
{
    // Another process holds the database's write lock (an administration command, a backup):
    // the webhooks are answered 503 (Telnyx delivers them again) without waiting past what
    // Telnyx waits for an answer, and once the lock is released the call is screened as usual.
    // The simulator, like Telnyx, gives up on an answer after 2 s: a 503 counts only if it came
    // within that time (each webhook used to wait for the lock twice, 5 s each time).
    m_telnyx->setDeliveryAttemptsPerUrl(1000); // an answer late on a busy machine is retried
    QVERIFY(startEngine(config()));
    const QString locker = QStringLiteral("tst_engine-locker");
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), locker);
        db.setDatabaseName(m_dir->filePath(QStringLiteral("events.db")));
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("BEGIN IMMEDIATE")));
    }
    auto refusals = [this] {
        const QList<kt::WebhookDelivery> deliveries = m_telnyx->deliveries();
        return std::count_if(deliveries.cbegin(), deliveries.cend(),
                             [](const kt::WebhookDelivery &d) { return d.status == 503; });
    };
    QElapsedTimer sinceCall;
    sinceCall.start();
    const QString ccid = m_telnyx->startInboundCall(Unknown, Owner);
    QTRY_VERIFY_WITH_TIMEOUT(refusals() >= 2, Timeout);
    qInfo("two 503 answers %lld ms after the call began", sinceCall.elapsed());
    QCOMPARE(m_telnyx->commands().size(), 0);
    {
        QSqlDatabase db = QSqlDatabase::database(locker);
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("ROLLBACK")));
        db.close();
    }
    QSqlDatabase::removeDatabase(locker);

    QTRY_COMPARE_WITH_TIMEOUT(stateOf(ccid), QStringLiteral("ended"), Timeout);
    QCOMPARE(steps(), (QStringList{"answer", "speak", "hangup"}));
    verifyOneCommandIdPerCommand();
    const QStringList types = eventTypes(ccid);
    QCOMPARE(types.count("call.initiated"), 1);
    QCOMPARE(types.count("tel.call_rejected"), 1);
    QVERIFY(m_engine->eventStore().verify().ok);
}

void TstEngine::pinChallengeAuthenticates()
{
    QVERIFY(startEngine(config()));
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QVERIFY(registerAlice(now.addDays(-1), now.addYears(1)));
    QVERIFY(m_engine->repository().setPin(AlicePhone, QStringLiteral("97531"), Actor).ok);
    kt::InboundCallOptions options; // no STIR/SHAKEN verdict, as most real calls
    options.gatherScript = {QStringLiteral("97531#")};
    const QString ccid = m_telnyx->startInboundCall(AlicePhone, Owner, options);

    QTRY_COMPARE_WITH_TIMEOUT(stateOf(ccid), QStringLiteral("forwarded"), Timeout);
    QCOMPARE(steps(), (QStringList{"answer", "gather_using_speak", "transfer"}));
    verifyOneCommandIdPerCommand();
    const QJsonObject gather = distinctCommands().at(1).json;
    QCOMPARE(gather.value("payload").toString(),
             QStringLiteral("Please enter your PIN followed by the pound key."));
    QCOMPARE(gather.value("minimum_digits").toInt(), 4);
    QCOMPARE(gather.value("maximum_digits").toInt(), 8);
    QCOMPARE(gather.value("terminating_digit").toString(), QStringLiteral("#"));
    QVERIFY(!gather.value("client_state").toString().isEmpty());
    const QJsonObject transfer = distinctCommands().at(2).json;
    QCOMPARE(transfer.value("from_display_name").toString(), QStringLiteral("alice.x"));

    const auto call = record(ccid);
    QVERIFY(call);
    QCOMPARE(call->decision, QStringLiteral("authenticated"));
    QCOMPARE(call->reason, QStringLiteral("registry_pin"));
    QCOMPARE(call->namespaceName, QStringLiteral("alice.x"));
    QCOMPARE(call->flags.value(QStringLiteral("proof")).toString(), QStringLiteral("pin"));
    const QStringList types = eventTypes(ccid);
    QVERIFY(types.indexOf("tel.call_challenge") >= 0);
    QCOMPARE(types.count("tel.pin_verified"), 1);
    QCOMPARE(types.count("tel.pin_failed"), 0);
    QVERIFY(types.indexOf("tel.pin_verified") > types.indexOf("call.gather.ended"));

    // The keys pressed are nowhere in the log: the stored webhooks have them redacted.
    const auto gathered = eventsOf(ccid, QStringLiteral("call.gather.ended"));
    QCOMPARE(gathered.size(), 1);
    QCOMPARE(gathered.first().payload.value("data").toObject().value("payload").toObject().value(
                 "digits"),
             QJsonValue(QStringLiteral("[redacted]")));
    const auto keys = eventsOf(ccid, QStringLiteral("call.dtmf.received"));
    QCOMPARE(keys.size(), 6); // five digits and #
    for (const kt::StoredEvent &e : keys)
        QCOMPARE(e.payload.value("data").toObject().value("payload").toObject().value("digit"),
                 QJsonValue(QStringLiteral("[redacted]")));
    for (const kt::StoredEvent &e : m_engine->eventStore().events(kt::EventQuery())) {
        const QByteArray text = QJsonDocument(e.payload).toJson(QJsonDocument::Compact);
        QVERIFY2(!kt::test::showsSecret(text, QStringLiteral("97531")), text.constData());
    }
    QVERIFY(m_engine->eventStore().verify().ok);
}

void TstEngine::pinChallengeFails()
{
    QVERIFY(startEngine(config()));
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QVERIFY(registerAlice(now.addDays(-1), now.addYears(1)));
    QVERIFY(m_engine->repository().setPin(AlicePhone, QStringLiteral("97531"), Actor).ok);
    kt::InboundCallOptions options;
    options.shakenStirAttestation = QStringLiteral("B"); // not proof either
    options.shakenStirValidated = true;
    // A wrong PIN, a timeout, a too-short entry: three tries, then rejected.
    options.gatherScript = {QStringLiteral("11111#"), QString(), QStringLiteral("12#")};
    const QString ccid = m_telnyx->startInboundCall(AlicePhone, Owner, options);

    QTRY_COMPARE_WITH_TIMEOUT(stateOf(ccid), QStringLiteral("ended"), Timeout);
    QCOMPARE(steps(), (QStringList{"answer", "gather_using_speak", "gather_using_speak",
                                   "gather_using_speak", "speak", "hangup"}));
    verifyOneCommandIdPerCommand();
    const auto call = record(ccid);
    QCOMPARE(call->decision, QStringLiteral("rejected"));
    QCOMPARE(call->reason, QStringLiteral("pin_failed"));
    QVERIFY(call->namespaceName.isEmpty());
    QCOMPARE(call->flags.value(QStringLiteral("claimed_namespace")).toString(),
             QStringLiteral("alice.x"));
    const auto failed = eventsOf(ccid, QStringLiteral("tel.pin_failed"));
    QCOMPARE(failed.size(), 3);
    QCOMPARE(failed.at(0).payload.value("outcome").toString(), QStringLiteral("wrong"));
    QCOMPARE(failed.at(1).payload.value("outcome").toString(), QStringLiteral("timeout"));
    QCOMPARE(failed.at(2).payload.value("outcome").toString(), QStringLiteral("invalid"));
    QCOMPARE(failed.at(2).payload.value("tries_left").toInt(), 0);
    // Only the wrong digits count against the registration.
    QCOMPARE(m_engine->repository().registrations().first().pinFailures, 1);
    for (const kt::StoredEvent &e : m_engine->eventStore().events(kt::EventQuery())) {
        const QByteArray text = QJsonDocument(e.payload).toJson(QJsonDocument::Compact);
        QVERIFY2(!kt::test::showsSecret(text, QStringLiteral("11111")), text.constData());
    }
}

void TstEngine::unverifiedWithoutPinIsAnUnknownCaller()
{
    kt::Config c = config();
    c.unknownPolicy = QStringLiteral("ask");
    QVERIFY(startEngine(c));
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QVERIFY(registerAlice(now.addDays(-1), now.addYears(1)));
    kt::InboundCallOptions options;
    options.callingPartyType = QStringLiteral("sip");
    options.shakenStirAttestation = QStringLiteral("A");
    options.shakenStirValidated = true;
    const QString ccid = m_telnyx->startInboundCall(AlicePhone, Owner, options);
    QTRY_COMPARE_WITH_TIMEOUT(record(ccid) ? record(ccid)->decision : QString(),
                              QStringLiteral("ask"), Timeout);
    auto call = record(ccid);
    QCOMPARE(call->reason, QStringLiteral("caller_id_unverified"));
    QCOMPARE(call->flags.value(QStringLiteral("claimed_namespace")).toString(),
             QStringLiteral("alice.x"));
    QVERIFY(steps().isEmpty()); // it rings for the owner
    // One click lets them through.
    QVERIFY(m_engine->decide(callIdOf(ccid), true));
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(ccid), QStringLiteral("forwarded"), Timeout);
    call = record(ccid);
    QCOMPARE(call->decision, QStringLiteral("allowlisted"));
    QCOMPARE(call->reason, QStringLiteral("owner_accepted"));
}

void TstEngine::restartMidChallenge()
{
    kt::Config c = config();
    QVERIFY(startEngine(c));
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QVERIFY(registerAlice(now.addDays(-1), now.addYears(1)));
    QVERIFY(m_engine->repository().setPin(AlicePhone, QStringLiteral("97531"), Actor).ok);
    m_telnyx->setDeliveryAttemptsPerUrl(200);
    m_telnyx->setDeliveryRetryDelayMs(50);
    // The engine stops as the second prompt goes out (after a wrong first PIN).
    int gathers = 0;
    bool stopped = false;
    connect(m_telnyx.get(), &kt::TelnyxSimulator::commandReceived, this,
            [this, &gathers, &stopped](const kt::ReceivedRequest &r) {
                if (r.command == QLatin1String("gather_using_speak") && ++gathers == 2 &&
                    !stopped) {
                    stopped = true;
                    QTimer::singleShot(0, this, [this] { m_engine.reset(); });
                }
            });
    kt::InboundCallOptions options;
    options.gatherScript = {QStringLiteral("11111#"), QStringLiteral("97531#")};
    const QString ccid = m_telnyx->startInboundCall(AlicePhone, Owner, options);
    QTRY_VERIFY_WITH_TIMEOUT(stopped && !m_engine, Timeout);

    QVERIFY(startEngine(c));
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(ccid), QStringLiteral("forwarded"), Timeout);
    QCOMPARE(steps(),
             (QStringList{"answer", "gather_using_speak", "gather_using_speak", "transfer"}));
    verifyOneCommandIdPerCommand();
    const QStringList types = eventTypes(ccid);
    QCOMPARE(types.count("tel.call_challenge"), 1);
    QCOMPARE(types.count("tel.pin_failed"), 1);
    QCOMPARE(types.count("tel.pin_verified"), 1);
    const auto call = record(ccid);
    QCOMPARE(call->reason, QStringLiteral("registry_pin"));
    QVERIFY(m_engine->eventStore().verify().ok);
}

QTEST_GUILESS_MAIN(TstEngine)
#include "tst_engine.moc"
