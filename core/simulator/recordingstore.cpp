// SPDX-License-Identifier: GPL-3.0-or-later
#include "recordingstore.h"

#include "audiogenerator.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QMessageAuthenticationCode>
#include <QPointer>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QUrl>
#include <QUrlQuery>
#include <QUuid>

namespace kt {

namespace {
constexpr int kMaxRequestHead = 64 * 1024;

QByteArray reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 206:
        return "Partial Content";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 416:
        return "Range Not Satisfiable";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Status";
    }
}

QByteArray s3Error(const QByteArray &code, const QByteArray &message)
{
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>" +
           message + "</Message><RequestId>" +
           QUuid::createUuid().toString(QUuid::Id128).left(16).toUpper().toLatin1() +
           "</RequestId></Error>";
}

QByteArray apiError(const QByteArray &code, const QByteArray &title)
{
    return QJsonDocument(QJsonObject{{QStringLiteral("errors"),
                                      QJsonArray{QJsonObject{
                                          {QStringLiteral("code"), QString::fromLatin1(code)},
                                          {QStringLiteral("title"), QString::fromLatin1(title)}}}}})
        .toJson(QJsonDocument::Compact);
}

QString iso(const QDateTime &t)
{
    return t.toUTC().toString(Qt::ISODateWithMs);
}
} // namespace

RecordingStore::RecordingStore(QObject *parent) : QObject(parent), m_server(new QTcpServer(this))
{
    m_clock.start();
    m_secret = QByteArray::number(QRandomGenerator::global()->generate64(), 16);
    connect(m_server, &QTcpServer::newConnection, this, &RecordingStore::onConnection);
}

RecordingStore::~RecordingStore() = default;

bool RecordingStore::start(quint16 port)
{
    return m_server->listen(QHostAddress::LocalHost, port);
}

quint16 RecordingStore::port() const
{
    return m_server->serverPort();
}

QString RecordingStore::baseUrl() const
{
    return QStringLiteral("http://127.0.0.1:%1").arg(port());
}

QString RecordingStore::apiBaseUrl() const
{
    return baseUrl() + QStringLiteral("/v2");
}

void RecordingStore::setApiKey(const QString &key)
{
    m_apiKey = key;
}

void RecordingStore::setLinkLifetime(int milliseconds)
{
    m_linkLifetimeMs = milliseconds;
}

void RecordingStore::expireIssuedLinks()
{
    for (auto it = m_issued.begin(); it != m_issued.end(); ++it)
        it.value() = std::numeric_limits<qint64>::min() / 2;
}

void RecordingStore::setChunking(int bytes, int delayMs)
{
    m_chunkBytes = bytes;
    m_chunkDelayMs = delayMs;
}

void RecordingStore::failDownloads(int count, int status)
{
    m_failDownloads = count;
    m_failDownloadStatus = status;
}

void RecordingStore::failApi(int count, int status)
{
    m_failApi = count;
    m_failApiStatus = status;
}

QString RecordingStore::add(Recording r)
{
    if (r.id.isEmpty())
        r.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    if (r.audio.isEmpty())
        r.audio = AudioGenerator::speechLikeWav(r.durationMs, quint32(qHash(r.id)));
    if (!r.endedAt.isValid())
        r.endedAt = QDateTime::currentDateTimeUtc();
    if (!r.startedAt.isValid())
        r.startedAt = r.endedAt.addMSecs(-r.durationMs);
    m_recordings.insert(r.id, r);
    return r.id;
}

const RecordingStore::Recording *RecordingStore::recording(const QString &id) const
{
    const auto it = m_recordings.constFind(id);
    return it == m_recordings.cend() ? nullptr : &it.value();
}

QByteArray RecordingStore::signature(const QByteArray &path, const QByteArray &date,
                                     const QByteArray &expires) const
{
    return QMessageAuthenticationCode::hash("GET\n" + path + '\n' + date + '\n' + expires, m_secret,
                                            QCryptographicHash::Sha256)
        .toHex();
}

QString RecordingStore::presignedUrl(const QString &id, const QString &ext)
{
    const QByteArray path = "/recordings/" + QUrl::toPercentEncoding(id) + '.' + ext.toLatin1();
    const QByteArray date =
        QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMddTHHmmssZ")).toLatin1();
    const QByteArray expires = QByteArray::number(qMax(1, (m_linkLifetimeMs + 999) / 1000));
    const QByteArray sig = signature(path, date + QByteArray::number(m_issued.size()), expires);
    m_issued.insert(sig, m_clock.elapsed());
    return baseUrl() + QString::fromLatin1(path) +
           QStringLiteral("?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=FAKE%2F") +
           QString::fromLatin1(date.left(8)) +
           QStringLiteral("%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=") +
           QString::fromLatin1(date) + QStringLiteral("&X-Amz-Expires=") +
           QString::fromLatin1(expires) +
           QStringLiteral("&X-Amz-SignedHeaders=host&X-Amz-Signature=") + QString::fromLatin1(sig);
}

