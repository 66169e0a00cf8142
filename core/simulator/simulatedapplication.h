// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "loopbackhttpserver.h"

#include <QJsonObject>
#include <QObject>
#include <QUrl>

namespace kt {

// The account's Call Control Application (docs/telnyx-api.md §5.2, §7.15): GET and PATCH
// /v2/call_control_applications/{id}. PATCH needs application_name and webhook_event_url (422
// otherwise; 422 too for a webhook or failover URL without a scheme and host), updates the
// webhook fields and emits changed() so that webhooks go to the new URL
// at once. Its id is the connection_id of calls and numbers.
class SimulatedApplication : public QObject
{
    Q_OBJECT
public:
    explicit SimulatedApplication(const QString &id = QStringLiteral("2811212257810187875"),
                                  QObject *parent = nullptr);

    QString id() const;
    QJsonObject record() const { return m_record; }
    QUrl webhookUrl() const;
    QUrl failoverUrl() const;
    int webhookTimeoutSecs() const; // 0 when null
    void setWebhookUrl(const QUrl &url);
    void setFailoverUrl(const QUrl &url);

    HttpReply get(const QString &id) const;
    HttpReply list() const;
    HttpReply patch(const QString &id, const QByteArray &body);

signals:
    void changed();

private:
    QJsonObject m_record;
};

} // namespace kt
