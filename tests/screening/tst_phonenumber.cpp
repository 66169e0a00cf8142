// SPDX-License-Identifier: GPL-3.0-or-later
#include "screening/keypad.h"
#include "screening/phonenumber.h"

#include <QtTest>

using kt::Keypad;
using kt::PhoneNumber;

Q_DECLARE_METATYPE(kt::Keypad::Result)

class TestPhoneNumber : public QObject
{
    Q_OBJECT

private slots:
    void writtenForms_data();
    void writtenForms();
    void international();
    void refused_data();
    void refused();
    void formatting();
    void caller_data();
    void caller();
    void withheldCaller_data();
    void withheldCaller();
    void patterns_data();
    void patterns();
    void badPatterns_data();
    void badPatterns();
    void matching();
    void keypadDigits();
    void vanityRule_data();
    void vanityRule();
    void spelling_data();
    void spelling();
};

void TestPhoneNumber::writtenForms_data()
{
    QTest::addColumn<QString>("input");
    QTest::newRow("dashes with +1") << "+1-770-230-0635";
    QTest::newRow("parentheses") << "(770) 230-0635";
    QTest::newRow("11 digits") << "17702300635";
    QTest::newRow("dots, padded") << " 770.230.0635 ";
    QTest::newRow("spaces") << "+1 770 230 0635";
    QTest::newRow("10 digits") << "7702300635";
    QTest::newRow("1 and parentheses") << "1 (770) 230-0635";
    QTest::newRow("tel URI") << "tel:+1-770-230-0635";
    QTest::newRow("E.164") << "+17702300635";
}

void TestPhoneNumber::writtenForms()
{
    QFETCH(QString, input);
    const auto r = PhoneNumber::parse(input);
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.e164, QStringLiteral("+17702300635"));
    QVERIFY(r.error.isEmpty());
}

void TestPhoneNumber::international()
{
    auto r = PhoneNumber::parse(QStringLiteral("+44 20 7946 0958"));
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.e164, QStringLiteral("+442079460958"));

    // The default region applies to numbers written without a country code.
    r = PhoneNumber::parse(QStringLiteral("020 7946 0958"), QStringLiteral("GB"));
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.e164, QStringLiteral("+442079460958"));
    QVERIFY(!PhoneNumber::parse(QStringLiteral("020 7946 0958")).ok); // not a US number

    QCOMPARE(PhoneNumber::parse(QStringLiteral("+353 1 960 5860")).e164,
             QStringLiteral("+35319605860"));
}

void TestPhoneNumber::refused_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("message");
    QTest::newRow("too short") << "12"
                               << "\"12\" is not a valid phone number";
    QTest::newRow("word") << "hello"
                          << "\"hello\" is not a phone number";
    QTest::newRow("empty") << ""
                           << "empty phone number";
    QTest::newRow("blank") << "   "
                           << "empty phone number";
    QTest::newRow("unknown country") << "+999 123 4567"
                                     << "unknown country code";
    // An exchange cannot start with 1. (The fictional 555-01xx numbers ARE valid in
    // libphonenumber 8.12: "(770) 555-0123" parses.)
    QTest::newRow("exchange starting with 1") << "(770) 123-4567"
                                              << "\"(770) 123-4567\" is not a valid phone number";
    QTest::newRow("area code 555") << "+1 555 123 4567"
                                   << "is not a valid phone number";
    QTest::newRow("too long") << "+1 770 230 0635 0635 0635"
                              << "is not a valid phone number";
    QTest::newRow("extension") << "+1 770 230 0635 ext. 12"
                               << "has an extension";
    QTest::newRow("no area code") << "230-0635"
                                  << "\"230-0635\" is not a valid phone number";
}

void TestPhoneNumber::refused()
{
    QFETCH(QString, input);
    QFETCH(QString, message);
    const auto r = PhoneNumber::parse(input);
    QVERIFY(!r.ok);
    QVERIFY(r.e164.isEmpty());
    QVERIFY2(r.error.contains(message), qPrintable(r.error));
    QVERIFY(!r.error.contains(u'\n'));
}

