// SPDX-License-Identifier: GPL-3.0-or-later
#include "settingslistmodel.h"

#include "engine/settingschema.h"
#include "settingscontroller.h"

namespace kt {

SettingsListModel::SettingsListModel(SettingsController *settings, Setting::Section section,
                                     const QString &title, QObject *parent)
    : QAbstractListModel(parent), m_settings(settings), m_title(title)
{
    for (const Setting &s : SettingSchema::all()) {
        if (s.has(Setting::SettingsPage) && s.section == section)
            m_rows.append(&s);
    }
    connect(settings, &SettingsController::valuesChanged, this,
            &SettingsListModel::onValuesChanged);
}

SettingsListModel::SettingsListModel(SettingsController *settings, const QStringList &keys,
                                     const QString &title, QObject *parent)
    : QAbstractListModel(parent), m_settings(settings), m_title(title)
{
    for (const QString &key : keys) {
        const Setting *s = SettingSchema::find(key);
        if (s && s->has(Setting::SettingsPage))
            m_rows.append(s);
    }
    connect(settings, &SettingsController::valuesChanged, this,
            &SettingsListModel::onValuesChanged);
}

SettingsListModel::Kind SettingsListModel::kindOf(const Setting &setting)
{
    switch (setting.type) {
    case Setting::Type::Bool:
        return Kind::Switch;
    case Setting::Type::Int:
        return Kind::Number;
    case Setting::Type::Choice:
        return Kind::Choice;
    case Setting::Type::Message:
        return Kind::Message;
    case Setting::Type::Path:
        return Kind::File;
    case Setting::Type::Secret:
        return Kind::Secret;
    case Setting::Type::Text:
    case Setting::Type::Phone:
    case Setting::Type::Namespace:
    case Setting::Type::Url:
    case Setting::Type::Address:
    case Setting::Type::AddressList:
    case Setting::Type::PublicKey:
        break;
    }
    return Kind::Line;
}

int SettingsListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant SettingsListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.parent().isValid() || index.row() >= m_rows.size() || !m_settings)
        return {};
    const Setting &s = *m_rows.at(index.row());
    const QVariant value = m_settings->value(s.key);
    switch (role) {
    case Qt::DisplayRole:
    case TitleRole:
        return s.title;
    case KeyRole:
        return s.key;
    case KindRole:
        return int(kindOf(s));
    case DetailRole:
        return s.detail;
    case PlaceholderRole:
        return s.placeholder;
    case ValueRole:
        return s.type == Setting::Type::Bool ? QVariant(value.toBool())
                                             : QVariant(value.toString());
    case ErrorRole:
        return m_settings->error(s.key);
    case HintRole:
        return m_settings->hint(s.key);
    case ChoicesRole: {
        QStringList labels;
        for (const Setting::Choice &c : s.choices)
            labels.append(c.label);
        return labels;
    }
    case ChoiceValuesRole:
        return s.choiceValues();
    case ChoiceIndexRole:
        return int(s.choiceValues().indexOf(value.toString()));
    case SwitchTextRole:
        return value.toBool() ? s.onText : s.offText;
    case MonospaceRole:
        return s.type == Setting::Type::PublicKey || s.type == Setting::Type::Path;
    case DialableRole:
        return s.type == Setting::Type::Phone;
    case ChangedRole:
        return m_settings->changedFields().contains(s.key);
    default:
        return {};
    }
}

bool SettingsListModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (!index.isValid() || index.parent().isValid() || index.row() >= m_rows.size() || !m_settings)
        return false;
    const Setting &s = *m_rows.at(index.row());
    if (role == ChoiceIndexRole) {
        const QStringList values = s.choiceValues();
        const int i = value.toInt();
        if (i < 0 || i >= values.size())
            return false;
        m_settings->setValue(s.key, values.at(i));
        return true;
    }
    if (role != ValueRole && role != Qt::EditRole)
        return false;
    m_settings->setValue(s.key, value);
    return true;
}

Qt::ItemFlags SettingsListModel::flags(const QModelIndex &index) const
{
    if (!index.isValid() || index.parent().isValid() || index.row() >= m_rows.size())
        return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsEditable | Qt::ItemNeverHasChildren;
}

QHash<int, QByteArray> SettingsListModel::roleNames() const
{
    return {
        {KeyRole, "key"},
        {KindRole, "kind"},
        {TitleRole, "title"},
        {DetailRole, "detail"},
        {PlaceholderRole, "placeholder"},
        {ValueRole, "value"},
        {ErrorRole, "error"},
        {HintRole, "hint"},
        {ChoicesRole, "choices"},
        {ChoiceValuesRole, "choiceValues"},
        {ChoiceIndexRole, "choiceIndex"},
        {SwitchTextRole, "switchText"},
        {MonospaceRole, "monospace"},
        {DialableRole, "dialable"},
        {ChangedRole, "changed"},
    };
}

void SettingsListModel::onValuesChanged()
{
    // Any value can change any row's error, hint or "changed" (the form is checked whole).
    if (!m_rows.isEmpty())
        emit dataChanged(index(0), index(int(m_rows.size()) - 1));
}

} // namespace kt
