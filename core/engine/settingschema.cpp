// SPDX-License-Identifier: GPL-3.0-or-later
#include "settingschema.h"

#include "engine/config.h"
#include "settingchecks.h"
#include "telnyx/webhooksignature.h"

#include <QDir>
#include <QHostAddress>

namespace kt {
namespace {
using Type = Setting::Type;
using Section = Setting::Section;
using Check = SettingCheck (*)(const Setting &, const QString &);

constexpr int Flags = Setting::CommandLine | Setting::ConfigFile;

// Builds one row: the key, its type and check, then what the row needs of the rest.
class Row
{
public:
    Row(const char *key, Type type, Check check)
    {
        m_s.key = QString::fromLatin1(key);
        m_s.type = type;
        m_s.check = check;
        m_s.sources = Flags;
    }
    Row &help(const QString &text)
    {
        m_s.help = text;
        return *this;
    }
    Row &env(const char *variable)
    {
        m_s.envVar = QString::fromLatin1(variable);
        m_s.sources |= Setting::Environment;
        return *this;
    }
    Row &sources(int sources)
    {
        m_s.sources = sources;
        return *this;
    }
    // A row of the Settings page.
    Row &page(Section section, const QString &title, const QString &label, const QString &detail)
    {
        m_s.sources |= Setting::SettingsPage;
        m_s.section = section;
        m_s.title = title;
        m_s.label = label;
        m_s.detail = detail;
        return *this;
    }
    Row &placeholder(const QString &text)
    {
        m_s.placeholder = text;
        return *this;
    }
    Row &switchTexts(const QString &on, const QString &off)
    {
        m_s.onText = on;
        m_s.offText = off;
        return *this;
    }
    Row &range(int min, int max)
    {
        m_s.min = min;
        m_s.max = max;
        return *this;
    }
    Row &choice(const char *value, const QString &label, const QString &detail = QString())
    {
        m_s.choices.append({QString::fromLatin1(value), label, detail});
        return *this;
    }
    Row &whenEmpty(const QString &error, const QString &hint = QString())
    {
        m_s.emptyError = error;
        m_s.emptyHint = hint;
        return *this;
    }
    Row &example(const QString &value)
    {
        m_s.example = value;
        return *this;
    }
    Row &appliesAtOnce()
    {
        m_s.needsRestart = false;
        return *this;
    }
    Row &secret()
    {
        m_s.secret = true;
        return *this;
    }
    Row &config(void (*store)(Config &, const QString &), QString (*read)(const Config &))
    {
        m_s.store = store;
        m_s.read = read;
        return *this;
    }
    operator Setting() const { return m_s; }

private:
    Setting m_s;
};

QString boolText(bool on)
{
    return on ? QStringLiteral("true") : QStringLiteral("false");
}

bool isTrue(const QString &value)
{
    return value == QLatin1String("true");
}

QString tr(const char *text)
{
    return QCoreApplication::translate("kt::SettingSchema", text);
}

QList<Setting> makeTable()
{
    using C = SettingChecks;
    QList<Setting> t;

    // The Telnyx account.
    t << Row("api-key", Type::Secret, C::apiKey)
             .sources(Setting::ConfigFile)
             .env("TELNYX_API_KEY")
             .help(tr("Telnyx API key (prefer the environment; never a command-line option)"))
             .page(Section::Account, tr("API key"), tr("API key"),
                   tr("For the calls' commands. Kept in the system keychain, never in the config "
                      "file."))
             .placeholder(tr("KEY0123…"))
             .example(QStringLiteral("KEY0123456789ABCDEFabcdef_ghijklmnop"))
             .secret()
             .config([](Config &c, const QString &v) { c.apiKey = v; },
                     [](const Config &c) { return c.apiKey; });
    t << Row("public-key", Type::PublicKey, C::publicKey)
             .env("TELNYX_PUBLIC_KEY")
             .help(tr("Telnyx webhook public key, base64 of 32 bytes"))
             .page(Section::Account, tr("Webhook public key"), tr("webhook public key"),
                   tr("Proves that webhooks come from Telnyx: base64 of 32 bytes."))
             .placeholder(tr("From the Telnyx portal, e.g. Jk0u…="))
             .whenEmpty(QString(), tr("Without it every webhook is refused: paste the key from the "
                                      "Telnyx portal (Keys & Credentials → Public Key)"))
             .example(QStringLiteral("O0TT3u2Sbbq+kTLaZ7G0pbvoy6yXqFpfbRj1s0fyvKE="))
             .secret()
             .config(
                 [](Config &c, const QString &v) {
                     c.publicKey = v.isEmpty()
                                       ? QByteArray()
                                       : WebhookVerifier::decodePublicKey(v).value_or(QByteArray());
                 },
                 [](const Config &c) {
                     return c.publicKey.isEmpty() ? QString()
                                                  : QString::fromLatin1(c.publicKey.toBase64());
                 });

    // Calls.
    t << Row("forward-to", Type::Phone, C::phone)
             .help(tr("the owner's real phone (E.164)"))
             .page(Section::Calls, tr("Forward to"), tr("forward-to number"),
                   tr("Your real phone: where allowed calls ring."))
             .placeholder(tr("e.g. +1 415 555 0132"))
             .whenEmpty(QString(), tr("Without it, allowed callers cannot be put through to you"))
             .example(QStringLiteral("+14155550132"))
             .config([](Config &c, const QString &v) { c.forwardTo = v; },
                     [](const Config &c) { return c.forwardTo; });
    t << Row("namespace", Type::Namespace, C::nameSpace)
             .help(tr("the owner's namespace"))
             .page(Section::Calls, tr("Namespace"), tr("namespace"),
                   tr("Yours; callers see it on forwarded calls."))
             .placeholder(tr("e.g. kevan.tel.x"))
             .whenEmpty(tr("Your namespace, e.g. kevan.tel.x"))
             .example(QStringLiteral("alice.x"))
             .config([](Config &c, const QString &v) { c.nameSpace = v; },
                     [](const Config &c) { return c.nameSpace; });
    t << Row("unknown-policy", Type::Choice, C::choice)
             .help(tr("unknown callers: reject_with_message, reject, ask, voicemail or screen"))
             .page(Section::Calls, tr("Unknown callers"), tr("unknown callers"),
                   tr("Callers who are not registered and match no rule."))
             .choice("reject_with_message", tr("Reject + message"),
                     tr("Answer, say the rejection message, hang up."))
             .choice("reject", tr("Reject"), tr("Refuse the call without answering it."))
             .choice("ask", tr("Ask me"),
                     tr("Let it ring here while you decide; no answer in time falls back to the "
                        "setting below."))
             .choice("voicemail", tr("Voicemail"),
                     tr("Answer, say the greeting, record a message after the beep."))
             .choice("screen", tr("Screen"),
                     tr("Answer, ask who is calling and why; you read their words live and "
                        "decide."))
             .example(QStringLiteral("ask"))
             .config([](Config &c, const QString &v) { c.unknownPolicy = v; },
                     [](const Config &c) { return c.unknownPolicy; });
    t << Row("caller-id-trust", Type::Choice, C::choice)
             .help(tr("when a registered number's caller ID alone is proof: attested (STIR/SHAKEN "
                      "A, validated; otherwise its PIN is asked for) or any"))
             .page(Section::Calls, tr("Caller ID trust"), tr("caller ID trust"),
                   tr("When a registered number's caller ID alone is proof of who calls."))
             .choice("attested", tr("Attested calls only"),
                     tr("Only a STIR/SHAKEN A-attested, validated phone call proves itself; "
                        "others are asked for their PIN, or treated as unknown callers."))
             .choice("any", tr("Any caller ID"),
                     tr("The caller ID alone is proof, though anyone can fake one."))
             .example(QStringLiteral("any"))
             .config([](Config &c, const QString &v) { c.callerIdTrust = v; },
                     [](const Config &c) { return c.callerIdTrust; });
    t << Row("rejection-message", Type::Message, C::message)
             .help(tr("what rejected callers hear"))
             .page(Section::Calls, tr("Rejection message"), tr("rejection message"),
                   tr("What turned-away callers hear (spoken by Telnyx)."))
             .whenEmpty(tr("Say something to the callers you turn away"))
             .example(QStringLiteral("Sorry, this line only takes calls from friends."))
             .config([](Config &c, const QString &v) { c.rejectionMessage = v; },
                     [](const Config &c) { return c.rejectionMessage; });
    t << Row("self-registration", Type::Choice, C::onOff)
             .help(tr("serve the registration page at /register on the webhook port: off or on"))
             .page(Section::Calls, tr("Self-registration"), tr("self-registration"),
                   tr("Namespace holders register their own phone on the page at /register."))
             .choice("off", tr("Off"), tr("Off: /register is not served."))
             .choice("on", tr("On"),
                     tr("The page is served through your tunnel; {register_url} in the rejection "
                        "message names it."))
             .example(QStringLiteral("on"))
             .config(
                 [](Config &c, const QString &v) { c.selfRegistration = v == QLatin1String("on"); },
                 [](const Config &c) {
                     return c.selfRegistration ? QStringLiteral("on") : QStringLiteral("off");
                 });
    t << Row("registration-approval", Type::Choice, C::choice)
             .help(tr("a caller's proven self-registration: owner (you approve) or automatic"))
             .page(Section::Calls, tr("Registration approval"), tr("registration approval"),
                   tr("Who approves a registration once both proofs passed."))
             .choice("owner", tr("Me (owner)"), tr("You approve or deny each one in Registry."))
             .choice("automatic", tr("Automatic"),
                     tr("Proven registrations are added to the registry at once."))
             .example(QStringLiteral("automatic"))
             .config([](Config &c, const QString &v) { c.registrationApproval = v; },
                     [](const Config &c) { return c.registrationApproval; });
    t << Row("ask-fallback", Type::Choice, C::choice)
             .help(tr("what an ask the owner leaves unanswered becomes: reject_with_message, "
                      "reject or voicemail (default: unknown-policy)"))
             .page(Section::Calls, tr("When you do not decide in time"),
                   tr("when you do not decide in time"),
                   tr("What a call that rings for you becomes when the time runs out."))
             .choice("", tr("Same as unknown callers"),
                     tr("Follows the policy for unknown callers"))
             .choice("reject_with_message", tr("Reject + message"))
             .choice("reject", tr("Reject"))
             .choice("voicemail", tr("Voicemail"))
             .example(QStringLiteral("voicemail"))
             .config([](Config &c, const QString &v) { c.askFallback = v; },
                     [](const Config &c) { return c.askFallback; });
    t << Row("screen-greeting", Type::Message, C::optionalMessage)
             .help(tr("what a screened caller hears first (default: names the namespace)"))
             .page(Section::Calls, tr("Screening greeting"), tr("screening greeting"),
                   tr("What a screened caller hears first (spoken by Telnyx)."))
             .whenEmpty(QString(), tr("Empty: the built-in greeting, which names your namespace"))
             .example(QStringLiteral("Who is calling, and why?"))
             .config([](Config &c, const QString &v) { c.screenGreeting = v; },
                     [](const Config &c) { return c.screenGreeting; });
    t << Row("screen-engine", Type::Choice, C::choice)
             .help(tr("how a screened caller is heard: google (default), deepgram or ai"))
             .page(Section::Calls, tr("Screening listens with"), tr("screening listens with"),
                   tr("Which Telnyx speech service hears a screened caller."))
             .choice("google", tr("Google"),
                     tr("Live transcription with interim results (the default)."))
             .choice("deepgram", tr("Deepgram"), tr("Live transcription with Deepgram nova-3."))
             .choice("ai", tr("AI gather"),
                     tr("An AI asks for the caller's name and reason and returns them as "
                        "fields."))
             .example(QStringLiteral("deepgram"))
             .config([](Config &c, const QString &v) { c.screenEngine = v; },
                     [](const Config &c) { return c.screenEngine; });
    t << Row("screen-timeout", Type::Int, C::integer)
             .help(tr("seconds the owner has to decide on a screened call"))
             .page(Section::Calls, tr("Time to decide on a screened call"),
                   tr("time to decide on a screened call"),
                   tr("Seconds you have while a screened caller speaks."))
             .range(10, 300)
             .example(QStringLiteral("60"))
             .config([](Config &c, const QString &v) { c.screenTimeoutSecs = v.toInt(); },
                     [](const Config &c) { return QString::number(c.screenTimeoutSecs); });
    t << Row("screen-fallback", Type::Choice, C::choice)
             .help(tr("what an undecided screen becomes: reject_with_message or voicemail"))
             .page(Section::Calls, tr("When you do not decide on a screened call"),
                   tr("when you do not decide on a screened call"),
                   tr("What a screened call becomes when the time runs out."))
             .choice("reject_with_message", tr("Reject + message"))
             .choice("voicemail", tr("Voicemail"))
             .example(QStringLiteral("voicemail"))
             .config([](Config &c, const QString &v) { c.screenFallback = v; },
                     [](const Config &c) { return c.screenFallback; });
    t << Row("screen-silence", Type::Int, C::integer)
             .help(tr("seconds of silence after the greeting before asking once more"))
             .range(2, 30)
             .example(QStringLiteral("8"))
             .config([](Config &c, const QString &v) { c.screenSilenceSecs = v.toInt(); },
                     [](const Config &c) { return QString::number(c.screenSilenceSecs); });
    t << Row("screen-deepfake", Type::Bool, C::boolean)
             .help(tr("answer screened calls with Telnyx deepfake detection"))
             .page(Section::Calls, tr("Deepfake hint"), tr("deepfake hint"),
                   tr("Telnyx checks a screened caller's voice; the card shows a hint, never a "
                      "decision."))
             .switchTexts(tr("Check the voice"), tr("Do not check"))
             .example(QStringLiteral("false"))
             .config([](Config &c, const QString &v) { c.screenDeepfake = isTrue(v); },
                     [](const Config &c) { return boolText(c.screenDeepfake); });
    t << Row("voicemail-greeting", Type::Message, C::message)
             .help(tr("what a caller hears before the beep"))
             .page(Section::Calls, tr("Voicemail greeting"), tr("voicemail greeting"),
                   tr("What a caller hears before the beep (spoken by Telnyx)."))
             .whenEmpty(tr("Say something before the beep"))
             .example(QStringLiteral("Leave a message."))
             .config([](Config &c, const QString &v) { c.voicemailGreeting = v; },
                     [](const Config &c) { return c.voicemailGreeting; });
    t << Row("voicemail-max-length", Type::Int, C::voicemailLength)
             .help(tr("longest voicemail message in seconds"))
             .page(Section::Calls, tr("Longest message"), tr("longest message"),
                   tr("Seconds a caller can speak after the beep."))
             .range(5, 14400)
             .example(QStringLiteral("60"))
             .config([](Config &c, const QString &v) { c.voicemailMaxLengthSecs = v.toInt(); },
                     [](const Config &c) { return QString::number(c.voicemailMaxLengthSecs); });
    t << Row("voicemail-transcription", Type::Bool, C::boolean)
             .help(tr("Telnyx transcribes each message"))
             .page(Section::Calls, tr("Transcribe messages"), tr("transcribe messages"),
                   tr("Telnyx turns each message into text after the call."))
             .switchTexts(tr("Transcripts with each message"), tr("Audio only"))
             .example(QStringLiteral("false"))
             .config([](Config &c, const QString &v) { c.voicemailTranscription = isTrue(v); },
                     [](const Config &c) { return boolText(c.voicemailTranscription); });
    t << Row("voicemail-on-no-answer", Type::Bool, C::boolean)
             .help(tr("a caller the owner does not answer can leave a message instead of hearing "
                      "the unavailable message"))
             .page(Section::Calls, tr("Voicemail when you do not answer"),
                   tr("voicemail when you do not answer"),
                   tr("A forwarded caller you do not pick up for can leave a message."))
             .switchTexts(tr("Take a message"), tr("Say the unavailable message"))
             .example(QStringLiteral("true"))
             .config([](Config &c, const QString &v) { c.voicemailOnNoAnswer = isTrue(v); },
                     [](const Config &c) { return boolText(c.voicemailOnNoAnswer); });

    // This computer.
    t << Row("port", Type::Int, C::port)
             .help(tr("port of the webhook server (0 = any free)"))
             .page(Section::Computer, tr("Port"), tr("port"),
                   tr("Of the webhook server on this computer (your tunnel points to it)."))
             .range(0, 65535)
             .example(QStringLiteral("3100"))
             .config([](Config &c, const QString &v) { c.port = quint16(v.toInt()); },
                     [](const Config &c) { return QString::number(c.port); });
    t << Row("admin-port", Type::Int, C::port)
             .help(tr("port of /metrics and the detailed /health, on 127.0.0.1 only "
                      "(0 = any free)"))
             .page(Section::Computer, tr("Admin port"), tr("admin port"),
                   tr("Of /metrics and the detailed /health, on this computer only (127.0.0.1); "
                      "never give it to the tunnel."))
             .range(0, 65535)
             .example(QStringLiteral("3101"))
             .config([](Config &c, const QString &v) { c.adminPort = quint16(v.toInt()); },
                     [](const Config &c) { return QString::number(c.adminPort); });
    t << Row("db", Type::Path, C::database)
             .help(tr("event store: a SQLite file, or a postgresql:// URL"))
             .page(Section::Computer, tr("Data location"), tr("data location"),
                   tr("The event log: every call, decision and change."))
             .whenEmpty(tr("Choose the file that holds the event log, e.g. kevan-tel.db"))
             .example(QDir::fromNativeSeparators(
                 QDir(QDir::tempPath()).absoluteFilePath(QStringLiteral("kevan-tel-example.db"))))
             .config([](Config &c, const QString &v) { c.databasePath = v; },
                     [](const Config &c) {
                         return c.databasePath.isEmpty() ? ConfigLoader::defaultDatabasePath()
                                                         : c.databasePath;
                     });
    t << Row("mode", Type::Choice, C::choice)
             .help(tr("the desktop app: screen (this computer screens calls) or watch (show the "
                      "calls a server screens into the database --db, and decide them)"))
             .page(Section::Computer, tr("This computer"), tr("this computer"),
                   tr("Which computer answers Telnyx's webhooks."))
             .choice("screen", tr("This computer screens calls"),
                     tr("Runs the webhook server and the engine here."))
             .choice("watch", tr("Watch calls screened by a server"),
                     tr("Shows the calls a server screens into the database above (a "
                        "postgresql:// URL), live, and sends your decisions to it; no webhook "
                        "server here."))
             .example(QStringLiteral("watch"))
             .config([](Config &c, const QString &v) { c.mode = v.toLower(); },
                     [](const Config &c) { return c.mode; });
    t << Row("start-minimized", Type::Bool, C::startMinimized)
             .help(tr("the desktop app starts in the tray, without its window"))
             .page(Section::Computer, tr("Start minimized"), tr("start minimized"),
                   tr("Start in the tray, without this window."))
             .switchTexts(tr("Only the tray icon at start"), tr("Open this window at start"))
             .example(QStringLiteral("true"))
             .config([](Config &c, const QString &v) { c.startMinimized = isTrue(v); },
                     [](const Config &c) { return boolText(c.startMinimized); });
    t << Row("autostart", Type::Bool, C::boolean)
             .sources(0)
             .page(Section::Computer, tr("Start at sign-in"), tr("start at sign-in"),
                   tr("Screen calls from the moment you sign in. Applies when you save."))
             .switchTexts(tr("kevan-tel starts when you sign in"), tr("Start kevan-tel yourself"))
             .example(QStringLiteral("true"))
             .appliesAtOnce();

    // Not on the Settings page.
    t << Row("listen", Type::Address, C::address)
             .help(tr("address of the webhook server"))
             .example(QStringLiteral("0.0.0.0"))
             .config(
                 [](Config &c, const QString &v) {
                     c.listenAddress = QHostAddress(v);
                     c.listenText = v;
                 },
                 [](const Config &c) { return c.listenText; });
    t << Row("telnyx-api", Type::Url, C::apiUrl)
             .env("TELNYX_API_URL")
             .help(tr("Telnyx API base URL"))
             .example(QStringLiteral("http://127.0.0.1:8080/v2"))
             .config([](Config &c, const QString &v) { c.telnyxApiUrl = v; },
                     [](const Config &c) { return c.telnyxApiUrl; });
    t << Row("trusted-proxies", Type::AddressList, C::addressList)
             .help(tr("comma-separated proxy addresses whose X-Forwarded-For is trusted"))
             .example(QStringLiteral("10.0.0.1,::1"))
             .config(
                 [](Config &c, const QString &v) {
                     c.trustedProxies = v.split(QLatin1Char(','), Qt::SkipEmptyParts);
                 },
                 [](const Config &c) { return c.trustedProxies.join(QLatin1Char(',')); });
    t << Row("synchronous", Type::Choice, C::choice)
             .help(tr("SQLite synchronous mode: FULL or NORMAL"))
             .choice("FULL", QStringLiteral("FULL"))
             .choice("NORMAL", QStringLiteral("NORMAL"))
             .example(QStringLiteral("NORMAL"))
             .config([](Config &c, const QString &v) { c.synchronous = v; },
                     [](const Config &c) { return c.synchronous; });
    t << Row("unavailable-message", Type::Message, C::message)
             .help(tr("what a forwarded caller hears when the owner does not answer"))
             .whenEmpty(tr("Say something to the callers you do not answer"))
             .example(QStringLiteral("Not now, sorry."))
             .config([](Config &c, const QString &v) { c.unavailableMessage = v; },
                     [](const Config &c) { return c.unavailableMessage; });
    t << Row("voice", Type::Text, C::text)
             .help(tr("Telnyx speak voice"))
             .whenEmpty(tr("Name a Telnyx voice, e.g. female"))
             .example(QStringLiteral("male"))
             .config([](Config &c, const QString &v) { c.voice = v; },
                     [](const Config &c) { return c.voice; });
    t << Row("language", Type::Text, C::text)
             .help(tr("Telnyx speak language"))
             .example(QStringLiteral("en-GB"))
             .config([](Config &c, const QString &v) { c.language = v; },
                     [](const Config &c) { return c.language; });
    t << Row("require-shaken-stir", Type::Bool, C::boolean)
             .help(tr("registered callers must pass STIR/SHAKEN"))
             .example(QStringLiteral("false"))
             .config([](Config &c, const QString &v) { c.requireShakenStir = isTrue(v); },
                     [](const Config &c) { return boolText(c.requireShakenStir); });
    t << Row("reject-spam-likely", Type::Bool, C::boolean)
             .help(tr("reject calls Telnyx flags spam_likely"))
             .example(QStringLiteral("true"))
             .config([](Config &c, const QString &v) { c.rejectSpamLikely = isTrue(v); },
                     [](const Config &c) { return boolText(c.rejectSpamLikely); });
    t << Row("dry-run", Type::Bool, C::boolean)
             .help(tr("record decisions but forward every call"))
             .example(QStringLiteral("true"))
             .config([](Config &c, const QString &v) { c.dryRun = isTrue(v); },
                     [](const Config &c) { return boolText(c.dryRun); });
    t << Row("ask-timeout", Type::Int, C::integer)
             .help(tr("seconds the owner has to decide"))
             .range(5, 120)
             .example(QStringLiteral("45"))
             .config([](Config &c, const QString &v) { c.askTimeoutSecs = v.toInt(); },
                     [](const Config &c) { return QString::number(c.askTimeoutSecs); });
    t << Row("transfer-timeout", Type::Int, C::integer)
             .help(tr("seconds the owner's phone rings before the fallback"))
             .range(5, 600)
             .example(QStringLiteral("40"))
             .config([](Config &c, const QString &v) { c.transferTimeoutSecs = v.toInt(); },
                     [](const Config &c) { return QString::number(c.transferTimeoutSecs); });
    t << Row("application-id", Type::Text, C::text)
             .help(tr("Telnyx Call Control Application id for golive (empty = find it)"))
             .example(QStringLiteral("1293384261075731499"))
             .config([](Config &c, const QString &v) { c.applicationId = v; },
                     [](const Config &c) { return c.applicationId; });
    t << Row("failover-url", Type::Url, C::failoverUrl)
             .help(tr("public https address of a second instance on the same --db, set by "
                      "golive as Telnyx's failover webhook URL (empty = leave it)"))
             .example(QStringLiteral("https://calls-2.example.com"))
             .config([](Config &c, const QString &v) { c.failoverUrl = v; },
                     [](const Config &c) { return c.failoverUrl; });
    t << Row("quiet-warning-minutes", Type::Int, C::integer)
             .help(tr("warn when no webhook arrived for this long (0 = never)"))
             .range(0, 525600)
             .example(QStringLiteral("60"))
             .config([](Config &c, const QString &v) { c.quietWarningMinutes = v.toInt(); },
                     [](const Config &c) { return QString::number(c.quietWarningMinutes); });
    t << Row("cloudflared", Type::Text, C::text)
             .help(tr("path of cloudflared for the desktop's tunnel (default: PATH)"))
             .example(QStringLiteral("/usr/local/bin/cloudflared"))
             .config([](Config &c, const QString &v) { c.cloudflared = v; },
                     [](const Config &c) { return c.cloudflared; });
    t << Row("voicemail-retention-days", Type::Int, C::integer)
             .help(tr("delete voicemail audio older than this many days (0 = keep)"))
             .range(0, 36500)
             .example(QStringLiteral("30"))
             .config([](Config &c, const QString &v) { c.voicemailRetentionDays = v.toInt(); },
                     [](const Config &c) { return QString::number(c.voicemailRetentionDays); });
    t << Row("instance", Type::Text, C::text)
             .help(tr("this instance's name in the event log when several share a PostgreSQL "
                      "database (empty = HOST:PORT)"))
             .example(QStringLiteral("primary"))
             .config([](Config &c, const QString &v) { c.instanceName = v; },
                     [](const Config &c) { return c.instanceName; });
    t << Row("instance-lease", Type::Int, C::integer)
             .help(tr("seconds a dead instance's commands stay its own before another instance "
                      "on the same PostgreSQL database takes them over"))
             .range(2, 3600)
             .example(QStringLiteral("15"))
             .config([](Config &c, const QString &v) { c.instanceLeaseSecs = v.toInt(); },
                     [](const Config &c) { return QString::number(c.instanceLeaseSecs); });
    t << Row("public-url", Type::Url, C::publicUrl)
             .help(tr("the public https address of the webhook port (the tunnel's), for "
                      "{register_url} in rejection-message"))
             .example(QStringLiteral("https://calls.example.com"))
             .config([](Config &c, const QString &v) { c.publicUrl = v; },
                     [](const Config &c) { return c.publicUrl; });
    return t;
}
} // namespace

const QList<Setting> &SettingSchema::all()
{
    static const QList<Setting> table = makeTable();
    return table;
}

const Setting *SettingSchema::find(const QString &key)
{
    for (const Setting &s : all()) {
        if (s.key == key)
            return &s;
    }
    return nullptr;
}

QStringList SettingSchema::keys(Setting::Source source)
{
    QStringList keys;
    for (const Setting &s : all()) {
        if (s.has(source))
            keys.append(s.key);
    }
    return keys;
}

} // namespace kt
