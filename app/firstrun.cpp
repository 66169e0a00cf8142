// SPDX-License-Identifier: GPL-3.0-or-later
#include "firstrun.h"

#include "engine/config.h"
#include "store/privatefiles.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>

namespace kt {
namespace {
const QString FlagKey = QStringLiteral("ui/first-run-done");

QString configFileOrDefault(const QString &configFile)
{
    return configFile.isEmpty() ? ConfigLoader::defaultConfigFile() : configFile;
}
} // namespace

FirstRun::FirstRun(bool active, const QString &configFile, QObject *parent)
    : QObject(parent), m_active(active), m_configFile(configFileOrDefault(configFile))
{}

QString FirstRun::flagFile(const QString &configFile)
{
    return QFileInfo(configFileOrDefault(configFile))
        .absoluteDir()
        .filePath(QStringLiteral("kevan-tel-ui.ini"));
}

bool FirstRun::needed(bool demo, const QString &configFile)
{
    if (!demo || QFileInfo::exists(configFileOrDefault(configFile)))
        return false;
    const QString flag = flagFile(configFile);
    if (!QFileInfo::exists(flag))
        return true;
    return !QSettings(flag, QSettings::IniFormat).value(FlagKey).toBool();
}

void FirstRun::setActive(bool active)
{
    if (active == m_active)
        return;
    m_active = active;
    emit activeChanged();
}

bool FirstRun::dismiss()
{
    setActive(false);
    const QString flag = flagFile(m_configFile);
    if (!PrivateFiles::makePath(QFileInfo(flag).absolutePath()))
        return false;
    PrivateFiles::createFile(flag);
    QSettings file(flag, QSettings::IniFormat);
    file.setValue(FlagKey, true);
    file.sync();
    return file.status() == QSettings::NoError;
}

QStringList FirstRun::fields()
{
    return {QStringLiteral("api-key"), QStringLiteral("public-key"), QStringLiteral("forward-to"),
            QStringLiteral("namespace")};
}

} // namespace kt
