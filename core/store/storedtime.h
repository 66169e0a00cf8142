// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDateTime>
#include <QString>

// How the tables beside the event log (screening, voicemail, registrations) store a time:
// "yyyy-MM-ddTHH:mm:ss.zzzZ", UTC with milliseconds, so that times compare as text; empty for
// none. One format and one parser for every repository.
namespace kt::storedtime {

// Empty for an invalid time.
QString formatTime(const QDateTime &time);
// UTC; an invalid QDateTime for an empty or unreadable text.
QDateTime parseTime(const QString &text);

} // namespace kt::storedtime
