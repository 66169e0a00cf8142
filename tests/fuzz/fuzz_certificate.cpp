// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: certificate parsing (PEM and DER) and verification of whatever parses.
#include "screening/certificate.h"
#include "screening/truststore.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray input(reinterpret_cast<const char *>(data), qsizetype(size));
    QString error;
    std::optional<kt::Certificate> cert = kt::Certificate::fromPem(input, &error);
    if (!cert)
        cert = kt::Certificate::fromDer(input, &error);
    (void)kt::Certificate::allFromPem(input, &error);
    if (!cert)
        return 0;
    if (cert->fingerprint().size() != 64)
        __builtin_trap();
    (void)cert->namespaces();
    (void)cert->subject();
    (void)cert->notAfter();
    kt::TrustStore store;
    store.addRoot(*cert, &error);
    (void)store.verify(*cert, {}, QStringLiteral("alice.x"), {}, {});
    return 0;
}
