// SPDX-License-Identifier: GPL-3.0-or-later
#include "numbermap.h"

#include "phonenumber.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

namespace kt {

namespace {

QString quoted(const QString &s)
{
    return u'"' + s + u'"';
}

bool fail(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return false;
}

// Reads an optional string member; false (and *error) when present but not a string.
bool readString(const QJsonObject &o, const char *key, QString *out, QString *error,
                const QString &where)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined() || v.isNull())
        return true;
    if (!v.isString())
        return fail(error, where + QStringLiteral(": \"%1\" must be a string").arg(key));
    *out = v.toString();
    return true;
}

} // namespace

bool NumberEntry::operator==(const NumberEntry &o) const
{
    return e164 == o.e164 && raw == o.raw && label == o.label && nameSpace == o.nameSpace &&
           policy == o.policy && labelCheck == o.labelCheck && telnyxId == o.telnyxId &&
           connectionId == o.connectionId && tags == o.tags;
}

const QStringList &NumberMap::policies()
{
    static const QStringList list = {
        QStringLiteral("accept_all"), QStringLiteral("reject_with_message"),
        QStringLiteral("reject"),     QStringLiteral("ask"),
        QStringLiteral("voicemail"),  QStringLiteral("screen"),
    };
    return list;
}

bool NumberMap::normalise(NumberEntry &entry, QString *error) const
{
    entry.raw = entry.raw.trimmed();
    const QString written = entry.raw.isEmpty() ? entry.e164.trimmed() : entry.raw;
    const PhoneNumber::ParseResult parsed = PhoneNumber::parse(written);
    if (!parsed.ok)
        return fail(error, parsed.error);
    if (!entry.raw.isEmpty() && !entry.e164.isEmpty() && entry.e164 != parsed.e164)
        return fail(error, QStringLiteral("\"raw\" %1 is %2, but \"e164\" says %3")
                               .arg(quoted(entry.raw), parsed.e164, quoted(entry.e164)));
    entry.e164 = parsed.e164;
    if (entry.raw.isEmpty())
        entry.raw = parsed.e164;
    if (entry.nameSpace.isEmpty())
        entry.nameSpace = m_nameSpace;
    if (!entry.policy.isEmpty() && !isKnownPolicy(entry.policy))
        return fail(error, QStringLiteral("unknown policy %1 (known: %2)")
                               .arg(quoted(entry.policy), policies().join(QStringLiteral(", "))));
    entry.labelCheck = Keypad::spells(entry.label, entry.e164);
    return true;
}

void NumberMap::reindex()
{
    m_index.clear();
    for (qsizetype i = 0; i < m_entries.size(); ++i)
        m_index.insert(m_entries.at(i).e164, i);
}

std::optional<NumberMap> NumberMap::fromJson(const QByteArray &json, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        fail(error, QStringLiteral("number map is not valid JSON: %1 at offset %2")
                        .arg(parseError.errorString())
                        .arg(parseError.offset));
        return std::nullopt;
    }
    if (!doc.isObject()) {
        fail(error, QStringLiteral("number map must be a JSON object with \"namespace\" and "
                                   "\"numbers\""));
        return std::nullopt;
    }
    const QJsonObject root = doc.object();
    NumberMap map;
    if (!readString(root, "namespace", &map.m_nameSpace, error, QStringLiteral("number map")) ||
        !readString(root, "note", &map.m_note, error, QStringLiteral("number map")))
        return std::nullopt;
    const QJsonValue numbers = root.value(QLatin1String("numbers"));
    if (!numbers.isArray()) {
        fail(error, QStringLiteral("number map: \"numbers\" must be an array"));
        return std::nullopt;
    }

    const QJsonArray array = numbers.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QString where = QStringLiteral("numbers[%1]").arg(i);
        if (!array.at(i).isObject()) {
            fail(error, where + QStringLiteral(": must be an object"));
            return std::nullopt;
        }
        const QJsonObject o = array.at(i).toObject();
        NumberEntry entry;
        if (!readString(o, "raw", &entry.raw, error, where) ||
            !readString(o, "e164", &entry.e164, error, where) ||
            !readString(o, "namespace", &entry.nameSpace, error, where) ||
            !readString(o, "label", &entry.label, error, where) ||
            !readString(o, "policy", &entry.policy, error, where) ||
            !readString(o, "telnyx_id", &entry.telnyxId, error, where) ||
            !readString(o, "connection_id", &entry.connectionId, error, where))
            return std::nullopt;
        const QJsonValue tags = o.value(QLatin1String("tags"));
        if (!tags.isUndefined() && !tags.isNull()) {
            bool ok = tags.isArray();
            for (const QJsonValue &t : tags.toArray()) {
                ok = ok && t.isString();
                entry.tags.append(t.toString());
            }
            if (!ok) {
                fail(error, where + QStringLiteral(": \"tags\" must be an array of strings"));
                return std::nullopt;
            }
        }
        if (entry.raw.trimmed().isEmpty() && entry.e164.trimmed().isEmpty()) {
            fail(error, where + QStringLiteral(": no number (\"raw\" or \"e164\")"));
            return std::nullopt;
        }

        const QString written = entry.raw.isEmpty() ? entry.e164 : entry.raw;
        QString why;
        if (!map.normalise(entry, &why)) {
            fail(error, QStringLiteral("%1 (%2): %3").arg(where, quoted(written), why));
            return std::nullopt;
        }
        if (const auto it = map.m_index.constFind(entry.e164); it != map.m_index.cend()) {
            fail(error, QStringLiteral("%1 (%2): %3 is already in the map as numbers[%4]")
                            .arg(where, quoted(written), entry.e164)
                            .arg(*it));
            return std::nullopt;
        }
        map.m_index.insert(entry.e164, map.m_entries.size());
        map.m_entries.append(std::move(entry));
    }
    return map;
}

