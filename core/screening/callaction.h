// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>

namespace kt {

// One output of the CallStateMachine, for the engine to execute.
struct CallAction
{
    enum Type {
        Command,        // send a Telnyx Call Control command
        StartAskTimer,  // start the owner's decision timer (secs); on expiry call onAskTimeout()
        CancelAskTimer, // stop it
        // A PIN gather ended (see CallStateMachine): status "valid" -> verify `digits` against
        // the registration and report with onPinResult(); any other status -> the try failed
        // (the machine has moved on already); the engine records it.
        PinTry,
        // A screened caller has been greeted and said nothing yet: start the silence timer
        // (secs); on expiry call onScreenSilence() (README "Screening a caller").
        StartSilenceTimer,
    };

    Type type = Command;
    // Command only:
    QString step; // unique per call: answer, reject, transfer, speak_rejection, hangup,
                  // speak_unavailable, hangup_after_fallback
    QString name; // the Telnyx command: answer | reject | transfer | speak | hangup
    QString callControlId;
    QJsonObject params; // the command body, without command_id / client_state
    // A stable command_id: UUIDv5 of (call_session_id, step). The same on every retry and after a
    // restore from a snapshot, different for every step and call.
    QString commandId;
    // StartAskTimer only:
    int secs = 0; // StartAskTimer, StartSilenceTimer
    // PinTry only: which try (1, 2, ...), the gather's status and, for "valid", the digits.
    // The digits are a secret: toJson() leaves them out.
    int pinTry = 0;
    QString pinStatus;
    QString digits;

    bool isCommand() const { return type == Command; }

    static CallAction command(const QString &step, const QString &name,
                              const QString &callControlId, const QJsonObject &params,
                              const QString &commandId)
    {
        CallAction a;
        a.type = Command;
        a.step = step;
        a.name = name;
        a.callControlId = callControlId;
        a.params = params;
        a.commandId = commandId;
        return a;
    }
    static CallAction startAskTimer(int secs)
    {
        CallAction a;
        a.type = StartAskTimer;
        a.secs = secs;
        return a;
    }
    static CallAction cancelAskTimer()
    {
        CallAction a;
        a.type = CancelAskTimer;
        return a;
    }
    static CallAction startSilenceTimer(int secs)
    {
        CallAction a;
        a.type = StartSilenceTimer;
        a.secs = secs;
        return a;
    }
    static CallAction pinTried(int pinTry, const QString &status, const QString &digits)
    {
        CallAction a;
        a.type = PinTry;
        a.pinTry = pinTry;
        a.pinStatus = status;
        a.digits = digits;
        return a;
    }

    // {"type": "command"|"start_ask_timer"|"cancel_ask_timer"|"pin_try"|"start_silence_timer",
    // ...the set fields
    // (never the digits)}
    QJsonObject toJson() const
    {
        QJsonObject o;
        switch (type) {
        case Command:
            o.insert(QStringLiteral("type"), QStringLiteral("command"));
            o.insert(QStringLiteral("step"), step);
            o.insert(QStringLiteral("name"), name);
            o.insert(QStringLiteral("call_control_id"), callControlId);
            o.insert(QStringLiteral("command_id"), commandId);
            o.insert(QStringLiteral("params"), params);
            break;
        case StartAskTimer:
            o.insert(QStringLiteral("type"), QStringLiteral("start_ask_timer"));
            o.insert(QStringLiteral("secs"), secs);
            break;
        case CancelAskTimer:
            o.insert(QStringLiteral("type"), QStringLiteral("cancel_ask_timer"));
            break;
        case PinTry:
            o.insert(QStringLiteral("type"), QStringLiteral("pin_try"));
            o.insert(QStringLiteral("try"), pinTry);
            o.insert(QStringLiteral("status"), pinStatus);
            break;
        case StartSilenceTimer:
            o.insert(QStringLiteral("type"), QStringLiteral("start_silence_timer"));
            o.insert(QStringLiteral("secs"), secs);
            break;
        }
        return o;
    }

    bool operator==(const CallAction &o) const
    {
        return type == o.type && step == o.step && name == o.name &&
               callControlId == o.callControlId && params == o.params && commandId == o.commandId &&
               secs == o.secs && pinTry == o.pinTry && pinStatus == o.pinStatus &&
               digits == o.digits;
    }
    bool operator!=(const CallAction &o) const { return !(*this == o); }
};

using CallActions = QList<CallAction>;

} // namespace kt
