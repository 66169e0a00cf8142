// SPDX-License-Identifier: GPL-3.0-or-later
#include "demo.h"

#include "engine/engine.h"
#include "screening/certificateauthority.h"
#include "screening/screeningrepository.h"
#include "simulator/telnyxsimulator.h"

#include <QLoggingCategory>

#include <algorithm>

Q_LOGGING_CATEGORY(lcDemo, "kevantel.demo")

namespace kt {
namespace {
const QString Actor = QStringLiteral("demo");
const QString AliceNamespace = QStringLiteral("alice.x");
const QString AlicePhone = QStringLiteral("+14155550132");
const QString CarolNamespace = QStringLiteral("carol.x");
const QString CarolPhone = QStringLiteral("+13105550124");
const QString MumPhone = QStringLiteral("+12125550147");
const QString BlockedPhone = QStringLiteral("+19005550111");
const QString AskNumber = QStringLiteral("+18884748738");       // 474-TREE rings for the owner
const QString VoicemailNumber = QStringLiteral("+18665062265"); // takes messages
const QString CourierPhone = QStringLiteral("+15035550119");
const QString DemoForwardTo = QStringLiteral("+15125550100");
} // namespace

Demo::Demo() = default;
Demo::~Demo() = default;

QList<Demo::Caller> Demo::cast()
{
    return {
        {AlicePhone, QStringLiteral("Alice"), QStringLiteral("+17702300635"), {}, 0, true, {}},
        // carol.x: no STIR/SHAKEN verdict, so her PIN is asked for; she knows it.
        {CarolPhone,
         QStringLiteral("Carol"),
         QStringLiteral("+17702300635"),
         {},
         0,
         {},
         {QString::fromLatin1(DemoPin) + QLatin1Char('#')}},
        {QStringLiteral("+13125550178"),
         QStringLiteral("+13125550178"),
         QStringLiteral("+18886115384"),
         QStringLiteral("spam_likely"),
         0,
         {}},
        {MumPhone, QStringLiteral("Mum"), QStringLiteral("+17702300635"), {}, 0, {}},
        {BlockedPhone, QStringLiteral("PRIZE DEPT"), QStringLiteral("+18775709775"), {}, 0, {}},
        {QStringLiteral("+16175550163"), QStringLiteral("+16175550163"), AskNumber, {}, 6000, {}},
        {QStringLiteral("+14045550186"),
         QStringLiteral("Unknown"),
         QStringLiteral("+18886780645"),
         {},
         0,
         false,
         {}},
        // Someone who spoofs carol.x's number: three wrong PINs, then rejected (pin_failed).
        // Carol's own right PIN in between resets the count, so her PIN never locks here.
        {CarolPhone,
         QStringLiteral("Carol"),
         QStringLiteral("+18886115384"),
         {},
         0,
         {},
         {QStringLiteral("1111#"), QStringLiteral("1234#"), QStringLiteral("0000#")}},
        // A courier calls the number that takes messages and leaves one.
        {CourierPhone,
         QStringLiteral("Parcel Courier"),
         VoicemailNumber,
         {},
         0,
         {},
         {},
         QStringLiteral("Hi, this is Sam from the parcel service. I have a package for you that "
                        "needs a signature. I will try again tomorrow morning between nine and "
                        "eleven. Thanks, bye.")},
    };
}

bool Demo::prepare(Config &config, QString *error)
{
    m_simulator = std::make_unique<TelnyxSimulator>();
    if (!m_simulator->start()) {
        *error = QStringLiteral("the demo could not start its Telnyx simulator on 127.0.0.1");
        return false;
    }
    m_simulator->setSpeakDurationMs(2500);
    m_simulator->setTransferAnswerDelayMs(1500);
    config.telnyxApiUrl = m_simulator->baseUrl().toString();
    config.apiKey = m_simulator->apiKey();
    config.publicKey = m_simulator->publicKey();
    if (config.forwardTo.isEmpty())
        config.forwardTo = DemoForwardTo;
    return true;
}

bool Demo::start(Engine &engine, QString *error)
{
    m_simulator->setWebhookUrl(QUrl(engine.url() + QStringLiteral("/webhooks/telnyx")));
    if (!seed(engine, error))
        return false;
    // A call every 5 s. KEVANTEL_DEMO_INTERVAL_MS (hidden, for tests: tests/engine/tst_demo)
    // sets another interval in milliseconds, at least 100.
    bool custom = false;
    const int interval = qEnvironmentVariableIntValue("KEVANTEL_DEMO_INTERVAL_MS", &custom);
    m_timer.setInterval(custom && interval >= 100 ? interval : 5000);
    connect(&m_timer, &QTimer::timeout, this, [this] { placeNextCall(); });
    m_timer.start();
    QTimer::singleShot(std::min(800, m_timer.interval()), this, [this] { placeNextCall(); });
    return true;
}

void Demo::stop()
{
    m_timer.stop();
}

QString Demo::placeNextCall()
{
    const QList<Caller> callers = cast();
    const Caller c = callers.at(m_next++ % callers.size());
    InboundCallOptions options;
    options.callerIdName = c.name;
    options.callScreeningResult = c.screening;
    options.callerGivesUpAfterMs = c.givesUpAfterMs;
    options.gatherScript = c.pinScript;
    if (!c.voicemailWords.isEmpty()) {
        options.voicemailWords = c.voicemailWords;
        options.voicemailSpeaksMs = 4000; // a few seconds of message, then the caller hangs up
    }
    if (c.validated) {
        options.shakenStirAttestation = *c.validated ? QStringLiteral("A") : QStringLiteral("C");
        options.shakenStirValidated = c.validated;
    }
    const QString id = m_simulator->startInboundCall(c.from, c.to, options);
    // Forwarded calls end after a short conversation, as real ones do.
    QTimer::singleShot(12000, this, [this, id] { m_simulator->callerHangsUp(id); });
    return id;
}

bool Demo::seed(Engine &engine, QString *error)
{
    ScreeningRepository &repo = engine.repository();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const auto registrations = repo.registrations();
    auto registered = [&registrations](const QString &phone, bool withPin) {
        return std::any_of(registrations.cbegin(), registrations.cend(),
                           [&phone, withPin](const auto &r) {
                               return r.registration.phone == phone && r.status.isValid() &&
                                      (!withPin || r.registration.pinSet);
                           });
    };
    const bool aliceRegistered = registered(AlicePhone, false);
    const bool carolRegistered = registered(CarolPhone, true);
    if (!aliceRegistered || !carolRegistered) {
        // A root of this run (the previous run's key is not kept) for whoever is missing.
        const CertificateAuthority root = CertificateAuthority::createRoot(
            QStringLiteral("kevan-tel demo root"), now.addDays(-1), now.addYears(5));
        QList<ScreeningResult> results{repo.trustRoot(root.certificate().toPem(), Actor)};
        if (!aliceRegistered) {
            const Certificate alice = root.issue(AliceNamespace, now.addDays(-1), now.addYears(1));
            results << repo.addCertificate(alice.toPem(), Actor)
                    << repo.registerPhone(AlicePhone, AliceNamespace, Actor);
        }
        if (!carolRegistered) {
            const Certificate carol = root.issue(CarolNamespace, now.addDays(-1), now.addYears(1));
            results << repo.addCertificate(carol.toPem(), Actor)
                    << repo.registerPhone(CarolPhone, CarolNamespace, Actor,
                                          QString::fromLatin1(DemoPin));
        }
        for (const auto &result : results) {
            if (!result.ok) {
                *error = QStringLiteral("demo setup: ") + result.error;
                return false;
            }
        }
    }
    const auto rules = repo.rules();
    auto hasRule = [&rules](const QString &pattern) {
        return std::any_of(rules.cbegin(), rules.cend(),
                           [&pattern](const auto &r) { return r.rule.pattern == pattern; });
    };
    if (!hasRule(MumPhone))
        repo.addRule(QStringLiteral("allow"), MumPhone, QStringLiteral("Mum"), {}, false, Actor);
    if (!hasRule(BlockedPhone))
        repo.addRule(QStringLiteral("block"), BlockedPhone, QStringLiteral("prize scam"), {}, false,
                     Actor);
    if (const auto n = repo.number(AskNumber); n && n->policy.isEmpty())
        repo.setNumberPolicy(AskNumber, QStringLiteral("ask"), Actor);
    if (const auto n = repo.number(VoicemailNumber); n && n->policy.isEmpty())
        repo.setNumberPolicy(VoicemailNumber, QStringLiteral("voicemail"), Actor);
    qCInfo(lcDemo) << "demo callers ready: alice.x is registered, carol.x is registered with a "
                      "PIN, Mum is allowed, one number is blocked, 474-TREE asks the owner, "
                      "+1 866 506 2265 takes messages";
    return true;
}

} // namespace kt
