// SPDX-License-Identifier: GPL-3.0-or-later
#include "screening/rule.h"

#include <QtTest>

using kt::Rule;
using kt::RuleSet;

namespace {

const QDateTime Now = QDateTime(QDate(2026, 3, 1), QTime(12, 0), Qt::UTC);

Rule makeRule(qint64 id, Rule::Kind kind, const QString &pattern)
{
    Rule r;
    r.id = id;
    r.kind = kind;
    r.pattern = pattern;
    r.createdAt = Now.addDays(-1);
    return r;
}

} // namespace

class TestRule : public QObject
{
    Q_OBJECT

private slots:
    void validPattern_data();
    void validPattern();
    void matches_data();
    void matches();
    void activity();
    void mostSpecificFirst();
    void tieGoesToOlderRule();
    void ignoresInactiveRules();
    void kindsAreSeparate();
    void markUsedConsumesOnce();
    void addReplacesSameId();
    void jsonRoundTrip();
    void jsonErrors_data();
    void jsonErrors();
};

void TestRule::validPattern_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<bool>("valid");
    QTest::newRow("e164") << "+17702300635" << true;
    QTest::newRow("prefix") << "+1888*" << true;
    QTest::newRow("one digit prefix") << "+1*" << true;
    QTest::newRow("bare star") << "*" << false;
    QTest::newRow("plus star") << "+*" << false;
    QTest::newRow("no plus") << "17702300635" << false;
    QTest::newRow("leading zero") << "+07702300635" << false;
    QTest::newRow("letters") << "+1770JEXT" << false;
    QTest::newRow("star inside") << "+17*02" << false;
    QTest::newRow("too long") << "+1234567890123456" << false;
    QTest::newRow("empty") << "" << false;
}

void TestRule::validPattern()
{
    QFETCH(QString, pattern);
    QFETCH(bool, valid);
    QCOMPARE(Rule::isValidPattern(pattern), valid);
}

void TestRule::matches_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("number");
    QTest::addColumn<bool>("match");
    QTest::newRow("exact") << "+17702300635"
                           << "+17702300635" << true;
    QTest::newRow("exact other") << "+17702300635"
                                 << "+17702300636" << false;
    QTest::newRow("exact is not prefix") << "+1770230063"
                                         << "+17702300635" << false;
    QTest::newRow("prefix") << "+1888*"
                            << "+18886115384" << true;
    QTest::newRow("prefix other") << "+1888*"
                                  << "+18776115384" << false;
    QTest::newRow("prefix itself") << "+1888*"
                                   << "+1888" << true;
    QTest::newRow("anonymous") << "+1*"
                               << "" << false;
    QTest::newRow("catch-all refused") << "*"
                                       << "+18886115384" << false;
    QTest::newRow("plus star refused") << "+*"
                                       << "+18886115384" << false;
}

void TestRule::matches()
{
    QFETCH(QString, pattern);
    QFETCH(QString, number);
    QFETCH(bool, match);
    QCOMPARE(makeRule(1, Rule::Block, pattern).matches(number), match);
}

void TestRule::activity()
{
    Rule r = makeRule(1, Rule::Allow, QStringLiteral("+17702300635"));
    QVERIFY(r.isActive(Now));
    r.until = Now.addSecs(60);
    QVERIFY(r.isActive(Now));
    r.until = Now;
    QVERIFY2(!r.isActive(Now), "until is exclusive");
    r.until = Now.addSecs(-1);
    QVERIFY(r.isExpired(Now));
    QVERIFY(!r.isActive(Now));

    Rule s = makeRule(2, Rule::Allow, QStringLiteral("+17702300635"));
    s.singleUse = true;
    QVERIFY(s.isActive(Now));
    s.usedAt = Now.addSecs(-5);
    QVERIFY(s.isConsumed());
    QVERIFY(!s.isActive(Now));
    // usedAt on a rule that is not single-use does not consume it.
    s.singleUse = false;
    QVERIFY(s.isActive(Now));
}

void TestRule::mostSpecificFirst()
{
    RuleSet set({makeRule(1, Rule::Block, QStringLiteral("+1*")),
                 makeRule(2, Rule::Block, QStringLiteral("+1770*")),
                 makeRule(3, Rule::Block, QStringLiteral("+17702300635")),
                 makeRule(4, Rule::Block, QStringLiteral("+177023*"))});
    QCOMPARE(set.match(Rule::Block, QStringLiteral("+17702300635"), Now)->id, 3);
    QCOMPARE(set.match(Rule::Block, QStringLiteral("+17702300699"), Now)->id, 4);
    QCOMPARE(set.match(Rule::Block, QStringLiteral("+17709999999"), Now)->id, 2);
    QCOMPARE(set.match(Rule::Block, QStringLiteral("+18886115384"), Now)->id, 1);
    QVERIFY(!set.match(Rule::Block, QStringLiteral("+442071234567"), Now));
    QVERIFY(!set.match(Rule::Block, QString(), Now));
}

void TestRule::tieGoesToOlderRule()
{
    RuleSet set({makeRule(7, Rule::Allow, QStringLiteral("+1888*")),
                 makeRule(5, Rule::Allow, QStringLiteral("+1888*"))});
    QCOMPARE(set.match(Rule::Allow, QStringLiteral("+18886115384"), Now)->id, 5);
}

