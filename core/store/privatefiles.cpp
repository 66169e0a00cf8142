// SPDX-License-Identifier: GPL-3.0-or-later
#include "privatefiles.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace kt::PrivateFiles {

namespace {
constexpr QFileDevice::Permissions kOwnerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
constexpr QFileDevice::Permissions kOwnerFolder = kOwnerOnly | QFileDevice::ExeOwner;
} // namespace

bool makePath(const QString &folder)
{
#ifdef Q_OS_UNIX
    const QString path = QDir::cleanPath(QFileInfo(folder).absoluteFilePath());
    if (QFileInfo(path).isDir())
        return true;
    const QString parent = QFileInfo(path).path();
    if (parent != path && !makePath(parent))
        return false;
    // mkdir(dir, permissions) applies them at creation, before anyone can open the folder.
    return QDir().mkdir(path, kOwnerFolder) || QFileInfo(path).isDir();
#else
    return QDir().mkpath(folder);
#endif
}

bool createFile(const QString &file)
{
    if (QFileInfo::exists(file))
        return true;
    QFile f(file);
#ifdef Q_OS_UNIX
    if (f.open(QIODevice::WriteOnly | QIODevice::NewOnly, kOwnerOnly))
        return true;
#else
    if (f.open(QIODevice::WriteOnly | QIODevice::NewOnly))
        return true;
#endif
    return QFileInfo::exists(file); // another process created it meanwhile
}

bool restrict(const QString &file)
{
#ifdef Q_OS_UNIX
    return QFile::setPermissions(file, kOwnerOnly);
#else
    return QFileInfo::exists(file);
#endif
}

} // namespace kt::PrivateFiles
