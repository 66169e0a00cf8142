// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Small helpers shared by the screening administration commands (numbers, certs, registry,
// rules): reading an input file, and reporting a ScreeningRepository mutation.

#include "output.h"
#include "screening/screeningrepository.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>

#include <optional>

namespace kt::screeningcli {

// The actor recorded in the events the command line writes.
inline QString actor()
{
    return QStringLiteral("cli");
}

// The file's bytes, or nullopt after printing "cannot read FILE: reason".
inline std::optional<QByteArray> readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        Output::error(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
        return std::nullopt;
    }
    return file.readAll();
}

// Prints the outcome of a mutation: the message line (or with --json a one-element array
// {"ok", "seq", "message", …details}), or the error line. Returns the exit code.
inline int report(const ScreeningResult &result, bool json, QJsonObject details = {})
{
    if (!result.ok) {
        Output::error(result.error);
        return 1;
    }
    if (json) {
        details.insert(QStringLiteral("ok"), true);
        details.insert(QStringLiteral("changed"), result.changed());
        details.insert(QStringLiteral("seq"), result.seq);
        details.insert(QStringLiteral("message"), result.message);
        Output::json(QJsonArray{details});
    } else {
        Output::line(result.message);
    }
    return 0;
}

inline QString isoTime(const QDateTime &t)
{
    return t.isValid() ? t.toUTC().toString(Qt::ISODate) : QString();
}

inline QJsonValue isoTimeJson(const QDateTime &t)
{
    return t.isValid() ? QJsonValue(ScreeningRepository::formatTime(t)) : QJsonValue();
}

} // namespace kt::screeningcli
