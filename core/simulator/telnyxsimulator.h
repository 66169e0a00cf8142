// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "callsimulation.h"
#include "loopbackhttpserver.h"
#include "phonenumberfixture.h"
#include "receivedrequest.h"
#include "recordingstore.h"
#include "simulatedapplication.h"
#include "simulatedcall.h"
#include "webhooksender.h"

#include <QDateTime>
#include <QHostAddress>
#include <QObject>
#include <QUrl>

namespace kt {

// An in-process fake of the Telnyx API (docs/telnyx-api.md §7), for tests and for `--demo`:
// - serves {baseUrl()}/calls/{id}/actions/{command}, /phone_numbers and
//   /call_control_applications[/{id}] on loopback, with Bearer authentication (401 / 10009);
// - keeps simulated calls and answers commands as Telnyx does (CallSimulation);
// - sends the resulting signed webhooks to the application's webhook URL (WebhookSender);
// - has switches for failures (5xx, no answer, 429) and odd deliveries, and logs every request
//   and every delivery attempt.
// Create it in the thread that runs it.
class TelnyxSimulator : public QObject
{
    Q_OBJECT
public:
    static constexpr const char *DefaultApiKey = "KEYSIMULATOR_0123456789abcdef";
    // The Java SDK's test keypair (docs/telnyx-api.md §2.2).
    static constexpr const char *DefaultSeedBase64 = "i1xxSkIuQOY9H8laaRslIoYGTJ1NwBAFdjsQwiwJH04=";
    static constexpr const char *DefaultPublicKeyBase64 =
        "jrMBoswHlhhVx2W2Www72WU/xn4UMpjreslD0m2u0qs=";

    explicit TelnyxSimulator(QObject *parent = nullptr);
    ~TelnyxSimulator() override;

    // Listens (port 0 picks a free one). False when it cannot.
    bool start(const QHostAddress &address = QHostAddress::LocalHost, quint16 port = 0);
    quint16 port() const { return m_server->port(); }
    QUrl baseUrl() const; // http://127.0.0.1:PORT/v2, https:// with TLS

    // HTTPS with this certificate (it should name 127.0.0.1) and key; set before start().
    void setTls(const QSslCertificate &certificate, const QSslKey &key)
    {
        m_server->setTls(certificate, key);
    }
    // Latency, as of an API far away: each answer comes this long after its request arrived
    // (the request takes effect at once), each new connection is served this long after it was
    // opened, and with TLS each handshake starts this much later still.
    void setAnswerDelayMs(int ms) { m_server->setAnswerDelayMs(ms); }
    void setConnectionDelayMs(int ms) { m_server->setConnectionDelayMs(ms); }
    void setTlsHandshakeDelayMs(int ms) { m_server->setTlsHandshakeDelayMs(ms); }
    quint64 connectionsAccepted() const { return m_server->connectionsAccepted(); }

    void setApiKey(const QString &key)
    {
        m_apiKey = key;
        m_recordings->setApiKey(key);
    }
    QString apiKey() const { return m_apiKey; }

    // Webhooks: the application's webhook_event_url / failover URL (PATCH changes them too).
    QUrl webhookUrl() const { return m_application->webhookUrl(); }
    void setWebhookUrl(const QUrl &url) { m_application->setWebhookUrl(url); }
    QUrl failoverUrl() const { return m_application->failoverUrl(); }
    void setFailoverUrl(const QUrl &url) { m_application->setFailoverUrl(url); }
    void setSigningSeed(const QByteArray &rawSeed) { m_sender->setSigningSeed(rawSeed); }
    QByteArray publicKey() const;      // raw 32 bytes
    void setDeliveryTimeoutMs(int ms); // default 2000; the app's webhook_timeout_secs wins
    void setDeliveryAttemptsPerUrl(int attempts) { m_sender->setAttemptsPerUrl(attempts); }
    void setDeliveryRetryDelayMs(int ms) { m_sender->setRetryDelayMs(ms); }

    // How the simulated calls behave.
    CallBehaviour &behaviour() { return m_calls->behaviour(); }
    void setSpeakDurationMs(int ms) { behaviour().speakDurationMs = ms; }
    void setEventDelayMs(int ms) { behaviour().eventDelayMs = ms; }
    void setTransferAnswers(bool answers) { behaviour().transferAnswers = answers; }
    void setTransferAnswerDelayMs(int ms) { behaviour().transferAnswerDelayMs = ms; }
    void setTransferTimeoutMs(int ms) { behaviour().transferTimeoutMs = ms; } // < 0: timeout_secs
    void setGatherDigits(const QString &digits) { behaviour().gatherDigits = digits; }
    void setRejectHangupSource(const QString &source) { behaviour().rejectHangupSource = source; }
    void setUnknownCallStatus(int status) { behaviour().unknownCallStatus = status; } // 422 | 404

    // Calls.
    QString startInboundCall(const QString &from, const QString &to,
                             const InboundCallOptions &options = {});
    bool callerHangsUp(const QString &callControlId);
    const SimulatedCall *call(const QString &callControlId) const;
    QStringList callIds() const { return m_calls->callIds(); }
    QString callState(const QString &callControlId) const; // parked|ringing|answered|bridged|hangup

