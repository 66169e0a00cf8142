// SPDX-License-Identifier: GPL-3.0-or-later
#include "calldetailmodel.h"

#include "displaytext.h"
#include "eventlogmodel.h"
#include "store/eventstore.h"

namespace kt {
namespace {
QDateTime eventTime(const StoredEvent &e)
{
    const QDateTime t = DisplayText::parseTime(e.occurredAt);
    return t.isValid() ? t : DisplayText::parseTime(e.recordedAt);
}
} // namespace

CallDetailModel::CallDetailModel(QObject *parent) : QAbstractListModel(parent)
{
    m_reloadTimer.setSingleShot(true);
    m_reloadTimer.setInterval(250);
    connect(&m_reloadTimer, &QTimer::timeout, this, &CallDetailModel::reload);
}

bool CallDetailModel::open(const QString &path)
{
    if (!m_database.open(path, QStringLiteral("calldetail"))) {
        m_error = m_database.errorString();
        return false;
    }
    m_error.clear();
    return true;
}

int CallDetailModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_events.size());
}

QHash<int, QByteArray> CallDetailModel::roleNames() const
{
    return {{SeqRole, "seq"},
            {TypeRole, "type"},
            {TypeTextRole, "typeText"},
            {CategoryRole, "category"},
            {ActorRole, "actor"},
            {TimeTextRole, "timeText"},
            {OffsetTextRole, "offsetText"},
            {SummaryRole, "summary"}};
}

QString CallDetailModel::typeText(const QString &type)
{
    static const QHash<QString, QString> names{
        {QStringLiteral("call.initiated"), tr("Telnyx: call arrived")},
        {QStringLiteral("call.answered"), tr("Telnyx: answered")},
        {QStringLiteral("call.hangup"), tr("Telnyx: hung up")},
        {QStringLiteral("call.speak.started"), tr("Telnyx: message started")},
        {QStringLiteral("call.speak.ended"), tr("Telnyx: message ended")},
        {QStringLiteral("call.bridged"), tr("Telnyx: connected")},
        {QStringLiteral("call.transfer.initiated"), tr("Telnyx: forwarding")},
        {QStringLiteral("tel.call_inbound"), tr("Caller identified")},
        {QStringLiteral("tel.call_authenticated"), tr("Decision: authenticated")},
        {QStringLiteral("tel.call_allowlisted"), tr("Decision: allowed")},
        {QStringLiteral("tel.call_blocked"), tr("Decision: blocked")},
        {QStringLiteral("tel.call_rejected"), tr("Decision: rejected")},
        {QStringLiteral("tel.call_ask"), tr("Decision: ask you")},
        {QStringLiteral("tel.call_challenge"), tr("Decision: ask for the PIN")},
        {QStringLiteral("tel.call_voicemail"), tr("Decision: take a message")},
        {QStringLiteral("call.gather.ended"), tr("Telnyx: keys entered (redacted)")},
        {QStringLiteral("call.dtmf.received"), tr("Telnyx: key pressed (redacted)")},
        {QStringLiteral("tel.pin_verified"), tr("PIN right")},
        {QStringLiteral("tel.pin_failed"), tr("PIN try failed")},
        {QStringLiteral("tel.pin_locked"), tr("PIN locked: too many wrong tries")},
        {QStringLiteral("tel.owner_decision"), tr("Your decision")},
        {QStringLiteral("tel.ask_timeout"), tr("No answer from you in time")},
        {QStringLiteral("call.transcription"), tr("Telnyx: words heard")},
        {QStringLiteral("call.deepfake_detection.result"), tr("Telnyx: deepfake verdict")},
        {QStringLiteral("tel.screen_words"), tr("The caller said")},
        {QStringLiteral("tel.screen_deepfake"), tr("Deepfake hint")},
        {QStringLiteral("tel.screen_silence"), tr("Silence: asked the caller again")},
        {QStringLiteral("tel.call_forwarded"), tr("Forwarded to you")},
        {QStringLiteral("tel.call_ended"), tr("Call ended")},
        {QStringLiteral("tel.call_failed"), tr("Call failed")},
        {QStringLiteral("tel.call_state"), tr("Call state")},
        {QStringLiteral("tel.rule_consumed"), tr("Single-use rule used")},
        {QStringLiteral("tel.voicemail_recorded"), tr("Voicemail recorded")},
        {QStringLiteral("tel.voicemail_downloaded"), tr("Voicemail downloaded")},
        {QStringLiteral("tel.voicemail_transcribed"), tr("Voicemail transcribed")},
        {QStringLiteral("tel.voicemail_heard"), tr("Voicemail heard")},
        {QStringLiteral("tel.voicemail_deleted"), tr("Voicemail deleted")},
        {QStringLiteral("tel.voicemail_error"), tr("Voicemail failed")},
    };
    const auto it = names.constFind(type);
    if (it != names.constEnd())
        return *it;
    if (type.startsWith(QLatin1String("tel.command_")))
        return tr("Command: %1").arg(type.mid(12).replace(QLatin1Char('_'), QLatin1Char(' ')));
    return DisplayText::plain(type);
}

