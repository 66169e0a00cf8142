// SPDX-License-Identifier: GPL-3.0-or-later
// The settings table (SettingSchema) against every place that reads it: --help, the command
// line, the config file, the environment and the Settings page (its controller and its list
// model) take the same keys and the same values, and refuse the same values, for every row.
#include "commandline.h"
#include "engine/config.h"
#include "engine/settingschema.h"
#include "models/settingslistmodel.h"
#include "platform/secretstore.h"
#include "screening/numbermap.h"
#include "settingscontroller.h"

#include <QAbstractItemModelTester>
#include <QSettings>
#include <QTemporaryDir>
#include <QtTest>

using namespace kt;

namespace {
const Setting &row(const QString &key)
{
    static const Setting none;
    const Setting *s = SettingSchema::find(key);
    return s ? *s : none;
}

// A value the row refuses, when there is one: a folder for a file, a phrase with a space and a
// mark otherwise (free text takes it).
QString refusedText(const Setting &s)
{
    return s.type == Setting::Type::Path ? QDir::tempPath() : QStringLiteral("bogus value ✗");
}
} // namespace

class TstSettingsSchema : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void everyRowIsComplete();
    void helpListsEveryOptionKeyAndVariable();
    void everySourceTakesTheSameValue_data();
    void everySourceTakesTheSameValue();
    void everySourceRefusesTheSameValue_data();
    void everySourceRefusesTheSameValue();
    void secretsAreNeverEchoed();
    void databaseTakesAPostgresqlUrl();
    void settingsPageIsTheTablesRows();
    void settingsModelEditsTheForm();
    void policiesAreTheScreeningPolicies();
    void readmeNamesEveryKey();

private:
    QString file(const QString &name) const { return m_dir->filePath(name); }
    // Parses a command line with `options` and `environment`, the config file `config`
    // (written first; empty: none).
    bool parse(const QStringList &options, const QMap<QString, QString> &environment,
               const QMap<QString, QString> &config, CommandLine *cl, QString *error);
    SettingsController *form(const QString &name);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<MemorySecretStore> m_secrets;
    std::unique_ptr<SettingsController> m_form;
};

void TstSettingsSchema::init()
{
    m_form.reset();
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_secrets = std::make_unique<MemorySecretStore>();
}

bool TstSettingsSchema::parse(const QStringList &options, const QMap<QString, QString> &environment,
                              const QMap<QString, QString> &config, CommandLine *cl, QString *error)
{
    const QString path = file(QStringLiteral("parsed.conf"));
    QFile::remove(path);
    QFile empty(path);
    if (!empty.open(QIODevice::WriteOnly))
        return false;
    empty.close();
    {
        QSettings ini(path, QSettings::IniFormat);
        for (auto it = config.cbegin(); it != config.cend(); ++it)
            ini.setValue(it.key(), it.value());
    }
    QStringList arguments{QStringLiteral("kevan-tel"), QStringLiteral("--headless"),
                          QStringLiteral("--config"), path};
    return CommandLine::parse(arguments + options, environment, cl, error);
}

SettingsController *TstSettingsSchema::form(const QString &name)
{
    Config running;
    running.configFile = file(name);
    running.databasePath = file(QStringLiteral("kevan-tel.db"));
    m_form = std::make_unique<SettingsController>(running, m_secrets.get(),
                                                  file(QStringLiteral("autostart")));
    return m_form.get();
}

