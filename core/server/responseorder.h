// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QHash>
#include <QObject>

#include <deque>

class QTcpSocket;

namespace kt {

// HTTP/1.1 answers leave a connection in the order its requests came, even when some are
// answered later than others (a webhook waits for its signature check on a worker thread and
// for its group's commit; a 404 or a 401 is answered at once). Every answer goes through here:
// reserve() a place for a request answered later and fulfil() it, or send() an answer now.
// An answer is written as soon as every earlier answer on its connection has been; an answer
// that asks to close the connection closes it once written. Everything runs in one thread.
class ResponseOrder : public QObject
{
    Q_OBJECT
public:
    using Ticket = quint64;

    explicit ResponseOrder(QObject *parent = nullptr) : QObject(parent) {}

    // A place in the socket's answer order, for a request answered later.
    Ticket reserve(QTcpSocket *socket);
    // The answer for a reserved place. Unknown tickets (the connection has gone) are ignored.
    void fulfil(Ticket ticket, const QByteArray &bytes, bool close);
    // An answer for a request that is answered now.
    void send(QTcpSocket *socket, const QByteArray &bytes, bool close);

    // Answers reserved but not yet written on this socket.
    int pending(const QTcpSocket *socket) const;
    // Answers reserved but not yet written, on every connection.
    int pending() const { return int(m_owner.size()); }

    // The socket dynamic property that holds pending(socket), read by the connection guard (a
    // connection waiting for its answer is not idle).
    static constexpr const char *PendingProperty = "kevantel_answers_pending";

private:
    struct Slot
    {
        Ticket ticket = 0;
        QByteArray bytes;
        bool close = false;
        bool ready = false;
    };
    void flush(QTcpSocket *socket);
    void forget(QObject *socket);
    void notePending(QTcpSocket *socket);

    Ticket m_next = 1;
    // Keyed by the socket's QObject address: forget() runs when only its QObject part is left.
    QHash<const QObject *, std::deque<Slot>> m_queues;
    QHash<Ticket, QTcpSocket *> m_owner;
};

} // namespace kt
