// SPDX-License-Identifier: GPL-3.0-or-later
// The Registry page's certificate import (CertificateImport) against the dashboard's real
// certificate list and a real engine in its thread: a typed path is checked after a pause, a
// chosen file at once; only a file that can be added is sent; the engine's answer closes the
// import (the certificate then listed) or is shown, and nothing is sent twice.
#include "certificateimport.h"
#include "dashboardfixture.h"
#include "screening/certificateauthority.h"

#include <QFile>
#include <QSignalSpy>
#include <QtTest>

using namespace kt;
using kt::test::DashboardFixture;

class TstCertificateImport : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void closedUntilStarted();
    void typedPathIsCheckedAfterAPause();
    void unreadableAndRefusedFilesAreNotSent();
    void rootThenItsCertificateAreAdded();
    void engineRefusalIsShown();
    void withoutControllerNothingIsSent();

private:
    QString write(const QString &name, const QByteArray &pem)
    {
        QFile f(m_fixture->tempPath(name));
        return f.open(QIODevice::WriteOnly) && f.write(pem) == pem.size() ? f.fileName()
                                                                          : QString();
    }
    void attach(CertificateImport &import)
    {
        import.setCertificates(&m_fixture->dashboard().certificates());
        import.setController(&m_fixture->dashboard().controller());
    }
    bool listed(const QString &fingerprint)
    {
        CertificateListModel &list = m_fixture->dashboard().certificates();
        list.refresh();
        for (int i = 0; i < list.count(); ++i) {
            if (list.value(i, QStringLiteral("fingerprint")).toString() == fingerprint)
                return true;
        }
        return false;
    }

    std::unique_ptr<DashboardFixture> m_fixture;
    std::optional<CertificateAuthority> m_ca;
    std::optional<Certificate> m_dave;
    QString m_caFile;
    QString m_daveFile;
};

void TstCertificateImport::initTestCase()
{
    m_fixture = std::make_unique<DashboardFixture>();
    m_fixture->setAudioPlayback(false);
    QString error;
    QVERIFY2(m_fixture->setUp(true, &error, 1), qPrintable(error));
    const QDateTime now = QDateTime::currentDateTimeUtc();
    m_ca = CertificateAuthority::createRoot(QStringLiteral("Dave's CA"), now.addDays(-1),
                                            now.addYears(2));
    m_dave = m_ca->issue(QStringLiteral("dave.x"), now.addDays(-1), now.addDays(90));
    m_caFile = write(QStringLiteral("dave-ca.pem"), m_ca->certificate().toPem());
    m_daveFile = write(QStringLiteral("dave.pem"), m_dave->toPem());
    QVERIFY(!m_caFile.isEmpty() && !m_daveFile.isEmpty());
}

void TstCertificateImport::closedUntilStarted()
{
    CertificateImport import;
    attach(import);
    QCOMPARE(import.status(), CertificateImport::Closed);
    QVERIFY(!import.isOpen());
    QCOMPARE(import.message(), QString());
    // A path or a choice while closed checks nothing.
    import.setPath(m_caFile);
    import.choose(m_caFile);
    QCOMPARE(import.status(), CertificateImport::Closed);
    QVERIFY(!import.confirm());

    import.start(CertificateImport::Root);
    QVERIFY(import.isOpen());
    QCOMPARE(import.kind(), CertificateImport::Root);
    QCOMPARE(import.status(), CertificateImport::Waiting);
    QCOMPARE(import.path(), QString()); // a new import starts with no file
    QVERIFY(!import.message().isEmpty());
    QVERIFY(!import.canConfirm());
    import.cancel();
    QCOMPARE(import.status(), CertificateImport::Closed);
    QCOMPARE(import.kind(), CertificateImport::None);
}

void TstCertificateImport::typedPathIsCheckedAfterAPause()
{
    CertificateImport import;
    attach(import);
    import.start(CertificateImport::Root);
    QSignalSpy changed(&import, &CertificateImport::changed);
    // Every key restarts the pause: nothing is read while the path is being typed.
    for (int i = 1; i <= m_caFile.size(); ++i)
        import.setPath(m_caFile.left(i));
    QCOMPARE(import.status(), CertificateImport::Waiting);
    QCOMPARE(changed.count(), 0);
    QTRY_COMPARE(import.status(), CertificateImport::Acceptable);
    QCOMPARE(changed.count(), 1);
    QVERIFY(import.isChecked());
    QVERIFY(import.canConfirm());
    QCOMPARE(import.fingerprint(), m_ca->certificate().fingerprint());
    QVERIFY(import.message().contains(QStringLiteral("self-signed")));

    // Emptied again: back to waiting, nothing to send.
    import.setPath(QStringLiteral("   "));
    import.inspect();
    QCOMPARE(import.status(), CertificateImport::Waiting);
    QVERIFY(!import.canConfirm());
}

