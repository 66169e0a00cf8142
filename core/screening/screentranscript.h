// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>

namespace kt {

// What a screened caller said (README "Screening a caller"), built from Telnyx's
// call.transcription results (docs/telnyx-conversation.md §2) or the AI gather's turns (§3).
// Pure value.
//
// An interim result replaces the interim text of the utterance under way; a final result ends
// that utterance with its final text. The words are the caller's: hostile text that is kept
// bounded (MaxUtteranceChars per utterance, MaxTotalChars and MaxUtterances in all), stripped of
// control characters, and never interpreted.
class ScreenTranscript
{
public:
    static constexpr int MaxUtteranceChars = 500;
    static constexpr int MaxTotalChars = 4000;
    static constexpr int MaxUtterances = 40;

    struct Utterance
    {
        QString text;
        bool final = false;
        bool operator==(const Utterance &o) const { return text == o.text && final == o.final; }
    };

    enum class Change {
        Added,     // a new utterance began (interim or final)
        Replaced,  // the utterance under way has new text, or became final
        Duplicate, // the same result again (a redelivered webhook): nothing changed
        Stale,     // an interim of an utterance that already ended: nothing changed
        Empty,     // no words in it: nothing changed
        Full,      // over the bounds: nothing changed
    };

    Change add(const QString &words, bool final);
    // The AI gather's fields (caller_name, reason), bounded like an utterance; empty keeps
    // what was there.
    bool setFields(const QString &callerName, const QString &reason);

    const QList<Utterance> &utterances() const { return m_utterances; }
    bool isEmpty() const { return m_utterances.isEmpty(); }
    QString callerName() const { return m_callerName; }
    QString reason() const { return m_reason; }
    // The words so far, one space between utterances (interim text included).
    QString text() const;
    // The first words (for a notification): at most `chars` characters of text().
    QString firstWords(int chars = 80) const;
    int totalChars() const;

    // {"utterances": [{"text", "final"}], "caller_name", "reason"} (empty fields left out)
    QJsonObject toJson() const;
    static ScreenTranscript fromJson(const QJsonObject &json);

    // Control characters out, runs of white space as one space, trimmed, at most `max`.
    static QString clean(const QString &raw, int max = MaxUtteranceChars);

    bool operator==(const ScreenTranscript &o) const
    {
        return m_utterances == o.m_utterances && m_callerName == o.m_callerName &&
               m_reason == o.m_reason;
    }

private:
    QList<Utterance> m_utterances;
    QString m_callerName;
    QString m_reason;
};

} // namespace kt
