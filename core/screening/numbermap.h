// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "keypad.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace kt {

// One of the owner's numbers.
struct NumberEntry
{
    QString e164;      // "+17702300635", always valid (libphonenumber)
    QString raw;       // as the owner wrote it ("+1-770-230-0635"); e164 when not given
    QString label;     // a name, possibly a vanity spelling ("611-JEXT"); may be empty
    QString nameSpace; // "kevan.tel.x"; the map's namespace when not given
    QString policy;    // per-number override: "accept_all", "reject_with_message", "reject",
                       // "ask"; empty = the configured default
    Keypad::Result labelCheck = Keypad::Result::NotVanity; // Keypad::spells(label, e164)
    QString telnyxId;     // Telnyx phone number id (numeric string), from a sync
    QString connectionId; // Telnyx connection / Call Control application id, from a sync
    QStringList tags;     // Telnyx tags, from a sync

    bool operator==(const NumberEntry &o) const;
    bool operator!=(const NumberEntry &o) const { return !(*this == o); }
};

// The owner's number map: the format of resources/numbers/kevan.tel.x.json
//   {"namespace": "kevan.tel.x", "note": "...",
//    "numbers": [{"raw": "+1-888-611-5384", "namespace": "kevan.tel.x", "label": "611-JEXT"}, ...]}
// Entry keys: "raw" and/or "e164" (at least one), "namespace", "label", "policy", "telnyx_id",
// "connection_id", "tags" (array of strings). toJson() also writes "e164" and, for labelled
// entries, "label_check" (Keypad::code, ignored when read back). Unknown keys are ignored.
class NumberMap
{
public:
    struct MergeResult
    {
        int added = 0;     // numbers not in the map before
        int updated = 0;   // numbers whose Telnyx fields (or an empty label/policy) changed
        int unchanged = 0; // numbers already in the map as given
        int invalid = 0;   // incoming entries without a valid number (skipped)
    };

    static constexpr const char *DefaultNameSpace = "kevan.tel.x";
    static constexpr const char *DefaultResource = ":/kevantel/numbers/kevan.tel.x.json";

    NumberMap() = default;
    explicit NumberMap(QString nameSpace) : m_nameSpace(std::move(nameSpace)) {}

    // Refuses (nullopt + one line in *error): bad JSON, a wrong shape or type, an entry whose
    // number libphonenumber refuses ("numbers[3] (\"12\"): \"12\" is not a valid phone number
    // (too short)"), "raw" and "e164" that disagree, an unknown policy, and two entries with
    // the same E.164 number.
    static std::optional<NumberMap> fromJson(const QByteArray &json, QString *error = nullptr);
    static std::optional<NumberMap> fromFile(const QString &path, QString *error = nullptr);
    // The map shipped in the binary (DefaultResource). It is valid by construction (tested);
    // should it fail to load, an empty map of DefaultNameSpace is returned and *error set.
    static NumberMap defaultMap(QString *error = nullptr);

    QByteArray toJson() const; // indented; fromJson(toJson()) == *this
    QJsonObject toJsonObject() const;
    static QJsonObject entryToJson(const NumberEntry &entry);

    QString nameSpace() const { return m_nameSpace; }
    void setNameSpace(const QString &nameSpace) { m_nameSpace = nameSpace; }
    QString note() const { return m_note; }
    void setNote(const QString &note) { m_note = note; }

    const QList<NumberEntry> &entries() const { return m_entries; } // in file order
    qsizetype size() const { return m_entries.size(); }
    bool isEmpty() const { return m_entries.isEmpty(); }

    // Exact E.164 lookup; nullptr when the number is not in the map. The pointer is valid until
    // the map is next changed.
    const NumberEntry *find(const QString &e164) const;
    bool contains(const QString &e164) const { return m_index.contains(e164); }

    // Adds one entry, normalising it like fromJson (e164 from raw when empty, namespace,
    // labelCheck). False with *error for an invalid number or policy, or a duplicate.
    bool add(NumberEntry entry, QString *error = nullptr);
    bool remove(const QString &e164);
    bool setLabel(const QString &e164, const QString &label);
    bool setPolicy(const QString &e164, const QString &policy, QString *error = nullptr);

    // Merges the numbers an account lists on Telnyx, by E.164 (e164, or raw when e164 is
    // empty, parsed by libphonenumber). For a number already in the map, its label, policy,
    // namespace and raw form are kept (an empty label or policy is filled from the incoming
    // entry), and telnyxId, connectionId and tags are replaced by Telnyx's. New numbers are
    // appended (namespace defaults to the map's). Numbers missing from Telnyx are kept.
    MergeResult mergeSync(const QList<NumberEntry> &fromTelnyx);

    // The per-number policies: "accept_all", "reject_with_message", "reject", "ask",
    // "voicemail", "screen".
    static const QStringList &policies();
    static bool isKnownPolicy(const QString &policy) { return policies().contains(policy); }

    bool operator==(const NumberMap &o) const;
    bool operator!=(const NumberMap &o) const { return !(*this == o); }

private:
    bool normalise(NumberEntry &entry, QString *error) const;
    void reindex();

    QString m_nameSpace;
    QString m_note;
    QList<NumberEntry> m_entries;
    QHash<QString, qsizetype> m_index; // e164 -> position in m_entries
};

} // namespace kt
