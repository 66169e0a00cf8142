// SPDX-License-Identifier: GPL-3.0-or-later
#include "screentranscript.h"

#include <QJsonArray>

namespace kt {

QString ScreenTranscript::clean(const QString &raw, int max)
{
    QString out;
    out.reserve(qMin(raw.size(), qsizetype(max) + 1));
    bool space = false;
    for (const QChar c : raw) {
        if (out.size() >= max)
            break;
        if (c.isSpace()) {
            space = !out.isEmpty();
            continue;
        }
        // Control and format characters (escapes, bidi overrides, zero-width) are dropped.
        if (c.category() == QChar::Other_Control || c.category() == QChar::Other_Format ||
            c.category() == QChar::Other_NotAssigned || c.category() == QChar::Other_PrivateUse)
            continue;
        if (c.isSurrogate() && !c.isHighSurrogate() && out.isEmpty())
            continue; // a lone low surrogate cut from its pair
        if (space) {
            out += QLatin1Char(' ');
            space = false;
            if (out.size() >= max)
                break;
        }
        out += c;
    }
    if (!out.isEmpty() && out.back().isHighSurrogate())
        out.chop(1); // never half a character
    return out;
}

int ScreenTranscript::totalChars() const
{
    int n = 0;
    for (const Utterance &u : m_utterances)
        n += int(u.text.size());
    return n;
}

ScreenTranscript::Change ScreenTranscript::add(const QString &words, bool final)
{
    const QString text = clean(words);
    if (text.isEmpty())
        return Change::Empty;
    const bool underWay = !m_utterances.isEmpty() && !m_utterances.last().final;
    if (underWay) {
        Utterance &last = m_utterances.last();
        if (last.text == text && last.final == final)
            return Change::Duplicate;
        if (totalChars() - last.text.size() + text.size() > MaxTotalChars)
            return Change::Full;
        last.text = text;
        last.final = final;
        return Change::Replaced;
    }
    if (!m_utterances.isEmpty()) {
        const Utterance &last = m_utterances.last();
        if (final && last.text == text)
            return Change::Duplicate;
        // An interim that arrives after its utterance's final (webhooks can be reordered) says
        // less than that final did.
        if (!final && last.text.startsWith(text))
            return Change::Stale;
    }
    if (m_utterances.size() >= MaxUtterances || totalChars() + text.size() > MaxTotalChars)
        return Change::Full;
    m_utterances.append({text, final});
    return Change::Added;
}

bool ScreenTranscript::setFields(const QString &callerName, const QString &reason)
{
    const QString name = clean(callerName, 120);
    const QString why = clean(reason, MaxUtteranceChars);
    bool changed = false;
    if (!name.isEmpty() && name != m_callerName) {
        m_callerName = name;
        changed = true;
    }
    if (!why.isEmpty() && why != m_reason) {
        m_reason = why;
        changed = true;
    }
    return changed;
}

QString ScreenTranscript::text() const
{
    QStringList parts;
    for (const Utterance &u : m_utterances)
        parts.append(u.text);
    return parts.join(QLatin1Char(' '));
}

QString ScreenTranscript::firstWords(int chars) const
{
    const QString all = text();
    if (all.size() <= chars)
        return all;
    QString cut = all.left(chars);
    if (cut.back().isHighSurrogate())
        cut.chop(1);
    return cut + QChar(0x2026);
}

QJsonObject ScreenTranscript::toJson() const
{
    QJsonArray list;
    for (const Utterance &u : m_utterances)
        list.append(
            QJsonObject{{QStringLiteral("text"), u.text}, {QStringLiteral("final"), u.final}});
    QJsonObject o{{QStringLiteral("utterances"), list}};
    if (!m_callerName.isEmpty())
        o.insert(QStringLiteral("caller_name"), m_callerName);
    if (!m_reason.isEmpty())
        o.insert(QStringLiteral("reason"), m_reason);
    return o;
}

ScreenTranscript ScreenTranscript::fromJson(const QJsonObject &json)
{
    // Read back through add() so that a stored copy keeps the same bounds.
    ScreenTranscript t;
    for (const QJsonValue &v : json.value(QLatin1String("utterances")).toArray()) {
        const QJsonObject u = v.toObject();
        const bool final = u.value(QLatin1String("final")).toBool();
        if (!final && !t.m_utterances.isEmpty() && !t.m_utterances.last().final)
            continue; // at most one utterance under way, the last
        t.add(u.value(QLatin1String("text")).toString(), final);
    }
    t.setFields(json.value(QLatin1String("caller_name")).toString(),
                json.value(QLatin1String("reason")).toString());
    return t;
}

} // namespace kt
