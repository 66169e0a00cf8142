// SPDX-License-Identifier: GPL-3.0-or-later
#include "recordingfetcher.h"

#include "recordingpayload.h"
#include "recordingsapi.h"
#include "store/privatefiles.h"

#include <QAuthenticator>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTimer>

namespace kt {

struct RecordingFetcher::Job
{
    qint64 id = 0;
    QNetworkReply *reply = nullptr;
    QFile file;
    QCryptographicHash hash{QCryptographicHash::Sha256};
    qint64 bytes = 0;
    QString ext;
    bool started = false; // the answer's status was looked at
    bool writing = false; // the body is the audio (200 or 206)
    bool tooLarge = false;
    int linkFailures = 0; // failed attempts on the current links
    int refreshes = 0;    // fresh links asked for
};

namespace {
QString extensionFor(const QUrl &url, const QString &format)
{
    const QString suffix = QFileInfo(url.path()).suffix().toLower();
    if (suffix == QLatin1String("wav") || suffix == QLatin1String("mp3"))
        return suffix;
    return format.isEmpty() ? QStringLiteral("wav") : format;
}
} // namespace

RecordingFetcher::RecordingFetcher(VoicemailRepository &repository, const QString &folder,
                                   const Settings &settings, QObject *parent)
    : QObject(parent), m_repository(repository), m_folder(folder), m_settings(settings),
      m_network(new QNetworkAccessManager(this)),
      m_api(new RecordingsApi(m_network, settings.apiBaseUrl, settings.apiKey, this))
{
    // The storage never gets credentials: no cookies, and no answer to an auth challenge.
    m_network->setCookieJar(nullptr);
    connect(m_network, &QNetworkAccessManager::authenticationRequired, this,
            [](QNetworkReply *, QAuthenticator *) {});
}

RecordingFetcher::~RecordingFetcher()
{
    for (const auto &job : std::as_const(m_jobs)) {
        if (job->reply) {
            disconnect(job->reply, nullptr, this, nullptr);
            job->reply->abort();
            delete job->reply;
            job->reply = nullptr;
        }
        job->file.close(); // the partial file stays: resumePending() continues it
    }
    m_jobs.clear();
    // Before the members go: no API answer may reach this object while it is being destroyed.
    delete m_api;
    delete m_network;
}

QString RecordingFetcher::partialPath(qint64 id) const
{
    return QDir(m_folder).filePath(QStringLiteral("%1.part").arg(id));
}

bool RecordingFetcher::acceptableLink(const QUrl &url, QString *why)
{
    auto refuse = [why](const QString &reason) {
        if (why)
            *why = reason;
        return false;
    };
    if (!url.isValid() || url.host().isEmpty())
        return refuse(QStringLiteral("the recording link is not a URL"));
    if (url.scheme() == QLatin1String("https"))
        return true;
    if (url.scheme() == QLatin1String("http")) {
        const QHostAddress host(url.host());
        if (url.host() == QLatin1String("localhost") || (!host.isNull() && host.isLoopback()))
            return true;
        return refuse(QStringLiteral("refused an unencrypted (http://) recording link"));
    }
    return refuse(QStringLiteral("refused a recording link that is not https"));
}

VoicemailRepository::Result RecordingFetcher::accept(const QJsonObject &recordingSaved)
{
    bool start = false;
    const VoicemailRepository::Result r =
        record(RecordingPayload::parseSaved(RecordingPayload::payloadOf(recordingSaved)), &start);
    if (start)
        fetch(r.id);
    return r;
}

VoicemailRepository::Result RecordingFetcher::record(const RecordingPayload::Saved &saved,
                                                     bool *startFetch)
{
    *startFetch = false;
    const VoicemailRepository::Result r = m_repository.recordSaved(saved, m_settings.actor);
    if (!r.ok)
        return r;
    if (r.duplicate) {
        // A redelivery of a message still waiting for its audio (say, after a restart) brings
        // links that may be fresher than the stored ones.
        const auto m = m_repository.byId(r.id);
        if (m && m->downloadState == VoicemailMessage::DownloadState::Pending &&
            !m_jobs.contains(r.id) && (!saved.urlWav.isEmpty() || !saved.urlMp3.isEmpty())) {
            m_repository.updateLinks(r.id, saved.urlWav, saved.urlMp3, -1, {}, {});
            *startFetch = true;
        }
        return r;
    }
    *startFetch = true;
    return r;
}

int RecordingFetcher::resumePending()
{
    int started = 0;
    for (const VoicemailMessage &m : m_repository.pending())
        started += fetch(m.id) ? 1 : 0;
    return started;
}

bool RecordingFetcher::fetch(qint64 id)
{
    if (m_jobs.contains(id))
        return false;
    const auto m = m_repository.byId(id);
    if (!m || m->downloadState != VoicemailMessage::DownloadState::Pending)
        return false;
    auto job = std::make_shared<Job>();
    job->id = id;
    m_jobs.insert(id, job);
    attempt(*job);
    return true;
}

void RecordingFetcher::attempt(Job &job)
{
    const auto m = m_repository.byId(job.id);
    if (!m || m->downloadState != VoicemailMessage::DownloadState::Pending) {
        forget(job.id);
        return;
    }
    const bool mp3First = m->format == QLatin1String("mp3") && !m->urlMp3.isEmpty();
    const QString link = mp3First || m->urlWav.isEmpty() ? m->urlMp3 : m->urlWav;
    if (link.isEmpty()) {
        refresh(job, QStringLiteral("call.recording.saved carried no link"));
        return;
    }
    const QUrl url(link);
    QString why;
    if (!acceptableLink(url, &why)) {
        refresh(job, why);
        return;
    }
    job.ext = extensionFor(url, m->format);

    if (!PrivateFiles::makePath(m_folder)) {
        fail(job, QStringLiteral("cannot create the folder %1").arg(m_folder));
        return;
    }
    const QString part = partialPath(job.id);
    if (!job.file.isOpen()) {
        PrivateFiles::createFile(part);
        job.file.setFileName(part);
        if (!job.file.open(QIODevice::ReadWrite)) {
            fail(job, QStringLiteral("cannot write %1: %2").arg(part, job.file.errorString()));
            return;
        }
    }
    // What is there already (an earlier attempt, or a run that stopped) is kept and hashed, and
    // only the rest is asked for.
    job.hash.reset();
    job.file.seek(0);
    if (job.file.size() > m_settings.maxBytes)
        job.file.resize(0);
    if (!job.hash.addData(&job.file)) {
        job.file.resize(0);
        job.hash.reset();
    }
    job.bytes = job.file.size();
    job.file.seek(job.bytes);
    job.started = job.writing = job.tooLarge = false;

    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::NoLessSafeRedirectPolicy);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute,
                         QNetworkRequest::AlwaysNetwork);
    request.setAttribute(QNetworkRequest::CookieLoadControlAttribute, QNetworkRequest::Manual);
    request.setAttribute(QNetworkRequest::AuthenticationReuseAttribute, QNetworkRequest::Manual);
    request.setTransferTimeout(m_settings.transferTimeoutMs);
    if (job.bytes > 0)
        request.setRawHeader("Range", "bytes=" + QByteArray::number(job.bytes) + '-');
    m_repository.countAttempt(job.id);

    QNetworkReply *reply = m_network->get(request);
    job.reply = reply;
    const qint64 id = job.id;
    connect(reply, &QNetworkReply::readyRead, this, [this, id, reply] {
        const auto j = m_jobs.value(id);
        if (j && j->reply == reply)
            onReadyRead(*j);
    });
    connect(reply, &QNetworkReply::finished, this, [this, id, reply] {
        const auto j = m_jobs.value(id);
        if (j && j->reply == reply)
            onFinished(*j);
        else
            reply->deleteLater();
    });
}

