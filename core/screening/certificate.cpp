// SPDX-License-Identifier: GPL-3.0-or-later
#include "certificate.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstring>
#include <ctime>
#include <memory>
#include <utility>

namespace kt {
namespace {
using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;

// Certificates are never encrypted; a callback that refuses keeps OpenSSL from prompting on a
// terminal if a PEM block asks for a pass phrase.
int noPassphrase(char *, int, int, void *)
{
    return -1;
}

Bio memoryReader(const QByteArray &data)
{
    return {BIO_new_mem_buf(data.constData(), int(data.size())), BIO_free};
}

QByteArray drain(BIO *bio)
{
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return size > 0 ? QByteArray(data, int(size)) : QByteArray();
}

// The reason of the most recent OpenSSL error (and clears the queue).
QString opensslError()
{
    const unsigned long code = ERR_peek_last_error();
    ERR_clear_error();
    if (code == 0)
        return QStringLiteral("unknown error");
    if (const char *reason = ERR_reason_error_string(code))
        return QString::fromUtf8(reason);
    return QStringLiteral("OpenSSL error %1").arg(code, 0, 16);
}

bool lastErrorIsNoStartLine()
{
    const unsigned long code = ERR_peek_last_error();
    return ERR_GET_LIB(code) == ERR_LIB_PEM && ERR_GET_REASON(code) == PEM_R_NO_START_LINE;
}

QString nameToString(const X509_NAME *name)
{
    if (!name)
        return {};
    Bio bio(BIO_new(BIO_s_mem()), BIO_free);
    if (!bio ||
        X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB) < 0) {
        ERR_clear_error();
        return {};
    }
    return QString::fromUtf8(drain(bio.get()));
}

QDateTime toDateTime(const ASN1_TIME *time)
{
    struct tm tm;
    std::memset(&tm, 0, sizeof tm);
    if (!time || ASN1_TIME_to_tm(time, &tm) != 1) {
        ERR_clear_error();
        return {};
    }
    return QDateTime(QDate(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday),
                     QTime(tm.tm_hour, tm.tm_min, tm.tm_sec), Qt::UTC);
}

bool isLabel(QStringView label)
{
    if (label.isEmpty() || label.size() > 63 || label.startsWith(u'-') || label.endsWith(u'-'))
        return false;
    for (QChar c : label) {
        const char16_t u = c.unicode();
        if (!((u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '-'))
            return false;
    }
    return true;
}
} // namespace

Certificate::Certificate(X509 *adopted) : m_x509(adopted)
{
    if (m_x509) {
        // Fill OpenSSL's extension cache now, so later const reads never write to the X509.
        X509_check_purpose(m_x509, -1, 0);
        ERR_clear_error();
    }
}

Certificate::Certificate(const Certificate &other) : m_x509(other.m_x509)
{
    if (m_x509)
        X509_up_ref(m_x509);
}

Certificate::Certificate(Certificate &&other) noexcept
    : m_x509(std::exchange(other.m_x509, nullptr))
{}

Certificate &Certificate::operator=(const Certificate &other)
{
    if (this != &other) {
        Certificate copy(other);
        std::swap(m_x509, copy.m_x509);
    }
    return *this;
}

Certificate &Certificate::operator=(Certificate &&other) noexcept
{
    std::swap(m_x509, other.m_x509);
    return *this;
}

Certificate::~Certificate()
{
    X509_free(m_x509);
}

std::optional<Certificate> Certificate::fromPem(const QByteArray &pem, QString *error)
{
    auto fail = [error](const QString &message) -> std::optional<Certificate> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    if (pem.isEmpty())
        return fail(QStringLiteral("not a PEM certificate"));
    Bio bio = memoryReader(pem);
    if (!bio)
        return fail(opensslError());
    ERR_clear_error();
    Certificate first(PEM_read_bio_X509(bio.get(), nullptr, noPassphrase, nullptr));
    if (first.isNull()) {
        if (lastErrorIsNoStartLine()) {
            ERR_clear_error();
            return fail(QStringLiteral("not a PEM certificate"));
        }
        return fail(QStringLiteral("malformed certificate: %1").arg(opensslError()));
    }
    Certificate second(PEM_read_bio_X509(bio.get(), nullptr, noPassphrase, nullptr));
    const bool anotherBlock = !second.isNull() || !lastErrorIsNoStartLine();
    ERR_clear_error();
    if (anotherBlock)
        return fail(QStringLiteral("more than one certificate"));
    return first;
}

QList<Certificate> Certificate::allFromPem(const QByteArray &pem, QString *error)
{
    QList<Certificate> certificates;
    Bio bio = pem.isEmpty() ? Bio(nullptr, BIO_free) : memoryReader(pem);
    ERR_clear_error();
    while (bio) {
        Certificate next(PEM_read_bio_X509(bio.get(), nullptr, noPassphrase, nullptr));
        if (next.isNull()) {
            if (!lastErrorIsNoStartLine()) {
                if (error)
                    *error = QStringLiteral("malformed certificate: %1").arg(opensslError());
                return {};
            }
            ERR_clear_error();
            break;
        }
        certificates.append(std::move(next));
    }
    if (certificates.isEmpty() && error)
        *error = QStringLiteral("not a PEM certificate");
    return certificates;
}

std::optional<Certificate> Certificate::fromDer(const QByteArray &der, QString *error)
{
    const auto *begin = reinterpret_cast<const unsigned char *>(der.constData());
    const unsigned char *p = begin;
    ERR_clear_error();
    Certificate certificate(der.isEmpty() ? nullptr : d2i_X509(nullptr, &p, long(der.size())));
    QString message;
    if (certificate.isNull())
        message = QStringLiteral("malformed certificate: %1").arg(opensslError());
    else if (p != begin + der.size())
        message = QStringLiteral("malformed certificate: trailing data after the certificate");
    if (message.isEmpty())
        return certificate;
    if (error)
        *error = message;
    return std::nullopt;
}

Certificate Certificate::fromX509(X509 *x509)
{
    if (x509)
        X509_up_ref(x509);
    return Certificate(x509);
}

QByteArray Certificate::toPem() const
{
    if (!m_x509)
        return {};
    Bio bio(BIO_new(BIO_s_mem()), BIO_free);
    if (!bio || PEM_write_bio_X509(bio.get(), m_x509) != 1) {
        ERR_clear_error();
        return {};
    }
    return drain(bio.get());
}

QByteArray Certificate::der() const
{
    if (!m_x509)
        return {};
    const int size = i2d_X509(m_x509, nullptr);
    if (size <= 0) {
        ERR_clear_error();
        return {};
    }
    QByteArray out(size, Qt::Uninitialized);
    auto *p = reinterpret_cast<unsigned char *>(out.data());
    if (i2d_X509(m_x509, &p) != size) {
        ERR_clear_error();
        return {};
    }
    return out;
}

QString Certificate::fingerprint() const
{
    if (!m_x509)
        return {};
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (X509_digest(m_x509, EVP_sha256(), md, &size) != 1) {
        ERR_clear_error();
        return {};
    }
    return QString::fromLatin1(QByteArray(reinterpret_cast<const char *>(md), int(size)).toHex());
}

QStringList Certificate::dnsNames() const
{
    QStringList names;
    if (!m_x509)
        return names;
    int critical = 0;
    auto *general = static_cast<GENERAL_NAMES *>(
        X509_get_ext_d2i(m_x509, NID_subject_alt_name, &critical, nullptr));
    ERR_clear_error();
    if (!general)
        return names;
    for (int i = 0; i < sk_GENERAL_NAME_num(general); ++i) {
        const GENERAL_NAME *name = sk_GENERAL_NAME_value(general, i);
        if (name->type != GEN_DNS || !name->d.dNSName)
            continue;
        const auto *data = reinterpret_cast<const char *>(ASN1_STRING_get0_data(name->d.dNSName));
        const int size = ASN1_STRING_length(name->d.dNSName);
        if (!data || size <= 0 || std::memchr(data, 0, size_t(size)))
            continue; // an embedded NUL is an attack, not a name
        names.append(QString::fromLatin1(data, size).toLower());
    }
    GENERAL_NAMES_free(general);
    return names;
}

QStringList Certificate::namespaces() const
{
    QStringList result;
    const QStringList names = dnsNames();
    for (const QString &name : names) {
        if (isNamespace(name) && !result.contains(name))
            result.append(name);
    }
    return result;
}

QString Certificate::subject() const
{
    return m_x509 ? nameToString(X509_get_subject_name(m_x509)) : QString();
}

QString Certificate::issuer() const
{
    return m_x509 ? nameToString(X509_get_issuer_name(m_x509)) : QString();
}

QString Certificate::commonName() const
{
    if (!m_x509)
        return {};
    const X509_NAME *name = X509_get_subject_name(m_x509);
    const int index = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    if (index < 0)
        return {};
    const ASN1_STRING *data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
    unsigned char *utf8 = nullptr;
    const int size = ASN1_STRING_to_UTF8(&utf8, data);
    if (size < 0) {
        ERR_clear_error();
        return {};
    }
    const QString result = QString::fromUtf8(reinterpret_cast<const char *>(utf8), size);
    OPENSSL_free(utf8);
    return result;
}

QString Certificate::serialNumber() const
{
    if (!m_x509)
        return {};
    BIGNUM *number = ASN1_INTEGER_to_BN(X509_get0_serialNumber(m_x509), nullptr);
    char *hex = number ? BN_bn2hex(number) : nullptr;
    QString result = hex ? QString::fromLatin1(hex).toLower() : QString();
    OPENSSL_free(hex);
    BN_free(number);
    ERR_clear_error();
    return result;
}

QString Certificate::issuerSerial() const
{
    if (!m_x509)
        return {};
    const X509_NAME *issuer = X509_get_issuer_name(m_x509);
    const unsigned char *der = nullptr;
    size_t length = 0;
    const QString serial = serialNumber();
    if (!issuer || X509_NAME_get0_der(issuer, &der, &length) != 1 || serial.isEmpty()) {
        ERR_clear_error();
        return {};
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digestLength = 0;
    if (EVP_Digest(der, length, digest, &digestLength, EVP_sha256(), nullptr) != 1) {
        ERR_clear_error();
        return {};
    }
    return QString::fromLatin1(
               QByteArray(reinterpret_cast<const char *>(digest), int(digestLength)).toHex()) +
           QLatin1Char(':') + serial;
}

QDateTime Certificate::notBefore() const
{
    return m_x509 ? toDateTime(X509_get0_notBefore(m_x509)) : QDateTime();
}

QDateTime Certificate::notAfter() const
{
    return m_x509 ? toDateTime(X509_get0_notAfter(m_x509)) : QDateTime();
}

bool Certificate::isCa() const
{
    return m_x509 && (X509_get_extension_flags(m_x509) & EXFLAG_CA);
}

bool Certificate::isSelfSigned() const
{
    if (!m_x509)
        return false;
    const bool result = X509_self_signed(m_x509, 1) == 1;
    ERR_clear_error();
    return result;
}

bool Certificate::operator==(const Certificate &other) const
{
    if (!m_x509 || !other.m_x509)
        return m_x509 == other.m_x509;
    return m_x509 == other.m_x509 || X509_cmp(m_x509, other.m_x509) == 0;
}

QString Certificate::normalizeFingerprint(const QString &fingerprint)
{
    QString result;
    result.reserve(64);
    for (QChar c : fingerprint) {
        if (c == u':' || c.isSpace())
            continue;
        const char16_t u = c.toLower().unicode();
        if (!((u >= '0' && u <= '9') || (u >= 'a' && u <= 'f')))
            return {};
        result.append(QChar(u));
    }
    return result.size() == 64 ? result : QString();
}

bool Certificate::isNamespace(const QString &name)
{
    const QString lower = name.toLower();
    if (lower.size() > 253 || !lower.endsWith(QLatin1String(".x")))
        return false;
    const QStringList labels = lower.split(u'.');
    if (labels.size() < 2)
        return false;
    for (const QString &label : labels) {
        if (!isLabel(label))
            return false;
    }
    return true;
}

} // namespace kt
