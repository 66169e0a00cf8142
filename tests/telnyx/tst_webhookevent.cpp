// SPDX-License-Identifier: GPL-3.0-or-later
// Webhook envelopes and payloads (docs/telnyx-api.md §1): every spec fixture parses, every field is
// optional.
#include "telnyx/telnyxtime.h"
#include "telnyx/webhookevent.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QtTest>

using kt::WebhookEvent;

class TstWebhookEvent : public QObject
{
    Q_OBJECT
private slots:
    void specFixturesParse_data();
    void specFixturesParse();
    void callInitiatedFields();
    void hangupFields();
    void clientStateForms_data();
    void clientStateForms();
    void nullsAndWrongTypesAreEmpty();
    void rejectsNonEvents_data();
    void rejectsNonEvents();
    void occurredAtPrecision_data();
    void occurredAtPrecision();
    void formatsLikeTelnyx();
};

static QByteArray fixture(const QString &name)
{
    QFile f(QStringLiteral(KEVANTEL_FIXTURES_DIR "/") + name);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", qPrintable(name));
    return f.readAll();
}

void TstWebhookEvent::specFixturesParse_data()
{
    QTest::addColumn<QString>("file");
    const QStringList files = QDir(QStringLiteral(KEVANTEL_FIXTURES_DIR))
                                  .entryList({QStringLiteral("spec_call_*.json")}, QDir::Files);
    QVERIFY(files.size() >= 12);
    for (const QString &f : files) {
        if (f == QLatin1String("spec_call_commands_summary.json") ||
            f == QLatin1String("spec_call_control_application_response.json"))
            continue; // API documents, not webhooks
        QTest::newRow(qPrintable(f)) << f;
    }
}

void TstWebhookEvent::specFixturesParse()
{
    QFETCH(QString, file);
    QString error;
    const auto event = WebhookEvent::parse(fixture(file), &error);
    QVERIFY2(event, qPrintable(error));
    QVERIFY(event->eventType.startsWith(QLatin1String("call.")));
    QVERIFY(!event->id.isEmpty());
    QVERIFY(event->occurredAt.isValid());
    QCOMPARE(event->recordType, QStringLiteral("event"));
    // The event name in the file name matches the parsed type.
    QString expected = file.mid(5).chopped(5); // call_speak_ended
    QCOMPARE(event->eventType, expected.replace(QLatin1Char('_'), QLatin1Char('.')));
}

void TstWebhookEvent::callInitiatedFields()
{
    const auto e = WebhookEvent::parse(fixture(QStringLiteral("spec_call_initiated.json")));
    QVERIFY(e);
    QCOMPARE(e->payload.direction, QStringLiteral("incoming"));
    QCOMPARE(e->payload.state, QStringLiteral("parked"));
    QCOMPARE(e->payload.from, QStringLiteral("+35319605860"));
    QVERIFY(e->payload.callControlId.startsWith(QLatin1String("v3:")));
    QCOMPARE(e->payload.decodedClientState(), QByteArray("have a nice day =]"));
    QVERIFY(!e->payload.shakenStirValidated.has_value());
    QCOMPARE(e->attempt, 0); // spec examples have no meta
}

void TstWebhookEvent::hangupFields()
{
    const auto e = WebhookEvent::parse(fixture(QStringLiteral("spec_call_hangup.json")));
    QVERIFY(e);
    QCOMPARE(e->payload.hangupCause, QStringLiteral("call_rejected"));
    QCOMPARE(e->payload.hangupSource, QStringLiteral("caller"));
    QCOMPARE(e->payload.sipHangupCause, QStringLiteral("603"));
}

void TstWebhookEvent::clientStateForms_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<QByteArray>("decoded");
    QTest::newRow("null") << QByteArray("null") << QByteArray();
    QTest::newRow("empty") << QByteArray("\"\"") << QByteArray();
    QTest::newRow("base64") << QByteArray("\"aGVsbG8=\"") << QByteArray("hello");
    QTest::newRow("garbage") << QByteArray("\"%%%\"") << QByteArray();
}

void TstWebhookEvent::clientStateForms()
{
    QFETCH(QByteArray, value);
    QFETCH(QByteArray, decoded);
    const QByteArray body =
        R"({"data":{"event_type":"call.answered","id":"a","payload":{"client_state":)" + value +
        R"(}},"meta":{"attempt":2,"delivered_to":"https://x/y"}})";
    const auto e = WebhookEvent::parse(body);
    QVERIFY(e);
    QCOMPARE(e->payload.decodedClientState(), decoded);
    QCOMPARE(e->attempt, 2);
    QCOMPARE(e->deliveredTo, QStringLiteral("https://x/y"));
}

