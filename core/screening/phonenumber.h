// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace kt {

// Every phone number in kevan-tel goes through libphonenumber: parsed, validated and stored
// in E.164 ("+17702300635"). Nothing here splits digits by hand, with one documented
// exception: a prefix pattern ("+1888*") is not a number libphonenumber can parse, so
// parsePattern() normalises it itself.
class PhoneNumber
{
public:
    struct ParseResult
    {
        bool ok = false;
        QString e164;  // the E.164 number (or, from parsePattern(), the normalised pattern)
        QString error; // one clear line naming the input, when !ok
    };

    // Accepts any common written form: "+1-770-230-0635", "(770) 230-0635", "17702300635",
    // "+44 20 7946 0958", " 770.230.0635 ", "tel:+1-770-230-0635". Numbers without a leading
    // "+" are read as numbers of defaultRegion (ISO 3166 alpha-2). Refuses anything
    // libphonenumber does not consider a valid number, and numbers with an extension.
    static ParseResult parse(const QString &input,
                             const QString &defaultRegion = QStringLiteral("US"));

    // For a caller id from a Telnyx webhook (`from`, `caller_id_name`): "+18124040851",
    // "5418556816" (no plus), "sip:+18124040851@sip.telnyx.com", "anonymous", "Restricted".
    // Withheld or unparseable callers give ok == false (the caller is then "unknown"). Digits
    // without a "+" that are not a valid number of defaultRegion are retried as international.
    static ParseResult parseCaller(const QString &input,
                                   const QString &defaultRegion = QStringLiteral("US"));

    // A rule pattern: an E.164 number in any written form (normalised by parse()), or a prefix:
    // "+" then 1 to 14 digits (the first not 0) then "*", e.g. "+1888*". In a prefix, spaces,
    // dashes, dots and parentheses are dropped ("+1 (888) *" -> "+1888*"); this is the one
    // place that handles digits itself, because a prefix is not a number libphonenumber parses.
    static ParseResult parsePattern(const QString &input,
                                    const QString &defaultRegion = QStringLiteral("US"));
    static bool isPrefixPattern(const QString &pattern) { return pattern.endsWith(u'*'); }
    // Does the normalised pattern (from parsePattern) match the E.164 number? An empty e164
    // (unknown caller) matches nothing.
    static bool matches(const QString &pattern, const QString &e164);

    // "+17702300635" -> "(770) 230-0635" / "+1 770-230-0635". Input that does not parse is
    // returned unchanged.
    static QString formatNational(const QString &e164);
    static QString formatInternational(const QString &e164);

    // The country calling code and the national significant number of an E.164 number
    // ("+17702300635" -> 1 / "7702300635"); 0 / empty when it does not parse.
    static int countryCode(const QString &e164);
    static QString nationalNumber(const QString &e164);
    // ISO region of the number ("US", "GB"), "ZZ" when unknown.
    static QString regionCode(const QString &e164);
};

} // namespace kt