void TstSettingsSchema::everyRowIsComplete()
{
    QStringList keys;
    for (const Setting &s : SettingSchema::all()) {
        const char *key = qPrintable(s.key);
        QVERIFY2(!s.key.isEmpty() && !keys.contains(s.key), key);
        keys.append(s.key);
        QVERIFY2(s.check, key);
        QVERIFY2(s.sources != 0 || s.has(Setting::SettingsPage) ||
                     s.key == QLatin1String("autostart"),
                 key);
        // An example that the row takes, and a default it takes too.
        const SettingCheck example = s.checked(s.example);
        QVERIFY2(example.ok(), qPrintable(s.key + QStringLiteral(": ") + example.error));
        if (s.read && !s.secret) {
            const SettingCheck fallback = s.checked(s.defaultText());
            QVERIFY2(fallback.ok(), qPrintable(s.key + QStringLiteral(": ") + fallback.error));
        }
        if (s.has(Setting::CommandLine) || s.has(Setting::ConfigFile) ||
            s.has(Setting::Environment)) {
            QVERIFY2(s.store && s.read, key);
            QVERIFY2(!s.help.isEmpty(), key);
            // What is stored is read back in the form the config file writes.
            Config c;
            s.store(c, example.value);
            QCOMPARE(s.read(c), example.value);
        }
        QCOMPARE(s.has(Setting::Environment), !s.envVar.isEmpty());
        if (s.has(Setting::SettingsPage)) {
            QVERIFY2(!s.title.isEmpty() && !s.label.isEmpty() && !s.detail.isEmpty(), key);
            QVERIFY2(s.section != Setting::Section::None, key);
        }
        if (s.type == Setting::Type::Choice) {
            QVERIFY2(s.choices.size() >= 2, key);
            for (const Setting::Choice &c : s.choices)
                QVERIFY2(!c.label.isEmpty() && s.checked(c.value).value == c.value, key);
        }
        if (s.type == Setting::Type::Int) {
            QVERIFY2(s.min < s.max, key);
            QVERIFY2(s.checked(QString::number(s.min)).ok(), key);
            QVERIFY2(s.checked(QString::number(s.max)).ok(), key);
            QVERIFY2(!s.checked(QString::number(qint64(s.min) - 1)).ok(), key);
            QVERIFY2(!s.checked(QString::number(qint64(s.max) + 1)).ok(), key);
        }
        if (s.type == Setting::Type::Bool)
            QVERIFY2(!s.has(Setting::SettingsPage) || (!s.onText.isEmpty() && !s.offText.isEmpty()),
                     key);
        // A secret is never on a command line (ps shows it).
        if (s.type == Setting::Type::Secret)
            QVERIFY2(!s.has(Setting::CommandLine) && s.secret, key);
    }
}

void TstSettingsSchema::helpListsEveryOptionKeyAndVariable()
{
    CommandLine cl;
    QString error;
    QVERIFY2(CommandLine::parse({QStringLiteral("kevan-tel"), QStringLiteral("--help")}, {}, &cl,
                                &error),
             qPrintable(error));
    QCOMPARE(cl.mode, CommandLine::Mode::Help);
    const QString help = cl.helpText;
    const int keysAt = int(help.indexOf(QStringLiteral("Config file keys")));
    QVERIFY(keysAt > 0);
    const QString options = help.left(keysAt);
    const QString fileKeys = help.mid(keysAt);
    for (const Setting &s : SettingSchema::all()) {
        const QString option = QStringLiteral("--%1 <%2>").arg(s.key, s.valueName());
        QVERIFY2(options.contains(option) == s.has(Setting::CommandLine), qPrintable(option));
        if (s.has(Setting::CommandLine))
            QVERIFY2(options.contains(s.helpLine().section(QLatin1Char(' '), 0, 1)),
                     qPrintable(s.key));
        const bool listed = fileKeys.contains(QStringLiteral("\n  %1 ").arg(s.key));
        QCOMPARE(listed, s.has(Setting::ConfigFile) || s.has(Setting::Environment));
        if (s.has(Setting::Environment))
            QVERIFY2(fileKeys.contains(s.envVar), qPrintable(s.key));
    }
    // No secret is shown as a default.
    QVERIFY(!help.contains(QStringLiteral("KEY0123")));
}

void TstSettingsSchema::everySourceTakesTheSameValue_data()
{
    QTest::addColumn<QString>("key");
    for (const Setting &s : SettingSchema::all())
        QTest::newRow(qPrintable(s.key)) << s.key;
}

