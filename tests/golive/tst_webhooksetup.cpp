// SPDX-License-Identifier: GPL-3.0-or-later
// WebhookSetup against the Telnyx simulator (docs/telnyx-api.md §5.2): GET the application, then
// PATCH it with its application_name, the new URL and webhook_api_version "2"; the simulator then
// delivers the calls' webhooks to the new URL, where the engine notes them (webhookReceived,
// /health, /metrics). Also the failover URL (sent, stored, used by Telnyx when the first URL
// fails, kept when not given), the URL rules, how the application is found, and the error texts.
#include "engine/config.h"
#include "engine/engine.h"
#include "golive/webhooksetup.h"
#include "simulator/loopbackhttpserver.h"
#include "simulator/telnyxsimulator.h"
#include "simulatorfixture.h"

#include <QHttpServerRequest>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using kt::WebhookSetup;
using kt::WebhookSetupResult;

namespace {
constexpr int Timeout = 20000;

QJsonObject app(const QString &id, const QString &name)
{
    return {{QStringLiteral("id"), id}, {QStringLiteral("application_name"), name}};
}

QJsonObject number(const QString &e164, const QString &connectionId)
{
    return {{QStringLiteral("phone_number"), e164},
            {QStringLiteral("connection_id"), connectionId}};
}
} // namespace

class TstWebhookSetup : public QObject, public kt::test::SimulatorFixture
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();

    void webhookUrlFor_data();
    void webhookUrlFor();
    void chooseApplication_data();
    void chooseApplication();

    void patchesTheApplicationAndWebhooksFollow();
    void setsTheFailoverUrlAndTelnyxTurnsToIt();
    void noFailoverUrlKeepsTheApplicationsOwn();
    void refusedPatchChangesNothing();
    void refusesABadFailoverUrlWithoutARequest_data();
    void refusesABadFailoverUrlWithoutARequest();
    void findsTheOnlyApplication();
    void findsTheApplicationOfTheNumbers();
    void ambiguousApplicationsAreAnError();
    void unknownApplicationIs404();
    void wrongKeyIs401WithoutTheKey();
    void refusesBadInputWithoutARequest();
    void cancelStopsTheRun();

private:
    WebhookSetupResult run(WebhookSetup &setup, const QString &url);
    QList<kt::ReceivedRequest> applicationRequests() const;
    QByteArray get(const QString &url, int *status);

    QNetworkAccessManager m_nam;
};

void TstWebhookSetup::init()
{
    QVERIFY(setUp());
}

void TstWebhookSetup::cleanup()
{
    tearDown();
}

WebhookSetupResult TstWebhookSetup::run(WebhookSetup &setup, const QString &url)
{
    QSignalSpy finished(&setup, &WebhookSetup::finished);
    QString error;
    if (!setup.start(url, &error)) {
        WebhookSetupResult r;
        r.error = QStringLiteral("not started: ") + error;
        return r;
    }
    if (!finished.wait(Timeout) || finished.size() != 1) {
        WebhookSetupResult r;
        r.error = QStringLiteral("no finished() signal");
        return r;
    }
    return finished.at(0).at(0).value<WebhookSetupResult>();
}

QList<kt::ReceivedRequest> TstWebhookSetup::applicationRequests() const
{
    QList<kt::ReceivedRequest> out;
    for (const auto &r : m_telnyx->requests()) {
        if (r.path.startsWith(QLatin1String("/v2/call_control_applications")) ||
            r.path.startsWith(QLatin1String("/v2/phone_numbers")))
            out.append(r);
    }
    return out;
}

QByteArray TstWebhookSetup::get(const QString &url, int *status)
{
    QNetworkReply *reply = m_nam.get(QNetworkRequest(QUrl(url)));
    QSignalSpy done(reply, &QNetworkReply::finished);
    done.wait(Timeout);
    *status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray body = reply->readAll();
    reply->deleteLater();
    return body;
}

