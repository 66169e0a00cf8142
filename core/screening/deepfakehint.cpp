// SPDX-License-Identifier: GPL-3.0-or-later
#include "deepfakehint.h"

namespace kt {

QString DeepfakeHint::text() const
{
    const QString score =
        this->score >= 0 && this->score <= 1
            ? QStringLiteral(" (score %1)").arg(QString::number(this->score, 'f', 2))
            : QString();
    if (result == QLatin1String("fake"))
        return QStringLiteral("the voice may be synthetic") + score;
    if (result == QLatin1String("real"))
        return QStringLiteral("the voice sounds real") + score;
    if (result == QLatin1String("silence_timeout"))
        return QStringLiteral("no verdict: the caller was silent");
    if (!result.isEmpty())
        return QStringLiteral("no verdict");
    return QString();
}

DeepfakeHint DeepfakeHint::fromJson(const QJsonObject &json)
{
    DeepfakeHint h;
    h.result = json.value(QLatin1String("result")).toString().left(32);
    const QJsonValue score = json.value(QLatin1String("score"));
    if (score.isDouble() && score.toDouble() >= 0 && score.toDouble() <= 1)
        h.score = score.toDouble();
    return h;
}

} // namespace kt
