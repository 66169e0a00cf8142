// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: the HTTP/1.1 response parser that reads what the Telnyx API (or anything
// posing as it) sends back. The first byte sets the size of the pieces the rest arrives in; the
// same bytes whole must give the same outcome, and no body may pass the limit.
#include "http/httpresponseparser.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const qsizetype piece = data[0] % 16 + 1;
    const QByteArray input(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    constexpr qsizetype maxHeader = 4096;
    constexpr qsizetype maxBody = 16384;

    kt::HttpResponseParser pieces;
    pieces.setLimits(maxHeader, maxBody);
    for (qsizetype i = 0; i < input.size(); i += piece)
        pieces.feed(QByteArrayView(input).sliced(i, qMin(piece, input.size() - i)));
    kt::HttpResponseParser whole;
    whole.setLimits(maxHeader, maxBody);
    whole.feed(input);
    if (data[0] & 0x80) { // the connection closes after these bytes
        pieces.finish();
        whole.finish();
    }
    if (pieces.state() != whole.state() || pieces.keepAlive() != whole.keepAlive())
        __builtin_trap();
    if (pieces.state() == kt::HttpResponseParser::State::Complete) {
        const kt::HttpResponse a = pieces.takeResponse();
        const kt::HttpResponse b = whole.takeResponse();
        if (a.status != b.status || a.body != b.body || a.headers != b.headers ||
            a.body.size() > maxBody || a.status < 200 || a.status > 599)
            __builtin_trap();
        a.header("content-length");
    }
    return 0;
}
