// SPDX-License-Identifier: GPL-3.0-or-later
#include "challengebook.h"

#include <openssl/rand.h>

namespace kt {

ChallengeBook::ChallengeBook(int capacity, int lifetimeSecs)
    : m_capacity(capacity), m_lifetimeSecs(lifetimeSecs)
{}

void ChallengeBook::setClock(Clock clock)
{
    m_clock = std::move(clock);
}

QDateTime ChallengeBook::now() const
{
    return m_clock ? m_clock() : QDateTime::currentDateTimeUtc();
}

QString ChallengeBook::randomToken(int bytes)
{
    QByteArray buffer(bytes, Qt::Uninitialized);
    if (bytes <= 0 || RAND_bytes(reinterpret_cast<unsigned char *>(buffer.data()), bytes) != 1)
        return {};
    return QString::fromLatin1(
        buffer.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

void ChallengeBook::dropExpired(const QDateTime &now)
{
    for (auto it = m_challenges.begin(); it != m_challenges.end();) {
        if (it->expiresAt <= now)
            it = m_challenges.erase(it);
        else
            ++it;
    }
}

std::optional<ChallengeBook::Challenge> ChallengeBook::issue(const QString &nameSpace,
                                                             const QString &phone)
{
    const QDateTime at = now();
    if (m_challenges.size() >= m_capacity)
        dropExpired(at);
    if (m_challenges.size() >= m_capacity)
        return std::nullopt;
    Challenge challenge{randomToken(32), nameSpace, phone, at.addSecs(m_lifetimeSecs)};
    if (challenge.value.isEmpty() || m_challenges.contains(challenge.value))
        return std::nullopt;
    m_challenges.insert(challenge.value, challenge);
    return challenge;
}

std::optional<ChallengeBook::Challenge> ChallengeBook::take(const QString &value)
{
    const auto it = m_challenges.constFind(value);
    if (it == m_challenges.constEnd())
        return std::nullopt;
    const Challenge challenge = *it;
    m_challenges.erase(it);
    if (challenge.expiresAt <= now())
        return std::nullopt;
    return challenge;
}

} // namespace kt
