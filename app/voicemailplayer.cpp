// SPDX-License-Identifier: GPL-3.0-or-later
#include "voicemailplayer.h"

#include <QAudioDevice>
#include <QAudioOutput>
#include <QMediaDevices>
#include <QMediaPlayer>

namespace kt {

VoicemailPlayer::VoicemailPlayer(QObject *parent, bool probe) : QObject(parent)
{
    if (!probe) {
        m_unavailableReason = tr("Audio playback is unavailable: it is turned off.");
        return;
    }
    if (QMediaDevices::audioOutputs().isEmpty()) {
        m_unavailableReason =
            tr("Audio playback is unavailable: this computer has no audio output.");
        return;
    }
    auto player = std::make_unique<QMediaPlayer>();
    if (!player->isAvailable()) {
        m_unavailableReason =
            tr("Audio playback is unavailable: Qt Multimedia has no backend here.");
        return;
    }
    m_output = std::make_unique<QAudioOutput>(QMediaDevices::defaultAudioOutput());
    player->setAudioOutput(m_output.get());
    m_player = std::move(player);
    connect(m_player.get(), &QMediaPlayer::playbackStateChanged, this,
            &VoicemailPlayer::playingChanged);
    connect(m_player.get(), &QMediaPlayer::positionChanged, this,
            &VoicemailPlayer::positionChanged);
    connect(m_player.get(), &QMediaPlayer::durationChanged, this,
            &VoicemailPlayer::durationChanged);
    connect(m_player.get(), &QMediaPlayer::errorOccurred, this,
            [this](QMediaPlayer::Error error, const QString &text) {
                if (error != QMediaPlayer::NoError)
                    setError(text.isEmpty() ? tr("the audio cannot be played") : text);
            });
}

VoicemailPlayer::~VoicemailPlayer()
{
    if (m_player)
        m_player->stop();
}

void VoicemailPlayer::setSource(const QUrl &source)
{
    if (source == m_source)
        return;
    m_source = source;
    setError({});
    if (m_player) {
        m_player->stop();
        m_player->setSource(source);
    }
    emit sourceChanged();
    emit positionChanged();
    emit durationChanged();
}

bool VoicemailPlayer::isPlaying() const
{
    return m_player && m_player->playbackState() == QMediaPlayer::PlayingState;
}

qint64 VoicemailPlayer::position() const
{
    return m_player ? m_player->position() : 0;
}

qint64 VoicemailPlayer::duration() const
{
    return m_player ? m_player->duration() : 0;
}

void VoicemailPlayer::play()
{
    if (!m_player || m_source.isEmpty())
        return;
    setError({});
    m_player->play();
}

void VoicemailPlayer::pause()
{
    if (m_player)
        m_player->pause();
}

void VoicemailPlayer::toggle()
{
    if (isPlaying())
        pause();
    else
        play();
}

void VoicemailPlayer::stop()
{
    if (m_player)
        m_player->stop();
}

void VoicemailPlayer::seek(qint64 milliseconds)
{
    if (m_player)
        m_player->setPosition(qBound<qint64>(0, milliseconds, qMax<qint64>(0, duration())));
}

QString VoicemailPlayer::timeText(qint64 milliseconds)
{
    const qint64 secs = qMax<qint64>(0, milliseconds) / 1000;
    return QStringLiteral("%1:%2").arg(secs / 60).arg(secs % 60, 2, 10, QLatin1Char('0'));
}

void VoicemailPlayer::setError(const QString &error)
{
    if (error == m_error)
        return;
    m_error = error;
    emit errorStringChanged();
}

} // namespace kt
