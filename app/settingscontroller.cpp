// SPDX-License-Identifier: GPL-3.0-or-later
#include "settingscontroller.h"

#include "platform/autostart.h"
#include "platform/secretstore.h"
#include "screening/certificate.h"
#include "screening/numbermap.h"
#include "screening/phonenumber.h"
#include "store/privatefiles.h"
#include "telnyx/webhooksignature.h"

#include <QDir>
#include <QFileInfo>
#include <QProcessEnvironment>
#include <QSettings>
#include <QUrl>

namespace kt {
namespace {
const QString ApiKey = QStringLiteral("api-key");
const QString PublicKey = QStringLiteral("public-key");
const QString ForwardTo = QStringLiteral("forward-to");
const QString NameSpace = QStringLiteral("namespace");
const QString UnknownPolicy = QStringLiteral("unknown-policy");
const QString CallerIdTrust = QStringLiteral("caller-id-trust");
const QString RejectionMessage = QStringLiteral("rejection-message");
const QString SelfRegistration = QStringLiteral("self-registration");
const QString RegistrationApproval = QStringLiteral("registration-approval");
const QString Port = QStringLiteral("port");
const QString AdminPort = QStringLiteral("admin-port");
const QString Db = QStringLiteral("db");
const QString StartMinimized = QStringLiteral("start-minimized");
const QString AskFallback = QStringLiteral("ask-fallback");
const QString VoicemailGreeting = QStringLiteral("voicemail-greeting");
const QString VoicemailMaxLength = QStringLiteral("voicemail-max-length");
const QString VoicemailTranscription = QStringLiteral("voicemail-transcription");
const QString VoicemailOnNoAnswer = QStringLiteral("voicemail-on-no-answer");
const QString AutostartField = QStringLiteral("autostart");

constexpr int MaxMessage = 3000;

bool isBoolField(const QString &field)
{
    return field == StartMinimized || field == AutostartField || field == VoicemailTranscription ||
           field == VoicemailOnNoAnswer;
}

// The fields Save writes into the config file.
bool isFileField(const QString &field)
{
    return field != ApiKey && field != AutostartField;
}

QString localPath(const QString &text)
{
    const QString t = text.trimmed();
    if (t.startsWith(QLatin1String("file:")))
        return QUrl(t).toLocalFile();
    return t;
}

QStringList autostartArguments(const QString &configFile)
{
    if (configFile.isEmpty() || QFileInfo(configFile).absoluteFilePath() ==
                                    QFileInfo(ConfigLoader::defaultConfigFile()).absoluteFilePath())
        return {};
    return {QStringLiteral("--config"), QFileInfo(configFile).absoluteFilePath()};
}
} // namespace

SettingsController::SettingsController(const Config &running, SecretStore *secrets,
                                       const QString &autostartLocation, QObject *parent)
    : QObject(parent), m_configFile(running.configFile.isEmpty() ? ConfigLoader::defaultConfigFile()
                                                                 : running.configFile),
      m_secrets(secrets), m_autostartLocation(autostartLocation)
{
    m_running = valuesOf(running);
    m_saved = m_running;
    m_values = m_running;
    revalidate();
    checkApiKey();
}

SettingsController::~SettingsController() = default;

QStringList SettingsController::fields()
{
    return {ApiKey,
            PublicKey,
            ForwardTo,
            NameSpace,
            UnknownPolicy,
            AskFallback,
            CallerIdTrust,
            RejectionMessage,
            SelfRegistration,
            RegistrationApproval,
            VoicemailGreeting,
            VoicemailMaxLength,
            VoicemailTranscription,
            VoicemailOnNoAnswer,
            Port,
            AdminPort,
            Db,
            StartMinimized,
            AutostartField};
}

QStringList SettingsController::selfRegistrationModes()
{
    return {QStringLiteral("off"), QStringLiteral("on")};
}

QStringList SettingsController::registrationApprovals()
{
    return {QStringLiteral("owner"), QStringLiteral("automatic")};
}

QStringList SettingsController::askFallbacks()
{
    // "" follows unknown-policy (reject_with_message when that is ask).
    return {QString(), QStringLiteral("reject_with_message"), QStringLiteral("reject"),
            QStringLiteral("voicemail")};
}

QStringList SettingsController::callerIdTrustLevels()
{
    return {QStringLiteral("attested"), QStringLiteral("any")};
}

QStringList SettingsController::policies()
{
    // The policies for unknown callers (accept_all is a per-number policy only).
    QStringList p = NumberMap::policies();
    p.removeAll(QStringLiteral("accept_all"));
    return p;
}

QString SettingsController::label(const QString &field)
{
    if (field == ApiKey)
        return tr("Telnyx API key");
    if (field == PublicKey)
        return tr("webhook public key");
    if (field == ForwardTo)
        return tr("forward-to number");
    if (field == NameSpace)
        return tr("namespace");
    if (field == UnknownPolicy)
        return tr("unknown callers");
    if (field == CallerIdTrust)
        return tr("caller ID trust");
    if (field == RejectionMessage)
        return tr("rejection message");
    if (field == SelfRegistration)
        return tr("self-registration");
    if (field == RegistrationApproval)
        return tr("registration approval");
    if (field == AskFallback)
        return tr("when you do not decide in time");
    if (field == VoicemailGreeting)
        return tr("voicemail greeting");
    if (field == VoicemailMaxLength)
        return tr("longest message");
    if (field == VoicemailTranscription)
        return tr("transcribe messages");
    if (field == VoicemailOnNoAnswer)
        return tr("voicemail when you do not answer");
    if (field == Port)
        return tr("port");
    if (field == AdminPort)
        return tr("admin port");
    if (field == Db)
        return tr("data location");
    if (field == StartMinimized)
        return tr("start minimized");
    if (field == AutostartField)
        return tr("start at sign-in");
    return field;
}

QVariantMap SettingsController::valuesOf(const Config &c) const
{
    return {
        {ApiKey, QString()},
        {PublicKey,
         c.publicKey.isEmpty() ? QString() : QString::fromLatin1(c.publicKey.toBase64())},
        {ForwardTo, c.forwardTo},
        {NameSpace, c.nameSpace},
        {UnknownPolicy, c.unknownPolicy},
        {CallerIdTrust, c.callerIdTrust},
        {RejectionMessage, c.rejectionMessage},
        {SelfRegistration, c.selfRegistration ? QStringLiteral("on") : QStringLiteral("off")},
        {RegistrationApproval, c.registrationApproval},
        {AskFallback, c.askFallback},
        {VoicemailGreeting, c.voicemailGreeting},
        {VoicemailMaxLength, QString::number(c.voicemailMaxLengthSecs)},
        {VoicemailTranscription, c.voicemailTranscription},
        {VoicemailOnNoAnswer, c.voicemailOnNoAnswer},
        {Port, QString::number(c.port)},
        {AdminPort, QString::number(c.adminPort)},
        {Db, QDir::toNativeSeparators(c.databasePath)},
        {StartMinimized, c.startMinimized},
        {AutostartField,
         Autostart(QString(), autostartArguments(m_configFile), m_autostartLocation).isEnabled()},
    };
}

QString SettingsController::validate(const QString &field, const QVariant &value, QString *hint)
{
    QString scratch;
    QString &h = hint ? *hint : scratch;
    h.clear();
    const QString text = value.toString();
    const QString t = text.trimmed();

    if (field == ApiKey) {
        if (t.isEmpty())
            return {};
        for (const QChar c : t) {
            if (c.isSpace())
                return tr("An API key has no spaces; paste it again without them");
            if (c.unicode() < 0x21 || c.unicode() > 0x7e)
                return tr("An API key is letters, digits and punctuation only");
        }
        if (t.size() < 16)
            return tr("Too short for a Telnyx API key (it is the long text that starts with KEY)");
        if (t.size() > 512)
            return tr("Too long for a Telnyx API key");
        if (!t.startsWith(QLatin1String("KEY")))
            h = tr("Telnyx API keys usually start with KEY; check that this is one");
        return {};
    }
    if (field == PublicKey) {
        if (t.isEmpty()) {
            h = tr("Without it every webhook is refused: paste the key from the Telnyx portal "
                   "(Keys & Credentials → Public Key)");
            return {};
        }
        QString why;
        if (!WebhookVerifier::decodePublicKey(t, &why))
            return tr("Not a webhook public key: %1").arg(why);
        h = tr("Ed25519 public key, 32 bytes");
        return {};
    }
    if (field == ForwardTo) {
        if (t.isEmpty()) {
            h = tr("Without it, allowed callers cannot be put through to you");
            return {};
        }
        const auto parsed = PhoneNumber::parse(t);
        if (!parsed.ok)
            return tr("Not a phone number we can call: %1").arg(parsed.error);
        h = tr("Calls are forwarded to %1").arg(parsed.e164);
        return {};
    }
    if (field == NameSpace) {
        if (t.isEmpty())
            return tr("Your namespace, e.g. kevan.tel.x");
        if (!t.toLower().endsWith(QLatin1String(".x")))
            return tr("A namespace ends in .x, e.g. kevan.tel.x");
        if (!Certificate::isNamespace(t))
            return tr("Use letters, digits and hyphens between the dots, e.g. kevan.tel.x");
        return {};
    }
    if (field == UnknownPolicy) {
        if (!policies().contains(t))
            return tr("Choose one of: %1").arg(policies().join(QStringLiteral(", ")));
        return {};
    }
    if (field == CallerIdTrust) {
        if (!callerIdTrustLevels().contains(t))
            return tr("Choose one of: %1").arg(callerIdTrustLevels().join(QStringLiteral(", ")));
        return {};
    }
    if (field == SelfRegistration) {
        if (!selfRegistrationModes().contains(t))
            return tr("Choose one of: %1").arg(selfRegistrationModes().join(QStringLiteral(", ")));
        return {};
    }
    if (field == RegistrationApproval) {
        if (!registrationApprovals().contains(t))
            return tr("Choose one of: %1").arg(registrationApprovals().join(QStringLiteral(", ")));
        return {};
    }
    if (field == RejectionMessage) {
        if (t.isEmpty())
            return tr("Say something to the callers you turn away (1 to %1 characters)")
                .arg(MaxMessage);
        if (t.size() > MaxMessage)
            return tr("At most %1 characters (this is %2)").arg(MaxMessage).arg(t.size());
        h = tr("%1 of %2 characters").arg(t.size()).arg(MaxMessage);
        return {};
    }
    if (field == AskFallback) {
        if (!askFallbacks().contains(t))
            return tr("Choose one of: %1")
                .arg(askFallbacks().mid(1).join(QStringLiteral(", ")) + tr(", or leave empty"));
        if (t.isEmpty())
            h = tr("Follows the policy for unknown callers");
        return {};
    }
    if (field == VoicemailGreeting) {
        if (t.isEmpty())
            return tr("Say something before the beep (1 to %1 characters)").arg(MaxMessage);
        if (t.size() > MaxMessage)
            return tr("At most %1 characters (this is %2)").arg(MaxMessage).arg(t.size());
        h = tr("%1 of %2 characters").arg(t.size()).arg(MaxMessage);
        return {};
    }
    if (field == VoicemailMaxLength) {
        bool ok = false;
        const int secs = t.toInt(&ok);
        if (!ok || secs < 5 || secs > 14400)
            return tr("Seconds, from 5 to 14400");
        h = tr("A message stops after %1 min %2 s").arg(secs / 60).arg(secs % 60);
        return {};
    }
    if (field == VoicemailTranscription || field == VoicemailOnNoAnswer)
        return {};
    if (field == Port || field == AdminPort) {
        bool ok = false;
        const int port = t.toInt(&ok);
        if (t.isEmpty() || !ok)
            return tr("A port is a whole number from 0 to 65535");
        if (port < 0 || port > 65535)
            return tr("A port is from 0 to 65535 (0 picks any free port)");
        if (port == 0)
            h = field == Port ? tr("0 picks a free port at every start: the tunnel must follow it")
                              : tr("0 picks a free port at every start");
        else if (port < 1024)
            h = tr("Ports below 1024 usually need administrator rights");
        return {};
    }
    if (field == Db) {
        const QString path = localPath(text);
        if (path.isEmpty())
            return tr("Choose the file that holds the event log, e.g. kevan-tel.db");
        if (!QDir::isAbsolutePath(path))
            return tr("Use a full path, e.g. %1")
                .arg(QDir::toNativeSeparators(ConfigLoader::defaultDatabasePath()));
        const QFileInfo info(path);
        if (info.isDir())
            return tr("That is a folder: name the database file in it, e.g. %1")
                .arg(QDir::toNativeSeparators(QDir(path).filePath(QStringLiteral("kevan-tel.db"))));
        if (info.exists() && !(info.isReadable() && info.isWritable()))
            return tr("kevan-tel cannot read and write that file");
        const QFileInfo dir(info.absolutePath());
        if (dir.exists() && !dir.isDir())
            return tr("%1 is a file, not a folder").arg(QDir::toNativeSeparators(dir.filePath()));
        if (dir.exists() && !dir.isWritable())
            return tr("kevan-tel cannot write into %1")
                .arg(QDir::toNativeSeparators(dir.filePath()));
        if (!info.exists())
            h = dir.exists() ? tr("A new, empty event log is created there; move your "
                                  "kevan-tel.db there first to keep your history")
                             : tr("The folder is created at the next start; move your "
                                  "kevan-tel.db there first to keep your history");
        return {};
    }
    if (field == StartMinimized) {
        if (value.toBool())
            h = tr("Only the tray icon shows at start; without a tray the window opens anyway");
        return {};
    }
    if (field == AutostartField)
        return {};
    return tr("unknown setting \"%1\"").arg(field);
}

QString SettingsController::fileValue(const QString &field, const QVariant &value)
{
    if (isBoolField(field))
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    const QString t = value.toString().trimmed();
    if (field == ForwardTo) {
        const auto parsed = PhoneNumber::parse(t);
        return parsed.ok ? parsed.e164 : t;
    }
    if (field == NameSpace)
        return t.toLower();
    if (field == Port || field == AdminPort || field == VoicemailMaxLength) {
        bool ok = false;
        const int number = t.toInt(&ok);
        return ok ? QString::number(number) : t;
    }
    if (field == Db)
        return QDir::fromNativeSeparators(localPath(t));
    return t;
}

bool SettingsController::loadApiKey(Config &config, SecretStore &store, int timeoutMs,
                                    QString *note)
{
    note->clear();
    if (!config.apiKey.isEmpty())
        return false;
    const SecretStore::Result r = store.readNow(QString::fromLatin1(ApiKeySecret), timeoutMs);
    if (!r.ok || r.value.trimmed().isEmpty()) {
        if (!r.ok && !r.notFound)
            *note = tr("no Telnyx API key from the keychain: %1").arg(r.error);
        return false;
    }
    config.apiKey = r.value.trimmed();
    if (config.demo) {
        config.demo = false;
        if (QFileInfo(config.databasePath).absoluteFilePath() ==
            QFileInfo(ConfigLoader::defaultDemoDatabasePath()).absoluteFilePath())
            config.databasePath = ConfigLoader::defaultDatabasePath();
    }
    *note = tr("using the Telnyx API key stored in %1").arg(store.displayName());
    return true;
}

void SettingsController::setValue(const QString &field, const QVariant &value)
{
    if (!fields().contains(field))
        return;
    QVariant v = value;
    if (isBoolField(field))
        v = value.toBool();
    else if (field == Db && value.toString().trimmed().startsWith(QLatin1String("file:")))
        v = QDir::toNativeSeparators(localPath(value.toString()));
    else
        v = value.toString();
    if (m_values.value(field) == v)
        return;
    m_values.insert(field, v);
    if (m_statusOk && !m_statusMessage.isEmpty())
        setStatus(true, QString()); // the last save is done with; a failure stays until the next
    revalidate();
}

void SettingsController::revert()
{
    m_values = m_saved;
    revalidate();
}

QStringList SettingsController::changedFields() const
{
    QStringList changed;
    for (const QString &field : fields()) {
        if (field == ApiKey) {
            if (!m_values.value(field).toString().trimmed().isEmpty())
                changed.append(field);
        } else if (fileValue(field, m_values.value(field)) !=
                   fileValue(field, m_saved.value(field))) {
            changed.append(field);
        }
    }
    return changed;
}

QStringList SettingsController::restartNeeded() const
{
    QStringList fieldsToRestart;
    for (const QString &field : fields()) {
        if (field == AutostartField)
            continue; // applies at once
        if (field == ApiKey) {
            if (m_apiKeyStored)
                fieldsToRestart.append(field);
        } else if (fileValue(field, m_saved.value(field)) !=
                   fileValue(field, m_running.value(field))) {
            fieldsToRestart.append(field);
        }
    }
    return fieldsToRestart;
}

void SettingsController::revalidate()
{
    m_errors.clear();
    m_hints.clear();
    for (const QString &field : fields()) {
        QString hint;
        const QString error = validate(field, m_values.value(field), &hint);
        if (!error.isEmpty())
            m_errors.insert(field, error);
        if (!hint.isEmpty())
            m_hints.insert(field, hint);
    }
    // What the key field means depends on where the running key comes from.
    if (!m_errors.contains(ApiKey) && !m_hints.contains(ApiKey)) {
        if (qEnvironmentVariableIsSet("TELNYX_API_KEY"))
            m_hints.insert(ApiKey, tr("TELNYX_API_KEY in the environment is used before the "
                                      "keychain while it is set"));
        else if (configFileHasApiKey())
            m_hints.insert(ApiKey, tr("The config file holds a key (api-key): saving a key "
                                      "here moves it into the keychain"));
    }
    emit valuesChanged();
}

bool SettingsController::configFileHasApiKey() const
{
    if (!QFileInfo::exists(m_configFile))
        return false;
    QSettings file(m_configFile, QSettings::IniFormat);
    return file.contains(ApiKey);
}

void SettingsController::setApiKeyState(const QString &state, const QString &message)
{
    if (state == m_apiKeyState && message == m_apiKeyMessage)
        return;
    m_apiKeyState = state;
    m_apiKeyMessage = message;
    emit apiKeyChanged();
}

void SettingsController::setBusy(bool busy)
{
    if (busy == m_busy)
        return;
    m_busy = busy;
    emit busyChanged();
}

void SettingsController::setStatus(bool ok, const QString &message)
{
    m_statusOk = ok;
    m_statusMessage = message;
    emit statusChanged();
}

void SettingsController::checkApiKey()
{
    if (!m_secrets) {
        setApiKeyState(QStringLiteral("unavailable"),
                       tr("No keychain: the API key cannot be stored here. Set TELNYX_API_KEY "
                          "in the environment instead."));
        return;
    }
    setApiKeyState(QStringLiteral("checking"), tr("Looking in %1…").arg(m_secrets->displayName()));
    QPointer<SettingsController> self(this);
    const QString name = m_secrets->displayName();
    m_secrets->read(QString::fromLatin1(ApiKeySecret), [self, name](const SecretStore::Result &r) {
        if (!self || self->m_apiKeyState == QLatin1String("saving"))
            return;
        if (r.ok && !r.value.isEmpty())
            self->setApiKeyState(
                QStringLiteral("stored"),
                tr("A key is stored in %1. Type a new one to replace it.").arg(name));
        else if (r.ok || r.notFound)
            self->setApiKeyState(QStringLiteral("none"), tr("No key is stored in %1.").arg(name));
        else
            self->setApiKeyState(QStringLiteral("unavailable"),
                                 tr("The API key cannot be stored: %1. Set TELNYX_API_KEY in "
                                    "the environment instead.")
                                     .arg(r.error));
    });
}

void SettingsController::removeApiKey()
{
    if (!m_secrets || m_busy)
        return;
    setBusy(true);
    QPointer<SettingsController> self(this);
    const QString name = m_secrets->displayName();
    m_secrets->remove(QString::fromLatin1(ApiKeySecret), [self,
                                                          name](const SecretStore::Result &r) {
        if (!self)
            return;
        self->setBusy(false);
        if (r.ok || r.notFound) {
            self->setApiKeyState(QStringLiteral("none"), tr("No key is stored in %1.").arg(name));
            self->setStatus(true, tr("The API key was removed from %1. kevan-tel keeps using "
                                     "the key it started with until it restarts.")
                                      .arg(name));
        } else {
            self->setStatus(false, tr("The API key could not be removed: %1").arg(r.error));
        }
    });
}

bool SettingsController::writeConfigFile(const QStringList &fieldsToWrite, QString *error)
{
    if (fieldsToWrite.isEmpty())
        return true;
    const QFileInfo info(m_configFile);
    // Private, as the database: created 0600 (in a 0700 folder) before QSettings writes it, and
    // kept so (QSettings replaces the file with one of the same permissions).
    if (!PrivateFiles::makePath(info.absolutePath())) {
        *error =
            tr("cannot create the folder %1").arg(QDir::toNativeSeparators(info.absolutePath()));
        return false;
    }
    PrivateFiles::createFile(m_configFile);
    QSettings file(m_configFile, QSettings::IniFormat);
    for (const QString &field : fieldsToWrite)
        file.setValue(field, fileValue(field, m_values.value(field)));
    file.sync();
    if (file.status() != QSettings::NoError || !PrivateFiles::restrict(m_configFile)) {
        *error = tr("cannot write %1").arg(QDir::toNativeSeparators(m_configFile));
        return false;
    }
    return true;
}

bool SettingsController::save()
{
    if (m_busy)
        return false;
    if (!isValid()) {
        QStringList names;
        for (auto it = m_errors.cbegin(); it != m_errors.cend(); ++it)
            names.append(label(it.key()));
        setStatus(false, tr("Nothing was saved: check %1.").arg(names.join(QStringLiteral(", "))));
        emit saved(false);
        return false;
    }
    const QStringList changed = changedFields();
    if (changed.isEmpty()) {
        setStatus(true, tr("Nothing to save: no setting was changed."));
        emit saved(true);
        return true;
    }

    // 1. The config file.
    QStringList fileFields;
    for (const QString &field : changed) {
        if (isFileField(field))
            fileFields.append(field);
    }
    QString error;
    if (!writeConfigFile(fileFields, &error)) {
        setStatus(false, tr("Nothing was saved: %1.").arg(error));
        emit saved(false);
        return false;
    }
    for (const QString &field : fileFields)
        m_saved.insert(field, m_values.value(field));
    SaveReport report;
    report.fileFields = fileFields;

    // 2. Autostart, at once.
    if (changed.contains(AutostartField)) {
        const bool on = m_values.value(AutostartField).toBool();
        Autostart autostart(QString(), autostartArguments(m_configFile), m_autostartLocation);
        QString why;
        if (autostart.setEnabled(on, &why)) {
            m_saved.insert(AutostartField, on);
            report.autostart = on ? tr("kevan-tel now starts when you sign in.")
                                  : tr("kevan-tel no longer starts when you sign in.");
        } else {
            report.ok = false;
            report.problems.append(tr("Start at sign-in could not be changed: %1.").arg(why));
        }
    }

    // 3. The API key, into the keychain (asynchronous).
    const QString key = m_values.value(ApiKey).toString().trimmed();
    if (key.isEmpty()) {
        finishSave(report);
        return report.ok;
    }
    if (!m_secrets) {
        report.ok = false;
        report.problems.append(tr("The API key was NOT stored: there is no keychain. Keep your "
                                  "copy, or set TELNYX_API_KEY in the environment."));
        finishSave(report);
        return false;
    }
    setBusy(true);
    setApiKeyState(QStringLiteral("saving"),
                   tr("Storing the key in %1…").arg(m_secrets->displayName()));
    QPointer<SettingsController> self(this);
    const QString name = m_secrets->displayName();
    m_secrets->write(
        QString::fromLatin1(ApiKeySecret), key,
        [self, report, name, key](const SecretStore::Result &r) mutable {
            if (!self)
                return;
            self->setBusy(false);
            if (!r.ok) {
                // The typed key stays in the field: nothing is lost without the owner knowing.
                self->setApiKeyState(QStringLiteral("unavailable"),
                                     tr("The API key cannot be stored: %1.").arg(r.error));
                report.ok = false;
                report.problems.append(
                    tr("The API key was NOT stored: %1. It is not saved anywhere: keep your "
                       "copy, or set TELNYX_API_KEY in the environment.")
                        .arg(r.error));
                self->finishSave(report);
                return;
            }
            report.apiKey = tr("The API key is stored in %1.").arg(name);
            if (self->configFileHasApiKey()) {
                QSettings file(self->m_configFile, QSettings::IniFormat);
                file.remove(ApiKey);
                file.sync();
                if (file.status() == QSettings::NoError)
                    report.apiKey += tr(" The older key in the config file was removed.");
                else
                    report.problems.append(tr("The config file still holds an older key "
                                              "(api-key), which is used first: remove it."));
            }
            if (self->m_values.value(ApiKey).toString().trimmed() == key)
                self->m_values.insert(ApiKey, QString());
            self->m_apiKeyStored = true;
            self->setApiKeyState(
                QStringLiteral("stored"),
                tr("A key is stored in %1. Type a new one to replace it.").arg(name));
            self->finishSave(report);
        });
    return true;
}

void SettingsController::finishSave(const SaveReport &report)
{
    revalidate();
    QStringList parts;
    if (!report.fileFields.isEmpty()) {
        QStringList names;
        for (const QString &field : report.fileFields)
            names.append(label(field));
        parts.append(
            tr("Saved %1 to %2.")
                .arg(names.join(QStringLiteral(", ")), QDir::toNativeSeparators(m_configFile)));
    }
    if (!report.autostart.isEmpty())
        parts.append(report.autostart);
    if (!report.apiKey.isEmpty())
        parts.append(report.apiKey);
    parts.append(report.problems);
    const QStringList restart = restartNeeded();
    if (!restart.isEmpty()) {
        QStringList names;
        for (const QString &field : restart)
            names.append(label(field));
        parts.append(tr("Restart kevan-tel to apply: %1.").arg(names.join(QStringLiteral(", "))));
    }
    setStatus(report.ok, parts.join(QLatin1Char(' ')));
    emit saved(report.ok);
}

} // namespace kt
