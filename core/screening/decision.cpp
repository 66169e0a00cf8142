// SPDX-License-Identifier: GPL-3.0-or-later
#include "decision.h"

#include <QJsonArray>

namespace kt {

QString Decision::outcomeName(Outcome outcome)
{
    switch (outcome) {
    case Blocked:
        return QStringLiteral("blocked");
    case Authenticated:
        return QStringLiteral("authenticated");
    case Allowlisted:
        return QStringLiteral("allowlisted");
    case Rejected:
        return QStringLiteral("rejected");
    case Ask:
        return QStringLiteral("ask");
    case Challenge:
        return QStringLiteral("challenge");
    case Voicemail:
        return QStringLiteral("voicemail");
    }
    return QString();
}

std::optional<Decision::Outcome> Decision::outcomeFromName(const QString &name)
{
    for (const Outcome o :
         {Blocked, Authenticated, Allowlisted, Rejected, Ask, Challenge, Voicemail}) {
        if (outcomeName(o) == name)
            return o;
    }
    return std::nullopt;
}

QString Decision::actionName(Action action)
{
    switch (action) {
    case RejectCall:
        return QStringLiteral("reject_call");
    case AnswerAndForward:
        return QStringLiteral("answer_and_forward");
    case AnswerAndSpeakRejection:
        return QStringLiteral("answer_and_speak_rejection");
    case Ring:
        return QStringLiteral("ring");
    case AnswerAndChallenge:
        return QStringLiteral("answer_and_challenge");
    case AnswerAndCollectCode:
        return QStringLiteral("answer_and_collect_code");
    case AnswerAndVoicemail:
        return QStringLiteral("answer_and_voicemail");
    case AnswerAndScreen:
        return QStringLiteral("answer_and_screen");
    }
    return QString();
}

std::optional<Decision::Action> Decision::actionFromName(const QString &name)
{
    for (const Action a :
         {RejectCall, AnswerAndForward, AnswerAndSpeakRejection, Ring, AnswerAndChallenge,
          AnswerAndCollectCode, AnswerAndVoicemail, AnswerAndScreen}) {
        if (actionName(a) == name)
            return a;
    }
    return std::nullopt;
}

QJsonObject Decision::toJson() const
{
    QJsonObject o;
    o.insert(QStringLiteral("decision"), decisionName());
    o.insert(QStringLiteral("caller"), caller);
    o.insert(QStringLiteral("reason"), reason);
    o.insert(QStringLiteral("namespace"), nameSpace);
    o.insert(QStringLiteral("rule_id"), ruleId);
    o.insert(QStringLiteral("rule_single_use"), ruleSingleUse);
    o.insert(QStringLiteral("action"), actionName());
    o.insert(QStringLiteral("dry_run"), dryRun);
    o.insert(QStringLiteral("flags"), QJsonArray::fromStringList(flags));
    o.insert(QStringLiteral("certificate_code"), certificateCode);
    o.insert(QStringLiteral("explanation"), explanation);
    o.insert(QStringLiteral("proof"), proof);
    o.insert(QStringLiteral("claimed_namespace"), claimedNamespace);
    return o;
}

std::optional<Decision> Decision::fromJson(const QJsonObject &json, QString *error)
{
    Decision d;
    const auto outcome = outcomeFromName(json.value(QLatin1String("decision")).toString());
    const auto action = actionFromName(json.value(QLatin1String("action")).toString());
    if (!outcome || !action) {
        if (error)
            *error = QStringLiteral("decision needs a known \"decision\" and \"action\"");
        return std::nullopt;
    }
    d.outcome = *outcome;
    d.action = *action;
    d.caller = json.value(QLatin1String("caller")).toString();
    d.reason = json.value(QLatin1String("reason")).toString();
    d.nameSpace = json.value(QLatin1String("namespace")).toString();
    d.ruleId = json.value(QLatin1String("rule_id")).toInteger();
    d.ruleSingleUse = json.value(QLatin1String("rule_single_use")).toBool();
    d.dryRun = json.value(QLatin1String("dry_run")).toBool();
    for (const QJsonValue &f : json.value(QLatin1String("flags")).toArray())
        d.flags.append(f.toString());
    d.certificateCode = json.value(QLatin1String("certificate_code")).toString();
    d.explanation = json.value(QLatin1String("explanation")).toString();
    d.proof = json.value(QLatin1String("proof")).toString();
    d.claimedNamespace = json.value(QLatin1String("claimed_namespace")).toString();
    return d;
}

bool Decision::operator==(const Decision &o) const
{
    return outcome == o.outcome && caller == o.caller && reason == o.reason &&
           nameSpace == o.nameSpace && ruleId == o.ruleId && ruleSingleUse == o.ruleSingleUse &&
           action == o.action && dryRun == o.dryRun && flags == o.flags &&
           certificateCode == o.certificateCode && explanation == o.explanation &&
           proof == o.proof && claimedNamespace == o.claimedNamespace;
}

} // namespace kt
