// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "httpmessage.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace kt {

// Reads one HTTP/1.1 response from a byte stream (RFC 9112): the status line, the headers, then a
// body framed by Content-Length, by the chunked transfer coding, or by the end of the connection.
// Interim 1xx responses are skipped. Bytes can come in pieces of any size. Input is untrusted:
// every size is bounded and anything malformed fails the parse with a reason.
class HttpResponseParser
{
public:
    static constexpr qsizetype DefaultMaxHeaderBytes = 64 * 1024;
    static constexpr qsizetype DefaultMaxBodyBytes = 32 * 1024 * 1024;

    enum class State { Incomplete, Complete, Failed };

    HttpResponseParser();

    // Starts over for the next response on the same connection; `noBody`: the request was HEAD.
    void reset(bool noBody = false);
    void setLimits(qsizetype maxHeaderBytes, qsizetype maxBodyBytes);

    // Consumes bytes of the response. Once Complete, further bytes are kept as surplus (a
    // response should not be followed by anything the client did not ask for).
    State feed(QByteArrayView bytes);
    // The connection was closed: completes a body that runs to the end of the connection;
    // anything else still incomplete fails.
    State finish();

    State state() const { return m_state; }
    QString error() const { return m_error; }
    // Some bytes of the response were read.
    bool started() const { return m_started; }
    // The connection may carry the next request: HTTP/1.1 without "Connection: close" (or 1.0
    // with "keep-alive"), a body not framed by the end of the connection, and no surplus.
    bool keepAlive() const;
    // The response, once Complete (moved out).
    HttpResponse takeResponse();

private:
    enum class Phase {
        StatusLine,
        Headers,
        Body,
        ChunkSize,
        ChunkData,
        ChunkDataEnd,
        Trailers,
        UntilClose,
        Done
    };

    State parse();
    State fail(const QString &why);
    // The next line (CR LF or LF removed) of at most `maxBytes`; false: none whole yet, or too
    // long (then the parse has failed).
    bool takeLine(QByteArray *line, qsizetype maxBytes, bool countsAsHeader);
    bool parseStatusLine(const QByteArray &line);
    bool parseHeader(const QByteArray &line);
    void headersDone(); // decides how the body is framed
    void takeBody(qint64 upTo);
    void complete();

    qsizetype m_maxHeaderBytes = DefaultMaxHeaderBytes;
    qsizetype m_maxBodyBytes = DefaultMaxBodyBytes;
    bool m_noBody = false;

    State m_state = State::Incomplete;
    Phase m_phase = Phase::StatusLine;
    QString m_error;
    QByteArray m_buffer; // bytes received; those before m_pos are consumed
    qsizetype m_pos = 0;
    qsizetype m_headerBytes = 0;
    qint64 m_remaining = 0; // of the Content-Length body, or of the current chunk
    bool m_started = false;
    bool m_http10 = false;
    bool m_closeAfter = false;
    bool m_surplus = false;
    HttpResponse m_response;
};

} // namespace kt
