// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "data/readonlydatabase.h"
#include "store/lognotifier.h"
#include "store/storedevent.h"

#include <QAbstractListModel>
#include <QTimer>
#include <QtQml/qqmlregistration.h>

namespace kt {

// The event log for the audit view, newest first, from the model's own read-only connection:
// older events in pages of PageSize (EventQuery::beforeSeq; canFetchMore/fetchMore or
// loadMore()), newer ones with fetchNewer() (EventQuery::afterSeq), called while `live` is set:
// on PostgreSQL as soon as another connection appends (LogNotifier), with a slow fallback poll
// that also reconnects a broken connection and reads what it missed; on SQLite by a timer.
// typeFilter / callIdFilter narrow the list to one event type / one call (exact).
class EventLogModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("the app creates it")
    Q_PROPERTY(int count READ count NOTIFY countChanged)
    Q_PROPERTY(bool hasMore READ hasMore NOTIFY hasMoreChanged)
    Q_PROPERTY(QString errorString READ errorString NOTIFY errorStringChanged)
    Q_PROPERTY(QString typeFilter READ typeFilter WRITE setTypeFilter NOTIFY filtersChanged)
    Q_PROPERTY(QString callIdFilter READ callIdFilter WRITE setCallIdFilter NOTIFY filtersChanged)
    Q_PROPERTY(bool live READ isLive WRITE setLive NOTIFY liveChanged)
public:
    static constexpr int PageSize = 100;

    enum Role {
        SeqRole = Qt::UserRole + 1,
        TypeRole,        // "call.initiated", "tel.call_authenticated", ...
        CategoryRole,    // telnyx | decision | command | call | screening | other
        CallIdRole,      // may be empty
        CallIdShortRole, // its last 12 characters
        ActorRole,       // telnyx, engine, owner, cli, ...
        RecordedAtRole,  // ISO-8601 UTC
        TimeTextRole,    // local time for people
        SummaryRole,     // one line about the payload (sanitised)
        HashRole,
        HashShortRole, // the first 12 hex digits
        PrevHashShortRole,
    };
    Q_ENUM(Role)

    explicit EventLogModel(QObject *parent = nullptr);

    bool open(const QString &path);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

    int count() const { return int(m_events.size()); }
    bool hasMore() const { return m_hasMore; }
    QString errorString() const { return m_error; }
    const StoredEvent &eventAt(int row) const { return m_events.at(row); }

    QString typeFilter() const { return m_typeFilter; }
    void setTypeFilter(const QString &type);
    QString callIdFilter() const { return m_callIdFilter; }
    void setCallIdFilter(const QString &callId);
    bool isLive() const { return m_pollTimer.isActive(); }
    void setLive(bool live);
    // The timer's interval without notifications (SQLite), and with them (PostgreSQL).
    void setPollIntervalMs(int ms);
    void setFallbackPollIntervalMs(int ms);
    // Whether PostgreSQL announces appends to this model.
    bool isNotified() const { return m_notifier.isListening(); }

    // One line about an event, for people (also used by the tray and the tests).
    static QString summary(const StoredEvent &event);
    static QString category(const QString &type);

    Q_INVOKABLE void loadMore();
    Q_INVOKABLE void reload();

public slots:
    // Reads the events appended since the newest one shown, and puts them on top.
    void fetchNewer();

signals:
    void countChanged();
    void hasMoreChanged();
    void errorStringChanged();
    void filtersChanged();
    void liveChanged();
    // fetchNewer() or reload() saw the log up to `lastSeq` (whatever the filters): events may
    // have been appended since the last time.
    void logAdvanced(qint64 lastSeq);

private:
    EventQuery baseQuery() const;
    void setHasMore(bool more);
    void setError(const QString &error);
    // Opens the database and listens to it (PostgreSQL), without reading.
    bool openListening(const QString &path);
    void listen();
    bool reconnect();

    ReadOnlyDatabase m_database;
    QList<StoredEvent> m_events;
    QString m_typeFilter;
    QString m_callIdFilter;
    bool m_hasMore = false;
    bool m_fetching = false; // no re-entry from the signals fetchMore()/fetchNewer() emit
    QString m_error;
    qint64 m_newestSeen = 0; // the highest seq read, filtered out or not
    QTimer m_pollTimer;
    LogNotifier m_notifier;
    int m_pollIntervalMs = 2000;
    int m_fallbackPollIntervalMs = 15000;
};

} // namespace kt
