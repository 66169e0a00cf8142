// SPDX-License-Identifier: GPL-3.0-or-later
#include "quickitems.h"

#include <QQmlApplicationEngine>
#include <QQmlEngine>
#include <QQmlIncubationController>
#include <QQuickItem>
#include <QQuickWindow>
#include <QSignalSpy>
#include <QTest>

namespace kt::test {

QList<QQuickItem *> allItems(QQuickItem *root)
{
    QList<QQuickItem *> out;
    for (QQuickItem *child : root->childItems()) {
        out.append(child);
        out.append(allItems(child));
    }
    return out;
}

QQuickItem *findNamed(QQuickItem *root, const QString &name)
{
    for (QQuickItem *item : allItems(root)) {
        if (item->objectName() == name)
            return item;
    }
    return nullptr;
}

QQuickItem *withProperty(QQuickItem *root, const char *name)
{
    for (QQuickItem *item : allItems(root)) {
        if (item->metaObject()->indexOfProperty(name) >= 0)
            return item;
    }
    return nullptr;
}

bool settle(QQuickWindow *window, QQmlEngine *engine)
{
    // Two frames: an item created or resized in the first (a Canvas, say) paints in the second.
    for (int frame = 0; frame < 2; ++frame) {
        QSignalSpy frames(window, &QQuickWindow::frameSwapped);
        window->update();
        frames.wait(2000);
    }
    QQmlIncubationController *incubation = engine->incubationController();
    return !incubation ||
           QTest::qWaitFor([incubation] { return incubation->incubatingObjectCount() == 0; });
}

QQuickWindow *loadMainWindow(QQmlApplicationEngine &engine, const QVariantMap &initialProperties,
                             QList<QQmlError> *warnings)
{
    if (warnings)
        QObject::connect(&engine, &QQmlEngine::warnings, &engine,
                         [warnings](const QList<QQmlError> &w) { *warnings += w; });
    engine.setInitialProperties(initialProperties);
    engine.load(QUrl(QStringLiteral("qrc:/KevanTel/Main.qml")));
    if (engine.rootObjects().size() != 1) {
        qWarning() << "Main.qml gave" << engine.rootObjects().size() << "root objects";
        return nullptr;
    }
    auto *window = qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());
    if (!window) {
        qWarning() << "Main.qml is not a window";
        return nullptr;
    }
    window->resize(1240, 780);
    window->show();
    return QTest::qWaitForWindowExposed(window) ? window : nullptr;
}

} // namespace kt::test
