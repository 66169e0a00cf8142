// SPDX-License-Identifier: GPL-3.0-or-later
// kevantel-loadgen: webhook throughput of the full pipeline against the bare QHttpServer ceiling,
// and decision latency (call.initiated -> first command at the fake Telnyx), in one run. Prints a
// markdown table. See the README, "Benchmarks".
#include "ceilingserver.h"
#include "commandresponder.h"
#include "httpload.h"
#include "peerserver.h"
#include "pgtestdatabase.h"
#include "telnyxside.h"
#include "webhookmix.h"

#include "engine/config.h"
#include "engine/engine.h"
#include "engine/enginehost.h"
#include "screening/numbermap.h"
#include "server/metrics.h"
#include "server/webhookserver.h"
#include "store/eventstore.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QEventLoop>
#include <QHash>
#include <QLoggingCategory>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <QDir>
#include <QFile>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>

#include <unistd.h>

using namespace kt;
using namespace kt::bench;

namespace {

struct Options
{
    double duration = 10;        // seconds per throughput run
    int connections = 8;         // keep-alive connections of a throughput run
    double rate = 0;             // > 0: also a fixed-rate run of each target (webhooks/s)
    double callsPerSecond = 200; // decision latency: calls placed by the fake Telnyx
    bool halfRate = true;        // also a run at half that rate
    double latencyDuration = 10; // seconds per latency run
    int relayConnections = 4;    // connections carrying the fake Telnyx's webhooks
    int floodConnections = 8;    // connections flooding the engine during the second latency run
    int maxCalls = 20000;        // calls pre-signed for a pipeline flood (5 webhooks each)
    QStringList synchronous{QStringLiteral("FULL"), QStringLiteral("NORMAL")};
    double drain = 3;        // seconds for the calls under way to finish after a latency run
    int commitSamples = 200; // appends timed for the commit-latency rows
    bool throughput = true;
    bool latency = true;
    bool ceiling = true;
    QString peerDir; // --peer: the Node SDK receiver, run on the same requests after the engine
    // --postgresql: each pipeline run again with the store on the PostgreSQL server of
    // KEVANTEL_TEST_PG_URL (a fresh database each time), on the same requests.
    bool postgresql = false;
};

struct Row
{
    QString benchmark;
    QString result;
    QString target;
    QString verdict;
};

QList<Row> g_rows;

void note(const QString &line)
{
    std::fprintf(stderr, "%s\n", qPrintable(line));
    std::fflush(stderr);
}

// CPU seconds (user + system) used so far by this process's threads, by thread name: the
// engine's ("engine", "telnyx-client", "QNetworkAccessM", ...) and
// the load generator's own (the main thread, the fake Telnyx's "telnyx").
QHash<QString, double> threadCpu()
{
    QHash<QString, double> out;
    const double ticks = double(sysconf(_SC_CLK_TCK));
    const QDir tasks(QStringLiteral("/proc/self/task"));
    for (const QString &tid : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QFile f(tasks.filePath(tid + QStringLiteral("/stat")));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        const QByteArray stat = f.readAll();
        const qsizetype open = stat.indexOf('('), close = stat.lastIndexOf(')');
        if (open < 0 || close < open)
            continue;
        const QString name = QString::fromUtf8(stat.mid(open + 1, close - open - 1));
        const QList<QByteArray> fields = stat.mid(close + 2).split(' ');
        out[name] += (fields.value(11).toDouble() + fields.value(12).toDouble()) / ticks;
    }
    return out;
}

// Where the CPU went between two threadCpu() snapshots `seconds` apart, in cores:
// "2 vCPU: 1.62 busy: engine 0.61, telnyx 0.27, ...".
QString cpuBreakdown(const QHash<QString, double> &before, const QHash<QString, double> &after,
                     double seconds)
{
    QList<QPair<double, QString>> used;
    double total = 0;
    for (auto it = after.cbegin(); it != after.cend(); ++it) {
        const double cores = (it.value() - before.value(it.key())) / seconds;
        total += cores;
        if (cores >= 0.01)
            used.append({cores, it.key()});
    }
    std::sort(used.begin(), used.end(), [](const auto &a, const auto &b) { return a > b; });
    QStringList parts;
    for (const auto &u : used)
        parts << QStringLiteral("%1 %2").arg(u.second).arg(u.first, 0, 'f', 2);
    return QStringLiteral("CPU in cores (of %1): %2 in all; %3")
        .arg(QThread::idealThreadCount())
        .arg(total, 0, 'f', 2)
        .arg(parts.join(QStringLiteral(", ")));
}

// Runs the event loop for `seconds`, or until `done` says so.
void runFor(double seconds, const std::function<bool()> &done = {})
{
    QEventLoop loop;
    QTimer check;
    check.setInterval(10);
    QElapsedTimer timer;
    timer.start();
    QObject::connect(&check, &QTimer::timeout, &loop, [&] {
        if (timer.elapsed() >= qint64(seconds * 1000) || (done && done()))
            loop.quit();
    });
    check.start();
    loop.exec();
}

QString fmt(double v, int decimals = 2)
{
    return QString::number(v, 'f', decimals);
}

QString describe(const LoadResult &r)
{
    QString s = QStringLiteral("%1 req/s (%2 in %3 s); latency %4")
                    .arg(fmt(r.throughput(), 0))
                    .arg(r.ok)
                    .arg(fmt(r.seconds, 1))
                    .arg(r.latency.summary());
    const qint64 bad = r.completed - r.ok + r.errors;
    if (bad > 0)
        s += QStringLiteral("; %1 failed (%2)").arg(bad).arg(r.firstError.left(80));
    return s;
}

QStringList ownerNumbers()
{
    QStringList out;
    const NumberMap map = NumberMap::defaultMap();
    for (const NumberEntry &e : map.entries())
        out << e.e164;
    return out;
}

// The engine with its own database, in its own thread, with the fake Telnyx as Telnyx.
struct EngineUnderTest
{
    QTemporaryDir dir;
    std::unique_ptr<EngineHost> host;
    quint16 port = 0;

