// SPDX-License-Identifier: GPL-3.0-or-later
#include "webhookserver.h"
#include "webhookserverdetail.h"

#include "clientaddress.h"
#include "connectionguard.h"
#include "guardedtcpserver.h"
#include "httpreply.h"
#include "telnyx/webhookevent.h"
#include "webhookhandler.h"

#include <QDateTime>
#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QScopeGuard>
#include <QTcpSocket>
#include <QTimer>

#include <utility>

namespace kt {
using namespace webhookserverdetail;

namespace {

QString verifierMessage(WebhookVerifier::Result result)
{
    switch (result) {
    case WebhookVerifier::Result::MissingSignature:
        return QStringLiteral("missing telnyx-signature-ed25519 header");
    case WebhookVerifier::Result::MissingTimestamp:
        return QStringLiteral("missing telnyx-timestamp header");
    case WebhookVerifier::Result::BadTimestamp:
        return QStringLiteral("telnyx-timestamp is not Unix time in seconds");
    case WebhookVerifier::Result::StaleTimestamp:
        return QStringLiteral("telnyx-timestamp is more than %1 s from now")
            .arg(WebhookVerifier::ToleranceSeconds);
    case WebhookVerifier::Result::BadSignatureEncoding:
        return QStringLiteral("telnyx-signature-ed25519 is not base64 of 64 bytes");
    case WebhookVerifier::Result::BadSignature:
        return QStringLiteral("the signature does not match the request");
    case WebhookVerifier::Result::NoKey:
        return QStringLiteral("the Telnyx public key is not configured");
    case WebhookVerifier::Result::Valid:
        break;
    }
    return QString();
}

} // namespace

QByteArray WebhookServer::storedBody(const QString &result, const QString &eventId)
{
    QJsonObject o;
    o.insert(QStringLiteral("status"), result);
    o.insert(QStringLiteral("id"), eventId);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

void WebhookServer::answerWebhook(const WebhookRequest &request, int status, const QString &result,
                                  const QString &message, const QString &eventId)
{
    m_metrics.countWebhook(result);
    m_metrics.increment(QLatin1String(Metrics::HttpResponsesTotal),
                        {{QStringLiteral("code"), QString::number(status)}});
    QByteArray reply;
    if (status == 200) {
        reply = HttpReply::build(status, "application/json", storedBody(result, eventId), {},
                                 request.close);
    } else {
        qCDebug(lcWebhookServer) << "webhook refused:" << status << result << message;
        reply = HttpReply::build(
            status, "application/json", HttpReply::errorBody(result, message),
            status == 429 ? retryAfter(m_limiter, request.clientKey) : Headers{}, request.close);
    }
    write(request.socket, reply, request.close);
    emit webhookAnswered(status, result, eventId);
}

void WebhookServer::handleWebhook(const QHttpServerRequest &request, QTcpSocket *socket)
{
    if (request.method() != QHttpServerRequest::Method::Post) {
        handleMissing(Port::Webhook, request, socket);
        return;
    }
    WebhookRequest r;
    r.socket = socket;
    r.close = headerValue(request, "connection").toLower().contains("close");
    r.clientKey = clientKey(request);
    r.body = request.body();
    if (r.body.size() > m_limits.maxBodyBytes) { // the connection guard refuses these earlier
        m_limiter.consume(r.clientKey);
        answerWebhook(r, 413, QStringLiteral("too_large"),
                      QStringLiteral("request body exceeds %1 bytes").arg(m_limits.maxBodyBytes));
        return;
    }

    // Header presence, then the timestamp window, then Ed25519: cheapest first.
    const QByteArray timestamp = headerValue(request, WebhookVerifier::TimestampHeader);
    QByteArray signature;
    WebhookVerifier::Result verdict = m_verifier.precheck(
        timestamp, headerValue(request, WebhookVerifier::SignatureHeader), m_clock(), &signature);
    if (verdict == WebhookVerifier::Result::Valid)
        verdict = m_verifier.checkSignature(timestamp, signature, r.body);
    if (verdict != WebhookVerifier::Result::Valid) {
        refuseWebhook(r, verdict);
        return;
    }
    // Signed by Telnyx from here on: never refused for load.
    QString parseError;
    const std::optional<WebhookEvent> parsed = WebhookEvent::parse(r.body, &parseError);
    if (!parsed) {
        m_limiter.consume(r.clientKey);
        answerWebhook(r, 400, QStringLiteral("bad_request"), parseError);
        return;
    }
    const WebhookEvent &event = *parsed;
    if (!m_handler) {
        answerWebhook(r, 503, QStringLiteral("store_failed"), QStringLiteral("no event store"),
                      event.id);
        return;
    }
    if (m_handler->groupsStores()) {
        // Answered after the group's commit; the connection reads no further meanwhile.
        setAnswerPending(socket, true);
        m_pending.append({r, event});
        if (m_pending.size() == 1)
            QMetaObject::invokeMethod(this, &WebhookServer::storePending, Qt::QueuedConnection);
        return;
    }
    const StoreOutcome outcome = m_handler->store(event, r.body);
    switch (outcome.result) {
    case StoreOutcome::Stored:
        answerWebhook(r, 200, QStringLiteral("stored"), QString(), event.id);
        // After the answer has been written and flushed: slow work must not delay the 200.
        QTimer::singleShot(0, this, [this, stored = event] {
            if (m_handler)
                m_handler->process(stored);
        });
        return;
    case StoreOutcome::Duplicate:
        answerWebhook(r, 200, QStringLiteral("duplicate"), QString(), event.id);
        return;
    case StoreOutcome::Failed:
        qCWarning(lcWebhookServer).noquote()
            << "webhook" << event.id << "not stored:" << outcome.error;
        answerWebhook(r, 503, QStringLiteral("store_failed"),
                      QStringLiteral("the event could not be stored; deliver it again"), event.id);
        return;
    }
}

void WebhookServer::refuseWebhook(const WebhookRequest &request, WebhookVerifier::Result verdict)
{
    if (verdict == WebhookVerifier::Result::NoKey) { // our configuration, not the client's fault
        answerWebhook(request, 503, WebhookVerifier::code(verdict), verifierMessage(verdict));
        return;
    }
    // The tokens as they are now, not when the request came: the refusals of the checks that
    // were in flight meanwhile have spent them.
    if (!m_limiter.hasTokens(request.clientKey)) {
        answerWebhook(request, 429, QStringLiteral("rate_limited"),
                      QStringLiteral("too many failed requests from this client; try again later"));
        return;
    }
    m_limiter.consume(request.clientKey);
    answerWebhook(request, 401, WebhookVerifier::code(verdict), verifierMessage(verdict));
}

void WebhookServer::storePending()
{
    const QList<PendingWebhook> pending = std::exchange(m_pending, {});
    if (pending.isEmpty())
        return;
    // Their connections read on once these answers are out, whatever happens below.
    auto release = qScopeGuard([&pending] {
        for (const PendingWebhook &p : pending)
            setAnswerPending(p.request.socket, false);
    });
    if (!m_handler)
        return;
    QString unavailable;
    const bool grouped = m_handler->beginStores(&unavailable);
    if (!grouped && !unavailable.isEmpty()) {
        qCWarning(lcWebhookServer).noquote()
            << pending.size() << "webhook(s) not stored:" << unavailable;
        for (const PendingWebhook &p : pending)
            answerWebhook(p.request, 503, QStringLiteral("store_failed"),
                          QStringLiteral("the event could not be stored; deliver it again"),
                          p.event.id);
        return;
    }
    QList<StoreOutcome> outcomes;
    outcomes.reserve(pending.size());
    QList<WebhookEvent> stored;
    for (const PendingWebhook &p : pending) {
        outcomes.append(m_handler->store(p.event, p.request.body));
        if (outcomes.last().result == StoreOutcome::Stored)
            stored.append(p.event);
    }
    QString error;
    if (grouped) {
        // Processed inside the group's transaction: the webhooks and the decisions they led to
        // are one commit, and a call.initiated is answered once its decision is durable too.
        if (!stored.isEmpty())
            m_handler->processStored(stored);
        if (!m_handler->endStores(&error)) {
            for (StoreOutcome &o : outcomes) {
                if (o.result == StoreOutcome::Stored)
                    o = StoreOutcome::failed(error);
            }
        }
    }
    for (qsizetype i = 0; i < pending.size(); ++i) {
        const PendingWebhook &p = pending.at(i);
        const StoreOutcome &o = outcomes.at(i);
        const QString &id = p.event.id;
        if (o.result == StoreOutcome::Failed) {
            qCWarning(lcWebhookServer).noquote() << "webhook" << id << "not stored:" << o.error;
            answerWebhook(p.request, 503, QStringLiteral("store_failed"),
                          QStringLiteral("the event could not be stored; deliver it again"), id);
            continue;
        }
        answerWebhook(p.request, 200,
                      o.result == StoreOutcome::Stored ? QStringLiteral("stored")
                                                       : QStringLiteral("duplicate"),
                      QString(), id);
    }
    // Not grouped (each webhook committed on its own): the work follows the answers, at once
    // rather than in a later turn of the event loop, where it would wait behind everything
    // queued meanwhile.
    if (!grouped && !stored.isEmpty())
        m_handler->processStored(stored);
}

} // namespace kt
