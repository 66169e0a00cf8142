// SPDX-License-Identifier: GPL-3.0-or-later
#include "admincommand.h"

#include "admincommands.h"
#include "output.h"
#include "screening/screeningrepository.h"
#include "screeningcli.h"
#include "store/databaseurl.h"
#include "store/eventstore.h"
#include "store/privatefiles.h"

#include <QFileInfo>

namespace kt {

int usageError(const QString &usage)
{
    Output::error(usage);
    return 2;
}

int runAdminCommand(const CommandLine &cl)
{
    const QString word = cl.words.value(0);
    using Handler = int (*)(const CommandLine &, EventStore &);
    static const QList<QPair<QString, Handler>> handlers = {
        {QStringLiteral("events"), eventsCommand},
        {QStringLiteral("calls"), callsCommand},
        {QStringLiteral("numbers"), numbersCommand},
        {QStringLiteral("certs"), certsCommand},
        {QStringLiteral("registry"), registryCommand},
        {QStringLiteral("rules"), rulesCommand},
        {QStringLiteral("golive"), goliveCommand},
        {QStringLiteral("voicemail"), voicemailCommand},
    };
    Handler handler = nullptr;
    for (const auto &h : handlers) {
        if (h.first == word)
            handler = h.second;
    }
    if (!handler) {
        Output::error(QStringLiteral("unknown command \"%1\" (see kevan-tel --help)").arg(word));
        return 2;
    }
    const QString path = cl.config.databasePath;
    if (!DatabaseUrl::isUrl(path)) // a PostgreSQL URL has no folder to make
        PrivateFiles::makePath(QFileInfo(path).absolutePath()); // if it cannot, open() says why
    EventStore store;
    store.setSynchronous(cl.config.synchronous == QLatin1String("NORMAL")
                             ? EventStore::Synchronous::Normal
                             : EventStore::Synchronous::Full);
    if (!store.open(path, QStringLiteral("admin"), EventStore::Mode::ReadWrite)) {
        Output::error(store.errorString());
        return 1;
    }
    // The built-in number map, as the server seeds it: a fresh database lists it from the first
    // command on (recorded once, as an import by the command line).
    const ScreeningResult seeded =
        ScreeningRepository(store).ensureDefaultNumbers(screeningcli::actor());
    if (!seeded.ok) {
        Output::error(seeded.error);
        return 1;
    }
    return handler(cl, store);
}

} // namespace kt
