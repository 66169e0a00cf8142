// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "setting.h"

#include <QCoreApplication>

namespace kt {

// The settings table: every setting of kevan-tel, one row each (README "Configuration"). The
// command line and --help, the config file, the environment and the desktop's Settings page are
// all made from it; adding a setting is adding a row here, plus its use.
class SettingSchema
{
    Q_DECLARE_TR_FUNCTIONS(kt::SettingSchema)
public:
    // Every row, in the Settings page's order.
    static const QList<Setting> &all();
    // The row of `key`; null when there is none.
    static const Setting *find(const QString &key);
    // The keys of the rows that `source` has.
    static QStringList keys(Setting::Source source);
};

} // namespace kt