void RecordingFetcher::onReadyRead(Job &job)
{
    QNetworkReply *reply = job.reply;
    if (!job.started) {
        job.started = true;
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray range = reply->rawHeader("Content-Range");
        if (status == 206 && job.bytes > 0 &&
            range.startsWith("bytes " + QByteArray::number(job.bytes) + '-')) {
            job.writing = true; // the rest, appended
        } else if (status == 200) {
            job.writing = true; // the whole file: start over
            job.file.resize(0);
            job.file.seek(0);
            job.hash.reset();
            job.bytes = 0;
        } else if (status == 206) {
            // A range we did not ask for: start over on the next attempt.
            job.file.resize(0);
            job.bytes = 0;
        }
        const qint64 length = reply->header(QNetworkRequest::ContentLengthHeader).toLongLong();
        if (job.writing && job.bytes + length > m_settings.maxBytes) {
            job.tooLarge = true;
            reply->abort();
            return;
        }
    }
    const QByteArray data = reply->readAll();
    if (!job.writing)
        return; // an error page
    if (job.bytes + data.size() > m_settings.maxBytes) {
        job.tooLarge = true;
        reply->abort();
        return;
    }
    if (job.file.write(data) != data.size()) {
        job.writing = false;
        reply->abort();
        return;
    }
    job.hash.addData(data);
    job.bytes += data.size();
    emit progress(job.id, job.bytes);
}

