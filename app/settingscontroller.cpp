// SPDX-License-Identifier: GPL-3.0-or-later
#include "settingscontroller.h"

#include "engine/settingchecks.h"
#include "engine/settingschema.h"
#include "firstrun.h"
#include "models/settingslistmodel.h"
#include "platform/autostart.h"
#include "platform/secretstore.h"
#include "store/privatefiles.h"

#include <QDir>
#include <QFileInfo>
#include <QProcessEnvironment>
#include <QSettings>
#include <QUrl>

namespace kt {
namespace {
const QString ApiKey = QStringLiteral("api-key");
const QString Db = QStringLiteral("db");
const QString AutostartField = QStringLiteral("autostart");

const Setting *pageRow(const QString &field)
{
    const Setting *row = SettingSchema::find(field);
    return row && row->has(Setting::SettingsPage) ? row : nullptr;
}

bool isBoolField(const QString &field)
{
    const Setting *row = pageRow(field);
    return row && row->type == Setting::Type::Bool;
}

// The fields Save writes into the config file (the API key goes to the keychain).
bool isFileField(const QString &field)
{
    const Setting *row = pageRow(field);
    return row && row->has(Setting::ConfigFile) && row->type != Setting::Type::Secret;
}

// The form's value as the text the checks read.
QString textOf(const Setting &row, const QVariant &value)
{
    if (row.type == Setting::Type::Bool)
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    return value.toString();
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
    const std::pair<Setting::Section, QString> groups[] = {
        {Setting::Section::Account, tr("Telnyx account")},
        {Setting::Section::Calls, tr("Calls")},
        {Setting::Section::Computer, tr("This computer")},
    };
    for (const auto &[section, title] : groups)
        m_sections.append(
            QVariant::fromValue<QObject *>(new SettingsListModel(this, section, title, this)));
    m_firstRunRows =
        new SettingsListModel(this, FirstRun::fields(), tr("Your Telnyx account"), this);
    m_running = valuesOf(running);
    m_saved = m_running;
    m_values = m_running;
    revalidate();
    checkApiKey();
}

SettingsController::~SettingsController() = default;

QStringList SettingsController::fields()
{
    return SettingSchema::keys(Setting::SettingsPage);
}

QStringList SettingsController::choicesOf(const QString &field)
{
    const Setting *row = pageRow(field);
    return row ? row->choiceValues() : QStringList();
}

QStringList SettingsController::invalidFields() const
{
    QStringList invalid;
    for (const QString &field : fields()) {
        if (m_errors.contains(field))
            invalid.append(field);
    }
    return invalid;
}

QString SettingsController::labelsOf(const QStringList &fields) const
{
    QStringList names;
    for (const QString &field : fields)
        names.append(label(field));
    return names.join(QStringLiteral(", "));
}

QString SettingsController::label(const QString &field)
{
    const Setting *row = pageRow(field);
    return row ? row->label : field;
}

QVariantMap SettingsController::valuesOf(const Config &c) const
{
    QVariantMap values;
    for (const Setting &row : SettingSchema::all()) {
        if (!row.has(Setting::SettingsPage))
            continue;
        if (row.key == AutostartField) {
            values.insert(
                row.key, Autostart(QString(), autostartArguments(m_configFile), m_autostartLocation)
                             .isEnabled());
        } else if (row.type == Setting::Type::Secret || !row.read) {
            values.insert(row.key, QString()); // a secret is never shown
        } else if (row.type == Setting::Type::Bool) {
            values.insert(row.key, row.read(c) == QLatin1String("true"));
        } else if (row.type == Setting::Type::Path) {
            values.insert(row.key, QDir::toNativeSeparators(row.read(c)));
        } else {
            values.insert(row.key, row.read(c));
        }
    }
    return values;
}

QString SettingsController::validate(const QString &field, const QVariant &value, QString *hint)
{
    if (hint)
        hint->clear();
    const Setting *row = pageRow(field);
    if (!row)
        return tr("unknown setting \"%1\"").arg(field);
    const SettingCheck checked = row->checked(textOf(*row, value));
    if (hint)
        *hint = checked.hint;
    return checked.error;
}

QString SettingsController::fileValue(const QString &field, const QVariant &value)
{
    const Setting *row = pageRow(field);
    if (!row)
        return value.toString().trimmed();
    const SettingCheck checked = row->checked(textOf(*row, value));
    return checked.ok() ? checked.value : textOf(*row, value).trimmed();
}

void SettingsController::setValue(const QString &field, const QVariant &value)
{
    if (!fields().contains(field))
        return;
    QVariant v = value;
    if (isBoolField(field))
        v = value.toBool();
    else if (field == Db && value.toString().trimmed().startsWith(QLatin1String("file:")))
        v = QDir::toNativeSeparators(SettingChecks::localPath(value.toString()));
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
        if (!pageRow(field)->needsRestart)
            continue; // applies at once (autostart)
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

void SettingsController::setApiKeyState(ApiKeyState::Value state, const QString &message)
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
        setApiKeyState(ApiKeyState::Unavailable,
                       tr("No keychain: the API key cannot be stored here. Set TELNYX_API_KEY "
                          "in the environment instead."));
        return;
    }
    setApiKeyState(ApiKeyState::Checking, tr("Looking in %1…").arg(m_secrets->displayName()));
    QPointer<SettingsController> self(this);
    const QString name = m_secrets->displayName();
    m_secrets->read(QString::fromLatin1(ApiKeySecret), [self, name](const SecretStore::Result &r) {
        if (!self || self->m_apiKeyState == ApiKeyState::Saving)
            return;
        if (r.ok && !r.value.isEmpty())
            self->setApiKeyState(
                ApiKeyState::Stored,
                tr("A key is stored in %1. Type a new one to replace it.").arg(name));
        else if (r.ok || r.notFound)
            self->setApiKeyState(ApiKeyState::None, tr("No key is stored in %1.").arg(name));
        else
            self->setApiKeyState(ApiKeyState::Unavailable,
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
    m_secrets->remove(
        QString::fromLatin1(ApiKeySecret), [self, name](const SecretStore::Result &r) {
            if (!self)
                return;
            self->setBusy(false);
            if (r.ok || r.notFound) {
                self->setApiKeyState(ApiKeyState::None, tr("No key is stored in %1.").arg(name));
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
    setApiKeyState(ApiKeyState::Saving, tr("Storing the key in %1…").arg(m_secrets->displayName()));
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
                self->setApiKeyState(ApiKeyState::Unavailable,
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
                ApiKeyState::Stored,
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