void TstWebhookEvent::nullsAndWrongTypesAreEmpty()
{
    const QByteArray body =
        R"({"data":{"event_type":"call.initiated","id":"b","occurred_at":null,"payload":{"from":null,)"
        R"("to":12,"tags":["a",3,null],"shaken_stir_validated":false,"unknown_key":{"x":1}},)"
        R"("record_type":null,"extra":[1,2]},"meta":null})";
    const auto e = WebhookEvent::parse(body);
    QVERIFY(e);
    QVERIFY(!e->occurredAt.isValid());
    QVERIFY(e->payload.from.isEmpty());
    QVERIFY(e->payload.to.isEmpty());
    QCOMPARE(e->payload.tags, QStringList{QStringLiteral("a")});
    QCOMPARE(e->payload.shakenStirValidated, std::optional<bool>(false));
    QVERIFY(e->payloadJson.contains(QLatin1String("unknown_key")));

    // No payload at all is still an event.
    QVERIFY(WebhookEvent::parse(R"({"data":{"event_type":"call.x","id":"c","payload":null}})"));
}

void TstWebhookEvent::rejectsNonEvents_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("not json") << QByteArray("hello");
    QTest::newRow("array") << QByteArray("[1,2]");
    QTest::newRow("no data") << QByteArray(R"({"event_type":"call_initiated"})");
    QTest::newRow("data not object") << QByteArray(R"({"data":"x"})");
    QTest::newRow("no id") << QByteArray(R"({"data":{"event_type":"call.initiated"}})");
    QTest::newRow("no type") << QByteArray(R"({"data":{"id":"x"}})");
    QTest::newRow("id not string") << QByteArray(R"({"data":{"event_type":"call.x","id":5}})");
    QTest::newRow("empty id") << QByteArray(R"({"data":{"event_type":"call.x","id":""}})");
    QTest::newRow("truncated") << QByteArray(R"({"data":{"event_type":"call.x","id":"x")");
}

void TstWebhookEvent::rejectsNonEvents()
{
    QFETCH(QByteArray, body);
    QString error;
    QVERIFY(!WebhookEvent::parse(body, &error));
    QVERIFY(!error.isEmpty());
}

void TstWebhookEvent::occurredAtPrecision_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<int>("micros");
    QTest::newRow("0 digits") << "2025-11-23T03:30:00Z" << true << 0;
    QTest::newRow("1 digit") << "2025-11-23T03:30:00.5Z" << true << 500000;
    QTest::newRow("3 digits") << "2025-11-23T03:30:00.521Z" << true << 521000;
    QTest::newRow("6 digits") << "2025-11-23T03:30:00.076316Z" << true << 76316;
    QTest::newRow("offset") << "2025-11-23T05:30:00.1+02:00" << true << 100000;
    QTest::newRow("7 digits") << "2025-11-23T03:30:00.0763161Z" << false << 0;
    QTest::newRow("no zone") << "2025-11-23T03:30:00" << false << 0;
    QTest::newRow("bad date") << "2025-02-30T03:30:00Z" << false << 0;
}

void TstWebhookEvent::occurredAtPrecision()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(int, micros);
    int us = -1;
    const QDateTime t = kt::parseTelnyxTime(text, &us);
    QCOMPARE(t.isValid(), valid);
    if (valid) {
        QCOMPARE(us, micros);
        QCOMPARE(t.toUTC().time().hour(), 3);
        QCOMPARE(t.timeSpec(), Qt::UTC);
    }
}

void TstWebhookEvent::formatsLikeTelnyx()
{
    int us = 0;
    const QDateTime t = kt::parseTelnyxTime(QStringLiteral("2025-11-23T03:30:00.076316Z"), &us);
    QCOMPARE(kt::formatTelnyxTime(t, us), QStringLiteral("2025-11-23T03:30:00.076316Z"));
    QCOMPARE(kt::formatTelnyxTime(t), QStringLiteral("2025-11-23T03:30:00.076000Z"));
}

QTEST_GUILESS_MAIN(TstWebhookEvent)
#include "tst_webhookevent.moc"
