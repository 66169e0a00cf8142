// SPDX-License-Identifier: GPL-3.0-or-later
#include "walcheckpointer.h"

#include "sqlquery.h"

#include <QFileInfo>
#include <QLoggingCategory>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimer>
#include <QUrl>

#include <utility>

Q_LOGGING_CATEGORY(lcCheckpoint, "kevantel.store.checkpoint", QtInfoMsg)

namespace kt {

class WalCheckpointer::Worker : public QObject
{
public:
    Worker(WalCheckpointer &owner, const QString &path)
        : m_owner(owner), m_path(path), m_timer(this),
          m_connection(QStringLiteral("wal-checkpointer-%1")
                           .arg(quintptr(this), 0, 16)) // unique per instance
    {
        m_timer.setSingleShot(true);
        connect(&m_timer, &QTimer::timeout, this, &Worker::checkpoint);
    }

    ~Worker() override
    {
        {
            QSqlDatabase db = QSqlDatabase::database(m_connection, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(m_connection);
    }

    bool open(QString *error)
    {
        if (!QFileInfo::exists(m_path)) {
            *error = QStringLiteral("cannot open %1 for checkpoints: no such file").arg(m_path);
            return false;
        }
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
        // mode=rw: never create the file; no busy handler: a PASSIVE checkpoint never waits.
        QUrl uri = QUrl::fromLocalFile(QFileInfo(m_path).absoluteFilePath());
        uri.setQuery(QStringLiteral("mode=rw"));
        db.setDatabaseName(uri.toString(QUrl::FullyEncoded));
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_URI"));
        if (!db.open()) {
            *error = QStringLiteral("cannot open %1 for checkpoints: %2")
                         .arg(m_path, sql::errorText(db.lastError()));
            return false;
        }
        return true;
    }

    void schedule()
    {
        if (!m_timer.isActive())
            m_timer.start(DelayMs);
    }

    // One PASSIVE checkpoint, of everything committed before it starts.
    void checkpoint()
    {
        m_timer.stop();
        m_owner.m_pending.store(false); // a commit from now on schedules the next one
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        QSqlQuery q(db);
        if (!q.exec(QStringLiteral("PRAGMA wal_checkpoint(PASSIVE)")) || !q.next()) {
            m_owner.noteResult(false, 0, sql::errorText(q));
            return;
        }
        // (busy, frames in the log, frames copied back in all); -1 when not in WAL mode.
        const qint64 copied = q.value(2).toLongLong();
        q.finish();
        // Once all of the log was copied back, the writer starts it again from its beginning,
        // and the counts with it.
        const qint64 copiedNow = copied >= m_lastCopied ? copied - m_lastCopied : copied;
        m_lastCopied = qMax<qint64>(0, copied);
        m_owner.noteResult(true, qMax<qint64>(0, copiedNow), QString());
    }

    // At stop: the checkpoint a commit still waits for, now.
    void finish()
    {
        if (m_owner.m_pending.load() || m_timer.isActive())
            checkpoint();
        m_timer.stop();
    }

private:
    WalCheckpointer &m_owner;
    QString m_path;
    QTimer m_timer; // a child, so that it moves to the thread with the worker
    QString m_connection;
    qint64 m_lastCopied = 0;
};

WalCheckpointer::WalCheckpointer(QString databasePath, QObject *parent)
    : QObject(parent), m_path(std::move(databasePath))
{
    m_thread.setObjectName(QStringLiteral("wal-checkpoint"));
}

WalCheckpointer::~WalCheckpointer()
{
    stop();
}

bool WalCheckpointer::start(QString *error)
{
    if (m_thread.isRunning())
        return true;
    m_thread.start(QThread::LowPriority);
    m_worker = new Worker(*this, m_path);
    m_worker->moveToThread(&m_thread);
    bool ok = false;
    QString why;
    QMetaObject::invokeMethod(
        m_worker,
        [this, &ok, &why] {
            ok = m_worker->open(&why);
            if (!ok) {
                delete m_worker; // in its thread, where its connection was made
                m_worker = nullptr;
            }
        },
        Qt::BlockingQueuedConnection);
    if (!ok) {
        m_thread.quit();
        m_thread.wait();
        if (error)
            *error = why;
        return false;
    }
    return true;
}

void WalCheckpointer::stop()
{
    if (!m_thread.isRunning())
        return;
    if (m_worker) {
        QMetaObject::invokeMethod(
            m_worker,
            [this] {
                m_worker->finish();
                delete m_worker;
                m_worker = nullptr;
            },
            Qt::BlockingQueuedConnection);
    }
    m_thread.quit();
    m_thread.wait();
}

void WalCheckpointer::noteCommit()
{
    if (!m_worker || m_pending.exchange(true))
        return; // not running, or a checkpoint is already on its way
    Worker *worker = m_worker;
    QMetaObject::invokeMethod(
        worker, [worker] { worker->schedule(); }, Qt::QueuedConnection);
}

QString WalCheckpointer::lastError() const
{
    const QMutexLocker lock(&m_errorMutex);
    return m_lastError;
}

void WalCheckpointer::noteResult(bool ok, qint64 frames, const QString &error)
{
    if (ok) {
        m_checkpoints.fetch_add(1);
        m_frames.fetch_add(frames);
    }
    const QMutexLocker lock(&m_errorMutex);
    if (!ok && error != m_lastError)
        qCWarning(lcCheckpoint).noquote() << "checkpoint of" << m_path << "failed:" << error;
    m_lastError = ok ? QString() : error;
}

} // namespace kt
