// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "codeenums.h"

#include "telnyx/retrypolicy.h"

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QUrl>
#include <QtQml/qqmlregistration.h>

namespace kt {

class CallControlClient;
class EngineController;
class SecretStore;

// "Test connection" (Settings, first-run setup): lists the account's phone numbers with an API
// key (CallControlClient::listPhoneNumbers, in the UI thread; non-blocking) and shows how many
// there are, or the Telnyx error (status, code and title; never the key). After a successful
// test, syncNumbers() merges the numbers into the number map in the engine thread
// (EngineController::syncNumbers).
//
// The key tested: the one typed (test(typedKey)), else the one the app runs with, else the one
// stored in the keychain.
class ConnectionTester : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("the app creates it")
    Q_PROPERTY(kt::ConnectionTestState::Value state READ state NOTIFY changed)
    Q_PROPERTY(QString message READ message NOTIFY changed)
    Q_PROPERTY(int numberCount READ numberCount NOTIFY changed)
    Q_PROPERTY(bool canSync READ canSync NOTIFY changed)
    // Whether "Sync number map" is offered at all (there is an engine controller; not in the demo).
    Q_PROPERTY(bool syncAvailable READ syncAvailable CONSTANT)
    Q_PROPERTY(bool syncing READ isSyncing NOTIFY changed)
    Q_PROPERTY(QString syncMessage READ syncMessage NOTIFY changed)
    Q_PROPERTY(bool syncOk READ syncOk NOTIFY changed)
public:
    // `apiUrl`: the Telnyx API (Config::telnyxApiUrl). `runningKey`: the key the app runs with
    // (empty in the demo). `secrets`, `controller`: not owned, may be null (no controller: no
    // sync, e.g. in the demo, whose number map is not the account's).
    ConnectionTester(const QUrl &apiUrl, const QString &runningKey, SecretStore *secrets,
                     EngineController *controller, QObject *parent = nullptr);
    ~ConnectionTester() override;

    ConnectionTestState::Value state() const { return m_state; }
    QString message() const { return m_message; }
    int numberCount() const { return int(m_records.size()); }
    bool canSync() const;
    bool syncAvailable() const { return !m_controller.isNull(); }
    bool isSyncing() const { return m_syncRequest != 0; }
    QString syncMessage() const { return m_syncMessage; }
    bool syncOk() const { return m_syncOk; }
    // The records of the last successful test.
    QList<QJsonObject> records() const { return m_records; }

    void setRetryPolicy(const RetryPolicy &policy);

    // Starts a test; false (nothing started) while one runs. The outcome: tested(ok).
    Q_INVOKABLE bool test(const QString &typedKey = QString());
    // Merges the listed numbers into the number map; false when there is nothing to merge, no
    // engine, or a sync runs. The outcome: synced(ok), syncMessage.
    Q_INVOKABLE bool syncNumbers();

signals:
    void changed();
    void tested(bool ok);
    void synced(bool ok);

private:
    void startWith(const QString &key);
    void finishTest(bool ok, const QString &message);

    CallControlClient *m_client;
    QPointer<SecretStore> m_secrets;
    QPointer<EngineController> m_controller;
    QString m_runningKey;
    QString m_key; // the key under test (to keep it out of every message)
    ConnectionTestState::Value m_state = ConnectionTestState::Idle;
    QString m_message;
    QList<QJsonObject> m_records;
    int m_syncRequest = 0;
    QString m_syncMessage;
    bool m_syncOk = false;
};

} // namespace kt
