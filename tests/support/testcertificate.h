// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QSslCertificate>
#include <QSslKey>

namespace kt {

// A self-signed certificate made fresh for a test run (EC P-256, a day long), naming
// 127.0.0.1, ::1 and localhost; a client trusts it by adding it as a CA certificate.
struct TestCertificate
{
    QSslCertificate certificate;
    QSslKey key;

    static TestCertificate generate();
};

} // namespace kt
