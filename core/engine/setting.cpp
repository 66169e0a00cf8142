// SPDX-License-Identifier: GPL-3.0-or-later
#include "setting.h"

#include "engine/config.h"
#include "settingchecks.h"

namespace kt {

QStringList Setting::choiceValues() const
{
    QStringList values;
    for (const Choice &c : choices)
        values.append(c.value);
    return values;
}

QString Setting::valueName() const
{
    switch (type) {
    case Type::Bool:
        return QStringLiteral("true|false");
    case Type::Int:
        return QStringLiteral("N");
    case Type::Choice: {
        QStringList named = choiceValues();
        named.removeAll(QString());
        // A long list is in the help text instead.
        const QString all = named.join(QLatin1Char('|'));
        return all.size() <= 20 ? all : QStringLiteral("CHOICE");
    }
    case Type::Phone:
        return QStringLiteral("E164");
    case Type::Namespace:
        return QStringLiteral("NS");
    case Type::Url:
        return QStringLiteral("URL");
    case Type::Path:
        return QStringLiteral("PATH");
    case Type::Address:
        return QStringLiteral("ADDR");
    case Type::AddressList:
        return QStringLiteral("LIST");
    case Type::PublicKey:
        return QStringLiteral("B64");
    case Type::Secret:
        return QStringLiteral("SECRET");
    case Type::Text:
    case Type::Message:
        break;
    }
    return QStringLiteral("TEXT");
}

QString Setting::helpLine() const
{
    if (type == Type::Int)
        return QStringLiteral("%1 (%2 to %3)").arg(help).arg(min).arg(max);
    return help;
}

QString Setting::defaultText() const
{
    if (secret || !read)
        return {};
    return read(Config());
}

QString Setting::errorLine(const QString &text, const QString &why) const
{
    // A database "path" may be a URL with a password in it: the check's line names what it may.
    if (type == Type::Path && !SettingChecks::databaseUrlProblem(text).isEmpty())
        return QStringLiteral("--%1 %2").arg(key, why);
    if (secret)
        return QStringLiteral("invalid %1: %2").arg(key, why);
    QString shown = text.left(type == Type::Message ? 40 : 80);
    for (QChar &c : shown) {
        if (!c.isPrint())
            c = QLatin1Char(' ');
    }
    return QStringLiteral("invalid %1 \"%2\": %3").arg(key, shown, why);
}

} // namespace kt