void TstWebhookSetup::webhookUrlFor_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected"); // empty: invalid
    QTest::newRow("host") << "https://seasonal-deck.trycloudflare.com"
                          << "https://seasonal-deck.trycloudflare.com/webhooks/telnyx";
    QTest::newRow("trailing slash") << "https://example.com/"
                                    << "https://example.com/webhooks/telnyx";
    QTest::newRow("already there") << "https://example.com/webhooks/telnyx"
                                   << "https://example.com/webhooks/telnyx";
    QTest::newRow("already there, slash") << "https://example.com/webhooks/telnyx/"
                                          << "https://example.com/webhooks/telnyx";
    QTest::newRow("proxy prefix") << "https://example.com/kt"
                                  << "https://example.com/kt/webhooks/telnyx";
    QTest::newRow("port, spaces, case") << "  HTTPS://Example.com:8443 "
                                        << "https://example.com:8443/webhooks/telnyx";
    QTest::newRow("http loopback") << "http://127.0.0.1:3000"
                                   << "http://127.0.0.1:3000/webhooks/telnyx";
    QTest::newRow("http localhost") << "http://localhost:3000/"
                                    << "http://localhost:3000/webhooks/telnyx";
    QTest::newRow("http ::1") << "http://[::1]:3000"
                              << "http://[::1]:3000/webhooks/telnyx";
    QTest::newRow("http public") << "http://example.com"
                                 << "";
    QTest::newRow("http private") << "http://192.168.1.20:3000"
                                  << "";
    QTest::newRow("no scheme") << "example.com"
                               << "";
    QTest::newRow("other scheme") << "ftp://example.com"
                                  << "";
    QTest::newRow("no host") << "https://"
                             << "";
    QTest::newRow("empty") << ""
                           << "";
    QTest::newRow("query") << "https://example.com/?a=1"
                           << "";
    QTest::newRow("fragment") << "https://example.com/#x"
                              << "";
    QTest::newRow("user info") << "https://user:pw@example.com"
                               << "";
    QTest::newRow("space in host") << "https://exa mple.com"
                                   << "";
}

void TstWebhookSetup::webhookUrlFor()
{
    QFETCH(QString, input);
    QFETCH(QString, expected);
    QString error = QStringLiteral("stale");
    const QUrl url = WebhookSetup::webhookUrlFor(input, &error);
    QCOMPARE(url.toString(), expected);
    if (expected.isEmpty()) {
        QVERIFY2(error.startsWith(QLatin1String("invalid public URL")), qPrintable(error));
        QVERIFY(!error.contains(QLatin1Char('\n')));
    } else {
        QCOMPARE(error, QString());
    }
}

void TstWebhookSetup::chooseApplication_data()
{
    QTest::addColumn<QList<QJsonObject>>("apps");
    QTest::addColumn<QList<QJsonObject>>("numbers");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<QString>("errorPart");
    const QJsonObject a = app(QStringLiteral("111"), QStringLiteral("home"));
    const QJsonObject b = app(QStringLiteral("222"), QStringLiteral("work"));
    QTest::newRow("none") << QList<QJsonObject>{} << QList<QJsonObject>{} << QString()
                          << QStringLiteral("no Call Control Application");
    QTest::newRow("the only one") << QList<QJsonObject>{a} << QList<QJsonObject>{} << "111"
                                  << QString();
    QTest::newRow("the only one, numbers elsewhere")
        << QList<QJsonObject>{a} << QList<QJsonObject>{number("+15125550100", "999")} << "111"
        << QString();
    QTest::newRow("the one with the numbers")
        << QList<QJsonObject>{a, b}
        << QList<QJsonObject>{number("+15125550100", "222"), number("+15125550101", "222"),
                              number("+15125550102", "")}
        << "222" << QString();
    QTest::newRow("numbers on both")
        << QList<QJsonObject>{a, b}
        << QList<QJsonObject>{number("+15125550100", "111"), number("+15125550101", "222")}
        << QString()
        << QStringLiteral("2 Call Control Applications have your numbers: 111 (home), "
                          "222 (work); set application-id");
    QTest::newRow("numbers on neither")
        << QList<QJsonObject>{a, b} << QList<QJsonObject>{number("+15125550100", "")} << QString()
        << QStringLiteral("and none has your numbers: 111 (home), 222 (work)");
}

