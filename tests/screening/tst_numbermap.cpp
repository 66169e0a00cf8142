// SPDX-License-Identifier: GPL-3.0-or-later
#include "screening/numbermap.h"
#include "screening/phonenumber.h"

#include <QtTest>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

using kt::Keypad;
using kt::NumberEntry;
using kt::NumberMap;
using kt::PhoneNumber;

namespace {

const QString shippedPath =
    QStringLiteral(KEVANTEL_SOURCE_DIR "/resources/numbers/kevan.tel.x.json");

QByteArray mapJson(const QJsonArray &numbers)
{
    QJsonObject root;
    root.insert(QStringLiteral("namespace"), QStringLiteral("test.x"));
    root.insert(QStringLiteral("numbers"), numbers);
    return QJsonDocument(root).toJson();
}

QJsonObject entry(const QString &raw, const QString &label = {})
{
    QJsonObject o{{QStringLiteral("raw"), raw}};
    if (!label.isEmpty())
        o.insert(QStringLiteral("label"), label);
    return o;
}

NumberMap shipped()
{
    QString error;
    auto map = NumberMap::fromFile(shippedPath, &error);
    if (!map)
        qFatal("%s", qPrintable(error));
    return *map;
}

} // namespace

class TestNumberMap : public QObject
{
    Q_OBJECT

private slots:
    void shippedMap();
    void shippedLabels();
    void defaultResource();
    void refused_data();
    void refused();
    void invalidNumberNamesEntry();
    void duplicateRefused();
    void namespaceDefaultsToMap();
    void e164OnlyEntry();
    void roundTrip();
    void roundTripShipped();
    void find();
    void editing();
    void mergeSyncKeepsOwnerFields();
    void mergeSyncIsIdempotent();
};

void TestNumberMap::shippedMap()
{
    const NumberMap map = shipped();
    QCOMPARE(map.nameSpace(), QStringLiteral("kevan.tel.x"));
    QCOMPARE(map.size(), 26);
    QVERIFY(!map.note().isEmpty());

    QSet<QString> seen;
    for (const NumberEntry &e : map.entries()) {
        const auto reparsed = PhoneNumber::parse(e.e164);
        QVERIFY2(reparsed.ok, qPrintable(reparsed.error));
        QCOMPARE(reparsed.e164, e.e164);
        QCOMPARE(PhoneNumber::parse(e.raw).e164, e.e164);
        QVERIFY(e.e164.startsWith(QStringLiteral("+1")));
        QCOMPARE(e.e164.size(), 12);
        QCOMPARE(e.nameSpace, QStringLiteral("kevan.tel.x"));
        QVERIFY(e.policy.isEmpty());
        seen.insert(e.e164);
    }
    QCOMPARE(seen.size(), 26);
    QCOMPARE(map.entries().first().e164, QStringLiteral("+17702300635"));
    QCOMPARE(map.entries().first().raw, QStringLiteral("+1-770-230-0635"));
    QCOMPARE(map.entries().last().e164, QStringLiteral("+13214858333"));
}

void TestNumberMap::shippedLabels()
{
    const NumberMap map = shipped();
    const NumberEntry *primary = map.find(QStringLiteral("+17702300635"));
    QVERIFY(primary);
    QCOMPARE(primary->label, QStringLiteral("primary"));
    QCOMPARE(primary->labelCheck, Keypad::Result::NotVanity);

    const NumberEntry *jext = map.find(QStringLiteral("+18886115384"));
    QVERIFY(jext);
    QCOMPARE(jext->label, QStringLiteral("611-JEXT"));
    QCOMPARE(jext->labelCheck, Keypad::Result::DoesNotSpell);

    QCOMPARE(map.find(QStringLiteral("+18884748738"))->labelCheck, Keypad::Result::DoesNotSpell);
    QCOMPARE(map.find(QStringLiteral("+18886762825"))->labelCheck, Keypad::Result::DoesNotSpell);

    int labelled = 0;
    for (const NumberEntry &e : map.entries()) {
        if (!e.label.isEmpty())
            ++labelled;
        else
            QCOMPARE(e.labelCheck, Keypad::Result::NotVanity);
    }
    QCOMPARE(labelled, 4);
}

