// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QQmlError>
#include <QString>
#include <QVariantMap>

class QQmlApplicationEngine;
class QQmlEngine;
class QQuickItem;
class QQuickWindow;

namespace kt::test {

// Walking a QML scene from a test: every item under `root` in the visual tree (delegates are
// not QObject children, so findChildren misses them).
QList<QQuickItem *> allItems(QQuickItem *root);
// The first item under `root` with that objectName, or null.
QQuickItem *findNamed(QQuickItem *root, const QString &name);
// The first item under `root` that has the property `name`, or null.
QQuickItem *withProperty(QQuickItem *root, const char *name);
// Lets a window render and its views create their delegates (some are created asynchronously)
// before a test changes a model, grabs the window or destroys the engine.
bool settle(QQuickWindow *window, QQmlEngine *engine);
// The dashboard's main window as the app shows it: Main.qml from the resources, loaded into
// `engine` with `initialProperties`, shown at 1240 x 780 and exposed; null (with a warning) when
// it did not load into one window. The QML warnings the engine prints go to `warnings` (when
// given) for as long as the engine lives.
QQuickWindow *loadMainWindow(QQmlApplicationEngine &engine, const QVariantMap &initialProperties,
                             QList<QQmlError> *warnings = nullptr);

} // namespace kt::test
