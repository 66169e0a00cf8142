// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QRegularExpression>
#include <QString>

namespace kt::test {

// Whether `digits` (a PIN) shows in `text` as a token of its own: `"digits":"2468"`,
// `PIN 2468`. Fingerprints, PEM blocks and call ids are random per run and may hold the
// same digits inside a longer hex or base64 run; that is not a leak, and a plain
// `contains` would fail on it now and then.
inline bool showsSecret(const QString &text, const QString &digits)
{
    const QRegularExpression token(QStringLiteral("(?<![0-9A-Za-z+/])%1(?![0-9A-Za-z+/])")
                                       .arg(QRegularExpression::escape(digits)));
    return token.match(text).hasMatch();
}

inline bool showsSecret(const QByteArray &text, const QString &digits)
{
    return showsSecret(QString::fromUtf8(text), digits);
}

} // namespace kt::test