void TstWebhookSetup::chooseApplication()
{
    QFETCH(QList<QJsonObject>, apps);
    QFETCH(QList<QJsonObject>, numbers);
    QFETCH(QString, expected);
    QFETCH(QString, errorPart);
    QString error;
    QCOMPARE(WebhookSetup::chooseApplication(apps, numbers, &error), expected);
    if (expected.isEmpty())
        QVERIFY2(error.contains(errorPart), qPrintable(error));
}

void TstWebhookSetup::patchesTheApplicationAndWebhooksFollow()
{
    // The engine listens; Telnyx still points elsewhere.
    kt::Config config = engineConfig(QStringLiteral("+15125550100"));
    auto owned = std::make_unique<kt::Engine>(config);
    kt::Engine &engine = *owned;
    QString error;
    QVERIFY2(engine.start(&error), qPrintable(error));
    m_telnyx->setWebhookUrl(QUrl(QStringLiteral("https://old.example.com/webhooks/telnyx")));
    int status = 0;
    QJsonObject health =
        QJsonDocument::fromJson(get(engine.adminUrl() + QStringLiteral("/health"), &status))
            .object();
    QCOMPARE(status, 200);
    QVERIFY(health.contains(QStringLiteral("last_webhook_at")));
    QVERIFY(health.value(QStringLiteral("last_webhook_at")).isNull());

    WebhookSetup setup;
    setup.setBaseUrl(m_telnyx->baseUrl());
    setup.setApiKey(m_telnyx->apiKey());
    setup.setApplicationId(m_telnyx->applicationId());
    QSignalSpy progress(&setup, &WebhookSetup::progress);
    const WebhookSetupResult r = run(setup, engine.url());
    QVERIFY2(r.ok, qPrintable(r.error));
    const QString expectedUrl = engine.url() + QStringLiteral("/webhooks/telnyx");
    QCOMPARE(r.webhookUrl, expectedUrl);
    QCOMPARE(r.webhookApiVersion, QStringLiteral("2"));
    QCOMPARE(r.applicationId, m_telnyx->applicationId());
    QCOMPARE(r.applicationName, QStringLiteral("kevan-tel"));
    QVERIFY(r.error.isEmpty());
    QVERIFY(!progress.isEmpty());

    // GET first, then PATCH with the application's own name, the URL and version "2".
    const auto requests = applicationRequests();
    QCOMPARE(requests.size(), 2);
    QCOMPARE(requests.at(0).method, QByteArray("GET"));
    QCOMPARE(requests.at(0).path,
             QStringLiteral("/v2/call_control_applications/") + m_telnyx->applicationId());
    QCOMPARE(requests.at(1).method, QByteArray("PATCH"));
    QCOMPARE(requests.at(1).path, requests.at(0).path);
    const QJsonObject body = requests.at(1).json;
    QCOMPARE(body.value(QStringLiteral("application_name")).toString(),
             QStringLiteral("kevan-tel"));
    QCOMPARE(body.value(QStringLiteral("webhook_event_url")).toString(), expectedUrl);
    QCOMPARE(body.value(QStringLiteral("webhook_api_version")).toString(), QStringLiteral("2"));
    QCOMPARE(requests.at(1).header("authorization"),
             QByteArray("Bearer ") + m_telnyx->apiKey().toUtf8());
    QCOMPARE(m_telnyx->webhookUrl().toString(), expectedUrl);
    QCOMPARE(m_telnyx->application()->record().value(QStringLiteral("webhook_api_version")),
             QJsonValue(QStringLiteral("2")));

    // The simulator now delivers a call's webhooks to the engine, which notes each one.
    QSignalSpy received(&engine, &kt::Engine::webhookReceived);
    const QDateTime before = QDateTime::currentDateTimeUtc().addMSecs(-1);
    const QString ccid =
        m_telnyx->startInboundCall(QStringLiteral("+14045550186"), QStringLiteral("+17702300635"));
    QVERIFY(!ccid.isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(!received.isEmpty(), Timeout);
    const QDateTime at = received.at(0).at(0).toDateTime();
    QVERIFY(at >= before && at <= QDateTime::currentDateTimeUtc());
    QVERIFY(engine.lastWebhookAt() >= at);
    bool delivered = false;
    for (const auto &d : m_telnyx->deliveries())
        delivered = delivered || d.url.toString() == expectedUrl;
    QVERIFY(delivered);

    health = QJsonDocument::fromJson(get(engine.adminUrl() + QStringLiteral("/health"), &status))
                 .object();
    const QDateTime reported = QDateTime::fromString(
        health.value(QStringLiteral("last_webhook_at")).toString(), Qt::ISODateWithMs);
    QVERIFY2(reported.isValid(), QJsonDocument(health).toJson().constData());
    QVERIFY(reported >= at);
    const QByteArray metrics = get(engine.adminUrl() + QStringLiteral("/metrics"), &status);
    QCOMPARE(status, 200);
    QVERIFY(metrics.contains("# TYPE kevantel_last_webhook_timestamp_seconds gauge"));
    const QRegularExpression sample(
        QStringLiteral("\nkevantel_last_webhook_timestamp_seconds ([0-9.e+]+)\n"));
    const auto m = sample.match(QString::fromUtf8(metrics));
    QVERIFY2(m.hasMatch(), metrics.constData());
    QVERIFY(qAbs(m.captured(1).toDouble() - double(at.toSecsSinceEpoch())) < 120);

    // A restart starts from the stored webhooks (recorded_at has millisecond precision).
    QTRY_VERIFY_WITH_TIMEOUT(m_telnyx->deliveriesIdle(), Timeout);
    const QDateTime last = engine.lastWebhookAt();
    owned.reset();
    kt::Engine again(config);
    QVERIFY2(again.start(&error), qPrintable(error));
    QVERIFY(again.lastWebhookAt().isValid());
    QVERIFY2(qAbs(again.lastWebhookAt().msecsTo(last)) < 1000,
             qPrintable(again.lastWebhookAt().toString(Qt::ISODateWithMs) + QLatin1Char(' ') +
                        last.toString(Qt::ISODateWithMs)));
}

void TstWebhookSetup::setsTheFailoverUrlAndTelnyxTurnsToIt()
{
    // Two instances: the first answers 500 (as a dying or unreachable one), the second 200.
    kt::WebhookCollector first;
    kt::WebhookCollector second;
    QVERIFY(first.start());
    QVERIFY(second.start());
    first.setStatus(500);
    m_telnyx->setDeliveryAttemptsPerUrl(1);
    m_telnyx->setDeliveryRetryDelayMs(10);

    WebhookSetup setup;
    setup.setBaseUrl(m_telnyx->baseUrl());
    setup.setApiKey(m_telnyx->apiKey());
    setup.setApplicationId(m_telnyx->applicationId());
    setup.setFailoverUrl(second.url(QString()).toString() + QStringLiteral("/"));
    QSignalSpy progress(&setup, &WebhookSetup::progress);
    const WebhookSetupResult r = run(setup, first.url(QString()).toString());
    QVERIFY2(r.ok, qPrintable(r.error));
    const QString primary = first.url().toString();
    const QString failover = second.url().toString();
    QCOMPARE(r.webhookUrl, primary);
    QCOMPARE(r.failoverUrl, failover);
    bool saidBoth = false;
    for (const auto &args : progress)
        saidBoth = saidBoth || args.at(0).toString().contains(QLatin1String("failover"));
    QVERIFY(saidBoth);

    // One PATCH with both URLs, each completed with /webhooks/telnyx.
    const auto requests = applicationRequests();
    QCOMPARE(requests.size(), 2);
    QCOMPARE(requests.at(1).method, QByteArray("PATCH"));
    const QJsonObject body = requests.at(1).json;
    QCOMPARE(body.value(QStringLiteral("webhook_event_url")).toString(), primary);
    QCOMPARE(body.value(QStringLiteral("webhook_event_failover_url")).toString(), failover);
    QCOMPARE(body.value(QStringLiteral("webhook_api_version")).toString(), QStringLiteral("2"));
    QCOMPARE(m_telnyx->failoverUrl().toString(), failover);

    // Telnyx stores it: a GET returns it.
    QCOMPARE(m_telnyx->application()->get(m_telnyx->applicationId()).status, 200);
    const QJsonObject record =
        QJsonDocument::fromJson(m_telnyx->application()->get(m_telnyx->applicationId()).body)
            .object()
            .value(QStringLiteral("data"))
            .toObject();
    QCOMPARE(record.value(QStringLiteral("webhook_event_failover_url")).toString(), failover);

    // A call's webhook that the first instance refuses reaches the second, same data.id.
    m_telnyx->startInboundCall(QStringLiteral("+14045550186"), QStringLiteral("+17702300635"));
    QVERIFY(second.waitForCount(1, Timeout));
    QVERIFY(first.count() >= 1);
    QCOMPARE(second.requests().first().eventType(), QStringLiteral("call.initiated"));
    QCOMPARE(second.requests().first().eventId(), first.requests().first().eventId());
    QCOMPARE(second.requests()
                 .first()
                 .json()
                 .value(QStringLiteral("meta"))
                 .toObject()
                 .value(QStringLiteral("delivered_to"))
                 .toString(),
             failover);
}

void TstWebhookSetup::noFailoverUrlKeepsTheApplicationsOwn()
{
    const QUrl earlier(QStringLiteral("https://calls-2.example.com/webhooks/telnyx"));
    m_telnyx->setFailoverUrl(earlier);
    WebhookSetup setup;
    setup.setBaseUrl(m_telnyx->baseUrl());
    setup.setApiKey(m_telnyx->apiKey());
    setup.setApplicationId(m_telnyx->applicationId());
    const WebhookSetupResult r = run(setup, QStringLiteral("https://calls-1.example.com"));
    QVERIFY2(r.ok, qPrintable(r.error));
    // The PATCH does not name the failover URL, and the application keeps (and reports) its own.
    const auto requests = applicationRequests();
    QCOMPARE(requests.size(), 2);
    QVERIFY(!requests.at(1).json.contains(QStringLiteral("webhook_event_failover_url")));
    QCOMPARE(m_telnyx->failoverUrl(), earlier);
    QCOMPARE(r.failoverUrl, earlier.toString());

    // None before, none given: none after.
    m_telnyx->setFailoverUrl(QUrl());
    const WebhookSetupResult again = run(setup, QStringLiteral("https://calls-1.example.com"));
    QVERIFY2(again.ok, qPrintable(again.error));
    QVERIFY(again.failoverUrl.isEmpty());
}

void TstWebhookSetup::refusedPatchChangesNothing()
{
    // Telnyx answers the PATCH (not the GET before it) with a 422.
    WebhookSetup setup;
    setup.setBaseUrl(m_telnyx->baseUrl());
    setup.setApiKey(m_telnyx->apiKey());
    setup.setApplicationId(m_telnyx->applicationId());
    setup.setFailoverUrl(QStringLiteral("https://calls-2.example.com"));
    connect(&setup, &WebhookSetup::progress, this, [this](const QString &step) {
        if (step.startsWith(QLatin1String("setting the webhook")))
            m_telnyx->failNext(1, 422);
    });
    const WebhookSetupResult r = run(setup, QStringLiteral("https://calls-1.example.com"));
    QVERIFY(!r.ok);
    QCOMPARE(r.httpStatus, 422);
    QVERIFY2(
        r.error.startsWith(
            QStringLiteral("cannot update application %1: 422").arg(m_telnyx->applicationId())),
        qPrintable(r.error));
    QVERIFY(!r.error.contains(QLatin1Char('\n')));
    QVERIFY(!r.error.contains(m_telnyx->apiKey()));
    QVERIFY(r.webhookUrl.isEmpty() && r.failoverUrl.isEmpty());
    QVERIFY(m_telnyx->webhookUrl().isEmpty());
    QVERIFY(m_telnyx->failoverUrl().isEmpty());
}

void TstWebhookSetup::refusesABadFailoverUrlWithoutARequest_data()
{
    QTest::addColumn<QString>("failover");
    QTest::addColumn<QString>("message");
    QTest::newRow("http")
        << "http://calls-2.example.com"
        << "invalid failover URL \"http://calls-2.example.com\": Telnyx needs https";
    QTest::newRow("no scheme") << "calls-2.example.com"
                               << "invalid failover URL \"calls-2.example.com\"";
    QTest::newRow("user info") << "https://u:secret@calls-2.example.com"
                               << "no user name or password";
    QTest::newRow("query") << "https://calls-2.example.com/?k=1"
                           << "no query or fragment";
    QTest::newRow("the webhook URL") << "HTTPS://Calls-1.example.com/webhooks/telnyx/"
                                     << "invalid failover URL: it is the webhook URL";
}

void TstWebhookSetup::refusesABadFailoverUrlWithoutARequest()
{
    QFETCH(QString, failover);
    QFETCH(QString, message);
    WebhookSetup setup;
    setup.setBaseUrl(m_telnyx->baseUrl());
    setup.setApiKey(m_telnyx->apiKey());
    setup.setFailoverUrl(failover);
    QSignalSpy finished(&setup, &WebhookSetup::finished);
    QString error;
    QVERIFY(!setup.start(QStringLiteral("https://calls-1.example.com"), &error));
    QVERIFY2(error.contains(message), qPrintable(error));
    QVERIFY2(!error.contains(QLatin1String("secret")), qPrintable(error));
    QVERIFY(!setup.isRunning());
    QCOMPARE(finished.size(), 0);
    QVERIFY(m_telnyx->requests().isEmpty());
}

void TstWebhookSetup::findsTheOnlyApplication()
{
    WebhookSetup setup;
    setup.setBaseUrl(m_telnyx->baseUrl());
    setup.setApiKey(m_telnyx->apiKey());
    const WebhookSetupResult r = run(setup, QStringLiteral("https://abc-def.trycloudflare.com"));
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.applicationId, m_telnyx->applicationId());
    QCOMPARE(r.webhookUrl, QStringLiteral("https://abc-def.trycloudflare.com/webhooks/telnyx"));
    const auto requests = applicationRequests();
    QCOMPARE(requests.size(), 3);
    QCOMPARE(requests.at(0).method, QByteArray("GET"));
    QCOMPARE(requests.at(0).path, QStringLiteral("/v2/call_control_applications"));
    QCOMPARE(requests.at(1).method, QByteArray("GET"));
    QCOMPARE(requests.at(2).method, QByteArray("PATCH"));
}

