// SPDX-License-Identifier: GPL-3.0-or-later
// kevantel-historygen: builds a call history of a million events (or any size) and times what
// the dashboard and the CLI do with it: open + the latest 100 calls, search by number, calls per
// day over a year, `events verify`, and the peak memory of `kevan-tel --headless` and of the
// dashboard on that database. Prints a markdown table.
#include "historybuilder.h"
#include "latencystats.h"

#include "store/eventstore.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QThread>

#include <algorithm>
#include <cstdio>
#include <functional>

using namespace kt;
using namespace kt::bench;

namespace {

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

QString ms(double v)
{
    return QStringLiteral("%1 ms").arg(v, 0, 'f', v < 10 ? 2 : 1);
}

QString verdict(bool met)
{
    return met ? QStringLiteral("met") : QStringLiteral("missed");
}

// The median wall time of `runs` runs of `f`, in milliseconds.
double timed(int runs, const std::function<void()> &f, double *first = nullptr)
{
    std::vector<double> t;
    for (int i = 0; i < runs; ++i) {
        QElapsedTimer timer;
        timer.start();
        f();
        t.push_back(double(timer.nsecsElapsed()) / 1e6);
        if (i == 0 && first)
            *first = t.back();
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

int g_connection = 0;
QString connectionName()
{
    return QStringLiteral("historygen-%1").arg(++g_connection);
}

// What the dashboard's history search runs (app/models/historymodel.cpp, numberFilter): the
// digits anywhere in the caller's or the called number, newest first, a page of 100, then each
// call's row.
int searchByNumber(EventStore &store, const QString &digits)
{
    QSqlDatabase db = QSqlDatabase::database(store.connectionName());
    QSqlQuery q(db);
    q.setForwardOnly(true);
    q.prepare(QStringLiteral(
        "SELECT call_id FROM calls WHERE (from_number LIKE ? ESCAPE '\\' OR to_number LIKE ? "
        "ESCAPE '\\') ORDER BY started_at DESC, updated_seq DESC LIMIT 100 OFFSET 0"));
    const QString like = QLatin1Char('%') + digits + QLatin1Char('%');
    q.addBindValue(like);
    q.addBindValue(like);
    if (!q.exec()) {
        note(QStringLiteral("search failed: ") + q.lastError().text());
        return -1;
    }
    QStringList ids;
    while (q.next())
        ids << q.value(0).toString();
    int found = 0;
    for (const QString &id : std::as_const(ids))
        found += store.call(id).has_value();
    return found;
}

QString digitsOf(const QString &number)
{
    QString d = number;
    d.remove(QLatin1Char('+'));
    return d;
}

qint64 vmHwmKb(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

// Runs kevan-tel with `arguments` until `ready` matches a line of its output (or timeoutMs),
// then `settleMs` more; returns the peak RSS (VmHWM) in kB and, in *readyMs, when it got ready.
qint64 peakRss(const QString &binary, const QStringList &arguments,
               const QProcessEnvironment &environment, const QByteArray &ready, int timeoutMs,
               int settleMs, double *readyMs, QString *error)
{
    QProcess p;
    p.setProcessEnvironment(environment);
    p.setProgram(binary);
    p.setArguments(arguments);
    p.setProcessChannelMode(QProcess::MergedChannels);
    QElapsedTimer timer;
    timer.start();
    p.start();
    if (!p.waitForStarted(10000)) {
        *error = p.errorString();
        return -1;
    }
    QByteArray output;
    *readyMs = -1;
    while (timer.elapsed() < timeoutMs && p.state() == QProcess::Running) {
        p.waitForReadyRead(20);
        output += p.readAll();
        if (output.contains(ready)) {
            *readyMs = double(timer.nsecsElapsed()) / 1e6;
            break;
        }
    }
    qint64 peak = -1;
    if (*readyMs >= 0) {
        QElapsedTimer settle;
        settle.start();
        while (settle.elapsed() < settleMs && p.state() == QProcess::Running) {
            p.waitForReadyRead(50);
            output += p.readAll();
            peak = std::max(peak, vmHwmKb(p.processId()));
        }
        peak = std::max(peak, vmHwmKb(p.processId()));
    }
    if (p.state() == QProcess::Running) {
        p.terminate();
        if (!p.waitForFinished(10000)) {
            p.kill();
            p.waitForFinished(5000);
        }
    }
    output += p.readAll();
    if (*readyMs < 0)
        *error = QStringLiteral("no \"%1\" within %2 s; output: %3")
                     .arg(QString::fromLatin1(ready))
                     .arg(timeoutMs / 1000)
                     .arg(QString::fromLocal8Bit(output.right(300)).simplified());
    return peak;
}

bool generate(const QString &path, qint64 events, int days)
{
    for (const QString &suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")})
        QFile::remove(path + suffix);
    QDir().mkpath(QFileInfo(path).absolutePath());
    EventStore store;
    store.setSynchronous(EventStore::Synchronous::Normal);
    if (!store.open(path, connectionName())) {
        note(store.errorString());
        return false;
    }
    HistoryBuilder::Options o;
    o.events = events;
    o.days = days;
    QElapsedTimer timer;
    timer.start();
    qint64 lastReport = 0;
    QString error;
    const bool ok = HistoryBuilder::build(
        store, o,
        [&](qint64 done, qint64 total) {
            if (done - lastReport >= total / 10) {
                lastReport = done;
                note(QStringLiteral("generating: %1 of %2 events, %3 s")
                         .arg(done)
                         .arg(total)
                         .arg(timer.elapsed() / 1000));
            }
        },
        &error);
    if (!ok) {
        note(QStringLiteral("generation failed: ") + error);
        return false;
    }
    const double secs = double(timer.elapsed()) / 1000;
    const qint64 count = store.eventCount();
    {
        QSqlQuery q(QSqlDatabase::database(store.connectionName()));
        q.exec(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)"));
    }
    store.close();
    g_rows.append({QStringLiteral("generate the history (EventStore::append, batches of %1, "
                                  "synchronous=NORMAL)")
                       .arg(o.batch),
                   QStringLiteral("%1 events in %2 s (%3 events/s), %4 MB")
                       .arg(count)
                       .arg(secs, 0, 'f', 1)
                       .arg(double(count) / secs, 0, 'f', 0)
                       .arg(double(QFileInfo(path).size()) / 1e6, 0, 'f', 0),
                   QString(), QString()});
    return true;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("kevantel-historygen"));
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Builds a call history and times the dashboard's and the CLI's queries on "
                       "it. Prints a markdown table on stdout."));
    parser.addHelpOption();
    const QCommandLineOption dbOption(QStringLiteral("db"), QStringLiteral("The database."),
                                      QStringLiteral("path"));
    const QCommandLineOption eventsOption(QStringLiteral("events"),
                                          QStringLiteral("Events to generate (1000000)."),
                                          QStringLiteral("n"));
    const QCommandLineOption daysOption(
        QStringLiteral("days"), QStringLiteral("Days the calls span (365)."), QStringLiteral("n"));
    const QCommandLineOption force(QStringLiteral("force"),
                                   QStringLiteral("Generate again even if the database exists."));
    const QCommandLineOption binaryOption(
        QStringLiteral("kevan-tel"),
        QStringLiteral("The kevan-tel binary, for `events verify` and peak memory."),
        QStringLiteral("path"));
    const QCommandLineOption smoke(QStringLiteral("smoke"),
                                   QStringLiteral("A tiny history in a temporary folder."));
    parser.addOptions({dbOption, eventsOption, daysOption, force, binaryOption, smoke});
    parser.process(app);

    QTemporaryDir temporary;
    QString path = parser.value(dbOption);
    qint64 events = parser.isSet(eventsOption) ? parser.value(eventsOption).toLongLong() : 1000000;
    const int days = parser.isSet(daysOption) ? parser.value(daysOption).toInt() : 365;
    if (parser.isSet(smoke)) {
        path = temporary.filePath(QStringLiteral("smoke.db"));
        if (!parser.isSet(eventsOption))
            events = 2000;
    }
    if (path.isEmpty() || events <= 0 || days <= 0) {
        std::fprintf(stderr, "usage: kevantel-historygen --db PATH [--events N] [--days N] "
                             "[--force] [--kevan-tel BINARY] | --smoke\n");
        return 2;
    }

    if (parser.isSet(force) || !QFileInfo::exists(path)) {
        note(QStringLiteral("generating %1 events in %2 ...").arg(events).arg(path));
        if (!generate(path, events, days))
            return 1;
    }

    // A database made by an older kevan-tel is upgraded when the engine first opens it.
    {
        EventStore upgrade;
        QElapsedTimer timer;
        timer.start();
        if (!upgrade.open(path, connectionName())) {
            note(upgrade.errorString());
            return 1;
        }
        const double secs = double(timer.nsecsElapsed()) / 1e9;
        g_rows.append({QStringLiteral("read-write open (applies pending schema migrations)"),
                       QStringLiteral("%1 s").arg(secs, 0, 'f', 2), QString(), QString()});
    }

    // Open + the latest 100 calls: what the dashboard shows first.
    qint64 total = 0, callCount = 0;
    QString openError;
    double openFirst = 0;
    const double openMedian = timed(
        5,
        [&] {
            EventStore store;
            if (!store.open(path, connectionName(), EventStore::Mode::ReadOnly)) {
                openError = store.errorString();
                return;
            }
            CallQuery q;
            q.limit = 100;
            callCount = store.calls(q).size();
        },
        &openFirst);
    if (!openError.isEmpty()) {
        note(openError);
        return 1;
    }
    EventStore store;
    if (!store.open(path, connectionName(), EventStore::Mode::ReadOnly)) {
        note(store.errorString());
        return 1;
    }
    total = store.eventCount();
    qint64 calls = 0;
    {
        QSqlQuery q(QSqlDatabase::database(store.connectionName()));
        if (q.exec(QStringLiteral("SELECT count(*) FROM calls")) && q.next())
            calls = q.value(0).toLongLong();
    }
    const QString size = QStringLiteral("%1 events, %2 calls").arg(total).arg(calls);
    g_rows.append(
        {QStringLiteral("open (read-only) + latest 100 calls, %1").arg(size),
         QStringLiteral("%1 (first %2), %3 rows").arg(ms(openMedian), ms(openFirst)).arg(callCount),
         QString(), QString()});

    // Search by number: the dashboard's query as it is (HistoryModel, LIKE), and
    // EventStore::callsWithNumber (a whole number looked up, a part scanned from an index).
    struct Search
    {
        QString what;
        QString number;
    };
    const QString frequent = HistoryBuilder::callerNumber(7);
    const QString occasional = HistoryBuilder::callerNumber(HistoryBuilder::FrequentCallers + 4321);
    const QString unknown = QStringLiteral("+19995550123");
    const QList<Search> searches{
        {QStringLiteral("a frequent caller"), frequent},
        {QStringLiteral("an occasional caller"), occasional},
        {QStringLiteral("a number never seen"), unknown},
        {QStringLiteral("a part found often (\"2300635\")"), QStringLiteral("2300635")},
        {QStringLiteral("a part never seen (\"9995550\")"), QStringLiteral("9995550")},
    };
    for (const Search &s : searches) {
        int found = 0;
        const double like = timed(3, [&] { found = searchByNumber(store, digitsOf(s.number)); });
        int foundNew = 0;
        const double indexed =
            timed(3, [&] { foundNew = int(store.callsWithNumber(s.number, 100).size()); });
        g_rows.append({QStringLiteral("search by number, %1: HistoryModel's LIKE query / "
                                      "EventStore::callsWithNumber")
                           .arg(s.what),
                       QStringLiteral("%1 / %2 (%3 / %4 calls on the first page)")
                           .arg(ms(like), ms(indexed))
                           .arg(found)
                           .arg(foundNew),
                       QStringLiteral("≤ 50 ms"),
                       verdict(like <= 50) + QStringLiteral(" / ") + verdict(indexed <= 50)});
    }

    // Calls per day over a year.
    const QDateTime now = QDateTime::currentDateTime();
    QList<EventStore::DayCount> perDay;
    const double perDayMs =
        timed(3, [&] { perDay = store.callsPerDay(now.addDays(-365), now, now.offsetFromUtc()); });
    qint64 perDaySum = 0;
    for (const auto &d : std::as_const(perDay))
        perDaySum += d.calls;
    g_rows.append({QStringLiteral("calls per day over a year (EventStore::callsPerDay)"),
                   QStringLiteral("%1, %2 days, %3 calls")
                       .arg(ms(perDayMs))
                       .arg(perDay.size())
                       .arg(perDaySum),
                   QString(), QString()});

    // Verify, in process.
    {
        QElapsedTimer timer;
        timer.start();
        const VerifyResult r = store.verify();
        const double secs = double(timer.nsecsElapsed()) / 1e9;
        g_rows.append({QStringLiteral("EventStore::verify()"),
                       QStringLiteral("%1 s, %2 events/s (%3)")
                           .arg(secs, 0, 'f', 2)
                           .arg(double(r.rowsChecked) / secs, 0, 'f', 0)
                           .arg(r.message),
                       QString(), r.ok ? QString() : QStringLiteral("BROKEN")});
    }
    store.close();

    // The binary: `events verify`, the headless engine and the dashboard.
    if (parser.isSet(binaryOption)) {
        const QString binary = parser.value(binaryOption);
        QTemporaryDir home;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HOME"), home.path());
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), home.filePath(QStringLiteral("data")));
        {
            QProcess p;
            p.setProcessEnvironment(env);
            QElapsedTimer timer;
            timer.start();
            p.start(binary, {QStringLiteral("events"), QStringLiteral("verify"),
                             QStringLiteral("--db"), path});
            p.waitForFinished(3600 * 1000);
            const double secs = double(timer.nsecsElapsed()) / 1e9;
            const QString out = QString::fromLocal8Bit(p.readAllStandardOutput()).trimmed();
            g_rows.append({QStringLiteral("`kevan-tel events verify` (whole process)"),
                           QStringLiteral("%1 s, %2 events/s (exit %3: %4)")
                               .arg(secs, 0, 'f', 2)
                               .arg(double(total) / secs, 0, 'f', 0)
                               .arg(p.exitCode())
                               .arg(out.left(60)),
                           QString(), p.exitCode() == 0 ? QString() : QStringLiteral("BROKEN")});
        }
        {
            QString error;
            double readyMs = 0;
            const qint64 kb = peakRss(binary,
                                      {QStringLiteral("--headless"), QStringLiteral("--db"), path,
                                       QStringLiteral("--port"), QStringLiteral("0"),
                                       QStringLiteral("--admin-port"), QStringLiteral("0")},
                                      env, "listening on", 60000, 3000, &readyMs, &error);
            if (kb < 0)
                g_rows.append({QStringLiteral("peak RSS, `kevan-tel --headless`"),
                               QStringLiteral("not measured: ") + error, QStringLiteral("≤ 150 MB"),
                               QString()});
            else
                g_rows.append({QStringLiteral("peak RSS (VmHWM), `kevan-tel --headless` on it"),
                               QStringLiteral("%1 MB (listening after %2)")
                                   .arg(double(kb) / 1024, 0, 'f', 1)
                                   .arg(ms(readyMs)),
                               QStringLiteral("≤ 150 MB"), verdict(kb <= 150 * 1024)});
        }
        {
            // The dashboard, rendered offscreen by the software scene graph, which logs each
            // frame. An API key keeps it out of demo mode (which would place calls).
            QProcessEnvironment ui = env;
            ui.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
            ui.insert(QStringLiteral("QT_QUICK_BACKEND"), QStringLiteral("software"));
            ui.insert(QStringLiteral("QT_LOGGING_RULES"),
                      QStringLiteral("qt.scenegraph.time.renderloop.debug=true"));
            ui.insert(QStringLiteral("TELNYX_API_KEY"),
                      QStringLiteral("KEYbench_0123456789abcdef"));
            QString error;
            double frameMs = 0;
            const qint64 kb =
                peakRss(binary,
                        {QStringLiteral("--db"), path, QStringLiteral("--port"),
                         QStringLiteral("0"), QStringLiteral("--admin-port"), QStringLiteral("0"),
                         QStringLiteral("--telnyx-api"), QStringLiteral("http://127.0.0.1:9/v2")},
                        ui, "Frame rendered", 60000, 3000, &frameMs, &error);
            if (kb < 0) {
                g_rows.append({QStringLiteral("dashboard first frame / peak RSS"),
                               QStringLiteral("not measured: ") + error,
                               QStringLiteral("≤ 1 s / ≤ 150 MB"), QString()});
            } else {
                g_rows.append({QStringLiteral("dashboard first frame (process start to first "
                                              "frame, offscreen, software)"),
                               ms(frameMs), QStringLiteral("≤ 1 s"), verdict(frameMs <= 1000)});
                g_rows.append({QStringLiteral("peak RSS (VmHWM), dashboard on it"),
                               QStringLiteral("%1 MB").arg(double(kb) / 1024, 0, 'f', 1),
                               QStringLiteral("≤ 150 MB"), verdict(kb <= 150 * 1024)});
            }
        }
    }

    std::printf("| benchmark | result | target | verdict |\n|---|---|---|---|\n");
    for (const Row &r : std::as_const(g_rows))
        std::printf("| %s | %s | %s | %s |\n", qPrintable(r.benchmark), qPrintable(r.result),
                    qPrintable(r.target), qPrintable(r.verdict));
    std::fflush(stdout);
    return 0;
}
