// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "codeenums.h"

#include <QObject>
#include <QString>
#include <QStringList>
#include <QtQml/qqmlregistration.h>

class QJSEngine;
class QQmlEngine;

namespace kt {

// The words the dashboard shows for the codes the store keeps (a call's decision, the reason
// for it, its state, a number's policy), translatable, in one place: the QML views (the
// singleton `Labels`) and the C++ models (the static functions) say the same thing.
//
// The singleton is the app's: the Dashboard owns the one instance and registers it
// (setInstance) before a QML engine loads the views; QML never creates one of its own.
class Labels : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_SINGLETON
public:
    // No default constructor: so QML cannot make one of its own, and takes create()'s.
    explicit Labels(QObject *parent) : QObject(parent) {}
    ~Labels() override;

    // The instance QML gets (null: none). The instance's owner keeps it alive while an engine
    // may use it; a destroyed instance unregisters itself.
    static void setInstance(Labels *labels);
    static Labels *instance();
    // QML's factory: the instance set before, kept C++-owned. Stops the program with a message
    // when there is none, or when the engine lives in another thread than the instance.
    static Labels *create(QQmlEngine *qmlEngine, QJSEngine *jsEngine);

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
    // The stats' tally of a decision (CallDecision::Unknown: "Undecided").
    Q_INVOKABLE QString tally(kt::CallDecision::Value decision) const
    {
        return tallyText(CallDecision::code(decision));
    }
    Q_INVOKABLE QString reason(const QString &reason) const { return reasonText(reason); }
    Q_INVOKABLE QString state(const QString &state) const { return stateText(state); }
    Q_INVOKABLE QString policy(const QString &policy) const { return policyText(policy); }
    Q_INVOKABLE QString clock(double ms) const { return clockText(ms); }
};

} // namespace kt
