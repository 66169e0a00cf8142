// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>
#include <QString>

// How text and JSON go into the store's columns and come back out of them, the same way for the
// event log and the calls projection.
namespace kt::storedtext {

// A string as it comes back from the database: invalid UTF-16 (lone surrogates) replaced, so the
// hash computed at append time matches the one recomputed from the stored text. PostgreSQL's
// text cannot hold U+0000 at all (SQLite's can): with `noNul` each one becomes U+FFFD, so a
// caller's name with a NUL in it is still stored, not refused.
inline QString clean(const QString &s, bool noNul = false)
{
    QString out = QString::fromUtf8(s.toUtf8());
    if (noNul)
        out.replace(QChar(0), QChar::ReplacementCharacter);
    return out;
}

inline QString column(const QSqlQuery &q, int i)
{
    return q.isNull(i) ? QString() : q.value(i).toString();
}

inline QJsonObject parseObject(const QString &text)
{
    return QJsonDocument::fromJson(text.toUtf8()).object();
}

inline QString compactJson(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

} // namespace kt::storedtext
