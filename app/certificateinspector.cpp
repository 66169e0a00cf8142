// SPDX-License-Identifier: GPL-3.0-or-later
#include "certificateinspector.h"

#include "models/displaytext.h"
#include "screening/certificate.h"
#include "screening/truststore.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QUrl>

namespace kt {
namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("CertificateInspector", text);
}

QString localTime(const QDateTime &t)
{
    return t.isValid() ? t.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")) : QString();
}
} // namespace

QByteArray CertificateInspector::readFile(const QString &pathOrUrl, QString *error)
{
    QString path = pathOrUrl.trimmed();
    if (path.startsWith(QLatin1String("file:")))
        path = QUrl(path).toLocalFile();
    if (path.isEmpty()) {
        *error = tr("Choose a certificate file (PEM)");
        return {};
    }
    const QFileInfo info(path);
    if (!info.exists()) {
        *error = tr("There is no file %1").arg(path);
        return {};
    }
    if (!info.isFile()) {
        *error = tr("%1 is not a file").arg(path);
        return {};
    }
    if (info.size() > MaxFileSize) {
        *error = tr("%1 is too large for a certificate").arg(info.fileName());
        return {};
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = tr("Cannot read %1: %2").arg(path, file.errorString());
        return {};
    }
    const QByteArray bytes = file.read(MaxFileSize + 1);
    if (bytes.isEmpty()) {
        *error = tr("%1 is empty").arg(info.fileName());
        return {};
    }
    return bytes;
}

QVariantMap CertificateInspector::inspect(const QByteArray &pem, bool asRoot,
                                          const TrustStore &trust, const QSet<QString> &stored,
                                          const QDateTime &now)
{
    QVariantMap r{
        {QStringLiteral("ok"), false},
        {QStringLiteral("canAdd"), false},
        {QStringLiteral("kind"), asRoot ? QStringLiteral("root") : QStringLiteral("namespace")}};
    QString error;
    const auto parsed = Certificate::fromPem(pem, &error);
    if (!parsed) {
        r.insert(QStringLiteral("message"), tr("Not a certificate: %1").arg(error));
        return r;
    }
    const Certificate &cert = *parsed;
    const QString fingerprint = cert.fingerprint();
    const bool expired = cert.notAfter().isValid() && !(now < cert.notAfter());
    const bool alreadyStored = stored.contains(fingerprint);
    r.insert(QStringLiteral("ok"), true);
    r.insert(QStringLiteral("nameSpace"), cert.namespaces().join(QStringLiteral(", ")));
    r.insert(QStringLiteral("subject"), DisplayText::plain(cert.subject(), 200));
    r.insert(QStringLiteral("issuer"), DisplayText::plain(cert.issuer(), 200));
    r.insert(QStringLiteral("fingerprint"), fingerprint);
    r.insert(QStringLiteral("fingerprintShort"), fingerprint.left(16));
    r.insert(QStringLiteral("notAfterText"), localTime(cert.notAfter()));
    r.insert(QStringLiteral("expired"), expired);
    r.insert(QStringLiteral("alreadyStored"), alreadyStored);

    QString code;
    QString reason;
    bool canAdd = false;
    if (asRoot) {
        TrustStore probe = trust;
        QString why;
        if (!probe.addRoot(cert, &why)) {
            code = QStringLiteral("not_ca");
            reason = tr("Not a CA certificate, so it cannot be a root: %1").arg(why);
        } else if (trust.isRevoked(fingerprint)) {
            code = QStringLiteral("revoked");
            reason = tr("This certificate was revoked");
        } else if (expired) {
            code = QStringLiteral("expired");
            reason = tr("This root expired on %1").arg(localTime(cert.notAfter()));
        } else if (trust.isTrustedRoot(fingerprint)) {
            code = QStringLiteral("already_trusted");
            reason = tr("This root is already trusted");
        } else {
            code = QStringLiteral("ok");
            canAdd = true;
            reason =
                cert.isSelfSigned()
                    ? tr("A self-signed root CA: namespace certificates it signed become valid")
                    : tr("An intermediate CA issued by %1: trusted as an anchor")
                          .arg(DisplayText::plain(cert.issuer(), 80));
        }
    } else if (cert.isCa()) {
        code = QStringLiteral("is_ca");
        reason = tr("This is a CA certificate: use “Trust root…” for it");
    } else if (cert.namespaces().isEmpty()) {
        code = QStringLiteral("wrong_namespace");
        reason = tr("It names no .x namespace (a DNS subject alternative name such as alice.x)");
    } else {
        const CertStatus status =
            trust.verify(cert, {}, cert.namespaces().constFirst(), QString(), now);
        code = status.codeString();
        reason = status.reason;
        if (status.isValid()) {
            canAdd = !alreadyStored;
            reason = alreadyStored ? tr("This certificate is already added")
                                   : tr("Valid now: it chains to a trusted root");
        } else if (status.code == CertStatus::Code::Untrusted) {
            reason = tr("It does not chain to a trusted root: trust its root first (%1)")
                         .arg(status.reason);
        }
    }
    r.insert(QStringLiteral("statusCode"), code);
    r.insert(QStringLiteral("statusReason"), DisplayText::plain(reason, 300));
    r.insert(QStringLiteral("canAdd"), canAdd);
    r.insert(QStringLiteral("message"), DisplayText::plain(reason, 300));
    return r;
}

} // namespace kt
