// SPDX-License-Identifier: GPL-3.0-or-later
// The Call Control client against the Telnyx simulator on loopback.
#include "http/httpclient.h"
#include "simulator/telnyxsimulator.h"
#include "telnyx/callcontrolclient.h"
#include "webhookcollector.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonArray>
#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <QUrlQuery>
#include <QUuid>

#include <memory>

using namespace kt;

namespace {

bool isUuidV4(const QString &text)
{
    const QUuid id = QUuid::fromString(text);
    return !id.isNull() && id.version() == QUuid::Random && id.variant() == QUuid::DCE &&
           text == id.toString(QUuid::WithoutBraces);
}

const QString kCaller = QStringLiteral("+15551230001");
const QString kOwnerNumber = QStringLiteral("+17702300635");

} // namespace

class TestCallControlClient : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TelnyxSimulator> m_sim;
    std::unique_ptr<WebhookCollector> m_hooks;
    std::unique_ptr<CallControlClient> m_client;
    QHash<quint64, CommandResult> m_results;

    static RetryPolicy fastPolicy()
    {
        RetryPolicy policy;
        policy.baseDelayMs = 20;
        policy.maxDelayMs = 100;
        policy.responseTimeoutMs = 3000; // generous: only the timeout test relies on it
        policy.random = [] { return 0.5; };
        return policy;
    }

    CommandResult waitFor(quint64 handle, int timeoutMs = 10000)
    {
        if (!QTest::qWaitFor([&] { return m_results.contains(handle); }, timeoutMs))
            return {};
        return m_results.value(handle);
    }

    QString answeredCall()
    {
        const QString id = m_sim->startInboundCall(kCaller, kOwnerNumber);
        const CommandResult r = waitFor(m_client->answer(id));
        return r.ok ? id : QString();
    }

