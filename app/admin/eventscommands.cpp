// SPDX-License-Identifier: GPL-3.0-or-later
// `kevan-tel events …` and `kevan-tel calls`: reading the log and the calls it describes.
#include "admincommands.h"

#include "engine/ownerdecisionrequest.h"
#include "output.h"
#include "screening/deepfakehint.h"
#include "screening/screentranscript.h"
#include "store/eventstore.h"
#include "voicemail/voicemailfiles.h"
#include "voicemail/voicemailrepository.h"

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
        // The recordings the log vouches for: each kept voicemail file against the SHA-256 its
        // tel.voicemail_downloaded event recorded (only once the chain itself is intact).
        QList<VoicemailFiles::FileCheck> files;
        if (result.ok)
            files = VoicemailFiles::verify(VoicemailRepository(store));
        QStringList fileProblems;
        for (const VoicemailFiles::FileCheck &c : files) {
            if (!c.ok())
                fileProblems.append(QStringLiteral("voicemail %1: %2").arg(c.id).arg(c.problem()));
        }
        const QString filesLine =
            fileProblems.isEmpty()
                ? QStringLiteral("voicemail files match the log: %1").arg(files.size())
                : QStringLiteral("voicemail files NOT matching the log: %1 of %2")
                      .arg(fileProblems.size())
                      .arg(files.size());
        if (cl.json) {
            QJsonObject o{{QStringLiteral("ok"), result.ok && fileProblems.isEmpty()},
                          {QStringLiteral("checked"), result.rowsChecked},
                          {QStringLiteral("message"), result.message}};
            if (!result.ok)
                o.insert(QStringLiteral("first_broken_seq"), result.firstBrokenSeq);
            else
                o.insert(QStringLiteral("voicemail_files"),
                         QJsonObject{{QStringLiteral("checked"), int(files.size())},
                                     {QStringLiteral("problems"),
                                      QJsonArray::fromStringList(fileProblems)}});
            Output::json(QJsonArray{o});
        } else if (result.ok) {
            Output::line(result.message);
            for (const QString &p : fileProblems)
                Output::line(p);
            Output::line(filesLine);
        }
        if (!result.ok) {
            Output::error(result.message);
            return 1;
        }
        if (!fileProblems.isEmpty()) {
            Output::error(filesLine);
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

namespace {

const QString kCallsUsage = QStringLiteral(
    "usage: kevan-tel calls [--limit N] [--json] | calls decide CALL_ID accept|reject|voicemail");

// `calls decide CALL_ID accept|reject|voicemail`: the owner's answer to a call that rings under
// the `ask` policy (voicemail: the caller can leave a message). The engine runs in another process,
// so this appends a request event (tel.owner_decision_requested, OwnerDecisionRequest) that the
// running engine reads (at once on PostgreSQL, which announces it; polled on SQLite) and carries
// out (Engine::pollOwnerDecisions); the engine records the decision itself as tel.owner_decision.
int decideCall(const CommandLine &cl, EventStore &store)
{
    const QString answer = cl.words.at(3);
    if (answer != QLatin1String("accept") && answer != QLatin1String("reject") &&
        answer != QLatin1String("voicemail"))
        return usageError(kCallsUsage);
    const bool accept = answer == QLatin1String("accept");
    QString callId;
    QString fromNumber;
    const AppendResult result = OwnerDecisionRequest::append(
        store, cl.words.at(2), answer, QStringLiteral("cli"), &callId, &fromNumber);
    if (!result.ok()) {
        Output::error(result.error);
        return 1;
    }
    const QString message =
        QStringLiteral("asked the engine to %1 call %2 from %3")
            .arg(answer == QLatin1String("voicemail") ? QStringLiteral("send to voicemail")
                                                      : answer,
                 callId, fromNumber.isEmpty() ? QStringLiteral("an unknown caller") : fromNumber);
    if (cl.json) {
        Output::json(QJsonArray{QJsonObject{{QStringLiteral("ok"), true},
                                            {QStringLiteral("call_id"), callId},
                                            {QStringLiteral("accept"), accept},
                                            {QStringLiteral("choice"), answer},
                                            {QStringLiteral("seq"), result.seq},
                                            {QStringLiteral("message"), message}}});
    } else {
        Output::line(message);
    }
    return 0;
}

} // namespace

int callsCommand(const CommandLine &cl, EventStore &store)
{
    if (cl.words.value(1) == QLatin1String("decide") && cl.words.size() == 4)
        return decideCall(cl, store);
    if (cl.words.size() != 1)
        return usageError(kCallsUsage);
    CallQuery query;
    query.limit = cl.limit > 0 ? cl.limit : 50;
    const QList<CallRecord> calls = store.calls(query);
    // A screened call's words and deepfake hint (flags.screen): caller-controlled text, read
    // back within its bounds and printed as text.
    auto transcriptOf = [](const CallRecord &c) {
        const QJsonObject screen = c.flags.value(QStringLiteral("screen")).toObject();
        return ScreenTranscript::fromJson(screen.value(QStringLiteral("transcript")).toObject());
    };
    auto hintOf = [](const CallRecord &c) {
        return DeepfakeHint::fromJson(c.flags.value(QStringLiteral("screen"))
                                          .toObject()
                                          .value(QStringLiteral("deepfake"))
                                          .toObject());
    };
    if (cl.json) {
        QJsonArray rows;
        for (const CallRecord &c : calls) {
            QJsonObject row = c.toJson();
            if (c.flags.contains(QStringLiteral("screen"))) {
                const ScreenTranscript t = transcriptOf(c);
                row.insert(QStringLiteral("transcript"), t.text());
                if (!t.callerName().isEmpty())
                    row.insert(QStringLiteral("screen_caller_name"), t.callerName());
                if (!t.reason().isEmpty())
                    row.insert(QStringLiteral("screen_reason"), t.reason());
                row.insert(QStringLiteral("deepfake_hint"), hintOf(c).text());
            }
            rows.append(row);
        }
        Output::json(rows);
        return 0;
    }
    QList<QStringList> rows;
    for (const CallRecord &c : calls) {
        QString words;
        QString hint;
        if (c.flags.contains(QStringLiteral("screen"))) {
            const ScreenTranscript t = transcriptOf(c);
            words = t.firstWords(60);
            if (!t.callerName().isEmpty())
                words = QStringLiteral("[%1] ").arg(t.callerName().left(30)) + words;
            hint = hintOf(c).text();
        }
        rows.append({c.callId, c.fromNumber, c.toNumber, c.decision, c.reason, c.namespaceName,
                     c.state, c.startedAt, c.endedAt, words, hint});
    }
    Output::table({QStringLiteral("CALL"), QStringLiteral("FROM"), QStringLiteral("TO"),
                   QStringLiteral("DECISION"), QStringLiteral("REASON"),
                   QStringLiteral("NAMESPACE"), QStringLiteral("STATE"), QStringLiteral("STARTED"),
                   QStringLiteral("ENDED"), QStringLiteral("TRANSCRIPT"),
                   QStringLiteral("DEEPFAKE")},
                  rows);
    return 0;
}

} // namespace kt
