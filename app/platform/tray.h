// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/callrecord.h"

#include <QIcon>
#include <QObject>
#include <QSet>

#include <memory>

class QAction;
class QMenu;
class QSystemTrayIcon;

namespace kt {

// The tray icon: its colour tells whether Telnyx commands work (green), fail (red) or screening
// is paused (amber); its menu opens the dashboard, pauses screening and quits; each new call
// shows a notification (caller, namespace, decision). When the desktop has no tray, nothing is
// shown (the app then keeps a plain window and quits when it is closed), but the menu actions
// and notified() still work, which is what the tests use.
class Tray : public QObject
{
    Q_OBJECT
public:
    enum class Health { Ok, Failing, Paused };

    explicit Tray(QObject *parent = nullptr);
    ~Tray() override;

    static bool isAvailable();
    // Shows the icon when the desktop has a tray; false otherwise.
    bool show();
    bool isVisible() const;

    Health health() const;
    QString toolTip() const { return m_toolTip; }
    QMenu *menu() const { return m_menu.get(); }
    QAction *openAction() const { return m_open; }
    QAction *pauseAction() const { return m_pause; }
    QAction *quitAction() const { return m_quit; }
    QIcon icon() const { return m_icon; }

    // The app's icon, drawn (no SVG plugin needed): a rounded square in the health colour with
    // a white handset.
    static QIcon drawIcon(Health health);

    struct Notification
    {
        QString title; // "Call from (415) 555-0132 · alice.x"
        QString body;  // "authenticated — registered to alice.x (to 770-230-0635)"
    };
    // The notification for a call; caller ID and name are sanitised.
    static Notification notificationFor(const CallRecord &call);
    // "New voicemail from (415) 555-0132 · alice.x" with the transcript's first words (or the
    // length when there is no transcript yet); everything from the caller is sanitised.
    // `transcribed`: the message was announced before without words, and these are its words.
    static Notification voicemailNotification(const QString &from, const QString &nameSpace,
                                              const QString &transcript, qint64 durationMs,
                                              bool transcribed = false);
    static Notification pinLockedNotification(const QString &phone, const QString &nameSpace,
                                              const QDateTime &until);
    static Notification registrationNotification(const QString &nameSpace, const QString &phone,
                                                 bool approved);

public slots:
    void setTelnyxHealth(bool failing, const QString &message);
    void setPaused(bool paused);
    // Notifies once per call, when its decision is first known.
    void onCallChanged(const kt::CallRecord &call);
    // Too many wrong PINs locked a registration's PIN (Engine::pinLocked).
    void onPinLocked(const QString &phone, const QString &nameSpace, const QDateTime &until);
    // A caller proved both for a self-registration: it waits for the owner (or was approved
    // at once) (Engine::registrationProven).
    void onRegistrationProven(const QString &id, const QString &nameSpace, const QString &phone,
                              bool approved);
    // A voicemail message's audio arrived (VoicemailModel::messageArrived).
    void onVoicemail(const QString &from, const QString &nameSpace, const QString &transcript,
                     qint64 durationMs, bool transcribed = false);

signals:
    void openRequested();
    void pauseToggled(bool paused);
    void quitRequested();
    void notified(const QString &title, const QString &body);

private:
    void update();

    std::unique_ptr<QMenu> m_menu;
    std::unique_ptr<QSystemTrayIcon> m_tray;
    QAction *m_open = nullptr;
    QAction *m_pause = nullptr;
    QAction *m_quit = nullptr;
    QIcon m_icon;
    QString m_toolTip;
    bool m_failing = false;
    QString m_healthMessage;
    bool m_paused = false;
    QSet<QString> m_notified;
    QSet<QString> m_wordsNotified; // screened calls announced with their first words
};

} // namespace kt
