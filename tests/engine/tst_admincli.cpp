// SPDX-License-Identifier: GPL-3.0-or-later
// The screening administration commands (numbers, certs, registry, rules), run as the real
// kevan-tel binary on a temporary database.
#include "cliprocess.h"
#include "screening/certificateauthority.h"
#include "secretscan.h"
#include "simulator/telnyxsimulator.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

#ifdef Q_OS_UNIX
#include <sys/stat.h>
#endif

using namespace kt;

namespace {

using Run = kt::test::CliRun;

} // namespace

class TestAdminCli : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    CertificateAuthority m_root;
    QString m_rootPem, m_alicePem, m_expiredPem;
    QString m_aliceFingerprint;

    QString path(const QString &name) const { return m_dir->filePath(name); }

    bool writeFile(const QString &name, const QByteArray &bytes)
    {
        QFile f(path(name));
        return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
    }

    QProcessEnvironment environment(const QString &apiKey = QString()) const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("TELNYX_API_KEY"));
        env.remove(QStringLiteral("TELNYX_PUBLIC_KEY"));
        env.insert(QStringLiteral("HOME"), m_dir->path());
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), path(QStringLiteral("config")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), path(QStringLiteral("data")));
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        if (!apiKey.isEmpty())
            env.insert(QStringLiteral("TELNYX_API_KEY"), apiKey);
        return env;
    }

    // Runs kevan-tel with --db on the test database; the event loop keeps running meanwhile
    // (an in-process fake Telnyx can answer).
    Run run(QStringList args, const QString &apiKey = QString())
    {
        args << QStringLiteral("--db") << path(QStringLiteral("kevan-tel.db"));
        return kt::test::runCli(QStringLiteral(KEVANTEL_BINARY), args, environment(apiKey));
    }

    static QByteArray describe(const QStringList &args, const Run &r)
    {
        return (args.join(QLatin1Char(' ')) +
                QStringLiteral(" -> exit %1\nstdout: %2\nstderr: %3")
                    .arg(r.exitCode)
                    .arg(QString::fromUtf8(r.out), QString::fromUtf8(r.err)))
            .toUtf8();
    }

    // Runs and checks the exit code; returns the run.
    Run expect(int exitCode, const QStringList &args, const QString &apiKey = QString())
    {
        const Run r = run(args, apiKey);
        if (r.exitCode != exitCode)
            qWarning("%s", describe(args, r).constData());
        return r;
    }

    QJsonArray eventsOfType(const QString &type)
    {
        return run({QStringLiteral("events"), QStringLiteral("--json"), QStringLiteral("--type"),
                    type, QStringLiteral("--limit"), QStringLiteral("1000")})
            .json();
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(QStringLiteral(KEVANTEL_BINARY)), KEVANTEL_BINARY);
        const QDateTime now = QDateTime::currentDateTimeUtc();
        m_root = CertificateAuthority::createRoot(QStringLiteral("cli test root"), now.addDays(-10),
                                                  now.addYears(5));
        QVERIFY(!m_root.isNull());
        const Certificate alice =
            m_root.issue(QStringLiteral("alice.x"), now.addDays(-1), now.addDays(30));
        const Certificate expired =
            m_root.issue(QStringLiteral("carol.x"), now.addDays(-9), now.addDays(-2));
        QVERIFY(!alice.isNull() && !expired.isNull());
        m_rootPem = QString::fromLatin1(m_root.certificate().toPem());
        m_alicePem = QString::fromLatin1(alice.toPem());
        m_expiredPem = QString::fromLatin1(expired.toPem());
        m_aliceFingerprint = alice.fingerprint();
    }

    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        QVERIFY(writeFile(QStringLiteral("root.pem"), m_rootPem.toLatin1()));
        QVERIFY(writeFile(QStringLiteral("alice.pem"), m_alicePem.toLatin1()));
        QVERIFY(writeFile(QStringLiteral("expired.pem"), m_expiredPem.toLatin1()));
    }

    void certificatesAndRegistry()
    {
        // Nothing yet.
        Run r = expect(0, {"certs", "list", "--json"});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.json().size(), 0);

        // No certificate for alice.x: refused, one line on stderr.
        r = expect(1, {"registry", "add", "+1 770 230 0635", "alice.x"});
        QCOMPARE(r.exitCode, 1);
        QCOMPARE(r.errLines().size(), 1);
        QVERIFY2(r.err.contains("cannot register +17702300635: no valid certificate for alice.x"),
                 r.err.constData());

        // A certificate before its root is trusted: refused.
        r = expect(1, {"certs", "add", path("alice.pem")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("does not chain to a trusted root"), r.err.constData());
        // A leaf is not a root.
        r = expect(1, {"certs", "trust", path("alice.pem")});
        QCOMPARE(r.exitCode, 1);
        QCOMPARE(r.errLines().size(), 1);
        // A missing file.
        r = expect(1, {"certs", "trust", path("nope.pem")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("cannot read"), r.err.constData());

        QCOMPARE(expect(0, {"certs", "trust", path("root.pem")}).exitCode, 0);
        QCOMPARE(expect(0, {"certs", "add", path("alice.pem")}).exitCode, 0);
        r = expect(1, {"certs", "add", path("expired.pem")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("expired on"), r.err.constData());

        r = expect(0, {"certs", "list", "--json"});
        const QJsonArray certs = r.json();
        QCOMPARE(certs.size(), 2);
        QCOMPARE(certs.at(0)[QStringLiteral("kind")].toString(), QStringLiteral("root"));
        const QJsonObject cert = certs.at(1).toObject();
        QCOMPARE(cert[QStringLiteral("kind")].toString(), QStringLiteral("certificate"));
        QCOMPARE(cert[QStringLiteral("namespace")].toString(), QStringLiteral("alice.x"));
        QCOMPARE(cert[QStringLiteral("fingerprint")].toString(), m_aliceFingerprint);
        QCOMPARE(cert[QStringLiteral("status")].toString(), QStringLiteral("valid"));
        r = expect(0, {"certs", "list"});
        QVERIFY(r.out.contains(m_aliceFingerprint.toLatin1()));

        // Now registering works, from any written form.
        r = expect(0, {"registry", "add", "(770) 230-0635", "alice.x"});
        QCOMPARE(r.exitCode, 0);
        r = expect(0, {"registry", "list", "--json"});
        QCOMPARE(r.json().size(), 1);
        const QJsonObject reg = r.json().at(0).toObject();
        QCOMPARE(reg[QStringLiteral("phone")].toString(), QStringLiteral("+17702300635"));
        QCOMPARE(reg[QStringLiteral("namespace")].toString(), QStringLiteral("alice.x"));
        QCOMPARE(reg[QStringLiteral("certificate_fingerprint")].toString(), m_aliceFingerprint);
        QCOMPARE(reg[QStringLiteral("status")].toString(), QStringLiteral("valid"));

        // A bad phone number: exit 1 and one line.
        r = expect(1, {"registry", "add", "12", "alice.x"});
        QCOMPARE(r.exitCode, 1);
        QCOMPARE(r.errLines().size(), 1);
        QVERIFY(r.out.isEmpty());
        // Usage errors exit 2.
        QCOMPARE(expect(2, {"registry", "add", "+17702300635"}).exitCode, 2);
        QCOMPARE(expect(2, {"certs"}).exitCode, 2);

        // Revocation shows in the registry's status.
        QCOMPARE(
            expect(0, {"certs", "revoke", m_aliceFingerprint.toUpper(), "--note", "lost"}).exitCode,
            0);
        r = expect(0, {"registry", "list", "--json"});
        QCOMPARE(r.json().at(0)[QStringLiteral("status")].toString(), QStringLiteral("revoked"));
        QCOMPARE(expect(1, {"certs", "revoke", "xyz"}).exitCode, 1);

        QCOMPARE(expect(0, {"registry", "remove", "770-230-0635"}).exitCode, 0);
        QCOMPARE(expect(0, {"registry", "list", "--json"}).json().size(), 0);
        QCOMPARE(expect(1, {"registry", "remove", "770-230-0635"}).exitCode, 1);

        // Every change is an event, and the chain verifies.
        QCOMPARE(eventsOfType(QStringLiteral("tel.root_trusted")).size(), 1);
        QCOMPARE(eventsOfType(QStringLiteral("tel.certificate_added")).size(), 1);
        QCOMPARE(eventsOfType(QStringLiteral("tel.registry_added")).size(), 1);
        QCOMPARE(eventsOfType(QStringLiteral("tel.certificate_revoked")).size(), 1);
        QCOMPARE(eventsOfType(QStringLiteral("tel.registry_removed")).size(), 1);
        const QJsonArray added = eventsOfType(QStringLiteral("tel.registry_added"));
        QCOMPARE(added.at(0)[QStringLiteral("actor")].toString(), QStringLiteral("cli"));
        QCOMPARE(added.at(0)[QStringLiteral("payload")][QStringLiteral("phone")].toString(),
                 QStringLiteral("+17702300635"));
        // The five changes, after the built-in number map the first command put in.
        QCOMPARE(run({"events", "--json", "--limit", "1000"}).json().size(), 6);
        r = expect(0, {"events", "verify"});
        QCOMPARE(r.exitCode, 0);
    }

    // Runs kevan-tel with `input` on its stdin.
    Run runWithInput(QStringList args, const QByteArray &input)
    {
        args << QStringLiteral("--db") << path(QStringLiteral("kevan-tel.db"));
        QProcess p;
        p.setProcessEnvironment(environment());
        p.start(QStringLiteral(KEVANTEL_BINARY), args);
        Run r;
        if (!p.waitForStarted())
            return r;
        p.write(input);
        p.closeWriteChannel();
        if (!p.waitForFinished(60000))
            return r;
        r.exitCode = p.exitCode();
        r.out = p.readAllStandardOutput();
        r.err = p.readAllStandardError();
        return r;
    }

    void registryPins()
    {
        QCOMPARE(expect(0, {"certs", "trust", path(QStringLiteral("root.pem"))}).exitCode, 0);
        QCOMPARE(expect(0, {"certs", "add", path(QStringLiteral("alice.pem"))}).exitCode, 0);
        // A PIN of 3 digits is refused, without repeating it.
        Run r = expect(1, {"registry", "add", "+17702300635", "alice.x", "--pin", "864"});
        QCOMPARE(r.errLines().size(), 1);
        QVERIFY(!r.err.contains("864"));
        // The PIN on the command line.
        r = expect(0, {"registry", "add", "+17702300635", "alice.x", "--pin", "86420"});
        QVERIFY2(r.out.contains("with a PIN"), r.out.constData());
        r = expect(0, {"registry", "list", "--json"});
        QJsonObject reg = r.json().at(0).toObject();
        QCOMPARE(reg[QStringLiteral("pin")].toBool(), true);
        QVERIFY(reg[QStringLiteral("pin_locked_until")].isNull());
        QVERIFY(!test::showsSecret(r.out, QStringLiteral("86420")) && !r.out.contains("scrypt"));
        r = expect(0, {"registry", "list"});
        QVERIFY2(r.out.contains("PIN") && r.out.contains(" set "), r.out.constData());
        // On stdin, so that it never shows in ps.
        r = runWithInput({"registry", "pin", "+17702300635", "-"}, "13579\n");
        QVERIFY2(r.exitCode == 0, describe({"registry pin -"}, r).constData());
        QVERIFY(!test::showsSecret(r.out, QStringLiteral("13579")) &&
                !test::showsSecret(r.err, QStringLiteral("13579")));
        r = runWithInput({"registry", "pin", "(770) 230-0635", "--pin", "-"}, "24680\n");
        QVERIFY2(r.exitCode == 0, describe({"registry pin --pin -"}, r).constData());
        r = runWithInput({"registry", "pin", "+17702300635", "-"}, "\n");
        QCOMPARE(r.exitCode, 1);
        r = runWithInput({"registry", "pin", "+17702300635", "-"}, "12ab\n");
        QCOMPARE(r.exitCode, 1);
        QVERIFY(!r.err.contains("12ab"));
        // The PIN as a word.
        QCOMPARE(expect(0, {"registry", "pin", "+17702300635", "97531"}).exitCode, 0);
        QCOMPARE(expect(1, {"registry", "pin", "+14155550100", "97531"}).exitCode, 1);
        // Cleared.
        QCOMPARE(expect(0, {"registry", "pin", "+17702300635", "--clear"}).exitCode, 0);
        r = expect(0, {"registry", "list", "--json"});
        QCOMPARE(r.json().at(0).toObject()[QStringLiteral("pin")].toBool(), false);
        // Usage errors.
        QCOMPARE(expect(2, {"registry", "pin", "+17702300635"}).exitCode, 2);
        QCOMPARE(expect(2, {"registry", "pin", "+17702300635", "1234", "--clear"}).exitCode, 2);
        // The events say what happened, never the PIN or its hash.
        QCOMPARE(eventsOfType(QStringLiteral("tel.registry_pin_set")).size(), 3);
        QCOMPARE(eventsOfType(QStringLiteral("tel.registry_pin_cleared")).size(), 1);
        r = run({"events", "--json", "--limit", "1000"});
        for (const char *secret : {"86420", "13579", "24680", "97531", "scrypt"})
            QVERIFY2(!r.out.contains(secret), secret);
        QCOMPARE(expect(0, {"events", "verify"}).exitCode, 0);
        // The help names the commands.
        r = expect(0, {"--help"});
        QVERIFY(r.out.contains("registry pin PHONE"));
        QVERIFY(r.out.contains("caller-id-trust"));
    }

    void rules()
    {
        Run r = expect(0, {"rules", "add", "block", "+1 888 *", "--note", "toll free"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("#1"), r.out.constData());
        r = expect(0, {"rules", "add", "allow", "(770) 230-0635", "--once", "--until",
                       "2099-01-01T00:00:00Z"});
        QCOMPARE(r.exitCode, 0);
        r = expect(0, {"rules", "list", "--json"});
        QJsonArray rules = r.json();
        QCOMPARE(rules.size(), 2);
        QCOMPARE(rules.at(0)[QStringLiteral("kind")].toString(), QStringLiteral("block"));
        QCOMPARE(rules.at(0)[QStringLiteral("pattern")].toString(), QStringLiteral("+1888*"));
        QCOMPARE(rules.at(0)[QStringLiteral("note")].toString(), QStringLiteral("toll free"));
        QCOMPARE(rules.at(1)[QStringLiteral("pattern")].toString(), QStringLiteral("+17702300635"));
        QCOMPARE(rules.at(1)[QStringLiteral("single_use")].toBool(), true);
        QCOMPARE(rules.at(1)[QStringLiteral("state")].toString(), QStringLiteral("active"));
        QVERIFY(rules.at(1)[QStringLiteral("until")].toString().startsWith(
            QStringLiteral("2099-01-01T00:00:00")));

        QCOMPARE(expect(0, {"rules", "remove", "1"}).exitCode, 0);
        rules = expect(0, {"rules", "list", "--json"}).json();
        QCOMPARE(rules.size(), 1);
        QCOMPARE(rules.at(0)[QStringLiteral("id")].toInt(), 2);

        r = expect(1, {"rules", "remove", "1"});
        QCOMPARE(r.exitCode, 1);
        QCOMPARE(r.errLines().size(), 1);
        QCOMPARE(expect(2, {"rules", "remove", "abc"}).exitCode, 2);
        QCOMPARE(expect(2, {"rules", "add", "maybe", "+1888*"}).exitCode, 2);
        r = expect(1, {"rules", "add", "block", "hello"});
        QCOMPARE(r.exitCode, 1);
        QCOMPARE(r.errLines().size(), 1);
        r = expect(1, {"rules", "add", "block", "+1888*", "--until", "2001-01-01T00:00:00Z"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("not in the future"), r.err.constData());

        QCOMPARE(eventsOfType(QStringLiteral("tel.rule_added")).size(), 2);
        QCOMPARE(eventsOfType(QStringLiteral("tel.rule_removed")).size(), 1);
        QCOMPARE(expect(0, {"events", "verify"}).exitCode, 0);
    }

    // The built-in number map is there for the first command on a fresh database, recorded once.
    void freshDatabaseHasTheDefaultNumbers()
    {
        QCOMPARE(expect(0, {"certs", "list", "--json"}).exitCode, 0);
        Run r = expect(0, {"numbers", "list", "--json"});
        QCOMPARE(r.exitCode, 0);
        const QJsonArray numbers = r.json();
        QCOMPARE(numbers.size(), 26);
        QCOMPARE(numbers.at(0)[QStringLiteral("e164")].toString(), QStringLiteral("+17702300635"));
        r = expect(0, {"numbers", "list"});
        QVERIFY2(r.out.contains("(770) 230-0635"), r.out.constData());
        const QJsonArray imports = eventsOfType(QStringLiteral("tel.number_imported"));
        QCOMPARE(imports.size(), 1);
        QCOMPARE(imports.at(0)[QStringLiteral("actor")].toString(), QStringLiteral("cli"));
        QCOMPARE(expect(0, {"events", "verify"}).exitCode, 0);
    }

    // A URL the store does not take (a password in it, another scheme, a SQLite URI): one line
    // naming the scheme and the host (never a user or a password), a failing exit code, and
    // nothing created.
    void urlAsDatabaseIsRefused_data()
    {
        QTest::addColumn<QString>("db");
        QTest::addColumn<QString>("message");
        QTest::newRow("postgresql") << "postgresql://kevan:s3cret@db.example:5432/tel"
                                    << "--db postgresql://db.example...: a password does not "
                                       "belong in the URL; set PGPASSWORD or put it in ~/.pgpass";
        QTest::newRow("postgres") << "postgres://kevan:s3cret@db.example/tel"
                                  << "a password does not belong in the URL";
        QTest::newRow("mysql") << "mysql://kevan:s3cret@db.example/tel"
                               << "--db mysql://db.example...: mysql URLs are not supported";
        QTest::newRow("file uri") << "file:kevan.db?mode=rwc&s3cret=1"
                                  << "--db file:...: SQLite URIs are not accepted";
    }

    void urlAsDatabaseIsRefused()
    {
        QFETCH(QString, db);
        QFETCH(QString, message);
        QDir work(m_dir->path());
        for (const QStringList &command : {QStringList{"numbers", "list"},
                                           QStringList{"events", "verify"}, QStringList{"calls"}}) {
            QProcess p;
            p.setProcessEnvironment(environment());
            p.setWorkingDirectory(work.path());
            p.start(QStringLiteral(KEVANTEL_BINARY), command + QStringList{"--db", db});
            QVERIFY(p.waitForFinished(30000));
            const QByteArray err = p.readAllStandardError();
            QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() != 0, err.constData());
            QCOMPARE(err.trimmed().split('\n').size(), 1);
            QVERIFY2(err.contains(message.toUtf8()), err.constData());
            QVERIFY2(!err.contains("s3cret") && !err.contains("kevan:"), err.constData());
        }
        // The same from a config file.
        QVERIFY(writeFile(QStringLiteral("db.conf"), "[General]\ndb=" + db.toUtf8() + "\n"));
        QProcess p;
        p.setProcessEnvironment(environment());
        p.setWorkingDirectory(work.path());
        p.start(QStringLiteral(KEVANTEL_BINARY), {"numbers", "list", "--config", path("db.conf")});
        QVERIFY(p.waitForFinished(30000));
        const QByteArray err = p.readAllStandardError();
        QVERIFY2(p.exitCode() != 0 && err.contains(message.toUtf8()), err.constData());
        QVERIFY2(!err.contains("s3cret"), err.constData());
        // Nothing was made: no "postgresql:" folder, no database file.
        const QStringList made = work.entryList(QDir::AllEntries | QDir::NoDotAndDotDot);
        QCOMPARE(made, QStringList({"alice.pem", "db.conf", "expired.pem", "root.pem"}));
    }

#ifdef Q_OS_UNIX
    // The database a command creates, and the folders it makes for it, are the owner's only even
    // under a umask that lets everyone read.
    void newDatabaseIsPrivate()
    {
        const mode_t before = ::umask(022);
        const QString db = path(QStringLiteral("private/data/kevan-tel.db"));
        const Run r = kt::test::runCli(QStringLiteral(KEVANTEL_BINARY),
                                       {"numbers", "list", "--db", db}, environment());
        ::umask(before);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        auto mode = [](const QString &p) {
            struct stat st;
            return ::stat(QFile::encodeName(p).constData(), &st) == 0 ? int(st.st_mode & 0777) : -1;
        };
        QCOMPARE(mode(path(QStringLiteral("private"))), 0700);
        QCOMPARE(mode(path(QStringLiteral("private/data"))), 0700);
        QCOMPARE(mode(db), 0600);
    }
#endif

    void numbers()
    {
        const QString file =
            QStringLiteral(KEVANTEL_SOURCE_DIR "/resources/numbers/kevan.tel.x.json");
        Run r = expect(0, {"numbers", "import", file});
        QCOMPARE(r.exitCode, 0);
        r = expect(0, {"numbers", "list", "--json"});
        const QJsonArray numbers = r.json();
        QCOMPARE(numbers.size(), 26);
        const QJsonObject first = numbers.at(0).toObject();
        QCOMPARE(first[QStringLiteral("e164")].toString(), QStringLiteral("+17702300635"));
        QCOMPARE(first[QStringLiteral("written")].toString(), QStringLiteral("(770) 230-0635"));
        QCOMPARE(first[QStringLiteral("label")].toString(), QStringLiteral("primary"));
        QCOMPARE(first[QStringLiteral("namespace")].toString(), QStringLiteral("kevan.tel.x"));
        QCOMPARE(numbers.at(1)[QStringLiteral("label")].toString(), QStringLiteral("611-JEXT"));
        QCOMPARE(numbers.at(1)[QStringLiteral("label_check")].toString(),
                 QStringLiteral("does_not_spell"));
        r = expect(0, {"numbers", "list"});
        QVERIFY(r.out.contains("(888) 611-5384"));
        QVERIFY(r.out.contains("does_not_spell"));

        // Importing the same again changes nothing and records nothing.
        QCOMPARE(expect(0, {"numbers", "import", file}).exitCode, 0);
        QCOMPARE(eventsOfType(QStringLiteral("tel.number_imported")).size(), 1);

        QVERIFY(writeFile(QStringLiteral("bad.json"), R"({"numbers": [{"raw": "12"}]})"));
        r = expect(1, {"numbers", "import", path("bad.json")});
        QCOMPARE(r.exitCode, 1);
        QCOMPARE(r.errLines().size(), 1);

        // Sync needs an API key...
        r = expect(1, {"numbers", "sync"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("TELNYX_API_KEY"), r.err.constData());
        // ...and with one, it merges what the (fake, loopback) Telnyx account lists.
        TelnyxSimulator telnyx;
        QVERIFY(telnyx.start());
        QStringList listed = PhoneNumberFixture::defaultNumbers();
        listed << QStringLiteral("+14155550100");
        telnyx.setPhoneNumbers(listed);
        r = expect(0, {"numbers", "sync", "--telnyx-api", telnyx.baseUrl().toString(), "--json"},
                   QString::fromLatin1(TelnyxSimulator::DefaultApiKey));
        QCOMPARE(r.exitCode, 0);
        const QJsonObject sync = r.json().at(0).toObject();
        QCOMPARE(sync[QStringLiteral("added")].toInt(), 1);
        QCOMPARE(sync[QStringLiteral("updated")].toInt(), 26);
        QCOMPARE(expect(0, {"numbers", "list", "--json"}).json().size(), 27);
        QCOMPARE(eventsOfType(QStringLiteral("tel.numbers_synced")).size(), 1);
        // A wrong key: one clear line, nothing changes.
        r = expect(1, {"numbers", "sync", "--telnyx-api", telnyx.baseUrl().toString()},
                   QStringLiteral("KEYwrong_0123456789"));
        QCOMPARE(r.exitCode, 1);
        QCOMPARE(r.errLines().size(), 1);
        QVERIFY(!r.err.contains("KEYwrong"));
        QCOMPARE(eventsOfType(QStringLiteral("tel.numbers_synced")).size(), 1);

        QCOMPARE(expect(0, {"events", "verify"}).exitCode, 0);
    }
};

QTEST_GUILESS_MAIN(TestAdminCli)
#include "tst_admincli.moc"