QJsonObject RecordingStore::recordingSavedWebhook(const QString &id, const QString &format)
{
    const Recording *r = recording(id);
    if (!r)
        return {};
    const QJsonObject payload{
        {QStringLiteral("call_control_id"), r->callControlId},
        {QStringLiteral("call_leg_id"), r->callLegId},
        {QStringLiteral("call_session_id"), r->callSessionId},
        {QStringLiteral("channels"), QStringLiteral("single")},
        {QStringLiteral("client_state"), QJsonValue()},
        {QStringLiteral("connection_id"), QStringLiteral("1684641123236054244")},
        {QStringLiteral("format"), format},
        {QStringLiteral("recording_id"), r->id},
        {QStringLiteral("recording_started_at"), iso(r->startedAt)},
        {QStringLiteral("recording_ended_at"), iso(r->endedAt)},
        {QStringLiteral("start_time"), iso(r->startedAt)},
        {QStringLiteral("end_time"), iso(r->endedAt)},
        {QStringLiteral("public_recording_urls"), QJsonObject{}},
        {QStringLiteral("recording_urls"), QJsonObject{{format, presignedUrl(id, format)}}},
    };
    return QJsonObject{
        {QStringLiteral("data"),
         QJsonObject{{QStringLiteral("event_type"), QStringLiteral("call.recording.saved")},
                     {QStringLiteral("id"), QUuid::createUuid().toString(QUuid::WithoutBraces)},
                     {QStringLiteral("occurred_at"), iso(QDateTime::currentDateTimeUtc())},
                     {QStringLiteral("payload"), payload},
                     {QStringLiteral("record_type"), QStringLiteral("event")}}}};
}

QJsonObject RecordingStore::transcriptionSavedWebhook(const QString &id, const QString &text)
{
    const Recording *r = recording(id);
    if (!r)
        return {};
    const QJsonObject payload{
        {QStringLiteral("call_control_id"), r->callControlId},
        {QStringLiteral("call_leg_id"), r->callLegId},
        {QStringLiteral("call_session_id"), r->callSessionId},
        {QStringLiteral("calling_party_type"), QStringLiteral("pstn")},
        {QStringLiteral("client_state"), QJsonValue()},
        {QStringLiteral("connection_id"), QStringLiteral("1684641123236054244")},
        {QStringLiteral("recording_id"), r->id},
        {QStringLiteral("recording_transcription_id"),
         QUuid::createUuid().toString(QUuid::WithoutBraces)},
        {QStringLiteral("status"), QStringLiteral("completed")},
        {QStringLiteral("transcription_text"), text},
    };
    return QJsonObject{
        {QStringLiteral("data"),
         QJsonObject{
             {QStringLiteral("event_type"), QStringLiteral("call.recording.transcription.saved")},
             {QStringLiteral("id"), QUuid::createUuid().toString(QUuid::WithoutBraces)},
             {QStringLiteral("occurred_at"), iso(QDateTime::currentDateTimeUtc())},
             {QStringLiteral("payload"), payload},
             {QStringLiteral("record_type"), QStringLiteral("event")}}}};
}

QList<RecordingStore::Request> RecordingStore::audioRequests() const
{
    QList<Request> out;
    for (const Request &r : m_requests) {
        if (r.target.startsWith("/recordings/"))
            out.append(r);
    }
    return out;
}

void RecordingStore::onConnection()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onData(socket); });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
            m_buffers.remove(socket);
            socket->deleteLater();
        });
    }
}

void RecordingStore::onData(QTcpSocket *socket)
{
    QByteArray &buffer = m_buffers[socket];
    if (buffer == "<answered>") {
        socket->readAll();
        return;
    }
    buffer += socket->readAll();
    const int end = buffer.indexOf("\r\n\r\n");
    if (end < 0) {
        if (buffer.size() > kMaxRequestHead)
            socket->abort();
        return;
    }
    const QList<QByteArray> lines = buffer.left(end).split('\n');
    buffer = "<answered>"; // one request per connection
    Request request;
    const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
    request.method = first.value(0);
    request.target = first.value(1);
    for (int i = 1; i < lines.size(); ++i) {
        const int colon = lines.at(i).indexOf(':');
        if (colon > 0)
            request.headers.insert(lines.at(i).left(colon).trimmed().toLower(),
                                   lines.at(i).mid(colon + 1).trimmed());
    }
    const Answer answer = handle(request);
    request.status = answer.status;
    m_requests.append(request);
    send(socket, answer);
}

