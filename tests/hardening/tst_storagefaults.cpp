// SPDX-License-Identifier: GPL-3.0-or-later
// The real `kevan-tel --headless` when its database fails under it: locked by another process,
// a full disk, read-only, corrupt. A webhook that cannot be stored gets 503 (never 200) and leaves
// nothing in the log; once the fault is gone, the redelivered webhook is stored. A database that
// cannot be used at start is refused with one clear line and a non-zero exit.
#include "kevantelprocess.h"
#include "rawhttpclient.h"
#include "simulator/telnyxsimulator.h"
#include "simulatorfixture.h"
#include "webhookfactory.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

#include <grp.h>
#include <unistd.h>

using namespace kt;

namespace {
constexpr uid_t Nobody = 65534;

QSet<QString> idsIn(const QJsonArray &events)
{
    QSet<QString> ids;
    for (const QJsonValue &v : events) {
        const QString id = v.toObject().value(QStringLiteral("telnyx_id")).toString();
        if (!id.isEmpty())
            ids.insert(id);
    }
    return ids;
}

int run(const QString &program, const QStringList &args, QByteArray *output = nullptr)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(program, args);
    if (!p.waitForFinished(20000))
        return -1;
    if (output)
        *output = p.readAll();
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}
} // namespace

class TstStorageFaults : public QObject, public kt::test::SimulatorFixture
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void lockedDatabaseIs503UntilReleased();
    void fullDiskIs503AndRecovers();
    void readOnlyDatabaseRefusedAtStart_data();
    void readOnlyDatabaseRefusedAtStart();
    void corruptDatabaseRefusedAtStart_data();
    void corruptDatabaseRefusedAtStart();

private:
    QString db() const { return m_dir->filePath(QStringLiteral("events.db")); }
    bool createDatabase(const QString &path);
    static void expectOneLineRefusal(const CliResult &r, const QString &path);
    QString signedWebhook(QByteArray *request, int padBytes = 0) const;

    std::unique_ptr<KevanTelProcess> m_app;
    QStringList m_mounts; // unmounted in cleanup(), innermost first
};

void TstStorageFaults::init()
{
    QVERIFY(setUp());
    m_telnyx->setLogLimit(0);
    m_telnyx->setDeliveryAttemptsPerUrl(1000);
    m_telnyx->setDeliveryRetryDelayMs(300);
    m_app = std::make_unique<KevanTelProcess>();
    m_app->setHome(m_dir->path());
}

void TstStorageFaults::cleanup()
{
    m_app.reset();    // kills it, so that nothing holds the mounts
    m_telnyx.reset(); // stops sending before the mounts go
    for (auto it = m_mounts.crbegin(); it != m_mounts.crend(); ++it) {
        QByteArray out;
        if (run(QStringLiteral("umount"), {*it}, &out) != 0)
            qWarning("umount %s: %s", qPrintable(*it), out.constData());
    }
    m_mounts.clear();
    tearDown();
}

bool TstStorageFaults::createDatabase(const QString &path)
{
    KevanTelProcess app;
    app.setHome(m_dir->path());
    if (!app.serve(path, *m_telnyx))
        return false;
    if (app.terminate())
        return true;
    qWarning("the server did not stop cleanly: %s", app.stderrText().constData());
    return false;
}

void TstStorageFaults::expectOneLineRefusal(const CliResult &r, const QString &path)
{
    QVERIFY2(r.exitCode > 0,
             qPrintable(QString::number(r.exitCode) + QLatin1Char(' ') + QString::fromUtf8(r.err)));
    QVERIFY2(!r.out.contains("listening on"), r.out.constData());
    const QList<QByteArray> lines = r.err.trimmed().split('\n');
    QVERIFY2(lines.size() == 1, r.err.constData());
    QVERIFY2(r.err.contains(path.toUtf8()) || r.err.contains("database"), r.err.constData());
}