    // `api`: the Telnyx API the engine sends its commands to (the fake Telnyx's by default);
    // `database`: a postgresql:// URL, or empty for a SQLite file of its own.
    bool start(const QString &synchronous, TelnyxSide &telnyx, QString *error,
               const QUrl &api = QUrl(), const QString &database = QString())
    {
        Config c;
        c.databasePath = database.isEmpty() ? dir.filePath(QStringLiteral("bench.db")) : database;
        c.port = 0;
        c.adminPort = 0;
        c.telnyxApiUrl = (api.isEmpty() ? telnyx.baseUrl() : api).toString();
        c.apiKey = telnyx.apiKey();
        c.publicKey = telnyx.publicKey();
        c.forwardTo = QStringLiteral("+17705550100");
        c.synchronous = synchronous;
        host = std::make_unique<EngineHost>(c);
        if (!host->startAndWait(error))
            return false;
        port = quint16(QUrl(host->url()).port());
        return true;
    }

    template <typename F> auto inEngine(F f)
    {
        decltype(f(*host->engine())) out{};
        QMetaObject::invokeMethod(
            host->engine(), [&] { out = f(*host->engine()); }, Qt::BlockingQueuedConnection);
        return out;
    }

    qint64 events()
    {
        return inEngine([](Engine &e) { return e.eventStore().lastSeq(); });
    }

    // CPU time of the engine thread so far, in seconds (user + system, from /proc).
    double cpuSeconds()
    {
        if (tid == 0)
            tid = inEngine([](Engine &) { return qint64(::gettid()); });
        QFile f(QStringLiteral("/proc/self/task/%1/stat").arg(tid));
        if (!f.open(QIODevice::ReadOnly))
            return 0;
        // Fields after the ")" closing the thread name: state is field 3, utime 14, stime 15.
        const QByteArray stat = f.readAll();
        const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
        const double ticks = double(sysconf(_SC_CLK_TCK));
        return (fields.value(11).toDouble() + fields.value(12).toDouble()) / ticks;
    }
    qint64 tid = 0;

    // The engine's own kevantel_decision_latency_seconds histogram (from process() to the first
    // command handed to the HTTP client): the bucket bounds holding p50 and p99.
    QString histogram()
    {
        const QByteArray text = inEngine([](Engine &e) { return e.server().metrics().render(); });
        QList<QPair<double, double>> buckets; // le, cumulative
        double count = 0;
        for (const QByteArray &line : text.split('\n')) {
            if (line.startsWith("kevantel_decision_latency_seconds_bucket{le=\"")) {
                const int q = line.indexOf('"', 45);
                const QByteArray le = line.mid(45, q - 45);
                const double cumulative = line.mid(line.lastIndexOf(' ') + 1).toDouble();
                buckets.append({le == "+Inf" ? qInf() : le.toDouble(), cumulative});
            } else if (line.startsWith("kevantel_decision_latency_seconds_count")) {
                count = line.mid(line.lastIndexOf(' ') + 1).toDouble();
            }
        }
        auto bound = [&](double p) {
            for (const auto &b : buckets) {
                if (b.second >= p * count)
                    return qIsInf(b.first) ? QStringLiteral("> 1 s")
                                           : QStringLiteral("≤ %1 ms").arg(b.first * 1000);
            }
            return QStringLiteral("?");
        };
        if (count <= 0)
            return QStringLiteral("no samples");
        return QStringLiteral("p50 %1, p99 %2 (n=%3)").arg(bound(0.5), bound(0.99)).arg(count);
    }

