// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QString>
#include <QStringList>
#include <QtQml/qqmlregistration.h>

namespace kt {

// The first-run setup card: shown when the app starts as the demo (no API key) and there is no
// config file yet, until the owner dismisses it. Dismissing is remembered in a small INI file
// next to the config file (flagFile(); [ui] first-run-done), not in the config file itself,
// whose keys the engine checks.
class FirstRun : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("the app creates it")
    Q_PROPERTY(bool active READ isActive NOTIFY activeChanged)
public:
    FirstRun(bool active, const QString &configFile, QObject *parent = nullptr);

    bool isActive() const { return m_active; }
    // Shows or hides the card (nothing is remembered).
    void setActive(bool active);

    // Dismisses the card and remembers it (false when the flag could not be written; the card
    // goes away all the same).
    Q_INVOKABLE bool dismiss();

    // Whether an app started with `demo` and `configFile` shows the card.
    static bool needed(bool demo, const QString &configFile);
    // Where the flag is kept: kevan-tel-ui.ini in the config file's folder.
    static QString flagFile(const QString &configFile);
    // The settings the card asks for, in its order: what makes the app screen the owner's own
    // calls (api-key, public-key, forward-to, namespace).
    static QStringList fields();

signals:
    void activeChanged();

private:
    bool m_active;
    QString m_configFile;
};

} // namespace kt
