// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "telnyx/webhookevent.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace kt {

// What WebhookHandler::store() did with one verified, parsed webhook.
struct StoreOutcome
{
    enum Result {
        Stored,    // appended durably: the server answers 200 and then calls process()
        Duplicate, // data.id already stored: 200, nothing changes, process() is not called
        Failed,    // not stored: 503 so that Telnyx delivers it again
    };
    Result result = Failed;
    QString error; // why, for Failed (logged, and sent in the 503 body)

    static StoreOutcome stored() { return {Stored, {}}; }
    static StoreOutcome duplicate() { return {Duplicate, {}}; }
    static StoreOutcome failed(const QString &error) { return {Failed, error}; }
};

// The answer of GET /health: 200 {"status":"ok", ...details} or 503
// {"status":"error","reason":...}.
struct Health
{
    bool ok = false;
    QString reason;      // why not ok
    QJsonObject details; // extra keys merged into the JSON answer (e.g. "events": 42)
};

// The engine's side of the webhook server. Every method runs in the thread that owns the
// WebhookServer (the engine thread); none is ever called with input that failed a check.
class WebhookHandler
{
public:
    virtual ~WebhookHandler() = default;

    // Appends a verified, parsed event durably. rawBody is the exact request body that was
    // signed (store it as received; never re-serialise it).
    virtual StoreOutcome store(const WebhookEvent &event, const QByteArray &rawBody) = 0;

    // Acts on a Stored event: never from inside store() and never for Duplicate or Failed.
    // Without group commit, called after the 200 was written and flushed.
    virtual void process(const WebhookEvent &event) = 0;

    // Whether the store is writable; answered on GET /health.
    virtual Health health() = 0;

    // Group commit (optional). A handler that groups stores gets the webhooks that arrived in
    // one turn of the event loop together: beginStores(), store() for each, processStored()
    // with the Stored ones, endStores(). The webhooks and what processing them wrote are one
    // durable commit, however many webhooks; the server answers them only after endStores(),
    // and the handler lets nothing leave (Telnyx commands) before it has committed.
    // beginStores() false with `error` empty: each store() commits on its own, and processing
    // follows the answers. False with an `error`: nothing can be stored now (the database is
    // locked by another process, or failing): every webhook of the group is answered 503 at
    // once, without a store() each, and Telnyx delivers them again.
    // endStores() false (with `error`): none of the group is stored, each Stored one is answered
    // 503, and the handler undoes what processing them did (Telnyx delivers them again).
    virtual bool groupsStores() const { return false; }
    virtual bool beginStores(QString *error)
    {
        Q_UNUSED(error);
        return false;
    }
    virtual bool endStores(QString *error)
    {
        Q_UNUSED(error);
        return true;
    }
    // The Stored events of one group, in arrival order: process() each.
    virtual void processStored(const QList<WebhookEvent> &events)
    {
        for (const WebhookEvent &event : events)
            process(event);
    }
};

} // namespace kt
