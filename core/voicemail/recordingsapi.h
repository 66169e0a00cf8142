// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QNetworkRequest>
#include <QObject>
#include <QString>

#include <functional>

class QNetworkAccessManager;

namespace kt {

// Telnyx's recordings API (Bearer key): a recording's fresh download links, finding one by its
// call, and deleting one. Asynchronous, on the caller's QNetworkAccessManager and thread.
class RecordingsApi : public QObject
{
    Q_OBJECT
public:
    struct Recording
    {
        bool ok = false;
        int status = 0; // HTTP status (0: no answer)
        QString error;  // when !ok; never the key
        QString id;
        QString urlWav; // data.download_urls.wav
        QString urlMp3;
        qint64 durationMs = -1;
        QString from;
        QString to;
    };
    using RecordingCallback = std::function<void(const Recording &)>;
    using DoneCallback = std::function<void(bool ok, int status, const QString &error)>;

    // `baseUrl` as "https://api.telnyx.com/v2".
    RecordingsApi(QNetworkAccessManager *network, const QString &baseUrl, const QString &apiKey,
                  QObject *parent = nullptr);
    void setTimeout(int milliseconds);

    // GET {base}/recordings/{id}
    void get(const QString &recordingId, RecordingCallback done);
    // GET {base}/recordings?filter[<field>]=<value> (field: call_leg_id, call_control_id or
    // call_session_id); the newest match.
    void find(const QString &field, const QString &value, RecordingCallback done);
    // DELETE {base}/recordings/{id}; a 404 counts as done (it is gone).
    void remove(const QString &recordingId, DoneCallback done);

    static Recording parseRecording(const QJsonObject &data);

private:
    QNetworkRequest request(const QUrl &url) const;

    QNetworkAccessManager *m_network;
    QString m_baseUrl;
    QString m_apiKey;
    int m_timeoutMs = 15000;
};

} // namespace kt
