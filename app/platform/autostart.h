// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QStringList>

namespace kt {

// Starting kevan-tel when the user signs in.
//
// Linux (and other XDG desktops): an entry `kevan-tel.desktop` in the XDG autostart directory,
// `$XDG_CONFIG_HOME/autostart` (usually ~/.config/autostart). Tests redirect it with the
// constructor's `location` or the environment variable KEVANTEL_AUTOSTART_DIR.
// Windows: the value `kevan-tel` under the key
// HKEY_CURRENT_USER\Software\Microsoft\Windows\CurrentVersion\Run (the same value the
// installer's "start at sign-in" option writes); `location` names another registry key instead.
//
// No QObject and nothing from core/: the dashboard wraps it for QML.
class Autostart
{
public:
    // `executable`: the program to start (default: this process's executable);
    // `arguments`: passed to it; `location`: see above (empty: the default).
    explicit Autostart(const QString &executable = QString(),
                       const QStringList &arguments = QStringList(),
                       const QString &location = QString());

    // The name of the autostart entry (file base name and Run value name).
    static QString entryName();
    // The environment variable that redirects the XDG autostart directory.
    static const char *directoryVariable();

    // True when an entry exists and is not disabled (`Hidden=true` or
    // `X-GNOME-Autostart-enabled=false`, as desktop settings panels write).
    bool isEnabled() const;
    // Writes or removes the entry. On failure returns false and sets *error to one sentence.
    bool setEnabled(bool enabled, QString *error = nullptr);

    // Linux: the .desktop file's path; Windows: the registry key holding the value.
    QString location() const { return m_location; }
    // The command line the entry runs: an XDG Exec= value or a Windows command line.
    QString commandLine() const;

    // XDG "Exec" quoting of one argument (exposed for tests).
    static QString quoteExecArgument(const QString &argument);

private:
    QString m_executable;
    QStringList m_arguments;
    QString m_location;
};

} // namespace kt
