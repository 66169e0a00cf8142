// SPDX-License-Identifier: GPL-3.0-or-later
// What the engine's source files share and nothing else uses: its log category, its actor name
// in the event log, and the small translations between decisions, calls rows and events.
#pragma once

#include "engine.h"
#include "screening/decision.h"
#include "store/callrecord.h"
#include "store/storedevent.h"
#include "telnyx/webhookevent.h"

#include <QJsonObject>
#include <QLoggingCategory>
#include <QSet>
#include <QString>

#include <optional>

Q_DECLARE_LOGGING_CATEGORY(lcEngine)

namespace kt {
// What replaying a call's events found (Engine::rebuild()).
struct Engine::Replayed
{
    QList<CallAction> asked;               // the commands the machine asked for, in order
    QSet<QString> settled;                 // the steps whose outcome is logged
    std::optional<WebhookEvent> initiated; // leg A's call.initiated
    // An owner's decision asked for (`calls decide`) and not yet carried out.
    std::optional<StoredEvent> requested;
};
} // namespace kt

namespace kt::enginedetail {

inline const QString Actor = QStringLiteral("engine");

// The calls row's flags: the decision's flags, dry_run, and how the caller was proven (proof)
// or whom they claim to be (claimed_namespace) as text.
inline QJsonObject flagsOf(const Decision &decision)
{
    QJsonObject flags;
    for (const QString &f : decision.flags)
        flags.insert(f, true);
    if (decision.dryRun)
        flags.insert(QStringLiteral("dry_run"), true);
    if (!decision.proof.isEmpty())
        flags.insert(QStringLiteral("proof"), decision.proof);
    if (!decision.claimedNamespace.isEmpty())
        flags.insert(QStringLiteral("claimed_namespace"), decision.claimedNamespace);
    return flags;
}

// What the calls row shows of a screened call (flags.screen): the engine that heard the caller,
// the words (bounded, see ScreenTranscript) and the deepfake hint.
inline QJsonObject screenFlags(const CallStateMachine &m)
{
    QJsonObject screen{{QStringLiteral("engine"), m.screenEngineUsed()},
                       {QStringLiteral("transcript"), m.transcript().toJson()}};
    if (!m.deepfakeResult().isEmpty()) {
        QJsonObject hint{{QStringLiteral("result"), m.deepfakeResult()}};
        if (m.deepfakeScore() >= 0)
            hint.insert(QStringLiteral("score"), m.deepfakeScore());
        screen.insert(QStringLiteral("deepfake"), hint);
    }
    return screen;
}

// The calls row after a decision changed (pin, owner, timeout).
inline void applyDecision(CallUpdate &update, const Decision &d)
{
    update.decision = d.decisionName();
    update.reason = d.reason;
    update.namespaceName = d.nameSpace;
    update.flags = flagsOf(d);
}

inline bool isTerminal(const QString &state)
{
    return state == QLatin1String("ended") || state == QLatin1String("failed");
}

// The owner's choice as tel.owner_decision(_requested) records it: "choice", else "accept".
inline Engine::OwnerChoice choiceOf(const QJsonObject &payload)
{
    const QString choice = payload.value(QStringLiteral("choice")).toString();
    if (choice == QLatin1String("voicemail"))
        return Engine::OwnerChoice::Voicemail;
    if (choice == QLatin1String("reject"))
        return Engine::OwnerChoice::Reject;
    if (choice == QLatin1String("accept"))
        return Engine::OwnerChoice::Accept;
    return payload.value(QStringLiteral("accept")).toBool() ? Engine::OwnerChoice::Accept
                                                            : Engine::OwnerChoice::Reject;
}

} // namespace kt::enginedetail
