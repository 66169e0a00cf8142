// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArrayView>

namespace kt {

// RFC 9110 §5.6.2: a token (a method, a header field name, a transfer coding) is one or more of
// ALPHA, DIGIT and !#$%&'*+-.^_`|~.
bool isHttpTokenChar(char c);
bool isHttpToken(QByteArrayView text);

} // namespace kt