void TestRule::ignoresInactiveRules()
{
    Rule expired = makeRule(1, Rule::Allow, QStringLiteral("+17702300635"));
    expired.until = Now.addSecs(-1);
    Rule consumed = makeRule(2, Rule::Allow, QStringLiteral("+1770230*"));
    consumed.singleUse = true;
    consumed.usedAt = Now.addSecs(-30);
    Rule fallback = makeRule(3, Rule::Allow, QStringLiteral("+1770*"));
    RuleSet set({expired, consumed, fallback});
    QCOMPARE(set.match(Rule::Allow, QStringLiteral("+17702300635"), Now)->id, 3);
    // Before the expiry the exact rule wins again.
    QCOMPARE(set.match(Rule::Allow, QStringLiteral("+17702300635"), Now.addSecs(-60))->id, 1);
    set.remove(3);
    QVERIFY(!set.match(Rule::Allow, QStringLiteral("+17702300635"), Now));
}

void TestRule::kindsAreSeparate()
{
    RuleSet set({makeRule(1, Rule::Allow, QStringLiteral("+17702300635"))});
    QVERIFY(!set.match(Rule::Block, QStringLiteral("+17702300635"), Now));
    QVERIFY(set.match(Rule::Allow, QStringLiteral("+17702300635"), Now));
}

void TestRule::markUsedConsumesOnce()
{
    Rule once = makeRule(1, Rule::Allow, QStringLiteral("+17702300635"));
    once.singleUse = true;
    RuleSet set({once, makeRule(2, Rule::Allow, QStringLiteral("+1888*"))});
    QVERIFY(set.match(Rule::Allow, QStringLiteral("+17702300635"), Now));
    QVERIFY(set.markUsed(1, Now));
    QVERIFY(!set.markUsed(1, Now.addSecs(1)));
    QCOMPARE(set.find(1)->usedAt, Now);
    QVERIFY(!set.match(Rule::Allow, QStringLiteral("+17702300635"), Now));
    QVERIFY2(!set.markUsed(2, Now), "a rule that is not single-use is never consumed");
    QVERIFY(!set.markUsed(99, Now));
}

void TestRule::addReplacesSameId()
{
    RuleSet set;
    set.add(makeRule(1, Rule::Allow, QStringLiteral("+1888*")));
    set.add(makeRule(1, Rule::Block, QStringLiteral("+1888*")));
    set.add(makeRule(2, Rule::Block, QStringLiteral("+1777*")));
    QCOMPARE(set.size(), 2);
    QCOMPARE(set.find(1)->kind, Rule::Block);
    QVERIFY(set.remove(2));
    QVERIFY(!set.remove(2));
    QCOMPARE(set.size(), 1);
}

void TestRule::jsonRoundTrip()
{
    Rule r = makeRule(42, Rule::Allow, QStringLiteral("+1888*"));
    r.note = QStringLiteral("the plumber \"Bob\"");
    r.until = Now.addDays(7).addMSecs(123);
    r.singleUse = true;
    r.usedAt = Now.addSecs(-3);
    const QJsonObject json = r.toJson();
    QCOMPARE(json.value(QLatin1String("kind")).toString(), QStringLiteral("allow"));
    QCOMPARE(json.value(QLatin1String("until")).toString(),
             QStringLiteral("2026-03-08T12:00:00.123Z"));
    const auto back = Rule::fromJson(json);
    QVERIFY(back);
    QCOMPARE(*back, r);

    Rule plain = makeRule(1, Rule::Block, QStringLiteral("+17702300635"));
    plain.createdAt = QDateTime();
    const QJsonObject plainJson = plain.toJson();
    QVERIFY(plainJson.value(QLatin1String("until")).isNull());
    QCOMPARE(*Rule::fromJson(plainJson), plain);

    RuleSet set({r, plain});
    const auto setBack = RuleSet::fromJson(set.toJson());
    QVERIFY(setBack);
    QCOMPARE(setBack->rules(), set.rules());
}

void TestRule::jsonErrors_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("no kind") << QByteArray(R"({"pattern":"+1888*"})");
    QTest::newRow("bad kind") << QByteArray(R"({"kind":"maybe","pattern":"+1888*"})");
    QTest::newRow("bad pattern") << QByteArray(R"({"kind":"block","pattern":"1888"})");
    QTest::newRow("bad until") << QByteArray(
        R"({"kind":"block","pattern":"+1888*","until":"soon"})");
    QTest::newRow("until not string")
        << QByteArray(R"({"kind":"block","pattern":"+1888*","until":5})");
    QTest::newRow("id not number") << QByteArray(R"({"kind":"block","pattern":"+1888*","id":"x"})");
}

void TestRule::jsonErrors()
{
    QFETCH(QByteArray, json);
    QString error;
    QVERIFY(!Rule::fromJson(QJsonDocument::fromJson(json).object(), &error));
    QVERIFY(!error.isEmpty());
    QJsonArray array;
    array.append(QJsonDocument::fromJson(json).object());
    QVERIFY(!RuleSet::fromJson(array, &error));
    QVERIFY(error.startsWith(QLatin1String("rules[0]: ")));
}

QTEST_GUILESS_MAIN(TestRule)
#include "tst_rule.moc"
