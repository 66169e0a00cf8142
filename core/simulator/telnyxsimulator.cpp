// SPDX-License-Identifier: GPL-3.0-or-later
#include "telnyxsimulator.h"

#include "telnyx/ed25519.h"
#include "telnyx/telnyxerror.h"

#include <QHttpServerRequest>
#include <QJsonDocument>
#include <QTimer>

#include <algorithm>
#include <chrono>

namespace kt {

namespace {

QByteArray methodName(QHttpServerRequest::Method method)
{
    switch (method) {
    case QHttpServerRequest::Method::Get:
        return QByteArrayLiteral("GET");
    case QHttpServerRequest::Method::Put:
        return QByteArrayLiteral("PUT");
    case QHttpServerRequest::Method::Delete:
        return QByteArrayLiteral("DELETE");
    case QHttpServerRequest::Method::Post:
        return QByteArrayLiteral("POST");
    case QHttpServerRequest::Method::Head:
        return QByteArrayLiteral("HEAD");
    case QHttpServerRequest::Method::Options:
        return QByteArrayLiteral("OPTIONS");
    case QHttpServerRequest::Method::Patch:
        return QByteArrayLiteral("PATCH");
    default:
        return QByteArrayLiteral("OTHER");
    }
}

HttpReply errorReply(int status, const TelnyxError &error)
{
    return {status, error.body(), {}};
}

bool hasHeader(const HttpReply &reply, const QByteArray &name)
{
    return std::any_of(reply.headers.begin(), reply.headers.end(), [&](const auto &h) {
        return h.first.compare(name, Qt::CaseInsensitive) == 0;
    });
}

} // namespace

TelnyxSimulator::TelnyxSimulator(QObject *parent)
    : QObject(parent), m_server(new LoopbackHttpServer(
                           [this](const QHttpServerRequest &r) { return handle(r); }, this)),
      m_calls(new CallSimulation(this)), m_sender(new WebhookSender(this)),
      m_application(new SimulatedApplication(QStringLiteral("2811212257810187875"), this)),
      m_recordings(new RecordingStore(this))
{
    m_recordings->setApiKey(m_apiKey);
    connect(m_calls, &CallSimulation::recordingFinished, this,
            &TelnyxSimulator::onRecordingFinished);
    qRegisterMetaType<kt::ReceivedRequest>("kt::ReceivedRequest");
    m_sender->setSigningSeed(QByteArray::fromBase64(DefaultSeedBase64));
    m_calls->setDefaultConnectionId(m_application->id());
    m_numbers.setNumbers(PhoneNumberFixture::defaultNumbers(), m_application->id());

    connect(m_calls, &CallSimulation::eventReady, m_sender, &WebhookSender::post);
    connect(m_calls, &CallSimulation::callStarted, this, &TelnyxSimulator::callStarted);
    connect(m_calls, &CallSimulation::callEnded, this, &TelnyxSimulator::callEnded);
    connect(m_sender, &WebhookSender::delivered, this, &TelnyxSimulator::webhookDelivered);
    connect(m_application, &SimulatedApplication::changed, this,
            &TelnyxSimulator::syncWebhookSettings);
    syncWebhookSettings();
}

TelnyxSimulator::~TelnyxSimulator() = default;

bool TelnyxSimulator::start(const QHostAddress &address, quint16 port)
{
    return m_recordings->start() && m_server->start(address, port);
}

void TelnyxSimulator::onRecordingFinished(const FinishedRecording &finished)
{
    RecordingStore::Recording r;
    r.callControlId = finished.callControlId;
    r.callLegId = finished.callLegId;
    r.callSessionId = finished.callSessionId;
    r.from = finished.from;
    r.to = finished.to;
    r.startedAt = finished.startedAt;
    r.endedAt = finished.endedAt;
    r.durationMs = int(std::max<qint64>(100, finished.startedAt.msecsTo(finished.endedAt)));
    if (m_failRecordings > 0) {
        --m_failRecordings;
        const QJsonObject payload{{QStringLiteral("call_control_id"), finished.callControlId},
                                  {QStringLiteral("call_leg_id"), finished.callLegId},
                                  {QStringLiteral("call_session_id"), finished.callSessionId},
                                  {QStringLiteral("client_state"), QJsonValue()},
                                  {QStringLiteral("connection_id"), m_application->id()},
                                  {QStringLiteral("reason"), m_failRecordingReason}};
        QTimer::singleShot(m_recordingSavedDelayMs, this, [this, payload] {
            m_sender->post(QStringLiteral("call.recording.error"), payload,
                           QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs));
        });
        return;
    }
    const QString id = m_recordings->add(r);
    m_recordingIds.append(id);
    // Telnyx stores the file, then reports it (after the leg's call.hangup when the caller hung
    // up); the transcript follows a moment later.
    const QString format = finished.format;
    const bool transcribe = finished.transcription;
    const QString words = finished.words;
    QTimer::singleShot(m_recordingSavedDelayMs, this, [this, id, format, transcribe, words] {
        const QJsonObject data =
            m_recordings->recordingSavedWebhook(id, format).value(QLatin1String("data")).toObject();
        if (m_expireRecordingLinks > 0) {
            --m_expireRecordingLinks;
            m_recordings->expireIssuedLinks();
        }
        m_sender->post(data.value(QLatin1String("event_type")).toString(),
                       data.value(QLatin1String("payload")).toObject(),
                       data.value(QLatin1String("occurred_at")).toString());
        if (!transcribe)
            return;
        QTimer::singleShot(m_transcriptionDelayMs, this, [this, id, words] {
            const QJsonObject t = m_recordings->transcriptionSavedWebhook(id, words)
                                      .value(QLatin1String("data"))
                                      .toObject();
            m_sender->post(t.value(QLatin1String("event_type")).toString(),
                           t.value(QLatin1String("payload")).toObject(),
                           t.value(QLatin1String("occurred_at")).toString());
        });
    });
}

