// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QString>
#include <QStringList>
#include <QtQml/qqmlregistration.h>

namespace kt {

// The words the dashboard shows for the codes the store keeps (a call's decision, the reason
// for it, its state, a number's policy), translatable, in one place: the QML views (the
// singleton `Labels`) and the C++ models (the static functions) say the same thing.
class Labels : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_SINGLETON
public:
    explicit Labels(QObject *parent = nullptr) : QObject(parent) {}

    // A call's decision as a badge: "Authenticated", "Asking you", "Deciding" (none yet);
    // a challenge for a self-registration is "Registration". An unknown code is shown as is.
    static QString decisionText(const QString &decision, const QString &reason = QString());
    // A decision in a count of past calls: "Asked you", "Undecided" (none, or any other).
    static QString tallyText(const QString &decision);
    // Why: "matches a block rule", ...; "" for none; an unknown code as is.
    static QString reasonText(const QString &reason);
    // Where a call is: "Ringing", "Connected", ...
    static QString stateText(const QString &state);
    // A number's policy: "Accept all", "Ask me", ...; "" is "Default".
    static QString policyText(const QString &policy);
    // "1:05" from milliseconds (negative: "0:00").
    static QString clockText(double ms);

    Q_INVOKABLE QString decision(const QString &decision, const QString &reason = QString()) const
    {
        return decisionText(decision, reason);
    }
    Q_INVOKABLE QString tally(const QString &decision) const { return tallyText(decision); }
    Q_INVOKABLE QString reason(const QString &reason) const { return reasonText(reason); }
    Q_INVOKABLE QString state(const QString &state) const { return stateText(state); }
    Q_INVOKABLE QString policy(const QString &policy) const { return policyText(policy); }
    Q_INVOKABLE QString clock(double ms) const { return clockText(ms); }
};

} // namespace kt
