// SPDX-License-Identifier: GPL-3.0-or-later
#include "desktop.h"

#include "engine/engine.h"
#include "engine/enginehost.h"
#include "models/calllistmodel.h"
#include "output.h"
#include "store/eventstore.h"

#include <QApplication>
#include <QMenu>
#include <QQmlApplicationEngine>
#include <QQmlContext>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QSystemTrayIcon>

namespace kt {

int runDesktop(const CommandLine &cl)
{
    QApplication::setQuitOnLastWindowClosed(!QSystemTrayIcon::isSystemTrayAvailable());
    EngineHost host(cl.config);
    QString error;
    if (!host.startAndWait(&error)) {
        Output::error(error);
        return 1;
    }
    Output::line(QStringLiteral("listening on ") + host.url());

    CallListModel calls;
    {
        // History comes from a read-only connection of the UI thread's own.
        EventStore history;
        if (history.open(cl.config.databasePath, QStringLiteral("ui-history"),
                         EventStore::Mode::ReadOnly)) {
            CallQuery q;
            q.limit = calls.maxRows();
            calls.reset(history.calls(q));
        }
    }
    QObject::connect(host.engine(), &Engine::callChanged, &calls, &CallListModel::upsert,
                     Qt::QueuedConnection);

    QQuickStyle::setStyle(QStringLiteral("Basic"));
    QQmlApplicationEngine qml;
    qml.setInitialProperties({{QStringLiteral("calls"), QVariant::fromValue(&calls)},
                              {QStringLiteral("demo"), cl.config.demo},
                              {QStringLiteral("serverUrl"), host.url()}});
    qml.load(QUrl(QStringLiteral("qrc:/KevanTel/Main.qml")));
    if (qml.rootObjects().isEmpty()) {
        Output::error(QStringLiteral("the dashboard could not be loaded"));
        return 1;
    }
    auto *window = qobject_cast<QQuickWindow *>(qml.rootObjects().constFirst());

    QSystemTrayIcon tray(QIcon(QStringLiteral(":/KevanTel/icons/kevan-tel.svg")));
    QMenu menu;
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        QObject::connect(menu.addAction(QObject::tr("Open dashboard")), &QAction::triggered, window,
                         [window] {
                             window->show();
                             window->raise();
                             window->requestActivate();
                         });
        QObject::connect(menu.addAction(QObject::tr("Quit")), &QAction::triggered, qApp,
                         &QCoreApplication::quit);
        tray.setContextMenu(&menu);
        tray.setToolTip(QStringLiteral("kevan-tel"));
        tray.show();
    }
    window->show();
    const int code = QApplication::exec();
    host.stopAndWait();
    return code;
}

} // namespace kt