void TstWebhookSetup::findsTheApplicationOfTheNumbers()
{
    // An account with two applications, the numbers on the second: a small fake of those three
    // endpoints.
    QList<kt::ReceivedRequest> seen;
    QJsonObject patched;
    kt::LoopbackHttpServer fake([&](const QHttpServerRequest &request) {
        const QStringList segments = kt::LoopbackHttpServer::pathSegments(request);
        kt::ReceivedRequest r;
        r.method = request.method() == QHttpServerRequest::Method::Get ? "GET" : "PATCH";
        r.path = segments.join(QLatin1Char('/'));
        seen.append(r);
        auto json = [](const QJsonObject &o) {
            return kt::HttpReply{200, QJsonDocument(o).toJson(QJsonDocument::Compact), {}};
        };
        const QJsonObject meta{{QStringLiteral("page_number"), 1},
                               {QStringLiteral("total_pages"), 1}};
        if (r.path == QLatin1String("v2/call_control_applications"))
            return std::optional(
                json({{QStringLiteral("data"),
                       QJsonArray{app(QStringLiteral("111"), QStringLiteral("old")),
                                  app(QStringLiteral("222"), QStringLiteral("kt"))}},
                      {QStringLiteral("meta"), meta}}));
        if (r.path == QLatin1String("v2/phone_numbers"))
            return std::optional(
                json({{QStringLiteral("data"),
                       QJsonArray{number("+17702300635", "222"), number("+17702300636", "")}},
                      {QStringLiteral("meta"), meta}}));
        if (r.path == QLatin1String("v2/call_control_applications/222")) {
            QJsonObject record = app(QStringLiteral("222"), QStringLiteral("kt"));
            if (r.method == "PATCH") {
                patched = QJsonDocument::fromJson(request.body()).object();
                record.insert(QStringLiteral("webhook_event_url"),
                              patched.value(QStringLiteral("webhook_event_url")));
                record.insert(QStringLiteral("webhook_api_version"), QStringLiteral("2"));
            }
            return std::optional(json({{QStringLiteral("data"), record}}));
        }
        return std::optional(kt::HttpReply{404, "{}", {}});
    });
    QVERIFY(fake.start());
    WebhookSetup setup;
    setup.setBaseUrl(QUrl(QStringLiteral("http://127.0.0.1:%1/v2").arg(fake.port())));
    setup.setApiKey(QStringLiteral("KEYfake"));
    const WebhookSetupResult r = run(setup, QStringLiteral("https://example.com"));
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.applicationId, QStringLiteral("222"));
    QCOMPARE(r.applicationName, QStringLiteral("kt"));
    QStringList calls;
    for (const auto &s : seen)
        calls << QString::fromLatin1(s.method) + QLatin1Char(' ') + s.path;
    QCOMPARE(calls, (QStringList{QStringLiteral("GET v2/call_control_applications"),
                                 QStringLiteral("GET v2/phone_numbers"),
                                 QStringLiteral("GET v2/call_control_applications/222"),
                                 QStringLiteral("PATCH v2/call_control_applications/222")}));
    QCOMPARE(patched.value(QStringLiteral("application_name")).toString(), QStringLiteral("kt"));
    QCOMPARE(patched.value(QStringLiteral("webhook_api_version")).toString(), QStringLiteral("2"));
}