QPair<int, QByteArray> RecordingStore::apiAnswer(const QByteArray &method, const QByteArray &target,
                                                 const QByteArray &authorization)
{
    Request request;
    request.method = method;
    request.target = target;
    if (!authorization.isEmpty())
        request.headers.insert("authorization", authorization);
    const Answer answer = api(request);
    request.status = answer.status;
    m_requests.append(request);
    return {answer.status, answer.body};
}

RecordingStore::Answer RecordingStore::handle(Request &request)
{
    if (request.target.startsWith("/recordings/"))
        return audio(request);
    if (request.target.startsWith("/v2/recordings"))
        return api(request);
    return Answer{404, "application/json", apiError("10005", "Resource not found"), {}, false};
}

RecordingStore::Answer RecordingStore::audio(const Request &request)
{
    auto xml = [](int status, const QByteArray &code, const QByteArray &message) {
        return Answer{status, "application/xml", s3Error(code, message), {}, false};
    };
    if (request.method != "GET" && request.method != "HEAD")
        return xml(400, "MethodNotAllowed", "The specified method is not allowed.");
    // S3: a presigned (query string) request must not also carry an Authorization header.
    if (request.headers.contains("authorization"))
        return xml(400, "InvalidArgument",
                   "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, "
                   "Signature query string parameter or the Authorization header should be "
                   "specified");
    const QUrl url(QString::fromLatin1("http://h" + request.target));
    const QUrlQuery query(url);
    const QByteArray path = request.path();
    const QByteArray sig = query.queryItemValue(QStringLiteral("X-Amz-Signature")).toLatin1();
    if (sig.isEmpty() || !m_issued.contains(sig))
        return xml(403, "SignatureDoesNotMatch",
                   "The request signature we calculated does not match the signature you "
                   "provided.");
    if (m_clock.elapsed() - m_issued.value(sig) > m_linkLifetimeMs)
        return xml(403, "AccessDenied", "Request has expired");
    QString name = QUrl::fromPercentEncoding(path.mid(int(qstrlen("/recordings/"))));
    const QString ext = name.section(QLatin1Char('.'), -1);
    name = name.section(QLatin1Char('.'), 0, -2);
    const Recording *r = recording(name);
    if (!r || r->deleted || ext != QLatin1String("wav"))
        return xml(404, "NoSuchKey", "The specified key does not exist.");
    if (m_failDownloads != 0) {
        if (m_failDownloads > 0)
            --m_failDownloads;
        return xml(m_failDownloadStatus, "ServiceUnavailable", "Please reduce your request rate.");
    }
    Answer a{200, "audio/wav", r->audio, {{"Accept-Ranges", "bytes"}}, true};
    const QByteArray range = request.headers.value("range");
    if (range.startsWith("bytes=") && range.endsWith('-')) {
        bool ok = false;
        const qint64 from = range.mid(6, range.size() - 7).toLongLong(&ok);
        if (ok && from >= r->audio.size())
            return Answer{416,
                          "application/xml",
                          s3Error("InvalidRange", "The requested range is not satisfiable"),
                          {{"Content-Range", "bytes */" + QByteArray::number(r->audio.size())}},
                          false};
        if (ok && from > 0) {
            a.status = 206;
            a.body = r->audio.mid(from);
            a.headers.append({"Content-Range", "bytes " + QByteArray::number(from) + '-' +
                                                   QByteArray::number(r->audio.size() - 1) + '/' +
                                                   QByteArray::number(r->audio.size())});
        }
    }
    if (request.method == "HEAD")
        a.body.clear();
    return a;
}

