// SPDX-License-Identifier: GPL-3.0-or-later
// `kevan-tel golive URL`: points the Telnyx Call Control Application at a public URL
// (docs/telnyx-api.md §5.2), and its failover URL at a second instance's when `failover-url` is
// set. The desktop app also offers a cloudflared quick tunnel; the command
// line only sets the URL of a tunnel or proxy the owner runs.
#include "admincommands.h"
#include "golive/webhooksetup.h"
#include "output.h"

#include <QEventLoop>
#include <QJsonObject>
#include <QTimer>

namespace kt {

namespace {
const QString kUsage =
    QStringLiteral("usage: kevan-tel golive URL [--failover-url URL2] [--application-id ID] "
                   "[--json] (URL: the https address of your tunnel or proxy; URL2: a second "
                   "instance's)");
} // namespace

int goliveCommand(const CommandLine &cl, EventStore &store)
{
    Q_UNUSED(store)
    if (cl.words.size() != 2)
        return usageError(kUsage);
    WebhookSetup setup;
    setup.setBaseUrl(QUrl(cl.config.telnyxApiUrl));
    setup.setApiKey(cl.config.apiKey);
    setup.setApplicationId(cl.config.applicationId);
    setup.setFailoverUrl(cl.config.failoverUrl);

    QEventLoop loop;
    bool done = false;
    WebhookSetupResult result;
    QObject::connect(&setup, &WebhookSetup::finished, &loop, [&](const WebhookSetupResult &r) {
        done = true;
        result = r;
        loop.quit();
    });
    QString error;
    if (!setup.start(cl.words.at(1), &error)) {
        Output::error(error);
        return error.startsWith(QLatin1String("invalid ")) ? 2 : 1;
    }
    QTimer deadline;
    deadline.setSingleShot(true);
    QObject::connect(&deadline, &QTimer::timeout, &setup, [&] {
        setup.cancel(); // finished() with "cancelled"
        result.error =
            QStringLiteral("no answer from %1 within 2 minutes").arg(cl.config.telnyxApiUrl);
    });
    deadline.start(2 * 60 * 1000);
    if (!done)
        loop.exec();
    if (!result.ok) {
        Output::error(result.error);
        return 1;
    }
    if (cl.json) {
        Output::json(QJsonArray{QJsonObject{
            {QStringLiteral("application_id"), result.applicationId},
            {QStringLiteral("application_name"), result.applicationName},
            {QStringLiteral("webhook_event_url"), result.webhookUrl},
            {QStringLiteral("webhook_event_failover_url"), result.failoverUrl},
            {QStringLiteral("webhook_api_version"), result.webhookApiVersion},
        }});
    } else {
        Output::line(QStringLiteral("%1 (%2) now sends webhooks to %3")
                         .arg(result.applicationName, result.applicationId, result.webhookUrl));
        if (!result.failoverUrl.isEmpty())
            Output::line(QStringLiteral("and, when that fails, to %1").arg(result.failoverUrl));
    }
    if (cl.config.publicKey.isEmpty())
        Output::error(QStringLiteral("note: no webhook public key is set (TELNYX_PUBLIC_KEY), so "
                                     "the server refuses every webhook until it is"));
    return 0;
}

} // namespace kt
