// SPDX-License-Identifier: GPL-3.0-or-later
#include "responseorder.h"

#include <QTcpSocket>

namespace kt {
namespace {
void writeNow(QTcpSocket *socket, const QByteArray &bytes, bool close)
{
    if (socket->state() != QAbstractSocket::ConnectedState)
        return;
    socket->write(bytes);
    socket->flush();
    if (close)
        socket->disconnectFromHost();
}
} // namespace

ResponseOrder::Ticket ResponseOrder::reserve(QTcpSocket *socket)
{
    auto it = m_queues.find(socket);
    if (it == m_queues.end()) {
        it = m_queues.insert(socket, {});
        connect(socket, &QObject::destroyed, this, &ResponseOrder::forget);
    }
    const Ticket ticket = m_next++;
    it->push_back({ticket, {}, false, false});
    m_owner.insert(ticket, socket);
    notePending(socket);
    return ticket;
}

void ResponseOrder::fulfil(Ticket ticket, const QByteArray &bytes, bool close)
{
    QTcpSocket *socket = m_owner.value(ticket);
    if (!socket)
        return;
    auto it = m_queues.find(socket);
    if (it == m_queues.end())
        return;
    for (Slot &slot : *it) {
        if (slot.ticket == ticket) {
            slot.bytes = bytes;
            slot.close = close;
            slot.ready = true;
            break;
        }
    }
    flush(socket);
}

void ResponseOrder::send(QTcpSocket *socket, const QByteArray &bytes, bool close)
{
    if (!socket)
        return;
    auto it = m_queues.find(socket);
    if (it == m_queues.end() || it->empty()) {
        writeNow(socket, bytes, close);
        return;
    }
    const Ticket ticket = m_next++;
    it->push_back({ticket, bytes, close, true});
    m_owner.insert(ticket, socket);
    notePending(socket);
}

int ResponseOrder::pending(const QTcpSocket *socket) const
{
    const auto it = m_queues.constFind(socket);
    return it == m_queues.cend() ? 0 : int(it->size());
}

void ResponseOrder::flush(QTcpSocket *socket)
{
    auto it = m_queues.find(socket);
    if (it == m_queues.end())
        return;
    std::deque<Slot> &queue = *it;
    bool closed = false;
    while (!queue.empty() && queue.front().ready) {
        const Slot slot = std::move(queue.front());
        queue.pop_front();
        m_owner.remove(slot.ticket);
        if (!closed)
            writeNow(socket, slot.bytes, slot.close);
        closed = closed || slot.close; // nothing more goes out on a closed connection
    }
    if (closed) {
        for (const Slot &slot : queue)
            m_owner.remove(slot.ticket);
        queue.clear();
    }
    notePending(socket);
}

void ResponseOrder::forget(QObject *socket)
{
    const auto it = m_queues.find(socket);
    if (it == m_queues.end())
        return;
    for (const Slot &slot : *it)
        m_owner.remove(slot.ticket);
    m_queues.erase(it);
}

void ResponseOrder::notePending(QTcpSocket *socket)
{
    socket->setProperty(PendingProperty, pending(socket));
}

} // namespace kt
