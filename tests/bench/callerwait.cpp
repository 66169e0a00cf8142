// SPDX-License-Identifier: GPL-3.0-or-later
// kevantel-callerwait: what a caller feels. For each decision, the Call Control commands the
// engine sends one after another until the caller hears the outcome (each one a round trip to
// Telnyx), and the time from call.initiated to the first command and to the outcome, with the
// fake Telnyx answering 100 ms and 800 ms after each request (and as late on each new
// connection, and its webhooks half that late). Prints a markdown table. See the README,
// "Benchmarks".
#include "engine/config.h"
#include "engine/engine.h"
#include "screening/certificate.h"
#include "screening/certificateauthority.h"
#include "screening/screeningrepository.h"
#include "simulator/telnyxsimulator.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QLoggingCategory>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <memory>

using namespace kt;

namespace {

const QString Owner = QStringLiteral("+17702300635");
const QString ForwardTo = QStringLiteral("+15125550100");
const QString AlicePhone = QStringLiteral("+14155550132");
const QString Mum = QStringLiteral("+12125550147");
const QString Blocked = QStringLiteral("+19005550111");
const QString Unknown = QStringLiteral("+14045550186");
const QString CarolPhone = QStringLiteral("+13105550124");
const QString CarolPin = QStringLiteral("2468");
const QString Actor = QStringLiteral("bench");

struct Case
{
    QString decision;
    QString from;
    InboundCallOptions options;
    QString outcome; // the command after which the caller hears the outcome
    QString hears;
};

QList<Case> cases()
{
    InboundCallOptions attested;
    attested.shakenStirAttestation = QStringLiteral("A");
    attested.shakenStirValidated = true;
    InboundCallOptions keys; // no STIR/SHAKEN verdict (most real calls): the PIN is asked for
    keys.gatherScript = {CarolPin + QLatin1Char('#')};
    return {
        {QStringLiteral("authenticated (attested caller ID)"), AlicePhone, attested,
         QStringLiteral("transfer"), QStringLiteral("the owner's phone rings")},
        {QStringLiteral("challenge (registered, caller ID not proven, PIN set)"), CarolPhone, keys,
         QStringLiteral("gather_using_speak"), QStringLiteral("the PIN prompt")},
        {QStringLiteral("challenge, right PIN: authenticated (registry_pin)"), CarolPhone, keys,
         QStringLiteral("transfer"), QStringLiteral("the owner's phone rings")},
        {QStringLiteral("allowlisted"),
         Mum,
         {},
         QStringLiteral("transfer"),
         QStringLiteral("the owner's phone rings")},
        {QStringLiteral("blocked"),
         Blocked,
         {},
         QStringLiteral("reject"),
         QStringLiteral("the call is refused")},
        {QStringLiteral("rejected (unregistered)"),
         Unknown,
         {},
         QStringLiteral("speak"),
         QStringLiteral("the rejection message")},
    };
}

struct Sample
{
    int commands = 0; // commands sent up to and including the outcome
    double firstMs = 0;
    double outcomeMs = 0;
    QStringList names;
};

class Bench
{
public:
    bool start(int latencyMs, QString *error)
    {
        m_sim = std::make_unique<TelnyxSimulator>();
        if (!m_sim->start()) {
            *error = QStringLiteral("the fake Telnyx cannot listen");
            return false;
        }
        m_sim->setAnswerDelayMs(latencyMs);
        m_sim->setConnectionDelayMs(latencyMs);
        m_sim->setEventDelayMs(latencyMs / 2);
        m_sim->setSpeakDurationMs(200);
        m_sim->setTransferAnswerDelayMs(200);
        Config c;
        c.databasePath = m_dir.filePath(QStringLiteral("callerwait-%1.db").arg(latencyMs));
        c.port = 0;
        c.adminPort = 0;
        c.telnyxApiUrl = m_sim->baseUrl().toString();
        c.apiKey = m_sim->apiKey();
        c.publicKey = m_sim->publicKey();
        c.forwardTo = ForwardTo;
        m_engine = std::make_unique<Engine>(c);
        if (!m_engine->start(error))
            return false;
        m_sim->setWebhookUrl(QUrl(m_engine->url() + QStringLiteral("/webhooks/telnyx")));
        return seed(error);
    }

