// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/config.h"

#include <QCoreApplication>

namespace kt {

class SecretStore;

// The start-up decisions that are not UI, shared by the desktop app, the headless engine and the
// administration commands: which Telnyx API key, the demo or not, and which database (README
// "Configuration", "Demo").
class Startup
{
    Q_DECLARE_TR_FUNCTIONS(kt::Startup)
public:
    // What the command line said, beyond the configuration's values.
    struct Facts
    {
        bool desktop = false;       // the desktop app (not --headless, not a command)
        bool explicitDemo = false;  // --demo
        bool databaseGiven = false; // db from the command line or the config file
    };

    // Settles `config`: the API key from `keychain` when neither the environment nor the config
    // file gave one (the desktop only, and not with --demo; waiting at most `timeoutMs`); the
    // demo when asked for, or for a desktop without an account (a newcomer gets the demo rather
    // than an app that cannot act); and the demo's own database unless one was given, so that
    // the demo never writes into the real event store. Returns a line for the log (never the
    // key), empty when there is nothing to say.
    static QString decide(Config &config, const Facts &facts, SecretStore *keychain, int timeoutMs);

    // The API key stored in `store`, when `config` has none (waiting at most `timeoutMs`). True
    // when a key was loaded. `note`: a line for the log (never the key), empty when there is
    // nothing to say.
    static bool loadApiKey(Config &config, SecretStore &store, int timeoutMs, QString *note);

    // The name of the API key in the keychain.
    static constexpr const char *ApiKeySecret = "telnyx-api-key";
};

} // namespace kt