QString TstStorageFaults::signedWebhook(QByteArray *request, int padBytes) const
{
    const QString id = WebhookFactory::newId();
    QJsonObject payload{{QStringLiteral("call_control_id"), QStringLiteral("v3:storage-") + id},
                        {QStringLiteral("digit"), QStringLiteral("1")}};
    if (padBytes > 0)
        payload.insert(QStringLiteral("pad"), QString(padBytes, QLatin1Char('p')));
    *request = WebhookFactory().request(
        WebhookFactory::body(QStringLiteral("call.dtmf.received"), id, payload));
    return id;
}

void TstStorageFaults::lockedDatabaseIs503UntilReleased()
{
    QVERIFY2(m_app->serve(db(), *m_telnyx), qPrintable(m_app->failure()));
    QByteArray before;
    const QString stored = signedWebhook(&before);
    QCOMPARE(RawHttpClient::once(m_app->port(), before).status, 200);

    // Another process's exclusive transaction holds the write lock (a second SQLite connection
    // is as good: the lock is the file's).
    {
        QSqlDatabase locker =
            QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("locker"));
        locker.setDatabaseName(db());
        QVERIFY(locker.open());
        QSqlQuery q(locker);
        QVERIFY2(q.exec(QStringLiteral("BEGIN EXCLUSIVE")), qPrintable(q.lastError().text()));

        QByteArray request;
        const QString id = signedWebhook(&request);
        QElapsedTimer t;
        t.start();
        const RawResponse r = RawHttpClient::once(m_app->port(), request, {}, 30000);
        QVERIFY2(r.status == 503, qPrintable(QString::number(r.status)));
        QCOMPARE(r.json().value(QStringLiteral("error")).toString(),
                 QStringLiteral("store_failed"));
        qInfo("webhook refused 503 after %lld ms with the database locked", t.elapsed());

        // The tunnelled port says only that webhooks cannot be taken; the admin port says why.
        const auto bare = m_app->get("/health");
        QCOMPARE(bare.status, 503);
        QCOMPARE(bare.body, QByteArray(R"({"status":"unavailable"})"));
        const auto health = m_app->getAdmin("/health");
        QCOMPARE(health.status, 503);
        const QJsonObject h = QJsonDocument::fromJson(health.body).object();
        QCOMPARE(h.value(QStringLiteral("status")).toString(), QStringLiteral("error"));
        QVERIFY2(!h.value(QStringLiteral("reason")).toString().isEmpty(), health.body.constData());
        qInfo("/health: %s", health.body.constData());

        QVERIFY(q.exec(QStringLiteral("ROLLBACK")));
        q.finish();
        locker.close();

        // Nothing of the refused webhook was written; delivered again, it is stored, once, and
        // /health is well again.
        QSet<QString> ids = idsIn(m_app->events(db()));
        QVERIFY(ids.contains(stored));
        QVERIFY(!ids.contains(id));
        const RawResponse again = RawHttpClient::once(m_app->port(), request);
        QCOMPARE(again.status, 200);
        QCOMPARE(again.json().value(QStringLiteral("status")).toString(), QStringLiteral("stored"));
        QVERIFY(idsIn(m_app->events(db())).contains(id));
        QCOMPARE(m_app->get("/health").status, 200);
    }
    QSqlDatabase::removeDatabase(QStringLiteral("locker"));
    QString message;
    QVERIFY2(m_app->verify(db(), &message), qPrintable(message));
}

