// SPDX-License-Identifier: GPL-3.0-or-later
#include "callstatemachine.h"

#include <QJsonArray>

namespace kt {

namespace {

QJsonArray toArray(const QStringList &list)
{
    return QJsonArray::fromStringList(list);
}

QStringList fromArray(const QJsonValue &v)
{
    QStringList out;
    for (const QJsonValue &x : v.toArray())
        out.append(x.toString());
    return out;
}

} // namespace

QJsonObject CallStateMachine::toJson() const
{
    QJsonObject o;
    o.insert(QStringLiteral("version"), 1);
    o.insert(QStringLiteral("config"), m_config.toJson());
    o.insert(QStringLiteral("state"), state());
    o.insert(QStringLiteral("session_id"), m_sessionId);
    o.insert(QStringLiteral("leg_a"), m_legA);
    o.insert(QStringLiteral("leg_b"), m_legB);
    o.insert(QStringLiteral("caller_from"), m_callerFrom);
    o.insert(QStringLiteral("decision"),
             m_decision ? QJsonValue(m_decision->toJson()) : QJsonValue(QJsonValue::Null));
    o.insert(QStringLiteral("ask_timer_started"), m_askTimerStarted);
    o.insert(QStringLiteral("ask_resolved"), m_askResolved);
    o.insert(QStringLiteral("answered"), m_answered);
    o.insert(QStringLiteral("bridged"), m_bridged);
    o.insert(QStringLiteral("leg_b_answered"), m_legBAnswered);
    o.insert(QStringLiteral("leg_b_ended"), m_legBEnded);
    o.insert(QStringLiteral("transfer_failed"), m_transferFailed);
    o.insert(QStringLiteral("speak_ended"), m_speakEnded);
    o.insert(QStringLiteral("speak_failed"), m_speakFailed);
    o.insert(QStringLiteral("voicemail"), m_voicemail);
    o.insert(QStringLiteral("recording_saved"), m_recordingSaved);
    o.insert(QStringLiteral("record_failed"), m_recordFailed);
    o.insert(QStringLiteral("ending"), m_ending);
    o.insert(QStringLiteral("failed"), m_failed);
    o.insert(QStringLiteral("ended"), m_ended);
    o.insert(QStringLiteral("end_cause"), m_endCause);
    o.insert(QStringLiteral("pin_tries"), m_pinTries);
    o.insert(QStringLiteral("pin_failures"), m_pinFailures);
    o.insert(QStringLiteral("pin_awaiting"), m_pinAwaiting);
    if (m_screened) {
        QJsonObject screen{{QStringLiteral("speak_ended"), m_screenSpeakEnded},
                           {QStringLiteral("speaks_ended"), m_screenSpeaksEnded},
                           {QStringLiteral("silence_timer_started"), m_silenceTimerStarted},
                           {QStringLiteral("silence_elapsed"), m_silenceElapsed},
                           {QStringLiteral("ai_failed"), m_aiFailed},
                           {QStringLiteral("engine"), m_screenEngineUsed},
                           {QStringLiteral("transcript"), m_transcript.toJson()},
                           {QStringLiteral("deepfake_result"), m_deepfakeResult},
                           {QStringLiteral("deepfake_score"), m_deepfakeScore}};
        o.insert(QStringLiteral("screen"), screen);
    }
    o.insert(QStringLiteral("issued"), toArray(m_issued));
    o.insert(QStringLiteral("notes"), toArray(m_notes));
    return o;
}

std::optional<CallStateMachine> CallStateMachine::fromJson(const QJsonObject &json, QString *error)
{
    if (json.value(QLatin1String("version")).toInt() != 1) {
        if (error)
            *error = QStringLiteral("call state snapshot: unknown version");
        return std::nullopt;
    }
    CallStateMachine m(CallConfig::fromJson(json.value(QLatin1String("config")).toObject()));
    m.m_sessionId = json.value(QLatin1String("session_id")).toString();
    m.m_legA = json.value(QLatin1String("leg_a")).toString();
    m.m_legB = json.value(QLatin1String("leg_b")).toString();
    m.m_callerFrom = json.value(QLatin1String("caller_from")).toString();
    const QJsonValue d = json.value(QLatin1String("decision"));
    if (d.isObject()) {
        QString why;
        const auto decision = Decision::fromJson(d.toObject(), &why);
        if (!decision) {
            if (error)
                *error = QStringLiteral("call state snapshot: ") + why;
            return std::nullopt;
        }
        m.m_decision = decision;
    }
    auto flag = [&json](const char *key) { return json.value(QLatin1String(key)).toBool(); };
    m.m_askTimerStarted = flag("ask_timer_started");
    m.m_askResolved = flag("ask_resolved");
    m.m_answered = flag("answered");
    m.m_bridged = flag("bridged");
    m.m_legBAnswered = flag("leg_b_answered");
    m.m_legBEnded = flag("leg_b_ended");
    m.m_transferFailed = flag("transfer_failed");
    m.m_speakEnded = flag("speak_ended");
    m.m_speakFailed = flag("speak_failed");
    m.m_voicemail = flag("voicemail");
    m.m_recordingSaved = flag("recording_saved");
    m.m_recordFailed = flag("record_failed");
    m.m_ending = flag("ending");
    m.m_failed = flag("failed");
    m.m_ended = flag("ended");
    m.m_endCause = json.value(QLatin1String("end_cause")).toString();
    m.m_pinTries = json.value(QLatin1String("pin_tries")).toInt();
    m.m_pinFailures = json.value(QLatin1String("pin_failures")).toInt();
    m.m_pinAwaiting = json.value(QLatin1String("pin_awaiting")).toInt();
    if (json.value(QLatin1String("screen")).isObject()) {
        const QJsonObject screen = json.value(QLatin1String("screen")).toObject();
        m.m_screened = true;
        m.m_screenSpeakEnded = screen.value(QLatin1String("speak_ended")).toBool();
        m.m_screenSpeaksEnded = screen.value(QLatin1String("speaks_ended")).toInt();
        m.m_silenceTimerStarted = screen.value(QLatin1String("silence_timer_started")).toBool();
        m.m_silenceElapsed = screen.value(QLatin1String("silence_elapsed")).toBool();
        m.m_aiFailed = screen.value(QLatin1String("ai_failed")).toBool();
        m.m_screenEngineUsed = screen.value(QLatin1String("engine")).toString();
        m.m_transcript =
            ScreenTranscript::fromJson(screen.value(QLatin1String("transcript")).toObject());
        m.m_deepfakeResult = screen.value(QLatin1String("deepfake_result")).toString();
        m.m_deepfakeScore = screen.value(QLatin1String("deepfake_score")).toDouble(-1);
    }
    m.m_issued = fromArray(json.value(QLatin1String("issued")));
    m.m_notes = fromArray(json.value(QLatin1String("notes")));
    m.updateState();
    return m;
}

} // namespace kt
