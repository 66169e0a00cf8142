// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "commandline.h"

namespace kt {

class EventStore;

// The administration commands, one function per command word. Each returns the exit code.
int eventsCommand(const CommandLine &cl, EventStore &store);
int callsCommand(const CommandLine &cl, EventStore &store);
int numbersCommand(const CommandLine &cl, EventStore &store);  // numberscommands.cpp
int certsCommand(const CommandLine &cl, EventStore &store);    // certscommands.cpp
int registryCommand(const CommandLine &cl, EventStore &store); // registrycommands.cpp
int rulesCommand(const CommandLine &cl, EventStore &store);    // rulescommands.cpp
int goliveCommand(const CommandLine &cl, EventStore &store);   // golivecommands.cpp

// voicemail …: the callers' recorded messages (voicemailcommands.cpp).
int voicemailCommand(const CommandLine &cl, EventStore &store);

// registry pending|approve|deny: callers' self-registrations (pendingregistrationcommands.cpp).
int pendingRegistrationCommand(const CommandLine &cl, EventStore &store);

// Prints `usage` as the error line and returns the usage exit code (2).
int usageError(const QString &usage);

} // namespace kt
