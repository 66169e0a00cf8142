// SPDX-License-Identifier: GPL-3.0-or-later
#include "historybuilder.h"

#include "webhookmix.h"

#include "screening/callstatemachine.h"
#include "screening/numbermap.h"
#include "screening/screeningrepository.h"
#include "store/eventstore.h"

#include <QJsonArray>
#include <QUuid>

#include <random>

namespace kt::bench {
namespace {

QString telnyxTime(const QDateTime &t)
{
    return t.toUTC().toString(QStringLiteral("yyyy-MM-dd'T'HH:mm:ss.zzz'000Z'"));
}

QString uuid(std::mt19937 &random)
{
    // Deterministic per seed (QUuid::createUuid() is not).
    QByteArray bytes(16, Qt::Uninitialized);
    for (int i = 0; i < 16; i += 4) {
        const quint32 v = random();
        memcpy(bytes.data() + i, &v, 4);
    }
    bytes[6] = char((bytes[6] & 0x0f) | 0x40);
    bytes[8] = char((bytes[8] & 0x3f) | 0x80);
    return QUuid::fromRfc4122(bytes).toString(QUuid::WithoutBraces);
}

QJsonObject envelope(const QString &type, const QString &id, const QDateTime &at,
                     const QJsonObject &payload)
{
    return {{QStringLiteral("data"),
             QJsonObject{{QStringLiteral("event_type"), type},
                         {QStringLiteral("id"), id},
                         {QStringLiteral("occurred_at"), telnyxTime(at)},
                         {QStringLiteral("payload"), payload},
                         {QStringLiteral("record_type"), QStringLiteral("event")}}},
            {QStringLiteral("meta"),
             QJsonObject{{QStringLiteral("attempt"), 1},
                         {QStringLiteral("delivered_to"),
                          QStringLiteral("https://kevan-tel.example.net/webhooks/telnyx")}}}};
}

} // namespace

QString HistoryBuilder::callerNumber(int index)
{
    // Distinct North American numbers: +1 404 2XX XXXX, +1 678 ..., one area code per 8M.
    static const int areas[] = {404, 678, 770, 470, 912, 706, 229};
    return QStringLiteral("+1%1%2%3")
        .arg(areas[(index / 8'000'000) % 7])
        .arg(200 + (index / 10'000) % 800)
        .arg(index % 10'000, 4, 10, QLatin1Char('0'));
}

bool HistoryBuilder::build(EventStore &store, const Options &o, const Progress &progress,
                           QString *error)
{
    ScreeningRepository repository(store);
    const auto seeded = repository.ensureDefaultNumbers(QStringLiteral("bench"));
    if (!seeded.ok) {
        *error = seeded.error;
        return false;
    }
    QStringList owner;
    const NumberMap map = NumberMap::defaultMap();
    for (const NumberEntry &e : map.entries())
        owner << e.e164;

    std::mt19937 random(o.seed);
    const qint64 calls = (o.events + EventsPerCall - 1) / EventsPerCall;
    const qint64 spanMs = qint64(o.days) * 86'400'000;
    const QDateTime start = o.end.addMSecs(-spanMs);
    QDateTime clock = start;
    store.setClock([&clock] { return clock; });
    const QJsonObject callConfig = CallConfig().toJson();

    qint64 appended = 0;
    QString failure;
    auto add = [&](const QString &type, const QString &actor, const QString &callId,
                   const QDateTime &at, const QJsonObject &payload, const CallUpdate *update,
                   const QString &telnyxId = {}) {
        if (!failure.isEmpty())
            return;
        clock = at.addMSecs(1);
        NewEvent e;
        e.telnyxId = telnyxId;
        e.type = type;
        e.callId = callId;
        e.occurredAt = actor == QLatin1String("telnyx") ? telnyxTime(at) : QString();
        e.actor = actor;
        e.payload = payload;
        const AppendResult r = store.append(e, update);
        if (r.status != AppendResult::Status::Stored)
            failure = r.error.isEmpty() ? QStringLiteral("unexpected duplicate") : r.error;
        ++appended;
    };

    bool batchOpen = false;
    for (qint64 k = 0; k < calls && failure.isEmpty(); ++k) {
        if (!batchOpen) {
            if (!store.beginBatch()) {
                *error = store.errorString();
                return false;
            }
            batchOpen = true;
        }
        const QDateTime t0 = start.addMSecs(spanMs * k / calls + qint64(random() % 60000));
        const int callerIndex = random() % 10 < 3 ? int(random() % FrequentCallers)
                                                  : FrequentCallers + int(random() % OtherCallers);
        MixCall call;
        call.callControlId = QStringLiteral("v3:") + uuid(random).remove(QLatin1Char('-'));
        call.callLegId = uuid(random);
        call.callSessionId = uuid(random);
        call.connectionId = QStringLiteral("2811212257810187875");
        call.from = callerNumber(callerIndex);
        call.to = owner.at(int(random() % owner.size()));
        const QString callId = call.callSessionId;
        const int kind = int(random() % 10); // 0-6 rejected, 7 blocked, 8 authenticated, 9 allow
        const QString decision = kind < 7    ? QStringLiteral("rejected")
                                 : kind == 7 ? QStringLiteral("blocked")
                                 : kind == 8 ? QStringLiteral("authenticated")
                                             : QStringLiteral("allowlisted");
        const QString reason = kind < 7    ? QStringLiteral("unregistered")
                               : kind == 7 ? QStringLiteral("block_rule")
                               : kind == 8 ? QStringLiteral("registry")
                                           : QStringLiteral("allow_rule");
        const QString command = kind < 7    ? QStringLiteral("answer")
                                : kind == 7 ? QStringLiteral("reject")
                                            : QStringLiteral("transfer");

        // 1 call.initiated, as the engine stores it: the whole signed body.
        QString type;
        QJsonObject p = WebhookMix::payload(call, 0, &type);
        p.insert(QStringLiteral("start_time"), telnyxTime(t0));
        CallUpdate initiated;
        initiated.callId = callId;
        initiated.callControlId = call.callControlId;
        initiated.fromNumber = call.from;
        initiated.toNumber = call.to;
        initiated.callerName = call.from;
        initiated.direction = QStringLiteral("incoming");
        initiated.startedAt = telnyxTime(t0);
        initiated.state = QStringLiteral("ringing");
        const QString id0 = uuid(random);
        add(type, QStringLiteral("telnyx"), callId, t0, envelope(type, id0, t0, p), &initiated,
            id0);

        // 2 tel.call_inbound
        const QDateTime t1 = t0.addMSecs(3);
        add(QStringLiteral("tel.call_inbound"), QStringLiteral("engine"), callId, t1,
            {{QStringLiteral("from"), call.from},
             {QStringLiteral("raw_from"), call.from},
             {QStringLiteral("to"), call.to},
             {QStringLiteral("to_known"), true},
             {QStringLiteral("number_policy"), QString()},
             {QStringLiteral("caller_id_name"), call.from},
             {QStringLiteral("shaken_stir_attestation"), QStringLiteral("B")},
             {QStringLiteral("call_screening_result"), QString()},
             {QStringLiteral("shaken_stir_validated"), true}},
            nullptr);

        // 3 the decision
        const QString nameSpace = kind == 8 ? QStringLiteral("alice.x") : QString();
        const QJsonObject decisionJson{
            {QStringLiteral("decision"), decision},
            {QStringLiteral("caller"), call.from},
            {QStringLiteral("reason"), reason},
            {QStringLiteral("namespace"), nameSpace},
            {QStringLiteral("rule_id"), kind == 7 || kind == 9 ? 3 : 0},
            {QStringLiteral("rule_single_use"), false},
            {QStringLiteral("action"), kind < 7    ? QStringLiteral("answer_and_speak_rejection")
                                       : kind == 7 ? QStringLiteral("reject_call")
                                                   : QStringLiteral("answer_and_forward")},
            {QStringLiteral("dry_run"), false},
            {QStringLiteral("flags"), QJsonArray()},
            {QStringLiteral("certificate_code"), kind == 8 ? QStringLiteral("valid") : QString()},
            {QStringLiteral("explanation"),
             QStringLiteral("%1 is %2 (%3).").arg(call.from, decision, reason)}};
        CallUpdate decided;
        decided.callId = callId;
        decided.decision = decision;
        decided.reason = reason;
        decided.namespaceName = nameSpace;
        decided.decidedAt = telnyxTime(t1.addMSecs(1));
        decided.flags = QJsonObject();
        decided.state = kind == 7 ? QStringLiteral("rejecting") : QStringLiteral("answering");
        add(QStringLiteral("tel.call_") + decision, QStringLiteral("engine"), callId,
            t1.addMSecs(1),
            {{QStringLiteral("decision"), decisionJson},
             {QStringLiteral("call_config"), callConfig},
             {QStringLiteral("from"), call.from},
             {QStringLiteral("to"), call.to}},
            &decided);

        // 4 tel.command_sent, 5 tel.command_ok
        const QString commandId = uuid(random);
        CallUpdate sent;
        sent.callId = callId;
        sent.state = decided.state;
        add(QStringLiteral("tel.command_sent"), QStringLiteral("engine"), callId, t1.addMSecs(2),
            {{QStringLiteral("type"), QStringLiteral("command")},
             {QStringLiteral("step"), command},
             {QStringLiteral("name"), command},
             {QStringLiteral("call_control_id"), call.callControlId},
             {QStringLiteral("command_id"), commandId},
             {QStringLiteral("params"),
              kind == 7 ? QJsonObject{{QStringLiteral("cause"), QStringLiteral("CALL_REJECTED")}}
                        : QJsonObject()}},
            &sent);
        add(QStringLiteral("tel.command_ok"), QStringLiteral("engine"), callId, t1.addMSecs(90),
            {{QStringLiteral("step"), command},
             {QStringLiteral("command"), command},
             {QStringLiteral("call_control_id"), call.callControlId},
             {QStringLiteral("command_id"), commandId},
             {QStringLiteral("http_status"), 200},
             {QStringLiteral("attempts"), 1}},
            &sent);

        // 6 what followed, 7 call.hangup, 8 tel.call_ended
        const QDateTime t6 = t1.addMSecs(300);
        if (kind < 7) {
            const QString id = uuid(random);
            QJsonObject answered = WebhookMix::payload(call, 1, &type);
            answered.insert(QStringLiteral("start_time"), telnyxTime(t0));
            add(type, QStringLiteral("telnyx"), callId, t6, envelope(type, id, t6, answered),
                nullptr, id);
        } else if (kind == 7) {
            CallUpdate state;
            state.callId = callId;
            state.state = QStringLiteral("rejected");
            add(QStringLiteral("tel.call_state"), QStringLiteral("engine"), callId, t6,
                {{QStringLiteral("state"), QStringLiteral("rejected")},
                 {QStringLiteral("after"), QStringLiteral("tel.command_ok")}},
                &state);
        } else {
            CallUpdate state;
            state.callId = callId;
            state.state = QStringLiteral("forwarded");
            add(QStringLiteral("tel.call_forwarded"), QStringLiteral("engine"), callId, t6,
                {{QStringLiteral("state"), QStringLiteral("forwarded")},
                 {QStringLiteral("after"), QStringLiteral("call.bridged")}},
                &state);
        }
        const QDateTime t7 = t6.addMSecs(5000 + qint64(random() % 120000));
        QJsonObject hangup = WebhookMix::payload(call, 4, &type);
        hangup.insert(QStringLiteral("start_time"), telnyxTime(t0));
        hangup.insert(QStringLiteral("end_time"), telnyxTime(t7));
        const QString id7 = uuid(random);
        add(type, QStringLiteral("telnyx"), callId, t7, envelope(type, id7, t7, hangup), nullptr,
            id7);
        CallUpdate ended;
        ended.callId = callId;
        ended.state = QStringLiteral("ended");
        ended.endedAt = telnyxTime(t7);
        ended.hangupCause = QStringLiteral("normal_clearing");
        add(QStringLiteral("tel.call_ended"), QStringLiteral("engine"), callId, t7.addMSecs(2),
            {{QStringLiteral("state"), QStringLiteral("ended")},
             {QStringLiteral("after"), QStringLiteral("call.hangup")},
             {QStringLiteral("cause"), QStringLiteral("normal_clearing")},
             {QStringLiteral("hangup_source"), QStringLiteral("callee")},
             {QStringLiteral("sip_hangup_cause"), QStringLiteral("200")}},
            &ended);

        if (appended % o.batch < EventsPerCall || k + 1 == calls) {
            if (!store.commitBatch()) {
                *error = store.errorString();
                return false;
            }
            batchOpen = false;
            if (progress)
                progress(appended, calls * EventsPerCall);
        }
    }
    if (batchOpen && !store.commitBatch() && failure.isEmpty())
        failure = store.errorString();
    store.setClock({});
    if (!failure.isEmpty()) {
        *error = failure;
        return false;
    }
    return true;
}

} // namespace kt::bench
