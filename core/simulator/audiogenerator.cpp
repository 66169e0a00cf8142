// SPDX-License-Identifier: GPL-3.0-or-later
#include "audiogenerator.h"

#include <QtEndian>

#include <cmath>
#include <random>

namespace kt::AudioGenerator {

namespace {
void put32(QByteArray &out, quint32 v)
{
    char b[4];
    qToLittleEndian(v, b);
    out.append(b, 4);
}
void put16(QByteArray &out, quint16 v)
{
    char b[2];
    qToLittleEndian(v, b);
    out.append(b, 2);
}
} // namespace

QByteArray speechLikeWav(int milliseconds, quint32 seed, int sampleRate)
{
    const qint64 samples = qMax<qint64>(0, qint64(milliseconds) * sampleRate / 1000);
    const quint32 dataBytes = quint32(samples * 2);
    QByteArray out;
    out.reserve(int(44 + dataBytes));
    out.append("RIFF", 4);
    put32(out, 36 + dataBytes);
    out.append("WAVE", 4);
    out.append("fmt ", 4);
    put32(out, 16);                  // PCM header size
    put16(out, 1);                   // PCM
    put16(out, 1);                   // mono
    put32(out, quint32(sampleRate)); // sample rate
    put32(out, quint32(sampleRate * 2));
    put16(out, 2);  // block align
    put16(out, 16); // bits per sample
    out.append("data", 4);
    put32(out, dataBytes);

    std::mt19937 random(seed);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    const double pi = 3.14159265358979323846;
    const double syllable = 0.24 * sampleRate; // samples per syllable
    double phase = 0;
    double f0 = 110 + 40 * uniform(random);
    double formant1 = 500, formant2 = 1500;
    bool voiced = true;
    for (qint64 n = 0; n < samples; ++n) {
        const double inSyllable = std::fmod(double(n), syllable) / syllable;
        if (n % qint64(syllable) == 0) {
            // A new syllable: its vowel (two resonances) and whether it is a pause.
            formant1 = 300 + 500 * uniform(random);
            formant2 = 900 + 1400 * uniform(random);
            voiced = uniform(random) > 0.15;
        }
        // Pitch glides slowly, like intonation.
        const double t = double(n) / sampleRate;
        const double pitch = f0 * (1.0 + 0.12 * std::sin(2 * pi * 0.7 * t));
        phase += 2 * pi * pitch / sampleRate;
        double value = 0;
        for (int h = 1; h <= 12; ++h) {
            const double f = h * pitch;
            if (f >= sampleRate / 2.0)
                break;
            const double a = std::exp(-std::pow((f - formant1) / 180.0, 2)) +
                             0.6 * std::exp(-std::pow((f - formant2) / 250.0, 2)) + 0.05;
            value += a * std::sin(h * phase) / h;
        }
        const double envelope = voiced ? std::sin(pi * inSyllable) : 0.0;
        const double breath = (uniform(random) - 0.5) * 0.02;
        const double sample = std::clamp(0.45 * envelope * value + breath, -1.0, 1.0);
        put16(out, quint16(qint16(std::lround(sample * 32767))));
    }
    return out;
}

} // namespace kt::AudioGenerator