void TstCertificateImport::unreadableAndRefusedFilesAreNotSent()
{
    CertificateImport import;
    attach(import);
    QSignalSpy finished(&m_fixture->dashboard().controller(), &EngineController::actionFinished);

    import.start(CertificateImport::Namespace);
    import.choose(m_fixture->tempPath(QStringLiteral("missing.pem")));
    QCOMPARE(import.status(), CertificateImport::Unreadable);
    QVERIFY(!import.isChecked());
    QVERIFY2(import.message().contains(QStringLiteral("no file")), qPrintable(import.message()));
    QVERIFY(!import.confirm());

    // Not a certificate: hostile bytes named .pem.
    import.choose(write(QStringLiteral("junk.pem"),
                        QByteArrayLiteral("-----BEGIN CERTIFICATE-----\n\x1b[2J<b>\n")));
    QCOMPARE(import.status(), CertificateImport::Unreadable);
    QVERIFY(!import.confirm());

    // Dave's certificate before its root is trusted: checked, refused, not sent.
    import.choose(QUrl::fromLocalFile(m_daveFile).toString());
    QCOMPARE(import.status(), CertificateImport::Refused);
    QVERIFY(import.isChecked());
    QCOMPARE(import.nameSpace(), QStringLiteral("dave.x"));
    QVERIFY2(import.message().contains(QStringLiteral("trust its root first")),
             qPrintable(import.message()));
    QVERIFY(!import.canConfirm());
    QVERIFY(!import.confirm());
    QTest::qWait(50);
    QCOMPARE(finished.count(), 0);
}

void TstCertificateImport::rootThenItsCertificateAreAdded()
{
    CertificateImport import;
    attach(import);
    QSignalSpy imported(&import, &CertificateImport::imported);

    import.start(CertificateImport::Root);
    import.choose(m_caFile);
    QCOMPARE(import.status(), CertificateImport::Acceptable);
    QVERIFY(import.confirm());
    QCOMPARE(import.status(), CertificateImport::Adding);
    QVERIFY(!import.canConfirm());
    QVERIFY(!import.confirm()); // one request at a time
    import.choose(m_daveFile);  // ignored while the engine works
    QCOMPARE(import.path(), m_caFile);
    QVERIFY(imported.wait(10000));
    QCOMPARE(imported.at(0).at(0).toString(), m_ca->certificate().fingerprint());
    QCOMPARE(import.status(), CertificateImport::Closed);
    QVERIFY(listed(m_ca->certificate().fingerprint()));

    // The same root again: already trusted, nothing to send.
    import.start(CertificateImport::Root);
    import.choose(m_caFile);
    QCOMPARE(import.status(), CertificateImport::Refused);

    // Now Dave's certificate can be added.
    import.start(CertificateImport::Namespace);
    import.choose(m_daveFile);
    QCOMPARE(import.status(), CertificateImport::Acceptable);
    QVERIFY(import.confirm());
    QVERIFY(imported.wait(10000));
    QCOMPARE(imported.at(1).at(0).toString(), m_dave->fingerprint());
    QVERIFY(listed(m_dave->fingerprint()));
}

void TstCertificateImport::engineRefusalIsShown()
{
    // A root checked, then gone before it is sent: the engine's answer is shown and the import
    // stays open, with nothing more to send until the file is checked again.
    const CertificateAuthority other = CertificateAuthority::createRoot(
        QStringLiteral("Erin's CA"), QDateTime::currentDateTimeUtc().addDays(-1),
        QDateTime::currentDateTimeUtc().addYears(1));
    const QString file = write(QStringLiteral("erin-ca.pem"), other.certificate().toPem());
    CertificateImport import;
    attach(import);
    QSignalSpy imported(&import, &CertificateImport::imported);
    QSignalSpy finished(&m_fixture->dashboard().controller(), &EngineController::actionFinished);
    import.start(CertificateImport::Root);
    import.choose(file);
    QCOMPARE(import.status(), CertificateImport::Acceptable);
    QVERIFY(QFile::remove(file));
    QVERIFY(import.confirm());
    QVERIFY(finished.wait(10000));
    QCOMPARE(finished.at(0).at(2).toBool(), false);
    QCOMPARE(import.status(), CertificateImport::Refused);
    QVERIFY(import.isOpen());
    QCOMPARE(import.message(), finished.at(0).at(3).toString());
    QVERIFY(!import.message().isEmpty());
    QVERIFY(!import.canConfirm());
    QCOMPARE(imported.count(), 0);
    QVERIFY(!listed(other.certificate().fingerprint()));
}

void TstCertificateImport::withoutControllerNothingIsSent()
{
    CertificateImport import;
    import.setCertificates(&m_fixture->dashboard().certificates());
    const CertificateAuthority other = CertificateAuthority::createRoot(
        QStringLiteral("Frank's CA"), QDateTime::currentDateTimeUtc().addDays(-1),
        QDateTime::currentDateTimeUtc().addYears(1));
    import.start(CertificateImport::Root);
    import.choose(write(QStringLiteral("frank-ca.pem"), other.certificate().toPem()));
    QCOMPARE(import.status(), CertificateImport::Acceptable);
    QVERIFY(!import.canConfirm());
    QVERIFY(!import.confirm());

    // And without the list, nothing can be checked.
    CertificateImport alone;
    alone.start(CertificateImport::Root);
    alone.choose(m_caFile);
    QCOMPARE(alone.status(), CertificateImport::Unreadable);
    QVERIFY(!alone.message().isEmpty());
}

QTEST_MAIN(TstCertificateImport)
#include "tst_certificateimport.moc"
