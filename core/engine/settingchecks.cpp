// SPDX-License-Identifier: GPL-3.0-or-later
#include "settingchecks.h"

#include "engine/config.h"
#include "screening/certificate.h"
#include "screening/phonenumber.h"
#include "store/databaseurl.h"
#include "telnyx/callcontrolclient.h"
#include "telnyx/webhooksignature.h"

#include <QDir>
#include <QFileInfo>
#include <QHostAddress>
#include <QRegularExpression>
#include <QUrl>

namespace kt {
namespace {
SettingCheck fine(const QString &value, const QString &hint = QString())
{
    return {QString(), value, hint};
}

SettingCheck wrong(const QString &error)
{
    return {error, QString(), QString()};
}

bool toInt(const QString &text, int *out)
{
    bool ok = false;
    *out = text.trimmed().toInt(&ok);
    return ok;
}
} // namespace

bool SettingChecks::parseBool(const QString &text, bool *ok)
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

SettingCheck SettingChecks::boolean(const Setting &, const QString &text)
{
    bool ok = false;
    const bool on = parseBool(text, &ok);
    if (!ok)
        return wrong(tr("Expected true or false"));
    return fine(on ? QStringLiteral("true") : QStringLiteral("false"));
}

SettingCheck SettingChecks::integer(const Setting &s, const QString &text)
{
    int n = 0;
    if (!toInt(text, &n) || n < s.min || n > s.max)
        return wrong(tr("A whole number from %1 to %2").arg(s.min).arg(s.max));
    return fine(QString::number(n));
}

SettingCheck SettingChecks::choice(const Setting &s, const QString &text)
{
    const QString t = text.trimmed();
    for (const Setting::Choice &c : s.choices) {
        if (c.value.compare(t, Qt::CaseInsensitive) == 0)
            return fine(c.value, c.detail);
    }
    QStringList named;
    bool emptyAllowed = false;
    for (const Setting::Choice &c : s.choices) {
        if (c.value.isEmpty())
            emptyAllowed = true;
        else
            named.append(c.value);
    }
    return wrong(tr("Choose one of: %1").arg(named.join(QStringLiteral(", "))) +
                 (emptyAllowed ? tr(", or leave empty") : QString()));
}

SettingCheck SettingChecks::text(const Setting &s, const QString &text)
{
    const QString t = text.trimmed();
    if (t.isEmpty() && !s.emptyError.isEmpty())
        return wrong(s.emptyError);
    return fine(t, t.isEmpty() ? s.emptyHint : QString());
}

SettingCheck SettingChecks::message(const Setting &s, const QString &text)
{
    const QString t = text.trimmed();
    if (t.isEmpty())
        return wrong(tr("%1 (1 to %2 characters)").arg(s.emptyError).arg(MaxMessage));
    if (t.size() > MaxMessage)
        return wrong(tr("At most %1 characters (this is %2)").arg(MaxMessage).arg(t.size()));
    return fine(t, tr("%1 of %2 characters").arg(t.size()).arg(MaxMessage));
}

SettingCheck SettingChecks::optionalMessage(const Setting &s, const QString &text)
{
    const QString t = text.trimmed();
    if (t.isEmpty())
        return fine(t, s.emptyHint);
    return message(s, t);
}

SettingCheck SettingChecks::phone(const Setting &s, const QString &text)
{
    const QString t = text.trimmed();
    if (t.isEmpty())
        return fine(QString(), s.emptyHint);
    const auto parsed = PhoneNumber::parse(t);
    if (!parsed.ok)
        return wrong(tr("Not a phone number we can call: %1").arg(parsed.error));
    return fine(parsed.e164, tr("Calls are forwarded to %1").arg(parsed.e164));
}

SettingCheck SettingChecks::nameSpace(const Setting &s, const QString &text)
{
    const QString t = text.trimmed();
    if (t.isEmpty())
        return wrong(s.emptyError);
    if (!t.toLower().endsWith(QLatin1String(".x")))
        return wrong(tr("A namespace ends in .x, e.g. kevan.tel.x"));
    if (!Certificate::isNamespace(t))
        return wrong(tr("Use letters, digits and hyphens between the dots, e.g. kevan.tel.x"));
    return fine(t.toLower());
}

SettingCheck SettingChecks::address(const Setting &, const QString &text)
{
    const QString t = text.trimmed();
    if (t == QLatin1String("localhost"))
        return fine(QStringLiteral("127.0.0.1"));
    QHostAddress address;
    if (!address.setAddress(t))
        return wrong(tr("Not an IP address"));
    return fine(address.toString());
}

SettingCheck SettingChecks::addressList(const Setting &, const QString &text)
{
    QStringList addresses;
    for (const QString &p : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        if (p.trimmed().isEmpty())
            continue;
        if (QHostAddress(p.trimmed()).isNull())
            return wrong(tr("Not a list of IP addresses"));
        addresses.append(p.trimmed());
    }
    return fine(addresses.join(QLatin1Char(',')));
}

SettingCheck SettingChecks::publicKey(const Setting &s, const QString &text)
{
    const QString t = text.trimmed();
    if (t.isEmpty())
        return fine(QString(), s.emptyHint);
    QString why;
    if (!WebhookVerifier::decodePublicKey(t, &why))
        return wrong(tr("Not a webhook public key: %1").arg(why));
    return fine(t, tr("Ed25519 public key, 32 bytes"));
}

SettingCheck SettingChecks::apiKey(const Setting &, const QString &text)
{
    const QString t = text.trimmed();
    if (t.isEmpty())
        return fine(QString());
    for (const QChar c : t) {
        if (c.isSpace())
            return wrong(tr("An API key has no spaces; paste it again without them"));
        if (c.unicode() < 0x21 || c.unicode() > 0x7e)
            return wrong(tr("An API key is letters, digits and punctuation only"));
    }
    if (t.size() < 16)
        return wrong(
            tr("Too short for a Telnyx API key (it is the long text that starts with KEY)"));
    if (t.size() > 512)
        return wrong(tr("Too long for a Telnyx API key"));
    return fine(t, t.startsWith(QLatin1String("KEY"))
                       ? QString()
                       : tr("Telnyx API keys usually start with KEY; check that this is one"));
}

SettingCheck SettingChecks::port(const Setting &s, const QString &text)
{
    int port = 0;
    if (text.trimmed().isEmpty() || !toInt(text, &port))
        return wrong(tr("A port is a whole number from 0 to 65535"));
    if (port < 0 || port > 65535)
        return wrong(tr("A port is from 0 to 65535 (0 picks any free port)"));
    QString hint;
    if (port == 0)
        hint = s.key == QLatin1String("port")
                   ? tr("0 picks a free port at every start: the tunnel must follow it")
                   : tr("0 picks a free port at every start");
    else if (port < 1024)
        hint = tr("Ports below 1024 usually need administrator rights");
    return fine(QString::number(port), hint);
}

SettingCheck SettingChecks::apiUrl(const Setting &, const QString &text)
{
    QString t = text.trimmed();
    const QString problem = CallControlClient::baseUrlProblem(QUrl(t, QUrl::StrictMode));
    if (!problem.isEmpty())
        return wrong(problem);
    while (t.endsWith(QLatin1Char('/')))
        t.chop(1);
    return fine(t);
}

SettingCheck SettingChecks::publicUrl(const Setting &, const QString &text)
{
    QString t = text.trimmed();
    while (t.endsWith(QLatin1Char('/')))
        t.chop(1);
    const QUrl url(t, QUrl::StrictMode);
    if (!t.isEmpty() &&
        (!url.isValid() || url.host().isEmpty() ||
         (url.scheme() != QLatin1String("https") && url.scheme() != QLatin1String("http")) ||
         !url.userInfo().isEmpty() || url.hasQuery() || url.hasFragment()))
        return wrong(tr("Expected an https:// address"));
    return fine(t);
}

SettingCheck SettingChecks::failoverUrl(const Setting &s, const QString &text)
{
    const SettingCheck check = publicUrl(s, text);
    if (!check.error.isEmpty() || check.value.isEmpty())
        return check;
    const QUrl url(check.value, QUrl::StrictMode);
    const QString host = url.host();
    const bool loopback = host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0 ||
                          QHostAddress(host).isLoopback();
    if (url.scheme() != QLatin1String("https") && !loopback)
        return wrong(tr("Telnyx needs an https:// address"));
    return check;
}

QString SettingChecks::localPath(const QString &text)
{
    const QString t = text.trimmed();
    if (t.startsWith(QLatin1String("file:")) && QUrl(t).isLocalFile())
        return QUrl(t).toLocalFile();
    return t;
}

QString SettingChecks::databaseUrlProblem(const QString &value)
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
    if (DatabaseUrl::isUrl(text)) {
        QString why;
        if (DatabaseUrl::parse(text, &why))
            return {};
        return tr("%1...: %2").arg(shown, why);
    }
    QString why;
    if (name == QLatin1String("file"))
        why = tr("SQLite URIs are not accepted");
    else
        why = tr("%1 URLs are not supported").arg(name);
    return tr("%1...: %2; give a SQLite file path or a postgresql:// URL").arg(shown, why);
}

