// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QObject>
#include <QString>

#include <functional>

namespace kt {

// Where the dashboard keeps secrets (the Telnyx API key): the system keychain in the app, an
// in-memory store in tests. Every operation is asynchronous and calls `done` exactly once, in
// the store's thread, later (never from inside the call); not at all when the store is
// destroyed first.
class SecretStore : public QObject
{
    Q_OBJECT
public:
    struct Result
    {
        bool ok = false;
        bool notFound = false; // read/remove: there is no such secret (ok is false)
        QString value;         // read: the secret
        QString error;         // !ok: one sentence, never containing the secret
    };
    using Callback = std::function<void(const Result &)>;

    using QObject::QObject;

    // For messages: "the system keychain".
    virtual QString displayName() const = 0;
    virtual void read(const QString &key, Callback done) = 0;
    virtual void write(const QString &key, const QString &value, Callback done) = 0;
    virtual void remove(const QString &key, Callback done) = 0;

    // Reads `key`, waiting (with a local event loop) at most `timeoutMs`. For the start-up, before
    // any window exists. A timeout is an error.
    Result readNow(const QString &key, int timeoutMs);
};

// The OS keychain through QtKeychain (Secret Service / KWallet on Linux, the Credential Manager
// on Windows, the Keychain on macOS), under the service name `service`. Never falls back to a
// plain-text file: without a keychain the operations fail.
class KeychainSecretStore : public SecretStore
{
    Q_OBJECT
public:
    static constexpr const char *DefaultService = "kevan-tel";

    explicit KeychainSecretStore(const QString &service = QString::fromLatin1(DefaultService),
                                 QObject *parent = nullptr);

    QString displayName() const override;
    void read(const QString &key, Callback done) override;
    void write(const QString &key, const QString &value, Callback done) override;
    void remove(const QString &key, Callback done) override;

private:
    QString m_service;
};

// Secrets in memory, for tests: `setFailure()` makes every later operation fail with that
// message (as a keychain without a daemon does).
class MemorySecretStore : public SecretStore
{
    Q_OBJECT
public:
    using SecretStore::SecretStore;

    QString displayName() const override { return QStringLiteral("the test keychain"); }
    void read(const QString &key, Callback done) override;
    void write(const QString &key, const QString &value, Callback done) override;
    void remove(const QString &key, Callback done) override;

    void setFailure(const QString &error) { m_failure = error; }
    QHash<QString, QString> secrets() const { return m_secrets; }
    void setSecret(const QString &key, const QString &value) { m_secrets.insert(key, value); }

private:
    void reply(Callback done, const Result &result);

    QHash<QString, QString> m_secrets;
    QString m_failure;
};

} // namespace kt
