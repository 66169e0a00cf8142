// SPDX-License-Identifier: GPL-3.0-or-later
// The Settings page's controller: every field's validation, Save writing the INI config file
// (the keys ConfigLoader reads back; never the API key), the API key going to the keychain (an
// in-memory SecretStore here) and what happens when the keychain fails, autostart, and reading
// the stored key at start-up.
#include "engine/config.h"
#include "engine/settingschema.h"
#include "platform/autostart.h"
#include "platform/secretstore.h"
#include "settingscontroller.h"
#include "startup.h"

#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#ifdef Q_OS_UNIX
#include <sys/stat.h>
#endif

using namespace kt;

namespace {
const QString GoodKey = QStringLiteral("KEY0123456789ABCDEFabcdef_ghijklmnop");
// Base64 of 32 bytes (0x00..0x1f).
QString publicKey32()
{
    QByteArray raw;
    for (int i = 0; i < 32; ++i)
        raw.append(char(i));
    return QString::fromLatin1(raw.toBase64());
}
} // namespace

class TstSettings : public QObject
{
    Q_OBJECT
private slots:
    void init();

    void validation_data();
    void validation();
    void formStartsWithTheRunningValues();
    void saveWritesOnlyChangedKeysToTheIniFile();
#ifdef Q_OS_UNIX
    void configFileIsPrivate();
#endif
    void saveRefusesInvalidFields();
    void unchangedFormSavesNothing();
    void revertRestoresTheSavedValues();
    void apiKeyGoesToTheKeychainNeverTheFile();
    void keychainFailureIsReportedAndNothingIsLost();
    void noKeychainAtAll();
    void removeApiKey();
    void autostartAppliesAtOnce();
    void loadApiKeyAtStartUp();
    void startMinimizedIsAConfigKey();
    void selfRegistrationKeysSaveToTheIniFile();
    void voicemailSettingsAreConfigKeys();
    void systemKeychainNeverFakesASecret();

private:
    Config config() const;
    QString iniPath() const
    {
        return m_dir->filePath(QStringLiteral("conf/kevan-tel.conf"));
    }
    QString autostartDir() const
    {
        return m_dir->filePath(QStringLiteral("autostart"));
    }
    QMap<QString, QString> readIni() const;

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TstSettings::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

Config TstSettings::config() const
{
    Config c;
    c.configFile = iniPath();
    c.databasePath = m_dir->filePath(QStringLiteral("kevan-tel.db"));
    c.forwardTo = QStringLiteral("+17702300635");
    return c;
}

QMap<QString, QString> TstSettings::readIni() const
{
    QMap<QString, QString> values;
    QString error;
    if (!ConfigLoader::readFile(iniPath(), &values, &error))
        qWarning() << error;
    return values;
}

void TstSettings::validation_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QVariant>("value");
    QTest::addColumn<QString>("error"); // a part of the error; empty: valid
    QTest::addColumn<QString>("hint");  // a part of the hint; empty: not checked

    QTest::newRow("api-key empty") << "api-key" << QVariant(QString()) << ""
                                   << "";
    QTest::newRow("api-key good") << "api-key" << QVariant(GoodKey) << ""
                                  << "";
    QTest::newRow("api-key spaces")
        << "api-key" << QVariant(QStringLiteral("KEY0123 456789ABCDEF")) << "no spaces"
        << "";
    QTest::newRow("api-key short") << "api-key" << QVariant(QStringLiteral("KEY123")) << "Too short"
                                   << "";
    QTest::newRow("api-key not KEY")
        << "api-key" << QVariant(QStringLiteral("abcdefghijklmnopqrstuvwxyz")) << ""
        << "usually start with KEY";
    QTest::newRow("api-key non-ascii")
        << "api-key" << QVariant(QStringLiteral("KEY0123456789ABCDÉ")) << "letters, digits"
        << "";

    QTest::newRow("public-key good") << "public-key" << QVariant(publicKey32()) << ""
                                     << "32 bytes";
    QTest::newRow("public-key empty") << "public-key" << QVariant(QString()) << ""
                                      << "every webhook is refused";
    QTest::newRow("public-key short")
        << "public-key" << QVariant(QString::fromLatin1(QByteArray(31, 'a').toBase64()))
        << "Not a webhook public key"
        << "";
    QTest::newRow("public-key junk")
        << "public-key" << QVariant(QStringLiteral("not base64!")) << "Not a webhook public key"
        << "";

    QTest::newRow("forward-to written")
        << "forward-to" << QVariant(QStringLiteral("(415) 555-0132")) << ""
        << "+14155550132";
    QTest::newRow("forward-to e164")
        << "forward-to" << QVariant(QStringLiteral("+44 20 7946 0958")) << ""
        << "+442079460958";
    QTest::newRow("forward-to bad")
        << "forward-to" << QVariant(QStringLiteral("12")) << "Not a phone number"
        << "";
    QTest::newRow("forward-to empty") << "forward-to" << QVariant(QString()) << ""
                                      << "cannot be put through";