void TestPhoneNumber::formatting()
{
    QCOMPARE(PhoneNumber::formatNational(QStringLiteral("+17702300635")),
             QStringLiteral("(770) 230-0635"));
    QCOMPARE(PhoneNumber::formatInternational(QStringLiteral("+17702300635")),
             QStringLiteral("+1 770-230-0635"));
    QCOMPARE(PhoneNumber::formatInternational(QStringLiteral("+442079460958")),
             QStringLiteral("+44 20 7946 0958"));
    QCOMPARE(PhoneNumber::formatNational(QStringLiteral("+442079460958")),
             QStringLiteral("020 7946 0958"));
    // Not E.164: returned unchanged.
    QCOMPARE(PhoneNumber::formatNational(QStringLiteral("anonymous")), QStringLiteral("anonymous"));
    QCOMPARE(PhoneNumber::formatInternational(QString()), QString());

    QCOMPARE(PhoneNumber::countryCode(QStringLiteral("+442079460958")), 44);
    QCOMPARE(PhoneNumber::nationalNumber(QStringLiteral("+17702300635")),
             QStringLiteral("7702300635"));
    QCOMPARE(PhoneNumber::regionCode(QStringLiteral("+442079460958")), QStringLiteral("GB"));
    QCOMPARE(PhoneNumber::countryCode(QStringLiteral("7702300635")), 0);
}

void TestPhoneNumber::caller_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("e164");
    QTest::newRow("with plus") << "+18124040851"
                               << "+18124040851";
    QTest::newRow("without plus") << "5418556816"
                                  << "+15418556816";
    QTest::newRow("international without plus") << "35319605860"
                                                << "+35319605860";
    QTest::newRow("sip uri") << "sip:+18124040851@sip.telnyx.com"
                             << "+18124040851";
    QTest::newRow("sip uri with params") << "sip:+18124040851;user=phone@sip.telnyx.com"
                                         << "+18124040851";
}

void TestPhoneNumber::caller()
{
    QFETCH(QString, input);
    QFETCH(QString, e164);
    const auto r = PhoneNumber::parseCaller(input);
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.e164, e164);
}

void TestPhoneNumber::withheldCaller_data()
{
    QTest::addColumn<QString>("input");
    QTest::newRow("anonymous") << "anonymous";
    QTest::newRow("Restricted") << "Restricted";
    QTest::newRow("Anonymous sip") << "sip:anonymous@anonymous.invalid";
    QTest::newRow("empty") << "";
    QTest::newRow("garbage") << "not a number";
    QTest::newRow("short") << "12";
}

void TestPhoneNumber::withheldCaller()
{
    QFETCH(QString, input);
    const auto r = PhoneNumber::parseCaller(input);
    QVERIFY(!r.ok);
    QVERIFY(r.e164.isEmpty());
    QVERIFY(!r.error.isEmpty());
}

void TestPhoneNumber::patterns_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("normalised");
    QTest::newRow("prefix") << "+1888*"
                            << "+1888*";
    QTest::newRow("prefix written") << " +1 (888) *"
                                    << "+1888*";
    QTest::newRow("prefix dashes dots") << "+1-888.6*"
                                        << "+18886*";
    QTest::newRow("country") << "+44*"
                             << "+44*";
    QTest::newRow("14 digits") << "+12345678901234*"
                               << "+12345678901234*";
    QTest::newRow("full number") << "(770) 230-0635"
                                 << "+17702300635";
    QTest::newRow("full number intl") << "+1-770-230-0635"
                                      << "+17702300635";
}

void TestPhoneNumber::patterns()
{
    QFETCH(QString, input);
    QFETCH(QString, normalised);
    const auto r = PhoneNumber::parsePattern(input);
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.e164, normalised);
}

void TestPhoneNumber::badPatterns_data()
{
    QTest::addColumn<QString>("input");
    QTest::newRow("no plus") << "1888*";
    QTest::newRow("star only") << "*";
    QTest::newRow("plus star") << "+*";
    QTest::newRow("leading zero") << "+0*";
    QTest::newRow("letter") << "+1888x*";
    QTest::newRow("15 digits") << "+123456789012345*";
    QTest::newRow("two stars") << "+1888**";
    QTest::newRow("star inside") << "+1*888";
    QTest::newRow("bad number") << "12";
}

void TestPhoneNumber::badPatterns()
{
    QFETCH(QString, input);
    const auto r = PhoneNumber::parsePattern(input);
    QVERIFY(!r.ok);
    QVERIFY2(r.error.contains(u'"' + input.trimmed() + u'"'), qPrintable(r.error));
}

void TestPhoneNumber::matching()
{
    const QString tollFree = QStringLiteral("+18886115384");
    const QString primary = QStringLiteral("+17702300635");
    QVERIFY(PhoneNumber::matches(QStringLiteral("+1888*"), tollFree));
    QVERIFY(!PhoneNumber::matches(QStringLiteral("+1888*"), primary));
    QVERIFY(PhoneNumber::matches(QStringLiteral("+1*"), primary));
    QVERIFY(!PhoneNumber::matches(QStringLiteral("+44*"), primary));
    QVERIFY(PhoneNumber::matches(primary, primary));
    QVERIFY(!PhoneNumber::matches(primary, QStringLiteral("+17702300636")));
    QVERIFY(!PhoneNumber::matches(QStringLiteral("+1770230063"), primary)); // not a prefix
    QVERIFY(!PhoneNumber::matches(QStringLiteral("+1*"), QString()));       // unknown caller
    QVERIFY(!PhoneNumber::matches(QString(), QString()));
    QVERIFY(!PhoneNumber::matches(QStringLiteral("*"), primary));
    QVERIFY(PhoneNumber::isPrefixPattern(QStringLiteral("+1888*")));
    QVERIFY(!PhoneNumber::isPrefixPattern(primary));
}

