// SPDX-License-Identifier: GPL-3.0-or-later
// `kevan-tel events …` and `kevan-tel calls`: reading the log and the calls it describes.
#include "admincommands.h"

#include "output.h"
#include "store/eventstore.h"

#include <QJsonDocument>

namespace kt {

int eventsCommand(const CommandLine &cl, EventStore &store)
{
    const QStringList &w = cl.words;
    if (w.size() == 2 && w.at(1) == QLatin1String("verify")) {
        qint64 lastReport = 0;
        const VerifyResult result = store.verify([&lastReport](qint64 done, qint64 total) {
            // Progress on stderr for long logs, about every 10 %.
            if (total > 200000 && done - lastReport >= total / 10) {
                lastReport = done;
                std::fprintf(stderr, "verifying: %lld of %lld events\n", qint64(done),
                             qint64(total));
            }
        });
        if (cl.json) {
            QJsonObject o{{QStringLiteral("ok"), result.ok},
                          {QStringLiteral("checked"), result.rowsChecked},
                          {QStringLiteral("message"), result.message}};
            if (!result.ok)
                o.insert(QStringLiteral("first_broken_seq"), result.firstBrokenSeq);
            Output::json(QJsonArray{o});
        } else if (result.ok) {
            Output::line(result.message);
        }
        if (!result.ok) {
            Output::error(result.message);
            return 1;
        }
        return 0;
    }
    if (w.size() != 1)
        return usageError(QStringLiteral("usage: kevan-tel events [--type T] [--limit N] [--json] "
                                         "| events verify"));
    EventQuery query;
    query.type = cl.type;
    query.limit = cl.limit > 0 ? cl.limit : 50;
    const QList<StoredEvent> events = store.events(query);
    if (!store.errorString().isEmpty() && events.isEmpty() && store.lastSeq() < 0) {
        Output::error(store.errorString());
        return 1;
    }
    if (cl.json) {
        QJsonArray rows;
        for (const StoredEvent &e : events)
            rows.append(e.toJson());
        Output::json(rows);
        return 0;
    }
    QList<QStringList> rows;
    for (const StoredEvent &e : events) {
        rows.append(
            {QString::number(e.seq), e.recordedAt, e.type, e.actor, e.callId,
             QString::fromUtf8(QJsonDocument(e.payload).toJson(QJsonDocument::Compact)).left(100)});
    }
    Output::table({QStringLiteral("SEQ"), QStringLiteral("RECORDED"), QStringLiteral("TYPE"),
                   QStringLiteral("ACTOR"), QStringLiteral("CALL"), QStringLiteral("PAYLOAD")},
                  rows);
    return 0;
}

int callsCommand(const CommandLine &cl, EventStore &store)
{
    if (cl.words.size() != 1)
        return usageError(QStringLiteral("usage: kevan-tel calls [--limit N] [--json]"));
    CallQuery query;
    query.limit = cl.limit > 0 ? cl.limit : 50;
    const QList<CallRecord> calls = store.calls(query);
    if (cl.json) {
        QJsonArray rows;
        for (const CallRecord &c : calls)
            rows.append(c.toJson());
        Output::json(rows);
        return 0;
    }
    QList<QStringList> rows;
    for (const CallRecord &c : calls) {
        rows.append({c.callId, c.fromNumber, c.toNumber, c.decision, c.reason, c.namespaceName,
                     c.state, c.startedAt, c.endedAt});
    }
    Output::table({QStringLiteral("CALL"), QStringLiteral("FROM"), QStringLiteral("TO"),
                   QStringLiteral("DECISION"), QStringLiteral("REASON"),
                   QStringLiteral("NAMESPACE"), QStringLiteral("STATE"), QStringLiteral("STARTED"),
                   QStringLiteral("ENDED")},
                  rows);
    return 0;
}

} // namespace kt