    QTest::newRow("namespace good") << "namespace" << QVariant(QStringLiteral("kevan.tel.x")) << ""
                                    << "";
    QTest::newRow("namespace upper") << "namespace" << QVariant(QStringLiteral("Alice.X")) << ""
                                     << "";
    QTest::newRow("namespace no .x")
        << "namespace" << QVariant(QStringLiteral("kevan.tel")) << "ends in .x"
        << "";
    QTest::newRow("namespace bad label")
        << "namespace" << QVariant(QStringLiteral("bad_name.x")) << "letters, digits and hyphens"
        << "";
    QTest::newRow("namespace empty") << "namespace" << QVariant(QString()) << "namespace"
                                     << "";

    QTest::newRow("policy ask") << "unknown-policy" << QVariant(QStringLiteral("ask")) << ""
                                << "";
    QTest::newRow("policy accept_all")
        << "unknown-policy" << QVariant(QStringLiteral("accept_all")) << "Choose one of"
        << "";

    QTest::newRow("message good") << "rejection-message"
                                  << QVariant(QStringLiteral("Sorry, not today.")) << ""
                                  << "17 of 3000";
    QTest::newRow("message 3000") << "rejection-message"
                                  << QVariant(QString(3000, QLatin1Char('a'))) << ""
                                  << "";
    QTest::newRow("message 3001") << "rejection-message"
                                  << QVariant(QString(3001, QLatin1Char('a')))
                                  << "At most 3000 characters (this is 3001)"
                                  << "";
    QTest::newRow("message blank")
        << "rejection-message" << QVariant(QStringLiteral("   ")) << "1 to 3000"
        << "";

    QTest::newRow("port 0") << "port" << QVariant(QStringLiteral("0")) << ""
                            << "free port";
    QTest::newRow("port 3000") << "port" << QVariant(QStringLiteral("3000")) << ""
                               << "";
    QTest::newRow("port 65535") << "port" << QVariant(QStringLiteral("65535")) << ""
                                << "";
    QTest::newRow("port 65536") << "port" << QVariant(QStringLiteral("65536")) << "0 to 65535"
                                << "";
    QTest::newRow("port -1") << "port" << QVariant(QStringLiteral("-1")) << "0 to 65535"
                             << "";
    QTest::newRow("port text") << "port" << QVariant(QStringLiteral("http")) << "whole number"
                               << "";
    QTest::newRow("port empty") << "port" << QVariant(QString()) << "whole number"
                                << "";
    QTest::newRow("admin port empty") << "admin-port" << QVariant(QString()) << "whole number"
                                      << "";
    QTest::newRow("admin port 65536")
        << "admin-port" << QVariant(QStringLiteral("65536")) << "0 to 65535"
        << "";
    QTest::newRow("admin port 3001") << "admin-port" << QVariant(QStringLiteral("3001")) << ""
                                     << "";

    QTest::newRow("db relative") << "db" << QVariant(QStringLiteral("kevan-tel.db")) << "full path"
                                 << "";
    QTest::newRow("db empty") << "db" << QVariant(QString()) << "Choose the file"
                              << "";
    QTest::newRow("db folder") << "db" << QVariant(QDir::tempPath()) << "That is a folder"
                               << "";
    QTest::newRow("db new file") << "db"
                                 << QVariant(QDir::temp().filePath(
                                        QStringLiteral("kevan-tel-settings-test-missing/x.db")))
                                 << ""
                                 << "folder is created";

    QTest::newRow("self-registration on")
        << "self-registration" << QVariant(QStringLiteral("on")) << ""
        << "";
    QTest::newRow("self-registration bad")
        << "self-registration" << QVariant(QStringLiteral("yes please")) << "Choose one of"
        << "";
    QTest::newRow("registration-approval automatic")
        << "registration-approval" << QVariant(QStringLiteral("automatic")) << ""
        << "";
    QTest::newRow("registration-approval bad")
        << "registration-approval" << QVariant(QStringLiteral("anyone")) << "Choose one of"
        << "";