void TstWebhookSetup::ambiguousApplicationsAreAnError()
{
    kt::LoopbackHttpServer fake([](const QHttpServerRequest &request) {
        const QString path = kt::LoopbackHttpServer::pathSegments(request).join(QLatin1Char('/'));
        QJsonArray data;
        if (path == QLatin1String("v2/call_control_applications"))
            data = {app(QStringLiteral("111"), QStringLiteral("a")),
                    app(QStringLiteral("222"), QStringLiteral("b"))};
        else if (path == QLatin1String("v2/phone_numbers"))
            data = {number("+17702300635", "111"), number("+17702300636", "222")};
        else
            return std::optional(kt::HttpReply{500, "{}", {}}); // never asked
        return std::optional(kt::HttpReply{
            200,
            QJsonDocument(QJsonObject{{QStringLiteral("data"), data},
                                      {QStringLiteral("meta"),
                                       QJsonObject{{QStringLiteral("total_pages"), 1}}}})
                .toJson(),
            {}});
    });
    QVERIFY(fake.start());
    WebhookSetup setup;
    setup.setBaseUrl(QUrl(QStringLiteral("http://127.0.0.1:%1/v2").arg(fake.port())));
    setup.setApiKey(QStringLiteral("KEYfake"));
    const WebhookSetupResult r = run(setup, QStringLiteral("https://example.com"));
    QVERIFY(!r.ok);
    QVERIFY2(r.error.contains(QLatin1String("111 (a), 222 (b)")) &&
                 r.error.contains(QLatin1String("application-id")),
             qPrintable(r.error));
    QVERIFY(r.applicationId.isEmpty());
}

