// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "commandline.h"

namespace kt {

// `kevan-tel --headless`: the engine without UI, logging to stderr, stopping cleanly on
// SIGINT/SIGTERM. Returns the exit code.
int runHeadless(const CommandLine &commandLine);

} // namespace kt
