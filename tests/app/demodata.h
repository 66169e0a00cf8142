// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/callrecord.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>

namespace kt::test {

// A database that looks like a few days of kevan-tel: the default number map (one number set
// to "ask"), alice.x registered with a certificate from a trusted root, an expired namespace
// certificate, allow and block rules, and calls of every kind over the last week, each with
// the events the engine would have recorded. For the dashboard's tests and screenshots.
class DemoData
{
public:
    static constexpr const char *AlicePhone = "+14155550132";
    static constexpr const char *AliceNamespace = "alice.x";
    static constexpr const char *MumPhone = "+12125550147";
    static constexpr const char *BlockedPhone = "+19005550111";
    static constexpr const char *AskNumber = "+18884748738";
    // A caller name no view may interpret: markup, a bidi override and a line break.
    static const QString HostileName;

    // Writes it all into a new database at `path` (its own connection, closed at the end).
    // `callDays` days of calls end at `now`. False with `error` on failure.
    static bool seed(const QString &path, QString *error, const QDateTime &now, int callDays = 7);
    // How many calls seed() writes, in total and today (local time of `now`) to `number`.
    static int callCount(int callDays = 7);

    // Voicemail written by seedVoicemail(), as the list orders it (unread first, then newest):
    // one that failed with a reason (recorded now), Dana's (12 minutes ago, with audio and a
    // transcript), one with hostile words still downloading (40 minutes ago), and Alice's on
    // her newest call (when it ended, else 3 hours ago; with audio, heard).
    struct Voicemail
    {
        qint64 dana = 0;
        qint64 hostile = 0;
        qint64 alice = 0;
        qint64 failed = 0;
        QString aliceCallId;
        QByteArray danaAudio; // the WAV file's bytes
    };
    static constexpr const char *DanaPhone = "+13105550178";
    static const QString DanaTranscript;
    // Adds the messages above to the database at `path` (seeded first) through
    // VoicemailRepository, with generated WAV files in the voicemail folder beside it. False with
    // `error` on failure.
    static bool seedVoicemail(const QString &path, QString *error, const QDateTime &now,
                              Voicemail *out = nullptr);

    // Calls in flight for the live view (not in the database).
    static CallRecord askingCall(const QDateTime &now);
    static CallRecord forwardingCall(const QDateTime &now);
    // A call being screened (policy "screen"), with the caller's words so far: each pair is
    // (text, final), the last may be interim; `deepfake` ("real", "fake", "") and its score.
    static constexpr const char *ScreenedPhone = "+17185550142";
    static CallRecord screenedCall(const QDateTime &now,
                                   const QList<std::pair<QString, bool>> &words,
                                   const QString &deepfake = QString(), double score = -1);
};

} // namespace kt::test
