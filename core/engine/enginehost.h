// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/config.h"

#include <QThread>

namespace kt {

class Engine;

// Runs an Engine (and, in demo mode, the Telnyx simulator that drives it) in its own thread
// with its own event loop. Everything in the engine is created inside that thread.
class EngineHost : public QThread
{
    Q_OBJECT
public:
    explicit EngineHost(const Config &config, QObject *parent = nullptr);
    ~EngineHost() override;

    // Starts the thread and waits until the engine listens or fails. False with `error` set
    // when it could not start.
    bool startAndWait(QString *error);
    void stopAndWait();

    QString url() const { return m_url; }
    QString adminUrl() const { return m_adminUrl; }
    // The engine, for queued connections and QMetaObject::invokeMethod only: it lives in the
    // host's thread.
    Engine *engine() const { return m_engine; }

signals:
    void engineReady(kt::Engine *engine);

protected:
    void run() override;

private:
    Config m_config;
    Engine *m_engine = nullptr;
    QString m_url;
    QString m_adminUrl;
    QString m_error;
    bool m_started = false;
};

} // namespace kt