SettingCheck SettingChecks::database(const Setting &s, const QString &text)
{
    // A file dialog's file: URL is made a path by the page before it is checked.
    const QString path = text.trimmed();
    if (path.isEmpty())
        return wrong(s.emptyError);
    if (const QString problem = databaseUrlProblem(path); !problem.isEmpty())
        return wrong(problem);
    if (DatabaseUrl::isUrl(path)) // a PostgreSQL database: no file to check here
        return fine(path, tr("The password comes from PGPASSWORD or ~/.pgpass"));
    if (!QDir::isAbsolutePath(path))
        return wrong(tr("Use a full path, e.g. %1")
                         .arg(QDir::toNativeSeparators(ConfigLoader::defaultDatabasePath())));
    const QFileInfo info(path);
    if (info.isDir())
        return wrong(tr("That is a folder: name the database file in it, e.g. %1")
                         .arg(QDir::toNativeSeparators(
                             QDir(path).filePath(QStringLiteral("kevan-tel.db")))));
    if (info.exists() && !(info.isReadable() && info.isWritable()))
        return wrong(tr("kevan-tel cannot read and write that file"));
    const QFileInfo dir(info.absolutePath());
    if (dir.exists() && !dir.isDir())
        return wrong(
            tr("%1 is a file, not a folder").arg(QDir::toNativeSeparators(dir.filePath())));
    if (dir.exists() && !dir.isWritable())
        return wrong(
            tr("kevan-tel cannot write into %1").arg(QDir::toNativeSeparators(dir.filePath())));
    QString hint;
    if (!info.exists())
        hint = dir.exists() ? tr("A new, empty event log is created there; move your "
                                 "kevan-tel.db there first to keep your history")
                            : tr("The folder is created at the next start; move your "
                                 "kevan-tel.db there first to keep your history");
    return fine(QDir::fromNativeSeparators(path), hint);
}

SettingCheck SettingChecks::onOff(const Setting &s, const QString &text)
{
    bool ok = false;
    const bool on = parseBool(text, &ok);
    return choice(s, ok ? (on ? QStringLiteral("on") : QStringLiteral("off")) : text);
}

SettingCheck SettingChecks::startMinimized(const Setting &s, const QString &text)
{
    SettingCheck c = boolean(s, text);
    if (c.ok() && c.value == QLatin1String("true"))
        c.hint = tr("Only the tray icon shows at start; without a tray the window opens anyway");
    return c;
}

SettingCheck SettingChecks::voicemailLength(const Setting &s, const QString &text)
{
    SettingCheck c = integer(s, text);
    if (!c.ok())
        return wrong(tr("Seconds, from %1 to %2").arg(s.min).arg(s.max));
    const int secs = c.value.toInt();
    c.hint = tr("A message stops after %1 min %2 s").arg(secs / 60).arg(secs % 60);
    return c;
}

} // namespace kt