    QTest::newRow("policy voicemail")
        << "unknown-policy" << QVariant(QStringLiteral("voicemail")) << ""
        << "";
    QTest::newRow("ask fallback default") << "ask-fallback" << QVariant(QString()) << ""
                                          << "Follows the policy";
    QTest::newRow("ask fallback voicemail")
        << "ask-fallback" << QVariant(QStringLiteral("voicemail")) << ""
        << "";
    QTest::newRow("ask fallback ask")
        << "ask-fallback" << QVariant(QStringLiteral("ask")) << "Choose one of"
        << "";
    QTest::newRow("greeting good")
        << "voicemail-greeting" << QVariant(QStringLiteral("Leave a message.")) << ""
        << "16 of 3000";
    QTest::newRow("greeting blank")
        << "voicemail-greeting" << QVariant(QStringLiteral("  ")) << "before the beep"
        << "";
    QTest::newRow("greeting 3001")
        << "voicemail-greeting" << QVariant(QString(3001, QLatin1Char('a')))
        << "At most 3000 characters"
        << "";
    QTest::newRow("max length 120")
        << "voicemail-max-length" << QVariant(QStringLiteral("120")) << ""
        << "2 min 0 s";
    QTest::newRow("max length 4") << "voicemail-max-length" << QVariant(QStringLiteral("4"))
                                  << "5 to 14400"
                                  << "";
    QTest::newRow("max length 14401")
        << "voicemail-max-length" << QVariant(QStringLiteral("14401")) << "5 to 14400"
        << "";
    QTest::newRow("max length text")
        << "voicemail-max-length" << QVariant(QStringLiteral("two")) << "5 to 14400"
        << "";
    QTest::newRow("transcription") << "voicemail-transcription" << QVariant(false) << ""
                                   << "";
    QTest::newRow("voicemail on no answer") << "voicemail-on-no-answer" << QVariant(true) << ""
                                            << "";

    QTest::newRow("start minimized") << "start-minimized" << QVariant(true) << ""
                                     << "tray";
    QTest::newRow("autostart") << "autostart" << QVariant(true) << ""
                               << "";
    QTest::newRow("mode watch") << "mode" << QVariant(QStringLiteral("watch")) << ""
                                << "no webhook server here";
    QTest::newRow("mode screen") << "mode" << QVariant(QStringLiteral("Screen")) << ""
                                 << "webhook server and the engine";
    QTest::newRow("mode other") << "mode" << QVariant(QStringLiteral("serve")) << "screen, watch"
                                << "";
    QTest::newRow("unknown field")
        << "colour" << QVariant(QStringLiteral("red")) << "unknown setting"
        << "";
}

void TstSettings::validation()
{
    QFETCH(QString, field);
    QFETCH(QVariant, value);
    QFETCH(QString, error);
    QFETCH(QString, hint);
    QString gotHint;
    const QString got = SettingsController::validate(field, value, &gotHint);
    if (error.isEmpty())
        QVERIFY2(got.isEmpty(), qPrintable(got));
    else
        QVERIFY2(got.contains(error), qPrintable(got));
    if (!hint.isEmpty())
        QVERIFY2(gotHint.contains(hint), qPrintable(gotHint));
}

void TstSettings::formStartsWithTheRunningValues()
{
    Config c = config();
    c.port = 3100;
    c.adminPort = 3101;
    c.publicKey = QByteArray::fromBase64(publicKey32().toLatin1());
    c.startMinimized = true;
    MemorySecretStore secrets;
    SettingsController s(c, &secrets, autostartDir());
    QCOMPARE(s.configFile(), iniPath());
    QCOMPARE(s.value(QStringLiteral("port")).toString(), QStringLiteral("3100"));
    QCOMPARE(s.value(QStringLiteral("admin-port")).toString(), QStringLiteral("3101"));
    QCOMPARE(s.value(QStringLiteral("public-key")).toString(), publicKey32());
    QCOMPARE(s.value(QStringLiteral("forward-to")).toString(), QStringLiteral("+17702300635"));
    QCOMPARE(s.value(QStringLiteral("namespace")).toString(), QStringLiteral("kevan.tel.x"));
    QCOMPARE(s.value(QStringLiteral("unknown-policy")).toString(),
             QStringLiteral("reject_with_message"));
    QCOMPARE(s.value(QStringLiteral("rejection-message")).toString(), Config().rejectionMessage);
    QCOMPARE(s.value(QStringLiteral("start-minimized")).toBool(), true);
    QCOMPARE(s.value(QStringLiteral("autostart")).toBool(), false);
    QCOMPARE(s.value(QStringLiteral("api-key")).toString(), QString()); // never shown
    QVERIFY(s.isValid());
    QVERIFY(!s.isDirty());
    QVERIFY(s.restartNeeded().isEmpty());
    QVERIFY(!SettingsController::choicesOf(QStringLiteral("unknown-policy"))
                 .contains(QStringLiteral("accept_all")));
    // The keychain is asked whether a key is stored.
    QCOMPARE(s.apiKeyState(), ApiKeyState::Checking);
    QTRY_COMPARE(s.apiKeyState(), ApiKeyState::None);
}

