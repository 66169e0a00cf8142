// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/config.h"
#include "startup.h"

#include <QStringList>

namespace kt {

// The parsed command line: the run mode, the configuration from the config file, the
// environment and the options, and, for administration commands, the subcommand words and their
// options (README "Configuration"). Which API key, the demo or not and which database are
// settled afterwards, by Startup::decide().
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
    QString pin;                // --pin DIGITS ("-": read it from stdin); a secret, never echoed
    bool clear = false;         // --clear (registry pin PHONE --clear)
    bool force = false;         // voicemail export: replace an existing file
    bool remote = false;        // voicemail delete: also on Telnyx
    bool explicitDemo = false;  // --demo
    bool databaseGiven = false; // db from the command line or the config file
    QString helpText;

    // What the start-up decisions (Startup::decide) need to know of the command line.
    Startup::Facts startupFacts() const
    {
        return {mode == Mode::Desktop, explicitDemo, databaseGiven};
    }

    // Parses `arguments` (argv including the program name) with `environment` values
    // (ConfigLoader::readEnvironment()). On failure returns false with one line in `error`.
    static bool parse(const QStringList &arguments, const QMap<QString, QString> &environment,
                      CommandLine *out, QString *error);
};

} // namespace kt