QVariant CallDetailModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const StoredEvent &e = m_events.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case SummaryRole:
        return DisplayText::plain(EventLogModel::summary(e), 240);
    case SeqRole:
        return e.seq;
    case TypeRole:
        return e.type;
    case TypeTextRole:
        return typeText(e.type);
    case CategoryRole:
        return EventLogModel::category(e.type);
    case ActorRole:
        return DisplayText::plain(e.actor, 32);
    case TimeTextRole: {
        const QDateTime t = eventTime(e);
        return t.isValid() ? t.toLocalTime().toString(QStringLiteral("HH:mm:ss")) : QString();
    }
    case OffsetTextRole: {
        if (index.row() == 0)
            return QString();
        const QDateTime first = eventTime(m_events.constFirst());
        const QDateTime t = eventTime(e);
        if (!first.isValid() || !t.isValid())
            return QString();
        const double secs = first.msecsTo(t) / 1000.0;
        return secs < 60 ? QStringLiteral("+%1 s").arg(secs, 0, 'f', 1)
                         : QStringLiteral("+%1").arg(DisplayText::duration(
                               first.toString(Qt::ISODateWithMs), t.toString(Qt::ISODateWithMs)));
    }
    default:
        return {};
    }
}

QVariant CallDetailModel::value(int row, const QString &roleName) const
{
    const int role = roleNames().key(roleName.toUtf8(), -1);
    if (role < 0 || row < 0 || row >= m_events.size())
        return {};
    return data(index(row), role);
}

void CallDetailModel::load(const QString &callId)
{
    m_callId = callId;
    reload();
}

void CallDetailModel::scheduleReload()
{
    if (!m_callId.isEmpty() && !m_reloadTimer.isActive())
        m_reloadTimer.start();
}

void CallDetailModel::clear()
{
    m_reloadTimer.stop();
    beginResetModel();
    m_callId.clear();
    m_found = false;
    m_call.clear();
    m_explanation.clear();
    m_events.clear();
    endResetModel();
    emit loaded();
}

void CallDetailModel::reload()
{
    m_reloadTimer.stop();
    QList<StoredEvent> events;
    QVariantMap call;
    QString explanation;
    bool found = false;
    m_error.clear();
    if (!m_database.isOpen()) {
        m_error = tr("the event log is not open");
    } else if (!m_callId.isEmpty()) {
        EventStore &store = m_database.store();
        if (const auto record = store.call(m_callId)) {
            found = true;
            const QHash<int, QByteArray> names = CallRoles::roleNames();
            for (auto it = names.cbegin(); it != names.cend(); ++it)
                call.insert(QString::fromUtf8(it.value()),
                            CallRoles::data(*record, it.key(), m_context));
        }
        events = store.eventsForCall(m_callId);
        for (auto it = events.crbegin(); it != events.crend(); ++it) {
            const QString text = it->payload.value(QStringLiteral("decision"))
                                     .toObject()
                                     .value(QStringLiteral("explanation"))
                                     .toString();
            if (!text.isEmpty()) {
                explanation = DisplayText::plain(text, 400);
                break;
            }
        }
        if (!found && events.isEmpty() && m_error.isEmpty())
            m_error = tr("This call is not in the event log (yet).");
    }
    beginResetModel();
    m_events = events;
    m_call = call;
    m_found = found;
    m_explanation = explanation;
    endResetModel();
    emit loaded();
}

} // namespace kt