void TstSettings::saveWritesOnlyChangedKeysToTheIniFile()
{
    MemorySecretStore secrets;
    SettingsController s(config(), &secrets, autostartDir());
    QSignalSpy saved(&s, &SettingsController::saved);
    const QString message = QStringLiteral("Désolé, this line only takes calls from friends, "
                                           "\"registered\" ones; try kevan dot x.");
    s.setValue(QStringLiteral("forward-to"), QStringLiteral("(415) 555-0132"));
    s.setValue(QStringLiteral("port"), QStringLiteral("3100"));
    s.setValue(QStringLiteral("namespace"), QStringLiteral("Alice.X"));
    s.setValue(QStringLiteral("rejection-message"), message);
    s.setValue(QStringLiteral("unknown-policy"), QStringLiteral("ask"));
    s.setValue(QStringLiteral("start-minimized"), true);
    QVERIFY(s.isDirty());
    QCOMPARE(s.changedFields().size(), 6);
    QVERIFY(s.save());
    QCOMPARE(saved.count(), 1);
    QCOMPARE(saved.at(0).at(0).toBool(), true);
    QVERIFY(s.statusOk());
    QVERIFY(!s.isDirty());

    // The file is what the app reads at its next start.
    const QMap<QString, QString> ini = readIni();
    QCOMPARE(ini.value(QStringLiteral("forward-to")), QStringLiteral("+14155550132"));
    QCOMPARE(ini.value(QStringLiteral("port")), QStringLiteral("3100"));
    QCOMPARE(ini.value(QStringLiteral("namespace")), QStringLiteral("alice.x"));
    QCOMPARE(ini.value(QStringLiteral("unknown-policy")), QStringLiteral("ask"));
    QCOMPARE(ini.value(QStringLiteral("start-minimized")), QStringLiteral("true"));
    QCOMPARE(ini.size(), 6); // only what changed: db, public-key, ... are not written
    QVERIFY(!ini.contains(QStringLiteral("api-key")));
    Config next;
    QString error;
    QVERIFY2(ConfigLoader::apply(next, ini, &error), qPrintable(error));
    QCOMPARE(next.forwardTo, QStringLiteral("+14155550132"));
    QCOMPARE(next.port, quint16(3100));
    QCOMPARE(next.nameSpace, QStringLiteral("alice.x"));
    QCOMPARE(next.rejectionMessage, message);
    QCOMPARE(next.unknownPolicy, QStringLiteral("ask"));
    QCOMPARE(next.startMinimized, true);

    // Every config value applies at the next start: the status says which.
    QCOMPARE(s.restartNeeded(),
             (QStringList{QStringLiteral("forward-to"), QStringLiteral("namespace"),
                          QStringLiteral("unknown-policy"), QStringLiteral("rejection-message"),
                          QStringLiteral("port"), QStringLiteral("start-minimized")}));
    QVERIFY2(s.statusMessage().contains(QStringLiteral("Restart kevan-tel to apply: forward-to "
                                                       "number, namespace, unknown callers, "
                                                       "rejection message, port, start minimized")),
             qPrintable(s.statusMessage()));
    QVERIFY(s.statusMessage().contains(iniPath()));

    // Back to what the app runs with: no restart needed for that field any more; other keys of
    // the file are kept.
    s.setValue(QStringLiteral("port"), QStringLiteral("3000"));
    QVERIFY(s.save());
    QVERIFY(!s.restartNeeded().contains(QStringLiteral("port")));
    QCOMPARE(readIni().value(QStringLiteral("port")), QStringLiteral("3000"));
    QCOMPARE(readIni().value(QStringLiteral("forward-to")), QStringLiteral("+14155550132"));
}

#ifdef Q_OS_UNIX
// The config file (it may hold the API key) and the folder made for it are the owner's only,
// under a umask that lets everyone read, and stay so when the file is written again.
void TstSettings::configFileIsPrivate()
{
    auto mode = [](const QString &path) {
        struct stat st;
        return ::stat(QFile::encodeName(path).constData(), &st) == 0 ? int(st.st_mode & 0777) : -1;
    };
    const mode_t before = ::umask(022);
    MemorySecretStore secrets;
    SettingsController s(config(), &secrets, autostartDir());
    s.setValue(QStringLiteral("port"), QStringLiteral("3100"));
    const bool saved = s.save();
    s.setValue(QStringLiteral("port"), QStringLiteral("3200"));
    const bool savedAgain = s.save();
    ::umask(before);
    QVERIFY(saved && savedAgain);
    QCOMPARE(readIni().value(QStringLiteral("port")), QStringLiteral("3200"));
    QCOMPARE(mode(iniPath()), 0600);
    QCOMPARE(mode(QFileInfo(iniPath()).absolutePath()), 0700);
}
#endif

