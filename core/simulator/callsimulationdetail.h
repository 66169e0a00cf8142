// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// What the files of CallSimulation share (callsimulation.cpp: the calls, their events, media and
// hangup; callsimulationcommands.cpp: the Call Control commands; callsimulationscreen.cpp: a
// screened call): webhook event names and the checks Telnyx applies to a command's body.
// Internal to core/simulator.

#include "callsimulation.h"
#include "telnyx/telnyxerror.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QUuid>

#include <optional>

namespace kt::simulationdetail {

inline const QString kCallInitiated = QStringLiteral("call.initiated");
inline const QString kCallAnswered = QStringLiteral("call.answered");
inline const QString kCallHangup = QStringLiteral("call.hangup");
inline const QString kCallBridged = QStringLiteral("call.bridged");
inline const QString kSpeakStarted = QStringLiteral("call.speak.started");
inline const QString kSpeakEnded = QStringLiteral("call.speak.ended");
inline const QString kDtmfReceived = QStringLiteral("call.dtmf.received");
inline const QString kGatherEnded = QStringLiteral("call.gather.ended");

inline QString uuid()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

inline CommandOutcome failure(const TelnyxError &error, int status = 422)
{
    return {status, error.body()};
}

inline bool isBlankString(const QJsonValue &value)
{
    return !value.isString() || value.toString().trimmed().isEmpty();
}

inline std::optional<TelnyxError> checkRange(const QJsonObject &body, const char *field, int min,
                                             int max)
{
    const QJsonValue value = body.value(QLatin1String(field));
    if (value.isUndefined() || value.isNull())
        return std::nullopt;
    const double number = value.toDouble(-1e18);
    if (!value.isDouble() || number < min || number > max)
        return TelnyxError::outOfRange(QLatin1String(field), min, max);
    return std::nullopt;
}

} // namespace kt::simulationdetail
