// SPDX-License-Identifier: GPL-3.0-or-later
#include "screeningrepository.h"

#include "keypad.h"
#include "phonenumber.h"
#include "pinhash.h"
#include "screeningevents.h"
#include "store/callrecord.h"
#include "store/eventstore.h"
#include "store/sqlquery.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <algorithm>

namespace kt {

namespace {

constexpr int kMaxNoteLength = 500;
// "+" and at most 15 digits: the exact number and its prefixes "+1*" ... "+17702300635*".
constexpr int kPatternCandidates = 16;

const QString kRuleColumns = QStringLiteral(
    "id, kind, pattern, note, until, single_use, created_at, used_at, used_by_call, removed_at");

// SQL NULL. (A null QString would bind as NULL too, so execSql() binds null strings as ''.)
QVariant nullText()
{
    return QVariant::fromValue(nullptr);
}

QVariant textOrNull(const QString &s)
{
    return s.isEmpty() ? nullText() : QVariant(s);
}

QString quoted(const QString &s)
{
    return QLatin1Char('"') + s + QLatin1Char('"');
}

// Runs one statement with positional values; an error line or an empty string.
QString execSql(QSqlDatabase &db, const QString &sql, const QVariantList &values,
                int *rowsAffected = nullptr)
{
    QSqlQuery q(db);
    if (!q.prepare(sql))
        return sql::errorText(q);
    for (int i = 0; i < values.size(); ++i) {
        const QVariant &v = values.at(i);
        const bool nullString =
            v.metaType() == QMetaType::fromType<QString>() && v.toString().isNull();
        q.bindValue(i, nullString ? QVariant(QStringLiteral("")) : v);
    }
    if (!q.exec())
        return sql::errorText(q);
    if (rowsAffected)
        *rowsAffected = q.numRowsAffected();
    return QString();
}

// A per-connection counter that every successful mutation bumps, so that every repository on the
// connection (same thread: connections are per thread) drops its cached trust store. Commits by
// other connections show in PRAGMA data_version instead.
quint64 &generationFor(const QString &connectionName)
{
    thread_local QHash<QString, quint64> generations;
    return generations[connectionName];
}

Rule readRule(const QSqlQuery &q, QString *usedByCall = nullptr, bool *removed = nullptr)
{
    Rule r;
    r.id = q.value(0).toLongLong();
    r.kind = Rule::kindFromName(q.value(1).toString()).value_or(Rule::Block);
    r.pattern = q.value(2).toString();
    r.note = q.value(3).toString();
    r.until = ScreeningRepository::parseTime(q.value(4).toString());
    r.singleUse = q.value(5).toInt() != 0;
    r.createdAt = ScreeningRepository::parseTime(q.value(6).toString());
    r.usedAt = ScreeningRepository::parseTime(q.value(7).toString());
    if (usedByCall)
        *usedByCall = q.value(8).toString();
    if (removed)
        *removed = !q.value(9).isNull();
    return r;
}

NumberEntry readNumber(const QSqlQuery &q)
{
    NumberEntry e;
    e.e164 = q.value(0).toString();
    e.raw = q.value(1).toString();
    e.label = q.value(2).toString();
    e.nameSpace = q.value(3).toString();
    e.policy = q.value(4).toString();
    e.telnyxId = q.value(5).toString();
    e.connectionId = q.value(6).toString();
    const QJsonArray tags = QJsonDocument::fromJson(q.value(7).toString().toUtf8()).array();
    for (const QJsonValue &t : tags)
        e.tags.append(t.toString());
    e.labelCheck = Keypad::spells(e.label, e.e164);
    return e;
}

const QString kNumberColumns =
    QStringLiteral("e164, raw, label, namespace, policy, telnyx_id, connection_id, tags");

QString writeNumber(QSqlDatabase &db, const NumberEntry &e, const QString &updatedAt)
{
    const QString error = execSql(
        db,
        QStringLiteral(
            "INSERT INTO numbers (e164, raw, label, namespace, policy, telnyx_id, connection_id,"
            " tags, position, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?,"
            " (SELECT coalesce(max(position), 0) + 1 FROM numbers), ?)"
            " ON CONFLICT(e164) DO UPDATE SET raw = excluded.raw, label = excluded.label,"
            " namespace = excluded.namespace, policy = excluded.policy,"
            " telnyx_id = excluded.telnyx_id, connection_id = excluded.connection_id,"
            " tags = excluded.tags, updated_at = excluded.updated_at"),
        {e.e164, e.raw.isEmpty() ? e.e164 : e.raw, e.label, e.nameSpace, e.policy,
         textOrNull(e.telnyxId), textOrNull(e.connectionId),
         QString::fromUtf8(
             QJsonDocument(QJsonArray::fromStringList(e.tags)).toJson(QJsonDocument::Compact)),
         updatedAt});
    return error.isEmpty() ? error
                           : QStringLiteral("cannot store number %1: %2").arg(e.e164, error);
}

QJsonObject numberJson(const NumberEntry &e)
{
    QJsonObject o = NumberMap::entryToJson(e);
    o.insert(QStringLiteral("label_check"), Keypad::code(e.labelCheck));
    return o;
}

CertCheck toCheck(const CertStatus &status)
{
    return CertCheck{status.isValid(), status.codeString(), status.reason};
}

} // namespace

QString RuleInfo::state() const
{
    if (consumed)
        return QStringLiteral("consumed");
    if (expired)
        return QStringLiteral("expired");
    return QStringLiteral("active");
}

struct ScreeningRepository::Private
{
    explicit Private(EventStore &s) : store(s) {}

    EventStore &store;
    Clock clock;
    QString defaultNameSpace = QString::fromLatin1(NumberMap::DefaultNameSpace);
    mutable QString error;

    // Hot-path statements, prepared once.
    mutable std::optional<QSqlQuery> dataVersion, matchRule, registration, certificate,
        namespaceCertificates, number;

    // The trust store as of (trustVersion, trustGeneration).
    mutable std::optional<TrustStore> trust;
    mutable qint64 trustVersion = -1;
    mutable quint64 trustGeneration = 0;
    // Parsed certificates by fingerprint (a fingerprint names one certificate for ever).
    mutable QHash<QString, Certificate> certificateCache;

    QSqlDatabase db() const { return QSqlDatabase::database(store.connectionName(), false); }

    QDateTime now() const
    {
        const QDateTime t = clock ? clock() : QDateTime::currentDateTimeUtc();
        return t.toUTC();
    }
    QDateTime at(const QDateTime &t) const { return t.isValid() ? t.toUTC() : now(); }

    bool prepare(std::optional<QSqlQuery> &slot, const QString &sql) const
    {
        if (slot)
            return true;
        QSqlDatabase database = db();
        if (!database.isOpen()) {
            error = QStringLiteral("event store is not open");
            return false;
        }
        slot.emplace(database);
        slot->setForwardOnly(true);
        if (!slot->prepare(sql)) {
            error =
                QStringLiteral("cannot prepare a screening query: %1").arg(sql::errorText(*slot));
            slot.reset();
            return false;
        }
        return true;
    }

    // Runs a read query (an optional list of values); false and `error` set on failure. The
    // caller reads the rows, then calls finish() (a statement left open would pin a snapshot).
    bool select(QSqlQuery &q, const QString &sql, const QVariantList &values = {}) const
    {
        q.setForwardOnly(true);
        if (!q.prepare(sql)) {
            error = sql::errorText(q);
            return false;
        }
        for (int i = 0; i < values.size(); ++i)
            q.bindValue(i, values.at(i));
        if (!q.exec()) {
            error = sql::errorText(q);
            return false;
        }
        return true;
    }

    qint64 readDataVersion() const
    {
        if (!prepare(dataVersion, QStringLiteral("PRAGMA data_version")))
            return -1;
        qint64 v = -1;
        if (dataVersion->exec() && dataVersion->next())
            v = dataVersion->value(0).toLongLong();
        dataVersion->finish();
        return v;
    }