private slots:
    void init()
    {
        m_hooks = std::make_unique<WebhookCollector>();
        QVERIFY(m_hooks->start());
        m_sim = std::make_unique<TelnyxSimulator>();
        QVERIFY(m_sim->start());
        m_sim->setWebhookUrl(m_hooks->url());
        m_sim->setEventDelayMs(1);
        m_sim->setSpeakDurationMs(30);
        m_client = std::make_unique<CallControlClient>();
        m_client->setBaseUrl(m_sim->baseUrl());
        m_client->setApiKey(m_sim->apiKey());
        m_client->setRetryPolicy(fastPolicy());
        m_results.clear();
        connect(m_client.get(), &CallControlClient::finished, this,
                [this](const CommandResult &r) { m_results.insert(r.handle, r); });
    }

    void cleanup()
    {
        m_client.reset();
        m_sim.reset();
        m_hooks.reset();
    }

    void answerSendsPathHeadersAndBody()
    {
        const QString id = m_sim->startInboundCall(kCaller, kOwnerNumber);
        QVERIFY(id.startsWith(QLatin1String("v3:")));
        const quint64 handle = m_client->answer(id, {QStringLiteral("YWJj"), {}});
        QVERIFY(handle > 0);
        QCOMPARE(m_client->pendingCount(), 1);
        const CommandResult r = waitFor(handle);
        QVERIFY2(r.ok, qPrintable(r.describe()));
        QCOMPARE(m_client->pendingCount(), 0);
        QCOMPARE(r.handle, handle);
        QCOMPARE(r.command, QStringLiteral("answer"));
        QCOMPARE(r.callControlId, id);
        QCOMPARE(r.httpStatus, 200);
        QCOMPARE(r.attempts, 1);
        QCOMPARE(r.data.value(QLatin1String("result")).toString(), QStringLiteral("ok"));
        QCOMPARE(r.describe(), QStringLiteral("answer ok"));

        const QList<ReceivedRequest> commands = m_sim->commands();
        QCOMPARE(commands.size(), 1);
        const ReceivedRequest &c = commands.first();
        QCOMPARE(c.method, QByteArray("POST"));
        // The id goes into the path raw: "v3:" keeps its colon.
        QCOMPARE(c.rawPath, QStringLiteral("/v2/calls/%1/actions/answer").arg(id));
        QCOMPARE(c.callControlId, id);
        QCOMPARE(c.header("Authorization"), "Bearer " + m_sim->apiKey().toUtf8());
        QVERIFY(c.header("Content-Type").startsWith("application/json"));
        QCOMPARE(c.header("Accept"), QByteArray("application/json"));
        QCOMPARE(c.json.value(QLatin1String("client_state")).toString(), QStringLiteral("YWJj"));
        QCOMPARE(c.commandId, r.commandId);
        QVERIFY2(isUuidV4(r.commandId), qPrintable(r.commandId));
        QCOMPARE(m_sim->callState(id), QStringLiteral("answered"));
    }

    void commandsShareOneKeepAliveConnection()
    {
        // One command after another (a call's usual course) goes over one connection to the
        // fake Telnyx: no connection set up per command, and at most MaxConnections at once.
        const QString id = m_sim->startInboundCall(kCaller, kOwnerNumber);
        QVERIFY(waitFor(m_client->answer(id)).ok);
        QVERIFY(waitFor(m_client->speak(id, QStringLiteral("Hello"), QStringLiteral("female"))).ok);
        QVERIFY(waitFor(m_client->hangup(id)).ok);
        QCOMPARE(m_client->httpClient()->connectionsOpened(), 1u);

        QList<quint64> handles;
        for (int i = 0; i < 3 * CallControlClient::MaxConnections; ++i)
            handles.append(m_client->answer(m_sim->startInboundCall(kCaller, kOwnerNumber)));
        for (const quint64 handle : std::as_const(handles))
            QVERIFY(waitFor(handle).ok);
        QVERIFY(m_client->httpClient()->openConnections() <= CallControlClient::MaxConnections);
        QVERIFY(m_client->httpClient()->connectionsOpened() <=
                1 + CallControlClient::MaxConnections);
    }

    void everyCommandSendsItsBody()
    {
        const QString id = answeredCall();
        QVERIFY(!id.isEmpty());
        const QString other = answeredCall();
        QVERIFY(!other.isEmpty());

        CommandResult r = waitFor(m_client->speak(
            id, QStringLiteral("Hello"), QStringLiteral("female"), QStringLiteral("en-US")));
        QVERIFY2(r.ok, qPrintable(r.describe()));
        QJsonObject body = m_sim->commands().last().json;
        QCOMPARE(m_sim->commands().last().command, QStringLiteral("speak"));
        QCOMPARE(body.value(QLatin1String("payload")).toString(), QStringLiteral("Hello"));
        QCOMPARE(body.value(QLatin1String("voice")).toString(), QStringLiteral("female"));
        QCOMPARE(body.value(QLatin1String("language")).toString(), QStringLiteral("en-US"));
        QVERIFY(!body.contains(QLatin1String("client_state")));

        GatherParams gather;
        gather.payload = QStringLiteral("Press 1");
        gather.voice = QStringLiteral("AWS.Polly.Joanna-Neural");
        gather.minimumDigits = 1;
        gather.maximumDigits = 4;
        gather.validDigits = QStringLiteral("0123456789");
        gather.terminatingDigit = QStringLiteral("#");
        r = waitFor(m_client->gatherUsingSpeak(id, gather));
        QVERIFY2(r.ok, qPrintable(r.describe()));
        body = m_sim->commands().last().json;
        QCOMPARE(m_sim->commands().last().command, QStringLiteral("gather_using_speak"));
        QCOMPARE(body.value(QLatin1String("payload")).toString(), gather.payload);
        QCOMPARE(body.value(QLatin1String("voice")).toString(), gather.voice);
        QCOMPARE(body.value(QLatin1String("minimum_digits")).toInt(), 1);
        QCOMPARE(body.value(QLatin1String("maximum_digits")).toInt(), 4);
        QCOMPARE(body.value(QLatin1String("valid_digits")).toString(), gather.validDigits);
        QCOMPARE(body.value(QLatin1String("terminating_digit")).toString(), QStringLiteral("#"));
        QVERIFY(!body.contains(QLatin1String("timeout_millis")));

        TransferParams transfer;
        transfer.to = QStringLiteral("+18886115384");
        transfer.from = kOwnerNumber;
        transfer.fromDisplayName = QStringLiteral("kevan.tel.x");
        transfer.timeoutSecs = 20;
        transfer.targetLegClientState = QStringLiteral("dGFyZ2V0");
        r = waitFor(m_client->transfer(id, transfer, {QStringLiteral("c3RhdGU="), {}}));
        QVERIFY2(r.ok, qPrintable(r.describe()));
        body = m_sim->commands().last().json;
        QCOMPARE(m_sim->commands().last().command, QStringLiteral("transfer"));
        QCOMPARE(body.value(QLatin1String("to")).toString(), transfer.to);
        QCOMPARE(body.value(QLatin1String("from")).toString(), transfer.from);
        QCOMPARE(body.value(QLatin1String("from_display_name")).toString(),
                 transfer.fromDisplayName);
        QCOMPARE(body.value(QLatin1String("timeout_secs")).toInt(), 20);
        QCOMPARE(body.value(QLatin1String("target_leg_client_state")).toString(),
                 transfer.targetLegClientState);
        QCOMPARE(body.value(QLatin1String("client_state")).toString(), QStringLiteral("c3RhdGU="));

        const QString third = answeredCall();
        r = waitFor(m_client->bridge(other, third));
        QVERIFY2(r.ok, qPrintable(r.describe()));
        QCOMPARE(m_sim->commands().last().command, QStringLiteral("bridge"));
        QCOMPARE(m_sim->commands().last().json.value(QLatin1String("call_control_id")).toString(),
                 third);

        r = waitFor(m_client->hangup(other));
        QVERIFY2(r.ok, qPrintable(r.describe()));
        QCOMPARE(m_sim->commands().last().command, QStringLiteral("hangup"));
        QCOMPARE(m_sim->commands().last().json.keys(), QStringList{QStringLiteral("command_id")});

        const QString parked = m_sim->startInboundCall(kCaller, kOwnerNumber);
        r = waitFor(m_client->reject(parked, RejectCause::UserBusy));
        QVERIFY2(r.ok, qPrintable(r.describe()));
        QCOMPARE(m_sim->commands().last().command, QStringLiteral("reject"));
        QCOMPARE(m_sim->commands().last().json.value(QLatin1String("cause")).toString(),
                 QStringLiteral("USER_BUSY"));
        r = waitFor(m_client->reject(m_sim->startInboundCall(kCaller, kOwnerNumber),
                                     RejectCause::CallRejected));
        QCOMPARE(m_sim->commands().last().json.value(QLatin1String("cause")).toString(),
                 QStringLiteral("CALL_REJECTED"));

        // Every command got its own v4 command_id.
        QSet<QString> ids;
        for (const ReceivedRequest &c : m_sim->commands()) {
            QVERIFY2(isUuidV4(c.commandId), qPrintable(c.commandId));
            ids.insert(c.commandId);
        }
        QCOMPARE(ids.size(), m_sim->commands().size());
    }

    void callerSuppliedCommandIdIsKept()
    {
        const QString id = m_sim->startInboundCall(kCaller, kOwnerNumber);
        const QString commandId = QStringLiteral("6b0d7f5e-3f52-4c1c-9a55-2f3f6c1b2a10");
        const CommandResult r = waitFor(m_client->answer(id, {{}, commandId}));
        QVERIFY(r.ok);
        QCOMPARE(r.commandId, commandId);
        QCOMPARE(m_sim->commands().last().commandId, commandId);
    }

    void retriesAfter500KeepTheCommandId()
    {
        const QString id = m_sim->startInboundCall(kCaller, kOwnerNumber);
        QSignalSpy failed(m_client.get(), &CallControlClient::attemptFailed);
        m_sim->failNext(2, 500);
        const quint64 handle = m_client->answer(id);
        const CommandResult r = waitFor(handle);
        QVERIFY2(r.ok, qPrintable(r.describe()));
        QCOMPARE(r.attempts, 3);
        const QList<ReceivedRequest> commands = m_sim->commands();
        QCOMPARE(commands.size(), 3);
        QCOMPARE(commands.at(0).status, 500);
        QCOMPARE(commands.at(1).status, 500);
        QCOMPARE(commands.at(2).status, 200);
        for (const ReceivedRequest &c : commands) {
            QCOMPARE(c.commandId, r.commandId);
            QCOMPARE(c.body, commands.first().body); // identical requests
        }
        QCOMPARE(failed.size(), 2);
        QCOMPARE(failed.at(0).at(0).toULongLong(), handle);
        QCOMPARE(failed.at(0).at(1).toInt(), 500);
        QCOMPARE(failed.at(0).at(4).toBool(), true);
    }

    void retriesAfterNoResponseKeepTheCommandId()
    {
        RetryPolicy policy = fastPolicy();
        policy.responseTimeoutMs = 800;
        m_client->setRetryPolicy(policy);
        const QString id = m_sim->startInboundCall(kCaller, kOwnerNumber);
        QVERIFY(m_hooks->waitForCount(1));
        QSignalSpy failed(m_client.get(), &CallControlClient::attemptFailed);
        m_sim->timeoutNext(1); // the answer takes effect, but its response is lost
        const CommandResult r = waitFor(m_client->answer(id));
        QVERIFY2(r.ok, qPrintable(r.describe()));
        QCOMPARE(r.attempts, 2);
        QCOMPARE(failed.size(), 1);
        QCOMPARE(failed.first().at(1).toInt(), 0);
        QCOMPARE(failed.first().at(3).toString(), QStringLiteral("no response within 800 ms"));
        const QList<ReceivedRequest> commands = m_sim->commands();
        QCOMPARE(commands.size(), 2);
        QCOMPARE(commands.at(0).status, 0);
        QCOMPARE(commands.at(1).status, 200);
        QCOMPARE(commands.at(0).commandId, r.commandId);
        QCOMPARE(commands.at(1).commandId, r.commandId);
        // The repeat was recognised by its command_id: one call.answered only.
        QTRY_COMPARE(m_hooks->eventTypes().count(QStringLiteral("call.answered")), 1);
        QTRY_VERIFY(m_sim->deliveriesIdle());
        QTest::qWait(100);
        QCOMPARE(m_hooks->eventTypes().count(QStringLiteral("call.answered")), 1);
    }

    void retriesAfter429WaitForTheReset()
    {
        const QString id = m_sim->startInboundCall(kCaller, kOwnerNumber);
        QSignalSpy failed(m_client.get(), &CallControlClient::attemptFailed);
        m_sim->rateLimitNext(1, 1); // x-ratelimit-reset: 1 (second)
        QElapsedTimer clock;
        clock.start();
        const CommandResult r = waitFor(m_client->answer(id));
        const qint64 elapsed = clock.elapsed();
        QVERIFY2(r.ok, qPrintable(r.describe()));
        QCOMPARE(r.attempts, 2);
        QVERIFY2(elapsed >= 950, qPrintable(QString::number(elapsed)));
        QCOMPARE(failed.size(), 1);
        QCOMPARE(failed.first().at(1).toInt(), 429);
        QCOMPARE(failed.first().at(2).toString(), QStringLiteral("10011"));
        QCOMPARE(failed.first().at(3).toString(), QStringLiteral("Too many requests"));
        const QList<ReceivedRequest> commands = m_sim->commands();
        QCOMPARE(commands.size(), 2);
        QCOMPARE(commands.at(0).status, 429);
        QCOMPARE(commands.at(0).commandId, commands.at(1).commandId);
    }

    void unprocessableIsNotRetried()
    {
        const QString id = m_sim->startInboundCall(kCaller, kOwnerNumber);
        QSignalSpy failed(m_client.get(), &CallControlClient::attemptFailed);
        const CommandResult r =
            waitFor(m_client->speak(id, QStringLiteral("Hi"), QStringLiteral("female")));
        QVERIFY(!r.ok);
        QCOMPARE(r.httpStatus, 422);
        QCOMPARE(r.attempts, 1);
        QCOMPARE(r.errorCode, QStringLiteral("90034"));
        QCOMPARE(r.errorTitle, QStringLiteral("Call not answered yet"));
        QVERIFY(r.errorDetail.contains(QLatin1String("not been answered")));
        QVERIFY(!r.callEnded);
        QCOMPARE(r.describe(), QStringLiteral("speak failed: 422 90034 Call not answered yet"));
        QCOMPARE(m_sim->commands().size(), 1);
        QCOMPARE(failed.size(), 1);
        QCOMPARE(failed.first().at(4).toBool(), false);
    }

    void callEndedSetsTheFlag()
    {
        const QString id = answeredCall();
        QVERIFY(waitFor(m_client->hangup(id)).ok);
        const CommandResult r =
            waitFor(m_client->speak(id, QStringLiteral("Hi"), QStringLiteral("female")));
        QVERIFY(!r.ok);
        QVERIFY(r.callEnded);
        QCOMPARE(r.httpStatus, 422);
        QCOMPARE(r.errorCode, QStringLiteral("90018"));
        QCOMPARE(r.errorTitle, QStringLiteral("Call has already ended"));
        QCOMPARE(r.attempts, 1);
    }

    void unknownIdGoesIntoThePathEncodedOnlyWhereNeeded()
    {
        const QString odd = QStringLiteral("v3:ab c/d%e-_~");
        const CommandResult r = waitFor(m_client->answer(odd));
        QVERIFY(!r.ok);
        QCOMPARE(r.httpStatus, 422);
        QCOMPARE(r.errorCode, QStringLiteral("90015"));
        QCOMPARE(r.attempts, 1);
        const ReceivedRequest c = m_sim->commands().last();
        QCOMPARE(c.callControlId, odd);
        QCOMPARE(c.rawPath, QStringLiteral("/v2/calls/v3:ab%20c%2Fd%25e-_~/actions/answer"));
    }

    void unauthorizedSurfaces10009WithoutTheKey()
    {
        const QString key = QStringLiteral("KEY0123_wrong_secret_value");
        m_client->setApiKey(key);
        const QString id = m_sim->startInboundCall(kCaller, kOwnerNumber);
        const CommandResult r = waitFor(m_client->answer(id));
        QVERIFY(!r.ok);
        QCOMPARE(r.httpStatus, 401);
        QCOMPARE(r.errorCode, QStringLiteral("10009"));
        QCOMPARE(r.errorTitle, QStringLiteral("Authentication failed"));
        QCOMPARE(r.attempts, 1);
        for (const QString &text : {r.describe(), r.errorTitle, r.errorDetail})
            QVERIFY(!text.contains(key));
    }

    void apiKeyNeverInErrorTexts()
    {
        // A server that echoes the key back in its error body.
        const QString key = QStringLiteral("KEY9876_very_secret_value");
        WebhookCollector echo;
        QVERIFY(echo.start());
        echo.setStatus(400);
        echo.setResponseBody(
            QStringLiteral("{\"errors\":[{\"code\":\"10015\",\"title\":\"Bad key %1\","
                           "\"detail\":\"Authorization: Bearer %1\"}]}")
                .arg(key)
                .toUtf8());
        m_client->setBaseUrl(echo.url(QStringLiteral("/v2")));
        m_client->setApiKey(key);
        CommandResult r = waitFor(m_client->answer(QStringLiteral("v3:x")));
        QVERIFY(!r.ok);
        QCOMPARE(r.httpStatus, 400);
        QCOMPARE(r.errorCode, QStringLiteral("10015"));
        QCOMPARE(echo.requests().first().header("Authorization"), "Bearer " + key.toUtf8());
        for (const QString &text : {r.describe(), r.errorTitle, r.errorDetail})
            QVERIFY2(!text.contains(key), qPrintable(text));
        QVERIFY(r.errorDetail.contains(QLatin1String("[redacted]")));

        // No server at all: a transport error, retried, and still no key.
        quint16 closedPort = 0;
        {
            WebhookCollector gone;
            QVERIFY(gone.start());
            closedPort = gone.port();
        }
        RetryPolicy policy = fastPolicy();
        policy.maxAttempts = 2;
        m_client->setRetryPolicy(policy);
        m_client->setBaseUrl(QUrl(QStringLiteral("http://127.0.0.1:%1/v2").arg(closedPort)));
        r = waitFor(m_client->hangup(QStringLiteral("v3:y")));
        QVERIFY(!r.ok);
        QCOMPARE(r.httpStatus, 0);
        QCOMPARE(r.attempts, 2);
        QVERIFY(!r.errorTitle.isEmpty());
        QVERIFY(r.describe().startsWith(QLatin1String("hangup failed: no response")));
        for (const QString &text : {r.describe(), r.errorTitle, r.errorDetail})
            QVERIFY2(!text.contains(key), qPrintable(text));
    }

    void exhaustedRetriesReportTheLastStatus()
    {
        RetryPolicy policy = fastPolicy();
        policy.maxAttempts = 3;
        m_client->setRetryPolicy(policy);
        const QString id = m_sim->startInboundCall(kCaller, kOwnerNumber);
        m_sim->failNext(10, 503);
        const CommandResult r = waitFor(m_client->answer(id));
        QVERIFY(!r.ok);
        QCOMPARE(r.attempts, 3);
        QCOMPARE(r.httpStatus, 503);
        QCOMPARE(m_sim->commands().size(), 3);
        QVERIFY2(r.describe().startsWith(QLatin1String("answer failed: 503")),
                 qPrintable(r.describe()));
        QVERIFY(r.describe().endsWith(QLatin1String("after 3 attempts")));
    }

    void cancelForCallStopsRetries()
    {
        RetryPolicy policy = fastPolicy();
        policy.baseDelayMs = 1000;
        policy.maxDelayMs = 1000;
        m_client->setRetryPolicy(policy);
        const QString id = m_sim->startInboundCall(kCaller, kOwnerNumber);
        const QString other = m_sim->startInboundCall(kCaller, kOwnerNumber);
        QSignalSpy failed(m_client.get(), &CallControlClient::attemptFailed);
        m_sim->failNext(1, 500);
        const quint64 handle = m_client->answer(id);
        QTRY_COMPARE(failed.size(), 1);
        QCOMPARE(m_client->pendingCount(), 1);
        QCOMPARE(m_client->cancelForCall(other), 0);
        QCOMPARE(m_client->cancelForCall(id), 1);
        QCOMPARE(m_client->pendingCount(), 0);
        QVERIFY(m_results.contains(handle));
        const CommandResult r = m_results.value(handle);
        QVERIFY(r.cancelled);
        QVERIFY(!r.ok);
        QTest::qWait(1200); // past the retry delay: nothing more is sent
        QCOMPARE(m_sim->commands().size(), 1);
        QCOMPARE(m_sim->callState(id), QStringLiteral("parked"));
    }

    void listPhoneNumbersFetchesEveryPage()
    {
        QSignalSpy listed(m_client.get(), &CallControlClient::phoneNumbersListed);
        m_client->listPhoneNumbers(10);
        QTRY_COMPARE(listed.size(), 1);
        QVERIFY(listed.first().at(0).toBool());
        const auto records = listed.first().at(1).value<QList<QJsonObject>>();
        QCOMPARE(records.size(), 26);
        QSet<QString> numbers;
        for (const QJsonObject &record : records) {
            QVERIFY(record.value(QLatin1String("id")).isString());
            numbers.insert(record.value(QLatin1String("phone_number")).toString());
        }
        QCOMPARE(numbers.size(), 26);
        QVERIFY(numbers.contains(kOwnerNumber));

        const QList<ReceivedRequest> requests = m_sim->requests();
        QCOMPARE(requests.size(), 3);
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(requests.at(i).method, QByteArray("GET"));
            QCOMPARE(requests.at(i).path, QStringLiteral("/v2/phone_numbers"));
            const QUrlQuery query(requests.at(i).query);
            QCOMPARE(query.queryItemValue(QStringLiteral("page[number]")), QString::number(i + 1));
            QCOMPARE(query.queryItemValue(QStringLiteral("page[size]")), QStringLiteral("10"));
            QCOMPARE(requests.at(i).header("Authorization"), "Bearer " + m_sim->apiKey().toUtf8());
        }
    }

    void listPhoneNumbersRetriesAndFails()
    {
        QSignalSpy listed(m_client.get(), &CallControlClient::phoneNumbersListed);
        m_sim->failNext(1, 502);
        m_client->listPhoneNumbers(250);
        QTRY_COMPARE(listed.size(), 1);
        QVERIFY(listed.first().at(0).toBool());
        QCOMPARE(listed.first().at(1).value<QList<QJsonObject>>().size(), 26);
        QCOMPARE(m_sim->requests().size(), 2);

        m_client->setApiKey(QStringLiteral("nope"));
        m_client->listPhoneNumbers(10);
        QTRY_COMPARE(listed.size(), 2);
        QVERIFY(!listed.last().at(0).toBool());
        QVERIFY(listed.last().at(1).value<QList<QJsonObject>>().isEmpty());
        QVERIFY(listed.last().at(2).toString().contains(QLatin1String("401 10009")));
    }

    void applicationGetAndPatch()
    {
        QSignalSpy fetched(m_client.get(), &CallControlClient::applicationFetched);
        QSignalSpy patched(m_client.get(), &CallControlClient::applicationPatched);
        m_client->getApplication(m_sim->applicationId());
        QTRY_COMPARE(fetched.size(), 1);
        const auto got = fetched.first().at(0).value<CommandResult>();
        QVERIFY2(got.ok, qPrintable(got.describe()));
        QCOMPARE(got.data.value(QLatin1String("record_type")).toString(),
                 QStringLiteral("call_control_application"));
        const QString name = got.data.value(QLatin1String("application_name")).toString();

        WebhookCollector moved;
        QVERIFY(moved.start());
        m_client->patchApplication(m_sim->applicationId(), name, moved.url().toString());
        QTRY_COMPARE(patched.size(), 1);
        const auto result = patched.first().at(0).value<CommandResult>();
        QVERIFY2(result.ok, qPrintable(result.describe()));
        QCOMPARE(result.data.value(QLatin1String("webhook_api_version")).toString(),
                 QStringLiteral("2"));
        const ReceivedRequest patch = m_sim->requests().last();
        QCOMPARE(patch.method, QByteArray("PATCH"));
        QCOMPARE(patch.json.value(QLatin1String("application_name")).toString(), name);
        QCOMPARE(patch.json.value(QLatin1String("webhook_event_url")).toString(),
                 moved.url().toString());
        QCOMPARE(patch.json.value(QLatin1String("webhook_api_version")).toString(),
                 QStringLiteral("2"));
        QCOMPARE(m_sim->webhookUrl(), moved.url());

        // Webhooks go to the new URL at once.
        m_sim->startInboundCall(kCaller, kOwnerNumber);
        QVERIFY(moved.waitForCount(1));
        QCOMPARE(moved.requests().first().eventType(), QStringLiteral("call.initiated"));

        m_client->getApplication(QStringLiteral("999"));
        QTRY_COMPARE(fetched.size(), 2);
        const auto missing = fetched.last().at(0).value<CommandResult>();
        QVERIFY(!missing.ok);
        QCOMPARE(missing.httpStatus, 404);
        QCOMPARE(missing.attempts, 1);
    }

    void backoffIsCappedExponentialWithJitter()
    {
        RetryPolicy policy;
        policy.baseDelayMs = 200;
        policy.maxDelayMs = 5000;
        policy.jitter = 0.2;
        policy.random = [] { return 0.5; }; // factor 1
        QCOMPARE(policy.backoffDelayMs(1), 200);
        QCOMPARE(policy.backoffDelayMs(2), 400);
        QCOMPARE(policy.backoffDelayMs(3), 800);
        QCOMPARE(policy.backoffDelayMs(5), 3200);
        QCOMPARE(policy.backoffDelayMs(6), 5000);
        QCOMPARE(policy.backoffDelayMs(40), 5000);
        policy.random = [] { return 0.0; };
        QCOMPARE(policy.backoffDelayMs(1), 160);
        policy.random = [] { return 1.0; };
        QCOMPARE(policy.backoffDelayMs(1), 240);
        QCOMPARE(policy.backoffDelayMs(6), 5000); // jitter never exceeds the cap
        policy.random = {};
        for (int i = 0; i < 50; ++i) {
            const int d = policy.backoffDelayMs(2);
            QVERIFY(d >= 320 && d <= 480);
        }
    }

    void serverDelayHeaders()
    {
        RetryPolicy policy;
        policy.maxRateLimitDelayMs = 30000;
        const QDateTime now = QDateTime::fromSecsSinceEpoch(1700000000, Qt::UTC);
        QCOMPARE(policy.serverDelayMs("1500", "9", "9", now), std::optional<int>(1500));
        QCOMPARE(policy.serverDelayMs({}, "2", "9", now), std::optional<int>(2000));
        QCOMPARE(policy.serverDelayMs({}, {}, "3", now), std::optional<int>(3000));
        QCOMPARE(policy.serverDelayMs({}, {}, "0", now), std::optional<int>(0));
        QCOMPARE(policy.serverDelayMs({}, {}, "100000", now), std::optional<int>(30000));
        QCOMPARE(policy.serverDelayMs({}, {}, {}, now), std::nullopt);
        QCOMPARE(policy.serverDelayMs({}, "soon", {}, now), std::nullopt);
        const QByteArray date =
            now.addSecs(5).toString(QStringLiteral("ddd, dd MMM yyyy HH:mm:ss")).toLatin1() +
            " GMT";
        QCOMPARE(policy.serverDelayMs({}, date, {}, now), std::optional<int>(5000));
        QVERIFY(RetryPolicy::isRetryableStatus(0));
        QVERIFY(RetryPolicy::isRetryableStatus(429));
        QVERIFY(RetryPolicy::isRetryableStatus(500));
        QVERIFY(RetryPolicy::isRetryableStatus(503));
        QVERIFY(!RetryPolicy::isRetryableStatus(400));
        QVERIFY(!RetryPolicy::isRetryableStatus(401));
        QVERIFY(!RetryPolicy::isRetryableStatus(404));
        QVERIFY(!RetryPolicy::isRetryableStatus(422));
    }

    void describeFormats()
    {
        CommandResult r;
        r.command = QStringLiteral("transfer");
        r.httpStatus = 422;
        r.errorCode = QStringLiteral("10016");
        r.errorTitle = QStringLiteral("Phone number must be in +E164 format");
        r.attempts = 1;
        QCOMPARE(r.describe(),
                 QStringLiteral("transfer failed: 422 10016 Phone number must be in +E164 format"));
        r.httpStatus = 0;
        r.errorCode.clear();
        r.errorTitle = QStringLiteral("no response within 500 ms");
        r.attempts = 6;
        QCOMPARE(r.describe(),
                 QStringLiteral("transfer failed: no response within 500 ms after 6 attempts"));
        r.errorTitle = QStringLiteral("Connection refused");
        QCOMPARE(
            r.describe(),
            QStringLiteral("transfer failed: no response (Connection refused) after 6 attempts"));
        r.ok = true;
        QCOMPARE(r.describe(), QStringLiteral("transfer ok"));
    }
};

QTEST_GUILESS_MAIN(TestCallControlClient)
#include "tst_callcontrolclient.moc"
