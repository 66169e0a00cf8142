// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/config.h"

#include <QObject>
#include <QTimer>

#include <memory>

namespace kt {

class Engine;
class TelnyxSimulator;

// `--demo`: the built-in Telnyx simulator drives the real engine through the real HTTP path.
// It signs its webhooks with its own key, answers the engine's commands, and places a call
// every few seconds from a cast of callers: alice.x (registered, with a demo certificate and an
// attested caller ID), carol.x (registered with a PIN, no attestation: she is asked for her PIN
// and enters it), someone pretending to be carol.x who guesses wrong three times, an
// allow-listed caller, a spammer, a blocked number, an unknown caller, someone who hangs up
// while the phone rings for the owner to decide, and a courier who calls a number that takes
// messages and leaves one (recorded, downloaded, transcribed), and three callers on a number
// that screens them: one who says who she is and why (her words arrive as she speaks), one who
// stays silent, and one whose voice Telnyx flags as synthetic. Self-registration is on: shortly
// after the start, dave.x registers his phone himself (the page's two steps run in-process
// against the engine's RegistrationService, with a certificate from a demo root and a signature
// by its key; the call-in goes through the simulator with the code), and waits for the owner's
// approval.
class Demo : public QObject
{
    Q_OBJECT
public:
    Demo();
    ~Demo() override;

    // Starts the simulator and points `config` at it (API URL, key, webhook public key).
    bool prepare(Config &config, QString *error);
    // Seeds the demo callers (root, certificate, registry, rules) and starts placing calls.
    bool start(Engine &engine, QString *error);
    void stop();

    TelnyxSimulator &simulator() { return *m_simulator; }
    // Places the next call of the cast now; returns its call_control_id.
    QString placeNextCall();
    // dave.x's self-registration: submits it and places the call-in; returns the call's
    // call_control_id (empty when dave.x is registered or waiting already, or on failure).
    QString registerDemoCaller(Engine &engine);

    struct Caller
    {
        QString from;
        QString name;
        QString to;
        QString screening; // call_screening_result
        int givesUpAfterMs = 0;
        std::optional<bool> validated;
        QStringList pinScript;  // what the caller keys in on each PIN prompt
        QString voicemailWords; // what the caller says into voicemail (the transcript)
        // Screened (the 676-DUCK number screens): what the caller says when greeted (empty:
        // silent), and Telnyx's deepfake verdict on the voice.
        QStringList screenWords;
        QString deepfakeResult = QStringLiteral("real");
        double deepfakeScore = 0.06;
    };
    // carol.x's PIN in the demo.
    static constexpr const char DemoPin[] = "2468";
    // dave.x, who registers himself, and the PIN he chooses on the page.
    static constexpr const char RegisteringNamespace[] = "dave.x";
    static constexpr const char RegisteringPhone[] = "+16465550193";
    static constexpr const char RegisteringPin[] = "1357";
    static QList<Caller> cast();

private:
    bool seed(Engine &engine, QString *error);

    std::unique_ptr<TelnyxSimulator> m_simulator;
    QTimer m_timer;
    int m_next = 0;
};

} // namespace kt