void TstSettings::saveRefusesInvalidFields()
{
    MemorySecretStore secrets;
    SettingsController s(config(), &secrets, autostartDir());
    QSignalSpy saved(&s, &SettingsController::saved);
    s.setValue(QStringLiteral("port"), QStringLiteral("70000"));
    s.setValue(QStringLiteral("forward-to"), QStringLiteral("+1 415 555 0132"));
    QVERIFY(!s.isValid());
    QVERIFY(s.error(QStringLiteral("port")).contains(QStringLiteral("65535")));
    QVERIFY(s.error(QStringLiteral("forward-to")).isEmpty());
    QVERIFY(s.hint(QStringLiteral("forward-to")).contains(QStringLiteral("+14155550132")));
    QVERIFY(!s.save());
    QCOMPARE(saved.count(), 1);
    QCOMPARE(saved.at(0).at(0).toBool(), false);
    QVERIFY(!s.statusOk());
    QVERIFY2(s.statusMessage().contains(QStringLiteral("Nothing was saved: check port")),
             qPrintable(s.statusMessage()));
    QVERIFY(!QFile::exists(iniPath()));
    QVERIFY(s.isDirty()); // the form keeps what was typed

    s.setValue(QStringLiteral("port"), QStringLiteral("7000"));
    QVERIFY(s.isValid());
    QVERIFY(s.save());
    QCOMPARE(readIni().value(QStringLiteral("port")), QStringLiteral("7000"));
}

void TstSettings::unchangedFormSavesNothing()
{
    MemorySecretStore secrets;
    SettingsController s(config(), &secrets, autostartDir());
    // The same number written differently is no change.
    s.setValue(QStringLiteral("forward-to"), QStringLiteral("(770) 230-0635"));
    QVERIFY(!s.isDirty());
    QVERIFY(s.save());
    QVERIFY(s.statusMessage().contains(QStringLiteral("Nothing to save")));
    QVERIFY(!QFile::exists(iniPath()));
}

void TstSettings::revertRestoresTheSavedValues()
{
    MemorySecretStore secrets;
    SettingsController s(config(), &secrets, autostartDir());
    QSignalSpy changed(&s, &SettingsController::valuesChanged);
    s.setValue(QStringLiteral("namespace"), QStringLiteral("nope"));
    s.setValue(QStringLiteral("api-key"), GoodKey);
    QVERIFY(!s.isValid());
    QCOMPARE(s.changedFields(),
             (QStringList{QStringLiteral("api-key"), QStringLiteral("namespace")}));
    QVERIFY(changed.count() >= 2);
    s.revert();
    QVERIFY(s.isValid());
    QVERIFY(!s.isDirty());
    QCOMPARE(s.value(QStringLiteral("namespace")).toString(), QStringLiteral("kevan.tel.x"));
    QCOMPARE(s.value(QStringLiteral("api-key")).toString(), QString());
}

void TstSettings::apiKeyGoesToTheKeychainNeverTheFile()
{
    // A key someone wrote into the config file by hand is moved into the keychain.
    {
        QDir().mkpath(QFileInfo(iniPath()).absolutePath());
        QSettings ini(iniPath(), QSettings::IniFormat);
        ini.setValue(QStringLiteral("api-key"), QStringLiteral("KEYoldoldoldoldoldold"));
        ini.setValue(QStringLiteral("port"), QStringLiteral("3000"));
    }
    MemorySecretStore secrets;
    SettingsController s(config(), &secrets, autostartDir());
    QVERIFY(
        s.hint(QStringLiteral("api-key")).contains(QStringLiteral("moves it into the keychain")));
    QSignalSpy saved(&s, &SettingsController::saved);
    s.setValue(QStringLiteral("api-key"), QStringLiteral("  ") + GoodKey + QStringLiteral(" "));
    s.setValue(QStringLiteral("namespace"), QStringLiteral("bob.x"));
    QVERIFY(s.save());
    QVERIFY(s.isBusy()); // the keychain answers later
    QVERIFY(saved.wait());
    QCOMPARE(saved.at(0).at(0).toBool(), true);
    QVERIFY(!s.isBusy());
    QCOMPARE(secrets.secrets().value(QString::fromLatin1(SettingsController::ApiKeySecret)),
             GoodKey);
    const QMap<QString, QString> ini = readIni();
    QVERIFY(!ini.contains(QStringLiteral("api-key")));
    QCOMPARE(ini.value(QStringLiteral("namespace")), QStringLiteral("bob.x"));
    QCOMPARE(ini.value(QStringLiteral("port")), QStringLiteral("3000")); // kept
    QCOMPARE(s.value(QStringLiteral("api-key")).toString(), QString());
    QCOMPARE(s.apiKeyState(), ApiKeyState::Stored);
    QVERIFY(s.restartNeeded().contains(QStringLiteral("api-key")));
    QVERIFY2(s.statusMessage().contains(QStringLiteral("The API key is stored in the test "
                                                       "keychain. The older key in the config "
                                                       "file was removed.")),
             qPrintable(s.statusMessage()));
    QVERIFY(!s.isDirty());
    // Nothing in the config file's text is the key.
    QFile file(iniPath());
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(!file.readAll().contains(GoodKey.toLatin1()));
}