    void stop()
    {
        if (host)
            host->stopAndWait();
        host.reset();
    }
};

// A flat-out or fixed-rate run of `requests` against 127.0.0.1:port.
LoadResult runLoad(quint16 port, int connections, std::vector<Outgoing> &requests, bool cycle,
                   double seconds, double rate, QString *error)
{
    HttpLoad load(QHostAddress::LocalHost, port, connections);
    if (!load.open(5000, error))
        return {};
    size_t next = 0;
    auto source = [&](Outgoing *o) {
        if (next >= requests.size()) {
            if (!cycle)
                return false;
            next = 0;
        }
        *o = requests[next++];
        return true;
    };
    if (rate > 0)
        load.startAtRate(source, rate);
    else
        load.startFlatOut(source);
    runFor(seconds, [&] { return load.exhausted() && load.inFlight() == 0; });
    return load.stop();
}

// The ceiling: the bare QHttpServer, with the same kind of requests (signatures are not checked
// there), reused in a cycle. `checked`: kevan-tel's own server instead, checking every signature
// and storing nothing: the bound those checks set, compared with the bare ceiling `bare`.
bool ceiling(const Options &o, TelnyxSide &telnyx, const QStringList &numbers, double rate,
             LoadResult *out, bool checked = false, const LoadResult *bare = nullptr)
{
    QString error;
    const QString mode =
        rate > 0 ? QStringLiteral("at %1 webhooks/s").arg(rate) : QStringLiteral("flat out");
    auto server = checked ? std::make_unique<CeilingServer>(telnyx.publicKey())
                          : std::make_unique<CeilingServer>();
    const quint16 port = server->startAndWait();
    if (port == 0) {
        note(QStringLiteral("the ceiling server cannot listen"));
        return false;
    }
    note(QStringLiteral("%1 %2, %3 connections, %4 s ...")
             .arg(checked ? QStringLiteral("signatures checked, nothing stored")
                          : QStringLiteral("ceiling"),
                  mode)
             .arg(o.connections)
             .arg(o.duration));
    QList<MixCall> sample;
    for (int i = 0; i < 1000; ++i)
        sample.append({QStringLiteral("v3:ceiling-%1").arg(i), QStringLiteral("leg-%1").arg(i),
                       QStringLiteral("session-%1").arg(i), QStringLiteral("2811212257810187875"),
                       QStringLiteral("+14045550%1").arg(100 + i % 800),
                       numbers.at(i % numbers.size())});
    std::vector<Outgoing> requests =
        WebhookMix(telnyx.signingSeed(), QStringLiteral("127.0.0.1"), port)
            .build(sample, o.connections * 4);
    *out = runLoad(port, o.connections, requests, true, o.duration, rate, &error);
    server->stopAndWait();
    if (!error.isEmpty()) {
        note(error);
        return false;
    }
    if (!checked) {
        g_rows.append({QStringLiteral("webhooks, bare QHttpServer (the ceiling), %1").arg(mode),
                       describe(*out), QString(), QString()});
        return true;
    }
    g_rows.append(
        {QStringLiteral("webhooks, kevan-tel's server checking signatures in its one thread, "
                        "storing nothing, %1")
             .arg(mode),
         describe(*out), QString(), QString()});
    if (bare && rate <= 0 && bare->throughput() > 0)
        g_rows.append({QStringLiteral("signatures checked, nothing stored / ceiling throughput "
                                      "(the bound Ed25519 sets)"),
                       fmt(out->throughput() / bare->throughput(), 3), QString(), QString()});
    return true;
}

// The CPU seconds of kevan-tel's own threads in a threadCpu() snapshot: the engine and the
// Call Control client (its thread and QNetworkAccessManager's), not the load generator's.
double kevantelCpu(const QHash<QString, double> &threads)
{
    return threads.value(QStringLiteral("engine")) +
           threads.value(QStringLiteral("telnyx-client")) +
           threads.value(QStringLiteral("QNetworkAccessM"));
}

// The peer (the Node SDK receiver, same durability) on the requests the engine just had, by the
// same client; `engine` is what the engine did with them, `engineCpu` the CPU seconds kevan-tel's
// threads used meanwhile.
void peer(const Options &o, const QString &synchronous, TelnyxSide &telnyx,
          std::vector<Outgoing> &requests, double rate, const LoadResult &engine, double engineCpu)
{
    const QString mode =
        rate > 0 ? QStringLiteral("at %1 webhooks/s").arg(rate) : QStringLiteral("flat out");
    PeerServer server;
    QString error;
    if (!server.start(o.peerDir, QString::fromLatin1(telnyx.publicKey().toBase64()), synchronous,
                      &error)) {
        note(QStringLiteral("the peer cannot start: ") + error);
        g_rows.append({QStringLiteral("peer (SYNC=%1), %2").arg(synchronous, mode),
                       QStringLiteral("not run: ") + error, QString(), QString()});
        return;
    }
    note(QStringLiteral("peer (SYNC=%1) %2, %3 connections, %4 s ...")
             .arg(synchronous, mode)
             .arg(o.connections)
             .arg(o.duration));
    const double cpuBefore = server.cpuSeconds();
    const LoadResult r =
        runLoad(server.port(), o.connections, requests, false, o.duration, rate, &error);
    const double cpu = server.cpuSeconds() - cpuBefore;
    server.stop();
    if (!error.isEmpty()) {
        note(error);
        return;
    }
    g_rows.append({QStringLiteral("webhooks, peer: express + Telnyx SDK unwrap + better-sqlite3 "
                                  "(SYNC=%1), %2")
                       .arg(synchronous, mode),
                   describe(r) + QStringLiteral("; node %1 % of a core, %2 µs CPU a webhook")
                                     .arg(fmt(100 * cpu / r.seconds, 0))
                                     .arg(fmt(r.ok > 0 ? cpu * 1e6 / double(r.ok) : 0, 0)),
                   QString(), QString()});
    // What each used a webhook, whatever share of the two cores the rest of the machine left it.
    if (r.ok > 0 && engine.ok > 0)
        g_rows.append({QStringLiteral("CPU a webhook, kevan-tel (engine + Telnyx client threads) / "
                                      "peer (node) (%1), %2")
                           .arg(synchronous, mode),
                       QStringLiteral("%1 µs / %2 µs")
                           .arg(fmt(engineCpu * 1e6 / double(engine.ok), 0))
                           .arg(fmt(cpu * 1e6 / double(r.ok), 0)),
                       QString(), QString()});
    const double ratio = r.throughput() > 0 ? engine.throughput() / r.throughput() : 0;
    const double p99 = engine.latency.percentileMs(99);
    const double peerP99 = r.latency.percentileMs(99);
    g_rows.append(
        {QStringLiteral("kevan-tel / peer (%1), %2: throughput, p99").arg(synchronous, mode),
         QStringLiteral("%1 ×; %2 ms / %3 ms").arg(fmt(ratio, 2), fmt(p99), fmt(peerP99)),
         rate > 0 ? QStringLiteral("p99 no worse") : QStringLiteral("≥ 1 ×, aim 2 ×"),
         rate > 0 ? (p99 <= peerP99 ? QStringLiteral("met") : QStringLiteral("missed"))
                  : (ratio >= 2   ? QStringLiteral("met (2 ×)")
                     : ratio >= 1 ? QStringLiteral("met (≥ 1 ×)")
                                  : QStringLiteral("missed"))});
}

// One engine (store on `database`: empty for SQLite) taking `requests` flat out or at `rate`,
// its commands answered by `api`. Adds the row; `cpuOut`: kevan-tel's CPU seconds meanwhile.
bool pipelineRun(const Options &o, const QString &synchronous, TelnyxSide &telnyx,
                 CommandResponder &api, std::vector<Outgoing> &requests, double rate,
                 const QString &database, LoadResult *out, double *cpuOut = nullptr)
{
    QString error;
    const QString mode =
        rate > 0 ? QStringLiteral("at %1 webhooks/s").arg(rate) : QStringLiteral("flat out");
    const QString store =
        database.isEmpty() ? QStringLiteral("synchronous=%1").arg(synchronous)
                           : QStringLiteral("PostgreSQL, synchronous_commit=%1")
                                 .arg(synchronous == QLatin1String("FULL") ? QStringLiteral("on")
                                                                           : QStringLiteral("off"));
    EngineUnderTest engine;
    if (!engine.start(synchronous, telnyx, &error, api.baseUrl(), database)) {
        note(QStringLiteral("the engine cannot start: ") + error);
        return false;
    }
    const qint64 eventsBefore = engine.events();
    const qint64 commandsBefore = api.requests();
    const double cpuBefore = engine.cpuSeconds();
    const QHash<QString, double> threadsBefore = threadCpu();
    note(QStringLiteral("pipeline (%1) %2, %3 connections, %4 s ...")
             .arg(store, mode)
             .arg(o.connections)
             .arg(o.duration));
    const LoadResult full =
        runLoad(engine.port, o.connections, requests, false, o.duration, rate, &error);
    const double cpu = engine.cpuSeconds() - cpuBefore;
    if (cpuOut)
        *cpuOut = kevantelCpu(threadCpu()) - kevantelCpu(threadsBefore);
    const qint64 events = engine.events() - eventsBefore;
    const qint64 commands = api.requests() - commandsBefore;
    engine.stop();
    if (!error.isEmpty()) {
        note(error);
        return false;
    }
    QString result = describe(full);
    result += QStringLiteral("; %1 events stored/s, %2 commands/s; engine thread %3 % of a core, "
                             "%4 µs CPU a webhook")
                  .arg(fmt(double(events) / full.seconds, 0))
                  .arg(fmt(double(commands) / full.seconds, 0))
                  .arg(fmt(100 * cpu / full.seconds, 0))
                  .arg(fmt(full.ok > 0 ? cpu * 1e6 / double(full.ok) : 0, 0));
    g_rows.append({QStringLiteral("webhooks, full pipeline (%1), %2").arg(store, mode), result,
                   QString(), QString()});
    *out = full;
    return true;
}

// The same signed requests with the store on PostgreSQL (a fresh database), side by side with
// what SQLite did with them (`sqlite`).
bool pipelineOnPostgresql(const Options &o, const QString &synchronous, TelnyxSide &telnyx,
                          CommandResponder &api, std::vector<Outgoing> &requests, double rate,
                          const LoadResult &sqlite)
{
    const QString mode =
        rate > 0 ? QStringLiteral("at %1 webhooks/s").arg(rate) : QStringLiteral("flat out");
    test::PgTestDatabase database;
    QString error;
    if (!database.create(&error)) {
        note(QStringLiteral("no PostgreSQL database: ") + error);
        g_rows.append({QStringLiteral("webhooks, full pipeline (PostgreSQL), %1").arg(mode),
                       QStringLiteral("not run: ") + error, QString(), QString()});
        return false;
    }
    LoadResult pg;
    if (!pipelineRun(o, synchronous, telnyx, api, requests, rate, database.url(), &pg))
        return false;
    const double ratio = sqlite.throughput() > 0 ? pg.throughput() / sqlite.throughput() : 0;
    g_rows.append(
        {QStringLiteral("PostgreSQL / SQLite (%1), %2: throughput, p99").arg(synchronous, mode),
         QStringLiteral("%1 ×; %2 ms / %3 ms")
             .arg(fmt(ratio, 2), fmt(pg.latency.percentileMs(99)),
                  fmt(sqlite.latency.percentileMs(99))),
         QString(), QString()});
    return true;
}

// The pipeline: signature, parse, durable store, decision and commands to Telnyx, which is the
// CommandResponder here (its answers only; the fake Telnyx's calls give the webhooks their ids).
bool pipeline(const Options &o, const QString &synchronous, TelnyxSide &telnyx,
              const QStringList &numbers, double rate, const LoadResult *bare,
              const LoadResult *checkedBound = nullptr)
{
    QString error;
    CommandResponder api;
    if (!api.startAndWait()) {
        note(QStringLiteral("the command responder cannot listen"));
        return false;
    }
    // Signing costs the client ~0.3 ms a webhook, so sign about what the run will use: at a
    // fixed rate that is known; flat out, a short calibration run tells (on an engine of its
    // own, so that the measured one starts as empty as the PostgreSQL one).
    const QString mode =
        rate > 0 ? QStringLiteral("at %1 webhooks/s").arg(rate) : QStringLiteral("flat out");
    double expected = rate;
    if (expected <= 0) {
        EngineUnderTest probeEngine;
        if (!probeEngine.start(synchronous, telnyx, &error, api.baseUrl())) {
            note(QStringLiteral("the engine cannot start: ") + error);
            return false;
        }
        const WebhookMix probeMix(telnyx.signingSeed(), QStringLiteral("127.0.0.1"),
                                  probeEngine.port);
        std::vector<Outgoing> probe = probeMix.build(
            telnyx.createCalls(std::min(200, o.maxCalls), numbers), o.connections * 4);
        const LoadResult calibration = runLoad(probeEngine.port, o.connections, probe, false,
                                               std::min(2.0, o.duration), 0, &error);
        probeEngine.stop();
        expected = calibration.throughput();
        note(QStringLiteral("calibration: %1 webhooks/s").arg(expected, 0, 'f', 0));
    }
    const int calls =
        std::clamp(int(expected * o.duration * 1.5 / WebhookMix::EventsPerCall) + o.connections * 4,
                   10, o.maxCalls);
    note(QStringLiteral("pipeline (%1) %2: signing %3 webhooks of %4 calls ...")
             .arg(synchronous, mode)
             .arg(calls * WebhookMix::EventsPerCall)
             .arg(calls));
    // No port in the Host header: the same requests go to every receiver.
    const WebhookMix mix(telnyx.signingSeed(), QStringLiteral("127.0.0.1"), 0);
    std::vector<Outgoing> requests =
        mix.build(telnyx.createCalls(calls, numbers), o.connections * 4);
    // The peer and PostgreSQL get the very same signed requests, by the same client, right after
    // the engine on SQLite.
    std::vector<Outgoing> peerRequests;
    if (!o.peerDir.isEmpty())
        peerRequests = requests;
    std::vector<Outgoing> pgRequests;
    if (o.postgresql)
        pgRequests = requests;
    LoadResult full;
    double kevantel = 0;
    if (!pipelineRun(o, synchronous, telnyx, api, requests, rate, QString(), &full, &kevantel))
        return false;
    if (!peerRequests.empty())
        peer(o, synchronous, telnyx, peerRequests, rate, full, kevantel);
    bool ok = true;
    if (!pgRequests.empty())
        ok = pipelineOnPostgresql(o, synchronous, telnyx, api, pgRequests, rate, full);
    if (!bare)
        return ok;
    if (rate > 0) {
        g_rows.append({QStringLiteral("pipeline (%1) p99 / ceiling p99 at %2 webhooks/s")
                           .arg(synchronous)
                           .arg(rate),
                       QStringLiteral("%1 ms / %2 ms")
                           .arg(fmt(full.latency.percentileMs(99)))
                           .arg(fmt(bare->latency.percentileMs(99))),
                       QString(), QString()});
    } else {
        const double ratio = bare->throughput() > 0 ? full.throughput() / bare->throughput() : 0;
        g_rows.append({QStringLiteral("pipeline (%1) / ceiling throughput").arg(synchronous),
                       fmt(ratio, 3), QStringLiteral("≥ 0.5"),
                       ratio >= 0.5 ? QStringLiteral("met") : QStringLiteral("missed")});
        if (checkedBound && checkedBound->throughput() > 0)
            g_rows.append(
                {QStringLiteral("pipeline (%1) / signatures-checked bound").arg(synchronous),
                 fmt(full.throughput() / checkedBound->throughput(), 3), QString(), QString()});
    }
    return ok;
}

// What one durable commit costs on this disk: the floor under every latency at FULL.
void commitLatency(const QString &synchronous, int samples)
{
    QTemporaryDir dir;
    EventStore store;
    store.setSynchronous(synchronous == QLatin1String("FULL") ? EventStore::Synchronous::Full
                                                              : EventStore::Synchronous::Normal);
    if (!store.open(dir.filePath(QStringLiteral("commit.db")), QStringLiteral("commit-probe")))
        return;
    LatencyStats stats;
    for (int i = 0; i < samples; ++i) {
        NewEvent e;
        e.type = QStringLiteral("bench.commit");
        e.actor = QStringLiteral("bench");
        e.payload = {{QStringLiteral("i"), i}};
        const qint64 start = nowNs();
        store.append(e);
        stats.add(nowNs() - start);
    }
    g_rows.append({QStringLiteral("one EventStore::append, synchronous=%1 (this disk's commit)")
                       .arg(synchronous),
                   stats.summary(), QString(), QString()});
}

bool decisionLatency(const Options &o, const QString &synchronous, TelnyxSide &telnyx,
                     const QStringList &numbers, bool flood, double callsPerSecond)
{
    QString error;
    EngineUnderTest engine;
    if (!engine.start(synchronous, telnyx, &error)) {
        note(QStringLiteral("the engine cannot start: ") + error);
        return false;
    }
    const WebhookMix mix(telnyx.signingSeed(), QStringLiteral("127.0.0.1"), engine.port);

    // The fake Telnyx's webhooks go out over their own connections.
    HttpLoad relay(QHostAddress::LocalHost, engine.port, o.relayConnections);
    if (!relay.open(5000, &error)) {
        note(error);
        return false;
    }
    relay.onWritten = [&telnyx](const Outgoing &request, qint64 writtenNs) {
        if (request.initiated)
            telnyx.markInitiated(request.callControlId, writtenNs);
    };
    relay.startQueue();
    const auto relayConnection = QObject::connect(
        &telnyx, &TelnyxSide::relayReady, &relay,
        [&relay](const QByteArray &bytes, const QString &id, bool initiated) {
            Outgoing out;
            out.bytes = bytes;
            out.callControlId = id;
            out.initiated = initiated;
            relay.enqueue(out);
        },
        Qt::QueuedConnection);

    // The flood: other calls' webhooks, flat out, over their own connections.
    std::unique_ptr<HttpLoad> flooder;
    std::vector<Outgoing> floodRequests;
    size_t next = 0;
    if (flood) {
        const int calls =
            std::clamp(int(o.latencyDuration * 3000 / WebhookMix::EventsPerCall), 10, o.maxCalls);
        note(QStringLiteral("flood: signing %1 webhooks ...")
                 .arg(calls * WebhookMix::EventsPerCall));
        floodRequests = mix.build(telnyx.createCalls(calls, numbers), o.floodConnections * 4);
        flooder =
            std::make_unique<HttpLoad>(QHostAddress::LocalHost, engine.port, o.floodConnections);
        if (!flooder->open(5000, &error)) {
            note(error);
            return false;
        }
        flooder->startFlatOut([&](Outgoing *out) {
            if (next >= floodRequests.size())
                return false;
            *out = floodRequests[next++];
            return true;
        });
    }

    note(QStringLiteral("decision latency: %1 calls/s%2, %3 s ...")
             .arg(callsPerSecond)
             .arg(flood ? QStringLiteral(" under a flood") : QString())
             .arg(o.latencyDuration));
    telnyx.takeDecisionLatencies(); // reset
    const double cpuBefore = engine.cpuSeconds();
    const QHash<QString, double> threadsBefore = threadCpu();
    const qint64 startNs = nowNs();
    telnyx.startCalls(callsPerSecond, numbers, mix);
    runFor(o.latencyDuration);
    const qint64 placed = telnyx.stopCalls();
    const double seconds = double(nowNs() - startNs) / 1e9;
    const double busy = (engine.cpuSeconds() - cpuBefore) / seconds;
    const QString cpu = cpuBreakdown(threadsBefore, threadCpu(), seconds);
    LoadResult floodResult;
    if (flooder)
        floodResult = flooder->stop();
    runFor(o.drain); // the calls under way finish
    const LoadResult relayed = relay.stop();
    QObject::disconnect(relayConnection);
    qint64 undecided = 0;
    const LatencyStats latency = telnyx.takeDecisionLatencies(&undecided);
    const QString histogram = engine.histogram();
    engine.stop();

    const double p99 = latency.percentileMs(99);
    QString result = QStringLiteral("p50 %1 ms, p99 %2 ms, max %3 ms (%4 calls")
                         .arg(fmt(latency.percentileMs(50)))
                         .arg(fmt(p99))
                         .arg(fmt(latency.maxMs()))
                         .arg(latency.count());
    if (undecided > 0 || latency.count() < placed)
        result +=
            QStringLiteral(" of %1 placed; %2 without a command yet").arg(placed).arg(undecided);
    result += QStringLiteral("); engine thread %1 % of a core; engine histogram %2; relayed "
                             "webhooks %3")
                  .arg(fmt(100 * busy, 0))
                  .arg(histogram, relayed.latency.summary());
    if (flood)
        result += QStringLiteral("; flood %1 webhooks/s").arg(fmt(floodResult.throughput(), 0));
    result += QStringLiteral("; ") + cpu;
    // The target is for 200 calls/s without a flood; other runs are for information.
    const bool judged = !flood && callsPerSecond >= 200;
    const bool met = latency.count() > 0 && p99 <= 5.0 && undecided == 0;
    g_rows.append({QStringLiteral("decision latency, %1 calls/s%2 (synchronous=%3)")
                       .arg(callsPerSecond)
                       .arg(flood ? QStringLiteral(" under a flood") : QString(), synchronous),
                   result, judged ? QStringLiteral("p99 ≤ 5 ms") : QString(),
                   judged ? (met ? QStringLiteral("met") : QStringLiteral("missed")) : QString()});
    return true;
}

void printTable()
{
    std::printf("| benchmark | result | target | verdict |\n|---|---|---|---|\n");
    for (const Row &r : std::as_const(g_rows))
        std::printf("| %s | %s | %s | %s |\n", qPrintable(r.benchmark), qPrintable(r.result),
                    qPrintable(r.target), qPrintable(r.verdict));
    std::fflush(stdout);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("kevantel-loadgen"));
    // The engine's per-call log lines would cost more than the work measured.
    QLoggingCategory::setFilterRules(QStringLiteral("kevantel.*.info=false\n"
                                                    "kevantel.*.debug=false"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Webhook throughput of the kevan-tel pipeline against a bare QHttpServer, "
                       "and decision latency. Prints a markdown table on stdout."));
    parser.addHelpOption();
    const QCommandLineOption quick(QStringLiteral("quick"), QStringLiteral("Short runs (3 s)."));
    const QCommandLineOption smoke(QStringLiteral("smoke"),
                                   QStringLiteral("A seconds-long run that only checks it works."));
    const QCommandLineOption duration(QStringLiteral("duration"),
                                      QStringLiteral("Seconds per throughput run (10)."),
                                      QStringLiteral("s"));
    const QCommandLineOption connections(QStringLiteral("connections"),
                                         QStringLiteral("Keep-alive connections (8)."),
                                         QStringLiteral("n"));
    const QCommandLineOption rate(QStringLiteral("rate"),
                                  QStringLiteral("Also run both targets at this many webhooks/s."),
                                  QStringLiteral("r"));
    const QCommandLineOption cps(
        QStringLiteral("calls-per-second"),
        QStringLiteral("Calls per second placed in the latency runs (200); one more "
                       "run places half as many."),
        QStringLiteral("n"));
    const QCommandLineOption latencyDuration(QStringLiteral("latency-duration"),
                                             QStringLiteral("Seconds per latency run (10)."),
                                             QStringLiteral("s"));
    const QCommandLineOption sync(QStringLiteral("synchronous"),
                                  QStringLiteral("The engine's SQLite synchronous modes to run: "
                                                 "FULL,NORMAL (default), FULL or NORMAL."),
                                  QStringLiteral("modes"));
    const QCommandLineOption only(QStringLiteral("only"), QStringLiteral("throughput or latency."),
                                  QStringLiteral("what"));
    const QCommandLineOption peerOption(
        QStringLiteral("peer"),
        QStringLiteral("Also send each pipeline run's requests to the peer receiver in this folder "
                       "(tests/bench/peer with its node_modules installed), at the same "
                       "durability."),
        QStringLiteral("folder"));
    const QCommandLineOption postgresql(
        QStringLiteral("postgresql"),
        QStringLiteral("Also run each pipeline run's requests with the store on PostgreSQL: a "
                       "fresh database on the server of KEVANTEL_TEST_PG_URL (password in "
                       "PGPASSWORD), as tests/support/pg-test-cluster.sh starts one."));
    const QCommandLineOption noCeiling(QStringLiteral("no-ceiling"),
                                       QStringLiteral("Skip the bare server (for profiling)."));
    parser.addOptions({quick, smoke, duration, connections, rate, cps, latencyDuration, sync, only,
                       noCeiling, peerOption, postgresql});
    parser.process(app);