QJsonObject RecordingStore::apiRecording(const Recording &r)
{
    return QJsonObject{
        {QStringLiteral("id"), r.id},
        {QStringLiteral("record_type"), QStringLiteral("recording")},
        {QStringLiteral("call_control_id"), r.callControlId},
        {QStringLiteral("call_leg_id"), r.callLegId},
        {QStringLiteral("call_session_id"), r.callSessionId},
        {QStringLiteral("channels"), QStringLiteral("single")},
        {QStringLiteral("created_at"), iso(r.endedAt)},
        {QStringLiteral("updated_at"), iso(r.endedAt)},
        {QStringLiteral("recording_started_at"), iso(r.startedAt)},
        {QStringLiteral("recording_ended_at"), iso(r.endedAt)},
        {QStringLiteral("duration_millis"), r.durationMs},
        {QStringLiteral("from"), r.from},
        {QStringLiteral("to"), r.to},
        {QStringLiteral("source"), QStringLiteral("call")},
        {QStringLiteral("status"), QStringLiteral("completed")},
        {QStringLiteral("download_urls"),
         QJsonObject{{QStringLiteral("wav"), presignedUrl(r.id, QStringLiteral("wav"))}}},
    };
}

RecordingStore::Answer RecordingStore::api(const Request &request)
{
    auto json = [](int status, const QByteArray &body) {
        return Answer{status, "application/json", body, {}, false};
    };
    if (request.headers.value("authorization") != "Bearer " + m_apiKey.toUtf8())
        return json(401, apiError("10009", "Authentication failed"));
    if (m_failApi > 0) {
        --m_failApi;
        return json(m_failApiStatus, apiError("10007", "Unexpected error"));
    }
    const QUrl url(QString::fromLatin1("http://h" + request.target));
    const QStringList segments = url.path().split(QLatin1Char('/'), Qt::SkipEmptyParts);
    if (segments.size() == 2 && request.method == "GET") {
        // The list, filtered by the call.
        const QUrlQuery query(url);
        QJsonArray rows;
        for (const Recording &r : std::as_const(m_recordings)) {
            if (r.deleted)
                continue;
            bool match = true;
            for (const auto &[field, value] :
                 {std::pair{QStringLiteral("filter[call_leg_id]"), r.callLegId},
                  std::pair{QStringLiteral("filter[call_control_id]"), r.callControlId},
                  std::pair{QStringLiteral("filter[call_session_id]"), r.callSessionId}}) {
                if (query.hasQueryItem(field) &&
                    query.queryItemValue(field, QUrl::FullyDecoded) != value)
                    match = false;
            }
            if (match)
                rows.append(apiRecording(r));
        }
        return json(200,
                    QJsonDocument(
                        QJsonObject{{QStringLiteral("data"), rows},
                                    {QStringLiteral("meta"),
                                     QJsonObject{{QStringLiteral("total_results"), rows.size()}}}})
                        .toJson(QJsonDocument::Compact));
    }
    if (segments.size() != 3)
        return json(404, apiError("10005", "Resource not found"));
    const auto it = m_recordings.find(segments.at(2));
    if (it == m_recordings.end() || it->deleted)
        return json(404, apiError("10005", "Resource not found"));
    const QJsonObject data = apiRecording(*it);
    if (request.method == "DELETE")
        it->deleted = true;
    else if (request.method != "GET")
        return json(405, apiError("10015", "Method not allowed"));
    return json(
        200,
        QJsonDocument(QJsonObject{{QStringLiteral("data"), data}}).toJson(QJsonDocument::Compact));
}

void RecordingStore::send(QTcpSocket *socket, const Answer &answer)
{
    QByteArray head = "HTTP/1.1 " + QByteArray::number(answer.status) + ' ' +
                      reason(answer.status) + "\r\nContent-Type: " + answer.contentType +
                      "\r\nContent-Length: " + QByteArray::number(answer.body.size()) +
                      "\r\nConnection: close\r\n";
    for (const auto &h : answer.headers)
        head += h.first + ": " + h.second + "\r\n";
    head += "\r\n";
    socket->write(head);
    if (!answer.slow || m_chunkBytes <= 0 || m_chunkDelayMs <= 0) {
        socket->write(answer.body);
        m_bytesServed += answer.slow ? answer.body.size() : 0;
        socket->disconnectFromHost();
        return;
    }
    // Slow storage: a chunk every m_chunkDelayMs until the body is out or the client leaves.
    auto *timer = new QTimer(socket);
    auto offset = std::make_shared<qint64>(0);
    const QByteArray body = answer.body;
    connect(timer, &QTimer::timeout, socket, [this, socket, timer, offset, body] {
        if (socket->state() != QAbstractSocket::ConnectedState) {
            timer->stop();
            return;
        }
        const QByteArray chunk = body.mid(*offset, m_chunkBytes);
        socket->write(chunk);
        *offset += chunk.size();
        m_bytesServed += chunk.size();
        if (*offset >= body.size()) {
            timer->stop();
            socket->disconnectFromHost();
        }
    });
    timer->start(m_chunkDelayMs);
}

} // namespace kt