void TstWebhookSetup::unknownApplicationIs404()
{
    WebhookSetup setup;
    setup.setBaseUrl(m_telnyx->baseUrl());
    setup.setApiKey(m_telnyx->apiKey());
    setup.setApplicationId(QStringLiteral("999"));
    const WebhookSetupResult r = run(setup, QStringLiteral("https://example.com"));
    QVERIFY(!r.ok);
    QCOMPARE(r.httpStatus, 404);
    QCOMPARE(r.errorCode, QStringLiteral("10005"));
    QCOMPARE(r.errorTitle, QStringLiteral("Resource not found"));
    QCOMPARE(r.error, QStringLiteral("cannot read application 999: 404 10005 Resource not found"));
    // Nothing was changed.
    QCOMPARE(applicationRequests().size(), 1);
    QVERIFY(m_telnyx->webhookUrl().isEmpty());
}

void TstWebhookSetup::wrongKeyIs401WithoutTheKey()
{
    const QString key = QStringLiteral("KEYwrong_0123456789secret");
    for (const QString &id : {QString(), m_telnyx->applicationId()}) {
        WebhookSetup setup;
        setup.setBaseUrl(m_telnyx->baseUrl());
        setup.setApiKey(key);
        setup.setApplicationId(id);
        const WebhookSetupResult r = run(setup, QStringLiteral("https://example.com"));
        QVERIFY(!r.ok);
        QCOMPARE(r.httpStatus, 401);
        QCOMPARE(r.errorCode, QStringLiteral("10009"));
        QVERIFY2(r.error.contains(QLatin1String("401 10009 Authentication failed")),
                 qPrintable(r.error));
        QVERIFY(r.error.contains(QLatin1String("API key")));
        QVERIFY(!r.error.contains(key));
        QVERIFY(!r.error.contains(QLatin1String("0123456789secret")));
    }
    QVERIFY(m_telnyx->webhookUrl().isEmpty());
}

