// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace kt {

// Vanity labels ("611-JEXT", "474-TREE") are names the owner gave a number. They do not always
// spell the number's digits on a phone keypad, so the app shows whether they do.
class Keypad
{
public:
    enum class Result {
        NotVanity,    // a plain name ("primary", "Office line", empty): nothing to check
        Spells,       // the keypad digits of the label end the number
        DoesNotSpell, // a vanity spelling whose keypad digits are not the number's last digits
    };

    // A label is a vanity spelling when it is made of ASCII letters, digits and dashes only,
    // with at least one letter, and either has a digit too ("611-JEXT") or is all capitals
    // ("FLOWERS"). "primary" is a plain name.
    static bool isVanity(const QString &label);

    // The keypad digits of a label: ABC=2, DEF=3, GHI=4, JKL=5, MNO=6, PQRS=7, TUV=8, WXYZ=9
    // (either case); digits are kept, everything else dropped. "611-JEXT" -> "6115398".
    static QString toDigits(const QString &label);

    // The keypad digit of one letter or digit, or a null QChar.
    static QChar digitFor(QChar c);

    // NotVanity, or whether toDigits(label) is a suffix of the number's digits (country code
    // and national number, so "1-800-FLOWERS" and "356-9377" both spell +18003569377).
    static Result spells(const QString &label, const QString &e164);

    // "not_vanity" / "spells" / "does_not_spell" (for JSON, CLI and logs).
    static QString code(Result result);
};

} // namespace kt
