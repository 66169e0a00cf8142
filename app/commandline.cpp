// SPDX-License-Identifier: GPL-3.0-or-later
#include "commandline.h"

#include "engine/settingschema.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFileInfo>

namespace kt {
namespace {
QString helpEpilogue()
{
    QString text = QStringLiteral(
        "\nAdministration commands (all take --db; list commands take --json):\n"
        "  numbers list | numbers import FILE | numbers sync\n"
        "  certs trust ROOT.pem | certs add CERT.pem | certs list | certs revoke FINGERPRINT\n"
        "  registry add PHONE NAMESPACE [--pin DIGITS|-] | registry list | registry remove PHONE\n"
        "  registry pin PHONE DIGITS|- | registry pin PHONE --clear   (- reads the PIN from "
        "stdin)\n"
        "  rules add allow|block PATTERN [--note TEXT] [--until ISO8601] [--once]\n"
        "  rules list | rules remove ID\n"
        "  calls [--limit N] | calls decide CALL_ID accept|reject|voicemail\n"
        "  events [--type T] [--limit N] | events verify\n"
        "  golive URL   (point the Telnyx application's webhooks at URL/webhooks/telnyx)\n"
        "  voicemail [list] | voicemail export ID FILE [--force] | voicemail heard ID\n"
        "  voicemail delete ID [--remote] | voicemail verify | voicemail prune\n"
        "\nConfig file keys (INI, [General] section) and environment variables:\n");
    for (const Setting &k : SettingSchema::all()) {
        if (!k.has(Setting::ConfigFile) && !k.has(Setting::Environment))
            continue;
        const QString fallback = k.defaultText();
        text += QStringLiteral("  %1%2  %3%4\n")
                    .arg(k.key.leftJustified(26),
                         k.envVar.isEmpty() ? QString(22, QLatin1Char(' '))
                                            : k.envVar.leftJustified(22),
                         k.helpLine(),
                         fallback.isEmpty() || k.type == Setting::Type::Path ||
                                 k.type == Setting::Type::Message
                             ? QString()
                             : QStringLiteral(" [default: %1]").arg(fallback));
    }
    text += QStringLiteral("Precedence: command line > environment > config file > defaults.\n");
    return text;
}
// QCommandLineParser names the program in its first line by QCoreApplication's first argument,
// and "<executable_name>" when there is no application object yet (the command line is parsed
// before one exists, to choose between QApplication and QCoreApplication): name the executable
// that runs instead, as it is called, without its folder.
QString usageWithName(QString text, const QString &argument0)
{
    const QString usage = QStringLiteral("Usage: ");
    const QString qtName = QCoreApplication::instance() && !QCoreApplication::arguments().isEmpty()
                               ? QCoreApplication::arguments().constFirst()
                               : QStringLiteral("<executable_name>");
    QString name = QFileInfo(argument0).fileName();
    if (name.isEmpty())
        name = QStringLiteral("kevan-tel");
    if (text.startsWith(usage + qtName))
        text.replace(usage.size(), qtName.size(), name);
    return text;
}
} // namespace

bool CommandLine::parse(const QStringList &arguments, const QMap<QString, QString> &environment,
                        CommandLine *out, QString *error)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("kevan-tel screens the calls to your Telnyx numbers."));
    parser.addPositionalArgument(QStringLiteral("command"),
                                 QStringLiteral("an administration command (see below)"),
                                 QStringLiteral("[command …]"));
    const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")},
                                  QStringLiteral("Show this help."));
    const QCommandLineOption version({QStringLiteral("v"), QStringLiteral("version")},
                                     QStringLiteral("Show the version."));
    parser.addOption(help);
    parser.addOption(version);
    parser.addOption(
        {QStringLiteral("config"), QStringLiteral("INI config file."), QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("headless"), QStringLiteral("Run the engine without UI.")});
    parser.addOption({QStringLiteral("demo"),
                      QStringLiteral("Simulate Telnyx: signed demo calls, no account needed.")});
    parser.addOption({QStringLiteral("json"), QStringLiteral("List commands print JSON.")});
    parser.addOption(
        {QStringLiteral("limit"), QStringLiteral("How many rows to list."), QStringLiteral("N")});
    parser.addOption(
        {QStringLiteral("type"), QStringLiteral("Only events of this type."), QStringLiteral("T")});
    parser.addOption(
        {QStringLiteral("note"), QStringLiteral("A note for a rule."), QStringLiteral("TEXT")});
    parser.addOption({QStringLiteral("until"), QStringLiteral("Rule expiry (ISO 8601)."),
                      QStringLiteral("ISO8601")});
    parser.addOption(
        {QStringLiteral("once"), QStringLiteral("The rule applies to the next call only.")});
    parser.addOption({QStringLiteral("pin"),
                      QStringLiteral("A registration's PIN, 4 to 8 digits; - reads it from stdin "
                                     "(so that it does not show in ps)."),
                      QStringLiteral("DIGITS")});
    parser.addOption({QStringLiteral("clear"), QStringLiteral("Remove a registration's PIN.")});
    parser.addOption(
        {QStringLiteral("force"), QStringLiteral("voicemail export: replace an existing file.")});
    parser.addOption(
        {QStringLiteral("remote"), QStringLiteral("voicemail delete: also delete it on Telnyx.")});
    // A secret never goes on a command line (ps shows it): the schema gives it none.
    for (const Setting &k : SettingSchema::all()) {
        if (k.has(Setting::CommandLine))
            parser.addOption({k.key, k.helpLine(), k.valueName()});
    }

    if (!parser.parse(arguments)) {
        *error = parser.errorText();
        return false;
    }
    CommandLine cl;
    cl.helpText = usageWithName(parser.helpText(), arguments.value(0)) + helpEpilogue();
    if (parser.isSet(help)) {
        cl.mode = Mode::Help;
        *out = cl;
        return true;
    }
    if (parser.isSet(version)) {
        cl.mode = Mode::Version;
        *out = cl;
        return true;
    }

    cl.config.configFile = parser.isSet(QStringLiteral("config"))
                               ? parser.value(QStringLiteral("config"))
                               : ConfigLoader::defaultConfigFile();
    cl.config.databasePath = ConfigLoader::defaultDatabasePath();
    if (parser.isSet(QStringLiteral("config")) &&
        !QFileInfo::exists(parser.value(QStringLiteral("config")))) {
        *error = QStringLiteral("config file %1 does not exist").arg(cl.config.configFile);
        return false;
    }
    QMap<QString, QString> fileValues;
    if (!ConfigLoader::readFile(cl.config.configFile, &fileValues, error))
        return false;
    QMap<QString, QString> flagValues;
    for (const QString &key : SettingSchema::keys(Setting::CommandLine)) {
        if (parser.isSet(key))
            flagValues.insert(key, parser.value(key));
    }
    ConfigLoader::resolvePaths(&fileValues);
    ConfigLoader::resolvePaths(&flagValues);
    if (!ConfigLoader::apply(cl.config, fileValues, error) ||
        !ConfigLoader::apply(cl.config, environment, error) ||
        !ConfigLoader::apply(cl.config, flagValues, error))
        return false;

    cl.words = parser.positionalArguments();
    cl.json = parser.isSet(QStringLiteral("json"));
    if (parser.isSet(QStringLiteral("limit"))) {
        bool ok = false;
        cl.limit = parser.value(QStringLiteral("limit")).toInt(&ok);
        if (!ok || cl.limit < 1) {
            *error = QStringLiteral("invalid --limit \"%1\": expected a positive number")
                         .arg(parser.value(QStringLiteral("limit")));
            return false;
        }
    }
    cl.type = parser.value(QStringLiteral("type"));
    cl.note = parser.value(QStringLiteral("note"));
    cl.until = parser.value(QStringLiteral("until"));
    cl.singleUse = parser.isSet(QStringLiteral("once"));
    cl.pin = parser.value(QStringLiteral("pin"));
    if (parser.isSet(QStringLiteral("pin")) && cl.pin.isEmpty()) {
        *error = QStringLiteral("--pin needs 4 to 8 digits, or - to read them from stdin");
        return false;
    }
    cl.clear = parser.isSet(QStringLiteral("clear"));
    cl.force = parser.isSet(QStringLiteral("force"));
    cl.remote = parser.isSet(QStringLiteral("remote"));
    cl.explicitDemo = parser.isSet(QStringLiteral("demo"));
    cl.databaseGiven =
        fileValues.contains(QStringLiteral("db")) || flagValues.contains(QStringLiteral("db"));

    if (!cl.words.isEmpty())
        cl.mode = Mode::Admin;
    else if (parser.isSet(QStringLiteral("headless")))
        cl.mode = Mode::Headless;
    else
        cl.mode = Mode::Desktop;
    *out = cl;
    return true;
}

} // namespace kt
