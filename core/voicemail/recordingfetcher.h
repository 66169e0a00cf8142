// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "recordingpayload.h"
#include "voicemailrepository.h"

#include <QHash>
#include <QObject>
#include <QString>

#include <memory>

class QNetworkAccessManager;

namespace kt {

class RecordingsApi;

// Fetches a voicemail's audio as soon as call.recording.saved arrives, before its presigned link
// expires (Telnyx: ten minutes).
//
// - The presigned link gets no Authorization header (storage refuses a request with two kinds of
//   authentication) and no redirect to a less safe scheme; an `http://` link is refused unless
//   it points at this machine (loopback).
// - A failure (no answer, 5xx) is retried after the delays of `retryDelaysMs`; an expired or
//   refused link (400, 403, 404, 410), or one that keeps failing, is replaced by fresh links
//   from `GET {api}/recordings/{id}` (Bearer key), or from the list filtered by the call's leg,
//   control or session id when there is no recording id; up to `maxRefreshes` times.
// - The body streams into `<folder>/<id>.part` (0600, folder 0700) while its SHA-256 is computed,
//   up to `maxBytes`; then it is renamed to `<sha256>.<ext>` and the message is marked downloaded
//   (with a tel.voicemail_downloaded event naming the SHA-256).
// - Giving up marks the message failed with the reason (tel.voicemail_error), shown in lists.
// - A download cut off (the program stopped) stays pending in the table with its partial file:
//   resumePending() at start continues it with an HTTP Range request from where it stopped
//   (or from the start when the server sends the whole file).
class RecordingFetcher : public QObject
{
    Q_OBJECT
public:
    struct Settings
    {
        QString apiBaseUrl = QStringLiteral("https://api.telnyx.com/v2");
        QString apiKey; // empty: no fresh links can be asked for
        qint64 maxBytes = 50 * 1024 * 1024;
        QList<int> retryDelaysMs{1000, 2000, 4000, 8000};
        int maxRefreshes = 3;
        int transferTimeoutMs = 30000; // no bytes for this long: the attempt failed
        QString actor = QStringLiteral("engine");
    };

    RecordingFetcher(VoicemailRepository &repository, const QString &folder,
                     const Settings &settings, QObject *parent = nullptr);
    ~RecordingFetcher() override; // aborts transfers; their partial files stay for resuming

    // call.recording.saved (the webhook body or its data.payload): records the message and
    // starts its download. A repeat is a duplicate: it starts nothing, unless the message is
    // still pending and idle (its new links are then used).
    VoicemailRepository::Result accept(const QJsonObject &recordingSaved);
    // accept() in two halves, for a caller whose writes are committed later (the engine: the
    // webhook, the message and its event in one transaction): records the message and says in
    // `startFetch` whether fetch(id) should follow once that is committed. `saved` may carry
    // from and to (the webhook has no numbers).
    VoicemailRepository::Result record(const RecordingPayload::Saved &saved, bool *startFetch);
    // Starts the download of every pending message (at start). Returns how many started.
    int resumePending();
    // Starts (or continues) one message's download; false when it is not pending or is
    // running already.
    bool fetch(qint64 id);

    int activeCount() const { return int(m_jobs.size()); }
    QString folder() const { return m_folder; }
    QString partialPath(qint64 id) const;

    // An https link, or http to a loopback address. Otherwise `why` says what is wrong.
    static bool acceptableLink(const QUrl &url, QString *why = nullptr);

signals:
    void downloaded(qint64 id, const QString &sha256);
    void failed(qint64 id, const QString &reason);
    void progress(qint64 id, qint64 bytes);

private:
    struct Job;
    void attempt(Job &job);
    void onReadyRead(Job &job);
    void onFinished(Job &job);
    void retryLater(Job &job, const QString &reason);
    void refresh(Job &job, const QString &reason);
    void finish(Job &job);
    void fail(Job &job, const QString &reason);
    void forget(qint64 id);

    VoicemailRepository &m_repository;
    QString m_folder;
    Settings m_settings;
    QNetworkAccessManager *m_network;
    RecordingsApi *m_api;
    QHash<qint64, std::shared_ptr<Job>> m_jobs;
};

} // namespace kt