    // One call; nullopt when the outcome did not come within 30 s.
    std::optional<Sample> place(const Case &c)
    {
        Sample s;
        QElapsedTimer clock;
        QString ccid;
        bool done = false;
        QEventLoop loop;
        const auto connection = QObject::connect(
            m_sim.get(), &TelnyxSimulator::commandReceived, &loop, [&](const ReceivedRequest &r) {
                if (r.callControlId != ccid || done || s.names.contains(r.command))
                    return; // another call, or the hedge or a retry of a command already seen
                const double ms = double(clock.nsecsElapsed()) / 1e6;
                if (s.names.isEmpty())
                    s.firstMs = ms;
                s.names.append(r.command);
                if (r.command == c.outcome) {
                    s.outcomeMs = ms;
                    done = true;
                    loop.quit();
                }
            });
        QTimer::singleShot(30000, &loop, &QEventLoop::quit);
        clock.start();
        ccid = m_sim->startInboundCall(c.from, Owner, c.options);
        if (!done)
            loop.exec();
        QObject::disconnect(connection);
        if (!done)
            return std::nullopt;
        s.commands = int(s.names.size());
        // Let the call finish so that the next one starts on a quiet engine.
        QEventLoop settle;
        QTimer::singleShot(1500, &settle, &QEventLoop::quit);
        settle.exec();
        return s;
    }

private:
    bool seed(QString *error)
    {
        const QDateTime now = QDateTime::currentDateTimeUtc();
        const auto root = CertificateAuthority::createRoot(QStringLiteral("bench root"),
                                                           now.addYears(-1), now.addYears(1));
        const Certificate alice =
            root.issue(QStringLiteral("alice.x"), now.addDays(-1), now.addYears(1));
        const Certificate carol =
            root.issue(QStringLiteral("carol.x"), now.addDays(-1), now.addYears(1));
        ScreeningRepository &repo = m_engine->repository();
        for (const ScreeningResult &r :
             {repo.trustRoot(root.certificate().toPem(), Actor),
              repo.addCertificate(alice.toPem(), Actor),
              repo.registerPhone(AlicePhone, QStringLiteral("alice.x"), Actor),
              repo.addCertificate(carol.toPem(), Actor),
              repo.registerPhone(CarolPhone, QStringLiteral("carol.x"), Actor, CarolPin),
              repo.addRule(QStringLiteral("allow"), Mum, {}, {}, false, Actor),
              repo.addRule(QStringLiteral("block"), Blocked, {}, {}, false, Actor)}) {
            if (!r.ok) {
                *error = r.error;
                return false;
            }
        }
        return true;
    }

    QTemporaryDir m_dir;
    std::unique_ptr<TelnyxSimulator> m_sim;
    std::unique_ptr<Engine> m_engine;
};

double median(QList<double> v)
{
    if (v.isEmpty())
        return 0;
    std::sort(v.begin(), v.end());
    return v.at(v.size() / 2);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("kevantel-callerwait"));
    QLoggingCategory::setFilterRules(QStringLiteral("kevantel.*.info=false\n"
                                                    "kevantel.*.debug=false"));
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("What a caller feels: sequential Telnyx round trips and the time to the "
                       "first command and to the outcome, with the fake Telnyx far away."));
    parser.addHelpOption();
    const QCommandLineOption calls(QStringLiteral("calls"),
                                   QStringLiteral("Calls per decision and latency (5)."),
                                   QStringLiteral("n"));
    const QCommandLineOption latencies(
        QStringLiteral("latencies"),
        QStringLiteral("The fake Telnyx's answer delays in ms, comma-separated (100,800)."),
        QStringLiteral("ms"));
    parser.addOptions({calls, latencies});
    parser.process(app);
    const int n = parser.isSet(calls) ? parser.value(calls).toInt() : 5;
    QList<int> delays;
    for (const QString &v :
         (parser.isSet(latencies) ? parser.value(latencies) : QStringLiteral("100,800"))
             .split(QLatin1Char(','))) {
        bool ok = false;
        const int ms = v.toInt(&ok);
        if (!ok || ms < 0) {
            std::fprintf(stderr, "--latencies: not a list of milliseconds: %s\n", qPrintable(v));
            return 2;
        }
        delays.append(ms);
    }
    if (n <= 0) {
        std::fprintf(stderr, "--calls must be at least 1\n");
        return 2;
    }

    std::printf("| decision | what the caller hears | commands in sequence before it | "
                "round trips |");
    for (int ms : delays)
        std::printf(" API %d ms away: first command / outcome (median of %d) |", ms, n);
    std::printf("\n|---|---|---|---|%s\n",
                qPrintable(QStringLiteral("---|").repeated(delays.size())));

    // One engine at a time (it owns the process's writer connection): every case at one
    // latency, then the next latency; the table is printed at the end.
    const QList<Case> all = cases();
    QList<QStringList> cells(all.size());
    QStringList sequences(all.size());
    QList<int> commands(all.size(), 0);
    bool ok = true;
    for (int ms : delays) {
        Bench bench;
        QString error;
        if (!bench.start(ms, &error)) {
            std::fprintf(stderr, "cannot start (%d ms): %s\n", ms, qPrintable(error));
            return 1;
        }
        for (int k = 0; k < all.size(); ++k) {
            const Case &c = all.at(k);
            QList<double> first, outcome;
            for (int i = 0; i < n; ++i) {
                const auto s = bench.place(c);
                if (!s) {
                    std::fprintf(stderr, "%s at %d ms: no %s within 30 s\n", qPrintable(c.decision),
                                 ms, qPrintable(c.outcome));
                    ok = false;
                    continue;
                }
                first.append(s->firstMs);
                outcome.append(s->outcomeMs);
                sequences[k] = s->names.join(QStringLiteral(" → "));
                commands[k] = s->commands;
            }
            cells[k].append(QStringLiteral("%1 / %2 ms")
                                .arg(median(first), 0, 'f', 0)
                                .arg(median(outcome), 0, 'f', 0));
        }
    }
    for (int k = 0; k < all.size(); ++k) {
        std::printf("| %s | %s | %s | %d |", qPrintable(all.at(k).decision),
                    qPrintable(all.at(k).hears), qPrintable(sequences.at(k)), commands.at(k));
        for (const QString &cell : std::as_const(cells[k]))
            std::printf(" %s |", qPrintable(cell));
        std::printf("\n");
    }
    std::fflush(stdout);
    return ok ? 0 : 1;
}
