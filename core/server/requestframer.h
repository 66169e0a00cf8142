// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QPair>
#include <QString>

namespace kt {

// Finds where each HTTP/1.x request on a connection begins and ends, without buffering bodies,
// so that limits can be enforced before QHttpServer (which has none in 6.4) reads a request.
// It accepts a strict subset of what QHttpServer 6.4 parses, framed the same way: leading
// blank lines are skipped, the head ends at an empty line (CRLF or LF), the body is
// Content-Length bytes or a chunked body without trailers. Everything else is refused.
class RequestFramer
{
public:
    struct Limits
    {
        qint64 maxHeaderBytes = 16 * 1024; // request line + header fields
        int maxHeaderCount = 100;
        qint64 maxBodyBytes = 64 * 1024; // decoded body
    };

    enum class Event {
        None,                        // all input consumed, request incomplete (or nothing started)
        HeadersComplete,             // the head is complete and a body follows
        RequestComplete,             // a whole request (head and body) has been framed
        HeadersTooLarge,             // -> 431
        BodyTooLarge,                // -> 413
        Malformed,                   // -> 400
        UnsupportedTransferEncoding, // -> 501
    };
    enum class Phase { Idle, Headers, Body };

    struct Result
    {
        qsizetype consumed = 0;
        Event event = Event::None;
    };

    RequestFramer();
    explicit RequestFramer(Limits limits) : m_limits(limits) {}

    // Consumes input up to and including the byte that completes an event, and returns it.
    // After an error every further call consumes nothing and returns the same error.
    Result feed(QByteArrayView data);

    Phase phase() const;
    bool hasFailed() const { return m_state == State::Failed; }
    QString errorMessage() const { return m_error; }

    // The current request's head (valid from HeadersComplete/RequestComplete until the first
    // byte of the next request).
    QByteArray method() const { return m_method; }
    QByteArray target() const { return m_target; }
    QByteArray path() const;
    QList<QPair<QByteArray, QByteArray>> headers() const { return m_headers; }
    // All values of a header (case-insensitive name) joined with ", "; empty if absent.
    QByteArray header(QByteArrayView name) const;
    qint64 contentLength() const { return m_contentLength; } // -1 when absent
    bool isChunked() const { return m_chunked; }
    bool expectsContinue() const { return m_expectContinue; }
    // Bytes of a Content-Length body not received yet (0 for chunked or no body).
    qint64 bodyBytesRemaining() const { return m_state == State::Body ? m_remaining : 0; }

private:
    enum class State {
        Idle,
        Head,
        Body,
        ChunkSize,
        ChunkData,
        ChunkDataCr,
        ChunkDataLf,
        LastChunkCr,
        LastChunkLf,
        Failed
    };
    Result fail(qsizetype consumed, Event event, const QString &message);
    Event parseHead(QString *message);
    void resetRequest();

    Limits m_limits;
    State m_state = State::Idle;
    Event m_failure = Event::None;
    QString m_error;

    QByteArray m_head;
    qsizetype m_lineStart = 0;
    int m_lines = 0;
    QByteArray m_chunkLine;
    qint64 m_remaining = 0;
    qint64 m_decoded = 0;
    qint64 m_rawBody = 0;

    QByteArray m_method;
    QByteArray m_target;
    QList<QPair<QByteArray, QByteArray>> m_headers;
    qint64 m_contentLength = -1;
    bool m_chunked = false;
    bool m_expectContinue = false;
};

} // namespace kt
