// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "commandline.h"

namespace kt {

// The desktop app: the engine in its thread, a tray icon (or a plain window when there is no
// tray) and the QML dashboard. Returns the exit code.
int runDesktop(const CommandLine &commandLine);

} // namespace kt
