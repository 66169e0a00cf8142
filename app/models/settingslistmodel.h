// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/setting.h"

#include <QAbstractListModel>
#include <QPointer>
#include <QtQml/qqmlregistration.h>

namespace kt {

class SettingsController;

// One group of the Settings page (a Setting::Section): a row per setting of the settings table
// (SettingSchema) in that group, with the form's value, its error and hint, from the
// SettingsController. The page draws each row by its kind; editing a row's value goes to the
// controller, which checks it.
class SettingsListModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("the settings controller creates it")
    Q_PROPERTY(QString title READ title CONSTANT)
public:
    // How a row is edited.
    enum class Kind { Switch, Number, Choice, Line, Message, File, Secret };
    Q_ENUM(Kind)

    enum Role {
        KeyRole = Qt::UserRole + 1, // the config file's key
        KindRole,                   // Kind
        TitleRole,                  // the row's heading
        DetailRole,                 // the line under it
        PlaceholderRole,
        ValueRole,        // bool for a switch, text otherwise
        ErrorRole,        // empty when the value is acceptable
        HintRole,         // a line about the value
        ChoicesRole,      // Choice: the labels
        ChoiceValuesRole, // Choice: the values, as the config file writes them
        ChoiceIndexRole,  // Choice: the value's index in them (-1: none)
        SwitchTextRole,   // Switch: what the value means
        MonospaceRole,    // a key or a path: drawn in a fixed-width font
        DialableRole,     // a phone number
        ChangedRole,      // differs from the value last loaded or saved
    };
    Q_ENUM(Role)

    SettingsListModel(SettingsController *settings, Setting::Section section, const QString &title,
                      QObject *parent = nullptr);
    // The rows of `keys`, in that order (a key that is not on the Settings page is left out).
    SettingsListModel(SettingsController *settings, const QStringList &keys, const QString &title,
                      QObject *parent = nullptr);

    QString title() const { return m_title; }
    static Kind kindOf(const Setting &setting);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    // ValueRole (or ChoiceIndexRole for a choice) edits the form's value.
    bool setData(const QModelIndex &index, const QVariant &value, int role) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QHash<int, QByteArray> roleNames() const override;

private:
    void onValuesChanged();

    QPointer<SettingsController> m_settings;
    QString m_title;
    QList<const Setting *> m_rows;
};

} // namespace kt
