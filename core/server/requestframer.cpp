// SPDX-License-Identifier: GPL-3.0-or-later
#include "requestframer.h"

#include "httpsyntax.h"

#include <algorithm>

namespace kt {
namespace {
bool hasControlChars(QByteArrayView text)
{
    return std::any_of(text.begin(), text.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return (u < 0x20 && c != '\t') || u == 0x7f;
    });
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool isLeadingWhitespace(char c)
{
    // What QHttpServer 6.4 skips before a request line.
    return c == '\r' || c == '\n' || c == ' ' || c == '\t' || c == '\v';
}

constexpr qsizetype MaxChunkLine = 1024;
} // namespace

RequestFramer::RequestFramer() : m_limits(Limits()) {}

RequestFramer::Phase RequestFramer::phase() const
{
    switch (m_state) {
    case State::Idle:
    case State::Failed:
        return Phase::Idle;
    case State::Head:
        return Phase::Headers;
    default:
        return Phase::Body;
    }
}

QByteArray RequestFramer::path() const
{
    const qsizetype q = m_target.indexOf('?');
    QByteArray p = q < 0 ? m_target : m_target.left(q);
    const qsizetype hash = p.indexOf('#');
    return hash < 0 ? p : p.left(hash);
}

QByteArray RequestFramer::header(QByteArrayView name) const
{
    QByteArray joined;
    for (const auto &h : m_headers) {
        if (QByteArrayView(h.first).compare(name, Qt::CaseInsensitive) == 0) {
            if (!joined.isEmpty())
                joined += ", ";
            joined += h.second;
        }
    }
    return joined;
}

RequestFramer::Result RequestFramer::fail(qsizetype consumed, Event event, const QString &message)
{
    m_state = State::Failed;
    m_failure = event;
    m_error = message;
    return {consumed, event};
}

void RequestFramer::resetRequest()
{
    m_head.clear();
    m_lineStart = 0;
    m_lines = 0;
    m_chunkLine.clear();
    m_remaining = 0;
    m_decoded = 0;
    m_rawBody = 0;
    m_method.clear();
    m_target.clear();
    m_headers.clear();
    m_contentLength = -1;
    m_chunked = false;
    m_expectContinue = false;
}

RequestFramer::Event RequestFramer::parseHead(QString *message)
{
    QList<QByteArray> lines = m_head.split('\n');
    for (QByteArray &line : lines) {
        if (line.endsWith('\r'))
            line.chop(1);
    }
    // The split leaves the terminating empty line and the empty tail after it.
    while (!lines.isEmpty() && lines.constLast().isEmpty())
        lines.removeLast();
    if (lines.isEmpty()) {
        *message = QStringLiteral("empty request");
        return Event::Malformed;
    }

    const QByteArray &requestLine = lines.constFirst();
    QList<QByteArray> parts = requestLine.split(' ');
    parts.removeAll(QByteArray());
    if (parts.size() != 3 || !isHttpToken(parts.at(0)) || hasControlChars(requestLine)) {
        *message = QStringLiteral("malformed request line");
        return Event::Malformed;
    }
    if (parts.at(2) != "HTTP/1.1" && parts.at(2) != "HTTP/1.0") {
        *message = QStringLiteral("unsupported HTTP version");
        return Event::Malformed;
    }
    m_method = parts.at(0);
    m_target = parts.at(1);

    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray &line = lines.at(i);
        if (line.startsWith(' ') || line.startsWith('\t')) {
            *message = QStringLiteral("folded header lines are not supported");
            return Event::Malformed;
        }
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0 || !isHttpToken(QByteArrayView(line).first(colon))) {
            *message = QStringLiteral("malformed header field");
            return Event::Malformed;
        }
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (hasControlChars(value)) {
            *message = QStringLiteral("control characters in a header field");
            return Event::Malformed;
        }
        m_headers.append({line.left(colon), value});
    }

    bool haveLength = false;
    bool haveEncoding = false;
    QByteArray encoding;
    for (const auto &h : std::as_const(m_headers)) {
        if (h.first.compare("content-length", Qt::CaseInsensitive) == 0) {
            const QByteArray &v = h.second;
            const bool digits =
                !v.isEmpty() && v.size() <= 15 &&
                std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
            if (!digits) {
                *message = QStringLiteral("invalid Content-Length");
                return Event::Malformed;
            }
            const qint64 length = v.toLongLong();
            if (haveLength && length != m_contentLength) {
                *message = QStringLiteral("conflicting Content-Length fields");
                return Event::Malformed;
            }
            m_contentLength = length;
            haveLength = true;
        } else if (h.first.compare("transfer-encoding", Qt::CaseInsensitive) == 0) {
            if (haveEncoding) {
                *message = QStringLiteral("repeated Transfer-Encoding");
                return Event::Malformed;
            }
            haveEncoding = true;
            encoding = h.second.trimmed().toLower();
        } else if (h.first.compare("expect", Qt::CaseInsensitive) == 0) {
            m_expectContinue = h.second.trimmed().toLower() == "100-continue";
        }
    }
    if (haveEncoding) {
        if (haveLength) {
            *message = QStringLiteral("both Content-Length and Transfer-Encoding");
            return Event::Malformed;
        }
        if (encoding != "chunked") {
            *message = QStringLiteral("unsupported Transfer-Encoding: %1")
                           .arg(QString::fromLatin1(encoding.left(64)));
            return Event::UnsupportedTransferEncoding;
        }
        m_chunked = true;
    }
    return Event::None;
}

