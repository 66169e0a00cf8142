// SPDX-License-Identifier: GPL-3.0-or-later
#include "labels.h"

#include <QHash>
#include <QJSEngine>
#include <QPointer>
#include <QThread>

#include <cmath>

namespace kt {

namespace {

// The text for `code` in `table`, `code` itself when it is not there.
QString lookup(const QHash<QString, QString> &table, const QString &code)
{
    const auto it = table.constFind(code);
    return it == table.constEnd() ? code : *it;
}

// The one instance QML uses (Labels::setInstance).
QPointer<Labels> &theInstance()
{
    static QPointer<Labels> instance;
    return instance;
}

} // namespace

Labels::~Labels()
{
    if (theInstance() == this)
        theInstance() = nullptr;
}

void Labels::setInstance(Labels *labels)
{
    theInstance() = labels;
}

Labels *Labels::instance()
{
    return theInstance();
}

Labels *Labels::create(QQmlEngine *qmlEngine, QJSEngine *jsEngine)
{
    Q_UNUSED(qmlEngine);
    Labels *labels = theInstance();
    if (!labels)
        qFatal("Labels: QML asked for the Labels singleton, but the app has not set its instance "
               "(Labels::setInstance) before loading the views");
    if (jsEngine && jsEngine->thread() != labels->thread())
        qFatal("Labels: a QML engine in another thread asked for the Labels singleton, which "
               "lives in the thread of the engine that loads the dashboard");
    QJSEngine::setObjectOwnership(labels, QJSEngine::CppOwnership);
    return labels;
}

QString Labels::decisionText(const QString &decision, const QString &reason)
{
    if (decision == QLatin1String("challenge") && reason.startsWith(QLatin1String("registration_")))
        return tr("Registration");
    const QHash<QString, QString> table{
        {QStringLiteral("authenticated"), tr("Authenticated")},
        {QStringLiteral("allowlisted"), tr("Allowed")},
        {QStringLiteral("blocked"), tr("Blocked")},
        {QStringLiteral("rejected"), tr("Rejected")},
        {QStringLiteral("ask"), tr("Asking you")},
        {QStringLiteral("challenge"), tr("Asking PIN")},
        {QStringLiteral("voicemail"), tr("Voicemail")},
        {QString(), tr("Deciding")},
    };
    return lookup(table, decision);
}

QString Labels::tallyText(const QString &decision)
{
    const QHash<QString, QString> table{
        {QStringLiteral("authenticated"), tr("Authenticated")},
        {QStringLiteral("allowlisted"), tr("Allowed")},
        {QStringLiteral("blocked"), tr("Blocked")},
        {QStringLiteral("rejected"), tr("Rejected")},
        {QStringLiteral("ask"), tr("Asked you")},
        {QStringLiteral("voicemail"), tr("Voicemail")},
    };
    return table.value(decision, tr("Undecided"));
}

QString Labels::reasonText(const QString &reason)
{
    const QHash<QString, QString> table{
        {QStringLiteral("registry"), tr("registered namespace holder")},
        {QStringLiteral("block_rule"), tr("matches a block rule")},
        {QStringLiteral("allow_rule"), tr("matches an allow rule")},
        {QStringLiteral("number_accepts_all"), tr("this number accepts all calls")},
        {QStringLiteral("unregistered"), tr("not registered to a namespace")},
        {QStringLiteral("certificate_invalid"), tr("namespace certificate is not valid")},
        {QStringLiteral("attestation_failed"), tr("caller ID failed verification")},
        {QStringLiteral("spam_likely"), tr("Telnyx flags it as likely spam")},
        {QStringLiteral("anonymous"), tr("anonymous caller")},
        {QStringLiteral("ask_owner"), tr("waiting for your decision")},
        {QStringLiteral("screen_owner"), tr("screened: waiting for your decision")},
        {QStringLiteral("owner_accepted"), tr("you accepted")},
        {QStringLiteral("owner_rejected"), tr("you rejected")},
        {QStringLiteral("owner_voicemail"), tr("you sent it to voicemail")},
        {QStringLiteral("ask_timeout"), tr("you did not answer in time")},
        {QStringLiteral("caller_id_unverified"), tr("caller ID not verified")},
        {QStringLiteral("registry_pin"), tr("registered, entered the PIN")},
        {QStringLiteral("pin_failed"), tr("wrong PIN too often")},
        {QStringLiteral("pin_locked"), tr("PIN locked after wrong tries")},
        {QStringLiteral("registration_call_in"), tr("calling in for a self-registration")},
        {QStringLiteral("registration_phone_proven"),
         tr("keyed in the registration code: phone proven")},
        {QStringLiteral("registration_code_failed"), tr("wrong registration code")},
    };
    return lookup(table, reason);
}

QString Labels::stateText(const QString &state)
{
    const QHash<QString, QString> table{
        {QStringLiteral("ringing"), tr("Ringing")},
        {QStringLiteral("asking"), tr("Ringing for you")},
        {QStringLiteral("screening"), tr("Screening")},
        {QStringLiteral("answering"), tr("Answering")},
        {QStringLiteral("challenging"), tr("Asking for the PIN or code")},
        {QStringLiteral("forwarding"), tr("Forwarding")},
        {QStringLiteral("forwarded"), tr("Connected")},
        {QStringLiteral("rejecting"), tr("Turning away")},
        {QStringLiteral("fallback"), tr("Unavailable message")},
        {QStringLiteral("voicemail"), tr("Taking a message")},
        {QStringLiteral("ending"), tr("Ending")},
        {QStringLiteral("ended"), tr("Ended")},
        {QStringLiteral("failed"), tr("Failed")},
    };
    return lookup(table, state);
}

QString Labels::policyText(const QString &policy)
{
    const QHash<QString, QString> table{
        {QStringLiteral("accept_all"), tr("Accept all")},
        {QStringLiteral("reject_with_message"), tr("Reject + message")},
        {QStringLiteral("reject"), tr("Reject")},
        {QStringLiteral("ask"), tr("Ask me")},
        {QStringLiteral("voicemail"), tr("Voicemail")},
        {QStringLiteral("screen"), tr("Screen")},
        {QString(), tr("Default")},
    };
    return lookup(table, policy);
}

QString Labels::clockText(double ms)
{
    const qint64 secs = std::isfinite(ms) && ms > 0 ? qint64(ms / 1000) : 0;
    return QStringLiteral("%1:%2").arg(secs / 60).arg(secs % 60, 2, 10, QLatin1Char('0'));
}

} // namespace kt
