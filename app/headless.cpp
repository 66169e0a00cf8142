// SPDX-License-Identifier: GPL-3.0-or-later
#include "headless.h"

#include "engine/enginehost.h"
#include "output.h"
#include "signalwatcher.h"

#include <QCoreApplication>

#include <cstdio>

namespace kt {

int runHeadless(const CommandLine &cl)
{
    EngineHost host(cl.config);
    QString error;
    if (!host.startAndWait(&error)) {
        Output::error(error);
        return 1;
    }
    if (cl.config.demo)
        std::fprintf(stderr, "demo mode: a built-in Telnyx simulator places calls; no account "
                             "or network is used\n");
    else if (!cl.config.hasAccount())
        std::fprintf(stderr, "no Telnyx API key (TELNYX_API_KEY): calls are stored and decided, "
                             "but commands to Telnyx will fail\n");
    Output::line(QStringLiteral("listening on ") + host.url());
    SignalWatcher watcher;
    QObject::connect(&watcher, &SignalWatcher::terminate, qApp, [] {
        std::fprintf(stderr, "stopping\n");
        QCoreApplication::quit();
    });
    const int code = QCoreApplication::exec();
    host.stopAndWait();
    return code;
}

} // namespace kt