    Options o;
    if (parser.isSet(quick)) {
        o.duration = 3;
        o.latencyDuration = 3;
    }
    if (parser.isSet(smoke)) {
        o.duration = 0.5;
        o.latencyDuration = 0.5;
        o.connections = 2;
        o.floodConnections = 2;
        o.callsPerSecond = 20;
        o.halfRate = false;
        o.maxCalls = 200;
        o.drain = 0.5;
        o.commitSamples = 10;
    }
    if (parser.isSet(duration))
        o.duration = parser.value(duration).toDouble();
    if (parser.isSet(connections))
        o.connections = parser.value(connections).toInt();
    if (parser.isSet(rate))
        o.rate = parser.value(rate).toDouble();
    if (parser.isSet(cps))
        o.callsPerSecond = parser.value(cps).toDouble();
    if (parser.isSet(latencyDuration))
        o.latencyDuration = parser.value(latencyDuration).toDouble();
    if (parser.isSet(sync))
        o.synchronous = parser.value(sync).toUpper().split(QLatin1Char(','));
    o.ceiling = !parser.isSet(noCeiling);
    o.peerDir = parser.value(peerOption);
    o.postgresql = parser.isSet(postgresql);
    if (parser.isSet(only)) {
        o.throughput = parser.value(only) == QLatin1String("throughput");
        o.latency = parser.value(only) == QLatin1String("latency");
    }
    if (o.duration <= 0 || o.connections <= 0 || o.callsPerSecond <= 0 ||
        std::any_of(o.synchronous.cbegin(), o.synchronous.cend(), [](const QString &m) {
            return m != QLatin1String("FULL") && m != QLatin1String("NORMAL");
        })) {
        std::fprintf(stderr, "bad option value\n");
        return 2;
    }

