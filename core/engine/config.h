// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "screening/callstatemachine.h"

#include <QHostAddress>
#include <QString>
#include <QStringList>

namespace kt {

// Everything the engine needs to run, resolved from (lowest to highest precedence) built-in
// defaults, the INI config file, the environment and the command line (README "Configuration").
struct Config
{
    QString configFile;
    QString databasePath;
    QHostAddress listenAddress = QHostAddress::LocalHost;
    QString listenText = QStringLiteral("127.0.0.1");
    quint16 port = 3000;
    quint16 adminPort = 3001; // /metrics and the detailed /health, always on 127.0.0.1
    QString telnyxApiUrl = QStringLiteral("https://api.telnyx.com/v2");
    QString apiKey;       // TELNYX_API_KEY; never logged
    QByteArray publicKey; // raw 32 bytes, from TELNYX_PUBLIC_KEY (base64)
    QString forwardTo;    // E.164
    QString nameSpace = QStringLiteral("kevan.tel.x");
    QStringList trustedProxies; // peers whose X-Forwarded-For is believed
    QString synchronous = QStringLiteral("FULL");

    // Screening policy.
    // | reject | ask | voicemail | screen
    QString unknownPolicy = QStringLiteral("reject_with_message");
    // What an ask the owner does not answer in time becomes: reject_with_message, reject or
    // voicemail; empty: unknown-policy (reject_with_message when that is ask).
    QString askFallback;
    // The messages and voice default to the call state machine's (the seed's wording).
    QString rejectionMessage = CallConfig().rejectionMessage;
    QString unavailableMessage = CallConfig().unavailableMessage;
    QString voice = CallConfig().voice;
    QString language = CallConfig().language;
    bool requireShakenStir = true; // an unvalidated caller ID does not authenticate
    // caller-id-trust: "attested" (a registered number authenticates by its caller ID alone only
    // with STIR/SHAKEN A, validated, on a PSTN call; otherwise its PIN is asked for) or "any"
    // (the caller ID alone is proof).
    QString callerIdTrust = QStringLiteral("attested");
    bool rejectSpamLikely = false; // call_screening_result spam_likely is rejected outright
    bool dryRun = false;           // record decisions, forward everything
    int askTimeoutSecs = CallConfig().askTimeoutSecs;
    int transferTimeoutSecs = CallConfig().transferTimeoutSecs;

    // Going live (core/golive): the Call Control Application whose webhook URL `golive` sets
    // (empty: found from the account's numbers), the quiet-webhooks warning (0 = off) and the
    // cloudflared program for the desktop's tunnel (empty: looked up on PATH). `failoverUrl` is
    // the public address of a second instance that `golive` sets as the application's
    // webhook_event_failover_url (empty: left as it is).
    QString applicationId;
    QString failoverUrl;
    int quietWarningMinutes = 1440;
    QString cloudflared;

    // Voicemail: audio older than this many days is deleted (0 = kept until deleted).
    int voicemailRetentionDays = 0;
    // What the caller hears before the beep, the longest message in seconds, Telnyx's post-call
    // transcription, and a message instead of the unavailable message when the owner does not
    // answer a transfer.
    QString voicemailGreeting = CallConfig().voicemailGreeting;
    int voicemailMaxLengthSecs = CallConfig().voicemailMaxLengthSecs;
    bool voicemailTranscription = CallConfig().voicemailTranscription;
    bool voicemailOnNoAnswer = CallConfig().voicemailOnNoAnswer;

    // Screening (README "Screening a caller"): the greeting (empty: the built-in one, naming
    // the namespace), how the caller is heard (google, deepgram or ai), the owner's time, what
    // an undecided screen becomes (reject_with_message or voicemail), how long a silent caller
    // waits before being asked again, and deepfake detection on the answer.
    QString screenGreeting;
    QString screenEngine = CallConfig().screenEngine;
    int screenTimeoutSecs = CallConfig().screenTimeoutSecs;
    QString screenFallback = CallConfig().screenFallback;
    int screenSilenceSecs = CallConfig().screenSilenceSecs;
    bool screenDeepfake = CallConfig().screenDeepfake;

    // Self-registration (README "Self-registration"): the webhook port serves /register only
    // when on; a proven registration waits for the owner ("owner") or is approved at once
    // ("automatic").
    bool selfRegistration = false;
    QString registrationApproval = QStringLiteral("owner");
    // The public https address of the webhook port (the tunnel's), without a trailing slash;
    // empty when unknown. `{register_url}` in the rejection message becomes PUBLIC-URL/register.
    QString publicUrl;

    // Several instances on one PostgreSQL database (README "Two instances on one database"):
    // this instance's name in the log (empty: HOST:PORT) and how long the commands it sent stay
    // its own after it stops renewing them (it died) before another instance takes them over.
    QString instanceName;
    int instanceLeaseSecs = 15;

    bool demo = false;
    bool startMinimized = false; // the desktop app starts in the tray (when there is one)
    // "screen": this computer screens calls (engine and webhook server). "watch": the desktop
    // app only shows the calls an engine elsewhere screens into the database, and sends the
    // owner's decisions to it as request events.
    QString mode = QStringLiteral("screen");
    bool watching() const { return mode == QLatin1String("watch"); }

    bool hasAccount() const { return !apiKey.isEmpty(); }
    bool isLoopbackOnly() const { return listenAddress.isLoopback(); }
};

// Reads and validates configuration. Each source is a map of key to text, so the command line,
// the environment and the file share one vocabulary: the keys of the settings table
// (SettingSchema), whose rows check every value the same way whatever its source.
class ConfigLoader
{
public:
    // Applies `values` (key -> text) onto `config`; false with one clear line in `error` on the
    // first unknown key or invalid value (a secret's value is never in it).
    static bool apply(Config &config, const QMap<QString, QString> &values, QString *error);

    // The INI file's values (a key the file cannot hold is reported as an error).
    static bool readFile(const QString &path, QMap<QString, QString> *values, QString *error);

    // The environment's values (TELNYX_API_KEY, TELNYX_PUBLIC_KEY, ...).
    static QMap<QString, QString> readEnvironment();

    // Makes the relative file paths among `values` absolute, against the working directory (the
    // command line's and the config file's paths are relative to where kevan-tel starts).
    static void resolvePaths(QMap<QString, QString> *values);

    static QString defaultConfigFile();
    static QString defaultDatabasePath();
    static QString defaultDemoDatabasePath();
};

} // namespace kt
