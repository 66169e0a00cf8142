// SPDX-License-Identifier: GPL-3.0-or-later
#include "keypad.h"

#include "phonenumber.h"

namespace kt {

QChar Keypad::digitFor(QChar c)
{
    if (c >= u'0' && c <= u'9')
        return c;
    const char16_t u = c.toUpper().unicode();
    if (u < u'A' || u > u'Z')
        return {};
    //                          ABCDEFGHIJKLMNOPQRSTUVWXYZ
    static const char16_t map[] = u"22233344455566677778889999";
    return QChar(map[u - u'A']);
}

bool Keypad::isVanity(const QString &label)
{
    bool letter = false, digit = false, lower = false;
    for (const QChar c : label) {
        if (c >= u'0' && c <= u'9')
            digit = true;
        else if (c >= u'A' && c <= u'Z')
            letter = true;
        else if (c >= u'a' && c <= u'z')
            letter = lower = true;
        else if (c != u'-')
            return false;
    }
    return letter && (digit || !lower);
}

QString Keypad::toDigits(const QString &label)
{
    QString digits;
    digits.reserve(label.size());
    for (const QChar c : label) {
        const QChar d = digitFor(c);
        if (!d.isNull())
            digits.append(d);
    }
    return digits;
}

Keypad::Result Keypad::spells(const QString &label, const QString &e164)
{
    if (!isVanity(label))
        return Result::NotVanity;
    const int cc = PhoneNumber::countryCode(e164);
    if (cc == 0)
        return Result::DoesNotSpell;
    const QString numberDigits = QString::number(cc) + PhoneNumber::nationalNumber(e164);
    return numberDigits.endsWith(toDigits(label)) ? Result::Spells : Result::DoesNotSpell;
}

QString Keypad::code(Result result)
{
    switch (result) {
    case Result::NotVanity:
        return QStringLiteral("not_vanity");
    case Result::Spells:
        return QStringLiteral("spells");
    case Result::DoesNotSpell:
        return QStringLiteral("does_not_spell");
    }
    return {};
}

} // namespace kt