void TstStorageFaults::fullDiskIs503AndRecovers()
{
    if (geteuid() != 0)
        QSKIP("a full disk is simulated with a small tmpfs, which only root can mount");
    const QString mountPoint = m_dir->filePath(QStringLiteral("small"));
    QVERIFY(QDir().mkpath(mountPoint));
    QByteArray out;
    if (run(QStringLiteral("mount"),
            {QStringLiteral("-t"), QStringLiteral("tmpfs"), QStringLiteral("-o"),
             QStringLiteral("size=6m"), QStringLiteral("tmpfs"), mountPoint},
            &out) != 0)
        QSKIP(qPrintable(QStringLiteral("cannot mount a tmpfs here: ") +
                         QString::fromUtf8(out).trimmed()));
    m_mounts.append(mountPoint);
    const QString smallDb = mountPoint + QStringLiteral("/events.db");
    QVERIFY2(m_app->serve(smallDb, *m_telnyx), qPrintable(m_app->failure()));
    m_telnyx->setWebhookUrl(QUrl(m_app->url() + QStringLiteral("/webhooks/telnyx")));

    RawHttpClient c;
    QVERIFY(c.connectTo(m_app->port()));
    QStringList acknowledged;
    for (int i = 0; i < 3; ++i) {
        QByteArray request;
        const QString id = signedWebhook(&request);
        c.send(request);
        QCOMPARE(c.next(15000).status, 200);
        acknowledged.append(id);
    }

    // Fill the disk to the last byte (tmpfs allocates whole pages).
    QFile filler(mountPoint + QStringLiteral("/filler"));
    const auto fill = [&filler] {
        if (!filler.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Unbuffered))
            return false;
        for (const int size : {64 * 1024, 4096, 512, 1}) {
            const QByteArray chunk(size, 'f');
            while (filler.write(chunk) == chunk.size()) {
            }
        }
        filler.close();
        return true;
    };
    QVERIFY(fill());

    // Webhooks until one cannot be stored (the WAL may still have room for a few).
    QString refused;
    QByteArray refusedRequest;
    for (int i = 0; i < 300 && refused.isEmpty(); ++i) {
        QByteArray request;
        const QString id = signedWebhook(&request, 40 * 1024);
        c.send(request);
        const RawResponse r = c.next(15000);
        if (r.status == 200) {
            acknowledged.append(id);
        } else {
            QVERIFY2(r.status == 503, qPrintable(QString::number(r.status)));
            QCOMPARE(r.json().value(QStringLiteral("error")).toString(),
                     QStringLiteral("store_failed"));
            refused = id;
            refusedRequest = request;
        }
    }
    QVERIFY2(!refused.isEmpty(), "the full disk never refused a webhook");
    qInfo("disk full after %d stored webhooks", int(acknowledged.size()) - 3);
    const auto health = m_app->getAdmin("/health");
    qInfo("/health on a full disk: %d %s", health.status, health.body.constData());
    QVERIFY2(health.status == 503, health.body.constData());

    // A call arriving now cannot be stored: Telnyx is answered 503 and keeps delivering. (The
    // refused transaction may have grown the WAL into the last free bytes: fill them again.)
    QVERIFY(fill());
    const QString ccid =
        m_telnyx->startInboundCall(QStringLiteral("+14045550186"), QStringLiteral("+17702300635"));
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (const WebhookDelivery &d : m_telnyx->deliveries()) {
                if (d.eventType == QLatin1String("call.initiated") && d.status == 503)
                    return true;
            }
            return false;
        }(),
        20000);

    // Space again: the call goes through, the refused webhook is stored on redelivery, and
    // nothing of it had been written before.
    QVERIFY(filler.remove());
    QTRY_COMPARE_WITH_TIMEOUT(m_telnyx->callState(ccid), QStringLiteral("hangup"), 30000);
    QSet<QString> ids = idsIn(m_app->events(smallDb));
    for (const QString &id : std::as_const(acknowledged))
        QVERIFY2(ids.contains(id), qPrintable(id));
    QVERIFY(!ids.contains(refused));
    c.send(refusedRequest);
    QCOMPARE(c.next(15000).status, 200);
    QVERIFY(idsIn(m_app->events(smallDb)).contains(refused));
    QCOMPARE(m_app->get("/health").status, 200);
    QString message;
    QVERIFY2(m_app->verify(smallDb, &message), qPrintable(message));
}

void TstStorageFaults::readOnlyDatabaseRefusedAtStart_data()
{
    QTest::addColumn<QString>("how");
    QTest::newRow("read-only file system") << QStringLiteral("mount");
    QTest::newRow("file not writable by the user") << QStringLiteral("file");
    QTest::newRow("folder not writable by the user") << QStringLiteral("folder");
}

