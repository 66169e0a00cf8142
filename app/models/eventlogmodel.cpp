// SPDX-License-Identifier: GPL-3.0-or-later
#include "eventlogmodel.h"

#include "displaytext.h"
#include "store/databaseurl.h"
#include "store/eventstore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QScopedValueRollback>

namespace kt {
namespace {
QJsonObject withoutBulk(QJsonObject o)
{
    // PEM blocks and the per-call configuration say little in one line.
    for (const QString &key :
         {QStringLiteral("pem"), QStringLiteral("call_config"), QStringLiteral("certificate")})
        o.remove(key);
    return o;
}

QString compact(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(withoutBulk(o)).toJson(QJsonDocument::Compact));
}
} // namespace

EventLogModel::EventLogModel(QObject *parent) : QAbstractListModel(parent)
{
    m_pollTimer.setInterval(m_pollIntervalMs);
    connect(&m_pollTimer, &QTimer::timeout, this, &EventLogModel::fetchNewer);
    connect(&m_notifier, &LogNotifier::appended, this, [this] {
        if (isLive())
            fetchNewer();
    });
}

bool EventLogModel::open(const QString &path)
{
    if (!openListening(path))
        return false;
    reload();
    return m_error.isEmpty();
}

bool EventLogModel::openListening(const QString &path)
{
    m_notifier.stop();
    if (!m_database.open(path, QStringLiteral("events"))) {
        setError(m_database.errorString());
        return false;
    }
    setError({});
    listen();
    return true;
}

void EventLogModel::listen()
{
    // Subscribed before the first read, so that nothing appended in between goes unannounced.
    const bool notified = m_database.isOpen() && m_notifier.listen(m_database.store());
    m_pollTimer.setInterval(notified ? m_fallbackPollIntervalMs : m_pollIntervalMs);
}

void EventLogModel::setPollIntervalMs(int ms)
{
    m_pollIntervalMs = ms;
    if (!isNotified())
        m_pollTimer.setInterval(ms);
}

void EventLogModel::setFallbackPollIntervalMs(int ms)
{
    m_fallbackPollIntervalMs = ms;
    if (isNotified())
        m_pollTimer.setInterval(ms);
}

bool EventLogModel::reconnect()
{
    // A PostgreSQL connection that broke (server restarted, network gone) does not come back
    // by itself: open a new one and listen again. The caller then reads from m_newestSeen, so
    // what was appended meanwhile is not lost.
    const QString path = m_database.path();
    return DatabaseUrl::isUrl(path) && openListening(path);
}

int EventLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_events.size());
}

QString EventLogModel::category(const QString &type)
{
    if (type.startsWith(QLatin1String("call.")))
        return QStringLiteral("telnyx");
    if (type.startsWith(QLatin1String("tel.command_")))
        return QStringLiteral("command");
    static const QStringList decisions{
        QStringLiteral("tel.call_authenticated"), QStringLiteral("tel.call_allowlisted"),
        QStringLiteral("tel.call_blocked"),       QStringLiteral("tel.call_rejected"),
        QStringLiteral("tel.call_ask"),           QStringLiteral("tel.call_challenge"),
        QStringLiteral("tel.call_voicemail"),     QStringLiteral("tel.pin_verified"),
        QStringLiteral("tel.pin_failed"),         QStringLiteral("tel.pin_locked"),
        QStringLiteral("tel.owner_decision"),     QStringLiteral("tel.owner_decision_requested"),
        QStringLiteral("tel.ask_timeout")};
    if (decisions.contains(type))
        return QStringLiteral("decision");
    if (type.startsWith(QLatin1String("tel.call_")))
        return QStringLiteral("call");
    static const QStringList screening{QStringLiteral("tel.number"), QStringLiteral("tel.root"),
                                       QStringLiteral("tel.certificate"),
                                       QStringLiteral("tel.registry"), QStringLiteral("tel.rule")};
    for (const QString &prefix : screening) {
        if (type.startsWith(prefix))
            return QStringLiteral("screening");
    }
    return QStringLiteral("other");
}

