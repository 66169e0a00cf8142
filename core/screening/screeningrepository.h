// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "numbermap.h"
#include "registryrepository.h"
#include "rule.h"
#include "screeninglookup.h"
#include "screeningrecords.h"
#include "truststore.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>

class QSqlDatabase;

namespace kt {

class EventStore;
struct CallUpdate;

// The screening data (number map, trusted roots, namespace certificates, revocations, caller
// registry, allow/block rules) in the event store's SQLite database. Every mutation validates its
// input, writes its rows and appends one event (ScreeningEvents) in one transaction: either both
// are stored or neither. A mutation that would change nothing (e.g. trusting a root already
// trusted) succeeds with seq == 0 and appends nothing.
//
// It is the one entry point to the screening tables: each table family has a small repository of
// its own (NumberRepository, CertificateRepository, RegistryRepository, RuleRepository) over the
// SQL they share (ScreeningTables), and this class hands each call to the right one.
//
// Works over an open EventStore, on its connection and in its thread; it must be destroyed
// before the store is closed. Mutations need a ReadWrite store; the lists and the lookups also
// work on a ReadOnly one. Changes made by other connections (the CLI next to a running server)
// are seen at once: the hot-path lookups read indexed rows, and the cached trust store is
// reloaded when PRAGMA data_version says another connection committed.
//
// Lookups (the ScreeningLookup interface the Decider calls on every call) cost an indexed query
// or two: matchRule reads the rules whose pattern is the number or one of its prefixes,
// registration() reads one row by primary key, checkCertificate() reads one certificate by
// fingerprint and verifies it against the cached trust store.
class ScreeningRepository : public ScreeningLookup
{
public:
    using Clock = std::function<QDateTime()>;

    explicit ScreeningRepository(EventStore &store);
    ~ScreeningRepository() override;
    ScreeningRepository(const ScreeningRepository &) = delete;
    ScreeningRepository &operator=(const ScreeningRepository &) = delete;

    // "Now" for the mutations' checks and timestamps (default QDateTime::currentDateTimeUtc).
    void setClock(Clock clock);
    QDateTime now() const;
    // The namespace of numbers that come without one (syncNumbers); default "kevan.tel.x".
    void setDefaultNameSpace(const QString &nameSpace);

    // ---- ScreeningLookup (hot path) ---------------------------------------------------------
    std::optional<Rule> matchRule(Rule::Kind kind, const QString &e164,
                                  const QDateTime &now) const override;
    std::optional<Registration> registration(const QString &e164) const override;
    // The stored certificate with this fingerprint (code "missing" when none), verified against
    // the trusted roots and revocations for `nameSpace` and `fingerprint` at `now`. With an
    // empty fingerprint the namespace's best certificate is checked (a valid one if any).
    CertCheck checkCertificate(const QString &nameSpace, const QString &fingerprint,
                               const QDateTime &now) const override;
    // One number of the map by E.164; nullopt when it is not in the map.
    std::optional<NumberEntry> number(const QString &e164) const;

    // ---- Number map -------------------------------------------------------------------------
    // Merges a number map by E.164: new numbers are added (after the existing ones, in the
    // map's order); for a number already stored the map's raw form and namespace replace the
    // stored ones, and its label, policy and Telnyx fields replace them only when the map gives
    // them (non-empty), so existing labels survive a map without labels. Numbers missing from
    // the map are kept. One event "tel.number_imported" (counts, source, the changed entries);
    // none when nothing changed. `source` (e.g. the file) is recorded in the event.
    ScreeningResult importNumbers(const NumberMap &map, const QString &actor,
                                  const QString &source = QString());
    // Merges the numbers listed on the Telnyx account (NumberMap::mergeSync semantics); new
    // numbers get the default namespace. One event "tel.numbers_synced"; none when nothing
    // changed.
    ScreeningResult syncNumbers(const QList<NumberEntry> &fromTelnyx, const QString &actor);
    // Sets (or with an empty policy clears) one number's policy: "accept_all",
    // "reject_with_message", "reject", "ask". Event "tel.number_policy_set".
    ScreeningResult setNumberPolicy(const QString &phone, const QString &policy,
                                    const QString &actor);
    // Imports NumberMap::defaultMap() when the numbers table is empty (seq 0 otherwise).
    ScreeningResult ensureDefaultNumbers(const QString &actor);
    // A Telnyx phone_numbers record (docs/telnyx-api.md §5.1) as a NumberEntry for syncNumbers:
    // e164 and raw from phone_number, telnyxId from id, connectionId, tags.
    static NumberEntry numberFromTelnyx(const QJsonObject &record);

    // ---- Certificates -----------------------------------------------------------------------
    // Trusts a root (or intermediate) CA for namespace certificates. Refuses a certificate that
    // is not a CA. Already trusted: ok, seq 0. Event "tel.root_trusted" (with the PEM).
    ScreeningResult trustRoot(const QByteArray &pem, const QString &actor);
    // Adds a namespace certificate: it must name a .x namespace in a DNS SAN, must not be a CA,
    // and must be valid now against the trusted roots and revocations; otherwise it is refused
    // with the reason (a registry needs a valid certificate, so trust the root first). Already
    // stored: ok, seq 0. Event "tel.certificate_added" (with the PEM).
    ScreeningResult addCertificate(const QByteArray &pem, const QString &actor);
    // Revokes a SHA-256 fingerprint (any form Certificate::normalizeFingerprint accepts): a
    // namespace certificate, a trusted root, an intermediate, or one not stored (yet). Already
    // revoked: ok, seq 0. Event "tel.certificate_revoked" (what it was, affected registrations).
    ScreeningResult revokeCertificate(const QString &fingerprint, const QString &note,
                                      const QString &actor);

