// SPDX-License-Identifier: GPL-3.0-or-later
// kt::Autostart: the XDG autostart entry (Linux) or the Run value (Windows), redirected into
// temporary locations so the real session is never touched.
#include "platform/autostart.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#ifdef Q_OS_WIN
#include <QSettings>
#include <QUuid>
#endif

using namespace kt;

class TestAutostart : public QObject
{
    Q_OBJECT

private slots:
#ifdef Q_OS_WIN
    void runValueRoundTrip();
#else
    void init();
    void cleanup();
    void environmentRedirectsDirectory();
    void defaultIsXdgConfigAutostart();
    void constructorLocationWinsOverEnvironment();
    void disabledWhenNoEntry();
    void enableWritesDesktopEntry();
    void enableCreatesMissingDirectory();
    void disableRemovesEntry();
    void disableWithoutEntrySucceeds();
    void hiddenOrGnomeDisabledEntryIsDisabled_data();
    void hiddenOrGnomeDisabledEntryIsDisabled();
    void keysOutsideDesktopEntryGroupIgnored();
    void enableReplacesDisabledEntry();
    void unwritableLocationReportsError();
    void defaultExecutableIsThisProgram();
    void quoteExecArgument_data();
    void quoteExecArgument();
    void execLineEscapesBackslashTwice();
    void writtenEntryPassesDesktopFileValidate();
#endif

private:
    static QByteArray readFile(const QString &path);
    static void writeFile(const QString &path, const QByteArray &contents);
    QScopedPointer<QTemporaryDir> m_dir;
    QByteArray m_savedVariable;
    QByteArray m_savedConfigHome;
};

QByteArray TestAutostart::readFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return QByteArray();
    return f.readAll();
}

void TestAutostart::writeFile(const QString &path, const QByteArray &contents)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(contents);
}

#ifdef Q_OS_WIN

void TestAutostart::runValueRoundTrip()
{
    const QString key = QStringLiteral("HKEY_CURRENT_USER\\Software\\kevan-tel-tests\\Run-") +
                        QUuid::createUuid().toString(QUuid::WithoutBraces);
    Autostart autostart(QStringLiteral("C:\\Program Files\\kevan-tel\\bin\\kevan-tel.exe"), {},
                        key);
    QCOMPARE(autostart.location(), key);
    QVERIFY(!autostart.isEnabled());
    QString error;
    QVERIFY2(autostart.setEnabled(true, &error), qPrintable(error));
    QVERIFY(autostart.isEnabled());
    QCOMPARE(QSettings(key, QSettings::NativeFormat).value(QStringLiteral("kevan-tel")).toString(),
             QStringLiteral("\"C:\\Program Files\\kevan-tel\\bin\\kevan-tel.exe\""));
    QVERIFY2(autostart.setEnabled(false, &error), qPrintable(error));
    QVERIFY(!autostart.isEnabled());
    QSettings(QStringLiteral("HKEY_CURRENT_USER\\Software"), QSettings::NativeFormat)
        .remove(QStringLiteral("kevan-tel-tests"));
}

#else

void TestAutostart::init()
{
    m_dir.reset(new QTemporaryDir);
    QVERIFY(m_dir->isValid());
    m_savedVariable = qgetenv(Autostart::directoryVariable());
    m_savedConfigHome = qgetenv("XDG_CONFIG_HOME");
    // Never the real ~/.config/autostart, whatever a test forgets to redirect.
    qputenv(Autostart::directoryVariable(), m_dir->filePath(QStringLiteral("autostart")).toUtf8());
}

void TestAutostart::cleanup()
{
    qputenv(Autostart::directoryVariable(), m_savedVariable);
    if (m_savedVariable.isNull())
        qunsetenv(Autostart::directoryVariable());
    qputenv("XDG_CONFIG_HOME", m_savedConfigHome);
    if (m_savedConfigHome.isNull())
        qunsetenv("XDG_CONFIG_HOME");
    m_dir.reset();
}

void TestAutostart::environmentRedirectsDirectory()
{
    const Autostart autostart(QStringLiteral("/usr/bin/kevan-tel"));
    QCOMPARE(autostart.location(), m_dir->filePath(QStringLiteral("autostart/kevan-tel.desktop")));
}

void TestAutostart::defaultIsXdgConfigAutostart()
{
    qunsetenv(Autostart::directoryVariable());
    const QString configHome = m_dir->filePath(QStringLiteral("config"));
    QDir().mkpath(configHome);
    qputenv("XDG_CONFIG_HOME", configHome.toUtf8());
    const Autostart autostart(QStringLiteral("/usr/bin/kevan-tel"));
    QCOMPARE(autostart.location(), configHome + QStringLiteral("/autostart/kevan-tel.desktop"));
}