RequestFramer::Result RequestFramer::feed(QByteArrayView data)
{
    qsizetype pos = 0;
    const qsizetype size = data.size();
    const char *bytes = data.data();
    const qint64 maxRawChunked = 2 * m_limits.maxBodyBytes + 4096;

    while (pos < size) {
        switch (m_state) {
        case State::Failed:
            return {0, m_failure};

        case State::Idle:
            while (pos < size && isLeadingWhitespace(bytes[pos]))
                ++pos;
            if (pos < size) {
                resetRequest();
                m_state = State::Head;
            }
            break;

        case State::Head: {
            const char *start = bytes + pos;
            const char *nl = static_cast<const char *>(std::memchr(start, '\n', size - pos));
            const qsizetype take = nl ? (nl - start) + 1 : size - pos;
            if (m_head.size() + take > m_limits.maxHeaderBytes)
                return fail(
                    pos + qMin<qsizetype>(take, m_limits.maxHeaderBytes - m_head.size()),
                    Event::HeadersTooLarge,
                    QStringLiteral("request head exceeds %1 bytes").arg(m_limits.maxHeaderBytes));
            m_head.append(start, take);
            pos += take;
            if (!nl)
                break;
            const QByteArrayView line = QByteArrayView(m_head).sliced(m_lineStart);
            const bool empty = line == "\n" || line == "\r\n";
            if (!empty || m_lines == 0) {
                m_lineStart = m_head.size();
                if (++m_lines > m_limits.maxHeaderCount + 1)
                    return fail(
                        pos, Event::HeadersTooLarge,
                        QStringLiteral("more than %1 header fields").arg(m_limits.maxHeaderCount));
                break;
            }
            QString message;
            const Event error = parseHead(&message);
            if (error != Event::None)
                return fail(pos, error, message);
            if (m_chunked) {
                m_state = State::ChunkSize;
                return {pos, Event::HeadersComplete};
            }
            if (m_contentLength > m_limits.maxBodyBytes)
                return fail(
                    pos, Event::BodyTooLarge,
                    QStringLiteral("request body exceeds %1 bytes").arg(m_limits.maxBodyBytes));
            if (m_contentLength > 0) {
                m_remaining = m_contentLength;
                m_state = State::Body;
                return {pos, Event::HeadersComplete};
            }
            m_state = State::Idle;
            return {pos, Event::RequestComplete};
        }

        case State::Body: {
            const qint64 take = qMin<qint64>(m_remaining, size - pos);
            m_remaining -= take;
            pos += take;
            if (m_remaining == 0) {
                m_state = State::Idle;
                return {pos, Event::RequestComplete};
            }
            break;
        }

        case State::ChunkSize: {
            const char c = bytes[pos++];
            ++m_rawBody;
            m_chunkLine.append(c);
            if (m_chunkLine.size() > MaxChunkLine)
                return fail(pos, Event::Malformed, QStringLiteral("chunk header too long"));
            if (c != '\n')
                break;
            if (!m_chunkLine.endsWith("\r\n"))
                return fail(pos, Event::Malformed, QStringLiteral("chunk header without CRLF"));
            const QByteArray line = m_chunkLine.chopped(2);
            m_chunkLine.clear();
            qsizetype i = 0;
            qint64 chunk = 0;
            while (i < line.size() && hexValue(line.at(i)) >= 0) {
                chunk = chunk * 16 + hexValue(line.at(i));
                ++i;
            }
            qsizetype j = i;
            while (j < line.size() && (line.at(j) == ' ' || line.at(j) == '\t'))
                ++j;
            if (i == 0 || i > 8 || (j < line.size() && line.at(j) != ';') || hasControlChars(line))
                return fail(pos, Event::Malformed, QStringLiteral("malformed chunk size"));
            if (chunk == 0) {
                m_state = State::LastChunkCr;
                break;
            }
            m_decoded += chunk;
            if (m_decoded > m_limits.maxBodyBytes)
                return fail(
                    pos, Event::BodyTooLarge,
                    QStringLiteral("request body exceeds %1 bytes").arg(m_limits.maxBodyBytes));
            m_remaining = chunk;
            m_state = State::ChunkData;
            break;
        }

        case State::ChunkData: {
            const qint64 take = qMin<qint64>(m_remaining, size - pos);
            m_remaining -= take;
            m_rawBody += take;
            pos += take;
            if (m_remaining == 0)
                m_state = State::ChunkDataCr;
            break;
        }

        case State::ChunkDataCr:
        case State::LastChunkCr:
            ++m_rawBody;
            if (bytes[pos++] != '\r')
                return fail(pos, Event::Malformed,
                            m_state == State::LastChunkCr
                                ? QStringLiteral("chunked trailers are not supported")
                                : QStringLiteral("chunk data not followed by CRLF"));
            m_state = m_state == State::ChunkDataCr ? State::ChunkDataLf : State::LastChunkLf;
            break;

        case State::ChunkDataLf:
        case State::LastChunkLf:
            ++m_rawBody;
            if (bytes[pos++] != '\n')
                return fail(pos, Event::Malformed, QStringLiteral("bare CR in chunked body"));
            if (m_state == State::LastChunkLf) {
                m_state = State::Idle;
                return {pos, Event::RequestComplete};
            }
            m_state = State::ChunkSize;
            break;
        }
        if (m_rawBody > maxRawChunked)
            return fail(pos, Event::BodyTooLarge,
                        QStringLiteral("chunked body framing exceeds %1 bytes").arg(maxRawChunked));
    }
    return {pos, m_state == State::Failed ? m_failure : Event::None};
}

} // namespace kt