void TstSettings::keychainFailureIsReportedAndNothingIsLost()
{
    MemorySecretStore secrets;
    secrets.setFailure(QStringLiteral("the system keychain is not available (no keyring daemon)"));
    SettingsController s(config(), &secrets, autostartDir());
    QTRY_COMPARE(s.apiKeyState(), ApiKeyState::Unavailable);
    QVERIFY(s.apiKeyMessage().contains(QStringLiteral("no keyring daemon")));
    QVERIFY(s.apiKeyMessage().contains(QStringLiteral("TELNYX_API_KEY")));

    QSignalSpy saved(&s, &SettingsController::saved);
    s.setValue(QStringLiteral("api-key"), GoodKey);
    s.setValue(QStringLiteral("port"), QStringLiteral("3300"));
    QVERIFY(s.save());
    QVERIFY(saved.wait());
    QCOMPARE(saved.at(0).at(0).toBool(), false);
    QVERIFY(!s.statusOk());
    QVERIFY2(s.statusMessage().contains(QStringLiteral("The API key was NOT stored: the system "
                                                       "keychain is not available (no keyring "
                                                       "daemon)")),
             qPrintable(s.statusMessage()));
    QVERIFY(s.statusMessage().contains(QStringLiteral("keep your copy")));
    // The other change is saved; the key is neither in the file nor anywhere else, and it is
    // still in the field for another try.
    QCOMPARE(readIni().value(QStringLiteral("port")), QStringLiteral("3300"));
    QVERIFY(!readIni().contains(QStringLiteral("api-key")));
    QVERIFY(secrets.secrets().isEmpty());
    QCOMPARE(s.value(QStringLiteral("api-key")).toString(), GoodKey);
    QCOMPARE(s.changedFields(), QStringList{QStringLiteral("api-key")});
    QVERIFY(!s.restartNeeded().contains(QStringLiteral("api-key")));
    QCOMPARE(s.apiKeyState(), ApiKeyState::Unavailable);

    // Typing elsewhere does not hide the failure.
    s.setValue(QStringLiteral("port"), QStringLiteral("3301"));
    QVERIFY(s.statusMessage().contains(QStringLiteral("NOT stored")));

    // Once the keychain works, the same key is stored.
    secrets.setFailure(QString());
    saved.clear();
    QVERIFY(s.save());
    QVERIFY(saved.wait());
    QCOMPARE(saved.at(0).at(0).toBool(), true);
    QCOMPARE(secrets.secrets().value(QString::fromLatin1(SettingsController::ApiKeySecret)),
             GoodKey);
}

void TstSettings::noKeychainAtAll()
{
    SettingsController s(config(), nullptr, autostartDir());
    QCOMPARE(s.apiKeyState(), ApiKeyState::Unavailable);
    QSignalSpy saved(&s, &SettingsController::saved);
    s.setValue(QStringLiteral("api-key"), GoodKey);
    QVERIFY(!s.save());
    QCOMPARE(saved.count(), 1);
    QVERIFY(s.statusMessage().contains(QStringLiteral("NOT stored: there is no keychain")));
    QCOMPARE(s.value(QStringLiteral("api-key")).toString(), GoodKey);
    QVERIFY(!QFile::exists(iniPath()));
}

void TstSettings::removeApiKey()
{
    MemorySecretStore secrets;
    secrets.setSecret(QString::fromLatin1(SettingsController::ApiKeySecret), GoodKey);
    SettingsController s(config(), &secrets, autostartDir());
    QTRY_COMPARE(s.apiKeyState(), ApiKeyState::Stored);
    s.removeApiKey();
    QVERIFY(s.isBusy());
    QTRY_VERIFY(!s.isBusy());
    QCOMPARE(s.apiKeyState(), ApiKeyState::None);
    QVERIFY(secrets.secrets().isEmpty());
    QVERIFY(s.statusOk());
    QVERIFY(s.statusMessage().contains(QStringLiteral("removed")));
}