    const TrustStore &trustStore() const
    {
        const qint64 version = readDataVersion();
        const quint64 generation = generationFor(store.connectionName());
        if (trust && version >= 0 && version == trustVersion && generation == trustGeneration)
            return *trust;
        TrustStore t;
        QSqlDatabase database = db();
        {
            QSqlQuery q(database);
            if (select(q, QStringLiteral("SELECT pem FROM trusted_roots ORDER BY added_at"))) {
                while (q.next()) {
                    if (auto c = Certificate::fromPem(q.value(0).toString().toUtf8()))
                        t.addRoot(*c);
                }
            }
        }
        {
            QSqlQuery q(database);
            if (select(q, QStringLiteral("SELECT fingerprint, issuer_serial FROM revocations"))) {
                while (q.next()) {
                    t.revoke(q.value(0).toString());
                    t.revokeIssuerSerial(q.value(1).toString());
                }
            }
        }
        trust = t;
        trustVersion = version;
        trustGeneration = generation;
        return *trust;
    }

    // The stored certificate with this (normalised) fingerprint; null when none.
    Certificate loadCertificate(const QString &fingerprint) const
    {
        const auto cached = certificateCache.constFind(fingerprint);
        if (cached != certificateCache.cend())
            return *cached;
        if (!prepare(certificate,
                     QStringLiteral("SELECT pem FROM certificates WHERE fingerprint = ?")))
            return Certificate();
        certificate->bindValue(0, fingerprint);
        Certificate cert;
        if (certificate->exec() && certificate->next()) {
            if (auto c = Certificate::fromPem(certificate->value(0).toString().toUtf8()))
                cert = *c;
        } else if (certificate->lastError().isValid()) {
            error = sql::errorText(*certificate);
        }
        certificate->finish();
        if (!cert.isNull()) {
            if (certificateCache.size() > 1000)
                certificateCache.clear();
            certificateCache.insert(fingerprint, cert);
        }
        return cert;
    }

    // The certificates naming `nameSpace`.
    QList<Certificate> certificatesFor(const QString &nameSpace) const
    {
        QList<Certificate> out;
        if (!prepare(namespaceCertificates,
                     QStringLiteral("SELECT fingerprint FROM certificate_namespaces"
                                    " WHERE namespace = ?")))
            return out;
        namespaceCertificates->bindValue(0, nameSpace);
        QStringList fingerprints;
        if (namespaceCertificates->exec()) {
            while (namespaceCertificates->next())
                fingerprints.append(namespaceCertificates->value(0).toString());
        } else {
            error = sql::errorText(*namespaceCertificates);
        }
        namespaceCertificates->finish();
        for (const QString &fp : fingerprints) {
            const Certificate c = loadCertificate(fp);
            if (!c.isNull())
                out.append(c);
        }
        return out;
    }

    // The namespace's certificate to use at `when`: the valid one that expires last, else the
    // invalid one that expires last (for its reason). Null when none is stored.
    std::pair<Certificate, CertStatus> bestCertificate(const QString &nameSpace,
                                                       const QDateTime &when) const
    {
        const TrustStore &t = trustStore();
        Certificate best;
        CertStatus bestStatus;
        for (const Certificate &c : certificatesFor(nameSpace)) {
            const CertStatus s = t.verify(c, {}, nameSpace, c.fingerprint(), when);
            const bool better =
                best.isNull() || (s.isValid() && !bestStatus.isValid()) ||
                (s.isValid() == bestStatus.isValid() && c.notAfter() > best.notAfter());
            if (better) {
                best = c;
                bestStatus = s;
            }
        }
        return {best, bestStatus};
    }

    ScreeningResult fail(const QString &message) const
    {
        ScreeningResult r;
        r.error = message;
        return r;
    }

    // Appends the event and runs `writes` in the same transaction.
    ScreeningResult commit(ScreeningResult result, const QString &type, const QString &actor,
                           const QJsonObject &payload,
                           const std::function<QString(QSqlDatabase &)> &writes,
                           const QString &callId = QString(), const CallUpdate *update = nullptr)
    {
        NewEvent event;
        event.type = type;
        event.actor = actor;
        event.callId = callId;
        event.payload = payload;
        const AppendResult appended = store.append(event, update, writes);
        if (!appended.ok()) {
            result.ok = false;
            result.seq = 0;
            result.error = appended.error;
            return result;
        }
        ++generationFor(store.connectionName());
        trust.reset();
        result.ok = true;
        result.seq = appended.seq;
        return result;
    }

    ScreeningResult noChange(ScreeningResult result, const QString &message) const
    {
        result.ok = true;
        result.seq = 0;
        result.message = message;
        return result;
    }

    bool trustedRootExists(const QString &fingerprint) const
    {
        QSqlDatabase database = db();
        QSqlQuery q(database);
        return select(q, QStringLiteral("SELECT 1 FROM trusted_roots WHERE fingerprint = ?"),
                      {fingerprint}) &&
               q.next();
    }