    TelnyxSide telnyx;
    if (!telnyx.start()) {
        note(QStringLiteral("the fake Telnyx cannot listen"));
        return 1;
    }
    const QStringList numbers = ownerNumbers();
    bool ok = true;
    for (const QString &mode : std::as_const(o.synchronous))
        commitLatency(mode, o.commitSamples);
    LoadResult bare, bareAtRate, checked;
    if (o.throughput && o.ceiling) {
        ok = ceiling(o, telnyx, numbers, 0, &bare) && ok;
        ok = ceiling(o, telnyx, numbers, 0, &checked, true, &bare) && ok;
        if (o.rate > 0)
            ok = ceiling(o, telnyx, numbers, o.rate, &bareAtRate) && ok;
    }
    for (const QString &mode : std::as_const(o.synchronous)) {
        if (o.throughput) {
            ok = pipeline(o, mode, telnyx, numbers, 0, o.ceiling ? &bare : nullptr,
                          o.ceiling ? &checked : nullptr) &&
                 ok;
            if (o.rate > 0)
                ok =
                    pipeline(o, mode, telnyx, numbers, o.rate, o.ceiling ? &bareAtRate : nullptr) &&
                    ok;
        }
        if (o.latency) {
            ok = decisionLatency(o, mode, telnyx, numbers, false, o.callsPerSecond) && ok;
            ok = decisionLatency(o, mode, telnyx, numbers, true, o.callsPerSecond) && ok;
            if (o.halfRate) // how much of the latency is the machine being busy
                ok = decisionLatency(o, mode, telnyx, numbers, false, o.callsPerSecond / 2) && ok;
        }
    }
    telnyx.stop();
    printTable();
    return ok ? 0 : 1;
}
