// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonArray>
#include <QStringList>

namespace kt {

// How administration commands print: a JSON array with --json, an aligned table otherwise.
class Output
{
public:
    static void json(const QJsonArray &rows);
    // Prints `rows` (one QStringList per row) under `header`, columns padded to fit.
    static void table(const QStringList &header, const QList<QStringList> &rows);
    static void line(const QString &text);
    static void error(const QString &text); // one line on stderr
};

} // namespace kt
