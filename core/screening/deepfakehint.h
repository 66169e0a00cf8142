// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QString>

namespace kt {

// Telnyx's deepfake verdict on a screened caller's voice (docs/telnyx-conversation.md §6) in
// the owner's words: a hint shown beside the caller's words, never a decision by itself.
struct DeepfakeHint
{
    QString result;    // real | fake | silence_timeout | "" (none yet)
    double score = -1; // 0..1, -1 when Telnyx sent none

    bool isEmpty() const { return result.isEmpty(); }
    bool synthetic() const { return result == QLatin1String("fake"); }
    // "the voice may be synthetic (score 0.87)", "the voice sounds real (score 0.10)",
    // "no verdict: the caller was silent", or "" when there is no verdict.
    QString text() const;

    // From a call's flags.screen.deepfake ({"result", "score"}).
    static DeepfakeHint fromJson(const QJsonObject &json);
};

} // namespace kt
