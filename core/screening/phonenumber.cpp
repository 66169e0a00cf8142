// SPDX-License-Identifier: GPL-3.0-or-later
#include "phonenumber.h"

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <QHash>
#include <QRegularExpression>

#include <string>

namespace kt {

namespace {

using i18n::phonenumbers::PhoneNumberUtil;
using LibNumber = i18n::phonenumbers::PhoneNumber;

PhoneNumberUtil &util()
{
    return *PhoneNumberUtil::GetInstance();
}

QString quoted(const QString &input)
{
    return u'"' + input + u'"';
}

PhoneNumber::ParseResult failure(QString error)
{
    PhoneNumber::ParseResult r;
    r.error = std::move(error);
    return r;
}

QString possibleReason(const LibNumber &number)
{
    switch (util().IsPossibleNumberWithReason(number)) {
    case PhoneNumberUtil::TOO_SHORT:
        return QStringLiteral("too short");
    case PhoneNumberUtil::TOO_LONG:
        return QStringLiteral("too long");
    case PhoneNumberUtil::INVALID_LENGTH:
        return QStringLiteral("wrong number of digits");
    case PhoneNumberUtil::INVALID_COUNTRY_CODE:
        return QStringLiteral("unknown country code");
    default:
        return QStringLiteral("no such number is in use");
    }
}

// Parses an E.164 string we produced ourselves.
bool parseE164(const QString &e164, LibNumber *out)
{
    if (!e164.startsWith(u'+'))
        return false;
    return util().Parse(e164.toStdString(), "ZZ", out) == PhoneNumberUtil::NO_PARSING_ERROR;
}

QString format(const QString &e164, PhoneNumberUtil::PhoneNumberFormat fmt)
{
    LibNumber number;
    if (!parseE164(e164, &number))
        return e164;
    std::string out;
    util().Format(number, fmt, &out);
    return QString::fromStdString(out);
}

PhoneNumber::ParseResult parseUncached(const QString &input, const QString &defaultRegion)
{
    const QString text = input.trimmed();
    if (text.isEmpty())
        return failure(QStringLiteral("empty phone number"));

    LibNumber number;
    const auto err =
        util().Parse(text.toStdString(), defaultRegion.toUpper().toStdString(), &number);
    switch (err) {
    case PhoneNumberUtil::NO_PARSING_ERROR:
        break;
    case PhoneNumberUtil::NOT_A_NUMBER:
        return failure(quoted(text) + QStringLiteral(" is not a phone number"));
    case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR:
        return failure(quoted(text) +
                       (text.startsWith(u'+')
                            ? QStringLiteral(" is not a valid phone number (unknown country code)")
                            : QStringLiteral(" is not a valid phone number (no country code: "
                                             "write it with a leading +)")));
    case PhoneNumberUtil::TOO_SHORT_AFTER_IDD:
    case PhoneNumberUtil::TOO_SHORT_NSN:
        return failure(quoted(text) + QStringLiteral(" is not a valid phone number (too short)"));
    case PhoneNumberUtil::TOO_LONG_NSN:
        return failure(quoted(text) + QStringLiteral(" is not a valid phone number (too long)"));
    }

    if (!util().IsValidNumber(number))
        return failure(quoted(text) + QStringLiteral(" is not a valid phone number (") +
                       possibleReason(number) + u')');
    if (number.has_extension())
        return failure(quoted(text) +
                       QStringLiteral(" has an extension, which an E.164 number cannot carry"));

    std::string e164;
    util().Format(number, PhoneNumberUtil::E164, &e164);
    PhoneNumber::ParseResult r;
    r.ok = true;
    r.e164 = QString::fromStdString(e164);
    return r;
}
} // namespace

PhoneNumber::ParseResult PhoneNumber::parse(const QString &input, const QString &defaultRegion)
{
    // A libphonenumber parse is not cheap, and the engine parses a call's numbers several times
    // (stored, decided, configured): remember the last few hundred results, per thread.
    thread_local QHash<QString, ParseResult> memo;
    const QString key = defaultRegion + u'|' + input;
    if (const auto it = memo.constFind(key); it != memo.cend())
        return *it;
    ParseResult r = parseUncached(input, defaultRegion);
    if (memo.size() >= 512)
        memo.clear();
    memo.insert(key, r);
    return r;
}

PhoneNumber::ParseResult PhoneNumber::parseCaller(const QString &input,
                                                  const QString &defaultRegion)
{
    QString text = input.trimmed();
    // A SIP URI: the number is the user part ("sip:+18124040851@sip.telnyx.com;user=phone").
    if (text.startsWith(QLatin1String("sip:"), Qt::CaseInsensitive) ||
        text.startsWith(QLatin1String("sips:"), Qt::CaseInsensitive)) {
        text = text.mid(text.indexOf(u':') + 1);
        text = text.left(text.indexOf(u'@')).section(u';', 0, 0);
    }

    static const QStringList withheld = {
        QStringLiteral("anonymous"),   QStringLiteral("restricted"), QStringLiteral("private"),
        QStringLiteral("unavailable"), QStringLiteral("unknown"),    QStringLiteral("withheld"),
    };
    if (text.isEmpty() || withheld.contains(text.toLower()))
        return failure(QStringLiteral("caller id withheld (") + quoted(input.trimmed()) + u')');

    ParseResult r = parse(text, defaultRegion);
    if (!r.ok && !text.startsWith(u'+')) {
        // Telnyx sometimes drops the "+": try the digits as an international number.
        static const QRegularExpression digitsOnly(QStringLiteral("^[0-9]{8,15}$"));
        if (digitsOnly.match(text).hasMatch()) {
            ParseResult intl = parse(u'+' + text, defaultRegion);
            if (intl.ok)
                return intl;
        }
    }
    return r;
}

PhoneNumber::ParseResult PhoneNumber::parsePattern(const QString &input,
                                                   const QString &defaultRegion)
{
    const QString text = input.trimmed();
    if (!text.endsWith(u'*'))
        return parse(text, defaultRegion);

    QString prefix = text.chopped(1);
    static const QRegularExpression separators(QStringLiteral("[\\s\\-.()]"));
    prefix.remove(separators);
    static const QRegularExpression valid(QStringLiteral("^\\+[1-9][0-9]{0,13}$"));
    if (!valid.match(prefix).hasMatch())
        return failure(quoted(text) +
                       QStringLiteral(" is not a valid prefix pattern (write \"+\", 1 to 14 digits "
                                      "of the international number, then \"*\", e.g. \"+1888*\")"));
    ParseResult r;
    r.ok = true;
    r.e164 = prefix + u'*';
    return r;
}

bool PhoneNumber::matches(const QString &pattern, const QString &e164)
{
    if (e164.isEmpty() || pattern.isEmpty())
        return false;
    if (isPrefixPattern(pattern))
        return pattern.size() > 1 && e164.startsWith(QStringView(pattern).chopped(1));
    return pattern == e164;
}

QString PhoneNumber::formatNational(const QString &e164)
{
    return format(e164, PhoneNumberUtil::NATIONAL);
}

QString PhoneNumber::formatInternational(const QString &e164)
{
    return format(e164, PhoneNumberUtil::INTERNATIONAL);
}

int PhoneNumber::countryCode(const QString &e164)
{
    LibNumber number;
    return parseE164(e164, &number) ? number.country_code() : 0;
}

QString PhoneNumber::nationalNumber(const QString &e164)
{
    LibNumber number;
    if (!parseE164(e164, &number))
        return {};
    std::string nsn;
    util().GetNationalSignificantNumber(number, &nsn);
    return QString::fromStdString(nsn);
}

QString PhoneNumber::regionCode(const QString &e164)
{
    LibNumber number;
    if (!parseE164(e164, &number))
        return QStringLiteral("ZZ");
    std::string region;
    util().GetRegionCodeForNumber(number, &region);
    return region.empty() ? QStringLiteral("ZZ") : QString::fromStdString(region);
}

} // namespace kt