void TestNumberMap::defaultResource()
{
    QVERIFY(QFile::exists(QString::fromLatin1(NumberMap::DefaultResource)));
    QString error;
    const NumberMap map = NumberMap::defaultMap(&error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(map.size(), 26);
    QCOMPARE(map.nameSpace(), QStringLiteral("kevan.tel.x"));
    QVERIFY(map == shipped());
}

void TestNumberMap::refused_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("message");
    QTest::newRow("not json") << QByteArray("{\"numbers\": [") << "not valid JSON";
    QTest::newRow("array") << QByteArray("[]") << "must be a JSON object";
    QTest::newRow("no numbers") << QByteArray("{\"namespace\":\"a.x\"}")
                                << "\"numbers\" must be an array";
    QTest::newRow("namespace not string")
        << QByteArray("{\"namespace\":1,\"numbers\":[]}") << "\"namespace\" must be a string";
    QTest::newRow("entry not object")
        << mapJson({QStringLiteral("+17702300635")}) << "numbers[0]: must be an object";
    QTest::newRow("no number") << mapJson(
                                      {QJsonObject{{QStringLiteral("label"), QStringLiteral("x")}}})
                               << "numbers[0]: no number";
    QTest::newRow("label not string")
        << mapJson({QJsonObject{{QStringLiteral("raw"), QStringLiteral("+17702300635")},
                                {QStringLiteral("label"), 5}}})
        << "numbers[0]: \"label\" must be a string";
    QTest::newRow("tags not strings")
        << mapJson({QJsonObject{{QStringLiteral("raw"), QStringLiteral("+17702300635")},
                                {QStringLiteral("tags"), QJsonArray{1}}}})
        << "\"tags\" must be an array of strings";
    QTest::newRow("unknown policy")
        << mapJson({QJsonObject{{QStringLiteral("raw"), QStringLiteral("+17702300635")},
                                {QStringLiteral("policy"), QStringLiteral("maybe")}}})
        << "unknown policy \"maybe\"";
    QTest::newRow("raw and e164 disagree")
        << mapJson({QJsonObject{{QStringLiteral("raw"), QStringLiteral("+1-770-230-0635")},
                                {QStringLiteral("e164"), QStringLiteral("+18886115384")}}})
        << "but \"e164\" says \"+18886115384\"";
}

void TestNumberMap::refused()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, message);
    QString error;
    QVERIFY(!NumberMap::fromJson(json, &error));
    QVERIFY2(error.contains(message), qPrintable(error));
}

void TestNumberMap::invalidNumberNamesEntry()
{
    QString error;
    const QByteArray json =
        mapJson({entry(QStringLiteral("+1-770-230-0635")), entry(QStringLiteral("+1-770-123-4567")),
                 entry(QStringLiteral("hello"))});
    QVERIFY(!NumberMap::fromJson(json, &error));
    QVERIFY2(error.startsWith(QStringLiteral("numbers[1] (\"+1-770-123-4567\"): ")),
             qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("is not a valid phone number")), qPrintable(error));

    QVERIFY(!NumberMap::fromJson(mapJson({entry(QStringLiteral("hello"))}), &error));
    QCOMPARE(error, QStringLiteral("numbers[0] (\"hello\"): \"hello\" is not a phone number"));

    // fromFile names the file.
    QVERIFY(!NumberMap::fromFile(QStringLiteral("/nonexistent/map.json"), &error));
    QVERIFY2(error.contains(QStringLiteral("/nonexistent/map.json")), qPrintable(error));
}

void TestNumberMap::duplicateRefused()
{
    QString error;
    const QByteArray json =
        mapJson({entry(QStringLiteral("+1-770-230-0635")), entry(QStringLiteral("+1-888-611-5384")),
                 entry(QStringLiteral("(770) 230-0635"))});
    QVERIFY(!NumberMap::fromJson(json, &error));
    QCOMPARE(error, QStringLiteral("numbers[2] (\"(770) 230-0635\"): +17702300635 is already in "
                                   "the map as numbers[0]"));
}

void TestNumberMap::namespaceDefaultsToMap()
{
    QJsonObject other = entry(QStringLiteral("+1-888-611-5384"));
    other.insert(QStringLiteral("namespace"), QStringLiteral("other.x"));
    const auto map = NumberMap::fromJson(mapJson({entry(QStringLiteral("7702300635")), other}));
    QVERIFY(map);
    QCOMPARE(map->entries().at(0).nameSpace, QStringLiteral("test.x"));
    QCOMPARE(map->entries().at(0).raw, QStringLiteral("7702300635"));
    QCOMPARE(map->entries().at(1).nameSpace, QStringLiteral("other.x"));
}

void TestNumberMap::e164OnlyEntry()
{
    const auto map = NumberMap::fromJson(
        mapJson({QJsonObject{{QStringLiteral("e164"), QStringLiteral("+17702300635")}}}));
    QVERIFY(map);
    QCOMPARE(map->entries().at(0).e164, QStringLiteral("+17702300635"));
    QCOMPARE(map->entries().at(0).raw, QStringLiteral("+17702300635"));
}