void TstStorageFaults::readOnlyDatabaseRefusedAtStart()
{
    QFETCH(QString, how);
    const bool root = geteuid() == 0;
    const QString folder = m_dir->filePath(QStringLiteral("ro"));
    QVERIFY(QDir().mkpath(folder));
    const QString path = folder + QStringLiteral("/events.db");
    QVERIFY(createDatabase(path));
    QVERIFY(QFile::exists(path));

    if (how == QLatin1String("mount")) {
        if (!root)
            QSKIP("a read-only bind mount needs root");
        QByteArray out;
        if (run(QStringLiteral("mount"), {QStringLiteral("--bind"), folder, folder}, &out) != 0)
            QSKIP(qPrintable(QStringLiteral("cannot bind-mount here: ") + QString::fromUtf8(out)));
        m_mounts.append(folder);
        QVERIFY2(run(QStringLiteral("mount"),
                     {QStringLiteral("-o"), QStringLiteral("remount,bind,ro"), folder}, &out) == 0,
                 out.constData());
    } else {
        // root writes whatever the mode says: run the app as nobody instead.
        QFile::setPermissions(m_dir->path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                                 QFileDevice::ExeOwner | QFileDevice::ReadOther |
                                                 QFileDevice::ExeOther);
        const QFileDevice::Permissions readOnly =
            QFileDevice::ReadOwner | QFileDevice::ReadOther | QFileDevice::ReadGroup;
        const QFileDevice::Permissions readOnlyDir =
            readOnly | QFileDevice::ExeOwner | QFileDevice::ExeOther | QFileDevice::ExeGroup;
        if (how == QLatin1String("file")) {
            QVERIFY(QFile::setPermissions(path, readOnly));
            QVERIFY(QFile::setPermissions(folder, readOnlyDir | QFileDevice::WriteOwner));
        } else {
            // The file may be written, but its -wal and -shm files cannot be created.
            if (root)
                QVERIFY(::chown(path.toLocal8Bit().constData(), Nobody, Nobody) == 0);
            QFile::remove(path + QStringLiteral("-wal"));
            QFile::remove(path + QStringLiteral("-shm"));
            QVERIFY(QFile::setPermissions(folder, readOnlyDir));
        }
        if (root) {
            m_app->setChildSetup([] {
                ::setgroups(0, nullptr);
                if (::setgid(Nobody) != 0 || ::setuid(Nobody) != 0)
                    ::_exit(99);
            });
        }
    }
    const CliResult r = m_app->runToExit(
        {QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--db"), path});
    qInfo("%s", r.err.trimmed().constData());
    expectOneLineRefusal(r, path);
    QFile::setPermissions(folder,
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
}

void TstStorageFaults::corruptDatabaseRefusedAtStart_data()
{
    QTest::addColumn<QString>("damage");
    QTest::newRow("garbage over the whole file") << QStringLiteral("all");
    QTest::newRow("garbage over the header") << QStringLiteral("header");
    QTest::newRow("not a database at all") << QStringLiteral("text");
}

void TstStorageFaults::corruptDatabaseRefusedAtStart()
{
    QFETCH(QString, damage);
    QVERIFY(createDatabase(db()));
    QFile::remove(db() + QStringLiteral("-wal"));
    QFile::remove(db() + QStringLiteral("-shm"));
    QFile f(db());
    QVERIFY(f.open(QIODevice::ReadWrite));
    const qint64 size = f.size();
    QVERIFY(size > 4096);
    QRandomGenerator rng(7);
    QByteArray garbage(damage == QLatin1String("header") ? 100 : size, Qt::Uninitialized);
    for (char &ch : garbage)
        ch = char(rng.bounded(256));
    if (damage == QLatin1String("text")) {
        f.resize(0);
        garbage = "this is a shopping list, not a database\n";
    }
    f.seek(0);
    QCOMPARE(f.write(garbage), qint64(garbage.size()));
    f.close();

    QElapsedTimer t;
    t.start();
    const CliResult r = m_app->runToExit(
        {QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--db"), db()});
    qInfo("%s (%lld ms)", r.err.trimmed().constData(), t.elapsed());
    expectOneLineRefusal(r, db());
    // The administration commands refuse it the same way.
    const CliResult verify = m_app->cli(
        {QStringLiteral("events"), QStringLiteral("verify"), QStringLiteral("--db"), db()});
    QVERIFY(verify.exitCode != 0);
    QCOMPARE(verify.err.trimmed().split('\n').size(), 1);
}

QTEST_GUILESS_MAIN(TstStorageFaults)
#include "tst_storagefaults.moc"
