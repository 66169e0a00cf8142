// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace kt {

struct Config;

// What a setting's check makes of a text: an error (empty when the text is acceptable), the
// value in its one written form (what the config file holds, e.g. the E.164 number) and a line
// about the value for people (e.g. "Calls are forwarded to +14155550132"), possibly empty.
struct SettingCheck
{
    QString error;
    QString value;
    QString hint;
    bool ok() const { return error.isEmpty(); }
};

// One configuration setting: a row of the settings table (SettingSchema). The command line and
// --help, the INI config file, the environment and the desktop's Settings page all read it, so
// that they cannot disagree (README "Configuration").
struct Setting
{
    // What kind of value it is: how it is parsed, written in --help and edited on the page.
    enum class Type {
        Bool,        // true/false (also yes/no, on/off, 1/0)
        Int,         // a whole number from `min` to `max`
        Choice,      // one of `choices`
        Text,        // one line
        Message,     // what a caller hears: 1 to 3000 characters
        Phone,       // a phone number, written in E.164
        Namespace,   // a namespace ending in .x
        Url,         // an http(s) address
        Path,        // a file
        Address,     // an IP address
        AddressList, // comma-separated IP addresses
        PublicKey,   // base64 of a 32-byte Ed25519 key
        Secret,      // a secret: never echoed, never on a command line
    };

    // Where the setting can be given. Every source that has it accepts the same values.
    enum Source {
        CommandLine = 0x1,  // --KEY VALUE
        ConfigFile = 0x2,   // KEY=VALUE in the INI file
        Environment = 0x4,  // `envVar`
        SettingsPage = 0x8, // a row of the desktop's Settings page
    };

    // The Settings page's groups, in their order.
    enum class Section { None, Account, Calls, Computer };

    struct Choice
    {
        QString value;  // as written in the config file
        QString label;  // for people ("Reject + message")
        QString detail; // what it does, shown under the field when chosen
    };

    QString key;    // the config file's key and the option's name (--KEY)
    QString envVar; // empty: none
    int sources = 0;
    Type type = Type::Text;
    QString title;       // the Settings page's heading of the row ("Forward to")
    QString label;       // its name in a sentence ("forward-to number")
    QString help;        // one line for --help
    QString detail;      // the Settings page's line under the heading
    QString placeholder; // the page's empty field
    QString onText;      // Bool on the page: the switch's text when on
    QString offText;     // ... and when off
    QString example;     // a valid value other than the default
    QString emptyError;  // the error when it is left empty (empty: empty is allowed)
    QString emptyHint;   // the hint when it is left empty
    int min = 0;         // Int
    int max = 0;
    QList<Choice> choices; // Choice
    Section section = Section::None;
    bool needsRestart = true; // the engine reads it when it starts
    bool secret = false;      // never echoed: not in errors, logs or --help defaults
    // The check; every source uses it.
    SettingCheck (*check)(const Setting &setting, const QString &text) = nullptr;
    // Stores a checked value (SettingCheck::value) into a Config, and reads it back; null for a
    // setting that is not part of the engine's configuration (autostart).
    void (*store)(Config &config, const QString &value) = nullptr;
    QString (*read)(const Config &config) = nullptr;

    bool has(Source source) const { return (sources & source) != 0; }
    SettingCheck checked(const QString &text) const { return check(*this, text); }
    QStringList choiceValues() const;
    // How --help names the value ("N", "E164", "true|false", "FULL|NORMAL", ...).
    QString valueName() const;
    // `help`, with the range of a number: "longest voicemail message in seconds (5 to 14400)".
    QString helpLine() const;
    // The value of a default Config, as written in the config file ("" for a secret).
    QString defaultText() const;
    // One line for an invalid `text`: names the key, and the text unless it may be secret.
    QString errorLine(const QString &text, const QString &why) const;
};

} // namespace kt