void RecordingFetcher::onFinished(Job &job)
{
    QNetworkReply *reply = job.reply;
    job.reply = nullptr;
    reply->deleteLater();
    if (!job.started && reply->bytesAvailable() > 0)
        onReadyRead(job);
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (job.tooLarge) {
        fail(job, QStringLiteral("the recording is larger than %1 bytes").arg(m_settings.maxBytes));
        return;
    }
    job.file.flush();
    if (reply->error() == QNetworkReply::NoError && (status == 200 || status == 206) &&
        job.writing && job.bytes > 0) {
        finish(job);
        return;
    }
    if (status == 400 || status == 401 || status == 403 || status == 404 || status == 410) {
        refresh(job, QStringLiteral("the storage refused the link (HTTP %1)").arg(status));
        return;
    }
    if (status == 416) {
        job.file.resize(0);
        retryLater(job, QStringLiteral("the storage refused the range (HTTP 416)"));
        return;
    }
    if (status > 0)
        retryLater(job, QStringLiteral("the storage answered HTTP %1").arg(status));
    else
        retryLater(job, QStringLiteral("the storage did not answer: %1").arg(reply->errorString()));
}

void RecordingFetcher::retryLater(Job &job, const QString &reason)
{
    ++job.linkFailures;
    if (job.linkFailures > m_settings.retryDelaysMs.size()) {
        refresh(job, reason);
        return;
    }
    const qint64 id = job.id;
    QTimer::singleShot(m_settings.retryDelaysMs.at(job.linkFailures - 1), this, [this, id] {
        if (const auto j = m_jobs.value(id))
            attempt(*j);
    });
}

void RecordingFetcher::refresh(Job &job, const QString &reason)
{
    if (m_settings.apiKey.isEmpty()) {
        fail(job, reason + QStringLiteral("; no API key to ask Telnyx for a fresh link"));
        return;
    }
    if (job.refreshes >= m_settings.maxRefreshes) {
        fail(job,
             reason + QStringLiteral(" (after %1 fresh links from Telnyx)").arg(job.refreshes));
        return;
    }
    const auto m = m_repository.byId(job.id);
    if (!m) {
        forget(job.id);
        return;
    }
    ++job.refreshes;
    job.linkFailures = 0;
    const qint64 id = job.id;
    auto done = [this, id, reason](const RecordingsApi::Recording &r) {
        const auto j = m_jobs.value(id);
        if (!j)
            return;
        if (!r.ok) {
            // Try again later (the API may be out for a moment), within maxRefreshes.
            const QString why = reason + QStringLiteral("; fresh link: ") + r.error;
            const int delay =
                m_settings.retryDelaysMs.value(j->refreshes - 1, m_settings.retryDelaysMs.value(0));
            QTimer::singleShot(delay, this, [this, id, why] {
                if (const auto again = m_jobs.value(id))
                    refresh(*again, why);
            });
            return;
        }
        m_repository.updateLinks(id, r.urlWav, r.urlMp3, r.durationMs, r.from, r.to);
        attempt(*j);
    };
    if (!m->recordingId.isEmpty())
        m_api->get(m->recordingId, done);
    else if (!m->callLegId.isEmpty())
        m_api->find(QStringLiteral("call_leg_id"), m->callLegId, done);
    else if (!m->callId.isEmpty())
        m_api->find(QStringLiteral("call_control_id"), m->callId, done);
    else if (!m->callSessionId.isEmpty())
        m_api->find(QStringLiteral("call_session_id"), m->callSessionId, done);
    else
        fail(job, reason + QStringLiteral("; nothing to ask Telnyx for a fresh link with"));
}

void RecordingFetcher::finish(Job &job)
{
    const QString sha = QString::fromLatin1(job.hash.result().toHex());
    const QString part = job.file.fileName();
    job.file.close();
    const QString target = QDir(m_folder).filePath(sha + QLatin1Char('.') + job.ext);
    if (QFileInfo::exists(target)) {
        // The same bytes are there already (under their hash): keep one copy, unless that copy
        // was altered.
        QFile existing(target);
        QCryptographicHash h(QCryptographicHash::Sha256);
        if (existing.open(QIODevice::ReadOnly) && h.addData(&existing) &&
            QString::fromLatin1(h.result().toHex()) == sha) {
            QFile::remove(part);
        } else {
            QFile::remove(target);
        }
    }
    if (QFileInfo::exists(part) && !QFile::rename(part, target)) {
        fail(job, QStringLiteral("cannot rename %1 to %2").arg(part, target));
        return;
    }
    PrivateFiles::restrict(target);
    const qint64 id = job.id;
    const VoicemailRepository::Result r =
        m_repository.markDownloaded(id, sha, target, job.bytes, m_settings.actor);
    forget(id);
    if (r.ok)
        emit downloaded(id, sha);
    else
        emit failed(id, r.error);
}

void RecordingFetcher::fail(Job &job, const QString &reason)
{
    const qint64 id = job.id;
    job.file.close();
    QFile::remove(partialPath(id));
    const VoicemailRepository::Result r = m_repository.markFailed(id, reason, m_settings.actor);
    forget(id);
    emit failed(id, r.ok ? reason : reason + QStringLiteral(" (not recorded: ") + r.error + ')');
}

void RecordingFetcher::forget(qint64 id)
{
    // Keep the job alive until the current callback returns.
    if (const auto job = m_jobs.take(id))
        QTimer::singleShot(0, this, [job] {});
}

} // namespace kt
