// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "settingchecks.h"
#include "settingschema.h"
#include "store/databaseurl.h"

#include <QDir>
#include <QFileInfo>
#include <QProcessEnvironment>
#include <QSettings>
#include <QStandardPaths>

namespace kt {

bool ConfigLoader::apply(Config &c, const QMap<QString, QString> &values, QString *error)
{
    constexpr int Sources = Setting::CommandLine | Setting::ConfigFile | Setting::Environment;
    for (auto it = values.cbegin(); it != values.cend(); ++it) {
        const Setting *setting = SettingSchema::find(it.key());
        if (!setting || (setting->sources & Sources) == 0 || !setting->store) {
            if (error)
                *error = QStringLiteral("unknown option \"%1\"").arg(it.key());
            return false;
        }
        const SettingCheck checked = setting->checked(it.value());
        if (!checked.ok()) {
            if (error)
                *error = setting->errorLine(it.value(), checked.error);
            return false;
        }
        setting->store(c, checked.value);
    }
    return true;
}

bool ConfigLoader::readFile(const QString &path, QMap<QString, QString> *values, QString *error)
{
    const QFileInfo info(path);
    if (!info.exists())
        return true; // no file is an empty file
    if (!info.isReadable()) {
        if (error)
            *error = QStringLiteral("cannot read config file %1").arg(path);
        return false;
    }
    QSettings settings(path, QSettings::IniFormat);
    if (settings.status() != QSettings::NoError) {
        if (error)
            *error = QStringLiteral("config file %1 is not a valid INI file").arg(path);
        return false;
    }
    for (const QString &key : settings.allKeys()) {
        const Setting *setting = SettingSchema::find(key);
        if (!setting || !setting->has(Setting::ConfigFile)) {
            if (error)
                *error = QStringLiteral("config file %1: unknown key \"%2\"").arg(path, key);
            return false;
        }
        const QVariant v = settings.value(key);
        values->insert(key, v.typeId() == QMetaType::QStringList
                                ? v.toStringList().join(QLatin1Char(','))
                                : v.toString());
    }
    return true;
}

QMap<QString, QString> ConfigLoader::readEnvironment()
{
    QMap<QString, QString> values;
    const QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const Setting &s : SettingSchema::all()) {
        if (s.has(Setting::Environment) && !env.value(s.envVar).isEmpty())
            values.insert(s.key, env.value(s.envVar));
    }
    return values;
}

void ConfigLoader::resolvePaths(QMap<QString, QString> *values)
{
    for (auto it = values->begin(); it != values->end(); ++it) {
        const Setting *setting = SettingSchema::find(it.key());
        const QString text = it.value().trimmed();
        if (setting && setting->type == Setting::Type::Path && !text.isEmpty() &&
            QDir::isRelativePath(text) && !DatabaseUrl::isUrl(text) &&
            SettingChecks::databaseUrlProblem(text).isEmpty())
            it.value() = QDir::fromNativeSeparators(QFileInfo(text).absoluteFilePath());
    }
}

QString ConfigLoader::defaultConfigFile()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation) +
           QStringLiteral("/kevan-tel.conf");
}

QString ConfigLoader::defaultDatabasePath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
           QStringLiteral("/kevan-tel.db");
}

QString ConfigLoader::defaultDemoDatabasePath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
           QStringLiteral("/kevan-tel-demo.db");
}

} // namespace kt
