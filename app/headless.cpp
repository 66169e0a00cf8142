// SPDX-License-Identifier: GPL-3.0-or-later
#include "headless.h"

#include "engine/engine.h"
#include "engine/enginehost.h"
#include "golive/webhookliveness.h"
#include "output.h"
#include "platform/signalwatcher.h"

#include <QCoreApplication>
#include <QDateTime>

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
    // SIGTERM is handled from before "listening on" is printed: whoever starts the server and
    // stops it as soon as it listens gets a clean stop, not the default action.
    SignalWatcher watcher;
    QObject::connect(&watcher, &SignalWatcher::terminate, qApp, [] {
        std::fprintf(stderr, "stopping\n");
        QCoreApplication::quit();
    });
    Output::line(QStringLiteral("listening on ") + host.url());
    Output::line(QStringLiteral("admin on ") + host.adminUrl());
    // Telnyx gone quiet (quiet-warning-minutes): a warning in the log.
    WebhookLiveness liveness;
    liveness.setQuietPeriodSecs(qint64(cl.config.quietWarningMinutes) * 60);
    QObject::connect(host.engine(), &Engine::webhookReceived, &liveness,
                     &WebhookLiveness::noteWebhook, Qt::QueuedConnection);
    liveness.setExpecting(cl.config.hasAccount() && !cl.config.demo);
    // Too many wrong PINs: the owner is told in the log (tel.pin_locked is in the event log).
    QObject::connect(
        host.engine(), &Engine::pinLocked, qApp,
        [](const QString &phone, const QString &nameSpace, const QDateTime &until) {
            std::fprintf(
                stderr, "PIN locked: too many wrong PINs for %s (%s); none is taken until %s\n",
                qPrintable(phone), qPrintable(nameSpace), qPrintable(until.toString(Qt::ISODate)));
        },
        Qt::QueuedConnection);
    // A self-registration proved its phone: the owner decides with `registry approve|deny`.
    QObject::connect(
        host.engine(), &Engine::registrationProven, qApp,
        [](const QString &id, const QString &nameSpace, const QString &phone, bool approved) {
            if (approved)
                std::fprintf(stderr, "registered: %s to %s (approved automatically)\n",
                             qPrintable(phone), qPrintable(nameSpace));
            else
                std::fprintf(stderr,
                             "registration to approve: %s for %s (kevan-tel registry approve "
                             "%s)\n",
                             qPrintable(phone), qPrintable(nameSpace), qPrintable(id));
        },
        Qt::QueuedConnection);
    const int code = QCoreApplication::exec();
    host.stopAndWait();
    return code;
}

} // namespace kt
