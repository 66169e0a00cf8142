// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace kt {

// Files only their owner may read: the database (the calls, the log), its write-ahead log and
// the config file (it may hold the API key). The systemd unit gets the same with UMask=0077;
// a desktop session runs with the user's umask (often 022: readable by everyone).
//
// On Unix the folders these functions create are 0700 and the files 0600. Elsewhere they create
// with the system's defaults (on Windows the user's profile folders are private already).
namespace PrivateFiles {

// Creates `folder` and any missing parents (0700 each). Existing folders are left as they are.
bool makePath(const QString &folder);
// Creates an empty `file` (0600) unless it exists; true if it exists afterwards. SQLite gives
// the -wal and -shm files it creates next to a database the database file's permissions.
bool createFile(const QString &file);
// Makes an existing file 0600 (e.g. after QSettings wrote it). False if it cannot.
bool restrict(const QString &file);

} // namespace PrivateFiles
} // namespace kt
