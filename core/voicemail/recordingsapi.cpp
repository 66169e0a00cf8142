// SPDX-License-Identifier: GPL-3.0-or-later
#include "recordingsapi.h"

#include "recordingpayload.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPointer>

namespace kt {

namespace {
QString describeFailure(QNetworkReply *reply, int status)
{
    if (status > 0)
        return QStringLiteral("Telnyx answered HTTP %1").arg(status);
    return QStringLiteral("Telnyx did not answer: %1").arg(reply->errorString());
}
} // namespace

RecordingsApi::RecordingsApi(QNetworkAccessManager *network, const QString &baseUrl,
                             const QString &apiKey, QObject *parent)
    : QObject(parent), m_network(network), m_baseUrl(baseUrl), m_apiKey(apiKey)
{
    while (m_baseUrl.endsWith(QLatin1Char('/')))
        m_baseUrl.chop(1);
}

void RecordingsApi::setTimeout(int milliseconds)
{
    m_timeoutMs = milliseconds;
}

QNetworkRequest RecordingsApi::request(const QUrl &url) const
{
    QNetworkRequest r(url);
    r.setRawHeader("Authorization", "Bearer " + m_apiKey.toUtf8());
    r.setRawHeader("Accept", "application/json");
    r.setTransferTimeout(m_timeoutMs);
    // The key goes to the API's host only, never along a redirect.
    r.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    return r;
}

RecordingsApi::Recording RecordingsApi::parseRecording(const QJsonObject &data)
{
    using RecordingPayload::bounded;
    Recording r;
    r.id = bounded(data.value(QLatin1String("id")), RecordingPayload::kMaxIdChars);
    const QJsonObject urls = data.value(QLatin1String("download_urls")).toObject();
    r.urlWav = bounded(urls.value(QLatin1String("wav")), RecordingPayload::kMaxUrlChars);
    r.urlMp3 = bounded(urls.value(QLatin1String("mp3")), RecordingPayload::kMaxUrlChars);
    const QJsonValue duration = data.value(QLatin1String("duration_millis"));
    if (duration.isDouble() && duration.toDouble() >= 0 && duration.toDouble() < 1e12)
        r.durationMs = qint64(duration.toDouble());
    r.from = bounded(data.value(QLatin1String("from")), RecordingPayload::kMaxNumberChars);
    r.to = bounded(data.value(QLatin1String("to")), RecordingPayload::kMaxNumberChars);
    r.ok = !r.urlWav.isEmpty() || !r.urlMp3.isEmpty();
    if (!r.ok)
        r.error = QStringLiteral("Telnyx gave no download link");
    return r;
}

void RecordingsApi::get(const QString &recordingId, RecordingCallback done)
{
    QUrl url(m_baseUrl + QStringLiteral("/recordings/") +
             QString::fromLatin1(QUrl::toPercentEncoding(recordingId)));
    QNetworkReply *reply = m_network->get(request(url));
    connect(reply, &QNetworkReply::finished, this, [reply, done] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        Recording r;
        if (status == 200) {
            const QJsonObject body = QJsonDocument::fromJson(reply->readAll()).object();
            r = parseRecording(body.value(QLatin1String("data")).toObject());
        } else {
            r.error = describeFailure(reply, status);
        }
        r.status = status;
        done(r);
    });
}

void RecordingsApi::find(const QString &field, const QString &value, RecordingCallback done)
{
    QUrl url(m_baseUrl + QStringLiteral("/recordings"));
    // Percent-encoded here, so that a value with '&' or '=' stays one value.
    url.setQuery(QStringLiteral("filter%5B%1%5D=%2")
                     .arg(field, QString::fromLatin1(QUrl::toPercentEncoding(value))));
    QNetworkReply *reply = m_network->get(request(url));
    connect(reply, &QNetworkReply::finished, this, [reply, done] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        Recording r;
        if (status == 200) {
            const QJsonArray rows = QJsonDocument::fromJson(reply->readAll())
                                        .object()
                                        .value(QLatin1String("data"))
                                        .toArray();
            if (rows.isEmpty())
                r.error = QStringLiteral("Telnyx has no recording of this call");
            else
                r = parseRecording(rows.last().toObject());
        } else {
            r.error = describeFailure(reply, status);
        }
        r.status = status;
        done(r);
    });
}

void RecordingsApi::remove(const QString &recordingId, DoneCallback done)
{
    QUrl url(m_baseUrl + QStringLiteral("/recordings/") +
             QString::fromLatin1(QUrl::toPercentEncoding(recordingId)));
    QNetworkReply *reply = m_network->deleteResource(request(url));
    connect(reply, &QNetworkReply::finished, this, [reply, done] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const bool ok = (status >= 200 && status < 300) || status == 404;
        done(ok, status, ok ? QString() : describeFailure(reply, status));
    });
}

} // namespace kt
