// SPDX-License-Identifier: GPL-3.0-or-later
#include "callstatemachine.h"

#include "callsteps.h"
#include "decider.h"

namespace kt {

using namespace callsteps;

namespace {

// client_state of the digit gathers: base64 of "pin:N" (a PIN) or "code:N" (a call-in code).
QString pinClientState(const QByteArray &kind, int pinTry)
{
    return QString::fromLatin1(
        QByteArray(kind).append(':').append(QByteArray::number(pinTry)).toBase64());
}

// The try a gather.ended names in its client_state; 0 when it names none.
int pinTryOf(const QString &clientState)
{
    const QByteArray raw = QByteArray::fromBase64(clientState.left(64).toLatin1());
    const int colon = raw.indexOf(':');
    if (colon < 0 || (raw.left(colon) != "pin" && raw.left(colon) != "code"))
        return 0;
    bool ok = false;
    const int n = raw.mid(colon + 1).toInt(&ok);
    return ok && n > 0 ? n : 0;
}

} // namespace

void CallStateMachine::askForDigits(CallActions &out)
{
    if (m_pinAwaiting != 0 || m_pinTries != m_pinFailures || m_pinTries >= m_config.pinMaxTries)
        return;
    const bool code = collectingCode();
    const int next = m_pinTries + 1;
    const QString prompt = code ? (next == 1 ? m_config.callInPrompt : m_config.callInRetryPrompt)
                                : (next == 1 ? m_config.pinPrompt : m_config.pinRetryPrompt);
    QJsonObject params;
    params.insert(QStringLiteral("payload"), prompt.left(MaxSpeakPayload));
    params.insert(QStringLiteral("voice"), m_config.voice);
    if (!m_config.language.isEmpty())
        params.insert(QStringLiteral("language"), m_config.language);
    params.insert(QStringLiteral("minimum_digits"), code ? 6 : 4);
    params.insert(QStringLiteral("maximum_digits"), code ? 6 : 8);
    params.insert(QStringLiteral("valid_digits"), QStringLiteral("0123456789"));
    params.insert(QStringLiteral("terminating_digit"), QStringLiteral("#"));
    params.insert(QStringLiteral("timeout_millis"), m_config.pinTimeoutSecs * 1000);
    params.insert(QStringLiteral("inter_digit_timeout_millis"), m_config.pinInterDigitSecs * 1000);
    // One try per gather: the machine counts the tries, not Telnyx.
    params.insert(QStringLiteral("maximum_tries"), 1);
    params.insert(
        QStringLiteral("client_state"),
        pinClientState(code ? QByteArrayLiteral("code") : QByteArrayLiteral("pin"), next));
    m_pinTries = next;
    issue(out, (code ? StepGatherCode : StepGatherPin) + QString::number(next),
          QStringLiteral("gather_using_speak"), params);
}

void CallStateMachine::onGatherEnded(CallActions &out, const CallPayload &p)
{
    if (!collectingDigits() || m_pinTries == 0)
        return;
    // Telnyx echoes the last client_state; without one the result is the current try's.
    const int named = pinTryOf(p.clientState);
    const int pinTry = named > 0 ? named : m_pinTries;
    if (pinTry != m_pinTries || m_pinAwaiting == pinTry || m_pinFailures >= pinTry) {
        note(QStringLiteral("stale_gather"));
        return;
    }
    if (p.status == QLatin1String("call_hangup"))
        return; // the caller is gone; call.hangup follows
    // The terminating # is not part of the PIN (whether or not Telnyx reports it).
    QString digits = p.digits.left(32);
    if (digits.endsWith(QLatin1Char('#')))
        digits.chop(1);
    if (p.status == QLatin1String("valid") && !digits.isEmpty()) {
        m_pinAwaiting = pinTry;
        out.append(CallAction::pinTried(pinTry, p.status, digits));
        return;
    }
    out.append(CallAction::pinTried(
        pinTry, p.status.isEmpty() ? QStringLiteral("unspecified") : p.status.left(32), QString()));
    failPinTry();
}

void CallStateMachine::failPinTry()
{
    ++m_pinFailures;
    if (m_pinFailures >= m_config.pinMaxTries)
        m_decision = collectingCode() ? Decider::callInFailed(*m_decision)
                                      : Decider::pinRejected(*m_decision, false);
}

bool CallStateMachine::collectingDigits() const
{
    return m_decision && (m_decision->action == Decision::AnswerAndChallenge ||
                          m_decision->action == Decision::AnswerAndCollectCode);
}

bool CallStateMachine::collectingCode() const
{
    return m_decision && m_decision->action == Decision::AnswerAndCollectCode;
}

QString CallStateMachine::pinResultName(PinResult result)
{
    switch (result) {
    case PinResult::Right:
        return QStringLiteral("right");
    case PinResult::Wrong:
        return QStringLiteral("wrong");
    case PinResult::Locked:
        return QStringLiteral("locked");
    case PinResult::Unverifiable:
        return QStringLiteral("unverifiable");
    }
    return QString();
}

std::optional<CallStateMachine::PinResult> CallStateMachine::pinResultFromName(const QString &name)
{
    for (const PinResult r :
         {PinResult::Right, PinResult::Wrong, PinResult::Locked, PinResult::Unverifiable}) {
        if (pinResultName(r) == name)
            return r;
    }
    return std::nullopt;
}

CallActions CallStateMachine::onPinResult(int pinTry, PinResult result)
{
    if (m_ended || pinTry <= 0 || pinTry != m_pinAwaiting || !collectingDigits())
        return CallActions();
    m_pinAwaiting = 0;
    const bool code = collectingCode();
    switch (result) {
    case PinResult::Right:
        m_decision = code ? Decider::callInProven(*m_decision) : Decider::pinAccepted(*m_decision);
        break;
    case PinResult::Locked:
        ++m_pinFailures;
        m_decision =
            code ? Decider::callInFailed(*m_decision) : Decider::pinRejected(*m_decision, true);
        break;
    case PinResult::Wrong:
    case PinResult::Unverifiable:
        failPinTry();
        break;
    }
    return pump();
}

} // namespace kt