std::optional<NumberMap> NumberMap::fromFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        fail(error, QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
        return std::nullopt;
    }
    QString why;
    auto map = fromJson(file.readAll(), &why);
    if (!map)
        fail(error, path + QStringLiteral(": ") + why);
    return map;
}

NumberMap NumberMap::defaultMap(QString *error)
{
    if (auto map = fromFile(QString::fromLatin1(DefaultResource), error))
        return *map;
    return NumberMap(QString::fromLatin1(DefaultNameSpace));
}

QJsonObject NumberMap::entryToJson(const NumberEntry &entry)
{
    QJsonObject o;
    o.insert(QStringLiteral("raw"), entry.raw);
    o.insert(QStringLiteral("e164"), entry.e164);
    o.insert(QStringLiteral("namespace"), entry.nameSpace);
    if (!entry.label.isEmpty()) {
        o.insert(QStringLiteral("label"), entry.label);
        o.insert(QStringLiteral("label_check"), Keypad::code(entry.labelCheck));
    }
    if (!entry.policy.isEmpty())
        o.insert(QStringLiteral("policy"), entry.policy);
    if (!entry.telnyxId.isEmpty())
        o.insert(QStringLiteral("telnyx_id"), entry.telnyxId);
    if (!entry.connectionId.isEmpty())
        o.insert(QStringLiteral("connection_id"), entry.connectionId);
    if (!entry.tags.isEmpty())
        o.insert(QStringLiteral("tags"), QJsonArray::fromStringList(entry.tags));
    return o;
}

QJsonObject NumberMap::toJsonObject() const
{
    QJsonObject root;
    root.insert(QStringLiteral("namespace"), m_nameSpace);
    if (!m_note.isEmpty())
        root.insert(QStringLiteral("note"), m_note);
    QJsonArray numbers;
    for (const NumberEntry &entry : m_entries)
        numbers.append(entryToJson(entry));
    root.insert(QStringLiteral("numbers"), numbers);
    return root;
}

QByteArray NumberMap::toJson() const
{
    return QJsonDocument(toJsonObject()).toJson(QJsonDocument::Indented);
}

const NumberEntry *NumberMap::find(const QString &e164) const
{
    const auto it = m_index.constFind(e164);
    return it == m_index.cend() ? nullptr : &m_entries.at(*it);
}

bool NumberMap::add(NumberEntry entry, QString *error)
{
    QString why;
    if (!normalise(entry, &why))
        return fail(error, why);
    if (contains(entry.e164))
        return fail(error, QStringLiteral("%1 is already in the map").arg(entry.e164));
    m_index.insert(entry.e164, m_entries.size());
    m_entries.append(std::move(entry));
    return true;
}

bool NumberMap::remove(const QString &e164)
{
    const auto it = m_index.constFind(e164);
    if (it == m_index.cend())
        return false;
    m_entries.removeAt(*it);
    reindex();
    return true;
}

bool NumberMap::setLabel(const QString &e164, const QString &label)
{
    const auto it = m_index.constFind(e164);
    if (it == m_index.cend())
        return false;
    NumberEntry &entry = m_entries[*it];
    entry.label = label;
    entry.labelCheck = Keypad::spells(label, entry.e164);
    return true;
}

bool NumberMap::setPolicy(const QString &e164, const QString &policy, QString *error)
{
    const auto it = m_index.constFind(e164);
    if (it == m_index.cend())
        return fail(error, QStringLiteral("%1 is not in the number map").arg(quoted(e164)));
    if (!policy.isEmpty() && !isKnownPolicy(policy))
        return fail(error, QStringLiteral("unknown policy %1 (known: %2)")
                               .arg(quoted(policy), policies().join(QStringLiteral(", "))));
    m_entries[*it].policy = policy;
    return true;
}

NumberMap::MergeResult NumberMap::mergeSync(const QList<NumberEntry> &fromTelnyx)
{
    MergeResult result;
    for (NumberEntry incoming : fromTelnyx) {
        incoming.e164 = incoming.e164.trimmed();
        const PhoneNumber::ParseResult parsed =
            PhoneNumber::parse(incoming.e164.isEmpty() ? incoming.raw : incoming.e164);
        if (!parsed.ok) {
            ++result.invalid;
            continue;
        }
        const auto it = m_index.constFind(parsed.e164);
        if (it == m_index.cend()) {
            incoming.e164 = parsed.e164;
            if (incoming.raw.isEmpty() || PhoneNumber::parse(incoming.raw).e164 != parsed.e164)
                incoming.raw = parsed.e164;
            if (!isKnownPolicy(incoming.policy))
                incoming.policy.clear();
            if (!add(std::move(incoming)))
                ++result.invalid; // not reached: the number parsed above
            else
                ++result.added;
            continue;
        }
        NumberEntry &entry = m_entries[*it];
        const NumberEntry before = entry;
        entry.telnyxId = incoming.telnyxId;
        entry.connectionId = incoming.connectionId;
        entry.tags = incoming.tags;
        if (entry.label.isEmpty() && !incoming.label.isEmpty()) {
            entry.label = incoming.label;
            entry.labelCheck = Keypad::spells(entry.label, entry.e164);
        }
        if (entry.policy.isEmpty() && isKnownPolicy(incoming.policy))
            entry.policy = incoming.policy;
        if (entry == before)
            ++result.unchanged;
        else
            ++result.updated;
    }
    return result;
}

bool NumberMap::operator==(const NumberMap &o) const
{
    return m_nameSpace == o.m_nameSpace && m_note == o.m_note && m_entries == o.m_entries;
}

} // namespace kt
