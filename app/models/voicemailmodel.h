// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "snapshotlistmodel.h"

#include <QDateTime>
#include <QHash>
#include <QSet>
#include <QUrl>
#include <QVariantMap>

#include <QtQml/qqmlregistration.h>
#include <functional>

namespace kt {

// The voicemail messages for the Voicemail view, read through VoicemailRepository on the
// model's own read-only connection: the unread first (not heard, audio not deleted), then the
// newest. Each row carries the caller (sanitised, with the namespace the call claimed), the
// number called with its label from the number map, the time, duration, transcript and the
// download state in words ("downloading", "failed" with its reason, "downloaded", "deleted").
//
// The model re-reads its rows when the event log grows by a tel.voicemail_* event
// (onLogAdvanced, driven by the dashboard's event log; no timer of its own). A message whose
// audio arrives after the first load is announced once with messageArrived (the tray's
// notification). exportTo() copies a message's audio (VoicemailFiles::exportMessage: refused
// when the file no longer matches its SHA-256); marking heard and deleting write to the log and
// go through the engine (EngineController).
class VoicemailModel : public kt::SnapshotListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("the app creates it")
    Q_PROPERTY(int unreadCount READ unreadCount NOTIFY unreadCountChanged)
public:
    static constexpr int MaxTranscript = 8000;

    enum Role {
        IdRole = FirstRole, // "messageId": the message id (the key)
        FromRole,           // the caller's number as stored (hostile)
        FromTextRole,       // "(415) 555-0132", "an unknown caller", sanitised
        NamespaceRole,      // the namespace the call claimed (sanitised), may be empty
        ToRole,             // the number called (E.164)
        ToTextRole,         // "(888) 474-8738"
        ToLabelRole,        // the number's label in the map ("474-TREE"), may be empty
        ReceivedAtRole,     // ISO-8601 UTC
        TimeTextRole,       // local time for people
        DurationMsRole,     // -1 unknown
        DurationTextRole,   // "0:42", empty when unknown
        TranscriptRole,     // plain text (control characters removed), may be empty
        StateRole,          // "waiting" | "downloading" | "downloaded" | "failed" | "deleted"
        StateKindRole,      // the same as a VoicemailState::Value (an int), for the QML
        StateTextRole,      // the state in words, with a failure's reason
        ErrorRole,          // the failure's reason (sanitised), may be empty
        HeardRole,          // bool
        UnreadRole,         // bool: not heard and the message is not deleted
        PlayableRole,       // bool: the audio is downloaded and its file exists
        FileUrlRole,        // file: URL of the audio when playable
        CallIdRole,         // the call the message was left on (for the History link)
        CallKnownRole,      // bool: that call is in the calls table
        Sha256Role,         // the audio's SHA-256 (hex), may be empty
        FormatRole,         // "wav" / "mp3" / ""
    };
    Q_ENUM(Role)

    struct Arrival
    {
        qint64 id = 0;
        QString from;       // as stored (hostile)
        QString nameSpace;  // as stored (hostile)
        QString transcript; // may be empty
        qint64 durationMs = -1;
        bool transcriptOnly = false; // announced before, without words: these are its words
    };

    explicit VoicemailModel(QObject *parent = nullptr);

    int unreadCount() const { return m_unread; }
    void setNumberLabels(const QHash<QString, QString> &labels);
    // "Now" for the time texts (default: the current local time).
    void setClock(std::function<QDateTime()> clock) { m_clock = std::move(clock); }

    // The row of message `id`, or -1.
    Q_INVOKABLE int rowOf(qint64 id) const;
    // Every role of message `id` by name ({} when there is none), for the detail pane.
    Q_INVOKABLE QVariantMap message(qint64 id) const;
    // The id of the message left on call `callId` (the newest), or 0.
    Q_INVOKABLE qint64 messageForCall(const QString &callId) const;
    // Copies the audio of message `id` to `destination` (a path or a file: URL), replacing an
    // existing file (the file dialog asked). An error message for people, or empty.
    Q_INVOKABLE QString exportTo(qint64 id, const QVariant &destination);
    // A file name for the export dialog: "voicemail-<id>-<date>.<ext>".
    Q_INVOKABLE QString suggestedFileName(qint64 id) const;

public slots:
    // The event log's newest sequence number is now `lastSeq`: re-reads the rows when a
    // tel.voicemail_* event was appended since the last look.
    void onLogAdvanced(qint64 lastSeq);

signals:
    void unreadCountChanged();
    // A message's audio was downloaded after the model's first load (once per message); and
    // once more, with `transcriptOnly`, when its transcript comes later while it is unheard.
    void messageArrived(const kt::VoicemailModel::Arrival &arrival);

protected:
    QList<Row> load(ReadOnlyDatabase &database, QString *error) override;

private:
    void announce();

    QHash<QString, QString> m_labels;
    std::function<QDateTime()> m_clock;
    int m_unread = 0;
    bool m_loaded = false;
    qint64 m_seenSeq = -1;        // the log's last seq when the rows were read
    QSet<qint64> m_hadAudio;      // messages seen downloaded (or deleted since) by a load
    QSet<qint64> m_awaitingWords; // announced without a transcript
    QList<Arrival> m_arrivals;    // found by load(), announced once the rows are set
};

} // namespace kt

Q_DECLARE_METATYPE(kt::VoicemailModel::Arrival)
