// SPDX-License-Identifier: GPL-3.0-or-later
#include "httpresponseparser.h"

#include "httpsyntax.h"

#include <algorithm>

namespace kt {

namespace {

constexpr qsizetype MaxChunkLineBytes = 4096; // the size and any chunk extensions

// A comma-separated header value holds `token` (case-insensitive).
bool listHas(const QByteArray &list, QByteArrayView token)
{
    const QList<QByteArray> parts = list.split(',');
    return std::any_of(parts.cbegin(), parts.cend(), [token](const QByteArray &part) {
        return part.trimmed().compare(token, Qt::CaseInsensitive) == 0;
    });
}

// Digits only: no sign, no spaces, no more than fit comfortably in 64 bits.
bool parseNumber(QByteArrayView text, int base, qint64 *out)
{
    if (text.isEmpty() || text.size() > (base == 16 ? 15 : 18))
        return false;
    qint64 value = 0;
    for (const char c : text) {
        int digit = -1;
        if (c >= '0' && c <= '9')
            digit = c - '0';
        else if (base == 16 && c >= 'a' && c <= 'f')
            digit = c - 'a' + 10;
        else if (base == 16 && c >= 'A' && c <= 'F')
            digit = c - 'A' + 10;
        if (digit < 0)
            return false;
        value = value * base + digit;
    }
    *out = value;
    return true;
}

} // namespace

HttpResponseParser::HttpResponseParser() = default;

void HttpResponseParser::reset(bool noBody)
{
    m_noBody = noBody;
    m_state = State::Incomplete;
    m_phase = Phase::StatusLine;
    m_error.clear();
    m_buffer.clear();
    m_pos = 0;
    m_headerBytes = 0;
    m_remaining = 0;
    m_started = false;
    m_http10 = false;
    m_closeAfter = false;
    m_surplus = false;
    m_response = {};
}

void HttpResponseParser::setLimits(qsizetype maxHeaderBytes, qsizetype maxBodyBytes)
{
    m_maxHeaderBytes = maxHeaderBytes;
    m_maxBodyBytes = maxBodyBytes;
}

HttpResponseParser::State HttpResponseParser::feed(QByteArrayView bytes)
{
    if (bytes.isEmpty() || m_state == State::Failed)
        return m_state;
    m_started = true;
    if (m_state == State::Complete) {
        m_surplus = true;
        return m_state;
    }
    m_buffer.append(bytes);
    parse();
    // Drop what was consumed; what is left is a partial line (bounded by the limits).
    m_buffer.remove(0, m_pos);
    m_pos = 0;
    if (m_state == State::Complete && !m_buffer.isEmpty())
        m_surplus = true;
    return m_state;
}

HttpResponseParser::State HttpResponseParser::finish()
{
    if (m_state != State::Incomplete)
        return m_state;
    if (m_phase == Phase::UntilClose) {
        complete();
        return m_state;
    }
    return fail(m_started ? QStringLiteral("the connection closed in the middle of the response")
                          : QStringLiteral("the connection closed without a response"));
}

bool HttpResponseParser::keepAlive() const
{
    return m_state == State::Complete && !m_closeAfter && !m_surplus;
}

HttpResponse HttpResponseParser::takeResponse()
{
    return std::move(m_response);
}

HttpResponseParser::State HttpResponseParser::parse()
{
    QByteArray line;
    while (m_state == State::Incomplete) {
        switch (m_phase) {
        case Phase::StatusLine:
            if (!takeLine(&line, m_maxHeaderBytes, true))
                return m_state;
            if (line.isEmpty() && m_headerBytes <= 2)
                continue; // tolerate a stray empty line before the status line
            if (!parseStatusLine(line))
                return m_state;
            m_phase = Phase::Headers;
            break;
        case Phase::Headers:
            if (!takeLine(&line, m_maxHeaderBytes, true))
                return m_state;
            if (line.isEmpty())
                headersDone();
            else if (!parseHeader(line))
                return m_state;
            break;
        case Phase::Body:
        case Phase::ChunkData:
            if (m_pos >= m_buffer.size())
                return m_state;
            takeBody(m_remaining);
            if (m_remaining == 0) {
                if (m_phase == Phase::Body)
                    complete();
                else
                    m_phase = Phase::ChunkDataEnd;
            }
            break;
        case Phase::ChunkDataEnd:
            if (!takeLine(&line, MaxChunkLineBytes, false))
                return m_state;
            if (!line.isEmpty())
                return fail(QStringLiteral("a chunk is longer than its size"));
            m_phase = Phase::ChunkSize;
            break;
        case Phase::ChunkSize: {
            if (!takeLine(&line, MaxChunkLineBytes, false))
                return m_state;
            const qsizetype semicolon = line.indexOf(';');
            qint64 size = 0;
            const QByteArray digits = (semicolon < 0 ? line : line.left(semicolon)).trimmed();
            if (!parseNumber(digits, 16, &size))
                return fail(QStringLiteral("invalid chunk size"));
            if (size > m_maxBodyBytes - m_response.body.size())
                return fail(QStringLiteral("the body exceeds %1 bytes").arg(m_maxBodyBytes));
            if (size == 0) {
                m_headerBytes = 0; // the trailers have a budget of their own
                m_phase = Phase::Trailers;
            } else {
                m_remaining = size;
                m_phase = Phase::ChunkData;
            }
            break;
        }
        case Phase::Trailers:
            if (!takeLine(&line, m_maxHeaderBytes, true))
                return m_state;
            if (line.isEmpty())
                complete(); // trailer fields are read and ignored
            break;
        case Phase::UntilClose: {
            const qint64 available = m_buffer.size() - m_pos;
            if (available == 0)
                return m_state;
            if (available > m_maxBodyBytes - m_response.body.size())
                return fail(QStringLiteral("the body exceeds %1 bytes").arg(m_maxBodyBytes));
            takeBody(available);
            break;
        }
        case Phase::Done:
            return m_state;
        }
    }
    return m_state;
}

HttpResponseParser::State HttpResponseParser::fail(const QString &why)
{
    m_state = State::Failed;
    m_phase = Phase::Done;
    m_error = why;
    return m_state;
}

bool HttpResponseParser::takeLine(QByteArray *line, qsizetype maxBytes, bool countsAsHeader)
{
    const qsizetype newline = m_buffer.indexOf('\n', m_pos);
    const qsizetype length = (newline < 0 ? m_buffer.size() : newline + 1) - m_pos;
    const qsizetype used = countsAsHeader ? m_headerBytes + length : length;
    if (used > maxBytes) {
        fail(countsAsHeader ? QStringLiteral("the headers exceed %1 bytes").arg(maxBytes)
                            : QStringLiteral("a chunk size line exceeds %1 bytes").arg(maxBytes));
        return false;
    }
    if (newline < 0)
        return false;
    if (countsAsHeader)
        m_headerBytes += length;
    qsizetype end = newline;
    if (end > m_pos && m_buffer.at(end - 1) == '\r')
        --end;
    *line = m_buffer.mid(m_pos, end - m_pos);
    m_pos = newline + 1;
    return true;
}

bool HttpResponseParser::parseStatusLine(const QByteArray &line)
{
    // HTTP/1.x SP 3DIGIT [SP reason]
    if (line.size() < 12 || !line.startsWith("HTTP/1.") || line.at(7) < '0' || line.at(7) > '9' ||
        line.at(8) != ' ') {
        fail(QStringLiteral("not an HTTP/1.x response"));
        return false;
    }
    qint64 status = 0;
    if (!parseNumber(QByteArrayView(line).sliced(9, 3), 10, &status) || status < 100 ||
        status > 599 || (line.size() > 12 && line.at(12) != ' ')) {
        fail(QStringLiteral("invalid status line"));
        return false;
    }
    m_http10 = line.at(7) == '0';
    m_response.status = int(status);
    m_response.reason = line.size() > 13 ? line.mid(13) : QByteArray();
    return true;
}

bool HttpResponseParser::parseHeader(const QByteArray &line)
{
    if (line.startsWith(' ') || line.startsWith('\t')) {
        fail(QStringLiteral("obsolete header line folding"));
        return false;
    }
    const qsizetype colon = line.indexOf(':');
    if (colon <= 0 || !isHttpToken(QByteArrayView(line).first(colon))) {
        fail(QStringLiteral("invalid header line"));
        return false;
    }
    m_response.headers.append({line.left(colon), line.mid(colon + 1).trimmed()});
    return true;
}

void HttpResponseParser::headersDone()
{
    const int status = m_response.status;
    if (status == 101) {
        fail(QStringLiteral("unexpected switch of protocols"));
        return;
    }
    if (status < 200) { // interim (100 Continue, 103 Early Hints): the final response follows
        m_response = {};
        m_headerBytes = 0;
        m_http10 = false;
        m_phase = Phase::StatusLine;
        return;
    }

    QByteArray connection;
    QByteArray transferEncoding;
    QList<QByteArray> lengths;
    for (const auto &[name, value] : m_response.headers) {
        if (name.compare("connection", Qt::CaseInsensitive) == 0)
            connection += ',' + value;
        else if (name.compare("transfer-encoding", Qt::CaseInsensitive) == 0)
            transferEncoding += ',' + value;
        else if (name.compare("content-length", Qt::CaseInsensitive) == 0)
            lengths += value.split(',');
    }
    m_closeAfter = listHas(connection, "close") || (m_http10 && !listHas(connection, "keep-alive"));

    if (m_noBody || status == 204 || status == 304) {
        complete();
        return;
    }
    if (!transferEncoding.isEmpty()) {
        // A Content-Length beside it does not count, and the connection is not to be trusted
        // with another request (RFC 9112 §6.3).
        if (!lengths.isEmpty())
            m_closeAfter = true;
        const QList<QByteArray> codings = transferEncoding.split(',');
        if (codings.last().trimmed().compare("chunked", Qt::CaseInsensitive) == 0) {
            m_phase = Phase::ChunkSize;
        } else {
            m_closeAfter = true;
            m_phase = Phase::UntilClose;
        }
        return;
    }
    if (lengths.isEmpty()) {
        m_closeAfter = true;
        m_phase = Phase::UntilClose;
        return;
    }
    qint64 length = -1;
    for (const QByteArray &text : std::as_const(lengths)) {
        qint64 value = 0;
        if (!parseNumber(text.trimmed(), 10, &value) || (length >= 0 && value != length)) {
            fail(QStringLiteral("invalid Content-Length"));
            return;
        }
        length = value;
    }
    if (length > m_maxBodyBytes) {
        fail(QStringLiteral("the body exceeds %1 bytes").arg(m_maxBodyBytes));
        return;
    }
    m_response.body.reserve(qsizetype(std::min<qint64>(length, 1 << 20)));
    m_remaining = length;
    if (length == 0)
        complete();
    else
        m_phase = Phase::Body;
}

void HttpResponseParser::takeBody(qint64 upTo)
{
    const qsizetype n = qsizetype(std::min<qint64>(upTo, m_buffer.size() - m_pos));
    m_response.body.append(QByteArrayView(m_buffer).sliced(m_pos, n));
    m_pos += n;
    if (m_phase != Phase::UntilClose)
        m_remaining -= n;
}

void HttpResponseParser::complete()
{
    m_state = State::Complete;
    m_phase = Phase::Done;
}

} // namespace kt
