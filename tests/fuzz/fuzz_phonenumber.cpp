// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: phone numbers, rule patterns and keypad labels from hostile text.
#include "screening/keypad.h"
#include "screening/phonenumber.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    const auto number = kt::PhoneNumber::parse(text);
    const auto caller = kt::PhoneNumber::parseCaller(text);
    const auto pattern = kt::PhoneNumber::parsePattern(text);
    if (number.ok) {
        // A number that parses is E.164 and parses again to itself.
        const auto again = kt::PhoneNumber::parse(number.e164);
        if (!again.ok || again.e164 != number.e164)
            __builtin_trap();
        (void)kt::PhoneNumber::formatNational(number.e164);
        (void)kt::Keypad::spells(text, number.e164);
    }
    if (pattern.ok && caller.ok)
        (void)kt::PhoneNumber::matches(pattern.e164, caller.e164);
    (void)kt::Keypad::toDigits(text);
    return 0;
}