QUrl TelnyxSimulator::baseUrl() const
{
    return QUrl(QStringLiteral("%1://127.0.0.1:%2/v2")
                    .arg(m_server->isTls() ? QStringLiteral("https") : QStringLiteral("http"))
                    .arg(m_server->port()));
}

QByteArray TelnyxSimulator::publicKey() const
{
    return Ed25519::publicKeyOf(m_sender->signingSeed());
}

void TelnyxSimulator::setDeliveryTimeoutMs(int ms)
{
    m_deliveryTimeoutMs = ms;
    syncWebhookSettings();
}

void TelnyxSimulator::syncWebhookSettings()
{
    m_sender->setUrl(m_application->webhookUrl());
    m_sender->setFailoverUrl(m_application->failoverUrl());
    const int secs = m_application->webhookTimeoutSecs();
    m_sender->setTimeoutMs(secs > 0 ? secs * 1000 : m_deliveryTimeoutMs);
}

QString TelnyxSimulator::startInboundCall(const QString &from, const QString &to,
                                          const InboundCallOptions &options)
{
    return m_calls->startInboundCall(from, to, options);
}

bool TelnyxSimulator::callerHangsUp(const QString &callControlId)
{
    return m_calls->remoteHangsUp(callControlId);
}

const SimulatedCall *TelnyxSimulator::call(const QString &callControlId) const
{
    return m_calls->call(callControlId);
}

QString TelnyxSimulator::callState(const QString &callControlId) const
{
    const SimulatedCall *c = m_calls->call(callControlId);
    return c ? CallSimulation::stateName(c->state) : QString();
}

void TelnyxSimulator::failNext(int count, int status)
{
    m_failNext += count;
    m_failStatus = status;
}

void TelnyxSimulator::rateLimitNext(int count, int resetSecs)
{
    m_rateLimitNext += count;
    m_rateLimitResetSecs = resetSecs;
}

void TelnyxSimulator::setRateLimit(int limit, int windowSecs)
{
    m_rateLimit = std::max(limit, 0);
    m_rateWindowSecs = std::max(windowSecs, 1);
    m_rateCount = 0;
    m_rateWindowStart = QDateTime::currentDateTimeUtc();
}

void TelnyxSimulator::setPhoneNumbers(const QStringList &e164)
{
    m_numbers.setNumbers(e164, m_application->id());
}

QList<ReceivedRequest> TelnyxSimulator::commands() const
{
    QList<ReceivedRequest> result;
    std::copy_if(m_requests.begin(), m_requests.end(), std::back_inserter(result),
                 [](const ReceivedRequest &r) { return !r.command.isEmpty(); });
    return result;
}

