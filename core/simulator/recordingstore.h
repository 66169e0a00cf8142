// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QObject>
#include <QString>

class QTcpServer;
class QTcpSocket;

namespace kt {

// The fake Telnyx's recording side: the audio of recorded calls served at presigned-style links,
// and the recordings API. One small HTTP/1.1 server on loopback (its own, so the rest of the
// fake Telnyx is untouched) that serves
//
// - `GET /recordings/<id>.wav?X-Amz-Algorithm=…&X-Amz-Date=…&X-Amz-Expires=600&
//   X-Amz-SignedHeaders=host&X-Amz-Signature=…`, as S3 does: 403 with an XML error once the
//   link's lifetime has passed (setLinkLifetime, default ten minutes) or when the signature is
//   wrong, 400 when the request carries an Authorization header (S3 allows one kind of
//   authentication per request), 404 for a deleted recording. `Range: bytes=N-` gets 206.
//   Only WAV exists: an `.mp3` link gets 404 NoSuchKey (the webhook offers only the format
//   record_start asked for, as Telnyx does for `format: wav`).
// - `GET /v2/recordings/<id>` and `GET /v2/recordings?filter[call_leg_id|call_control_id|
//   call_session_id]=…` (Bearer key): the recording with fresh `download_urls` and
//   `duration_millis`; `DELETE /v2/recordings/<id>`.
//
// Failure injection for tests: slow delivery (chunks with a delay), failing downloads (5xx),
// links expired on demand. Every request is logged.
class RecordingStore : public QObject
{
    Q_OBJECT
public:
    struct Recording
    {
        QString id; // generated when empty
        QString callControlId;
        QString callLegId;
        QString callSessionId;
        QString from;
        QString to;
        QByteArray audio; // WAV; a speech-like signal of `durationMs` generated when empty
        int durationMs = 3000;
        QDateTime startedAt; // default: now - duration
        QDateTime endedAt;   // default: now
        bool deleted = false;
    };
    struct Request
    {
        QByteArray method;
        QByteArray target;
        QMap<QByteArray, QByteArray> headers; // names lower case
        int status = 0;
        bool hasAuthorization() const { return headers.contains("authorization"); }
        QByteArray path() const
        {
            return target.left(target.indexOf('?') < 0 ? target.size() : target.indexOf('?'));
        }
    };

    explicit RecordingStore(QObject *parent = nullptr);
    ~RecordingStore() override;

    bool start(quint16 port = 0); // on 127.0.0.1
    quint16 port() const;
    QString baseUrl() const;    // http://127.0.0.1:<port>
    QString apiBaseUrl() const; // <baseUrl>/v2

    void setApiKey(const QString &key); // the Bearer key the API wants
    void setLinkLifetime(int milliseconds);
    void expireIssuedLinks(); // every link issued so far answers 403 from now on
    // Slow storage: the audio goes out in chunks of `bytes`, `delayMs` apart (0: all at once).
    void setChunking(int bytes, int delayMs);
    // The next `count` audio downloads answer `status` (e.g. 503); count < 0: all of them.
    void failDownloads(int count, int status = 503);
    // The API answers `status` to the next `count` requests (0: normally).
    void failApi(int count, int status = 503);

    // Adds a recording; returns its id.
    QString add(Recording recording);
    const Recording *recording(const QString &id) const;
    QString presignedUrl(const QString &id, const QString &ext = QStringLiteral("wav"));

    // The webhook bodies Telnyx sends ({data: {event_type, id, occurred_at, payload,
    // record_type}}), with a fresh presigned link.
    QJsonObject recordingSavedWebhook(const QString &id,
                                      const QString &format = QStringLiteral("wav"));
    QJsonObject transcriptionSavedWebhook(const QString &id, const QString &text);

    // The recordings API (`/v2/recordings…`, `target` with its query) as another server serves
    // it, e.g. the fake Telnyx's API port: the status and the JSON body.
    QPair<int, QByteArray> apiAnswer(const QByteArray &method, const QByteArray &target,
                                     const QByteArray &authorization);

    QList<Request> requests() const { return m_requests; }
    QList<Request> audioRequests() const; // the /recordings/… downloads
    void clearRequests() { m_requests.clear(); }
    qint64 bytesServed() const { return m_bytesServed; }

private:
    struct Answer
    {
        int status = 200;
        QByteArray contentType;
        QByteArray body;
        QList<QPair<QByteArray, QByteArray>> headers;
        bool slow = false;
    };
    void onConnection();
    void onData(QTcpSocket *socket);
    Answer handle(Request &request);
    Answer audio(const Request &request);
    Answer api(const Request &request);
    void send(QTcpSocket *socket, const Answer &answer);
    QByteArray signature(const QByteArray &path, const QByteArray &date,
                         const QByteArray &expires) const;
    QJsonObject apiRecording(const Recording &r);

    QTcpServer *m_server;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    QMap<QString, Recording> m_recordings;
    QHash<QByteArray, qint64> m_issued; // signature -> ms since m_clock started at issue
    QElapsedTimer m_clock;
    QByteArray m_secret;
    QString m_apiKey = QStringLiteral("KEY_fake_recordings");
    int m_linkLifetimeMs = 600000;
    int m_chunkBytes = 0;
    int m_chunkDelayMs = 0;
    int m_failDownloads = 0;
    int m_failDownloadStatus = 503;
    int m_failApi = 0;
    int m_failApiStatus = 503;
    QList<Request> m_requests;
    qint64 m_bytesServed = 0;
};

} // namespace kt