    // ---- Registry ---------------------------------------------------------------------------
    // Registers a caller's phone (any written form) to a namespace that has a certificate valid
    // now; records that certificate's fingerprint (the valid one that expires last). Refused
    // otherwise, e.g. "cannot register +17702300635: no valid certificate for alice.x
    // (certificate for alice.x expired on 2026-01-02)". Registering again replaces the previous
    // registration (namespace and fingerprint). Event "tel.registry_added".
    // With a `pin` (4-8 digits) the registration gets it, stored as a salted hash; without one
    // it keeps its PIN when it stays with the same namespace, and loses it when it moves to
    // another. The event says whether a PIN is set, never which.
    ScreeningResult registerPhone(const QString &phone, const QString &nameSpace,
                                  const QString &actor, const QString &pin = QString());
    // Sets a registered phone's PIN (4-8 digits; stored only as a salted scrypt hash) and lifts
    // any lock and count of wrong PINs. Event "tel.registry_pin_set" (no digits).
    ScreeningResult setPin(const QString &phone, const QString &pin, const QString &actor);
    // The same with a PIN already hashed by PinHash::hash() (a caller's self-registration: the
    // PIN never reaches the owner in clear). Refused when `storedHash` is not such a hash.
    ScreeningResult setPinHash(const QString &phone, const QString &storedHash,
                               const QString &actor);
    // Removes the PIN (and the lock). Event "tel.registry_pin_cleared"; seq 0 when none was set.
    ScreeningResult clearPin(const QString &phone, const QString &actor);

    // ---- PIN attempts (the engine, during a call's challenge) -------------------------------
    // Wrong PINs are counted per registration across calls: PinFailureLimit wrong PINs within
    // PinFailureWindowSecs lock the registration's PIN for PinLockSecs (no PIN is checked
    // meanwhile, not even the right one). A right PIN resets the count.
    static constexpr int PinFailureLimit = RegistryRepository::PinFailureLimit;
    static constexpr int PinFailureWindowSecs = RegistryRepository::PinFailureWindowSecs;
    static constexpr int PinLockSecs = RegistryRepository::PinLockSecs;
    // Checks `digits` against the registration's PIN at now() and works out the new count;
    // writes nothing. The hash is slow on purpose.
    PinCheck checkPin(const QString &e164, const QString &digits) const;
    // Writes what `check` did to the registration's count and lock, with the event
    // "tel.pin_verified" (Right) or "tel.pin_failed" (anything else) for call `callId`: phone,
    // namespace, the try, the outcome, the count, the lock, and `extra` (e.g. the decision),
    // plus "tel.pin_locked" when this attempt started a lock. `update` (optional) is applied to
    // the call's row with the event. Never the digits.
    ScreeningResult recordPinAttempt(const PinCheck &check, int pinTry, const QString &callId,
                                     const QJsonObject &extra, const QString &actor,
                                     const CallUpdate *update = nullptr);
    // Event "tel.registry_removed"; an unregistered phone is an error.
    ScreeningResult unregister(const QString &phone, const QString &actor);

    // ---- Rules ------------------------------------------------------------------------------
    // kind "allow" | "block"; pattern via PhoneNumber::parsePattern; until: ISO-8601 (no offset
    // = local time; empty = never), must be in the future; note at most 500 characters. Event
    // "tel.rule_added"; ScreeningResult::ruleId is the new id.
    ScreeningResult addRule(const QString &kind, const QString &pattern, const QString &note,
                            const QString &until, bool singleUse, const QString &actor);
    // Removes an active or expired rule (kept as removed; ids are never reused). Unknown or
    // already removed id: error. Event "tel.rule_removed".
    ScreeningResult removeRule(qint64 id, const QString &actor);
    // Consumes a single-use rule that decided `callId`. Error when the rule does not exist, is
    // not single-use, was consumed already, is expired or removed. Event "tel.rule_consumed"
    // with call_id = callId.
    ScreeningResult consumeRule(qint64 id, const QString &callId, const QString &actor);

    // ---- Lists (an invalid `at` means now()) ------------------------------------------------
    QList<NumberEntry> numbers() const; // map order, labelCheck computed
    NumberMap numberMap() const;        // the same as a NumberMap of the default namespace
    QList<TrustedRootInfo> roots() const;
    QList<CertificateInfo> certificates(const QDateTime &at = QDateTime()) const; // by namespace
    QList<RevocationInfo> revocations() const;
    QList<RegistrationInfo> registrations(const QDateTime &at = QDateTime()) const; // by phone
    // Rules by id; removed rules only with includeRemoved.
    QList<RuleInfo> rules(const QDateTime &at = QDateTime(), bool includeRemoved = false) const;
    std::optional<RuleInfo> rule(qint64 id, const QDateTime &at = QDateTime()) const;

    // The trust store built from trusted_roots and revocations (cached; see the class comment).
    TrustStore trustStore() const;
    // The last error of a list or lookup (they return empty results on a database error).
    QString errorString() const;

    // "yyyy-MM-ddTHH:mm:ss.zzzZ" (UTC), how the tables store times; empty for an invalid time.
    static QString formatTime(const QDateTime &time);
    static QDateTime parseTime(const QString &text);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace kt
