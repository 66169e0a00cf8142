// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QLoggingCategory>
#include <QMutex>
#include <QObject>
#include <QString>
#include <QThread>

#include <atomic>

Q_DECLARE_LOGGING_CATEGORY(lcCheckpoint)

namespace kt {

// Copies the write-ahead log of one SQLite database back into the database file, in a thread
// and on a connection of its own, so that the writer does not do it inside a commit.
//
// Left to the writer (SQLite's automatic checkpoint), every thousand pages one commit also
// copies them all back and syncs the log and the database file: with synchronous=NORMAL those
// are the only syncs there are, and the webhooks and decisions of that commit wait for them
// (README "Benchmarks": under NORMAL, with the checkpoints here, the p99 of a decision at
// 200 calls/s went from 12 to 5 ms, and the webhooks a second flat out up by a tenth).
//
// Checkpoints here are PASSIVE: they copy what no reader still needs, never wait for a lock and
// never block the writer. They run only after commits (noteCommit()), at most one every
// DelayMs: an idle store wakes nothing. The writer keeps a high wal_autocheckpoint as a
// backstop, for when this thread falls far behind.
class WalCheckpointer : public QObject
{
    Q_OBJECT
public:
    static constexpr int DelayMs = 200; // from the first commit not yet copied back

    explicit WalCheckpointer(QString databasePath, QObject *parent = nullptr);
    ~WalCheckpointer() override; // stop()

    // Opens the database (it must exist) in the checkpointer's thread. False with `error` set
    // when it cannot, e.g. "cannot open /x/y.db for checkpoints: no such file".
    bool start(QString *error = nullptr);
    // A last checkpoint (when a commit is waiting for one), then the thread ends.
    void stop();
    bool isRunning() const { return m_thread.isRunning(); }

    // The writer committed: a checkpoint follows within DelayMs. Cheap (an atomic flag, and one
    // posted event when none is pending); call from the writer's thread.
    void noteCommit();

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
    Worker *m_worker = nullptr;         // lives in m_thread
    std::atomic<bool> m_pending{false}; // a commit waits for a checkpoint
    std::atomic<qint64> m_checkpoints{0};
    std::atomic<qint64> m_frames{0};
    mutable QMutex m_errorMutex;
    QString m_lastError;
};

} // namespace kt