void TestNumberMap::roundTrip()
{
    NumberMap map(QStringLiteral("kevan.tel.x"));
    map.setNote(QStringLiteral("a note"));
    NumberEntry a;
    a.raw = QStringLiteral("(770) 230-0635");
    a.label = QStringLiteral("primary");
    a.policy = QStringLiteral("ask");
    a.telnyxId = QStringLiteral("1293384261075731499");
    a.connectionId = QStringLiteral("1494404757140276705");
    a.tags = QStringList{QStringLiteral("home"), QStringLiteral("main")};
    QString error;
    QVERIFY2(map.add(a, &error), qPrintable(error));
    NumberEntry b;
    b.e164 = QStringLiteral("+18886115398");
    b.label = QStringLiteral("611-JEXT");
    b.nameSpace = QStringLiteral("other.x");
    b.policy = QStringLiteral("reject_with_message");
    QVERIFY2(map.add(b, &error), qPrintable(error));
    QCOMPARE(map.find(QStringLiteral("+18886115398"))->labelCheck, Keypad::Result::Spells);

    const QByteArray json = map.toJson();
    const QJsonObject first = QJsonDocument::fromJson(json)
                                  .object()
                                  .value(QStringLiteral("numbers"))
                                  .toArray()
                                  .at(0)
                                  .toObject();
    QCOMPARE(first.value(QStringLiteral("e164")).toString(), QStringLiteral("+17702300635"));
    QCOMPARE(first.value(QStringLiteral("raw")).toString(), QStringLiteral("(770) 230-0635"));
    QCOMPARE(first.value(QStringLiteral("policy")).toString(), QStringLiteral("ask"));
    QCOMPARE(first.value(QStringLiteral("label_check")).toString(), QStringLiteral("not_vanity"));

    const auto back = NumberMap::fromJson(json, &error);
    QVERIFY2(back, qPrintable(error));
    QVERIFY(*back == map);
    QCOMPARE(back->toJson(), json);
    QCOMPARE(back->find(QStringLiteral("+17702300635"))->tags, a.tags);
    QCOMPARE(back->find(QStringLiteral("+18886115398"))->nameSpace, QStringLiteral("other.x"));
}

void TestNumberMap::roundTripShipped()
{
    const NumberMap map = shipped();
    QString error;
    const auto back = NumberMap::fromJson(map.toJson(), &error);
    QVERIFY2(back, qPrintable(error));
    QVERIFY(*back == map);
}

void TestNumberMap::find()
{
    const NumberMap map = shipped();
    QVERIFY(map.find(QStringLiteral("+18886115384")));
    QVERIFY(map.contains(QStringLiteral("+13214858333")));
    QVERIFY(!map.find(QStringLiteral("+17702300636")));
    QVERIFY(!map.find(QStringLiteral("+1-770-230-0635"))); // E.164 only
    QVERIFY(!map.find(QString()));
}

void TestNumberMap::editing()
{
    NumberMap map = shipped();
    QString error;
    NumberEntry dup;
    dup.raw = QStringLiteral("770.230.0635");
    QVERIFY(!map.add(dup, &error));
    QVERIFY2(error.contains(QStringLiteral("already")), qPrintable(error));
    NumberEntry bad;
    bad.raw = QStringLiteral("12");
    QVERIFY(!map.add(bad, &error));
    QVERIFY2(error.contains(QStringLiteral("\"12\"")), qPrintable(error));

    QVERIFY(map.setLabel(QStringLiteral("+18886115384"), QStringLiteral("611-5384")));
    QCOMPARE(map.find(QStringLiteral("+18886115384"))->labelCheck, Keypad::Result::NotVanity);
    QVERIFY(map.setLabel(QStringLiteral("+18886115384"), QStringLiteral("JEXT-5384")));
    QCOMPARE(map.find(QStringLiteral("+18886115384"))->labelCheck, Keypad::Result::DoesNotSpell);
    QVERIFY(map.setLabel(QStringLiteral("+18886115384"), QStringLiteral("611-JE84")));
    QCOMPARE(map.find(QStringLiteral("+18886115384"))->labelCheck, Keypad::Result::Spells);
    QVERIFY(!map.setLabel(QStringLiteral("+17702300636"), QStringLiteral("x")));

    QVERIFY(map.setPolicy(QStringLiteral("+17702300635"), QStringLiteral("accept_all")));
    QCOMPARE(map.find(QStringLiteral("+17702300635"))->policy, QStringLiteral("accept_all"));
    QVERIFY(!map.setPolicy(QStringLiteral("+17702300635"), QStringLiteral("sometimes"), &error));
    QVERIFY2(error.contains(QStringLiteral("unknown policy")), qPrintable(error));
    QCOMPARE(map.find(QStringLiteral("+17702300635"))->policy, QStringLiteral("accept_all"));
    QVERIFY(map.setPolicy(QStringLiteral("+17702300635"), QString()));
    QVERIFY(map.find(QStringLiteral("+17702300635"))->policy.isEmpty());

    QVERIFY(map.remove(QStringLiteral("+18886115384")));
    QVERIFY(!map.remove(QStringLiteral("+18886115384")));
    QCOMPARE(map.size(), 25);
    QVERIFY(!map.find(QStringLiteral("+18886115384")));
    // Entries after the removed one are still found (the index was rebuilt).
    const NumberEntry *last = map.find(QStringLiteral("+13214858333"));
    QVERIFY(last);
    QCOMPARE(last->e164, QStringLiteral("+13214858333"));
    QCOMPARE(map.find(QStringLiteral("+18884748738"))->label, QStringLiteral("474-TREE"));
}

