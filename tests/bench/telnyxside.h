// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "latencystats.h"
#include "webhookmix.h"

#include <QByteArray>
#include <QHash>
#include <QMutex>
#include <QObject>
#include <QSet>
#include <QStringList>
#include <QThread>
#include <QTimer>
#include <QUrl>

#include <memory>

namespace kt {
class TelnyxSimulator;
struct ReceivedRequest;
} // namespace kt

namespace kt::bench {

// The fake Telnyx of a benchmark (kt::TelnyxSimulator), in its own thread: it answers the
// engine's Call Control commands and drives its calls. Its webhooks are not posted by the
// simulator's own sender (one delivery at a time); they come out of relayReady(), signed, and the
// load generator sends them over its keep-alive connections.
//
// Decision latency: markInitiated() notes when a call's call.initiated was written to the
// engine; the first command for that call arriving here closes the measurement.
class TelnyxSide : public QObject
{
    Q_OBJECT
public:
    TelnyxSide();
    ~TelnyxSide() override;

    bool start(); // starts the thread and the simulator; false if it cannot listen
    void stop();

    QUrl baseUrl() const { return m_baseUrl; }
    QString apiKey() const;
    QByteArray publicKey() const; // raw 32 bytes
    QByteArray signingSeed() const;

    // Creates `count` parked calls (callers unknown to the engine, called numbers from
    // `toNumbers`) without announcing them: their events are built and signed by WebhookMix.
    // Events the simulator makes for them later (after the engine's commands) are dropped.
    QList<MixCall> createCalls(int count, const QStringList &toNumbers);

    // Places `perSecond` inbound calls per second until stopCalls(); every webhook of those
    // calls comes out of relayReady(), signed for `mix`'s server.
    void startCalls(double perSecond, const QStringList &toNumbers, const WebhookMix &mix);
    // Stops placing calls; returns how many were placed.
    qint64 stopCalls();

    // Thread-safe.
    void markInitiated(const QString &callControlId, qint64 writtenNs);
    LatencyStats takeDecisionLatencies(qint64 *unanswered = nullptr);
    qint64 commandCount() const;

signals:
    // Emitted in the simulator's thread.
    void relayReady(const QByteArray &request, const QString &callControlId, bool initiated);

private:
    void onEvent(const QString &eventType, const QJsonObject &payload, const QString &occurredAt);
    void onCommand(const ReceivedRequest &command);
    void placeDueCalls();
    void scheduleNextCall(); // the call timer, for when the next call is due

    QThread m_thread;
    TelnyxSimulator *m_simulator = nullptr; // lives in m_thread
    QTimer *m_callTimer = nullptr;          // likewise
    QUrl m_baseUrl;

    // Simulator thread only.
    QSet<QString> m_silent;
    std::unique_ptr<WebhookMix> m_relayMix;
    QStringList m_toNumbers;
    double m_perSecond = 0;
    qint64 m_callsStartNs = 0;
    qint64 m_placed = 0;
    quint32 m_callerSeq = 0;

    mutable QMutex m_mutex; // guards the below
    QHash<QString, qint64> m_initiatedAt;
    LatencyStats m_decision;
    qint64 m_commands = 0;
};

} // namespace kt::bench
