// SPDX-License-Identifier: GPL-3.0-or-later
#include "demo.h"

#include "engine/engine.h"
#include "registration/registrationservice.h"
#include "screening/certificateauthority.h"
#include "screening/screeningrepository.h"
#include "simulator/telnyxsimulator.h"

#include <QLoggingCategory>

#include <openssl/evp.h>
#include <openssl/pem.h>

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
const QString ScreenNumber = QStringLiteral("+18886762825"); // 676-DUCK screens its callers
const QString DemoForwardTo = QStringLiteral("+15125550100");

// What the registration page does in the browser: an Ed25519 signature by the PKCS#8 key.
QByteArray signEd25519(const QByteArray &privateKeyPem, const QByteArray &message)
{
    BIO *bio = BIO_new_mem_buf(privateKeyPem.constData(), int(privateKeyPem.size()));
    EVP_PKEY *key = bio ? PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr) : nullptr;
    BIO_free(bio);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    QByteArray signature(64, Qt::Uninitialized);
    size_t length = size_t(signature.size());
    const bool ok =
        key && ctx && EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key) == 1 &&
        EVP_DigestSign(ctx, reinterpret_cast<unsigned char *>(signature.data()), &length,
                       reinterpret_cast<const unsigned char *>(message.constData()),
                       size_t(message.size())) == 1;
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);
    return ok ? signature.left(int(length)) : QByteArray();
}
} // namespace

namespace {
Demo::Caller caller(const QString &from, const QString &name, const QString &to)
{
    Demo::Caller c;
    c.from = from;
    c.name = name;
    c.to = to;
    return c;
}

Demo::Caller screened(const QString &from, const QString &name, const QStringList &words,
                      const QString &deepfake = QStringLiteral("real"), double score = 0.06)
{
    Demo::Caller c = caller(from, name, ScreenNumber);
    c.screenWords = words;
    c.deepfakeResult = deepfake;
    c.deepfakeScore = score;
    return c;
}
} // namespace

Demo::Demo() = default;
Demo::~Demo() = default;

QList<Demo::Caller> Demo::cast()
{
    QList<Caller> cast;
    Caller alice = caller(AlicePhone, QStringLiteral("Alice"), QStringLiteral("+17702300635"));
    alice.validated = true;
    cast << alice;
    // carol.x: no STIR/SHAKEN verdict, so her PIN is asked for; she knows it.
    Caller carol = caller(CarolPhone, QStringLiteral("Carol"), QStringLiteral("+17702300635"));
    carol.pinScript = {QString::fromLatin1(DemoPin) + QLatin1Char('#')};
    cast << carol;
    Caller spam = caller(QStringLiteral("+13125550178"), QStringLiteral("+13125550178"),
                         QStringLiteral("+18886115384"));
    spam.screening = QStringLiteral("spam_likely");
    cast << spam;
    cast << caller(MumPhone, QStringLiteral("Mum"), QStringLiteral("+17702300635"));
    cast << caller(BlockedPhone, QStringLiteral("PRIZE DEPT"), QStringLiteral("+18775709775"));
    Caller impatient =
        caller(QStringLiteral("+16175550163"), QStringLiteral("+16175550163"), AskNumber);
    impatient.givesUpAfterMs = 6000;
    cast << impatient;
    Caller unverified = caller(QStringLiteral("+14045550186"), QStringLiteral("Unknown"),
                               QStringLiteral("+18886780645"));
    unverified.validated = false;
    cast << unverified;
    // Someone who spoofs carol.x's number: three wrong PINs, then rejected (pin_failed).
    // Carol's own right PIN in between resets the count, so her PIN never locks here.
    Caller spoofer = caller(CarolPhone, QStringLiteral("Carol"), QStringLiteral("+18886115384"));
    spoofer.pinScript = {QStringLiteral("1111#"), QStringLiteral("1234#"), QStringLiteral("0000#")};
    cast << spoofer;
    // A courier calls the number that takes messages and leaves one.
    Caller courier = caller(CourierPhone, QStringLiteral("Parcel Courier"), VoicemailNumber);
    courier.voicemailWords =
        QStringLiteral("Hi, this is Sam from the parcel service. I have a package for you that "
                       "needs a signature. I will try again tomorrow morning between nine and "
                       "eleven. Thanks, bye.");
    cast << courier;
    // Three callers the 676-DUCK number screens: one who speaks, one who stays silent, one
    // whose voice is flagged as synthetic.
    cast << screened(QStringLiteral("+17185550142"), QStringLiteral("+17185550142"),
                     {QStringLiteral("Hi, this is Dana from Doctor Patel's office."),
                      QStringLiteral("I'm calling to confirm your appointment tomorrow at ten.")})
         << screened(QStringLiteral("+13475550161"), QStringLiteral("+13475550161"), {})
         << screened(QStringLiteral("+12065550177"), QStringLiteral("SECURITY DEPT"),
                     {QStringLiteral("Hello, this is the fraud team of your bank."),
                      QStringLiteral("Please confirm your card number to unblock your account.")},
                     QStringLiteral("fake"), 0.91);
    return cast;
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
    config.selfRegistration = true; // dave.x registers himself (registerDemoCaller)
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
    Engine *running = &engine;
    QTimer::singleShot(std::min(2500, m_timer.interval() * 2), this,
                       [this, running] { registerDemoCaller(*running); });
    return true;
}

