// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "challengebook.h"
#include "pendingregistration.h"
#include "registrationstore.h"

#include "screening/truststore.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

namespace kt {

class EventStore;

// Self-registration: a caller proves they hold a namespace (a certificate valid against the
// owner's trusted roots, and a signature by its key over a fresh challenge bound to the phone and
// the namespace; see RegistrationProof), then proves the phone (rings one of the owner's numbers
// from it within the call-in window and keys in a 6-digit code), and the owner approves (or, with
// `registration-approval` = automatic, the proven registration is approved at once).
//
// Every answer to a caller depends only on what the caller sent: nothing here reads the caller
// registry, so the answers do not say whether a namespace or a phone is registered already.
// Errors are fixed codes with fixed messages (RegistrationError), never the caller's input.
//
// Works on an open EventStore, in its thread.
class RegistrationService
{
public:
    using Clock = std::function<QDateTime()>;
    enum class Approval { Owner, Automatic };

    struct Config
    {
        int challengeLifetimeSecs = 600;
        int maxChallenges = 1000;
        int callInWindowSecs = 600;
        int maxOpenRegistrations = 100; // awaiting the call or the owner, all callers together
        int maxCallInFailures = 5;      // wrong codes keyed in from the phone, per registration
        Approval approval = Approval::Owner;
    };

    // The fixed errors a caller can get. code(): a stable identifier; message(): one sentence.
    enum class Error {
        None,
        InvalidRequest,
        TooLarge,
        NamespaceInvalid,
        PhoneInvalid,
        PinInvalid,
        ChallengeInvalid,
        CertificateInvalid,
        CertificateUntrusted,
        CertificateExpired,
        CertificateRevoked,
        CertificateWrongNamespace,
        KeyUnsupported,
        SignatureInvalid,
        Busy,
        Unavailable,
    };
    static QString code(Error error);
    static QString message(Error error);

    // Size limits of the submitted fields.
    static constexpr int MaxNamespaceLength = 253;
    static constexpr int MaxPhoneLength = 32;
    static constexpr int MaxCertificatePem = 8192;
    static constexpr int MaxSignatureText = 200; // base64 of a signature (at most 72 bytes)
    static constexpr int ChallengeLength = 43;   // 32 bytes, base64url without padding
    static constexpr int StatusTokenLength = 43;

    struct ChallengeResult
    {
        Error error = Error::None;
        QString challenge;
        QString nameSpace;  // normalised (lower case)
        QString phone;      // E.164
        QByteArray message; // the exact bytes to sign
        QDateTime expiresAt;
    };

    struct Submission
    {
        QString challenge;
        QByteArray certificatePem;
        QString signature; // base64 or base64url, padding optional
        QString pin;
    };

    struct SubmitResult
    {
        Error error = Error::None;
        QString id;
        QString statusToken; // given to the caller once; only its hash is kept
        QString callInCode;
        QString callInNumber;
        QDateTime codeExpiresAt;
    };

    struct DecisionResult
    {
        bool ok = false;
        QString error; // for the owner (the id is theirs), e.g. "no registration abc"
        std::optional<PendingRegistration> registration;
    };

    // `store` must outlive the service. The PIN a caller chooses is kept only as PinHash
    // writes it, the form the caller registry keeps, so approval hands it on unchanged.
    explicit RegistrationService(EventStore &store);
    RegistrationService(EventStore &store, Config config);

    void setConfig(const Config &config);
    Config config() const { return m_config; }
    void setClock(Clock clock);
    QDateTime now() const;
    // The owner's trusted roots and revocations, read at each submission.
    void setTrustStoreSource(std::function<TrustStore()> source);
    // The owner's numbers a caller may ring for the call-in (E.164); one is picked at random.
    void setCallInNumbers(std::function<QStringList()> source);
    // Run by approve() before the registration is marked approved (e.g. to add the phone to the
    // caller registry with its PIN hash). Returns an error to refuse the approval, or empty.
    void setApprovalSink(std::function<QString(const PendingRegistration &)> sink);
    static std::optional<Approval> approvalFromString(const QString &text); // owner|automatic

    // Step 1: a fresh challenge for this namespace and phone.
    ChallengeResult challenge(const QString &nameSpace, const QString &phone);
    // Step 2: the certificate, the signature over the challenge's message, and the chosen PIN.
    // On success the registration is stored (awaiting_call) with event
    // tel.registration_submitted. The challenge is used up whatever the outcome.
    SubmitResult submit(const Submission &submission);
    // The caller's view: nullopt for an unknown token.
    std::optional<PendingRegistration> byStatusToken(const QString &token) const;

    // For the call flow: a call from `phoneE164` keyed in `digits`. True when an open
    // registration of that phone has this code: it moves to awaiting_owner (event
    // tel.registration_phone_proven), or is approved at once with Approval::Automatic. A wrong
    // code counts against every open registration of the phone; past maxCallInFailures they
    // expire.
    // `proven`, when given, receives the registration the right code proved, as it is after
    // the call (awaiting_owner, or approved with Approval::Automatic).
    bool completeCallIn(const QString &phoneE164, const QString &digits,
                        PendingRegistration *proven = nullptr);
    // Whether a call from `phone` to the owner's number `calledNumber` is a call-in: an open
    // awaiting_call registration of that phone showed that number (any written form).
    bool awaitsCallIn(const QString &phone, const QString &calledNumber) const;

    // The owner's decisions; `actor` as in the event log ("owner", "cli", "engine").
    DecisionResult approve(const QString &id, const QString &actor = QStringLiteral("owner"));
    DecisionResult deny(const QString &id, const QString &actor = QStringLiteral("owner"));

    std::optional<PendingRegistration> registration(const QString &id) const;
    // Registrations awaiting the call or the owner, oldest first.
    QList<PendingRegistration> open() const;
    int outstandingChallenges() const { return m_challenges.outstanding(); }

    static QString hashToken(const QString &token); // SHA-256, lower-case hex

private:
    QString randomCode() const;
    QString pickNumber() const;
    DecisionResult decide(const QString &id, bool approve, const QString &actor);

    RegistrationStore m_store;
    Config m_config;
    Clock m_clock;
    ChallengeBook m_challenges;
    std::function<TrustStore()> m_trust;
    std::function<QStringList()> m_numbers;
    std::function<QString(const PendingRegistration &)> m_sink;
};

} // namespace kt
