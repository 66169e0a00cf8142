// SPDX-License-Identifier: GPL-3.0-or-later
#include "httpsyntax.h"

#include <algorithm>

namespace kt {

bool isHttpTokenChar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
}

bool isHttpToken(QByteArrayView text)
{
    return !text.isEmpty() && std::all_of(text.begin(), text.end(), isHttpTokenChar);
}

} // namespace kt
