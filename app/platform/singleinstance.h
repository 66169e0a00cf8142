// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QString>

class QLocalServer;

namespace kt {

// One desktop app per user and database: the first instance listens on a local socket; a
// second one connects to it, asks it to show its window, and exits 0.
class SingleInstance : public QObject
{
    Q_OBJECT
public:
    explicit SingleInstance(const QString &key, QObject *parent = nullptr);
    ~SingleInstance() override;

    // The socket name for a database: "kevan-tel-<user>-<hash of the absolute path>".
    static QString keyFor(const QString &databasePath);

    // True when this is the first instance (it now listens). False when another instance
    // answered: it was asked to show its window.
    bool claim(int timeoutMs = 1000);
    QString serverName() const { return m_key; }

signals:
    // Another launch asked for the window.
    void showRequested();

private:
    void onNewConnection();

    QString m_key;
    QLocalServer *m_server = nullptr;
};

} // namespace kt