    std::optional<RuleInfo> readRuleInfo(qint64 id, const QDateTime &when, bool *removed) const
    {
        QSqlDatabase database = db();
        QSqlQuery q(database);
        if (!select(q, QStringLiteral("SELECT %1 FROM rules WHERE id = ?").arg(kRuleColumns),
                    {id}) ||
            !q.next())
            return std::nullopt;
        RuleInfo info;
        info.rule = readRule(q, &info.usedByCall, removed);
        info.expired = info.rule.isExpired(when);
        info.consumed = info.rule.isConsumed();
        info.active = info.rule.isActive(when);
        return info;
    }
};

ScreeningRepository::ScreeningRepository(EventStore &store) : d(std::make_unique<Private>(store)) {}

ScreeningRepository::~ScreeningRepository() = default;

void ScreeningRepository::setClock(Clock clock)
{
    d->clock = std::move(clock);
}

QDateTime ScreeningRepository::now() const
{
    return d->now();
}

void ScreeningRepository::setDefaultNameSpace(const QString &nameSpace)
{
    d->defaultNameSpace = nameSpace;
}

QString ScreeningRepository::errorString() const
{
    return d->error;
}

QString ScreeningRepository::formatTime(const QDateTime &time)
{
    return time.isValid() ? EventStore::formatRecordedAt(time) : QString();
}

QDateTime ScreeningRepository::parseTime(const QString &text)
{
    if (text.isEmpty())
        return QDateTime();
    const QDateTime t = QDateTime::fromString(text, Qt::ISODateWithMs);
    return t.isValid() ? t.toUTC() : QDateTime();
}

TrustStore ScreeningRepository::trustStore() const
{
    return d->trustStore();
}

// ---- Lookups --------------------------------------------------------------------------------

std::optional<Rule> ScreeningRepository::matchRule(Rule::Kind kind, const QString &e164,
                                                   const QDateTime &now) const
{
    if (e164.size() < 2 || !e164.startsWith(QLatin1Char('+')) || e164.size() > kPatternCandidates)
        return std::nullopt;
    QString placeholders;
    for (int i = 0; i < kPatternCandidates; ++i)
        placeholders += i ? QStringLiteral(", ?") : QStringLiteral("?");
    // Served by the partial index rules_pattern (pattern, kind) WHERE removed_at IS NULL.
    if (!d->prepare(d->matchRule,
                    QStringLiteral("SELECT %1 FROM rules WHERE pattern IN (%2) AND kind = ?"
                                   " AND removed_at IS NULL")
                        .arg(kRuleColumns, placeholders)))
        return std::nullopt;
    QSqlQuery &q = *d->matchRule;
    int i = 0;
    q.bindValue(i++, e164);
    for (int length = 2; length <= e164.size(); ++length)
        q.bindValue(i++, e164.left(length) + QLatin1Char('*'));
    while (i < kPatternCandidates)
        q.bindValue(i++, nullText());
    q.bindValue(i, Rule::kindName(kind));
    QList<Rule> candidates;
    if (q.exec()) {
        while (q.next())
            candidates.append(readRule(q));
    } else {
        d->error = sql::errorText(q);
    }
    q.finish();
    if (candidates.isEmpty())
        return std::nullopt;
    return RuleSet(candidates).match(kind, e164, d->at(now));
}

std::optional<Registration> ScreeningRepository::registration(const QString &e164) const
{
    if (e164.isEmpty() ||
        !d->prepare(d->registration,
                    QStringLiteral("SELECT phone, namespace, certificate_fingerprint, verified_at,"
                                   " pin_hash IS NOT NULL, pin_locked_until"
                                   " FROM registry WHERE phone = ?")))
        return std::nullopt;
    QSqlQuery &q = *d->registration;
    q.bindValue(0, e164);
    std::optional<Registration> out;
    if (q.exec() && q.next()) {
        out = Registration{q.value(0).toString(),   q.value(1).toString(),
                           q.value(2).toString(),   parseTime(q.value(3).toString()),
                           q.value(4).toInt() != 0, parseTime(q.value(5).toString())};
    } else if (q.lastError().isValid()) {
        d->error = sql::errorText(q);
    }
    q.finish();
    return out;
}

CertCheck ScreeningRepository::checkCertificate(const QString &nameSpace,
                                                const QString &fingerprint,
                                                const QDateTime &now) const
{
    const QDateTime when = d->at(now);
    const QString ns = nameSpace.trimmed().toLower();
    if (fingerprint.trimmed().isEmpty()) {
        const auto [cert, status] = d->bestCertificate(ns, when);
        if (cert.isNull())
            return CertCheck{false, QStringLiteral("missing"),
                             QStringLiteral("no certificate for %1 is stored").arg(ns)};
        return toCheck(status);
    }
    const QString fp = Certificate::normalizeFingerprint(fingerprint);
    const Certificate cert = fp.isEmpty() ? Certificate() : d->loadCertificate(fp);
    if (cert.isNull())
        return CertCheck{false, QStringLiteral("missing"),
                         QStringLiteral("no certificate for %1 with SHA-256 %2 is stored")
                             .arg(ns, fp.isEmpty() ? fingerprint.trimmed() : fp)};
    return toCheck(d->trustStore().verify(cert, {}, ns, fp, when));
}

std::optional<NumberEntry> ScreeningRepository::number(const QString &e164) const
{
    if (e164.isEmpty() ||
        !d->prepare(d->number,
                    QStringLiteral("SELECT %1 FROM numbers WHERE e164 = ?").arg(kNumberColumns)))
        return std::nullopt;
    QSqlQuery &q = *d->number;
    q.bindValue(0, e164);
    std::optional<NumberEntry> out;
    if (q.exec() && q.next())
        out = readNumber(q);
    else if (q.lastError().isValid())
        d->error = sql::errorText(q);
    q.finish();
    return out;
}

// ---- Lists ----------------------------------------------------------------------------------

QList<NumberEntry> ScreeningRepository::numbers() const
{
    QList<NumberEntry> out;
    QSqlDatabase database = d->db();
    QSqlQuery q(database);
    if (!d->select(
            q,
            QStringLiteral("SELECT %1 FROM numbers ORDER BY position, e164").arg(kNumberColumns)))
        return out;
    while (q.next())
        out.append(readNumber(q));
    return out;
}

NumberMap ScreeningRepository::numberMap() const
{
    NumberMap map(d->defaultNameSpace);
    for (const NumberEntry &e : numbers())
        map.add(e);
    return map;
}

QList<TrustedRootInfo> ScreeningRepository::roots() const
{
    QList<TrustedRootInfo> out;
    const TrustStore &t = d->trustStore();
    QSqlDatabase database = d->db();
    QSqlQuery q(database);
    if (!d->select(q, QStringLiteral("SELECT fingerprint, pem, subject, not_after, added_at"
                                     " FROM trusted_roots ORDER BY added_at, fingerprint")))
        return out;
    while (q.next()) {
        TrustedRootInfo r;
        r.fingerprint = q.value(0).toString();
        if (auto c = Certificate::fromPem(q.value(1).toString().toUtf8()))
            r.certificate = *c;
        r.subject = q.value(2).toString();
        r.notAfter = parseTime(q.value(3).toString());
        r.addedAt = parseTime(q.value(4).toString());
        r.revoked =
            r.certificate.isNull() ? t.isRevoked(r.fingerprint) : t.isRevoked(r.certificate);
        out.append(r);
    }
    return out;
}

QList<CertificateInfo> ScreeningRepository::certificates(const QDateTime &at) const
{
    QList<CertificateInfo> out;
    const QDateTime when = d->at(at);
    const TrustStore t = d->trustStore();
    QSqlDatabase database = d->db();
    QSqlQuery q(database);
    if (!d->select(q, QStringLiteral("SELECT fingerprint, namespace, pem, subject, issuer,"
                                     " not_before, not_after, added_at FROM certificates"
                                     " ORDER BY namespace, not_after, fingerprint")))
        return out;
    while (q.next()) {
        CertificateInfo c;
        c.fingerprint = q.value(0).toString();
        c.nameSpace = q.value(1).toString();
        if (auto cert = Certificate::fromPem(q.value(2).toString().toUtf8()))
            c.certificate = *cert;
        c.namespaces = c.certificate.namespaces();
        c.subject = q.value(3).toString();
        c.issuer = q.value(4).toString();
        c.notBefore = parseTime(q.value(5).toString());
        c.notAfter = parseTime(q.value(6).toString());
        c.addedAt = parseTime(q.value(7).toString());
        c.status = toCheck(t.verify(c.certificate, {}, c.nameSpace, c.fingerprint, when));
        out.append(c);
    }
    return out;
}

QList<RevocationInfo> ScreeningRepository::revocations() const
{
    QList<RevocationInfo> out;
    QSqlDatabase database = d->db();
    QSqlQuery q(database);
    if (!d->select(q, QStringLiteral("SELECT fingerprint, revoked_at, note FROM revocations"
                                     " ORDER BY revoked_at, fingerprint")))
        return out;
    while (q.next())
        out.append(
            {q.value(0).toString(), parseTime(q.value(1).toString()), q.value(2).toString()});
    return out;
}

QList<RegistrationInfo> ScreeningRepository::registrations(const QDateTime &at) const
{
    QList<RegistrationInfo> out;
    QSqlDatabase database = d->db();
    {
        QSqlQuery q(database);
        if (!d->select(q, QStringLiteral("SELECT phone, namespace, certificate_fingerprint,"
                                         " verified_at, pin_hash IS NOT NULL, pin_locked_until,"
                                         " pin_failures FROM registry ORDER BY phone")))
            return out;
        while (q.next()) {
            RegistrationInfo r;
            r.registration =
                Registration{q.value(0).toString(),   q.value(1).toString(),
                             q.value(2).toString(),   parseTime(q.value(3).toString()),
                             q.value(4).toInt() != 0, parseTime(q.value(5).toString())};
            r.pinFailures = q.value(6).toInt();
            out.append(r);
        }
    }
    const QDateTime when = d->at(at);
    for (RegistrationInfo &r : out)
        r.status =
            checkCertificate(r.registration.nameSpace, r.registration.certificateFingerprint, when);
    return out;
}

QList<RuleInfo> ScreeningRepository::rules(const QDateTime &at, bool includeRemoved) const
{
    QList<RuleInfo> out;
    const QDateTime when = d->at(at);
    QSqlDatabase database = d->db();
    QSqlQuery q(database);
    if (!d->select(q, QStringLiteral("SELECT %1 FROM rules%2 ORDER BY id")
                          .arg(kRuleColumns, includeRemoved
                                                 ? QString()
                                                 : QStringLiteral(" WHERE removed_at IS NULL"))))
        return out;
    while (q.next()) {
        RuleInfo info;
        info.rule = readRule(q, &info.usedByCall);
        info.expired = info.rule.isExpired(when);
        info.consumed = info.rule.isConsumed();
        info.active = info.rule.isActive(when) && q.value(9).isNull();
        out.append(info);
    }
    return out;
}

std::optional<RuleInfo> ScreeningRepository::rule(qint64 id, const QDateTime &at) const
{
    bool removed = false;
    auto info = d->readRuleInfo(id, d->at(at), &removed);
    if (info && removed)
        info->active = false;
    return info;
}

// ---- Number map -----------------------------------------------------------------------------

NumberEntry ScreeningRepository::numberFromTelnyx(const QJsonObject &record)
{
    NumberEntry e;
    e.e164 = record.value(QLatin1String("phone_number")).toString().trimmed();
    e.raw = e.e164;
    const QJsonValue id = record.value(QLatin1String("id"));
    e.telnyxId = id.isDouble() ? QString::number(qint64(id.toDouble())) : id.toString();
    const QJsonValue connection = record.value(QLatin1String("connection_id"));
    e.connectionId = connection.isDouble() ? QString::number(qint64(connection.toDouble()))
                                           : connection.toString();
    for (const QJsonValue &t : record.value(QLatin1String("tags")).toArray()) {
        if (t.isString())
            e.tags.append(t.toString());
    }
    return e;
}

ScreeningResult ScreeningRepository::importNumbers(const NumberMap &map, const QString &actor,
                                                   const QString &source)
{
    const NumberMap current = numberMap();
    ScreeningResult result;
    QList<NumberEntry> changes;
    QJsonArray added, updated;
    for (const NumberEntry &in : map.entries()) {
        const NumberEntry *old = current.find(in.e164);
        NumberEntry next;
        if (!old) {
            next = in;
            if (next.raw.isEmpty())
                next.raw = next.e164;
            if (next.nameSpace.isEmpty())
                next.nameSpace = map.nameSpace().isEmpty() ? d->defaultNameSpace : map.nameSpace();
            next.labelCheck = Keypad::spells(next.label, next.e164);
            ++result.merge.added;
            added.append(numberJson(next));
        } else {
            next = *old;
            if (!in.raw.isEmpty())
                next.raw = in.raw;
            if (!in.nameSpace.isEmpty())
                next.nameSpace = in.nameSpace;
            if (!in.label.isEmpty())
                next.label = in.label;
            if (!in.policy.isEmpty())
                next.policy = in.policy;
            if (!in.telnyxId.isEmpty())
                next.telnyxId = in.telnyxId;
            if (!in.connectionId.isEmpty())
                next.connectionId = in.connectionId;
            if (!in.tags.isEmpty())
                next.tags = in.tags;
            next.labelCheck = Keypad::spells(next.label, next.e164);
            if (next == *old) {
                ++result.merge.unchanged;
                continue;
            }
            ++result.merge.updated;
            updated.append(numberJson(next));
        }
        changes.append(next);
    }
    const QString summary = QStringLiteral("%1 added, %2 updated, %3 unchanged")
                                .arg(result.merge.added)
                                .arg(result.merge.updated)
                                .arg(result.merge.unchanged);
    if (changes.isEmpty())
        return d->noChange(result, QStringLiteral("number map unchanged: %1").arg(summary));
    result.message = QStringLiteral("imported %1 numbers: %2").arg(map.size()).arg(summary);
    const QString updatedAt = formatTime(d->now());
    const QJsonObject payload{{QStringLiteral("source"), source},
                              {QStringLiteral("namespace"), map.nameSpace()},
                              {QStringLiteral("count"), int(map.size())},
                              {QStringLiteral("added"), result.merge.added},
                              {QStringLiteral("updated"), result.merge.updated},
                              {QStringLiteral("unchanged"), result.merge.unchanged},
                              {QStringLiteral("added_numbers"), added},
                              {QStringLiteral("updated_numbers"), updated}};
    return d->commit(result, QString::fromLatin1(ScreeningEvents::NumberImported), actor, payload,
                     [changes, updatedAt](QSqlDatabase &db) {
                         for (const NumberEntry &e : changes) {
                             const QString error = writeNumber(db, e, updatedAt);
                             if (!error.isEmpty())
                                 return error;
                         }
                         return QString();
                     });
}

ScreeningResult ScreeningRepository::syncNumbers(const QList<NumberEntry> &fromTelnyx,
                                                 const QString &actor)
{
    const NumberMap before = numberMap();
    NumberMap after = before;
    ScreeningResult result;
    result.merge = after.mergeSync(fromTelnyx);
    QList<NumberEntry> changes;
    QJsonArray added, updated;
    for (const NumberEntry &e : after.entries()) {
        const NumberEntry *old = before.find(e.e164);
        if (!old)
            added.append(numberJson(e));
        else if (*old != e)
            updated.append(numberJson(e));
        else
            continue;
        changes.append(e);
    }
    const QString summary = QStringLiteral("%1 added, %2 updated, %3 unchanged, %4 invalid")
                                .arg(result.merge.added)
                                .arg(result.merge.updated)
                                .arg(result.merge.unchanged)
                                .arg(result.merge.invalid);
    if (changes.isEmpty())
        return d->noChange(result, QStringLiteral("number map already in sync: %1").arg(summary));
    result.message =
        QStringLiteral("synced %1 numbers from Telnyx: %2").arg(fromTelnyx.size()).arg(summary);
    const QString updatedAt = formatTime(d->now());
    const QJsonObject payload{{QStringLiteral("listed"), int(fromTelnyx.size())},
                              {QStringLiteral("added"), result.merge.added},
                              {QStringLiteral("updated"), result.merge.updated},
                              {QStringLiteral("unchanged"), result.merge.unchanged},
                              {QStringLiteral("invalid"), result.merge.invalid},
                              {QStringLiteral("added_numbers"), added},
                              {QStringLiteral("updated_numbers"), updated}};
    return d->commit(result, QString::fromLatin1(ScreeningEvents::NumbersSynced), actor, payload,
                     [changes, updatedAt](QSqlDatabase &db) {
                         for (const NumberEntry &e : changes) {
                             const QString error = writeNumber(db, e, updatedAt);
                             if (!error.isEmpty())
                                 return error;
                         }
                         return QString();
                     });
}

ScreeningResult ScreeningRepository::setNumberPolicy(const QString &phone, const QString &policy,
                                                     const QString &actor)
{
    const PhoneNumber::ParseResult parsed = PhoneNumber::parse(phone);
    if (!parsed.ok)
        return d->fail(parsed.error);
    const QString p = policy.trimmed();
    if (!p.isEmpty() && !NumberMap::isKnownPolicy(p))
        return d->fail(QStringLiteral("unknown policy %1 (known: %2)")
                           .arg(quoted(p), NumberMap::policies().join(QStringLiteral(", "))));
    const auto entry = number(parsed.e164);
    if (!entry)
        return d->fail(QStringLiteral("%1 is not in the number map").arg(parsed.e164));
    ScreeningResult result;
    result.e164 = parsed.e164;
    if (entry->policy == p)
        return d->noChange(result,
                           QStringLiteral("%1 already has policy %2")
                               .arg(parsed.e164, p.isEmpty() ? QStringLiteral("(default)") : p));
    result.message = QStringLiteral("%1: policy %2")
                         .arg(parsed.e164, p.isEmpty() ? QStringLiteral("(default)") : p);
    const QString e164 = parsed.e164;
    const QString updatedAt = formatTime(d->now());
    const QJsonObject payload{{QStringLiteral("e164"), e164},
                              {QStringLiteral("policy"), p},
                              {QStringLiteral("previous"), entry->policy}};
    return d->commit(result, QString::fromLatin1(ScreeningEvents::NumberPolicySet), actor, payload,
                     [e164, p, updatedAt](QSqlDatabase &db) {
                         int rows = 0;
                         const QString error =
                             execSql(db,
                                     QStringLiteral("UPDATE numbers SET policy = ?, updated_at = ?"
                                                    " WHERE e164 = ?"),
                                     {p, updatedAt, e164}, &rows);
                         if (!error.isEmpty())
                             return QStringLiteral("cannot set the policy: %1").arg(error);
                         return rows == 1 ? QString()
                                          : QStringLiteral("%1 is not in the number map").arg(e164);
                     });
}

ScreeningResult ScreeningRepository::ensureDefaultNumbers(const QString &actor)
{
    QSqlDatabase database = d->db();
    qint64 count = -1;
    {
        QSqlQuery q(database);
        if (d->select(q, QStringLiteral("SELECT count(*) FROM numbers")) && q.next())
            count = q.value(0).toLongLong();
    }
    if (count < 0)
        return d->fail(QStringLiteral("cannot read the number map: %1").arg(d->error));
    if (count > 0)
        return d->noChange(ScreeningResult(),
                           QStringLiteral("number map has %1 numbers already").arg(count));
    QString error;
    const NumberMap map = NumberMap::defaultMap(&error);
    if (!error.isEmpty())
        return d->fail(QStringLiteral("cannot load the built-in number map: %1").arg(error));
    return importNumbers(map, actor, QString::fromLatin1(NumberMap::DefaultResource));
}

// ---- Certificates ---------------------------------------------------------------------------

ScreeningResult ScreeningRepository::trustRoot(const QByteArray &pem, const QString &actor)
{
    QString error;
    const auto cert = Certificate::fromPem(pem, &error);
    if (!cert)
        return d->fail(QStringLiteral("cannot trust root: %1").arg(error));
    TrustStore probe;
    if (!probe.addRoot(*cert, &error))
        return d->fail(QStringLiteral("cannot trust root: %1").arg(error));
    ScreeningResult result;
    result.fingerprint = cert->fingerprint();
    if (d->trustedRootExists(result.fingerprint))
        return d->noChange(result, QStringLiteral("root %1 (SHA-256 %2) is already trusted")
                                       .arg(cert->subject(), result.fingerprint));
    result.message =
        QStringLiteral("trusted root %1 (SHA-256 %2)").arg(cert->subject(), result.fingerprint);
    const QDateTime when = d->now();
    if (cert->notAfter().isValid() && !(when < cert->notAfter()))
        result.message += QStringLiteral("; note: it expired on %1")
                              .arg(cert->notAfter().date().toString(Qt::ISODate));
    const QString fp = result.fingerprint;
    const QString pemText = QString::fromLatin1(cert->toPem());
    const QString subject = cert->subject();
    const QString notAfter = formatTime(cert->notAfter());
    const QString addedAt = formatTime(when);
    const QJsonObject payload{{QStringLiteral("fingerprint"), fp},
                              {QStringLiteral("subject"), subject},
                              {QStringLiteral("not_before"), formatTime(cert->notBefore())},
                              {QStringLiteral("not_after"), notAfter},
                              {QStringLiteral("self_signed"), cert->isSelfSigned()},
                              {QStringLiteral("pem"), pemText}};
    return d->commit(
        result, QString::fromLatin1(ScreeningEvents::RootTrusted), actor, payload,
        [=](QSqlDatabase &db) {
            const QString e =
                execSql(db,
                        QStringLiteral("INSERT INTO trusted_roots (fingerprint, pem, subject,"
                                       " not_after, added_at) VALUES (?, ?, ?, ?, ?)"),
                        {fp, pemText, subject, textOrNull(notAfter), addedAt});
            return e.isEmpty() ? e : QStringLiteral("cannot store the root: %1").arg(e);
        });
}

ScreeningResult ScreeningRepository::addCertificate(const QByteArray &pem, const QString &actor)
{
    QString error;
    const auto cert = Certificate::fromPem(pem, &error);
    if (!cert)
        return d->fail(QStringLiteral("cannot add certificate: %1").arg(error));
    if (cert->isCa())
        return d->fail(QStringLiteral("cannot add certificate %1: it is a certificate authority;"
                                      " trust it as a root instead (certs trust)")
                           .arg(cert->subject()));
    const QStringList namespaces = cert->namespaces();
    if (namespaces.isEmpty())
        return d->fail(QStringLiteral("cannot add certificate %1: it names no namespace (it needs"
                                      " a DNS subject alternative name ending in .x, e.g."
                                      " alice.x)")
                           .arg(cert->subject()));
    ScreeningResult result;
    result.fingerprint = cert->fingerprint();
    const QString ns = namespaces.first();
    if (!d->loadCertificate(result.fingerprint).isNull())
        return d->noChange(result, QStringLiteral("certificate for %1 (SHA-256 %2) is already"
                                                  " stored")
                                       .arg(ns, result.fingerprint));
    const QDateTime when = d->now();
    const CertStatus status = d->trustStore().verify(*cert, {}, ns, QString(), when);
    if (!status.isValid())
        return d->fail(QStringLiteral("refused certificate for %1: %2").arg(ns, status.reason));
    result.message = QStringLiteral("added certificate for %1 (SHA-256 %2), valid until %3")
                         .arg(namespaces.join(QStringLiteral(", ")), result.fingerprint,
                              cert->notAfter().toString(Qt::ISODate));
    const QString fp = result.fingerprint;
    const QString pemText = QString::fromLatin1(cert->toPem());
    const QString subject = cert->subject();
    const QString issuer = cert->issuer();
    const QString notBefore = formatTime(cert->notBefore());
    const QString notAfter = formatTime(cert->notAfter());
    const QString addedAt = formatTime(when);
    const QJsonObject payload{
        {QStringLiteral("fingerprint"), fp},
        {QStringLiteral("namespace"), ns},
        {QStringLiteral("namespaces"), QJsonArray::fromStringList(namespaces)},
        {QStringLiteral("subject"), subject},
        {QStringLiteral("issuer"), issuer},
        {QStringLiteral("not_before"), notBefore},
        {QStringLiteral("not_after"), notAfter},
        {QStringLiteral("pem"), pemText}};
    return d->commit(
        result, QString::fromLatin1(ScreeningEvents::CertificateAdded), actor, payload,
        [=](QSqlDatabase &db) {
            QString e = execSql(db,
                                QStringLiteral("INSERT INTO certificates (fingerprint, namespace,"
                                               " pem, subject, issuer, not_before, not_after,"
                                               " added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
                                {fp, ns, pemText, subject, issuer, textOrNull(notBefore),
                                 textOrNull(notAfter), addedAt});
            for (int i = 0; e.isEmpty() && i < namespaces.size(); ++i)
                e = execSql(db,
                            QStringLiteral("INSERT OR IGNORE INTO certificate_namespaces"
                                           " (namespace, fingerprint) VALUES (?, ?)"),
                            {namespaces.at(i), fp});
            return e.isEmpty() ? e : QStringLiteral("cannot store the certificate: %1").arg(e);
        });
}

ScreeningResult ScreeningRepository::revokeCertificate(const QString &fingerprint,
                                                       const QString &note, const QString &actor)
{
    const QString fp = Certificate::normalizeFingerprint(fingerprint);
    if (fp.isEmpty())
        return d->fail(QStringLiteral("%1 is not a SHA-256 fingerprint (64 hex digits, ':'"
                                      " separators allowed)")
                           .arg(quoted(fingerprint.trimmed())));
    const QString text = note.trimmed();
    if (text.size() > kMaxNoteLength)
        return d->fail(
            QStringLiteral("the note is too long (at most %1 characters)").arg(kMaxNoteLength));
    ScreeningResult result;
    result.fingerprint = fp;
    const TrustStore before = d->trustStore();
    if (before.isRevoked(fp))
        return d->noChange(result, QStringLiteral("SHA-256 %1 is already revoked").arg(fp));

    QString what = QStringLiteral("unknown");
    QString description = QStringLiteral("SHA-256 %1 (not a stored certificate or root)").arg(fp);
    QString nameSpace;
    // Known certificates are revoked by issuer and serial number too, so that another encoding
    // of the same certificate (another fingerprint) is revoked with it.
    QString issuerSerial;
    const Certificate cert = d->loadCertificate(fp);
    if (!cert.isNull()) {
        what = QStringLiteral("certificate");
        nameSpace = cert.namespaces().value(0);
        description = QStringLiteral("certificate for %1 (SHA-256 %2)").arg(nameSpace, fp);
        issuerSerial = cert.issuerSerial();
    } else if (before.isTrustedRoot(fp)) {
        what = QStringLiteral("trusted_root");
        for (const Certificate &r : before.roots()) {
            if (r.fingerprint() == fp) {
                description = QStringLiteral("trusted root %1 (SHA-256 %2)").arg(r.subject(), fp);
                issuerSerial = r.issuerSerial();
            }
        }
    }
    // Registrations that authenticate now and would not after the revocation.
    TrustStore after = before;
    after.revoke(fp);
    after.revokeIssuerSerial(issuerSerial);
    const QDateTime when = d->now();
    QJsonArray affected;
    for (const RegistrationInfo &r : registrations(when)) {
        if (!r.status.valid)
            continue;
        const Certificate c = d->loadCertificate(r.registration.certificateFingerprint);
        if (!after
                 .verify(c, {}, r.registration.nameSpace, r.registration.certificateFingerprint,
                         when)
                 .isValid())
            affected.append(r.registration.phone);
    }
    result.message = QStringLiteral("revoked %1").arg(description);
    if (!affected.isEmpty())
        result.message +=
            QStringLiteral("; %1 registered phone(s) no longer authenticate").arg(affected.size());
    const QString revokedAt = formatTime(when);
    QJsonObject payload{{QStringLiteral("fingerprint"), fp},
                        {QStringLiteral("note"), text},
                        {QStringLiteral("what"), what},
                        {QStringLiteral("affected_registrations"), affected}};
    if (!nameSpace.isEmpty())
        payload.insert(QStringLiteral("namespace"), nameSpace);
    if (!issuerSerial.isEmpty())
        payload.insert(QStringLiteral("issuer_serial"), issuerSerial);
    return d->commit(
        result, QString::fromLatin1(ScreeningEvents::CertificateRevoked), actor, payload,
        [=](QSqlDatabase &db) {
            const QString e =
                execSql(db,
                        QStringLiteral("INSERT INTO revocations (fingerprint, revoked_at,"
                                       " note, issuer_serial) VALUES (?, ?, ?, ?)"),
                        {fp, revokedAt, text, textOrNull(issuerSerial)});
            return e.isEmpty() ? e : QStringLiteral("cannot store the revocation: %1").arg(e);
        });
}

// ---- Registry -------------------------------------------------------------------------------

ScreeningResult ScreeningRepository::registerPhone(const QString &phone, const QString &nameSpace,
                                                   const QString &actor, const QString &pin)
{
    const PhoneNumber::ParseResult parsed = PhoneNumber::parse(phone);
    if (!parsed.ok)
        return d->fail(parsed.error);
    if (!pin.isEmpty() && !PinHash::isValidPin(pin))
        return d->fail(
            QStringLiteral("cannot register %1: a PIN is 4 to 8 digits").arg(parsed.e164));
    const QString ns = nameSpace.trimmed().toLower();
    if (!Certificate::isNamespace(ns))
        return d->fail(QStringLiteral("cannot register %1: %2 is not a namespace (a name ending"
                                      " in .x, e.g. alice.x)")
                           .arg(parsed.e164, quoted(nameSpace.trimmed())));
    const QDateTime when = d->now();
    const auto [cert, status] = d->bestCertificate(ns, when);
    if (cert.isNull())
        return d->fail(QStringLiteral("cannot register %1: no valid certificate for %2 (no"
                                      " certificate for %2 is stored; add one with certs add)")
                           .arg(parsed.e164, ns));
    if (!status.isValid())
        return d->fail(QStringLiteral("cannot register %1: no valid certificate for %2 (%3)")
                           .arg(parsed.e164, ns, status.reason));
    ScreeningResult result;
    result.e164 = parsed.e164;
    result.fingerprint = cert.fingerprint();
    const auto previous = registration(parsed.e164);
    if (previous && previous->nameSpace == ns &&
        previous->certificateFingerprint == result.fingerprint && pin.isEmpty())
        return d->noChange(result,
                           QStringLiteral("%1 is already registered to %2").arg(parsed.e164, ns));
    QString pinHash;
    if (!pin.isEmpty()) {
        pinHash = PinHash::hash(pin);
        if (pinHash.isEmpty())
            return d->fail(
                QStringLiteral("cannot register %1: the PIN could not be hashed").arg(parsed.e164));
    }
    // A PIN belongs to the registration: kept when it stays with its namespace, dropped when
    // the phone moves to another one.
    const bool keepPin = pinHash.isEmpty() && previous && previous->nameSpace == ns;
    const bool pinSet = !pinHash.isEmpty() || (keepPin && previous->pinSet);
    result.message =
        QStringLiteral("registered %1 to %2 (certificate SHA-256 %3, valid until %4)")
            .arg(parsed.e164, ns, result.fingerprint, cert.notAfter().toString(Qt::ISODate));
    const QString e164 = parsed.e164;
    const QString fp = result.fingerprint;
    const QString verifiedAt = formatTime(when);
    QJsonObject payload{{QStringLiteral("phone"), e164},
                        {QStringLiteral("input"), phone.trimmed()},
                        {QStringLiteral("namespace"), ns},
                        {QStringLiteral("certificate_fingerprint"), fp},
                        {QStringLiteral("certificate_not_after"), formatTime(cert.notAfter())},
                        {QStringLiteral("pin_set"), pinSet}};
    if (!pinHash.isEmpty())
        result.message += QStringLiteral(", with a PIN");
    if (previous) {
        payload.insert(QStringLiteral("previous"),
                       QJsonObject{{QStringLiteral("namespace"), previous->nameSpace},
                                   {QStringLiteral("certificate_fingerprint"),
                                    previous->certificateFingerprint}});
    }
    return d->commit(
        result, QString::fromLatin1(ScreeningEvents::RegistryAdded), actor, payload,
        [=](QSqlDatabase &db) {
            const QString e = execSql(
                db,
                QStringLiteral("INSERT INTO registry (phone, namespace, verified_at,"
                               " certificate_fingerprint, pin_hash) VALUES (?, ?, ?, ?, ?)"
                               " ON CONFLICT(phone) DO UPDATE SET"
                               " namespace = excluded.namespace,"
                               " verified_at = excluded.verified_at,"
                               " certificate_fingerprint = excluded.certificate_fingerprint"),
                {e164, ns, verifiedAt, fp, textOrNull(pinHash)});
            if (!e.isEmpty())
                return QStringLiteral("cannot store the registration: %1").arg(e);
            if (keepPin)
                return QString();
            // A new PIN, or none: the old one, its count and its lock go.
            const QString p = execSql(db,
                                      QStringLiteral("UPDATE registry SET pin_hash = ?,"
                                                     " pin_failures = 0, pin_window_start = NULL,"
                                                     " pin_locked_until = NULL WHERE phone = ?"),
                                      {textOrNull(pinHash), e164});
            return p.isEmpty() ? p : QStringLiteral("cannot store the registration: %1").arg(p);
        });
}

ScreeningResult ScreeningRepository::unregister(const QString &phone, const QString &actor)
{
    const PhoneNumber::ParseResult parsed = PhoneNumber::parse(phone);
    if (!parsed.ok)
        return d->fail(parsed.error);
    const auto previous = registration(parsed.e164);
    if (!previous)
        return d->fail(QStringLiteral("%1 is not registered").arg(parsed.e164));
    ScreeningResult result;
    result.e164 = parsed.e164;
    result.fingerprint = previous->certificateFingerprint;
    result.message = QStringLiteral("removed %1 (registered to %2) from the registry")
                         .arg(parsed.e164, previous->nameSpace);
    const QString e164 = parsed.e164;
    const QJsonObject payload{
        {QStringLiteral("phone"), e164},
        {QStringLiteral("namespace"), previous->nameSpace},
        {QStringLiteral("certificate_fingerprint"), previous->certificateFingerprint}};
    return d->commit(
        result, QString::fromLatin1(ScreeningEvents::RegistryRemoved), actor, payload,
        [e164](QSqlDatabase &db) {
            int rows = 0;
            const QString e =
                execSql(db, QStringLiteral("DELETE FROM registry WHERE phone = ?"), {e164}, &rows);
            if (!e.isEmpty())
                return QStringLiteral("cannot remove the registration: %1").arg(e);
            return rows == 1 ? QString() : QStringLiteral("%1 is not registered").arg(e164);
        });
}

ScreeningResult ScreeningRepository::setPin(const QString &phone, const QString &pin,
                                            const QString &actor)
{
    const PhoneNumber::ParseResult parsed = PhoneNumber::parse(phone);
    if (!parsed.ok)
        return d->fail(parsed.error);
    if (!PinHash::isValidPin(pin))
        return d->fail(QStringLiteral("a PIN is 4 to 8 digits (0-9)"));
    const QString pinHash = PinHash::hash(pin);
    if (pinHash.isEmpty())
        return d->fail(QStringLiteral("the PIN could not be hashed"));
    return setPinHash(parsed.e164, pinHash, actor);
}

ScreeningResult ScreeningRepository::setPinHash(const QString &phone, const QString &pinHash,
                                                const QString &actor)
{
    const PhoneNumber::ParseResult parsed = PhoneNumber::parse(phone);
    if (!parsed.ok)
        return d->fail(parsed.error);
    if (!PinHash::isStoredForm(pinHash))
        return d->fail(QStringLiteral("not a stored PIN hash"));
    const auto previous = registration(parsed.e164);
    if (!previous)
        return d->fail(QStringLiteral("%1 is not registered").arg(parsed.e164));
    ScreeningResult result;
    result.e164 = parsed.e164;
    result.message = QStringLiteral("%1 the PIN of %2 (registered to %3)")
                         .arg(previous->pinSet ? QStringLiteral("changed") : QStringLiteral("set"),
                              parsed.e164, previous->nameSpace);
    const QString e164 = parsed.e164;
    const QJsonObject payload{{QStringLiteral("phone"), e164},
                              {QStringLiteral("namespace"), previous->nameSpace},
                              {QStringLiteral("replaced"), previous->pinSet}};
    return d->commit(
        result, QString::fromLatin1(ScreeningEvents::RegistryPinSet), actor, payload,
        [e164, pinHash](QSqlDatabase &db) {
            int rows = 0;
            const QString e = execSql(db,
                                      QStringLiteral("UPDATE registry SET pin_hash = ?,"
                                                     " pin_failures = 0, pin_window_start = NULL,"
                                                     " pin_locked_until = NULL WHERE phone = ?"),
                                      {pinHash, e164}, &rows);
            if (!e.isEmpty())
                return QStringLiteral("cannot store the PIN: %1").arg(e);
            return rows == 1 ? QString() : QStringLiteral("%1 is not registered").arg(e164);
        });
}

ScreeningResult ScreeningRepository::clearPin(const QString &phone, const QString &actor)
{
    const PhoneNumber::ParseResult parsed = PhoneNumber::parse(phone);
    if (!parsed.ok)
        return d->fail(parsed.error);
    const auto previous = registration(parsed.e164);
    if (!previous)
        return d->fail(QStringLiteral("%1 is not registered").arg(parsed.e164));
    ScreeningResult result;
    result.e164 = parsed.e164;
    if (!previous->pinSet)
        return d->noChange(result, QStringLiteral("%1 has no PIN").arg(parsed.e164));
    result.message = QStringLiteral("removed the PIN of %1 (registered to %2)")
                         .arg(parsed.e164, previous->nameSpace);
    const QString e164 = parsed.e164;
    const QJsonObject payload{{QStringLiteral("phone"), e164},
                              {QStringLiteral("namespace"), previous->nameSpace}};
    return d->commit(
        result, QString::fromLatin1(ScreeningEvents::RegistryPinCleared), actor, payload,
        [e164](QSqlDatabase &db) {
            const QString e = execSql(db,
                                      QStringLiteral("UPDATE registry SET pin_hash = NULL,"
                                                     " pin_failures = 0, pin_window_start = NULL,"
                                                     " pin_locked_until = NULL WHERE phone = ?"),
                                      {e164});
            return e.isEmpty() ? e : QStringLiteral("cannot remove the PIN: %1").arg(e);
        });
}

QString PinCheck::outcomeName() const
{
    switch (outcome) {
    case Outcome::Right:
        return QStringLiteral("right");
    case Outcome::Wrong:
        return QStringLiteral("wrong");
    case Outcome::Locked:
        return QStringLiteral("locked");
    case Outcome::NoPin:
        return QStringLiteral("no_pin");
    case Outcome::NotRegistered:
        return QStringLiteral("not_registered");
    }
    return QString();
}

PinCheck ScreeningRepository::checkPin(const QString &e164, const QString &digits) const
{
    PinCheck check;
    check.phone = e164;
    QSqlDatabase database = d->db();
    QSqlQuery q(database);
    if (e164.isEmpty() ||
        !d->select(q,
                   QStringLiteral("SELECT namespace, pin_hash, pin_failures, pin_window_start,"
                                  " pin_locked_until FROM registry WHERE phone = ?"),
                   {e164}) ||
        !q.next())
        return check; // NotRegistered
    check.nameSpace = q.value(0).toString();
    const QString stored = q.value(1).toString();
    check.failures = q.value(2).toInt();
    check.windowStart = parseTime(q.value(3).toString());
    check.lockedUntil = parseTime(q.value(4).toString());
    q.finish();
    const QDateTime when = d->now();
    if (stored.isEmpty()) {
        check.outcome = PinCheck::Outcome::NoPin;
        return check;
    }
    if (check.lockedUntil.isValid() && when < check.lockedUntil) {
        // Locked: the digits are not even compared, so a guess now tells nothing.
        check.outcome = PinCheck::Outcome::Locked;
        return check;
    }
    check.lockedUntil = QDateTime();
    if (PinHash::verify(digits, stored)) {
        check.outcome = PinCheck::Outcome::Right;
        check.failures = 0;
        check.windowStart = QDateTime();
        return check;
    }
    check.outcome = PinCheck::Outcome::Wrong;
    if (!check.windowStart.isValid() || check.windowStart.addSecs(PinFailureWindowSecs) <= when) {
        check.failures = 0;
        check.windowStart = when;
    }
    ++check.failures;
    if (check.failures >= PinFailureLimit) {
        check.lockStarted = true;
        check.lockedUntil = when.addSecs(PinLockSecs);
    }
    return check;
}

ScreeningResult ScreeningRepository::recordPinAttempt(const PinCheck &check, int pinTry,
                                                      const QString &callId,
                                                      const QJsonObject &extra,
                                                      const QString &actor,
                                                      const CallUpdate *update)
{
    const bool right = check.outcome == PinCheck::Outcome::Right;
    QJsonObject payload = extra;
    payload.insert(QStringLiteral("phone"), check.phone);
    payload.insert(QStringLiteral("namespace"), check.nameSpace);
    payload.insert(QStringLiteral("try"), pinTry);
    payload.insert(QStringLiteral("outcome"), check.outcomeName());
    payload.insert(QStringLiteral("failures_in_window"), check.failures);
    payload.insert(QStringLiteral("failure_limit"), PinFailureLimit);
    payload.insert(QStringLiteral("locked_until"), check.lockedUntil.isValid()
                                                       ? QJsonValue(formatTime(check.lockedUntil))
                                                       : QJsonValue(QJsonValue::Null));
    ScreeningResult result;
    result.e164 = check.phone;
    const bool writesCount =
        check.outcome == PinCheck::Outcome::Right || check.outcome == PinCheck::Outcome::Wrong;
    const QString e164 = check.phone;
    const int failures = check.lockStarted ? 0 : check.failures;
    const QString windowStart = check.lockStarted ? QString() : formatTime(check.windowStart);
    const QString lockedUntil = formatTime(check.lockedUntil);
    result = d->commit(
        result,
        QString::fromLatin1(right ? ScreeningEvents::PinVerified : ScreeningEvents::PinFailed),
        actor, payload,
        [=](QSqlDatabase &db) {
            if (!writesCount)
                return QString();
            const QString e =
                execSql(db,
                        QStringLiteral("UPDATE registry SET pin_failures = ?,"
                                       " pin_window_start = ?, pin_locked_until = ?"
                                       " WHERE phone = ?"),
                        {failures, textOrNull(windowStart), textOrNull(lockedUntil), e164});
            return e.isEmpty() ? e : QStringLiteral("cannot count the PIN attempt: %1").arg(e);
        },
        callId, update);
    if (!result.ok || !check.lockStarted)
        return result;
    const QJsonObject locked{{QStringLiteral("phone"), check.phone},
                             {QStringLiteral("namespace"), check.nameSpace},
                             {QStringLiteral("failures"), check.failures},
                             {QStringLiteral("window_secs"), PinFailureWindowSecs},
                             {QStringLiteral("locked_until"), lockedUntil}};
    ScreeningResult lock = d->commit(
        ScreeningResult(), QString::fromLatin1(ScreeningEvents::PinLocked), actor, locked,
        [](QSqlDatabase &) { return QString(); }, callId);
    lock.e164 = check.phone;
    return lock;
}

// ---- Rules ----------------------------------------------------------------------------------

ScreeningResult ScreeningRepository::addRule(const QString &kind, const QString &pattern,
                                             const QString &note, const QString &until,
                                             bool singleUse, const QString &actor)
{
    const auto k = Rule::kindFromName(kind.trimmed().toLower());
    if (!k)
        return d->fail(
            QStringLiteral("unknown rule kind %1 (allow or block)").arg(quoted(kind.trimmed())));
    const PhoneNumber::ParseResult parsed = PhoneNumber::parsePattern(pattern);
    if (!parsed.ok)
        return d->fail(parsed.error);
    const QString text = note.trimmed();
    if (text.size() > kMaxNoteLength)
        return d->fail(
            QStringLiteral("the note is too long (at most %1 characters)").arg(kMaxNoteLength));
    const QDateTime when = d->now();
    QDateTime expiry;
    if (!until.trimmed().isEmpty()) {
        expiry = QDateTime::fromString(until.trimmed(), Qt::ISODateWithMs);
        if (!expiry.isValid())
            return d->fail(QStringLiteral("invalid expiry %1: expected an ISO-8601 date and time,"
                                          " e.g. 2026-01-31T18:00:00Z")
                               .arg(quoted(until.trimmed())));
        expiry = expiry.toUTC();
        if (!(when < expiry))
            return d->fail(
                QStringLiteral("expiry %1 is not in the future").arg(expiry.toString(Qt::ISODate)));
    }

    Rule rule;
    rule.kind = *k;
    rule.pattern = parsed.e164;
    rule.note = text;
    rule.until = expiry;
    rule.singleUse = singleUse;
    rule.createdAt = parseTime(formatTime(when)); // millisecond precision, as stored

    // The id is part of the event, so it is chosen before the transaction; should another
    // connection take it meanwhile, the write fails and is retried with the next one.
    for (int attempt = 0; attempt < 5; ++attempt) {
        qint64 id = 0;
        {
            QSqlDatabase database = d->db();
            QSqlQuery q(database);
            if (!d->select(q, QStringLiteral("SELECT coalesce(max(id), 0) + 1 FROM rules")) ||
                !q.next())
                return d->fail(QStringLiteral("cannot read the rules: %1").arg(d->error));
            id = q.value(0).toLongLong();
        }
        rule.id = id;
        ScreeningResult result;
        result.ruleId = id;
        result.message =
            QStringLiteral("added rule #%1: %2 %3%4%5")
                .arg(id)
                .arg(Rule::kindName(rule.kind), rule.pattern,
                     expiry.isValid()
                         ? QStringLiteral(" until %1").arg(expiry.toString(Qt::ISODate))
                         : QString(),
                     singleUse ? QStringLiteral(" (once)") : QString());
        bool taken = false;
        const Rule r = rule;
        result = d->commit(
            result, QString::fromLatin1(ScreeningEvents::RuleAdded), actor, r.toJson(),
            [r, &taken](QSqlDatabase &db) {
                QSqlQuery q(db);
                if (q.exec(QStringLiteral("SELECT 1 FROM rules WHERE id = %1").arg(r.id)) &&
                    q.next()) {
                    taken = true;
                    return QStringLiteral("rule id %1 was taken meanwhile").arg(r.id);
                }
                q.finish();
                const QString e = execSql(
                    db,
                    QStringLiteral("INSERT INTO rules (id, kind, pattern, note, until, single_use,"
                                   " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"),
                    {r.id, Rule::kindName(r.kind), r.pattern, r.note,
                     textOrNull(formatTime(r.until)), r.singleUse ? 1 : 0,
                     formatTime(r.createdAt)});
                return e.isEmpty() ? e : QStringLiteral("cannot store the rule: %1").arg(e);
            });
        if (!taken)
            return result;
    }
    return d->fail(QStringLiteral("cannot add the rule: the rules table keeps changing"));
}

ScreeningResult ScreeningRepository::removeRule(qint64 id, const QString &actor)
{
    bool removed = false;
    const auto info = d->readRuleInfo(id, d->now(), &removed);
    if (!info)
        return d->fail(QStringLiteral("no rule #%1").arg(id));
    if (removed)
        return d->fail(QStringLiteral("rule #%1 was already removed").arg(id));
    ScreeningResult result;
    result.ruleId = id;
    result.message = QStringLiteral("removed rule #%1: %2 %3")
                         .arg(id)
                         .arg(Rule::kindName(info->rule.kind), info->rule.pattern);
    const QString removedAt = formatTime(d->now());
    QJsonObject payload = info->rule.toJson();
    payload.insert(QStringLiteral("state"), info->state());
    return d->commit(
        result, QString::fromLatin1(ScreeningEvents::RuleRemoved), actor, payload,
        [id, removedAt](QSqlDatabase &db) {
            int rows = 0;
            const QString e = execSql(db,
                                      QStringLiteral("UPDATE rules SET removed_at = ? WHERE id = ?"
                                                     " AND removed_at IS NULL"),
                                      {removedAt, id}, &rows);
            if (!e.isEmpty())
                return QStringLiteral("cannot remove the rule: %1").arg(e);
            return rows == 1 ? QString() : QStringLiteral("rule #%1 was removed meanwhile").arg(id);
        });
}

ScreeningResult ScreeningRepository::consumeRule(qint64 id, const QString &callId,
                                                 const QString &actor)
{
    const QDateTime when = d->now();
    bool removed = false;
    const auto info = d->readRuleInfo(id, when, &removed);
    if (!info)
        return d->fail(QStringLiteral("no rule #%1").arg(id));
    if (removed)
        return d->fail(QStringLiteral("rule #%1 was removed").arg(id));
    if (!info->rule.singleUse)
        return d->fail(QStringLiteral("rule #%1 is not single-use").arg(id));
    if (info->consumed)
        return d->fail(
            QStringLiteral("rule #%1 was already used (by call %2)").arg(id).arg(info->usedByCall));
    if (info->expired)
        return d->fail(QStringLiteral("rule #%1 expired on %2")
                           .arg(id)
                           .arg(info->rule.until.toString(Qt::ISODate)));
    ScreeningResult result;
    result.ruleId = id;
    result.message = QStringLiteral("used single-use rule #%1: %2 %3")
                         .arg(id)
                         .arg(Rule::kindName(info->rule.kind), info->rule.pattern);
    const QString usedAt = formatTime(when);
    const QJsonObject payload{{QStringLiteral("id"), id},
                              {QStringLiteral("kind"), Rule::kindName(info->rule.kind)},
                              {QStringLiteral("pattern"), info->rule.pattern},
                              {QStringLiteral("call_id"), callId},
                              {QStringLiteral("used_at"), usedAt}};
    return d->commit(
        result, QString::fromLatin1(ScreeningEvents::RuleConsumed), actor, payload,
        [id, usedAt, callId](QSqlDatabase &db) {
            int rows = 0;
            const QString e = execSql(
                db,
                QStringLiteral("UPDATE rules SET used_at = ?, used_by_call = ? WHERE id = ?"
                               " AND single_use = 1 AND used_at IS NULL AND removed_at IS NULL"),
                {usedAt, textOrNull(callId), id}, &rows);
            if (!e.isEmpty())
                return QStringLiteral("cannot use the rule: %1").arg(e);
            return rows == 1 ? QString()
                             : QStringLiteral("rule #%1 was used or removed meanwhile").arg(id);
        },
        callId);
}

} // namespace kt
