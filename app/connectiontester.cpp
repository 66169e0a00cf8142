// SPDX-License-Identifier: GPL-3.0-or-later
#include "connectiontester.h"

#include "enginecontroller.h"
#include "platform/secretstore.h"
#include "settingscontroller.h"
#include "telnyx/callcontrolclient.h"

namespace kt {

ConnectionTester::ConnectionTester(const QUrl &apiUrl, const QString &runningKey,
                                   SecretStore *secrets, EngineController *controller,
                                   QObject *parent)
    : QObject(parent), m_client(new CallControlClient(this)), m_secrets(secrets),
      m_controller(controller), m_runningKey(runningKey.trimmed())
{
    m_client->setBaseUrl(apiUrl);
    // One retry, and time for a slow answer: a test, not a call on hold.
    RetryPolicy policy;
    policy.maxAttempts = 2;
    policy.hedgeAfterMs = 0;
    policy.responseTimeoutMs = 15000;
    policy.totalBudgetMs = 40000;
    m_client->setRetryPolicy(policy);
    connect(m_client, &CallControlClient::phoneNumbersListed, this,
            [this](bool ok, const QList<QJsonObject> &records, const QString &error) {
                if (!ok) {
                    m_records.clear();
                    finishTest(false, tr("Telnyx answered: %1").arg(error));
                    return;
                }
                m_records = records;
                finishTest(true,
                           records.size() == 1
                               ? tr("Connected: 1 number on the account")
                               : tr("Connected: %1 numbers on the account").arg(records.size()));
            });
    if (m_controller) {
        connect(m_controller, &EngineController::actionFinished, this,
                [this](int requestId, const QString &, bool ok, const QString &message) {
                    if (requestId != m_syncRequest)
                        return;
                    m_syncRequest = 0;
                    m_syncOk = ok;
                    m_syncMessage =
                        ok ? message : tr("The numbers were not synced: %1").arg(message);
                    emit changed();
                    emit synced(ok);
                });
    }
}

ConnectionTester::~ConnectionTester() = default;

void ConnectionTester::setRetryPolicy(const RetryPolicy &policy)
{
    m_client->setRetryPolicy(policy);
}

bool ConnectionTester::canSync() const
{
    return m_state == ConnectionTestState::Ok && !m_records.isEmpty() && m_controller &&
           m_controller->engineAttached() && m_syncRequest == 0;
}

bool ConnectionTester::test(const QString &typedKey)
{
    if (m_state == ConnectionTestState::Testing)
        return false;
    m_state = ConnectionTestState::Testing;
    m_message = tr("Contacting Telnyx…");
    m_records.clear();
    m_syncMessage.clear();
    emit changed();

    const QString typed = typedKey.trimmed();
    if (!typed.isEmpty()) {
        startWith(typed);
        return true;
    }
    if (!m_runningKey.isEmpty()) {
        startWith(m_runningKey);
        return true;
    }
    if (!m_secrets) {
        finishTest(false, tr("No API key to test: type yours in the API key field."));
        return true;
    }
    QPointer<ConnectionTester> self(this);
    m_secrets->read(QString::fromLatin1(SettingsController::ApiKeySecret),
                    [self](const SecretStore::Result &r) {
                        if (!self)
                            return;
                        if (r.ok && !r.value.trimmed().isEmpty())
                            self->startWith(r.value.trimmed());
                        else
                            self->finishTest(false, tr("No API key to test: type yours in the "
                                                       "API key field."));
                    });
    return true;
}

void ConnectionTester::startWith(const QString &key)
{
    m_key = key;
    m_client->setApiKey(key);
    m_client->listPhoneNumbers();
}

void ConnectionTester::finishTest(bool ok, const QString &message)
{
    QString text = message;
    if (m_key.size() >= 8) // a real key; a stray letter would garble the message
        text.replace(m_key, QStringLiteral("…")); // the client scrubs it already; twice is safe
    m_key.clear();
    m_client->setApiKey(QString());
    m_state = ok ? ConnectionTestState::Ok : ConnectionTestState::Failed;
    m_message = text;
    emit changed();
    emit tested(ok);
}

bool ConnectionTester::syncNumbers()
{
    if (!canSync())
        return false;
    m_syncMessage = tr("Syncing %1 numbers…").arg(m_records.size());
    m_syncOk = false;
    m_syncRequest = m_controller->syncNumbers(m_records);
    emit changed();
    return true;
}

} // namespace kt
