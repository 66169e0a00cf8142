// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "callroles.h"
#include "data/readonlydatabase.h"
#include "store/storedevent.h"

#include <QAbstractListModel>
#include <QTimer>
#include <QVariantMap>
#include <QtQml/qqmlregistration.h>

namespace kt {

// One call in detail, for the call drawer: the call's row (`call`, keyed by the CallRoles role
// names), the plain sentence of its decision (`explanation`, from the latest event whose payload
// has decision.explanation: the tel.call_<decision> event, or the owner's decision / the ask
// timeout that changed it) and, as the list, its events oldest first (EventStore::eventsForCall
// on the model's own read-only connection).
class CallDetailModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("the app creates it")
    Q_PROPERTY(QString callId READ callId NOTIFY loaded)
    Q_PROPERTY(bool found READ found NOTIFY loaded)
    Q_PROPERTY(QVariantMap call READ call NOTIFY loaded)
    Q_PROPERTY(QString explanation READ explanation NOTIFY loaded)
    Q_PROPERTY(QString errorString READ errorString NOTIFY loaded)
    Q_PROPERTY(int count READ count NOTIFY loaded)
public:
    enum Role {
        SeqRole = Qt::UserRole + 1,
        TypeRole,       // "call.initiated", "tel.call_rejected", ...
        TypeTextRole,   // for people: "Telnyx: call arrived", "Decision: rejected", ...
        CategoryRole,   // EventLogModel::category()
        ActorRole,      // telnyx, engine, owner, cli, ...
        TimeTextRole,   // local time with seconds ("14:03:27")
        OffsetTextRole, // since the call's first event ("+1.2 s"); empty for the first
        SummaryRole,    // EventLogModel::summary(), sanitised
    };
    Q_ENUM(Role)

    explicit CallDetailModel(QObject *parent = nullptr);

    bool open(const QString &path);
    void setContext(const CallRoles::Context &context) { m_context = context; }

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    QString callId() const { return m_callId; }
    bool found() const { return m_found; }
    QVariantMap call() const { return m_call; }
    QString explanation() const { return m_explanation; }
    QString errorString() const { return m_error; }
    int count() const { return int(m_events.size()); }
    Q_INVOKABLE QVariant value(int row, const QString &roleName) const;

    // "Telnyx: call arrived" for "call.initiated", and so on.
    static QString typeText(const QString &type);

public slots:
    // Shows the call `callId` (reads it now).
    void load(const QString &callId);
    // Reads the shown call again (its new events).
    void reload();
    // reload() soon, once for any number of calls.
    void scheduleReload();
    void clear();

signals:
    void loaded();

private:
    ReadOnlyDatabase m_database;
    CallRoles::Context m_context;
    QString m_callId;
    bool m_found = false;
    QVariantMap m_call;
    QString m_explanation;
    QString m_error;
    QList<StoredEvent> m_events;
    QTimer m_reloadTimer;
};

} // namespace kt