QString EventLogModel::summary(const StoredEvent &e)
{
    const QJsonObject p = e.payload;
    auto str = [](const QJsonValue &v) { return v.toVariant().toString(); };
    QString text;
    if (e.type.startsWith(QLatin1String("call."))) {
        // A Telnyx webhook, stored as received: {"data": {"payload": {...}}}.
        const QJsonObject payload =
            p.value(QStringLiteral("data")).toObject().value(QStringLiteral("payload")).toObject();
        QStringList parts;
        const QString from = str(payload.value(QStringLiteral("from")));
        const QString to = str(payload.value(QStringLiteral("to")));
        if (!from.isEmpty() || !to.isEmpty())
            parts << QStringLiteral("%1 → %2").arg(from, to);
        for (const QString &key :
             {QStringLiteral("hangup_cause"), QStringLiteral("status"), QStringLiteral("state")}) {
            const QString value = str(payload.value(key));
            if (!value.isEmpty())
                parts << QStringLiteral("%1 %2").arg(key, value);
        }
        text = parts.isEmpty() ? compact(payload) : parts.join(QStringLiteral(" · "));
    } else if (p.contains(QStringLiteral("decision")) &&
               p.value(QStringLiteral("decision")).isObject()) {
        const QJsonObject d = p.value(QStringLiteral("decision")).toObject();
        text = str(d.value(QStringLiteral("explanation")));
        if (e.type == QLatin1String("tel.owner_decision"))
            text = (p.value(QStringLiteral("accept")).toBool() ? QStringLiteral("accepted: ")
                                                               : QStringLiteral("rejected: ")) +
                   text;
        if (text.isEmpty())
            text = compact(d);
    } else if (e.type == QLatin1String("tel.screen_words")) {
        // A screened caller's words: shown as text (SummaryRole makes it plain), never read.
        text = QStringLiteral("“%1%2” · %3")
                   .arg(str(p.value(QStringLiteral("text"))),
                        p.value(QStringLiteral("final")).toBool() ? QString() : QStringLiteral("…"),
                        str(p.value(QStringLiteral("engine"))));
    } else if (e.type == QLatin1String("tel.call_inbound")) {
        text = QStringLiteral("%1 → %2").arg(str(p.value(QStringLiteral("from"))).isEmpty()
                                                 ? str(p.value(QStringLiteral("raw_from")))
                                                 : str(p.value(QStringLiteral("from"))),
                                             str(p.value(QStringLiteral("to"))));
        const QString name = str(p.value(QStringLiteral("caller_id_name")));
        if (!name.isEmpty())
            text += QStringLiteral(" · ") + name;
    } else if (e.type.startsWith(QLatin1String("tel.command_"))) {
        const QString name = str(p.value(QStringLiteral("command")).isUndefined()
                                     ? p.value(QStringLiteral("name"))
                                     : p.value(QStringLiteral("command")));
        text = name;
        if (p.contains(QStringLiteral("http_status")))
            text +=
                QStringLiteral(" · HTTP %1").arg(p.value(QStringLiteral("http_status")).toInt());
        const QString error = str(p.value(QStringLiteral("error")));
        if (!error.isEmpty())
            text += QStringLiteral(" · ") + error;
    } else if (p.contains(QStringLiteral("state")) &&
               e.type.startsWith(QLatin1String("tel.call_"))) {
        text = str(p.value(QStringLiteral("state")));
        const QString cause = str(p.value(QStringLiteral("cause")));
        if (!cause.isEmpty())
            text += QStringLiteral(" · ") + cause;
    } else if (e.type.startsWith(QLatin1String("tel.voicemail_"))) {
        // Metadata only (the log never holds the words or the audio).
        QStringList parts{
            QStringLiteral("message %1")
                .arg(p.value(QStringLiteral("voicemail_id")).toVariant().toLongLong())};
        if (p.contains(QStringLiteral("duration_ms")) &&
            p.value(QStringLiteral("duration_ms")).toDouble() >= 0) {
            const qint64 secs =
                (qint64(p.value(QStringLiteral("duration_ms")).toDouble()) + 500) / 1000;
            parts << QStringLiteral("%1:%2").arg(secs / 60).arg(secs % 60, 2, 10, QLatin1Char('0'));
        }
        if (const QString sha = str(p.value(QStringLiteral("sha256"))); !sha.isEmpty())
            parts << QStringLiteral("SHA-256 %1…").arg(sha.left(12));
        if (p.contains(QStringLiteral("bytes")))
            parts << QStringLiteral("%1 bytes")
                         .arg(p.value(QStringLiteral("bytes")).toVariant().toLongLong());
        if (p.contains(QStringLiteral("transcript_chars")))
            parts << QStringLiteral("transcript of %1 characters")
                         .arg(p.value(QStringLiteral("transcript_chars")).toInt());
        if (const QString why = str(p.value(QStringLiteral("why"))); !why.isEmpty())
            parts << (p.value(QStringLiteral("remote")).toBool()
                          ? QStringLiteral("by %1, also on Telnyx").arg(why)
                          : QStringLiteral("by %1").arg(why));
        if (const QString reason = str(p.value(QStringLiteral("reason"))); !reason.isEmpty())
            parts << reason;
        text = parts.join(QStringLiteral(" · "));
    } else {
        text = compact(p);
    }
    return DisplayText::plain(text, 200);
}