void TstSettings::autostartAppliesAtOnce()
{
    MemorySecretStore secrets;
    SettingsController s(config(), &secrets, autostartDir());
    QCOMPARE(s.value(QStringLiteral("autostart")).toBool(), false);
    s.setValue(QStringLiteral("autostart"), true);
    QVERIFY(s.save());
    const QString entry =
        QDir(autostartDir()).filePath(Autostart::entryName() + QStringLiteral(".desktop"));
    QVERIFY(QFile::exists(entry));
    // The entry starts this app with the config file it runs with (not the default one).
    QFile file(entry);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(QString::fromUtf8(file.readAll()).contains(QStringLiteral("--config")));
    QVERIFY(s.restartNeeded().isEmpty());
    QVERIFY(s.statusMessage().contains(QStringLiteral("now starts when you sign in")));
    QVERIFY(!readIni().contains(QStringLiteral("autostart"))); // not a config key

    // A new form sees it on.
    SettingsController again(config(), &secrets, autostartDir());
    QCOMPARE(again.value(QStringLiteral("autostart")).toBool(), true);
    again.setValue(QStringLiteral("autostart"), false);
    QVERIFY(again.save());
    QVERIFY(!Autostart(QString(), {}, autostartDir()).isEnabled());
}

void TstSettings::loadApiKeyAtStartUp()
{
    MemorySecretStore secrets;
    const Startup::Facts desktop{true, false, false};

    // No key anywhere: the desktop app is the demo, on the demo's database; nothing to say.
    Config demo = config();
    QCOMPARE(Startup::decide(demo, desktop, &secrets, 5000), QString());
    QVERIFY(demo.demo);
    QCOMPARE(demo.databasePath, ConfigLoader::defaultDemoDatabasePath());

    // A stored key: the app is not a demo, and uses the database it was given.
    secrets.setSecret(QString::fromLatin1(SettingsController::ApiKeySecret), GoodKey);
    Config stored = config();
    const QString note = Startup::decide(stored, desktop, &secrets, 5000);
    QCOMPARE(stored.apiKey, GoodKey);
    QVERIFY(!stored.demo);
    QCOMPARE(stored.databasePath, config().databasePath);
    QVERIFY(note.contains(QStringLiteral("test keychain")));
    QVERIFY(!note.contains(GoodKey));

    // --demo: the keychain is not read, and the demo keeps its database.
    Config asked = config();
    QCOMPARE(Startup::decide(asked, {true, true, false}, &secrets, 5000), QString());
    QVERIFY(asked.apiKey.isEmpty());
    QVERIFY(asked.demo);
    QCOMPARE(asked.databasePath, ConfigLoader::defaultDemoDatabasePath());
    // ... unless a database was given.
    Config givenDb = config();
    Startup::decide(givenDb, {false, true, true}, nullptr, 0);
    QVERIFY(givenDb.demo);
    QCOMPARE(givenDb.databasePath, config().databasePath);

    // The headless engine without a key is not a demo: it stores and decides calls.
    Config headless = config();
    Startup::decide(headless, {false, false, false}, nullptr, 0);
    QVERIFY(!headless.demo);
    QCOMPARE(headless.databasePath, config().databasePath);

    // A desktop watching a server needs no key: not a demo, on the database it was given.
    Config watching = config();
    watching.mode = QStringLiteral("watch");
    Startup::decide(watching, {true, false, true}, nullptr, 0);
    QVERIFY(!watching.demo);
    QCOMPARE(watching.databasePath, config().databasePath);

    // A key from the environment or the file wins: the keychain is not even read.
    QString line;
    Config given = config();
    given.apiKey = QStringLiteral("KEYfromtheenvironment");
    QVERIFY(!Startup::loadApiKey(given, secrets, 5000, &line));
    QCOMPARE(given.apiKey, QStringLiteral("KEYfromtheenvironment"));

    // A failing keychain is reported, and the desktop app is the demo.
    secrets.setFailure(QStringLiteral("no keyring daemon"));
    Config plain = config();
    QVERIFY(Startup::decide(plain, desktop, &secrets, 5000)
                .contains(QStringLiteral("no keyring daemon")));
    QVERIFY(plain.apiKey.isEmpty());
    QVERIFY(plain.demo);
}

void TstSettings::startMinimizedIsAConfigKey()
{
    QVERIFY(SettingSchema::keys(Setting::ConfigFile).contains(QStringLiteral("start-minimized")));
    Config c;
    QCOMPARE(c.startMinimized, false);
    QString error;
    QVERIFY(ConfigLoader::apply(c, {{QStringLiteral("start-minimized"), QStringLiteral("yes")}},
                                &error));
    QCOMPARE(c.startMinimized, true);
    QVERIFY(!ConfigLoader::apply(c, {{QStringLiteral("start-minimized"), QStringLiteral("maybe")}},
                                 &error));
    QVERIFY(error.contains(QStringLiteral("start-minimized")));
}