void TestAutostart::constructorLocationWinsOverEnvironment()
{
    const QString other = m_dir->filePath(QStringLiteral("elsewhere"));
    const Autostart autostart(QStringLiteral("/usr/bin/kevan-tel"), {}, other);
    QCOMPARE(autostart.location(), other + QStringLiteral("/kevan-tel.desktop"));
}

void TestAutostart::disabledWhenNoEntry()
{
    const Autostart autostart(QStringLiteral("/usr/bin/kevan-tel"));
    QVERIFY(!QFile::exists(autostart.location()));
    QVERIFY(!autostart.isEnabled());
}

void TestAutostart::enableWritesDesktopEntry()
{
    Autostart autostart(QStringLiteral("/usr/bin/kevan-tel"));
    QString error;
    QVERIFY2(autostart.setEnabled(true, &error), qPrintable(error));
    QVERIFY(error.isEmpty());
    QVERIFY(autostart.isEnabled());
    const QByteArray contents = readFile(autostart.location());
    QVERIFY(contents.startsWith("[Desktop Entry]\n"));
    QVERIFY(contents.contains("\nType=Application\n"));
    QVERIFY(contents.contains("\nExec=/usr/bin/kevan-tel\n"));
    QVERIFY(contents.contains("\nIcon=io.kevan.tel\n"));
    QVERIFY(!contents.contains("Hidden=true"));
    // Enabling twice is harmless.
    QVERIFY(autostart.setEnabled(true));
    QVERIFY(autostart.isEnabled());
}

void TestAutostart::enableCreatesMissingDirectory()
{
    const QString nested = m_dir->filePath(QStringLiteral("a/b/c"));
    Autostart autostart(QStringLiteral("/usr/bin/kevan-tel"), {}, nested);
    QVERIFY(!QFileInfo::exists(nested));
    QString error;
    QVERIFY2(autostart.setEnabled(true, &error), qPrintable(error));
    QVERIFY(QFile::exists(nested + QStringLiteral("/kevan-tel.desktop")));
}

void TestAutostart::disableRemovesEntry()
{
    Autostart autostart(QStringLiteral("/usr/bin/kevan-tel"));
    QVERIFY(autostart.setEnabled(true));
    QVERIFY(QFile::exists(autostart.location()));
    QString error;
    QVERIFY2(autostart.setEnabled(false, &error), qPrintable(error));
    QVERIFY(!QFile::exists(autostart.location()));
    QVERIFY(!autostart.isEnabled());
}

void TestAutostart::disableWithoutEntrySucceeds()
{
    Autostart autostart(QStringLiteral("/usr/bin/kevan-tel"));
    QString error;
    QVERIFY2(autostart.setEnabled(false, &error), qPrintable(error));
    QVERIFY(!autostart.isEnabled());
    // Disabling creates nothing.
    QVERIFY(!QFileInfo::exists(QFileInfo(autostart.location()).absolutePath()));
}

void TestAutostart::hiddenOrGnomeDisabledEntryIsDisabled_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<bool>("enabled");
    QTest::newRow("Hidden=true") << QByteArray("Hidden=true") << false;
    QTest::newRow("Hidden=false") << QByteArray("Hidden=false") << true;
    QTest::newRow("gnome disabled") << QByteArray("X-GNOME-Autostart-enabled=false") << false;
    QTest::newRow("gnome enabled") << QByteArray("X-GNOME-Autostart-enabled=true") << true;
    QTest::newRow("spaces around =") << QByteArray("Hidden = true") << false;
}

void TestAutostart::hiddenOrGnomeDisabledEntryIsDisabled()
{
    QFETCH(QByteArray, line);
    QFETCH(bool, enabled);
    const Autostart autostart(QStringLiteral("/usr/bin/kevan-tel"));
    writeFile(autostart.location(), "[Desktop Entry]\nType=Application\nName=kevan-tel\n"
                                    "Exec=/usr/bin/kevan-tel\n" +
                                        line + "\n");
    QCOMPARE(autostart.isEnabled(), enabled);
}

void TestAutostart::keysOutsideDesktopEntryGroupIgnored()
{
    const Autostart autostart(QStringLiteral("/usr/bin/kevan-tel"));
    writeFile(autostart.location(), "# Hidden=true\n[Desktop Entry]\nType=Application\n"
                                    "Name=kevan-tel\nExec=/usr/bin/kevan-tel\n"
                                    "[Desktop Action quit]\nName=Quit\nHidden=true\n");
    QVERIFY(autostart.isEnabled());
}