QVariant EventLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const StoredEvent &e = m_events.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case TypeRole:
        return e.type;
    case SeqRole:
        return e.seq;
    case CategoryRole:
        return category(e.type);
    case CallIdRole:
        return e.callId;
    case CallIdShortRole:
        return e.callId.size() > 12 ? QChar(0x2026) + e.callId.right(12) : e.callId;
    case ActorRole:
        return DisplayText::plain(e.actor, 32);
    case RecordedAtRole:
        return e.recordedAt;
    case TimeTextRole:
        return DisplayText::time(e.recordedAt);
    case SummaryRole:
        return summary(e);
    case HashRole:
        return e.hash;
    case HashShortRole:
        return e.hash.left(12);
    case PrevHashShortRole:
        return e.prevHash.left(12);
    default:
        return {};
    }
}

QHash<int, QByteArray> EventLogModel::roleNames() const
{
    return {{SeqRole, "seq"},
            {TypeRole, "type"},
            {CategoryRole, "category"},
            {CallIdRole, "callId"},
            {CallIdShortRole, "callIdShort"},
            {ActorRole, "actor"},
            {RecordedAtRole, "recordedAt"},
            {TimeTextRole, "timeText"},
            {SummaryRole, "summary"},
            {HashRole, "hash"},
            {HashShortRole, "hashShort"},
            {PrevHashShortRole, "prevHashShort"}};
}

EventQuery EventLogModel::baseQuery() const
{
    EventQuery q;
    q.type = m_typeFilter;
    q.callId = m_callIdFilter;
    q.limit = PageSize;
    return q;
}

bool EventLogModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && m_hasMore && m_database.isOpen();
}

void EventLogModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent) || m_fetching)
        return;
    const QScopedValueRollback<bool> fetching(m_fetching, true);
    EventQuery q = baseQuery();
    q.beforeSeq = m_events.isEmpty() ? 0 : m_events.constLast().seq;
    if (m_events.isEmpty())
        m_newestSeen = qMax<qint64>(m_newestSeen, m_database.store().lastSeq());
    const QList<StoredEvent> page = m_database.store().events(q);
    if (page.isEmpty() && !m_database.store().errorString().isEmpty() &&
        m_database.store().lastSeq() < 0) {
        setError(m_database.store().errorString());
        setHasMore(false);
        return;
    }
    if (!page.isEmpty()) {
        const int first = int(m_events.size());
        beginInsertRows({}, first, first + int(page.size()) - 1);
        m_events.append(page);
        endInsertRows();
        m_newestSeen = qMax(m_newestSeen, m_events.constFirst().seq);
        emit countChanged();
    }
    setHasMore(page.size() == PageSize);
}

void EventLogModel::fetchNewer()
{
    if (m_fetching || (!m_database.isOpen() && !reconnect()))
        return;
    bool farBehind = false;
    qint64 last = 0;
    {
        const QScopedValueRollback<bool> fetching(m_fetching, true);
        last = m_database.store().lastSeq();
        if (last < 0 && reconnect())
            last = m_database.store().lastSeq();
        if (last <= m_newestSeen)
            return;
        EventQuery q = baseQuery();
        q.afterSeq = m_newestSeen;
        q.limit = 1000;
        const QList<StoredEvent> newer = m_database.store().events(q);
        farBehind = newer.size() == q.limit;
        if (!farBehind) {
            m_newestSeen = qMax(last, newer.isEmpty() ? qint64(0) : newer.constFirst().seq);
            if (!newer.isEmpty()) {
                beginInsertRows({}, 0, int(newer.size()) - 1);
                m_events = newer + m_events;
                endInsertRows();
                emit countChanged();
            }
        }
    }
    if (farBehind)
        reload(); // far behind: start again from the newest page
    emit logAdvanced(last);
}

void EventLogModel::loadMore()
{
    fetchMore({});
}

void EventLogModel::reload()
{
    beginResetModel();
    m_events.clear();
    m_newestSeen = 0;
    m_hasMore = m_database.isOpen();
    endResetModel();
    fetchMore({});
    emit countChanged();
    emit hasMoreChanged();
    // A reload (a filter changed) also moves past the events appended since the last look.
    if (m_newestSeen > 0)
        emit logAdvanced(m_newestSeen);
}

void EventLogModel::setTypeFilter(const QString &type)
{
    if (type.trimmed() == m_typeFilter)
        return;
    m_typeFilter = type.trimmed();
    emit filtersChanged();
    reload();
}

void EventLogModel::setCallIdFilter(const QString &callId)
{
    if (callId.trimmed() == m_callIdFilter)
        return;
    m_callIdFilter = callId.trimmed();
    emit filtersChanged();
    reload();
}

void EventLogModel::setLive(bool live)
{
    if (live == isLive())
        return;
    if (live)
        m_pollTimer.start();
    else
        m_pollTimer.stop();
    emit liveChanged();
}

void EventLogModel::setHasMore(bool more)
{
    if (more == m_hasMore)
        return;
    m_hasMore = more;
    emit hasMoreChanged();
}

void EventLogModel::setError(const QString &error)
{
    if (error == m_error)
        return;
    m_error = error;
    emit errorStringChanged();
}

} // namespace kt
