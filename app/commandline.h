// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/config.h"

#include <QStringList>

namespace kt {

// The parsed command line: the run mode, the resolved configuration and, for administration
// commands, the subcommand words and their options (README "Configuration").
struct CommandLine
{
    enum class Mode { Desktop, Headless, Admin, Version, Help };
    Mode mode = Mode::Desktop;
    Config config;
    QStringList words; // e.g. {"events", "verify"}
    bool json = false;
    int limit = -1;
    QString type;
    QString note;
    QString until;
    bool singleUse = false;
    QString pin;         // --pin DIGITS ("-": read it from stdin); a secret, never echoed
    bool clear = false;  // --clear (registry pin PHONE --clear)
    bool force = false;  // voicemail export: replace an existing file
    bool remote = false; // voicemail delete: also on Telnyx
    bool explicitDemo = false;
    QString helpText;

    // Parses `arguments` (argv including the program name) with `environment` values
    // (ConfigLoader::readEnvironment()). On failure returns false with one line in `error`.
    static bool parse(const QStringList &arguments, const QMap<QString, QString> &environment,
                      CommandLine *out, QString *error);
};

} // namespace kt