void TstSettingsSchema::everySourceTakesTheSameValue()
{
    QFETCH(QString, key);
    const Setting &s = row(key);
    const QString expected = s.checked(s.example).value;
    CommandLine cl;
    QString error;

    // The command line: --KEY VALUE, for every row that has it; refused for the others.
    const bool parsed = parse({QStringLiteral("--") + key, s.example}, {}, {}, &cl, &error);
    QCOMPARE(parsed, s.has(Setting::CommandLine));
    if (parsed)
        QCOMPARE(s.read(cl.config), expected);

    // The config file.
    const bool fromFile = parse({}, {}, {{key, s.example}}, &cl, &error);
    QCOMPARE(fromFile, s.has(Setting::ConfigFile));
    if (fromFile)
        QCOMPARE(s.read(cl.config), expected);
    else
        QVERIFY2(error.contains(QStringLiteral("unknown key \"%1\"").arg(key)), qPrintable(error));

    // The environment, by its variable.
    if (s.has(Setting::Environment)) {
        qputenv(s.envVar.toLocal8Bit().constData(), s.example.toUtf8());
        const QMap<QString, QString> environment = ConfigLoader::readEnvironment();
        qunsetenv(s.envVar.toLocal8Bit().constData());
        QCOMPARE(environment.value(key), s.example);
        QVERIFY2(parse({}, environment, {}, &cl, &error), qPrintable(error));
        QCOMPARE(s.read(cl.config), expected);
    }

    // The Settings page: the value is taken, and Save writes what the file would hold.
    if (!s.has(Setting::SettingsPage))
        return;
    SettingsController *page = form(QStringLiteral("page.conf"));
    // The examples differ from the defaults: the form is changed.
    const QVariant typed = s.type == Setting::Type::Bool
                               ? QVariant(s.example == QLatin1String("true"))
                               : QVariant(s.example);
    page->setValue(key, typed);
    QCOMPARE(page->error(key), QString());
    QVERIFY2(page->changedFields().contains(key), qPrintable(key));
    QCOMPARE(SettingsController::fileValue(key, typed), expected);
    QSignalSpy saved(page, &SettingsController::saved);
    QVERIFY(page->save());
    if (saved.isEmpty())
        QVERIFY(saved.wait()); // the keychain answers later
    QVERIFY2(saved.constLast().at(0).toBool(), qPrintable(page->statusMessage()));
    QMap<QString, QString> ini;
    QVERIFY2(ConfigLoader::readFile(file(QStringLiteral("page.conf")), &ini, &error),
             qPrintable(error));
    if (s.type == Setting::Type::Secret) {
        QVERIFY(!ini.contains(key)); // in the keychain, never in the file
        QCOMPARE(m_secrets->secrets().value(QString::fromLatin1(SettingsController::ApiKeySecret)),
                 expected);
    } else if (s.has(Setting::ConfigFile)) {
        QCOMPARE(ini.value(key), expected);
        Config next;
        QVERIFY2(ConfigLoader::apply(next, ini, &error), qPrintable(error));
        QCOMPARE(s.read(next), expected);
    } else {
        QVERIFY(!ini.contains(key)); // autostart: applied, not a config key
    }
}

void TstSettingsSchema::everySourceRefusesTheSameValue_data()
{
    QTest::addColumn<QString>("key");
    for (const Setting &s : SettingSchema::all()) {
        if (!s.checked(refusedText(s)).ok())
            QTest::newRow(qPrintable(s.key)) << s.key;
    }
}

void TstSettingsSchema::everySourceRefusesTheSameValue()
{
    QFETCH(QString, key);
    const Setting &s = row(key);
    const QString bad = refusedText(s);
    const QString why = s.checked(bad).error;
    QVERIFY(!why.isEmpty());
    CommandLine cl;
    QString error;
    if (s.has(Setting::CommandLine)) {
        QVERIFY(!parse({QStringLiteral("--") + key, bad}, {}, {}, &cl, &error));
        QCOMPARE(error, s.errorLine(bad, why));
        QVERIFY2(error.contains(key), qPrintable(error));
    }
    if (s.has(Setting::ConfigFile)) {
        QVERIFY(!parse({}, {}, {{key, bad}}, &cl, &error));
        QCOMPARE(error, s.errorLine(bad, why));
    }
    if (s.has(Setting::Environment)) {
        QVERIFY(!parse({}, {{key, bad}}, {}, &cl, &error));
        QCOMPARE(error, s.errorLine(bad, why));
    }
    if (s.has(Setting::SettingsPage) && s.type != Setting::Type::Bool) {
        SettingsController *page = form(QStringLiteral("refused.conf"));
        page->setValue(key, bad);
        QCOMPARE(page->error(key), why);
        QVERIFY(!page->save());
        QVERIFY(!QFile::exists(file(QStringLiteral("refused.conf"))));
    }
}

