// SPDX-License-Identifier: GPL-3.0-or-later
#include "telnyxside.h"

#include "simulator/telnyxsimulator.h"

#include <QJsonDocument>
#include <QMetaObject>
#include <QUuid>

#include <algorithm>
#include <cmath>
#include <limits>

namespace kt::bench {
namespace {
// A caller the engine does not know: +1 555 01x xxxx style numbers, all distinct.
QString callerNumber(quint32 n)
{
    return QStringLiteral("+1404%1").arg(2000000 + n % 7999999, 7, 10, QLatin1Char('0'));
}
} // namespace

TelnyxSide::TelnyxSide()
{
    m_thread.setObjectName(QStringLiteral("telnyx"));
}

TelnyxSide::~TelnyxSide()
{
    stop();
}

bool TelnyxSide::start()
{
    m_thread.start();
    bool ok = false;
    // Create everything in the simulator's thread.
    QObject *context = new QObject;
    context->moveToThread(&m_thread);
    QMetaObject::invokeMethod(
        context,
        [this, &ok] {
            m_simulator = new TelnyxSimulator;
            m_simulator->setLogLimit(50); // its request log is a list trimmed at the front
            // It forgets finished calls beyond maxCalls by scanning all of them per new call:
            // quadratic with thousands of calls under way. Keep them all instead.
            m_simulator->behaviour().maxCalls = std::numeric_limits<int>::max();
            QObject::disconnect(m_simulator->calls(), nullptr, m_simulator->webhookSender(),
                                nullptr);
            connect(m_simulator->calls(), &CallSimulation::eventReady, m_simulator,
                    [this](const QString &type, const QJsonObject &payload, const QString &at) {
                        onEvent(type, payload, at);
                    });
            connect(m_simulator, &TelnyxSimulator::commandReceived, m_simulator,
                    [this](const ReceivedRequest &command) { onCommand(command); });
            m_callTimer = new QTimer(m_simulator);
            m_callTimer->setTimerType(Qt::PreciseTimer);
            m_callTimer->setSingleShot(true); // set for the next call due: no idle wake-ups
            connect(m_callTimer, &QTimer::timeout, m_simulator, [this] { placeDueCalls(); });
            ok = m_simulator->start();
            m_baseUrl = m_simulator->baseUrl();
        },
        Qt::BlockingQueuedConnection);
    context->deleteLater();
    return ok;
}

void TelnyxSide::stop()
{
    if (!m_thread.isRunning())
        return;
    QMetaObject::invokeMethod(
        m_simulator,
        [this] {
            delete m_simulator;
            m_simulator = nullptr;
            m_callTimer = nullptr;
        },
        Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

QString TelnyxSide::apiKey() const
{
    return QString::fromLatin1(TelnyxSimulator::DefaultApiKey);
}

QByteArray TelnyxSide::publicKey() const
{
    return QByteArray::fromBase64(TelnyxSimulator::DefaultPublicKeyBase64);
}

QByteArray TelnyxSide::signingSeed() const
{
    return QByteArray::fromBase64(TelnyxSimulator::DefaultSeedBase64);
}

QList<MixCall> TelnyxSide::createCalls(int count, const QStringList &toNumbers)
{
    QList<MixCall> calls;
    QMetaObject::invokeMethod(
        m_simulator,
        [&] {
            calls.reserve(count);
            for (int i = 0; i < count; ++i) {
                const QString from = callerNumber(m_callerSeq++);
                const QString to = toNumbers.at(i % toNumbers.size());
                const QString id = m_simulator->startInboundCall(from, to);
                m_silent.insert(id);
                const SimulatedCall *c = m_simulator->call(id);
                calls.append({id, c->callLegId, c->callSessionId, c->connectionId, from, to});
            }
        },
        Qt::BlockingQueuedConnection);
    return calls;
}

void TelnyxSide::startCalls(double perSecond, const QStringList &toNumbers, const WebhookMix &mix)
{
    QMetaObject::invokeMethod(
        m_simulator,
        [this, perSecond, toNumbers, mix] {
            m_relayMix = std::make_unique<WebhookMix>(mix);
            m_toNumbers = toNumbers;
            m_perSecond = perSecond;
            m_placed = 0;
            m_callsStartNs = nowNs();
            scheduleNextCall();
        },
        Qt::BlockingQueuedConnection);
}

qint64 TelnyxSide::stopCalls()
{
    qint64 placed = 0;
    QMetaObject::invokeMethod(
        m_simulator,
        [this, &placed] {
            m_callTimer->stop();
            placed = m_placed;
        },
        Qt::BlockingQueuedConnection);
    return placed;
}

void TelnyxSide::placeDueCalls()
{
    const double elapsed = double(nowNs() - m_callsStartNs) / 1e9;
    const auto due = qint64(elapsed * m_perSecond);
    while (m_placed < due) {
        const QString from = callerNumber(m_callerSeq++);
        const QString to = m_toNumbers.at(int(m_placed % m_toNumbers.size()));
        InboundCallOptions options;
        options.shakenStirAttestation = QStringLiteral("B");
        options.shakenStirValidated = true;
        m_simulator->startInboundCall(from, to, options);
        ++m_placed;
    }
    scheduleNextCall();
}

void TelnyxSide::scheduleNextCall()
{
    // Call n + 1 is due (n + 1) / perSecond seconds after the start.
    const double dueNs = double(m_placed + 1) / m_perSecond * 1e9;
    const double waitMs = (dueNs - double(nowNs() - m_callsStartNs)) / 1e6;
    m_callTimer->start(std::max(0, int(std::ceil(waitMs))));
}

void TelnyxSide::onEvent(const QString &eventType, const QJsonObject &payload,
                         const QString &occurredAt)
{
    const QString id = payload.value(QLatin1String("call_control_id")).toString();
    if (m_silent.contains(id) || !m_relayMix)
        return;
    const QJsonObject data{
        {QStringLiteral("event_type"), eventType},
        {QStringLiteral("id"), QUuid::createUuid().toString(QUuid::WithoutBraces)},
        {QStringLiteral("occurred_at"), occurredAt},
        {QStringLiteral("payload"), payload},
        {QStringLiteral("record_type"), QStringLiteral("event")}};
    const QByteArray body = WebhookSender::envelope(data, 1, QUrl());
    const bool initiated = eventType == QLatin1String("call.initiated");
    emit relayReady(m_relayMix->signedRequest(body, id, initiated).bytes, id, initiated);
}

void TelnyxSide::onCommand(const ReceivedRequest &command)
{
    // Its arrival, not the end of the simulator's handling (which signs the webhooks the
    // command causes).
    const qint64 now = command.receivedNs > 0 ? command.receivedNs : nowNs();
    QMutexLocker lock(&m_mutex);
    ++m_commands;
    const auto it = m_initiatedAt.find(command.callControlId);
    if (it == m_initiatedAt.end() || it.value() == 0)
        return;
    m_decision.add(now - it.value());
    it.value() = 0; // only the first command counts
}

void TelnyxSide::markInitiated(const QString &callControlId, qint64 writtenNs)
{
    QMutexLocker lock(&m_mutex);
    if (!m_initiatedAt.contains(callControlId))
        m_initiatedAt.insert(callControlId, writtenNs);
}

LatencyStats TelnyxSide::takeDecisionLatencies(qint64 *unanswered)
{
    QMutexLocker lock(&m_mutex);
    LatencyStats out = m_decision;
    if (unanswered) {
        *unanswered = 0;
        for (auto it = m_initiatedAt.cbegin(); it != m_initiatedAt.cend(); ++it)
            *unanswered += it.value() != 0;
    }
    m_decision.clear();
    m_initiatedAt.clear();
    return out;
}

qint64 TelnyxSide::commandCount() const
{
    QMutexLocker lock(&m_mutex);
    return m_commands;
}

} // namespace kt::bench
