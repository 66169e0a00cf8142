// SPDX-License-Identifier: GPL-3.0-or-later
#include "databaseurl.h"

#include <QRegularExpression>
#include <QStringList>
#include <QUrl>
#include <QUrlQuery>

namespace kt {

namespace {

const QStringList kSslModes{QStringLiteral("disable"),   QStringLiteral("allow"),
                            QStringLiteral("prefer"),    QStringLiteral("require"),
                            QStringLiteral("verify-ca"), QStringLiteral("verify-full")};

} // namespace

bool DatabaseUrl::isUrl(const QString &text)
{
    const QString t = text.trimmed();
    return t.startsWith(QLatin1String("postgresql://"), Qt::CaseInsensitive) ||
           t.startsWith(QLatin1String("postgres://"), Qt::CaseInsensitive);
}

std::optional<DatabaseUrl> DatabaseUrl::parse(const QString &text, QString *error)
{
    auto fail = [error](const QString &why) -> std::optional<DatabaseUrl> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    const QString t = text.trimmed();
    if (!isUrl(t))
        return fail(QStringLiteral("not a postgresql:// URL"));
    const QUrl url(t, QUrl::StrictMode);
    if (!url.isValid())
        return fail(QStringLiteral("not a valid URL"));
    if (!url.password().isEmpty() || url.userInfo().contains(QLatin1Char(':')))
        return fail(QStringLiteral("a password does not belong in the URL; set PGPASSWORD or "
                                   "put it in ~/.pgpass"));
    if (url.hasFragment())
        return fail(QStringLiteral("a URL with a #fragment is not a database"));
    DatabaseUrl out;
    out.user = url.userName();
    out.host = url.host();
    if (out.host.isEmpty())
        return fail(QStringLiteral("no host (postgresql://host/dbname)"));
    if (url.port() == 0)
        return fail(QStringLiteral("port 0 is not a port"));
    out.port = url.port(5432);
    QString path = url.path();
    if (path.startsWith(QLatin1Char('/')))
        path.remove(0, 1);
    static const QRegularExpression name(QStringLiteral("^[^/\\s]{1,63}$"));
    if (path.isEmpty())
        return fail(QStringLiteral("no database name (postgresql://host/dbname)"));
    if (!name.match(path).hasMatch())
        return fail(QStringLiteral("the database name is not valid"));
    out.databaseName = path;
    const QUrlQuery query(url);
    for (const auto &item : query.queryItems(QUrl::FullyDecoded)) {
        if (item.first != QLatin1String("sslmode"))
            return fail(QStringLiteral("unknown option \"%1\" (only sslmode is accepted)")
                            .arg(item.first.left(40)));
        if (!kSslModes.contains(item.second))
            return fail(QStringLiteral("sslmode must be one of %1")
                            .arg(kSslModes.join(QStringLiteral(", "))));
        out.sslMode = item.second;
    }
    return out;
}

QString DatabaseUrl::toString() const
{
    QUrl url;
    url.setScheme(QStringLiteral("postgresql"));
    url.setUserName(user);
    url.setHost(host);
    url.setPort(port);
    url.setPath(QLatin1Char('/') + databaseName);
    if (!sslMode.isEmpty())
        url.setQuery(QStringLiteral("sslmode=") + sslMode);
    return url.toString(QUrl::FullyEncoded);
}

QString DatabaseUrl::connectOptions() const
{
    // Server notices ("relation ... already exists, skipping") are not worth a line on stderr.
    QStringList options{QStringLiteral("connect_timeout=10"),
                        QStringLiteral("application_name=kevan-tel"),
                        QStringLiteral("options=-cclient_min_messages=warning")};
    if (!sslMode.isEmpty())
        options << QStringLiteral("sslmode=") + sslMode;
    return options.join(QLatin1Char(';'));
}

} // namespace kt
