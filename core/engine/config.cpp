// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "telnyx/callcontrolclient.h"
#include "telnyx/webhooksignature.h"

#include <QDir>
#include <QFileInfo>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QSettings>
#include <QStandardPaths>
#include <QUrl>

namespace kt {
namespace {
bool parseBool(const QString &text, bool *ok)
{
    const QString t = text.trimmed().toLower();
    *ok = true;
    if (t == QLatin1String("1") || t == QLatin1String("true") || t == QLatin1String("yes") ||
        t == QLatin1String("on"))
        return true;
    if (t == QLatin1String("0") || t == QLatin1String("false") || t == QLatin1String("no") ||
        t == QLatin1String("off"))
        return false;
    *ok = false;
    return false;
}

// Why `value` cannot be the database, when it is a URL rather than a file path: one line that
// names the scheme and the host only (a URL may carry a user name and a password).
QString databaseUrlProblem(const QString &value)
{
    const QString text = value.trimmed();
    // A scheme of two letters or more, so that a Windows drive ("C:/...") stays a path.
    static const QRegularExpression scheme(QStringLiteral("^([A-Za-z][A-Za-z0-9+.-]+):"));
    const QRegularExpressionMatch m = scheme.match(text);
    if (!m.hasMatch())
        return {};
    const QString name = m.captured(1).toLower();
    const bool hierarchical = text.mid(m.capturedEnd(), 2) == QLatin1String("//");
    if (!hierarchical && name != QLatin1String("file"))
        return {}; // "notes:2024.db" is a file name
    const QString host = QUrl(text).host();
    const QString shown =
        hierarchical ? QStringLiteral("%1://%2").arg(name, host) : QStringLiteral("%1:").arg(name);
    QString why;
    if (name == QLatin1String("postgresql") || name == QLatin1String("postgres"))
        why = QStringLiteral("PostgreSQL is not supported yet");
    else if (name == QLatin1String("file"))
        why = QStringLiteral("SQLite URIs are not accepted");
    else
        why = QStringLiteral("%1 URLs are not supported").arg(name);
    return QStringLiteral("--db %1...: %2; give a SQLite file path").arg(shown, why);
}

bool parseInt(const QString &text, int min, int max, int *out)
{
    bool ok = false;
    const int v = text.trimmed().toInt(&ok);
    if (!ok || v < min || v > max)
        return false;
    *out = v;
    return true;
}
} // namespace

const QList<ConfigLoader::Key> &ConfigLoader::keys()
{
    static const QList<Key> k = {
        {QStringLiteral("db"), QStringLiteral("event store (SQLite file)"), {}},
        {QStringLiteral("listen"), QStringLiteral("address of the webhook server"), {}},
        {QStringLiteral("port"), QStringLiteral("port of the webhook server (0 = any free)"), {}},
        {QStringLiteral("admin-port"),
         QStringLiteral("port of /metrics and the detailed /health, on 127.0.0.1 only "
                        "(0 = any free)"),
         {}},
        {QStringLiteral("telnyx-api"), QStringLiteral("Telnyx API base URL"),
         QStringLiteral("TELNYX_API_URL")},
        {QStringLiteral("api-key"), QStringLiteral("Telnyx API key (prefer the environment)"),
         QStringLiteral("TELNYX_API_KEY")},
        {QStringLiteral("public-key"),
         QStringLiteral("Telnyx webhook public key, base64 of 32 bytes"),
         QStringLiteral("TELNYX_PUBLIC_KEY")},
        {QStringLiteral("forward-to"), QStringLiteral("the owner's real phone (E.164)"), {}},
        {QStringLiteral("namespace"), QStringLiteral("the owner's namespace"), {}},
        {QStringLiteral("trusted-proxies"),
         QStringLiteral("comma-separated proxy addresses whose X-Forwarded-For is trusted"),
         {}},
        {QStringLiteral("synchronous"),
         QStringLiteral("SQLite synchronous mode: FULL (default) or NORMAL"),
         {}},
        {QStringLiteral("unknown-policy"),
         QStringLiteral("unknown callers: reject_with_message, reject, ask or voicemail"),
         {}},
        {QStringLiteral("rejection-message"), QStringLiteral("what rejected callers hear"), {}},
        {QStringLiteral("unavailable-message"),
         QStringLiteral("what a forwarded caller hears when the owner does not answer"),
         {}},
        {QStringLiteral("voice"), QStringLiteral("Telnyx speak voice"), {}},
        {QStringLiteral("language"), QStringLiteral("Telnyx speak language"), {}},
        {QStringLiteral("require-shaken-stir"),
         QStringLiteral("registered callers must pass STIR/SHAKEN (true/false)"),
         {}},
        {QStringLiteral("caller-id-trust"),
         QStringLiteral(
             "when a registered number's caller ID alone is proof: attested (STIR/SHAKEN "
             "A, validated; otherwise its PIN is asked for) or any"),
         {}},
        {QStringLiteral("reject-spam-likely"),
         QStringLiteral("reject calls Telnyx flags spam_likely (true/false)"),
         {}},
        {QStringLiteral("dry-run"),
         QStringLiteral("record decisions but forward every call (true/false)"),
         {}},
        {QStringLiteral("ask-timeout"), QStringLiteral("seconds the owner has to decide"), {}},
        {QStringLiteral("ask-fallback"),
         QStringLiteral("what an ask the owner leaves unanswered becomes: reject_with_message, "
                        "reject or voicemail (default: unknown-policy)"),
         {}},
        {QStringLiteral("transfer-timeout"),
         QStringLiteral("seconds the owner's phone rings before the fallback"),
         {}},
        {QStringLiteral("start-minimized"),
         QStringLiteral("the desktop app starts in the tray, without its window (true/false)"),
         {}},
        {QStringLiteral("application-id"),
         QStringLiteral("Telnyx Call Control Application id for golive (empty = find it)"),
         {}},
        {QStringLiteral("quiet-warning-minutes"),
         QStringLiteral("warn when no webhook arrived for this long (0 = never)"),
         {}},
        {QStringLiteral("cloudflared"),
         QStringLiteral("path of cloudflared for the desktop's tunnel (default: PATH)"),
         {}},
        {QStringLiteral("voicemail-retention-days"),
         QStringLiteral("delete voicemail audio older than this many days (0 = keep)"),
         {}},
        {QStringLiteral("self-registration"),
         QStringLiteral("serve the registration page at /register on the webhook port: off or on"),
         {}},
        {QStringLiteral("registration-approval"),
         QStringLiteral("a caller's proven self-registration: owner (you approve) or automatic"),
         {}},
        {QStringLiteral("public-url"),
         QStringLiteral("the public https address of the webhook port (the tunnel's), for "
                        "{register_url} in rejection-message"),
         {}},
        {QStringLiteral("voicemail-greeting"),
         QStringLiteral("what a caller hears before the beep"),
         {}},
        {QStringLiteral("voicemail-max-length"),
         QStringLiteral("longest voicemail message in seconds (5 to 14400)"),
         {}},
        {QStringLiteral("voicemail-transcription"),
         QStringLiteral("Telnyx transcribes each message (true/false)"),
         {}},
        {QStringLiteral("voicemail-on-no-answer"),
         QStringLiteral("a caller the owner does not answer can leave a message instead of "
                        "hearing the unavailable message (true/false)"),
         {}},
    };
    return k;
}

bool ConfigLoader::apply(Config &c, const QMap<QString, QString> &values, QString *error)
{
    auto bad = [error](const QString &key, const QString &value, const QString &why) {
        if (error)
            *error = QStringLiteral("invalid %1 \"%2\": %3").arg(key, value, why);
        return false;
    };
    for (auto it = values.cbegin(); it != values.cend(); ++it) {
        const QString &key = it.key();
        const QString value = it.value();
        if (key == QLatin1String("db")) {
            if (value.trimmed().isEmpty())
                return bad(key, value, QStringLiteral("empty path"));
            if (const QString problem = databaseUrlProblem(value); !problem.isEmpty()) {
                if (error)
                    *error = problem;
                return false;
            }
            c.databasePath = value;
        } else if (key == QLatin1String("listen")) {
            QHostAddress address;
            if (value == QLatin1String("localhost"))
                address = QHostAddress::LocalHost;
            else if (!address.setAddress(value))
                return bad(key, value, QStringLiteral("not an IP address"));
            c.listenAddress = address;
            c.listenText = value == QLatin1String("localhost") ? QStringLiteral("127.0.0.1")
                                                               : address.toString();
        } else if (key == QLatin1String("port")) {
            int port = 0;
            if (!parseInt(value, 0, 65535, &port))
                return bad(key, value, QStringLiteral("expected 0 to 65535"));
            c.port = quint16(port);
        } else if (key == QLatin1String("admin-port")) {
            int port = 0;
            if (!parseInt(value, 0, 65535, &port))
                return bad(key, value, QStringLiteral("expected 0 to 65535"));
            c.adminPort = quint16(port);
        } else if (key == QLatin1String("telnyx-api")) {
            const QUrl url(value.trimmed(), QUrl::StrictMode);
            const QString problem = CallControlClient::baseUrlProblem(url);
            if (!problem.isEmpty())
                return bad(key, value, problem);
            c.telnyxApiUrl = value.trimmed();
            while (c.telnyxApiUrl.endsWith(QLatin1Char('/')))
                c.telnyxApiUrl.chop(1);
        } else if (key == QLatin1String("api-key")) {
            c.apiKey = value.trimmed();
        } else if (key == QLatin1String("public-key")) {
            QString why;
            const auto raw = WebhookVerifier::decodePublicKey(value, &why);
            if (!raw) {
                if (error)
                    *error = QStringLiteral("invalid public-key: %1").arg(why);
                return false;
            }
            c.publicKey = *raw;
        } else if (key == QLatin1String("forward-to")) {
            // Validated as a phone number by the screening layer, which owns libphonenumber.
            c.forwardTo = value.trimmed();
        } else if (key == QLatin1String("namespace")) {
            if (!value.trimmed().endsWith(QLatin1String(".x")))
                return bad(key, value, QStringLiteral("a namespace ends in .x"));
            c.nameSpace = value.trimmed().toLower();
        } else if (key == QLatin1String("trusted-proxies")) {
            c.trustedProxies.clear();
            for (const QString &p : value.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
                if (QHostAddress(p.trimmed()).isNull())
                    return bad(key, value, QStringLiteral("not a list of IP addresses"));
                c.trustedProxies.append(p.trimmed());
            }
        } else if (key == QLatin1String("synchronous")) {
            const QString mode = value.trimmed().toUpper();
            if (mode != QLatin1String("FULL") && mode != QLatin1String("NORMAL"))
                return bad(key, value, QStringLiteral("expected FULL or NORMAL"));
            c.synchronous = mode;
        } else if (key == QLatin1String("unknown-policy")) {
            static const QStringList policies = {QStringLiteral("reject_with_message"),
                                                 QStringLiteral("reject"), QStringLiteral("ask"),
                                                 QStringLiteral("voicemail")};
            if (!policies.contains(value.trimmed()))
                return bad(key, value,
                           QStringLiteral("expected one of ") +
                               policies.join(QStringLiteral(", ")));
            c.unknownPolicy = value.trimmed();
        } else if (key == QLatin1String("ask-fallback")) {
            static const QStringList fallbacks = {QStringLiteral("reject_with_message"),
                                                  QStringLiteral("reject"),
                                                  QStringLiteral("voicemail")};
            if (!value.trimmed().isEmpty() && !fallbacks.contains(value.trimmed()))
                return bad(key, value,
                           QStringLiteral("expected one of ") +
                               fallbacks.join(QStringLiteral(", ")));
            c.askFallback = value.trimmed();
        } else if (key == QLatin1String("caller-id-trust")) {
            const QString v = value.trimmed().toLower();
            if (v != QLatin1String("attested") && v != QLatin1String("any"))
                return bad(key, value, QStringLiteral("expected attested or any"));
            c.callerIdTrust = v;
        } else if (key == QLatin1String("rejection-message") ||
                   key == QLatin1String("unavailable-message") ||
                   key == QLatin1String("voicemail-greeting")) {
            if (value.trimmed().isEmpty() || value.size() > 3000)
                return bad(key, value.left(40), QStringLiteral("1 to 3000 characters"));
            (key == QLatin1String("rejection-message")
                 ? c.rejectionMessage
                 : (key == QLatin1String("unavailable-message") ? c.unavailableMessage
                                                                : c.voicemailGreeting)) =
                value.trimmed();
        } else if (key == QLatin1String("voice")) {
            if (value.trimmed().isEmpty())
                return bad(key, value, QStringLiteral("empty"));
            c.voice = value.trimmed();
        } else if (key == QLatin1String("language")) {
            c.language = value.trimmed();
        } else if (key == QLatin1String("require-shaken-stir") ||
                   key == QLatin1String("reject-spam-likely") || key == QLatin1String("dry-run") ||
                   key == QLatin1String("start-minimized") ||
                   key == QLatin1String("voicemail-transcription") ||
                   key == QLatin1String("voicemail-on-no-answer")) {
            bool ok = false;
            const bool v = parseBool(value, &ok);
            if (!ok)
                return bad(key, value, QStringLiteral("expected true or false"));
            if (key == QLatin1String("require-shaken-stir"))
                c.requireShakenStir = v;
            else if (key == QLatin1String("reject-spam-likely"))
                c.rejectSpamLikely = v;
            else if (key == QLatin1String("start-minimized"))
                c.startMinimized = v;
            else if (key == QLatin1String("voicemail-transcription"))
                c.voicemailTranscription = v;
            else if (key == QLatin1String("voicemail-on-no-answer"))
                c.voicemailOnNoAnswer = v;
            else
                c.dryRun = v;
        } else if (key == QLatin1String("ask-timeout")) {
            if (!parseInt(value, 5, 120, &c.askTimeoutSecs))
                return bad(key, value, QStringLiteral("expected 5 to 120 seconds"));
        } else if (key == QLatin1String("transfer-timeout")) {
            if (!parseInt(value, 5, 600, &c.transferTimeoutSecs))
                return bad(key, value, QStringLiteral("expected 5 to 600 seconds"));
        } else if (key == QLatin1String("application-id")) {
            c.applicationId = value.trimmed();
        } else if (key == QLatin1String("quiet-warning-minutes")) {
            if (!parseInt(value, 0, 525600, &c.quietWarningMinutes))
                return bad(key, value, QStringLiteral("expected 0 to 525600 minutes"));
        } else if (key == QLatin1String("cloudflared")) {
            c.cloudflared = value.trimmed();
        } else if (key == QLatin1String("self-registration")) {
            bool ok = false;
            const bool v = parseBool(value, &ok);
            if (!ok)
                return bad(key, value, QStringLiteral("expected off or on"));
            c.selfRegistration = v;
        } else if (key == QLatin1String("registration-approval")) {
            const QString v = value.trimmed().toLower();
            if (v != QLatin1String("owner") && v != QLatin1String("automatic"))
                return bad(key, value, QStringLiteral("expected owner or automatic"));
            c.registrationApproval = v;
        } else if (key == QLatin1String("public-url")) {
            QString v = value.trimmed();
            while (v.endsWith(QLatin1Char('/')))
                v.chop(1);
            const QUrl url(v, QUrl::StrictMode);
            if (!v.isEmpty() && (!url.isValid() || url.host().isEmpty() ||
                                 (url.scheme() != QLatin1String("https") &&
                                  url.scheme() != QLatin1String("http")) ||
                                 !url.userInfo().isEmpty() || url.hasQuery() || url.hasFragment()))
                return bad(key, value.left(80), QStringLiteral("expected an https:// address"));
            c.publicUrl = v;
        } else if (key == QLatin1String("voicemail-retention-days")) {
            if (!parseInt(value, 0, 36500, &c.voicemailRetentionDays))
                return bad(key, value, QStringLiteral("expected 0 (keep) to 36500 days"));
        } else if (key == QLatin1String("voicemail-max-length")) {
            if (!parseInt(value, 5, 14400, &c.voicemailMaxLengthSecs))
                return bad(key, value, QStringLiteral("expected 5 to 14400 seconds"));
        } else {
            if (error)
                *error = QStringLiteral("unknown option \"%1\"").arg(key);
            return false;
        }
    }
    return true;
}

bool ConfigLoader::readFile(const QString &path, QMap<QString, QString> *values, QString *error)
{
    const QFileInfo info(path);
    if (!info.exists())
        return true; // no file is an empty file
    if (!info.isReadable()) {
        if (error)
            *error = QStringLiteral("cannot read config file %1").arg(path);
        return false;
    }
    QSettings settings(path, QSettings::IniFormat);
    if (settings.status() != QSettings::NoError) {
        if (error)
            *error = QStringLiteral("config file %1 is not a valid INI file").arg(path);
        return false;
    }
    for (const QString &key : settings.allKeys()) {
        const bool known = std::any_of(keys().cbegin(), keys().cend(),
                                       [&key](const Key &k) { return k.name == key; });
        if (!known) {
            if (error)
                *error = QStringLiteral("config file %1: unknown key \"%2\"").arg(path, key);
            return false;
        }
        const QVariant v = settings.value(key);
        values->insert(key, v.typeId() == QMetaType::QStringList
                                ? v.toStringList().join(QLatin1Char(','))
                                : v.toString());
    }
    return true;
}

QMap<QString, QString> ConfigLoader::readEnvironment()
{
    QMap<QString, QString> values;
    const QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const Key &k : keys()) {
        if (!k.envVar.isEmpty() && env.contains(k.envVar) && !env.value(k.envVar).isEmpty())
            values.insert(k.name, env.value(k.envVar));
    }
    return values;
}

QString ConfigLoader::defaultConfigFile()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation) +
           QStringLiteral("/kevan-tel.conf");
}

QString ConfigLoader::defaultDatabasePath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
           QStringLiteral("/kevan-tel.db");
}

QString ConfigLoader::defaultDemoDatabasePath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
           QStringLiteral("/kevan-tel-demo.db");
}

} // namespace kt