std::optional<HttpReply> TelnyxSimulator::handle(const QHttpServerRequest &request)
{
    ReceivedRequest record;
    record.receivedNs = std::chrono::duration_cast<std::chrono::nanoseconds>(
                            std::chrono::steady_clock::now().time_since_epoch())
                            .count();
    record.method = methodName(request.method());
    record.rawPath = request.url().path(QUrl::FullyEncoded);
    const QStringList segments = LoopbackHttpServer::pathSegments(request);
    record.path = QLatin1Char('/') + segments.join(QLatin1Char('/'));
    record.query = request.url().query(QUrl::FullyEncoded);
    record.headers = request.headers();
    record.body = request.body();
    record.json = QJsonDocument::fromJson(record.body).object();
    record.receivedAt = QDateTime::currentDateTimeUtc();
    if (segments.size() == 5 && segments.at(1) == QLatin1String("calls") &&
        segments.at(3) == QLatin1String("actions")) {
        record.callControlId = segments.at(2);
        record.command = segments.at(4);
        record.commandId = record.json.value(QLatin1String("command_id")).toString();
    }

    std::optional<HttpReply> reply = route(request, segments, record);
    if (reply && !hasHeader(*reply, QByteArrayLiteral("Content-Type")))
        reply->headers.append(
            {QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")});
    record.status = reply ? reply->status : 0;
    m_requests.append(record);
    if (m_logLimit > 0 && m_requests.size() > m_logLimit)
        m_requests.remove(0, m_requests.size() - m_logLimit);
    emit requestReceived(record);
    if (!record.command.isEmpty())
        emit commandReceived(record);
    return reply;
}

std::optional<HttpReply> TelnyxSimulator::route(const QHttpServerRequest &request,
                                                const QStringList &segments,
                                                ReceivedRequest &record)
{
    if (segments.isEmpty() || segments.first() != QLatin1String("v2"))
        return errorReply(404, TelnyxError::notFound());

    // docs/telnyx-api.md §7.2: Bearer authentication, 401 with the exact Telnyx body.
    const QByteArray authorization = LoopbackHttpServer::header(request, "Authorization");
    if (m_apiKey.isEmpty() || authorization != "Bearer " + m_apiKey.toUtf8())
        return errorReply(401, TelnyxError::authenticationFailed());

    const QByteArray method = record.method;
    const auto dispatch = [&]() -> HttpReply {
        if (!record.command.isEmpty()) {
            const bool putAllowed = record.command == QLatin1String("client_state_update");
            if (method != "POST" && !(putAllowed && method == "PUT"))
                return errorReply(404, TelnyxError::notFound());
            if (!record.body.trimmed().isEmpty() &&
                !QJsonDocument::fromJson(record.body).isObject())
                return errorReply(400, {QStringLiteral("10002"),
                                        QStringLiteral("Invalid JSON"),
                                        QStringLiteral("The request body is not a JSON object."),
                                        {},
                                        {}});
            const CommandOutcome outcome =
                m_calls->handleCommand(record.callControlId, record.command, record.json);
            return {outcome.status, outcome.body, {}};
        }
        if (segments.size() >= 2 && segments.at(1) == QLatin1String("recordings")) {
            QByteArray target = record.rawPath.toUtf8();
            if (!record.query.isEmpty())
                target += '?' + record.query.toUtf8();
            const auto [status, body] = m_recordings->apiAnswer(method, target, authorization);
            return {status, body, {}};
        }
        if (segments.size() == 2 && segments.at(1) == QLatin1String("phone_numbers") &&
            method == "GET")
            return m_numbers.list(request.query());
        if (segments.size() >= 2 && segments.at(1) == QLatin1String("call_control_applications")) {
            if (segments.size() == 2 && method == "GET")
                return m_application->list();
            if (segments.size() == 3 && method == "GET")
                return m_application->get(segments.at(2));
            if (segments.size() == 3 && method == "PATCH")
                return m_application->patch(segments.at(2), record.body);
        }
        return errorReply(404, TelnyxError::notFound());
    };

    if (m_timeoutNext > 0) {
        --m_timeoutNext;
        dispatch(); // it happened; only the answer is lost
        return std::nullopt;
    }
    if (m_failNext > 0) {
        --m_failNext;
        return errorReply(m_failStatus, {QString::number(m_failStatus),
                                         QStringLiteral("Simulated server error"),
                                         QStringLiteral("The simulator was told to fail."),
                                         {},
                                         {}});
    }
    if (m_rateLimitNext > 0) {
        --m_rateLimitNext;
        HttpReply reply = errorReply(429, TelnyxError::tooManyRequests());
        reply.headers = {{"x-ratelimit-limit", QByteArray::number(std::max(m_rateLimit, 1))},
                         {"x-ratelimit-remaining", "0"},
                         {"x-ratelimit-reset", QByteArray::number(m_rateLimitResetSecs)}};
        return reply;
    }
    if (m_rateLimit > 0) {
        const QDateTime now = QDateTime::currentDateTimeUtc();
        if (m_rateWindowStart.msecsTo(now) >= qint64(m_rateWindowSecs) * 1000) {
            m_rateWindowStart = now;
            m_rateCount = 0;
        }
        if (++m_rateCount > m_rateLimit) {
            HttpReply reply = errorReply(429, TelnyxError::tooManyRequests());
            addRateLimitHeaders(reply);
            return reply;
        }
    }
    HttpReply reply = dispatch();
    addRateLimitHeaders(reply);
    return reply;
}

void TelnyxSimulator::addRateLimitHeaders(HttpReply &reply)
{
    if (m_rateLimit <= 0)
        return;
    const qint64 leftMs = qint64(m_rateWindowSecs) * 1000 -
                          m_rateWindowStart.msecsTo(QDateTime::currentDateTimeUtc());
    const qint64 resetSecs = std::max<qint64>(0, (leftMs + 999) / 1000);
    reply.headers.append({"x-ratelimit-limit", QByteArray::number(m_rateLimit)});
    reply.headers.append(
        {"x-ratelimit-remaining", QByteArray::number(std::max(0, m_rateLimit - m_rateCount))});
    reply.headers.append({"x-ratelimit-reset", QByteArray::number(resetSecs)});
}

} // namespace kt
