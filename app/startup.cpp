// SPDX-License-Identifier: GPL-3.0-or-later
#include "startup.h"

#include "platform/secretstore.h"

namespace kt {

QString Startup::decide(Config &config, const Facts &facts, SecretStore *keychain, int timeoutMs)
{
    QString note;
    if (facts.desktop && !facts.explicitDemo && keychain)
        loadApiKey(config, *keychain, timeoutMs, &note);
    // A desktop watching a server needs no account of its own: the server has it.
    config.demo =
        facts.explicitDemo || (facts.desktop && !config.hasAccount() && !config.watching());
    if (config.demo && !facts.databaseGiven)
        config.databasePath = ConfigLoader::defaultDemoDatabasePath();
    return note;
}

bool Startup::loadApiKey(Config &config, SecretStore &store, int timeoutMs, QString *note)
{
    note->clear();
    if (!config.apiKey.isEmpty())
        return false;
    const SecretStore::Result r = store.readNow(QString::fromLatin1(ApiKeySecret), timeoutMs);
    if (!r.ok || r.value.trimmed().isEmpty()) {
        if (!r.ok && !r.notFound)
            *note = tr("no Telnyx API key from the keychain: %1").arg(r.error);
        return false;
    }
    config.apiKey = r.value.trimmed();
    *note = tr("using the Telnyx API key stored in %1").arg(store.displayName());
    return true;
}

} // namespace kt
