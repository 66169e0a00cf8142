// SPDX-License-Identifier: GPL-3.0-or-later
#include "quickitems.h"

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
    QSignalSpy frames(window, &QQuickWindow::frameSwapped);
    window->update();
    frames.wait(2000);
    QQmlIncubationController *incubation = engine->incubationController();
    return !incubation ||
           QTest::qWaitFor([incubation] { return incubation->incubatingObjectCount() == 0; });
}

} // namespace kt::test
