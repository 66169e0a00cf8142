// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDateTime>
#include <QHash>
#include <QString>

#include <functional>
#include <optional>

namespace kt {

// The registration challenges handed out and not used yet: each one 32 fresh random bytes
// (base64url, 43 characters), bound to the namespace and phone it was asked for, valid for a
// limited time and good for one submission only. At most `capacity` are outstanding; when the
// book is full (after dropping expired ones) no new challenge is issued. Kept in memory: a
// restart simply invalidates the challenges not used yet. Thread-confined.
class ChallengeBook
{
public:
    using Clock = std::function<QDateTime()>;

    struct Challenge
    {
        QString value;
        QString nameSpace;
        QString phone; // E.164
        QDateTime expiresAt;
    };

    explicit ChallengeBook(int capacity = 1000, int lifetimeSecs = 600);
    void setClock(Clock clock);
    void setCapacity(int capacity) { m_capacity = capacity; }
    void setLifetimeSecs(int secs) { m_lifetimeSecs = secs; }
    int lifetimeSecs() const { return m_lifetimeSecs; }

    // A new challenge; nullopt when the book is full or no random bytes could be had.
    std::optional<Challenge> issue(const QString &nameSpace, const QString &phone);
    // Takes the challenge out of the book (whatever happens next, it cannot be used again).
    // nullopt when it is unknown, already used or expired.
    std::optional<Challenge> take(const QString &value);
    int outstanding() const { return int(m_challenges.size()); }

    // Random bytes from OpenSSL, base64url without padding; empty on failure.
    static QString randomToken(int bytes = 32);

private:
    QDateTime now() const;
    void dropExpired(const QDateTime &now);

    int m_capacity;
    int m_lifetimeSecs;
    Clock m_clock;
    QHash<QString, Challenge> m_challenges;
};

} // namespace kt