void TstSettingsSchema::secretsAreNeverEchoed()
{
    const QString key = QStringLiteral("KEY0123 456789ABCDEF_secret");
    const QString publicKey = QStringLiteral("c2VjcmV0IHB1YmxpYyBrZXk=");
    CommandLine cl;
    QString error;
    QVERIFY(!parse({}, {{QStringLiteral("api-key"), key}}, {}, &cl, &error));
    QVERIFY2(error.contains(QStringLiteral("api-key")) && !error.contains(QStringLiteral("secret")),
             qPrintable(error));
    QVERIFY(!parse({QStringLiteral("--public-key"), publicKey}, {}, {}, &cl, &error));
    QVERIFY2(error.contains(QStringLiteral("public-key")) && !error.contains(publicKey),
             qPrintable(error));
    QVERIFY(!parse({}, {}, {{QStringLiteral("db"), QStringLiteral("postgresql://u:s3cret@h/d")}},
                   &cl, &error));
    QVERIFY2(!error.contains(QStringLiteral("s3cret")), qPrintable(error));
    // The Settings page never shows the running key.
    Config running;
    running.apiKey = QStringLiteral("KEY0123456789ABCDEFabcdef_ghijklmnop");
    running.configFile = file(QStringLiteral("s.conf"));
    SettingsController page(running, m_secrets.get(), file(QStringLiteral("autostart")));
    QCOMPARE(page.value(QStringLiteral("api-key")).toString(), QString());
}

// db is a SQLite file or a postgresql:// URL without a password, from every source alike.
void TstSettingsSchema::databaseTakesAPostgresqlUrl()
{
    const QString url = QStringLiteral("postgresql://kt@db.example:5433/tel?sslmode=require");
    CommandLine cl;
    QString error;
    QVERIFY2(parse({QStringLiteral("--db"), url}, {}, {}, &cl, &error), qPrintable(error));
    QCOMPARE(cl.config.databasePath, url);
    QVERIFY2(parse({}, {}, {{QStringLiteral("db"), url}}, &cl, &error), qPrintable(error));
    QCOMPARE(cl.config.databasePath, url);
    const SettingCheck page = row(QStringLiteral("db")).checked(url);
    QVERIFY2(page.ok(), qPrintable(page.error));
    QVERIFY(page.hint.contains(QStringLiteral("PGPASSWORD")));
    QVERIFY(!parse({QStringLiteral("--db"), QStringLiteral("postgresql://db.example/tel?host=x")},
                   {}, {}, &cl, &error));
    QVERIFY2(error.contains(QStringLiteral("only sslmode")), qPrintable(error));
    QVERIFY(!parse({QStringLiteral("--db"), QStringLiteral("postgresql://kt:pw@db.example/tel")},
                   {}, {}, &cl, &error));
    QVERIFY2(error.contains(QStringLiteral("PGPASSWORD")) && !error.contains(QStringLiteral("pw@")),
             qPrintable(error));
}

void TstSettingsSchema::settingsPageIsTheTablesRows()
{
    SettingsController *page = form(QStringLiteral("p.conf"));
    QStringList shown;
    for (const QVariant &section : page->sections()) {
        auto *model = qobject_cast<SettingsListModel *>(section.value<QObject *>());
        QVERIFY(model);
        QVERIFY(!model->title().isEmpty());
        for (int i = 0; i < model->rowCount(); ++i) {
            const QModelIndex index = model->index(i);
            const QString key = index.data(SettingsListModel::KeyRole).toString();
            const Setting &s = row(key);
            shown.append(key);
            // The page's words are the table's: one label per row, for the row and the status.
            QCOMPARE(index.data(SettingsListModel::TitleRole).toString(), s.title);
            QCOMPARE(index.data(SettingsListModel::DetailRole).toString(), s.detail);
            QCOMPARE(SettingsController::label(key), s.label);
            QCOMPARE(index.data(SettingsListModel::KindRole).toInt(),
                     int(SettingsListModel::kindOf(s)));
            QCOMPARE(index.data(SettingsListModel::ChoiceValuesRole).toStringList(),
                     s.choiceValues());
        }
    }
    QCOMPARE(shown, SettingsController::fields());
    QCOMPARE(shown, SettingSchema::keys(Setting::SettingsPage));
    QCOMPARE(page->labelsOf({QStringLiteral("forward-to"), QStringLiteral("port")}),
             QStringLiteral("forward-to number, port"));
}

