// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "codeenums.h"
#include "engine/config.h"
#include "startup.h"

#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QVariantMap>
#include <QtQml/qqmlregistration.h>

namespace kt {

class SecretStore;
class SettingsListModel;

// The Settings page: the values the owner can change, each checked as it is typed (an inline
// message per field), and Save, which writes the INI config file the app was started with
// (Config::configFile), stores the Telnyx API key in the keychain (SecretStore; never in the INI
// file) and turns autostart on or off (Autostart).
//
// Its fields are the rows of the settings table (SettingSchema) that the Settings page has, by
// key; each is checked by its row's check, the same one the command line and the config file
// use. The engine reads its configuration when it starts, so every saved config value applies at
// the next start: restartNeeded lists the saved fields that differ from what the app runs with.
// Autostart applies at once.
class SettingsController : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("the app creates it")
    Q_PROPERTY(bool valid READ isValid NOTIFY valuesChanged)
    Q_PROPERTY(bool dirty READ isDirty NOTIFY valuesChanged)
    Q_PROPERTY(QStringList changedFields READ changedFields NOTIFY valuesChanged)
    // The fields whose value is refused, in the table's order.
    Q_PROPERTY(QStringList invalidFields READ invalidFields NOTIFY valuesChanged)
    Q_PROPERTY(QString configFile READ configFile CONSTANT)
    Q_PROPERTY(kt::ApiKeyState::Value apiKeyState READ apiKeyState NOTIFY apiKeyChanged)
    Q_PROPERTY(QString apiKeyMessage READ apiKeyMessage NOTIFY apiKeyChanged)
    Q_PROPERTY(bool busy READ isBusy NOTIFY busyChanged)
    Q_PROPERTY(QString statusMessage READ statusMessage NOTIFY statusChanged)
    Q_PROPERTY(bool statusOk READ statusOk NOTIFY statusChanged)
    Q_PROPERTY(QStringList restartNeeded READ restartNeeded NOTIFY statusChanged)
    // The page's groups, in order: a SettingsListModel each.
    Q_PROPERTY(QVariantList sections READ sections CONSTANT)
    // The rows the first-run card asks for (FirstRun::fields()), as the page has them.
    Q_PROPERTY(kt::SettingsListModel *firstRunRows READ firstRunRows CONSTANT)
public:
    static constexpr const char *ApiKeySecret = Startup::ApiKeySecret;

    // `running`: the configuration the app runs with (its values fill the form; its configFile
    // is where Save writes). `secrets`: where the API key goes (not owned; may be null: the key
    // cannot be stored). `autostartLocation`: see Autostart (empty: the default).
    SettingsController(const Config &running, SecretStore *secrets,
                       const QString &autostartLocation = QString(), QObject *parent = nullptr);
    ~SettingsController() override;

    // A field's error (empty when its value is acceptable) and the line about its value.
    QString error(const QString &field) const { return m_errors.value(field).toString(); }
    QString hint(const QString &field) const { return m_hints.value(field).toString(); }
    QStringList invalidFields() const;
    bool isValid() const { return m_errors.isEmpty(); }
    bool isDirty() const { return !changedFields().isEmpty(); }
    // The fields whose value differs from the last one loaded or saved.
    QStringList changedFields() const;
    QString configFile() const { return m_configFile; }
    // The values a choice field takes, as the config file writes them.
    static QStringList choicesOf(const QString &field);
    ApiKeyState::Value apiKeyState() const { return m_apiKeyState; }
    QString apiKeyMessage() const { return m_apiKeyMessage; }
    bool isBusy() const { return m_busy; }
    QString statusMessage() const { return m_statusMessage; }
    bool statusOk() const { return m_statusOk; }
    QStringList restartNeeded() const;
    QVariantList sections() const { return m_sections; }
    SettingsListModel *firstRunRows() const { return m_firstRunRows; }
    // The labels of `fields` for a sentence: "forward-to number, port".
    Q_INVOKABLE QString labelsOf(const QStringList &fields) const;

    Q_INVOKABLE QVariant value(const QString &field) const { return m_values.value(field); }
    Q_INVOKABLE void setValue(const QString &field, const QVariant &value);
    // Back to the values last loaded or saved.
    Q_INVOKABLE void revert();
    // Writes the changed values. False (nothing written) when a field is invalid or a save is
    // running; the outcome is in statusMessage and saved(ok) (the keychain answers later).
    Q_INVOKABLE bool save();
    // Asks the keychain whether an API key is stored (apiKeyState).
    Q_INVOKABLE void checkApiKey();
    // Removes the stored API key from the keychain.
    Q_INVOKABLE void removeApiKey();

    // The label of a field for people ("Forward-to number").
    static QString label(const QString &field);
    // Checks one field: the error (empty when the value is acceptable) and, in `hint`, a line
    // about the value (e.g. the E.164 form of the forward-to number). Pure.
    static QString validate(const QString &field, const QVariant &value, QString *hint = nullptr);
    // The value as written to the config file (e.g. the E.164 number, a trimmed namespace).
    static QString fileValue(const QString &field, const QVariant &value);
    static QStringList fields();

signals:
    void valuesChanged();
    void apiKeyChanged();
    void busyChanged();
    void statusChanged();
    void saved(bool ok);

private:
    QVariantMap valuesOf(const Config &config) const;
    void revalidate();
    void setApiKeyState(ApiKeyState::Value state, const QString &message);
    void setBusy(bool busy);
    void setStatus(bool ok, const QString &message);
    struct SaveReport
    {
        bool ok = true;
        QStringList fileFields; // written to the config file
        QString autostart;      // what changed, for people
        QString apiKey;         // likewise
        QStringList problems;
    };
    bool writeConfigFile(const QStringList &fields, QString *error);
    void finishSave(const SaveReport &report);
    bool configFileHasApiKey() const;

    QString m_configFile;
    QVariantList m_sections;
    SettingsListModel *m_firstRunRows = nullptr; // a child
    QPointer<SecretStore> m_secrets;
    QString m_autostartLocation;
    QVariantMap m_running; // the values the app runs with
    QVariantMap m_saved;   // the values last loaded or saved
    QVariantMap m_values;  // the form
    QVariantMap m_errors;
    QVariantMap m_hints;
    ApiKeyState::Value m_apiKeyState = ApiKeyState::Checking;
    QString m_apiKeyMessage;
    bool m_apiKeyStored = false; // a key was stored by this run (it applies at the next start)
    bool m_busy = false;
    QString m_statusMessage;
    bool m_statusOk = true;
};

} // namespace kt
