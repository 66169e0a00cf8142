// SPDX-License-Identifier: GPL-3.0-or-later
// kevan-tel: one executable for the desktop app, the headless engine and the administration
// commands (README "Configuration").
#include "admin/admincommand.h"
#include "commandline.h"
#include "desktop.h"
#include "headless.h"
#include "output.h"

#include <QApplication>
#include <QCoreApplication>

#include <cstdio>
#include <memory>

using namespace kt;

int main(int argc, char *argv[])
{
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));

    // Names first: QStandardPaths (default config and database) depend on them.
    QCoreApplication::setOrganizationName(QStringLiteral("kevan-tel"));
    QCoreApplication::setApplicationName(QStringLiteral("kevan-tel"));
    QCoreApplication::setApplicationVersion(QStringLiteral(KEVANTEL_VERSION));

    CommandLine cl;
    QString error;
    const bool parsed = CommandLine::parse(arguments, ConfigLoader::readEnvironment(), &cl, &error);
    // Only the desktop app needs a GUI application (and a display).
    std::unique_ptr<QCoreApplication> app;
    if (parsed && cl.mode == CommandLine::Mode::Desktop)
        app = std::make_unique<QApplication>(argc, argv);
    else
        app = std::make_unique<QCoreApplication>(argc, argv);
    if (!parsed) {
        Output::error(error);
        return 2;
    }
    switch (cl.mode) {
    case CommandLine::Mode::Help:
        std::fputs(cl.helpText.toLocal8Bit().constData(), stdout);
        return 0;
    case CommandLine::Mode::Version:
        std::printf("kevan-tel %s\n", KEVANTEL_VERSION);
        return 0;
    case CommandLine::Mode::Admin:
    case CommandLine::Mode::Headless:
        // No keychain: a server or a script gives its key in the environment or the file.
        Startup::decide(cl.config, cl.startupFacts(), nullptr, 0);
        return cl.mode == CommandLine::Mode::Admin ? runAdminCommand(cl) : runHeadless(cl);
    case CommandLine::Mode::Desktop:
        return runDesktop(cl);
    }
    return 0;
}
