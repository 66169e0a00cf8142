// SPDX-License-Identifier: GPL-3.0-or-later
#include "autostart.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QStandardPaths>

#ifdef Q_OS_WIN
#include <QSettings>
#endif

namespace kt {

namespace {

#ifdef Q_OS_WIN
const QString kRunKey =
    QStringLiteral("HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Run");

// A Windows command-line argument, quoted the way CommandLineToArgvW reads it back.
QString quoteWindowsArgument(const QString &argument)
{
    if (!argument.isEmpty() && !argument.contains(QLatin1Char(' ')) &&
        !argument.contains(QLatin1Char('\t')) && !argument.contains(QLatin1Char('"')))
        return argument;
    QString out = QStringLiteral("\"");
    int backslashes = 0;
    for (const QChar c : argument) {
        if (c == QLatin1Char('\\')) {
            ++backslashes;
            continue;
        }
        // Backslashes are literal unless they precede a quote.
        out +=
            QString(c == QLatin1Char('"') ? backslashes * 2 + 1 : backslashes, QLatin1Char('\\'));
        backslashes = 0;
        out += c;
    }
    out += QString(backslashes * 2, QLatin1Char('\\'));
    out += QLatin1Char('"');
    return out;
}
#else
// The value of `key` in the [Desktop Entry] group of a desktop file, or a null string.
QString desktopEntryValue(const QByteArray &contents, const QByteArray &key)
{
    bool inGroup = false;
    for (QByteArray line : contents.split('\n')) {
        line = line.trimmed();
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        if (line.startsWith('[')) {
            inGroup = line == "[Desktop Entry]";
            continue;
        }
        const int eq = line.indexOf('=');
        if (inGroup && eq > 0 && line.left(eq).trimmed() == key)
            return QString::fromUtf8(line.mid(eq + 1).trimmed());
    }
    return QString();
}

// Escapes for a desktop file value of type string (applied after the Exec quoting).
QString escapeDesktopString(QString value)
{
    value.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
    value.replace(QLatin1Char('\n'), QLatin1String("\\n"));
    value.replace(QLatin1Char('\t'), QLatin1String("\\t"));
    value.replace(QLatin1Char('\r'), QLatin1String("\\r"));
    return value;
}
#endif

QString defaultExecutable()
{
    // An AppImage's own path survives updates; the mounted binary inside it does not.
    const QString appImage = qEnvironmentVariable("APPIMAGE");
    if (!appImage.isEmpty())
        return appImage;
    if (QCoreApplication::instance())
        return QCoreApplication::applicationFilePath();
    return QString();
}

} // namespace

Autostart::Autostart(const QString &executable, const QStringList &arguments,
                     const QString &location)
    : m_executable(executable.isEmpty() ? defaultExecutable() : executable), m_arguments(arguments)
{
#ifdef Q_OS_WIN
    m_location = location.isEmpty() ? kRunKey : location;
#else
    QString dir = location;
    if (dir.isEmpty())
        dir = qEnvironmentVariable(directoryVariable());
    if (dir.isEmpty()) {
        dir = QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) +
              QLatin1String("/autostart");
    }
    m_location = QDir(dir).filePath(entryName() + QLatin1String(".desktop"));
#endif
}

QString Autostart::entryName()
{
    return QStringLiteral("kevan-tel");
}

const char *Autostart::directoryVariable()
{
    return "KEVANTEL_AUTOSTART_DIR";
}

QString Autostart::quoteExecArgument(const QString &argument)
{
    // Desktop Entry Specification, "The Exec key": an argument with a reserved character is
    // quoted whole, and inside the quotes ", `, $ and \ are escaped with a backslash.
    static const QString reserved = QStringLiteral(" \t\n\"'\\><~|&;$*?#()`");
    bool needsQuotes = argument.isEmpty();
    for (const QChar c : argument)
        needsQuotes = needsQuotes || reserved.contains(c);
    QString out;
    if (needsQuotes) {
        out += QLatin1Char('"');
        for (const QChar c : argument) {
            if (c == QLatin1Char('"') || c == QLatin1Char('`') || c == QLatin1Char('$') ||
                c == QLatin1Char('\\'))
                out += QLatin1Char('\\');
            out += c;
        }
        out += QLatin1Char('"');
    } else {
        out = argument;
    }
    // A literal percent sign is written %% (field codes start with %).
    out.replace(QLatin1Char('%'), QLatin1String("%%"));
    return out;
}

QString Autostart::commandLine() const
{
    QStringList parts;
#ifdef Q_OS_WIN
    parts.append(quoteWindowsArgument(QDir::toNativeSeparators(m_executable)));
    for (const QString &a : m_arguments)
        parts.append(quoteWindowsArgument(a));
#else
    parts.append(quoteExecArgument(m_executable));
    for (const QString &a : m_arguments)
        parts.append(quoteExecArgument(a));
#endif
    return parts.join(QLatin1Char(' '));
}

bool Autostart::isEnabled() const
{
#ifdef Q_OS_WIN
    const QSettings run(m_location, QSettings::NativeFormat);
    return !run.value(entryName()).toString().isEmpty();
#else
    QFile file(m_location);
    if (!file.open(QIODevice::ReadOnly))
        return false;
    const QByteArray contents = file.read(64 * 1024);
    if (desktopEntryValue(contents, "Hidden").compare(QLatin1String("true")) == 0)
        return false;
    if (desktopEntryValue(contents, "X-GNOME-Autostart-enabled").compare(QLatin1String("false")) ==
        0)
        return false;
    return true;
#endif
}

bool Autostart::setEnabled(bool enabled, QString *error)
{
    auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    if (enabled && m_executable.isEmpty())
        return fail(QStringLiteral("cannot enable autostart: the program's path is unknown"));
#ifdef Q_OS_WIN
    QSettings run(m_location, QSettings::NativeFormat);
    if (enabled)
        run.setValue(entryName(), commandLine());
    else
        run.remove(entryName());
    run.sync();
    if (run.status() != QSettings::NoError)
        return fail(QStringLiteral("cannot write the registry key %1").arg(m_location));
    return true;
#else
    if (!enabled) {
        if (QFileInfo::exists(m_location) && !QFile::remove(m_location))
            return fail(QStringLiteral("cannot remove %1").arg(m_location));
        return true;
    }
    const QString dir = QFileInfo(m_location).absolutePath();
    if (!QDir().mkpath(dir))
        return fail(QStringLiteral("cannot create the directory %1").arg(dir));
    const QString contents = QStringLiteral("[Desktop Entry]\n"
                                            "Type=Application\n"
                                            "Name=kevan-tel\n"
                                            "GenericName=Call Screening\n"
                                            "Comment=Screen the calls to your Telnyx numbers\n"
                                            "Exec=%1\n"
                                            "Icon=io.kevan.tel\n"
                                            "Terminal=false\n"
                                            "X-GNOME-Autostart-enabled=true\n")
                                 .arg(escapeDesktopString(commandLine()));
    QSaveFile file(m_location);
    if (!file.open(QIODevice::WriteOnly))
        return fail(QStringLiteral("cannot write %1: %2").arg(m_location, file.errorString()));
    file.write(contents.toUtf8());
    if (!file.commit())
        return fail(QStringLiteral("cannot write %1: %2").arg(m_location, file.errorString()));
    return true;
#endif
}

} // namespace kt
