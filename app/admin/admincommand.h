// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "commandline.h"

namespace kt {

// Runs one administration command (README "Administration commands") against the
// database, next to a running server if there is one. Returns the process exit code;
// errors are printed as one line on stderr.
int runAdminCommand(const CommandLine &commandLine);

} // namespace kt
