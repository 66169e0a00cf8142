// SPDX-License-Identifier: GPL-3.0-or-later
#include "secretstore.h"

#include <QEventLoop>
#include <QPointer>
#include <QTimer>

#include <qt6keychain/keychain.h>

#include <memory>

namespace kt {

SecretStore::Result SecretStore::readNow(const QString &key, int timeoutMs)
{
    QEventLoop loop;
    auto result = std::make_shared<Result>();
    auto finished = std::make_shared<bool>(false);
    result->error = QStringLiteral("%1 did not answer within %2 seconds")
                        .arg(displayName())
                        .arg(timeoutMs / 1000);
    // The loop may be gone when a late answer comes (after the timeout).
    QPointer<QEventLoop> guard(&loop);
    read(key, [guard, result, finished](const Result &r) {
        *result = r;
        *finished = true;
        if (guard)
            guard->quit();
    });
    if (!*finished) {
        QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return *result;
}

KeychainSecretStore::KeychainSecretStore(const QString &service, QObject *parent)
    : SecretStore(parent), m_service(service)
{}

QString KeychainSecretStore::displayName() const
{
    return tr("the system keychain");
}

namespace {
SecretStore::Result resultOf(QKeychain::Job *job, const QString &store)
{
    SecretStore::Result r;
    r.ok = job->error() == QKeychain::NoError;
    r.notFound = job->error() == QKeychain::EntryNotFound;
    if (!r.ok && !r.notFound) {
        const QString detail = job->errorString().trimmed();
        switch (job->error()) {
        case QKeychain::NoBackendAvailable:
            r.error = QObject::tr("%1 is not available").arg(store);
            break;
        case QKeychain::AccessDeniedByUser:
        case QKeychain::AccessDenied:
            r.error = QObject::tr("%1 refused access").arg(store);
            break;
        default:
            r.error = QObject::tr("%1 is not available").arg(store);
            break;
        }
        if (!detail.isEmpty())
            r.error += QStringLiteral(" (%1)").arg(detail.left(200));
    }
    return r;
}
} // namespace

void KeychainSecretStore::read(const QString &key, Callback done)
{
    auto *job = new QKeychain::ReadPasswordJob(m_service, this);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(key);
    const QString name = displayName();
    connect(job, &QKeychain::Job::finished, this,
            [done = std::move(done), name](QKeychain::Job *j) {
                Result r = resultOf(j, name);
                if (r.ok)
                    r.value = static_cast<QKeychain::ReadPasswordJob *>(j)->textData();
                done(r);
            });
    job->start();
}

void KeychainSecretStore::write(const QString &key, const QString &value, Callback done)
{
    auto *job = new QKeychain::WritePasswordJob(m_service, this);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(key);
    job->setTextData(value);
    const QString name = displayName();
    connect(job, &QKeychain::Job::finished, this,
            [done = std::move(done), name](QKeychain::Job *j) { done(resultOf(j, name)); });
    job->start();
}

void KeychainSecretStore::remove(const QString &key, Callback done)
{
    auto *job = new QKeychain::DeletePasswordJob(m_service, this);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(key);
    const QString name = displayName();
    connect(job, &QKeychain::Job::finished, this,
            [done = std::move(done), name](QKeychain::Job *j) { done(resultOf(j, name)); });
    job->start();
}

void MemorySecretStore::reply(Callback done, const Result &result)
{
    QTimer::singleShot(0, this, [done = std::move(done), result] { done(result); });
}

void MemorySecretStore::read(const QString &key, Callback done)
{
    Result r;
    if (!m_failure.isEmpty()) {
        r.error = m_failure;
    } else if (!m_secrets.contains(key)) {
        r.notFound = true;
    } else {
        r.ok = true;
        r.value = m_secrets.value(key);
    }
    reply(std::move(done), r);
}

void MemorySecretStore::write(const QString &key, const QString &value, Callback done)
{
    Result r;
    if (!m_failure.isEmpty()) {
        r.error = m_failure;
    } else {
        m_secrets.insert(key, value);
        r.ok = true;
    }
    reply(std::move(done), r);
}

void MemorySecretStore::remove(const QString &key, Callback done)
{
    Result r;
    if (!m_failure.isEmpty()) {
        r.error = m_failure;
    } else if (!m_secrets.remove(key)) {
        r.notFound = true;
    } else {
        r.ok = true;
    }
    reply(std::move(done), r);
}

} // namespace kt
