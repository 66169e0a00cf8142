// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "screening/callaction.h"

#include <QString>
#include <QStringList>

// How the call state machine's suites read what it asks for.
namespace kt::test {

// Each action as one word: a command's step, start_ask_timer:SECS, cancel_ask_timer,
// pin_try:TRY:STATUS, start_silence_timer:SECS.
inline QStringList steps(const CallActions &actions)
{
    QStringList out;
    for (const CallAction &a : actions) {
        switch (a.type) {
        case CallAction::Command:
            out << a.step;
            break;
        case CallAction::StartAskTimer:
            out << QStringLiteral("start_ask_timer:%1").arg(a.secs);
            break;
        case CallAction::CancelAskTimer:
            out << QStringLiteral("cancel_ask_timer");
            break;
        case CallAction::PinTry:
            out << QStringLiteral("pin_try:%1:%2").arg(a.pinTry).arg(a.pinStatus);
            break;
        case CallAction::StartSilenceTimer:
            out << QStringLiteral("start_silence_timer:%1").arg(a.secs);
            break;
        }
    }
    return out;
}

// The command of step `step` among `actions`; null when there is none.
inline const CallAction *findStep(const CallActions &actions, const QString &step)
{
    for (const CallAction &a : actions) {
        if (a.isCommand() && a.step == step)
            return &a;
    }
    return nullptr;
}

} // namespace kt::test
