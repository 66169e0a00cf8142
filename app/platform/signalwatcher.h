// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>

class QSocketNotifier;

namespace kt {

// Turns SIGINT and SIGTERM into a Qt signal (the self-pipe trick), so that the event loop
// stops cleanly instead of the process dying mid-write. A no-op where POSIX signals don't exist.
class SignalWatcher : public QObject
{
    Q_OBJECT
public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;

signals:
    void terminate();

private:
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace kt