void TestPhoneNumber::keypadDigits()
{
    QCOMPARE(Keypad::toDigits(QStringLiteral("611-JEXT")), QStringLiteral("6115398"));
    QCOMPARE(Keypad::toDigits(QStringLiteral("ABCDEFGHIJKLMNOPQRSTUVWXYZ")),
             QStringLiteral("22233344455566677778889999"));
    QCOMPARE(Keypad::toDigits(QStringLiteral("abcdefghijklmnopqrstuvwxyz")),
             QStringLiteral("22233344455566677778889999"));
    QCOMPARE(Keypad::toDigits(QStringLiteral("0-9 ()")), QStringLiteral("09"));
    QCOMPARE(Keypad::toDigits(QString()), QString());
    QVERIFY(Keypad::digitFor(u'é').isNull());
}

void TestPhoneNumber::vanityRule_data()
{
    QTest::addColumn<QString>("label");
    QTest::addColumn<bool>("vanity");
    QTest::newRow("611-JEXT") << "611-JEXT" << true;
    QTest::newRow("all caps word") << "FLOWERS" << true;
    QTest::newRow("caps with dash") << "CALL-ME" << true;
    QTest::newRow("mixed case with digits") << "1-800-Flowers" << true;
    QTest::newRow("primary") << "primary" << false;
    QTest::newRow("Capitalised word") << "Office" << false;
    QTest::newRow("two words") << "Office line" << false;
    QTest::newRow("digits only") << "611-5384" << false;
    QTest::newRow("empty") << "" << false;
    QTest::newRow("space") << "611 JEXT" << false;
    QTest::newRow("non-ascii") << "ÉTÉ-2" << false;
}

void TestPhoneNumber::vanityRule()
{
    QFETCH(QString, label);
    QFETCH(bool, vanity);
    QCOMPARE(Keypad::isVanity(label), vanity);
}

void TestPhoneNumber::spelling_data()
{
    QTest::addColumn<QString>("label");
    QTest::addColumn<QString>("e164");
    QTest::addColumn<Keypad::Result>("result");
    // The owner's labels do not spell their numbers (611-JEXT is 611-5398 on a keypad).
    QTest::newRow("611-JEXT") << "611-JEXT"
                              << "+18886115384" << Keypad::Result::DoesNotSpell;
    QTest::newRow("474-TREE") << "474-TREE"
                              << "+18884748738" << Keypad::Result::DoesNotSpell;
    QTest::newRow("676-DUCK") << "676-DUCK"
                              << "+18886762825" << Keypad::Result::DoesNotSpell;
    QTest::newRow("611-JEXT spelled") << "611-JEXT"
                                      << "+18886115398" << Keypad::Result::Spells;
    QTest::newRow("474-TREE spelled") << "474-TREE"
                                      << "+18884748733" << Keypad::Result::Spells;
    QTest::newRow("with country code") << "1-800-FLOWERS"
                                       << "+18003569377" << Keypad::Result::Spells;
    QTest::newRow("letters only") << "FLOWERS"
                                  << "+18003569377" << Keypad::Result::Spells;
    QTest::newRow("lower case") << "800-flowers"
                                << "+18003569377" << Keypad::Result::Spells;
    QTest::newRow("lower case, wrong digits") << "356-flowers"
                                              << "+18003569377" << Keypad::Result::DoesNotSpell;
    QTest::newRow("longer than number") << "1-1-800-FLOWERS"
                                        << "+18003569377" << Keypad::Result::DoesNotSpell;
    QTest::newRow("not a number") << "FLOWERS"
                                  << "3569377" << Keypad::Result::DoesNotSpell;
    QTest::newRow("primary") << "primary"
                             << "+17702300635" << Keypad::Result::NotVanity;
    QTest::newRow("no label") << ""
                              << "+17702300635" << Keypad::Result::NotVanity;
}

void TestPhoneNumber::spelling()
{
    QFETCH(QString, label);
    QFETCH(QString, e164);
    QFETCH(Keypad::Result, result);
    QCOMPARE(Keypad::code(Keypad::spells(label, e164)), Keypad::code(result));
}

QTEST_GUILESS_MAIN(TestPhoneNumber)
#include "tst_phonenumber.moc"
