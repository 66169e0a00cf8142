// SPDX-License-Identifier: GPL-3.0-or-later
#include "tray.h"

#include "models/callroles.h"
#include "models/displaytext.h"

#include <QAction>
#include <QMenu>
#include <QPainter>
#include <QPainterPath>
#include <QPixmap>
#include <QSystemTrayIcon>

namespace kt {

Tray::Tray(QObject *parent) : QObject(parent), m_menu(std::make_unique<QMenu>())
{
    m_open = m_menu->addAction(tr("Open dashboard"));
    m_pause = m_menu->addAction(tr("Pause screening (forward every call)"));
    m_pause->setCheckable(true);
    m_menu->addSeparator();
    m_quit = m_menu->addAction(tr("Quit kevan-tel"));
    connect(m_open, &QAction::triggered, this, &Tray::openRequested);
    connect(m_pause, &QAction::toggled, this, [this](bool on) {
        if (on == m_paused)
            return;
        m_paused = on;
        update();
        emit pauseToggled(on);
    });
    connect(m_quit, &QAction::triggered, this, &Tray::quitRequested);
    if (isAvailable()) {
        m_tray = std::make_unique<QSystemTrayIcon>();
        m_tray->setContextMenu(m_menu.get());
        connect(m_tray.get(), &QSystemTrayIcon::activated, this,
                [this](QSystemTrayIcon::ActivationReason reason) {
                    if (reason == QSystemTrayIcon::Trigger ||
                        reason == QSystemTrayIcon::DoubleClick)
                        emit openRequested();
                });
        connect(m_tray.get(), &QSystemTrayIcon::messageClicked, this, &Tray::openRequested);
    }
    update();
}

Tray::~Tray() = default;

bool Tray::isAvailable()
{
    return QSystemTrayIcon::isSystemTrayAvailable();
}

bool Tray::show()
{
    if (!m_tray)
        return false;
    m_tray->show();
    return true;
}

bool Tray::isVisible() const
{
    return m_tray && m_tray->isVisible();
}

Tray::Health Tray::health() const
{
    if (m_failing)
        return Health::Failing;
    return m_paused ? Health::Paused : Health::Ok;
}

void Tray::setTelnyxHealth(bool failing, const QString &message)
{
    m_failing = failing;
    m_healthMessage = DisplayText::plain(message, 120);
    update();
}

void Tray::setPaused(bool paused)
{
    if (paused == m_paused)
        return;
    m_paused = paused;
    {
        const QSignalBlocker block(m_pause);
        m_pause->setChecked(paused);
    }
    update();
}

void Tray::update()
{
    m_icon = drawIcon(health());
    QStringList lines{QStringLiteral("kevan-tel")};
    if (m_failing)
        lines << tr("Telnyx commands are failing: %1").arg(m_healthMessage);
    if (m_paused)
        lines << tr("Screening paused: every call is forwarded");
    if (!m_failing && !m_paused)
        lines << tr("Screening calls");
    m_toolTip = lines.join(QLatin1Char('\n'));
    if (m_tray) {
        m_tray->setIcon(m_icon);
        m_tray->setToolTip(m_toolTip);
    }
}

QIcon Tray::drawIcon(Health health)
{
    QColor fill;
    switch (health) {
    case Health::Ok:
        fill = QColor(0x1f, 0x6f, 0x5c);
        break;
    case Health::Failing:
        fill = QColor(0xb3, 0x26, 0x1e);
        break;
    case Health::Paused:
        fill = QColor(0xc2, 0x7a, 0x00);
        break;
    }
    QIcon icon;
    for (const int size : {16, 22, 32, 48, 64, 128}) {
        QPixmap pixmap(size, size);
        pixmap.fill(Qt::transparent);
        QPainter p(&pixmap);
        p.setRenderHint(QPainter::Antialiasing);
        p.scale(size / 64.0, size / 64.0);
        p.setPen(Qt::NoPen);
        p.setBrush(fill);
        p.drawRoundedRect(QRectF(2, 2, 60, 60), 14, 14);
        // The handset of resources' kevan-tel.svg, in absolute coordinates.
        QPainterPath handset(QPointF(20, 14));
        handset.cubicTo(23, 14, 25, 20, 26, 23);
        handset.cubicTo(27, 26, 23, 28, 23, 30);
        handset.cubicTo(23, 33, 31, 41, 34, 41);
        handset.cubicTo(36, 41, 38, 37, 41, 38);
        handset.cubicTo(44, 39, 50, 41, 50, 44);
        handset.cubicTo(50, 48, 45, 52, 41, 52);
        handset.cubicTo(27, 52, 12, 37, 12, 23);
        handset.cubicTo(12, 19, 16, 14, 20, 14);
        p.setBrush(Qt::white);
        p.drawPath(handset);
        if (health != Health::Ok) {
            // A badge, so that the state shows even in a monochrome tray.
            p.setBrush(Qt::white);
            p.drawEllipse(QPointF(50, 14), 11, 11);
            p.setBrush(fill);
            p.drawEllipse(QPointF(50, 14), 7, 7);
        } else {
            QPen tick(QColor(0xa6, 0xf4, 0xc5), 4, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin);
            p.setPen(tick);
            p.setBrush(Qt::NoBrush);
            p.drawPolyline(QPolygonF({QPointF(44, 12), QPointF(48, 16), QPointF(56, 8)}));
        }
        p.end();
        icon.addPixmap(pixmap);
    }
    return icon;
}

Tray::Notification Tray::notificationFor(const CallRecord &call)
{
    Notification n;
    const QString caller =
        call.fromNumber.isEmpty() ? tr("an unknown caller") : DisplayText::number(call.fromNumber);
    const QString name = DisplayText::plain(call.callerName, 40);
    const QString nameSpace = DisplayText::plain(call.namespaceName, 40);
    n.title = tr("Call from %1").arg(caller);
    if (!nameSpace.isEmpty())
        n.title += QStringLiteral(" · ") + nameSpace;
    else if (!name.isEmpty() && name != caller && name != call.fromNumber)
        n.title += QStringLiteral(" (%1)").arg(name);
    QString decision = call.decision.isEmpty() ? tr("deciding") : call.decision;
    const bool screened = call.flags.contains(QStringLiteral("screen"));
    if (call.decision == QLatin1String("ask"))
        decision = screened ? tr("screening: the caller is asked who they are and why")
                            : tr("ringing for you: accept or reject in the dashboard");
    if (screened && call.decision == QLatin1String("ask")) {
        // The caller's first words (plain text, bounded), and the deepfake hint if any.
        const QString words = CallRoles::firstWords(call, 80);
        if (!words.isEmpty())
            decision = QStringLiteral("“%1”").arg(words);
        const QString hint = CallRoles::data(call, CallRoles::DeepfakeHintRole, {}).toString();
        if (!hint.isEmpty())
            decision += QStringLiteral(" · ") + hint;
    }
    n.body = decision;
    if (!call.reason.isEmpty() && call.decision != QLatin1String("ask"))
        n.body += QStringLiteral(" (%1)").arg(call.reason);
    n.body += tr(" · to %1").arg(DisplayText::number(call.toNumber));
    if (call.flags.value(QStringLiteral("dry_run")).toBool())
        n.body += tr(" · screening paused: forwarded");
    return n;
}

Tray::Notification Tray::voicemailNotification(const QString &from, const QString &nameSpace,
                                               const QString &transcript, qint64 durationMs,
                                               bool transcribed)
{
    constexpr int Words = 12;
    Notification n;
    const QString caller = from.isEmpty() ? tr("an unknown caller") : DisplayText::number(from);
    n.title = transcribed ? tr("Voicemail from %1, transcribed").arg(caller)
                          : tr("New voicemail from %1").arg(caller);
    const QString shownNamespace = DisplayText::plain(nameSpace, 40);
    if (!shownNamespace.isEmpty())
        n.title += QStringLiteral(" · ") + shownNamespace;
    const QStringList words =
        DisplayText::plain(transcript, 400).split(QLatin1Char(' '), Qt::SkipEmptyParts);
    if (!words.isEmpty()) {
        n.body =
            QStringLiteral("“%1%2”").arg(words.mid(0, Words).join(QLatin1Char(' ')),
                                         words.size() > Words ? QStringLiteral("…") : QString());
    } else if (durationMs >= 0) {
        const qint64 secs = (durationMs + 500) / 1000;
        n.body = tr("%1:%2 long, no transcript yet")
                     .arg(secs / 60)
                     .arg(secs % 60, 2, 10, QLatin1Char('0'));
    } else {
        n.body = tr("No transcript yet");
    }
    return n;
}

void Tray::onVoicemail(const QString &from, const QString &nameSpace, const QString &transcript,
                       qint64 durationMs, bool transcribed)
{
    const Notification n =
        voicemailNotification(from, nameSpace, transcript, durationMs, transcribed);
    if (m_tray && m_tray->isVisible() && QSystemTrayIcon::supportsMessages())
        m_tray->showMessage(n.title, n.body, QSystemTrayIcon::Information, 10000);
    emit notified(n.title, n.body);
}

Tray::Notification Tray::pinLockedNotification(const QString &phone, const QString &nameSpace,
                                               const QDateTime &until)
{
    Notification n;
    n.title = tr("PIN locked: %1").arg(DisplayText::plain(nameSpace, 40));
    n.body =
        tr("Too many wrong PINs for %1; no PIN is taken until %2. Someone may be "
           "pretending to be %3.")
            .arg(DisplayText::number(phone), until.toLocalTime().toString(QStringLiteral("HH:mm")),
                 DisplayText::plain(nameSpace, 40));
    return n;
}

void Tray::onPinLocked(const QString &phone, const QString &nameSpace, const QDateTime &until)
{
    const Notification n = pinLockedNotification(phone, nameSpace, until);
    if (m_tray && m_tray->isVisible() && QSystemTrayIcon::supportsMessages())
        m_tray->showMessage(n.title, n.body, QSystemTrayIcon::Warning, 15000);
    emit notified(n.title, n.body);
}

Tray::Notification Tray::registrationNotification(const QString &nameSpace, const QString &phone,
                                                  bool approved)
{
    Notification n;
    n.title = approved ? tr("Registered: %1").arg(DisplayText::plain(nameSpace, 40))
                       : tr("Registration to approve: %1").arg(DisplayText::plain(nameSpace, 40));
    n.body = approved ? tr("%1 proved %2 and its phone, and was added to the registry "
                           "(approval is automatic).")
                            .arg(DisplayText::number(phone), DisplayText::plain(nameSpace, 40))
                      : tr("%1 proved %2 and its phone. Approve or deny it in Registry.")
                            .arg(DisplayText::number(phone), DisplayText::plain(nameSpace, 40));
    return n;
}

void Tray::onRegistrationProven(const QString &id, const QString &nameSpace, const QString &phone,
                                bool approved)
{
    Q_UNUSED(id);
    const Notification n = registrationNotification(nameSpace, phone, approved);
    if (m_tray && m_tray->isVisible() && QSystemTrayIcon::supportsMessages())
        m_tray->showMessage(n.title, n.body, QSystemTrayIcon::Information, 15000);
    emit notified(n.title, n.body);
}

void Tray::onCallChanged(const CallRecord &call)
{
    if (call.decision.isEmpty())
        return;
    // A screened call is announced when it is decided, and once more with the caller's first
    // words while the owner can still decide.
    const bool firstWords =
        call.decision == QLatin1String("ask") && call.flags.contains(QStringLiteral("screen")) &&
        CallRoles::isAsking(call) && !m_wordsNotified.contains(call.callId) && [&call] {
            // The first utterance said in full, not its first interim word.
            const QVariantList words =
                CallRoles::data(call, CallRoles::ScreenWordsRole, {}).toList();
            return !words.isEmpty() &&
                   words.first().toMap().value(QStringLiteral("final")).toBool();
        }();
    if (m_notified.contains(call.callId) && !firstWords)
        return;
    if (m_notified.size() > 1000) {
        m_notified.clear();
        m_wordsNotified.clear();
    }
    m_notified.insert(call.callId);
    if (firstWords)
        m_wordsNotified.insert(call.callId);
    const Notification n = notificationFor(call);
    if (m_tray && m_tray->isVisible() && QSystemTrayIcon::supportsMessages()) {
        const auto icon = call.decision == QLatin1String("ask") ? QSystemTrayIcon::Warning
                                                                : QSystemTrayIcon::Information;
        m_tray->showMessage(n.title, n.body, icon, 8000);
    }
    emit notified(n.title, n.body);
}

} // namespace kt