void TstSettingsSchema::settingsModelEditsTheForm()
{
    SettingsController *page = form(QStringLiteral("m.conf"));
    const QVariantList sections = page->sections();
    QCOMPARE(sections.size(), 3);
    auto *calls = qobject_cast<SettingsListModel *>(sections.at(1).value<QObject *>());
    QVERIFY(calls);
    QAbstractItemModelTester tester(calls, QAbstractItemModelTester::FailureReportingMode::QtTest);
    int policyRow = -1, forwardRow = -1;
    for (int i = 0; i < calls->rowCount(); ++i) {
        const QString key = calls->index(i).data(SettingsListModel::KeyRole).toString();
        if (key == QLatin1String("unknown-policy"))
            policyRow = i;
        if (key == QLatin1String("forward-to"))
            forwardRow = i;
    }
    QVERIFY(policyRow >= 0 && forwardRow >= 0);

    // A choice by its index; its hint is the choice's detail.
    QSignalSpy changed(calls, &QAbstractItemModel::dataChanged);
    const QModelIndex policy = calls->index(policyRow);
    QVERIFY(calls->setData(policy, 2, SettingsListModel::ChoiceIndexRole));
    QCOMPARE(page->value(QStringLiteral("unknown-policy")).toString(), QStringLiteral("ask"));
    QCOMPARE(policy.data(SettingsListModel::ChoiceIndexRole).toInt(), 2);
    QVERIFY(policy.data(SettingsListModel::HintRole).toString().contains(QStringLiteral("decide")));
    QVERIFY(policy.data(SettingsListModel::ChangedRole).toBool());
    QVERIFY(!changed.isEmpty());
    QVERIFY(!calls->setData(policy, 9, SettingsListModel::ChoiceIndexRole));

    // A line: the error, then the hint, as typed.
    const QModelIndex forward = calls->index(forwardRow);
    QVERIFY(calls->setData(forward, QStringLiteral("12"), SettingsListModel::ValueRole));
    QVERIFY(
        forward.data(SettingsListModel::ErrorRole).toString().contains(QStringLiteral("phone")));
    QVERIFY(
        calls->setData(forward, QStringLiteral("(415) 555-0132"), SettingsListModel::ValueRole));
    QCOMPARE(forward.data(SettingsListModel::ErrorRole).toString(), QString());
    QVERIFY(forward.data(SettingsListModel::HintRole)
                .toString()
                .contains(QStringLiteral("+14155550132")));
    QVERIFY(forward.data(SettingsListModel::DialableRole).toBool());
    QCOMPARE(policy.data(SettingsListModel::KindRole).toInt(),
             int(SettingsListModel::Kind::Choice));
    page->revert();
    QCOMPARE(policy.data(SettingsListModel::ValueRole).toString(),
             QStringLiteral("reject_with_message"));
}

void TstSettingsSchema::policiesAreTheScreeningPolicies()
{
    QStringList policies = NumberMap::policies();
    policies.removeAll(QStringLiteral("accept_all")); // a per-number policy only
    QCOMPARE(row(QStringLiteral("unknown-policy")).choiceValues(), policies);
    QCOMPARE(SettingsController::choicesOf(QStringLiteral("unknown-policy")), policies);
}

void TstSettingsSchema::readmeNamesEveryKey()
{
    QFile readme(QStringLiteral(KEVANTEL_SOURCE_DIR "/README.md"));
    QVERIFY(readme.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(readme.readAll());
    const int from = int(text.indexOf(QStringLiteral("\n## Configuration")));
    const QString section = text.mid(from, text.indexOf(QStringLiteral("\n## "), from + 1) - from);
    for (const Setting &s : SettingSchema::all()) {
        if (s.has(Setting::ConfigFile))
            QVERIFY2(section.contains(QStringLiteral("`%1`").arg(s.key)), qPrintable(s.key));
        if (s.has(Setting::Environment))
            QVERIFY2(section.contains(QStringLiteral("`%1`").arg(s.envVar)), qPrintable(s.envVar));
    }
}

QTEST_MAIN(TstSettingsSchema)
#include "tst_settingsschema.moc"
