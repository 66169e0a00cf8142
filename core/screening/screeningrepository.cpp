// SPDX-License-Identifier: GPL-3.0-or-later
#include "screeningrepository.h"

#include "certificaterepository.h"
#include "numberrepository.h"
#include "registryrepository.h"
#include "rulerepository.h"
#include "screeningtables.h"

namespace kt {

struct ScreeningRepository::Private
{
    explicit Private(EventStore &store)
        : tables(store), certificates(tables), registry(tables, certificates), numbers(tables),
          rules(tables)
    {}

    ScreeningTables tables;
    CertificateRepository certificates;
    RegistryRepository registry;
    NumberRepository numbers;
    RuleRepository rules;
};

ScreeningRepository::ScreeningRepository(EventStore &store) : d(std::make_unique<Private>(store)) {}

ScreeningRepository::~ScreeningRepository() = default;

void ScreeningRepository::setClock(Clock clock)
{
    d->tables.clock = std::move(clock);
}

QDateTime ScreeningRepository::now() const
{
    return d->tables.now();
}

void ScreeningRepository::setDefaultNameSpace(const QString &nameSpace)
{
    d->numbers.setDefaultNameSpace(nameSpace);
}

QString ScreeningRepository::errorString() const
{
    return d->tables.error;
}

QString ScreeningRepository::formatTime(const QDateTime &time)
{
    return screeningsql::formatTime(time);
}

QDateTime ScreeningRepository::parseTime(const QString &text)
{
    return screeningsql::parseTime(text);
}

TrustStore ScreeningRepository::trustStore() const
{
    return d->certificates.trustStore();
}

// ---- Lookups --------------------------------------------------------------------------------

std::optional<Rule> ScreeningRepository::matchRule(Rule::Kind kind, const QString &e164,
                                                   const QDateTime &now) const
{
    return d->rules.matchRule(kind, e164, now);
}

std::optional<Registration> ScreeningRepository::registration(const QString &e164) const
{
    return d->registry.registration(e164);
}

CertCheck ScreeningRepository::checkCertificate(const QString &nameSpace,
                                                const QString &fingerprint,
                                                const QDateTime &now) const
{
    return d->certificates.checkCertificate(nameSpace, fingerprint, now);
}

std::optional<NumberEntry> ScreeningRepository::number(const QString &e164) const
{
    return d->numbers.number(e164);
}

// ---- Lists ----------------------------------------------------------------------------------

QList<NumberEntry> ScreeningRepository::numbers() const
{
    return d->numbers.numbers();
}

NumberMap ScreeningRepository::numberMap() const
{
    return d->numbers.numberMap();
}

QList<TrustedRootInfo> ScreeningRepository::roots() const
{
    return d->certificates.roots();
}

QList<CertificateInfo> ScreeningRepository::certificates(const QDateTime &at) const
{
    return d->certificates.certificates(at);
}

QList<RevocationInfo> ScreeningRepository::revocations() const
{
    return d->certificates.revocations();
}

QList<RegistrationInfo> ScreeningRepository::registrations(const QDateTime &at) const
{
    return d->registry.registrations(at);
}

QList<RuleInfo> ScreeningRepository::rules(const QDateTime &at, bool includeRemoved) const
{
    return d->rules.rules(at, includeRemoved);
}

std::optional<RuleInfo> ScreeningRepository::rule(qint64 id, const QDateTime &at) const
{
    return d->rules.rule(id, at);
}

// ---- Number map -----------------------------------------------------------------------------

NumberEntry ScreeningRepository::numberFromTelnyx(const QJsonObject &record)
{
    return NumberRepository::numberFromTelnyx(record);
}

ScreeningResult ScreeningRepository::importNumbers(const NumberMap &map, const QString &actor,
                                                   const QString &source)
{
    return d->numbers.importNumbers(map, actor, source);
}

ScreeningResult ScreeningRepository::syncNumbers(const QList<NumberEntry> &fromTelnyx,
                                                 const QString &actor)
{
    return d->numbers.syncNumbers(fromTelnyx, actor);
}

ScreeningResult ScreeningRepository::setNumberPolicy(const QString &phone, const QString &policy,
                                                     const QString &actor)
{
    return d->numbers.setNumberPolicy(phone, policy, actor);
}

ScreeningResult ScreeningRepository::ensureDefaultNumbers(const QString &actor)
{
    return d->numbers.ensureDefaultNumbers(actor);
}

// ---- Certificates ---------------------------------------------------------------------------

ScreeningResult ScreeningRepository::trustRoot(const QByteArray &pem, const QString &actor)
{
    return d->certificates.trustRoot(pem, actor);
}

ScreeningResult ScreeningRepository::addCertificate(const QByteArray &pem, const QString &actor)
{
    return d->certificates.addCertificate(pem, actor);
}

ScreeningResult ScreeningRepository::revokeCertificate(const QString &fingerprint,
                                                       const QString &note, const QString &actor)
{
    return d->certificates.revokeCertificate(fingerprint, note, actor, d->registry);
}

// ---- Registry -------------------------------------------------------------------------------

ScreeningResult ScreeningRepository::registerPhone(const QString &phone, const QString &nameSpace,
                                                   const QString &actor, const QString &pin)
{
    return d->registry.registerPhone(phone, nameSpace, actor, pin);
}

ScreeningResult ScreeningRepository::unregister(const QString &phone, const QString &actor)
{
    return d->registry.unregister(phone, actor);
}

ScreeningResult ScreeningRepository::setPin(const QString &phone, const QString &pin,
                                            const QString &actor)
{
    return d->registry.setPin(phone, pin, actor);
}

ScreeningResult ScreeningRepository::setPinHash(const QString &phone, const QString &pinHash,
                                                const QString &actor)
{
    return d->registry.setPinHash(phone, pinHash, actor);
}

ScreeningResult ScreeningRepository::clearPin(const QString &phone, const QString &actor)
{
    return d->registry.clearPin(phone, actor);
}

PinCheck ScreeningRepository::checkPin(const QString &e164, const QString &digits) const
{
    return d->registry.checkPin(e164, digits);
}

ScreeningResult ScreeningRepository::recordPinAttempt(const PinCheck &check, int pinTry,
                                                      const QString &callId,
                                                      const QJsonObject &extra,
                                                      const QString &actor,
                                                      const CallUpdate *update)
{
    return d->registry.recordPinAttempt(check, pinTry, callId, extra, actor, update);
}

// ---- Rules ----------------------------------------------------------------------------------

ScreeningResult ScreeningRepository::addRule(const QString &kind, const QString &pattern,
                                             const QString &note, const QString &until,
                                             bool singleUse, const QString &actor)
{
    return d->rules.addRule(kind, pattern, note, until, singleUse, actor);
}

ScreeningResult ScreeningRepository::removeRule(qint64 id, const QString &actor)
{
    return d->rules.removeRule(id, actor);
}

ScreeningResult ScreeningRepository::consumeRule(qint64 id, const QString &callId,
                                                 const QString &actor)
{
    return d->rules.consumeRule(id, callId, actor);
}

} // namespace kt
