// SPDX-License-Identifier: GPL-3.0-or-later
#include "registrationservice.h"

#include "registrationevents.h"
#include "registrationproof.h"
#include "screening/pinhash.h"

#include "screening/certificate.h"
#include "screening/phonenumber.h"
#include "store/eventstore.h"

#include <QCryptographicHash>

#include <algorithm>

#include <openssl/crypto.h>
#include <openssl/rand.h>

namespace kt {

namespace {
QByteArray decodeSignature(const QString &text)
{
    const QByteArray latin = text.trimmed().toLatin1();
    for (auto options : {QByteArray::Base64Encoding, QByteArray::Base64UrlEncoding}) {
        const auto decoded = QByteArray::fromBase64Encoding(
            latin, options | QByteArray::AbortOnBase64DecodingErrors);
        if (decoded && !decoded.decoded.isEmpty())
            return decoded.decoded;
    }
    return {};
}

bool isBase64Url(const QString &text)
{
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if (!((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
              u == '-' || u == '_'))
            return false;
    }
    return true;
}

bool sameDigits(const QString &a, const QString &b)
{
    const QByteArray x = a.toLatin1();
    const QByteArray y = b.toLatin1();
    return x.size() == y.size() && !x.isEmpty() &&
           CRYPTO_memcmp(x.constData(), y.constData(), size_t(x.size())) == 0;
}
} // namespace

QString RegistrationService::code(Error error)
{
    switch (error) {
    case Error::None:
        return QStringLiteral("ok");
    case Error::InvalidRequest:
        return QStringLiteral("invalid_request");
    case Error::TooLarge:
        return QStringLiteral("too_large");
    case Error::NamespaceInvalid:
        return QStringLiteral("namespace_invalid");
    case Error::PhoneInvalid:
        return QStringLiteral("phone_invalid");
    case Error::PinInvalid:
        return QStringLiteral("pin_invalid");
    case Error::ChallengeInvalid:
        return QStringLiteral("challenge_invalid");
    case Error::CertificateInvalid:
        return QStringLiteral("certificate_invalid");
    case Error::CertificateUntrusted:
        return QStringLiteral("certificate_untrusted");
    case Error::CertificateExpired:
        return QStringLiteral("certificate_expired");
    case Error::CertificateRevoked:
        return QStringLiteral("certificate_revoked");
    case Error::CertificateWrongNamespace:
        return QStringLiteral("certificate_wrong_namespace");
    case Error::KeyUnsupported:
        return QStringLiteral("key_unsupported");
    case Error::SignatureInvalid:
        return QStringLiteral("signature_invalid");
    case Error::Busy:
        return QStringLiteral("busy");
    case Error::Unavailable:
        return QStringLiteral("unavailable");
    }
    return QStringLiteral("invalid_request");
}

QString RegistrationService::message(Error error)
{
    switch (error) {
    case Error::None:
        return QStringLiteral("OK.");
    case Error::InvalidRequest:
        return QStringLiteral("The request is not valid.");
    case Error::TooLarge:
        return QStringLiteral("A field is too large.");
    case Error::NamespaceInvalid:
        return QStringLiteral("The namespace is not a valid .x name.");
    case Error::PhoneInvalid:
        return QStringLiteral("The phone number is not a valid number.");
    case Error::PinInvalid:
        return QStringLiteral("The PIN must be 4 to 8 digits.");
    case Error::ChallengeInvalid:
        return QStringLiteral("The challenge is unknown, used or expired. Start again.");
    case Error::CertificateInvalid:
        return QStringLiteral("The certificate could not be read.");
    case Error::CertificateUntrusted:
        return QStringLiteral("The certificate is not issued by a root this line trusts.");
    case Error::CertificateExpired:
        return QStringLiteral("The certificate is expired or not valid yet.");
    case Error::CertificateRevoked:
        return QStringLiteral("The certificate is revoked.");
    case Error::CertificateWrongNamespace:
        return QStringLiteral("The certificate does not name this namespace.");
    case Error::KeyUnsupported:
        return QStringLiteral("The certificate's key must be Ed25519 or ECDSA P-256.");
    case Error::SignatureInvalid:
        return QStringLiteral("The signature does not verify with the certificate's key.");
    case Error::Busy:
        return QStringLiteral("Too many registrations are waiting. Try again later.");
    case Error::Unavailable:
        return QStringLiteral("Registration is not available right now. Try again later.");
    }
    return QStringLiteral("The request is not valid.");
}

RegistrationService::RegistrationService(EventStore &store) : RegistrationService(store, Config())
{}

RegistrationService::RegistrationService(EventStore &store, Config config)
    : m_store(store), m_config(config),
      m_challenges(config.maxChallenges, config.challengeLifetimeSecs)
{}

void RegistrationService::setConfig(const Config &config)
{
    m_config = config;
    m_challenges.setCapacity(config.maxChallenges);
    m_challenges.setLifetimeSecs(config.challengeLifetimeSecs);
}

void RegistrationService::setClock(Clock clock)
{
    m_clock = clock;
    m_challenges.setClock(std::move(clock));
}

QDateTime RegistrationService::now() const
{
    return m_clock ? m_clock().toUTC() : QDateTime::currentDateTimeUtc();
}

void RegistrationService::setTrustStoreSource(std::function<TrustStore()> source)
{
    m_trust = std::move(source);
}

void RegistrationService::setCallInNumbers(std::function<QStringList()> source)
{
    m_numbers = std::move(source);
}

void RegistrationService::setApprovalSink(std::function<QString(const PendingRegistration &)> sink)
{
    m_sink = std::move(sink);
}

std::optional<RegistrationService::Approval>
RegistrationService::approvalFromString(const QString &text)
{
    if (text == QLatin1String("owner"))
        return Approval::Owner;
    if (text == QLatin1String("automatic"))
        return Approval::Automatic;
    return std::nullopt;
}

QString RegistrationService::hashToken(const QString &token)
{
    return QString::fromLatin1(
        QCryptographicHash::hash(token.toLatin1(), QCryptographicHash::Sha256).toHex());
}

QString RegistrationService::randomCode() const
{
    // Uniform over 000000..999999: 32-bit draws at or above the largest multiple of 10^6 are
    // drawn again.
    constexpr quint32 Limit = 4294000000u;
    for (int attempt = 0; attempt < 16; ++attempt) {
        quint32 value = 0;
        if (RAND_bytes(reinterpret_cast<unsigned char *>(&value), sizeof value) != 1)
            return {};
        if (value < Limit)
            return QStringLiteral("%1").arg(value % 1000000u, 6, 10, QLatin1Char('0'));
    }
    return {};
}

QString RegistrationService::pickNumber() const
{
    QStringList numbers;
    for (const QString &n : m_numbers ? m_numbers() : QStringList()) {
        const auto parsed = PhoneNumber::parse(n);
        if (parsed.ok)
            numbers.append(parsed.e164);
    }
    if (numbers.isEmpty())
        return {};
    quint32 pick = 0;
    if (RAND_bytes(reinterpret_cast<unsigned char *>(&pick), sizeof pick) != 1)
        return {};
    return numbers.at(int(pick % quint32(numbers.size())));
}

RegistrationService::ChallengeResult RegistrationService::challenge(const QString &nameSpace,
                                                                    const QString &phone)
{
    ChallengeResult result;
    if (nameSpace.size() > MaxNamespaceLength || phone.size() > MaxPhoneLength) {
        result.error = Error::TooLarge;
        return result;
    }
    const QString ns = nameSpace.trimmed().toLower();
    if (!Certificate::isNamespace(ns)) {
        result.error = Error::NamespaceInvalid;
        return result;
    }
    const PhoneNumber::ParseResult parsed = PhoneNumber::parse(phone);
    if (!parsed.ok) {
        result.error = Error::PhoneInvalid;
        return result;
    }
    const auto issued = m_challenges.issue(ns, parsed.e164);
    if (!issued) {
        result.error = Error::Busy;
        return result;
    }
    result.challenge = issued->value;
    result.nameSpace = ns;
    result.phone = parsed.e164;
    result.message = RegistrationProof::message(issued->value, parsed.e164, ns);
    result.expiresAt = issued->expiresAt;
    return result;
}

RegistrationService::SubmitResult RegistrationService::submit(const Submission &submission)
{
    SubmitResult result;
    auto fail = [&](Error error) {
        result.error = error;
        return result;
    };
    if (submission.challenge.size() > ChallengeLength * 2 ||
        submission.certificatePem.size() > MaxCertificatePem ||
        submission.signature.size() > MaxSignatureText || submission.pin.size() > 64)
        return fail(Error::TooLarge);
    if (submission.challenge.size() != ChallengeLength || !isBase64Url(submission.challenge))
        return fail(Error::ChallengeInvalid);
    // The challenge is spent from here on, whatever follows.
    const auto challenge = m_challenges.take(submission.challenge);
    if (!challenge)
        return fail(Error::ChallengeInvalid);
    if (!PinHash::isValidPin(submission.pin))
        return fail(Error::PinInvalid);

    QString parseError;
    const QList<Certificate> chain =
        Certificate::allFromPem(submission.certificatePem, &parseError);
    if (chain.isEmpty() || chain.size() > 4)
        return fail(Error::CertificateInvalid);
    const Certificate &leaf = chain.first();
    const RegistrationProof::KeyType keyType = RegistrationProof::keyType(leaf);

    const TrustStore trust = m_trust ? m_trust() : TrustStore();
    const QDateTime at = now();
    const CertStatus status = trust.verify(leaf, chain.mid(1), challenge->nameSpace, {}, at);
    switch (status.code) {
    case CertStatus::Code::Valid:
        break;
    case CertStatus::Code::Untrusted:
        return fail(Error::CertificateUntrusted);
    case CertStatus::Code::Expired:
    case CertStatus::Code::NotYetValid:
        return fail(Error::CertificateExpired);
    case CertStatus::Code::Revoked:
        return fail(Error::CertificateRevoked);
    case CertStatus::Code::WrongNamespace:
        return fail(Error::CertificateWrongNamespace);
    default:
        return fail(Error::CertificateInvalid);
    }
    if (leaf.isCa())
        return fail(Error::CertificateInvalid);
    if (keyType == RegistrationProof::KeyType::Unsupported)
        return fail(Error::KeyUnsupported);

    const QByteArray signature = decodeSignature(submission.signature);
    const QByteArray message =
        RegistrationProof::message(challenge->value, challenge->phone, challenge->nameSpace);
    if (signature.isEmpty() || !RegistrationProof::verify(leaf, message, signature))
        return fail(Error::SignatureInvalid);

    const int openCount = m_store.countOpen(at);
    if (openCount < 0)
        return fail(Error::Unavailable);
    if (openCount >= m_config.maxOpenRegistrations)
        return fail(Error::Busy);

    PendingRegistration r;
    r.id = ChallengeBook::randomToken(16);
    result.statusToken = ChallengeBook::randomToken(32);
    r.callInCode = randomCode();
    r.callInNumber = pickNumber();
    r.pinHash = PinHash::hash(submission.pin);
    if (r.id.isEmpty() || result.statusToken.isEmpty() || r.callInCode.isEmpty() ||
        r.callInNumber.isEmpty() || r.pinHash.isEmpty())
        return fail(Error::Unavailable);
    // The id is for the owner's commands: hex reads better than base64url there.
    r.id = QString::fromLatin1(
        QByteArray::fromBase64(r.id.toLatin1(), QByteArray::Base64UrlEncoding).toHex());
    r.statusTokenHash = hashToken(result.statusToken);
    r.nameSpace = challenge->nameSpace;
    r.phone = challenge->phone;
    r.certificateFingerprint = leaf.fingerprint();
    r.certificatePem = leaf.toPem();
    r.keyType = RegistrationProof::keyTypeName(keyType);
    r.state = PendingRegistration::State::AwaitingCall;
    r.createdAt = at;
    r.codeExpiresAt = at.addSecs(m_config.callInWindowSecs);

    NewEvent event;
    event.type = QString::fromLatin1(RegistrationEvents::Submitted);
    event.actor = QStringLiteral("caller");
    event.payload = r.toPublicJson(at);
    if (!m_store.insert(r, event).isEmpty())
        return fail(Error::Unavailable);

    result.id = r.id;
    result.callInCode = r.callInCode;
    result.callInNumber = r.callInNumber;
    result.codeExpiresAt = r.codeExpiresAt;
    return result;
}

std::optional<PendingRegistration> RegistrationService::byStatusToken(const QString &token) const
{
    if (token.size() != StatusTokenLength || !isBase64Url(token))
        return std::nullopt;
    return m_store.byStatusTokenHash(hashToken(token));
}

bool RegistrationService::awaitsCallIn(const QString &phone, const QString &calledNumber) const
{
    const PhoneNumber::ParseResult from = PhoneNumber::parse(phone);
    const PhoneNumber::ParseResult to = PhoneNumber::parse(calledNumber);
    if (!from.ok || !to.ok)
        return false;
    const QList<PendingRegistration> waiting = m_store.awaitingCall(from.e164, now());
    return std::any_of(waiting.cbegin(), waiting.cend(),
                       [&to](const PendingRegistration &r) { return r.callInNumber == to.e164; });
}

bool RegistrationService::completeCallIn(const QString &phoneE164, const QString &digits,
                                         PendingRegistration *proven)
{
    const PhoneNumber::ParseResult parsed = PhoneNumber::parse(phoneE164);
    if (!parsed.ok)
        return false;
    const QDateTime at = now();
    const QList<PendingRegistration> candidates = m_store.awaitingCall(parsed.e164, at);
    if (candidates.isEmpty())
        return false;
    for (const PendingRegistration &candidate : candidates) {
        if (!sameDigits(candidate.callInCode, digits))
            continue;
        PendingRegistration r = candidate;
        r.phoneProvenAt = at;
        r.state = PendingRegistration::State::AwaitingOwner;
        NewEvent event;
        event.type = QString::fromLatin1(RegistrationEvents::PhoneProven);
        event.actor = QStringLiteral("caller");
        event.payload = r.toPublicJson(at);
        if (!m_store.transition(r, PendingRegistration::State::AwaitingCall, event).isEmpty())
            return false;
        if (m_config.approval == Approval::Automatic)
            decide(r.id, true, QStringLiteral("engine"));
        if (proven)
            *proven = m_store.byId(r.id).value_or(r);
        return true;
    }
    for (PendingRegistration r : candidates) {
        ++r.callInFailures;
        if (r.callInFailures >= m_config.maxCallInFailures)
            r.state = PendingRegistration::State::Expired;
        m_store.updateCallIn(r);
    }
    return false;
}

RegistrationService::DecisionResult RegistrationService::decide(const QString &id, bool approve,
                                                                const QString &actor)
{
    DecisionResult result;
    const auto found = m_store.byId(id);
    if (!found) {
        result.error = QStringLiteral("no registration %1").arg(id.left(64));
        return result;
    }
    const QDateTime at = now();
    PendingRegistration r = *found;
    const PendingRegistration::State state = r.effectiveState(at);
    const bool open = state == PendingRegistration::State::AwaitingOwner ||
                      (!approve && state == PendingRegistration::State::AwaitingCall);
    if (!open) {
        result.error = approve && state == PendingRegistration::State::AwaitingCall
                           ? QStringLiteral("registration %1 is still waiting for the call from"
                                            " its phone")
                                 .arg(id)
                           : QStringLiteral("registration %1 is %2, not waiting for a decision")
                                 .arg(id, PendingRegistration::stateName(state));
        return result;
    }
    if (approve && m_sink) {
        const QString error = m_sink(r);
        if (!error.isEmpty()) {
            result.error = error;
            return result;
        }
    }
    const PendingRegistration::State expected = r.state;
    r.state = approve ? PendingRegistration::State::Approved : PendingRegistration::State::Denied;
    r.decidedAt = at;
    r.decidedBy = actor;
    NewEvent event;
    event.type =
        QString::fromLatin1(approve ? RegistrationEvents::Approved : RegistrationEvents::Denied);
    event.actor = actor;
    event.payload = r.toPublicJson(at);
    const QString error = m_store.transition(r, expected, event);
    if (!error.isEmpty()) {
        result.error = error;
        return result;
    }
    result.ok = true;
    result.registration = r;
    return result;
}

RegistrationService::DecisionResult RegistrationService::approve(const QString &id,
                                                                 const QString &actor)
{
    return decide(id, true, actor);
}

RegistrationService::DecisionResult RegistrationService::deny(const QString &id,
                                                              const QString &actor)
{
    return decide(id, false, actor);
}

std::optional<PendingRegistration> RegistrationService::registration(const QString &id) const
{
    return m_store.byId(id);
}

QList<PendingRegistration> RegistrationService::open() const
{
    return m_store.open(now());
}

} // namespace kt
