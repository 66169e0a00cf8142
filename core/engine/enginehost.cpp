// SPDX-License-Identifier: GPL-3.0-or-later
#include "enginehost.h"

#include "engine/demo.h"
#include "engine/engine.h"

#include <QEventLoop>
#include <QMutex>
#include <QWaitCondition>

namespace kt {
namespace {
QMutex startMutex;
QWaitCondition startCondition;
} // namespace

EngineHost::EngineHost(const Config &config, QObject *parent) : QThread(parent), m_config(config)
{
    setObjectName(QStringLiteral("engine"));
}

EngineHost::~EngineHost()
{
    stopAndWait();
}

bool EngineHost::startAndWait(QString *error)
{
    QMutexLocker lock(&startMutex);
    start();
    while (!m_started)
        startCondition.wait(&startMutex);
    if (!m_error.isEmpty()) {
        if (error)
            *error = m_error;
        wait();
        return false;
    }
    return true;
}

void EngineHost::stopAndWait()
{
    if (!isRunning())
        return;
    quit();
    wait();
}

void EngineHost::run()
{
    QString error;
    Config config = m_config;
    std::unique_ptr<Demo> demo;
    if (config.demo) {
        demo = std::make_unique<Demo>();
        if (!demo->prepare(config, &error))
            demo.reset();
    }
    std::unique_ptr<Engine> engine;
    if (error.isEmpty()) {
        engine = std::make_unique<Engine>(config);
        if (!engine->start(&error))
            engine.reset();
    }
    if (engine && demo && !demo->start(*engine, &error))
        engine.reset();
    {
        QMutexLocker lock(&startMutex);
        m_error = error;
        m_engine = engine.get();
        m_url = engine ? engine->url() : QString();
        m_adminUrl = engine ? engine->adminUrl() : QString();
        m_started = true;
        startCondition.wakeAll();
    }
    if (!engine)
        return;
    emit engineReady(engine.get());
    exec();
    if (demo)
        demo->stop();
    engine->stop();
    demo.reset();
    engine.reset();
    m_engine = nullptr;
}

} // namespace kt