    // Failure switches for the next `count` authenticated requests.
    void failNext(int count, int status = 500);
    void stopFailing() { m_failNext = 0; }
    // Accepted and never answered; commands still take effect (as when a response is lost).
    void timeoutNext(int count) { m_timeoutNext += count; }
    void rateLimitNext(int count, int resetSecs = 1);
    // Rate-limit mode: at most `limit` requests per window; x-ratelimit-* on every response.
    void setRateLimit(int limit, int windowSecs = 1); // limit 0: off

    // Delivery switches (WebhookSender).
    void duplicateNextDeliveries(int count) { m_sender->duplicateNext(count); }
    void deliverOutOfOrderNext(int count) { m_sender->outOfOrderNext(count); }
    void delayNextDeliveries(int count, int ms) { m_sender->delayNext(count, ms); }
    void staleTimestampNext(int count, int ageSecs = 600)
    {
        m_sender->staleTimestampNext(count, ageSecs);
    }
    void badSignatureNext(int count) { m_sender->badSignatureNext(count); }

    // Numbers and the application.
    void setPhoneNumbers(const QStringList &e164);
    QList<QJsonObject> phoneNumbers() const { return m_numbers.records(); }
    PhoneNumberFixture &numbers() { return m_numbers; }
    SimulatedApplication *application() const { return m_application; }
    QString applicationId() const { return m_application->id(); }

    // Logs: the most recent requests and delivery attempts (at most setLogLimit(), default 5000
    // each; 0: unlimited), so that a long --demo run stays small.
    void setLogLimit(int limit)
    {
        m_logLimit = std::max(limit, 0);
        m_sender->setLogLimit(limit);
    }
    QList<ReceivedRequest> requests() const { return m_requests; }
    QList<ReceivedRequest> commands() const;
    void clearRequests() { m_requests.clear(); }
    QList<WebhookDelivery> deliveries() const { return m_sender->deliveries(); }
    void clearDeliveries() { m_sender->clearDeliveries(); }
    bool deliveriesIdle() const { return m_sender->isIdle(); }

    CallSimulation *calls() const { return m_calls; }
    // Recordings (record_start): their audio at presigned links on a port of their own, the
    // recordings API on this one (`/v2/recordings…`), call.recording.saved once a recording
    // ends and call.recording.transcription.saved `transcriptionDelayMs` later (when asked for).
    RecordingStore *recordings() const { return m_recordings; }
    void setRecordingSavedDelayMs(int ms) { m_recordingSavedDelayMs = std::max(ms, 0); }
    void setTranscriptionDelayMs(int ms) { m_transcriptionDelayMs = std::max(ms, 0); }
    // The next `count` call.recording.saved webhooks carry links that have expired already (as
    // when a webhook reaches the app after the ten minutes); the API's fresh links work.
    void expireNextRecordingLinks(int count) { m_expireRecordingLinks += count; }
    // The next `count` recordings fail at Telnyx: call.recording.error with `reason` instead of
    // call.recording.saved (and no transcript).
    void failNextRecordings(int count,
                            const QString &reason = QStringLiteral("Internal server error"))
    {
        m_failRecordings += count;
        m_failRecordingReason = reason;
    }
    // The recording ids made so far, oldest first.
    QStringList recordingIds() const { return m_recordingIds; }
    WebhookSender *webhookSender() const { return m_sender; }

signals:
    void requestReceived(const kt::ReceivedRequest &request);
    void commandReceived(const kt::ReceivedRequest &command);
    void webhookDelivered(const QString &eventType, const QString &id, int status);
    void callStarted(const QString &callControlId);
    void callEnded(const QString &callControlId);

private:
    std::optional<HttpReply> handle(const QHttpServerRequest &request);
    std::optional<HttpReply> route(const QHttpServerRequest &request, const QStringList &segments,
                                   ReceivedRequest &record);
    void addRateLimitHeaders(HttpReply &reply);
    void syncWebhookSettings();
    void onRecordingFinished(const FinishedRecording &recording);

    LoopbackHttpServer *m_server = nullptr;
    CallSimulation *m_calls = nullptr;
    WebhookSender *m_sender = nullptr;
    SimulatedApplication *m_application = nullptr;
    RecordingStore *m_recordings = nullptr;
    int m_recordingSavedDelayMs = 50;
    int m_transcriptionDelayMs = 400;
    int m_expireRecordingLinks = 0;
    int m_failRecordings = 0;
    QString m_failRecordingReason;
    QStringList m_recordingIds;
    PhoneNumberFixture m_numbers;
    QString m_apiKey = QString::fromLatin1(DefaultApiKey);
    int m_deliveryTimeoutMs = 2000;

    int m_failNext = 0;
    int m_failStatus = 500;
    int m_timeoutNext = 0;
    int m_rateLimitNext = 0;
    int m_rateLimitResetSecs = 1;
    int m_rateLimit = 0;
    int m_rateWindowSecs = 1;
    int m_rateCount = 0;
    QDateTime m_rateWindowStart;

    QList<ReceivedRequest> m_requests;
    int m_logLimit = 5000;
};

} // namespace kt
