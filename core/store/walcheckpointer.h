// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QMutex>
#include <QObject>
#include <QString>
#include <QThread>

#include <atomic>

namespace kt {

// Copies the write-ahead log of one SQLite database back into the database file, in a thread
// and on a connection of its own, so that the writer never does it inside a commit. Left to the
// writer (SQLite's automatic checkpoint), every thousand pages one commit also writes them all
// back and syncs the database file: a pause of milliseconds for whichever webhook or decision
// happens to be in that commit. Here the checkpoints are PASSIVE: they copy what no reader still
// needs, never wait for a lock and never block the writer. The writer keeps a high
// wal_autocheckpoint as a backstop (EventStore::setWalAutoCheckpoint()).
class WalCheckpointer : public QObject
{
    Q_OBJECT
public:
    static constexpr int BusyIntervalMs = 200;  // while the log keeps growing
    static constexpr int IdleIntervalMs = 2000; // once a checkpoint found nothing new

    explicit WalCheckpointer(QString databasePath, QObject *parent = nullptr);
    ~WalCheckpointer() override; // stop()

    // Opens the database (it must exist) in the checkpointer's thread and starts checkpointing.
    // False with `error` set when it cannot, e.g. "cannot open /x/y.db for checkpoints: ...".
    bool start(QString *error = nullptr);
    // A last checkpoint, then the thread ends.
    void stop();
    bool isRunning() const { return m_thread.isRunning(); }

    // Checkpoints run, and log frames copied back, so far (any thread).
    qint64 checkpoints() const { return m_checkpoints.load(); }
    qint64 framesCopied() const { return m_frames.load(); }
    // The last failure, until a checkpoint succeeds again (any thread).
    QString lastError() const;

private:
    class Worker;
    friend class Worker;
    void noteResult(bool ok, qint64 frames, const QString &error);

    QString m_path;
    QThread m_thread;
    Worker *m_worker = nullptr; // lives in m_thread
    std::atomic<qint64> m_checkpoints{0};
    std::atomic<qint64> m_frames{0};
    mutable QMutex m_errorMutex;
    QString m_lastError;
};

} // namespace kt