void TstSettings::selfRegistrationKeysSaveToTheIniFile()
{
    MemorySecretStore secrets;
    SettingsController s(config(), &secrets, autostartDir());
    QCOMPARE(s.value(QStringLiteral("self-registration")).toString(), QStringLiteral("off"));
    QCOMPARE(s.value(QStringLiteral("registration-approval")).toString(), QStringLiteral("owner"));
    s.setValue(QStringLiteral("self-registration"), QStringLiteral("on"));
    s.setValue(QStringLiteral("registration-approval"), QStringLiteral("automatic"));
    QCOMPARE(s.changedFields().size(), 2);
    QVERIFY(s.save());
    QVERIFY(s.restartNeeded().contains(QStringLiteral("self-registration")));
    const QMap<QString, QString> ini = readIni();
    QCOMPARE(ini.value(QStringLiteral("self-registration")), QStringLiteral("on"));
    QCOMPARE(ini.value(QStringLiteral("registration-approval")), QStringLiteral("automatic"));
    Config next;
    QString error;
    QVERIFY2(ConfigLoader::apply(next, ini, &error), qPrintable(error));
    QVERIFY(next.selfRegistration);
    QCOMPARE(next.registrationApproval, QStringLiteral("automatic"));
}

void TstSettings::voicemailSettingsAreConfigKeys()
{
    // Each voicemail row of the form is a key the config file and the command line know, read
    // back as the form shows it.
    for (const char *key : {"ask-fallback", "voicemail-greeting", "voicemail-max-length",
                            "voicemail-transcription", "voicemail-on-no-answer"}) {
        QVERIFY2(SettingsController::fields().contains(QLatin1String(key)), key);
        QVERIFY2(SettingSchema::keys(Setting::ConfigFile).contains(QLatin1String(key)), key);
        QVERIFY2(SettingSchema::keys(Setting::CommandLine).contains(QLatin1String(key)), key);
    }
    Config c = config();
    QCOMPARE(c.voicemailMaxLengthSecs, 120);
    QCOMPARE(c.voicemailTranscription, true);
    QCOMPARE(c.voicemailOnNoAnswer, false);
    QString error;
    QVERIFY2(
        ConfigLoader::apply(c,
                            {{QStringLiteral("unknown-policy"), QStringLiteral("voicemail")},
                             {QStringLiteral("ask-fallback"), QStringLiteral("voicemail")},
                             {QStringLiteral("voicemail-greeting"), QStringLiteral(" Hi. ")},
                             {QStringLiteral("voicemail-max-length"), QStringLiteral("60")},
                             {QStringLiteral("voicemail-transcription"), QStringLiteral("false")},
                             {QStringLiteral("voicemail-on-no-answer"), QStringLiteral("true")}},
                            &error),
        qPrintable(error));
    QCOMPARE(c.unknownPolicy, QStringLiteral("voicemail"));
    QCOMPARE(c.askFallback, QStringLiteral("voicemail"));
    QCOMPARE(c.voicemailGreeting, QStringLiteral("Hi."));
    QCOMPARE(c.voicemailMaxLengthSecs, 60);
    QCOMPARE(c.voicemailTranscription, false);
    QCOMPARE(c.voicemailOnNoAnswer, true);
    SettingsController form(c, nullptr, autostartDir());
    QCOMPARE(form.value(QStringLiteral("voicemail-max-length")).toString(), QStringLiteral("60"));
    QCOMPARE(form.value(QStringLiteral("voicemail-on-no-answer")).toBool(), true);
    QCOMPARE(form.value(QStringLiteral("ask-fallback")).toString(), QStringLiteral("voicemail"));
    for (const auto &[key, value] :
         {std::pair{"ask-fallback", "ask"}, std::pair{"voicemail-max-length", "4"},
          std::pair{"voicemail-greeting", ""}, std::pair{"voicemail-transcription", "maybe"}}) {
        Config d;
        QVERIFY2(!ConfigLoader::apply(d, {{QLatin1String(key), QLatin1String(value)}}, &error),
                 key);
        QVERIFY2(error.contains(QLatin1String(key)), qPrintable(error));
    }
}

void TstSettings::systemKeychainNeverFakesASecret()
{
    // Read-only, under a service nobody uses: without a keychain daemon (CI) it fails with a
    // clear message; with one, the entry is simply not found. Never a made-up value.
    KeychainSecretStore keychain(
        QStringLiteral("kevan-tel-test-%1").arg(QCoreApplication::applicationPid()));
    const SecretStore::Result r = keychain.readNow(QStringLiteral("nothing-here"), 20000);
    QVERIFY(!r.ok);
    QVERIFY(r.value.isEmpty());
    QVERIFY2(r.notFound || r.error.contains(QStringLiteral("keychain")), qPrintable(r.error));
}

QTEST_GUILESS_MAIN(TstSettings)
#include "tst_settings.moc"
