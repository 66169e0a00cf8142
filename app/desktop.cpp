// SPDX-License-Identifier: GPL-3.0-or-later
#include "desktop.h"

#include "dashboard.h"
#include "engine/engine.h"
#include "engine/enginehost.h"
#include "output.h"
#include "platform/signalwatcher.h"
#include "platform/singleinstance.h"
#include "platform/tray.h"
#include "startup.h"

#include <QApplication>
#include <QDebug>
#include <QQmlApplicationEngine>
#include <QQuickStyle>
#include <QQuickWindow>

namespace kt {

int runDesktop(const CommandLine &commandLine)
{
    // The Telnyx API key may be in the keychain (saved from Settings) rather than in the
    // environment or the config file; with it the app is not a demo.
    CommandLine cl = commandLine;
    KeychainSecretStore keychain;
    const QString keyNote = Startup::decide(cl.config, cl.startupFacts(), &keychain, 30000);
    if (!keyNote.isEmpty())
        qInfo().noquote() << keyNote;

    // One app per user and database: a second launch shows the first one's window.
    SingleInstance instance(SingleInstance::keyFor(cl.config.databasePath));
    if (!instance.claim()) {
        Output::line(QStringLiteral("kevan-tel is already running; its window is shown"));
        return 0;
    }

    const bool hasTray = Tray::isAvailable();
    // Without a tray the window is the app: closing it quits.
    QApplication::setQuitOnLastWindowClosed(!hasTray);
    QApplication::setWindowIcon(Tray::drawIcon(Tray::Health::Ok));

    // Watch mode: the engine runs on a server, into the same database; here only the view.
    const bool watching = cl.config.watching();
    EngineHost host(cl.config);
    QString error;
    if (!watching) {
        if (!host.startAndWait(&error)) {
            Output::error(error);
            return 1;
        }
        Output::line(QStringLiteral("listening on ") + host.url());
        Output::line(QStringLiteral("admin on ") + host.adminUrl());
    } else {
        Output::line(QStringLiteral("watching the calls screened into the database"));
    }
    Engine *engine = watching ? nullptr : host.engine();

    Dashboard::Options options;
    options.databasePath = cl.config.databasePath;
    options.askTimeoutSecs = cl.config.askTimeoutSecs;
    options.screenTimeoutSecs = cl.config.screenTimeoutSecs;
    options.defaultPolicy = cl.config.unknownPolicy;
    options.dryRun = cl.config.dryRun;
    options.demo = cl.config.demo;
    options.serverUrl = watching ? QString() : host.url();
    options.goLive = GoLiveController::Settings::fromConfig(cl.config, options.serverUrl);
    options.watching = watching;
    options.config = cl.config;
    options.secrets = &keychain;
    options.firstRun = FirstRun::needed(cl.config.demo, cl.config.configFile);
    Dashboard dashboard(options, engine);
    if (!dashboard.open(&error)) {
        Output::error(error);
        host.stopAndWait();
        return 1;
    }

    QQuickStyle::setStyle(QStringLiteral("Basic"));
    QQmlApplicationEngine qml;
    // start-minimized: only the tray icon shows (without a tray the window is the app).
    const bool startHidden = hasTray && cl.config.startMinimized;
    QVariantMap properties = dashboard.properties();
    if (startHidden)
        properties.insert(QStringLiteral("visible"), false);
    qml.setInitialProperties(properties);
    qml.load(QUrl(QStringLiteral("qrc:/KevanTel/Main.qml")));
    if (qml.rootObjects().isEmpty()) {
        Output::error(QStringLiteral("the dashboard could not be loaded"));
        host.stopAndWait();
        return 1;
    }
    auto *window = qobject_cast<QQuickWindow *>(qml.rootObjects().constFirst());
    auto showWindow = [window] {
        window->show();
        window->raise();
        window->requestActivate();
    };
    QObject::connect(&instance, &SingleInstance::showRequested, window, showWindow);

    Tray tray;
    EngineController &controller = dashboard.controller();
    tray.setPaused(controller.dryRun());
    QObject::connect(&tray, &Tray::openRequested, window, showWindow);
    QObject::connect(&tray, &Tray::pauseToggled, &controller, &EngineController::setDryRun);
    QObject::connect(&controller, &EngineController::dryRunChanged, &tray,
                     [&tray, &controller] { tray.setPaused(controller.dryRun()); });
    QObject::connect(&tray, &Tray::quitRequested, qApp, &QCoreApplication::quit);
    if (engine) {
        QObject::connect(engine, &Engine::telnyxHealthChanged, &tray, &Tray::setTelnyxHealth,
                         Qt::QueuedConnection);
        QObject::connect(engine, &Engine::callChanged, &tray, &Tray::onCallChanged,
                         Qt::QueuedConnection);
        QObject::connect(engine, &Engine::pinLocked, &tray, &Tray::onPinLocked,
                         Qt::QueuedConnection);
        QObject::connect(engine, &Engine::registrationProven, &tray, &Tray::onRegistrationProven,
                         Qt::QueuedConnection);
    } else {
        // Watching: the calls the log brings (the dashboard follows it) reach the tray too.
        QObject::connect(&dashboard, &Dashboard::callFollowed, &tray, &Tray::onCallChanged);
    }
    QObject::connect(&dashboard.voicemail(), &VoicemailModel::messageArrived, &tray,
                     [&tray](const VoicemailModel::Arrival &a) {
                         tray.onVoicemail(a.from, a.nameSpace, a.transcript, a.durationMs,
                                          a.transcriptOnly);
                     });
    // SIGINT / SIGTERM (a logout, `kill`) quit like the menu does: the engine stops cleanly.
    SignalWatcher signalWatcher;
    QObject::connect(&signalWatcher, &SignalWatcher::terminate, qApp, &QCoreApplication::quit);
    tray.show();
    if (!startHidden)
        window->show();

    const int code = QApplication::exec();
    controller.detachEngine();
    host.stopAndWait();
    return code;
}

} // namespace kt