void TstWebhookSetup::refusesBadInputWithoutARequest()
{
    WebhookSetup setup;
    setup.setBaseUrl(m_telnyx->baseUrl());
    QSignalSpy finished(&setup, &WebhookSetup::finished);
    QString error;
    setup.setApiKey(m_telnyx->apiKey());
    QVERIFY(!setup.start(QStringLiteral("http://example.com"), &error));
    QVERIFY2(error.contains(QLatin1String("https")), qPrintable(error));
    setup.setApiKey(QString());
    QVERIFY(!setup.start(QStringLiteral("https://example.com"), &error));
    QVERIFY2(error.contains(QLatin1String("TELNYX_API_KEY")), qPrintable(error));
    QVERIFY(!setup.isRunning());
    QCOMPARE(finished.size(), 0);
    QVERIFY(m_telnyx->requests().isEmpty());
}

void TstWebhookSetup::cancelStopsTheRun()
{
    m_telnyx->timeoutNext(10); // Telnyx never answers
    WebhookSetup setup;
    setup.setBaseUrl(m_telnyx->baseUrl());
    setup.setApiKey(m_telnyx->apiKey());
    setup.setApplicationId(m_telnyx->applicationId());
    QSignalSpy finished(&setup, &WebhookSetup::finished);
    QVERIFY(setup.start(QStringLiteral("https://example.com")));
    QString error;
    QVERIFY(!setup.start(QStringLiteral("https://example.com"), &error)); // one at a time
    QVERIFY(error.contains(QLatin1String("under way")));
    QTRY_VERIFY(!m_telnyx->requests().isEmpty());
    setup.cancel();
    QCOMPARE(finished.size(), 1);
    const auto r = finished.at(0).at(0).value<WebhookSetupResult>();
    QVERIFY(!r.ok);
    QCOMPARE(r.error, QStringLiteral("cancelled"));
    QVERIFY(!setup.isRunning());
}

QTEST_GUILESS_MAIN(TstWebhookSetup)
#include "tst_webhooksetup.moc"
