// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QString>
#include <QUrl>

#include <QtQml/qqmlregistration.h>
#include <memory>

class QAudioOutput;
class QMediaPlayer;

namespace kt {

// Plays one voicemail message for the Voicemail view: Qt Multimedia's QMediaPlayer with a
// QAudioOutput on the default device, behind properties QML binds to (play/pause, position,
// duration, a seek). Where Qt Multimedia has no backend or the computer has no audio output
// (a server, CI, the offscreen platform) `available` is false and `unavailableReason` says
// why; the view then shows that instead of the controls and everything else still works.
// A playback error (a file the backend cannot decode, a missing file) is in errorString.
class VoicemailPlayer : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("the app creates it")
    Q_PROPERTY(bool available READ isAvailable CONSTANT)
    Q_PROPERTY(QString unavailableReason READ unavailableReason CONSTANT)
    Q_PROPERTY(QUrl source READ source WRITE setSource NOTIFY sourceChanged)
    Q_PROPERTY(bool playing READ isPlaying NOTIFY playingChanged)
    // double in QML (milliseconds): qmllint knows no qint64.
    Q_PROPERTY(double position READ position NOTIFY positionChanged)
    Q_PROPERTY(double duration READ duration NOTIFY durationChanged)
    Q_PROPERTY(QString errorString READ errorString NOTIFY errorStringChanged)
public:
    // `probe`: look for a backend and an audio output (false: unavailable, for tests of the
    // view without audio).
    explicit VoicemailPlayer(QObject *parent = nullptr, bool probe = true);
    ~VoicemailPlayer() override;

    bool isAvailable() const { return m_player != nullptr; }
    QString unavailableReason() const { return m_unavailableReason; }
    QUrl source() const { return m_source; }
    void setSource(const QUrl &source);
    bool isPlaying() const;
    qint64 position() const;
    qint64 duration() const;
    QString errorString() const { return m_error; }

    Q_INVOKABLE void play();
    Q_INVOKABLE void pause();
    Q_INVOKABLE void toggle();
    Q_INVOKABLE void stop();
    Q_INVOKABLE void seek(qint64 milliseconds);

    // "0:42" for the position and duration labels.
    Q_INVOKABLE static QString timeText(qint64 milliseconds);

signals:
    void sourceChanged();
    void playingChanged();
    void positionChanged();
    void durationChanged();
    void errorStringChanged();

private:
    void setError(const QString &error);

    std::unique_ptr<QAudioOutput> m_output;
    std::unique_ptr<QMediaPlayer> m_player;
    QString m_unavailableReason;
    QUrl m_source;
    QString m_error;
};

} // namespace kt