void TestAutostart::enableReplacesDisabledEntry()
{
    Autostart autostart(QStringLiteral("/usr/bin/kevan-tel"));
    writeFile(autostart.location(), "[Desktop Entry]\nType=Application\nName=kevan-tel\n"
                                    "Exec=/usr/bin/kevan-tel\nHidden=true\n");
    QVERIFY(!autostart.isEnabled());
    QVERIFY(autostart.setEnabled(true));
    QVERIFY(autostart.isEnabled());
    QVERIFY(!readFile(autostart.location()).contains("Hidden"));
}

void TestAutostart::unwritableLocationReportsError()
{
    // A regular file where the directory should be: fails even for root.
    const QString blocker = m_dir->filePath(QStringLiteral("not-a-directory"));
    writeFile(blocker, "x");
    Autostart autostart(QStringLiteral("/usr/bin/kevan-tel"), {}, blocker);
    QString error;
    QVERIFY(!autostart.setEnabled(true, &error));
    QVERIFY(!error.isEmpty());
    QVERIFY2(error.contains(blocker), qPrintable(error));
    QVERIFY(!autostart.isEnabled());
}

void TestAutostart::defaultExecutableIsThisProgram()
{
    qunsetenv("APPIMAGE");
    const Autostart autostart;
    QCOMPARE(autostart.commandLine(),
             Autostart::quoteExecArgument(QCoreApplication::applicationFilePath()));
}

void TestAutostart::quoteExecArgument_data()
{
    QTest::addColumn<QString>("argument");
    QTest::addColumn<QString>("quoted");
    QTest::newRow("plain") << QStringLiteral("/usr/bin/kevan-tel")
                           << QStringLiteral("/usr/bin/kevan-tel");
    QTest::newRow("option") << QStringLiteral("--port=3000") << QStringLiteral("--port=3000");
    QTest::newRow("space") << QStringLiteral("/opt/kevan tel/kevan-tel")
                           << QStringLiteral("\"/opt/kevan tel/kevan-tel\"");
    QTest::newRow("dollar and backquote")
        << QStringLiteral("$HOME`x`") << QStringLiteral("\"\\$HOME\\`x\\`\"");
    QTest::newRow("double quote") << QStringLiteral("a\"b") << QStringLiteral("\"a\\\"b\"");
    QTest::newRow("single quote") << QStringLiteral("it's") << QStringLiteral("\"it's\"");
    QTest::newRow("backslash") << QStringLiteral("a\\b") << QStringLiteral("\"a\\\\b\"");
    QTest::newRow("percent") << QStringLiteral("100%") << QStringLiteral("100%%");
    QTest::newRow("empty") << QString() << QStringLiteral("\"\"");
}

void TestAutostart::quoteExecArgument()
{
    QFETCH(QString, argument);
    QFETCH(QString, quoted);
    QCOMPARE(Autostart::quoteExecArgument(argument), quoted);
}

void TestAutostart::execLineEscapesBackslashTwice()
{
    // Exec quoting escapes \ once, then the desktop-file string escape doubles it again.
    Autostart autostart(QStringLiteral("/opt/kevan\\tel/kevan-tel"),
                        {QStringLiteral("--config"), QStringLiteral("/home/a b/k.conf")});
    QCOMPARE(autostart.commandLine(),
             QStringLiteral("\"/opt/kevan\\\\tel/kevan-tel\" --config \"/home/a b/k.conf\""));
    QVERIFY(autostart.setEnabled(true));
    QVERIFY(readFile(autostart.location())
                .contains("\nExec=\"/opt/kevan\\\\\\\\tel/kevan-tel\" --config "
                          "\"/home/a b/k.conf\"\n"));
}

void TestAutostart::writtenEntryPassesDesktopFileValidate()
{
    const QString validator =
        QStandardPaths::findExecutable(QStringLiteral("desktop-file-validate"));
    if (validator.isEmpty())
        QSKIP("desktop-file-validate is not installed (package desktop-file-utils)");
    Autostart autostart(QStringLiteral("/opt/kevan tel/kevan-tel"), {QStringLiteral("--demo")});
    QVERIFY(autostart.setEnabled(true));
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(validator, {autostart.location()});
    QVERIFY(process.waitForFinished(30000));
    const QByteArray output = process.readAll();
    QVERIFY2(process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0,
             output.constData());
    QVERIFY2(output.trimmed().isEmpty(), output.constData());
}

#endif

QTEST_GUILESS_MAIN(TestAutostart)
#include "tst_autostart.moc"