QString Demo::registerDemoCaller(Engine &engine)
{
    RegistrationService *service = engine.registrationService();
    const QString phone = QString::fromLatin1(RegisteringPhone);
    const QString nameSpace = QString::fromLatin1(RegisteringNamespace);
    if (!service || engine.repository().registration(phone))
        return {};
    const QList<PendingRegistration> open = service->open();
    if (std::any_of(open.cbegin(), open.cend(),
                    [&phone](const PendingRegistration &r) { return r.phone == phone; }))
        return {};
    // dave.x holds a certificate from a root the owner trusts (one of this run: the key of a
    // previous run's is not kept).
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const CertificateAuthority root = CertificateAuthority::createRoot(
        QStringLiteral("kevan-tel demo registrations root"), now.addDays(-1), now.addYears(5));
    QByteArray key;
    const Certificate certificate =
        root.issue(nameSpace, now.addDays(-1), now.addYears(1), false, &key);
    if (root.isNull() || certificate.isNull() ||
        !engine.repository().trustRoot(root.certificate().toPem(), Actor).ok) {
        qCWarning(lcDemo) << "demo registration: could not make dave.x's certificate";
        return {};
    }
    // The page's two steps: a challenge, then the certificate, the signature and the PIN.
    const RegistrationService::ChallengeResult challenge = service->challenge(nameSpace, phone);
    RegistrationService::Submission submission;
    submission.challenge = challenge.challenge;
    submission.certificatePem = certificate.toPem();
    submission.signature = QString::fromLatin1(signEd25519(key, challenge.message).toBase64());
    submission.pin = QString::fromLatin1(RegisteringPin);
    const RegistrationService::SubmitResult submitted = service->submit(submission);
    if (challenge.error != RegistrationService::Error::None ||
        submitted.error != RegistrationService::Error::None) {
        qCWarning(lcDemo) << "demo registration refused:"
                          << RegistrationService::code(submitted.error);
        return {};
    }
    // Then the call-in from dave's phone, keying in the code the page showed.
    InboundCallOptions options;
    options.callerIdName = QStringLiteral("Dave");
    options.gatherScript = {submitted.callInCode};
    qCInfo(lcDemo) << "dave.x registers himself: the page is done, now the call-in to"
                   << submitted.callInNumber;
    return m_simulator->startInboundCall(phone, submitted.callInNumber, options);
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
    options.screenWords = c.screenWords;
    options.screenWordMs = 350; // a few seconds of interim results per sentence
    options.screenStartsAfterMs = 600;
    options.deepfakeResult = c.deepfakeResult;
    options.deepfakeScore = c.deepfakeScore;
    options.deepfakeAfterMs = 3000;
    if (c.validated) {
        options.shakenStirAttestation = *c.validated ? QStringLiteral("A") : QStringLiteral("C");
        options.shakenStirValidated = c.validated;
    }
    const QString id = m_simulator->startInboundCall(c.from, c.to, options);
    // Forwarded calls end after a short conversation, as real ones do; a screened caller waits
    // for the owner (or the screen's timeout) first.
    QTimer::singleShot(c.to == ScreenNumber ? 75000 : 12000, this,
                       [this, id] { m_simulator->callerHangsUp(id); });
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
    if (const auto n = repo.number(ScreenNumber); n && n->policy.isEmpty())
        repo.setNumberPolicy(ScreenNumber, QStringLiteral("screen"), Actor);
    qCInfo(lcDemo) << "demo callers ready: alice.x is registered, carol.x is registered with a "
                      "PIN, Mum is allowed, one number is blocked, 474-TREE asks the owner, "
                      "+1 866 506 2265 takes messages, 676-DUCK screens its callers";
    return true;
}

} // namespace kt
