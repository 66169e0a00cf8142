// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "setting.h"

#include <QCoreApplication>

namespace kt {

// The checks of the settings table (SettingSchema): each turns a text into a SettingCheck (the
// error, the value as the config file writes it, a hint for people). Pure, but for the database
// path, whose check looks at the file and its folder.
class SettingChecks
{
    Q_DECLARE_TR_FUNCTIONS(kt::SettingChecks)
public:
    static bool parseBool(const QString &text, bool *ok);

    // By type: what most rows use.
    static SettingCheck boolean(const Setting &s, const QString &text);
    static SettingCheck integer(const Setting &s, const QString &text);
    static SettingCheck choice(const Setting &s, const QString &text);
    static SettingCheck text(const Setting &s, const QString &text);
    static SettingCheck message(const Setting &s, const QString &text);
    // A message that may be left empty for the built-in one (its emptyHint says so).
    static SettingCheck optionalMessage(const Setting &s, const QString &text);
    static SettingCheck phone(const Setting &s, const QString &text);
    static SettingCheck nameSpace(const Setting &s, const QString &text);
    static SettingCheck address(const Setting &s, const QString &text);
    static SettingCheck addressList(const Setting &s, const QString &text);
    static SettingCheck publicKey(const Setting &s, const QString &text);
    static SettingCheck apiKey(const Setting &s, const QString &text);

    // For one row each.
    static SettingCheck port(const Setting &s, const QString &text);
    static SettingCheck apiUrl(const Setting &s, const QString &text);
    static SettingCheck publicUrl(const Setting &s, const QString &text);
    // The address Telnyx delivers to when the webhook URL fails: https (http only to a loopback
    // host, for tests), as `golive` demands of the webhook URL.
    static SettingCheck failoverUrl(const Setting &s, const QString &text);
    static SettingCheck database(const Setting &s, const QString &text);
    static SettingCheck onOff(const Setting &s, const QString &text);
    static SettingCheck startMinimized(const Setting &s, const QString &text);
    static SettingCheck voicemailLength(const Setting &s, const QString &text);

    // A file path given as a file: URL (a file dialog's answer) as a local path.
    static QString localPath(const QString &text);
    // Why `text` cannot be the database when it is a URL rather than a file path: one line that
    // names the scheme and the host only (a URL may carry a user name and a password); empty
    // when it is a path, or a postgresql:// URL the store accepts (DatabaseUrl).
    static QString databaseUrlProblem(const QString &text);

    static constexpr int MaxMessage = 3000;
};

} // namespace kt
