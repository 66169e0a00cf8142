// SPDX-License-Identifier: GPL-3.0-or-later
// `kevan-tel numbers …`: the owner's number map (list, import FILE, sync from Telnyx).
#include "admincommands.h"

#include "output.h"
#include "screening/keypad.h"
#include "screening/phonenumber.h"
#include "screening/screeningrepository.h"
#include "screeningcli.h"
#include "store/eventstore.h"
#include "telnyx/callcontrolclient.h"

#include <QEventLoop>
#include <QTimer>
#include <QUrl>

namespace kt {
namespace {

const QString kUsage = QStringLiteral(
    "usage: kevan-tel numbers list [--json] | numbers import FILE | numbers sync "
    "| numbers policy NUMBER default|accept_all|reject_with_message|reject|ask|voicemail");

int listNumbers(const CommandLine &cl, ScreeningRepository &repo)
{
    const QList<NumberEntry> numbers = repo.numbers();
    if (numbers.isEmpty() && !repo.errorString().isEmpty()) {
        Output::error(QStringLiteral("cannot read the number map: %1").arg(repo.errorString()));
        return 1;
    }
    if (cl.json) {
        QJsonArray rows;
        for (const NumberEntry &e : numbers) {
            QJsonObject o = NumberMap::entryToJson(e);
            o.insert(QStringLiteral("written"), PhoneNumber::formatNational(e.e164));
            o.insert(QStringLiteral("label"), e.label);
            o.insert(QStringLiteral("label_check"), Keypad::code(e.labelCheck));
            o.insert(QStringLiteral("spells"), e.labelCheck == Keypad::Result::Spells);
            o.insert(QStringLiteral("policy"), e.policy);
            rows.append(o);
        }
        Output::json(rows);
        return 0;
    }
    QList<QStringList> rows;
    for (const NumberEntry &e : numbers) {
        rows.append({e.e164, PhoneNumber::formatNational(e.e164), e.label,
                     Keypad::code(e.labelCheck), e.nameSpace,
                     e.policy.isEmpty() ? QStringLiteral("default") : e.policy});
    }
    Output::table({QStringLiteral("E.164"), QStringLiteral("WRITTEN"), QStringLiteral("LABEL"),
                   QStringLiteral("SPELLS"), QStringLiteral("NAMESPACE"), QStringLiteral("POLICY")},
                  rows);
    return 0;
}

QJsonObject mergeJson(const NumberMap::MergeResult &m)
{
    return {{QStringLiteral("added"), m.added},
            {QStringLiteral("updated"), m.updated},
            {QStringLiteral("unchanged"), m.unchanged},
            {QStringLiteral("invalid"), m.invalid}};
}

int importNumbers(const CommandLine &cl, ScreeningRepository &repo, const QString &path)
{
    QString error;
    const auto map = NumberMap::fromFile(path, &error);
    if (!map) {
        Output::error(QStringLiteral("cannot import %1: %2").arg(path, error));
        return 1;
    }
    const ScreeningResult result = repo.importNumbers(*map, screeningcli::actor(), path);
    return screeningcli::report(result, cl.json, mergeJson(result.merge));
}

int syncNumbers(const CommandLine &cl, ScreeningRepository &repo)
{
    if (cl.config.apiKey.isEmpty()) {
        Output::error(QStringLiteral("numbers sync needs a Telnyx API key: set TELNYX_API_KEY "
                                     "(or api-key in the config file)"));
        return 1;
    }
    CallControlClient client;
    client.setBaseUrl(QUrl(cl.config.telnyxApiUrl));
    client.setApiKey(cl.config.apiKey);

    QEventLoop loop;
    bool done = false;
    bool ok = false;
    QList<QJsonObject> records;
    QString error;
    QObject::connect(&client, &CallControlClient::phoneNumbersListed, &loop,
                     [&](bool success, const QList<QJsonObject> &listed, const QString &why) {
                         done = true;
                         ok = success;
                         records = listed;
                         error = why;
                         loop.quit();
                     });
    QTimer deadline;
    deadline.setSingleShot(true);
    QObject::connect(&deadline, &QTimer::timeout, &loop, [&] {
        client.cancelAll();
        if (!done) {
            done = true;
            error =
                QStringLiteral("no answer from %1 within 5 minutes").arg(cl.config.telnyxApiUrl);
            loop.quit();
        }
    });
    deadline.start(5 * 60 * 1000);
    client.listPhoneNumbers();
    if (!done)
        loop.exec();
    if (!ok) {
        Output::error(QStringLiteral("cannot list the Telnyx numbers: %1").arg(error));
        return 1;
    }
    QList<NumberEntry> entries;
    for (const QJsonObject &record : records)
        entries.append(ScreeningRepository::numberFromTelnyx(record));
    repo.setDefaultNameSpace(cl.config.nameSpace);
    const ScreeningResult result = repo.syncNumbers(entries, screeningcli::actor());
    return screeningcli::report(result, cl.json, mergeJson(result.merge));
}

} // namespace

int numbersCommand(const CommandLine &cl, EventStore &store)
{
    const QStringList &w = cl.words;
    const QString sub = w.value(1);
    ScreeningRepository repo(store);
    if (sub == QLatin1String("list") && w.size() == 2)
        return listNumbers(cl, repo);
    if (sub == QLatin1String("import") && w.size() == 3)
        return importNumbers(cl, repo, w.at(2));
    if (sub == QLatin1String("sync") && w.size() == 2)
        return syncNumbers(cl, repo);
    if (sub == QLatin1String("policy") && w.size() == 4) {
        // "default" clears the number's override: it then follows unknown-policy.
        const QString policy = w.at(3) == QLatin1String("default") ? QString() : w.at(3);
        return screeningcli::report(repo.setNumberPolicy(w.at(2), policy, screeningcli::actor()),
                                    cl.json);
    }
    return usageError(kUsage);
}

} // namespace kt
