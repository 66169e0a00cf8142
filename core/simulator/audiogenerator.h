// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>

namespace kt {

// A short, speech-like audio signal for the fake Telnyx's recordings: a voiced buzz (a gliding
// fundamental and its harmonics) shaped by two moving resonances, in syllables of about a
// quarter of a second with short pauses. Generated, never a checked-in file; the same seed gives
// the same bytes.
namespace AudioGenerator {

// A RIFF/WAVE file: 16-bit little-endian PCM, mono, `sampleRate` Hz, `milliseconds` long.
QByteArray speechLikeWav(int milliseconds, quint32 seed = 1, int sampleRate = 8000);

} // namespace AudioGenerator
} // namespace kt