void TestNumberMap::mergeSyncKeepsOwnerFields()
{
    NumberMap map = shipped();
    QVERIFY(map.setPolicy(QStringLiteral("+17702300635"), QStringLiteral("ask")));

    QList<NumberEntry> fromTelnyx;
    NumberEntry jext; // an owner label: kept; Telnyx fields: taken
    jext.e164 = QStringLiteral("+18886115384");
    jext.label = QStringLiteral("SOMETHING-ELSE");
    jext.telnyxId = QStringLiteral("111");
    jext.connectionId = QStringLiteral("222");
    jext.tags = {QStringLiteral("tollfree")};
    fromTelnyx << jext;
    NumberEntry primary; // owner policy kept against an incoming one
    primary.e164 = QStringLiteral("+17702300635");
    primary.policy = QStringLiteral("reject");
    fromTelnyx << primary;
    NumberEntry unlabelled; // an empty label is filled
    unlabelled.e164 = QStringLiteral("+18775709775");
    unlabelled.label = QStringLiteral("Support");
    fromTelnyx << unlabelled;
    NumberEntry same; // nothing new
    same.e164 = QStringLiteral("+13214858333");
    fromTelnyx << same;
    NumberEntry added; // new, written without +
    added.e164 = QStringLiteral("17702300636");
    added.telnyxId = QStringLiteral("333");
    fromTelnyx << added;
    NumberEntry invalid;
    invalid.e164 = QStringLiteral("12");
    fromTelnyx << invalid;

    const NumberMap::MergeResult r = map.mergeSync(fromTelnyx);
    QCOMPARE(r.added, 1);
    QCOMPARE(r.updated, 2);
    QCOMPARE(r.unchanged, 2);
    QCOMPARE(r.invalid, 1);
    QCOMPARE(map.size(), 27); // numbers missing from Telnyx are kept

    const NumberEntry *j = map.find(QStringLiteral("+18886115384"));
    QCOMPARE(j->label, QStringLiteral("611-JEXT"));
    QCOMPARE(j->labelCheck, Keypad::Result::DoesNotSpell);
    QCOMPARE(j->raw, QStringLiteral("+1-888-611-5384"));
    QCOMPARE(j->telnyxId, QStringLiteral("111"));
    QCOMPARE(j->connectionId, QStringLiteral("222"));
    QCOMPARE(j->tags, QStringList{QStringLiteral("tollfree")});

    QCOMPARE(map.find(QStringLiteral("+17702300635"))->policy, QStringLiteral("ask"));
    QCOMPARE(map.find(QStringLiteral("+17702300635"))->label, QStringLiteral("primary"));
    QCOMPARE(map.find(QStringLiteral("+18775709775"))->label, QStringLiteral("Support"));

    const NumberEntry *n = map.find(QStringLiteral("+17702300636"));
    QVERIFY(n);
    QCOMPARE(n->nameSpace, QStringLiteral("kevan.tel.x"));
    QCOMPARE(n->raw, QStringLiteral("+17702300636"));
    QCOMPARE(n->telnyxId, QStringLiteral("333"));
    QCOMPARE(map.entries().last().e164, QStringLiteral("+17702300636"));
}

void TestNumberMap::mergeSyncIsIdempotent()
{
    NumberMap map = shipped();
    QList<NumberEntry> fromTelnyx;
    for (const NumberEntry &e : map.entries()) {
        NumberEntry t;
        t.e164 = e.e164;
        t.telnyxId = QStringLiteral("id") + e.e164;
        fromTelnyx << t;
    }
    auto r = map.mergeSync(fromTelnyx);
    QCOMPARE(r.updated, 26);
    QCOMPARE(r.added + r.unchanged + r.invalid, 0);
    const NumberMap after = map;
    r = map.mergeSync(fromTelnyx);
    QCOMPARE(r.unchanged, 26);
    QCOMPARE(r.added + r.updated + r.invalid, 0);
    QVERIFY(map == after);
}

QTEST_GUILESS_MAIN(TestNumberMap)
#include "tst_numbermap.moc"
